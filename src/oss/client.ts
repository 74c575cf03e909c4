/*
 * The OSS client: the four methods over one transport (axios, retry table, shared rate budget). It reads no
 * environment and no files: the caller passes config.oss, the logger and the feed mapping.
 */
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { adaptFeed, DEFAULT_FEED_MAPPING, type FeedMapping } from './adapter.js';
import {
  checkLicenseStatus,
  inqueryNib,
  type ListKemitraanQuery,
  type ListNibQuery,
  listKemitraan,
  listNib,
  type OssLookup,
  type OssPage,
} from './methods.js';
import { createRateBudget, type RateBudget, realSleep } from './rateBudget.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
import { createTransport, type OssMethod, type OssRequestEvent } from './transport.js';

export interface OssClientStats {
  /** HTTP attempts per method and result ('ok', 'not_found', 'http_503', 'kode_500', 'timeout', 'auth', …). */
  readonly requests: Record<OssMethod, Record<string, number>>;
  readonly retries: number;
  /** Time requests slept for a token of the rate budget, summed over requests (process-wide when shared). */
  readonly rateWaitMs: number;
  /** Wall time during which at least one request slept for a token of the rate budget. */
  readonly rateWaitWallMs: number;
  readonly http429: number;
  /** The rate the budget paces at now: OSS_RATE_LIMIT_RPS, or less after quota answers. */
  readonly currentRps: number;
}

/** The OSS API as the sync sees it. Throws OssAuthError, OssUnavailableError or OssProtocolError (see index.ts). */
export interface OssClient {
  inqueryNib(nib: string): Promise<OssLookup>;
  checkLicenseStatus(idIzin: string): Promise<OssLookup>;
  listNib(query: ListNibQuery): Promise<OssPage>;
  listKemitraan(query: ListKemitraanQuery): Promise<OssPage>;
  stats(): OssClientStats;
}

export interface OssClientOptions {
  /** config.oss; baseUrl must be set (in sandbox mode, the simulator's URL). */
  readonly config: Config['oss'];
  readonly log: Logger;
  /** Feed names (loadFeedMapping()); default: the contract's names. */
  readonly mapping?: FeedMapping;
  /** Sleeps between retries and for rate tokens; default setTimeout. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** In [0, 1), for the backoff jitter; default Math.random. */
  readonly random?: () => number;
  /** Monotonic ms clock for the budget and durations; default performance.now. Inject it together with sleep. */
  readonly now?: () => number;
  /** A budget shared with other clients of the process; default one built from config (rateLimitRps, concurrency). */
  readonly budget?: RateBudget;
  /** Called after every HTTP attempt, for metrics. */
  readonly onRequest?: (event: OssRequestEvent) => void;
  /** Backoff overrides (base 250 ms, cap 30 s, Retry-After up to 300 s); maxRetries comes from config. */
  readonly retry?: Partial<Omit<RetryPolicy, 'maxRetries'>>;
}

/** Creates the client. One per process is the norm; several share a budget by passing `budget`. */
export function createOssClient(options: OssClientOptions): OssClient {
  const { config, log } = options;
  if (config.baseUrl === null) {
    throw new TypeError('createOssClient: config.oss.baseUrl is null; in sandbox mode pass the simulator URL');
  }
  const sleep = options.sleep ?? realSleep;
  const now = options.now ?? (() => performance.now());
  const budget =
    options.budget ?? createRateBudget({ rps: config.rateLimitRps, concurrency: config.concurrency, now, sleep });
  const transport = createTransport({
    baseUrl: config.baseUrl,
    userKey: config.userKey,
    timeoutMs: config.timeoutMs,
    policy: { ...DEFAULT_RETRY_POLICY, ...options.retry, maxRetries: config.maxRetries },
    budget,
    log: log.child({ component: 'oss' }),
    sleep,
    random: options.random ?? Math.random,
    now,
    ...(options.onRequest ? { onRequest: options.onRequest } : {}),
  });
  const mapping = options.mapping ?? DEFAULT_FEED_MAPPING;
  const kemitraan = adaptFeed(mapping.listKemitraan);
  const nibs = adaptFeed(mapping.listNIB);

  return {
    inqueryNib: (nib) => inqueryNib(transport, nib),
    checkLicenseStatus: (idIzin) => checkLicenseStatus(transport, idIzin),
    listNib: (query) => listNib(transport, nibs, query, query.pageSize ?? config.pageSize),
    listKemitraan: (query) => listKemitraan(transport, kemitraan, query, query.pageSize ?? config.pageSize),
    stats: () => {
      const b = budget.stats();
      return {
        ...transport.stats(),
        rateWaitMs: b.rateWaitMs,
        rateWaitWallMs: b.rateWaitWallMs,
        currentRps: b.currentRps,
      };
    },
  };
}

/**
 * What happened between two stats() snapshots of one client, e.g. one stream's share of a run. Wall waits subtract
 * exactly: each snapshot counts the wait in progress up to its own instant. currentRps is the later snapshot's.
 */
export function ossStatsSince(before: OssClientStats, after: OssClientStats): OssClientStats {
  const requests = structuredClone(after.requests);
  for (const [method, counts] of Object.entries(before.requests) as Array<[OssMethod, Record<string, number>]>) {
    for (const [result, n] of Object.entries(counts)) {
      const left = (requests[method][result] ?? 0) - n;
      if (left > 0) requests[method][result] = left;
      else delete requests[method][result];
    }
  }
  return {
    requests,
    retries: after.retries - before.retries,
    rateWaitMs: after.rateWaitMs - before.rateWaitMs,
    rateWaitWallMs: after.rateWaitWallMs - before.rateWaitWallMs,
    http429: after.http429 - before.http429,
    currentRps: after.currentRps,
  };
}
