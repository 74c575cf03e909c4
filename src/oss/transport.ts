/*
 * The HTTP side of the OSS client: one axios instance, the rate budget, and the retry table applied to every
 * request. Methods hand it a body and a function that reads the envelope; everything else happens here.
 */
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { OssAuthError, OssProtocolError, OssUnavailableError } from '../errors.js';
import type { Logger } from '../logger.js';
import { excerpt, KODE_TEXT, locateEnvelope, type OssEnvelope, readEnvelope } from './envelope.js';
import type { RateBudget, RatePermit } from './rateBudget.js';
import {
  BODY_KODE_RULES,
  HTTP_STATUS_RULES,
  NETWORK_ERROR_RULES,
  NETWORK_MESSAGE_RULES,
  parseRetryAfter,
  type RetryPolicy,
  type RetryRule,
  retryDelayMs,
} from './retry.js';
import { scanListText } from './wireScan.js';

/** The OSS methods, by their contract names (stats and hooks use these, whatever the wire names are). */
export type OssMethod = 'inqueryNIB' | 'checkLicenseStatus' | 'listNIB' | 'listKemitraan';

/** One HTTP attempt, for metrics. `result` is e.g. 'ok', 'not_found', 'http_503', 'kode_500', 'timeout', 'auth'. */
export interface OssRequestEvent {
  readonly method: OssMethod;
  readonly result: string;
  readonly durationMs: number;
  /** 1 for the first try, 2 for the first retry… */
  readonly attempt: number;
}

/** OSS does not offer this method (HTTP 404 or kode 404 "Akses Service Tidak Ditemukan"), e.g. no listNIB here. */
export class OssMethodMissingError extends OssProtocolError {
  readonly method: OssMethod;
  constructor(method: OssMethod, message: string) {
    super(message);
    this.method = method;
  }
}

/** What a method reads from an envelope: its value and the result label to count. Throws OssProtocolError. */
export type Interpret<T> = (envelope: OssEnvelope) => { value: T; result: string };

export interface TransportRequest<T> {
  readonly method: OssMethod;
  readonly wireMethod: string;
  readonly body: unknown;
  readonly dataKey: string;
  readonly metaKey?: string;
  /** "listKemitraan page 3", for messages. */
  readonly label: string;
  readonly interpret: Interpret<T>;
  /**
   * List answers: scan the data array instead of parsing it (wireScan.ts), reading these top-level fields of each
   * record; the envelope then carries `scanned`. An answer the scan does not vouch for is parsed whole, as without.
   */
  readonly scan?: ReadonlySet<string>;
}

export interface TransportOptions {
  readonly baseUrl: string;
  readonly userKey: string | null;
  readonly timeoutMs: number;
  readonly policy: RetryPolicy;
  readonly budget: RateBudget;
  readonly log: Logger;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
  readonly now: () => number;
  readonly onRequest?: (event: OssRequestEvent) => void;
}

export interface TransportStats {
  requests: Record<OssMethod, Record<string, number>>;
  retries: number;
  http429: number;
}

export interface Transport {
  request<T>(req: TransportRequest<T>): Promise<T>;
  stats(): TransportStats;
}

type AttemptOutcome<T> =
  | { readonly done: true; readonly value: T }
  | {
      readonly done: false;
      readonly rule: RetryRule;
      readonly retryAfterMs: number | null;
      readonly detail: string;
      readonly cause: unknown;
      /** The budget's grant of this attempt, told about a quota answer once the retry delay is known. */
      readonly permit: RatePermit;
    };

interface NetworkFailure {
  readonly code: string | undefined;
  readonly message: string;
}

function networkFailure(err: unknown): NetworkFailure {
  const e = err as { code?: unknown; message?: unknown; cause?: { code?: unknown } };
  const code = typeof e.code === 'string' ? e.code : typeof e.cause?.code === 'string' ? e.cause.code : undefined;
  return { code, message: typeof e.message === 'string' ? e.message : String(err) };
}

/** Builds the transport; the axios instance never follows redirects and never throws on a status (the table decides). */
export function createTransport(options: TransportOptions): Transport {
  const { policy, budget, log, sleep, random, now, userKey } = options;
  const host = new URL(options.baseUrl).host;
  const http: AxiosInstance = axios.create({
    baseURL: options.baseUrl,
    timeout: options.timeoutMs,
    adapter: 'http',
    headers: { 'Content-Type': 'application/json', ...(userKey === null ? {} : { user_key: userKey }) },
    // Read the body as text: a non-JSON answer (an HTML error page) becomes a protocol error with an excerpt.
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
    validateStatus: () => true,
    maxRedirects: 0,
  });

  const stats: TransportStats = {
    requests: { inqueryNIB: {}, checkLicenseStatus: {}, listNIB: {}, listKemitraan: {} },
    retries: 0,
    http429: 0,
  };

  const record = (method: OssMethod, result: string, startedAt: number, attempt: number) => {
    const counts = stats.requests[method];
    counts[result] = (counts[result] ?? 0) + 1;
    options.onRequest?.({ method, result, durationMs: now() - startedAt, attempt });
  };

  const authError = (what: string, label: string) =>
    new OssAuthError(
      `OSS rejected the user_key (OSS_USER_KEY) at ${host}: ${what} on ${label}. Check or rotate OSS_USER_KEY.`,
    );

  const bodyText = (response: AxiosResponse): string => (typeof response.data === 'string' ? response.data : '');

  const retryAfter = (response: AxiosResponse): number | null =>
    parseRetryAfter(response.headers['retry-after'], Date.now());

  const envelopeOf = (req: TransportRequest<unknown>, response: AxiosResponse, scan = false): OssEnvelope => {
    const text = bodyText(response);
    const request = {
      method: req.wireMethod,
      dataKey: req.dataKey,
      ...(req.metaKey === undefined ? {} : { metaKey: req.metaKey }),
      label: req.label,
      secret: userKey,
    };
    const scanned = scan && req.scan ? scanListText(text, req.dataKey, req.scan) : null;
    if (scanned) {
      try {
        const found = locateEnvelope(scanned.skeleton, request);
        // The scan found the array the envelope reader picks: else the whole text decides, messages included.
        if (found.wrapperKey === scanned.wrapperKey && found.dataKey === scanned.dataKey) {
          return { ...found.envelope, scanned: scanned.elements };
        }
      } catch {
        // The full parse below throws the error with the answer's own excerpt.
      }
    }
    return readEnvelope(text, request);
  };

  /** The server's keterangan when an error status still carries an envelope, else the Lampiran 9 text. */
  const statusText = (req: TransportRequest<unknown>, response: AxiosResponse): string => {
    try {
      const envelope = envelopeOf(req, response);
      if (envelope.keterangan) return excerpt(envelope.keterangan, userKey);
    } catch {
      // Not an envelope: fall back to the code table.
    }
    return KODE_TEXT[response.status] ?? response.statusText ?? '';
  };

  async function attemptOnce<T>(req: TransportRequest<T>, attempt: number): Promise<AttemptOutcome<T>> {
    const permit = await budget.acquire();
    const startedAt = now();
    let response: AxiosResponse;
    try {
      response = await http.post(req.wireMethod, req.body);
    } catch (err) {
      const failure = networkFailure(err);
      const rule =
        (failure.code === undefined ? undefined : NETWORK_ERROR_RULES[failure.code]) ??
        NETWORK_MESSAGE_RULES[failure.message];
      record(req.method, rule?.result ?? (failure.code ?? 'network_error').toLowerCase(), startedAt, attempt);
      const detail = `${failure.code ?? 'error'} ${failure.message}`;
      if (!rule) {
        throw new OssUnavailableError(`OSS ${req.label} could not reach ${host}: ${detail}`, { cause: err });
      }
      return { done: false, rule, retryAfterMs: null, detail, cause: err, permit };
    } finally {
      permit.release();
    }

    const status = response.status;
    if (status < 200 || status > 299) {
      const rule = HTTP_STATUS_RULES[status];
      record(req.method, rule?.result ?? `http_${status}`, startedAt, attempt);
      if (status === 429) stats.http429++;
      const what = `HTTP ${status} ${statusText(req, response)}`.trim();
      if (rule?.action === 'auth') throw authError(what, req.label);
      if (rule) {
        return { done: false, rule, retryAfterMs: retryAfter(response), detail: what, cause: undefined, permit };
      }
      const message = `OSS answered ${what} to ${req.label} at ${host}; body starts with "${excerpt(bodyText(response), userKey)}"`;
      throw status === 404 ? new OssMethodMissingError(req.method, message) : new OssProtocolError(message);
    }

    let envelope: OssEnvelope;
    try {
      envelope = envelopeOf(req, response, true);
    } catch (err) {
      record(req.method, 'protocol', startedAt, attempt);
      throw err;
    }
    const rule = BODY_KODE_RULES[envelope.kode];
    if (rule) {
      record(req.method, rule.result, startedAt, attempt);
      const what = `kode ${envelope.kode} ${excerpt(envelope.keterangan, userKey)}`.trim();
      if (rule.action === 'auth') throw authError(what, req.label);
      return { done: false, rule, retryAfterMs: retryAfter(response), detail: what, cause: undefined, permit };
    }
    if (envelope.kode === 404) {
      record(req.method, 'kode_404', startedAt, attempt);
      throw new OssMethodMissingError(
        req.method,
        `OSS answered kode 404 ${envelope.keterangan} to ${req.label} at ${host}: the method is not available`,
      );
    }
    try {
      const { value, result } = req.interpret(envelope);
      record(req.method, result, startedAt, attempt);
      permit.answered();
      return { done: true, value };
    } catch (err) {
      record(req.method, 'protocol', startedAt, attempt);
      throw err;
    }
  }

  return {
    async request<T>(req: TransportRequest<T>): Promise<T> {
      for (let attempt = 1; ; attempt++) {
        const outcome = await attemptOnce(req, attempt);
        if (outcome.done) return outcome.value;
        const { rule, retryAfterMs, detail, cause, permit } = outcome;
        const tooLong = retryAfterMs !== null && retryAfterMs > policy.maxRetryAfterMs;
        const delayMs = retryDelayMs(policy, attempt, random, retryAfterMs);
        if (rule.quota) {
          // The quota is the key's, not this request's: every request of the process waits for the server's
          // Retry-After (the backoff when it gave none; nobody waits for one this client would not wait for).
          const lowered = permit.quotaExceeded(tooLong ? 0 : (retryAfterMs ?? delayMs));
          if (lowered !== null) {
            log.warn(
              { method: req.method, rps: Number(lowered.toFixed(2)) },
              'OSS quota reached, request rate lowered',
            );
          }
        }
        if (attempt > policy.maxRetries) {
          throw new OssUnavailableError(
            `OSS ${req.label} failed after ${attempt} attempt${attempt === 1 ? '' : 's'} at ${host}; last error: ${detail}`,
            { cause },
          );
        }
        if (retryAfterMs !== null && tooLong) {
          throw new OssUnavailableError(
            `OSS asked to wait ${Math.ceil(retryAfterMs / 1000)} s (Retry-After) before ${req.label} at ${host}, ` +
              `longer than the ${policy.maxRetryAfterMs / 1000} s this client waits; try again later`,
            { cause },
          );
        }
        stats.retries++;
        log.warn({ method: req.method, attempt, delayMs, reason: rule.result }, 'OSS request failed, retrying');
        await sleep(delayMs);
      }
    },
    stats: () => structuredClone(stats),
  };
}
