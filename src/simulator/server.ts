/*
 * The OSS simulator's HTTP server (node:http, loopback): POST /{method} for inqueryNIB, checkLicenseStatus, listNIB
 * and listKemitraan, per the OSS feeds contract, with fault knobs (latency, 5xx, 504, body errors, hangs,
 * resets, a per-key quota, payload quirks, paging drift) and a control surface for tests. This module is the
 * transport (method, key, quota, body, faults); methods.ts answers the methods and answers.ts writes the envelope.
 */
import { writeFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { SimulatorSize } from '../config.js';
import {
  Answers,
  bump,
  emptyStats,
  type JsonObject,
  KETERANGAN,
  type ServerState,
  type SimulatorStats,
} from './answers.js';
import type { SimulatorFaults } from './faults.js';
import { DEFAULT_FAULTS, mergeFaults, QuotaBuckets } from './faults.js';
import { DEFAULT_PAGE_CACHE, KemitraanPages, type Method, MethodHandlers, SIMULATOR_METHODS } from './methods.js';
import { hash32, Rng } from './prng.js';
import type { SimulatorManifest } from './types.js';
import type { MutateOptions, MutateResult, SimulatorWorld } from './world.js';
import { generateWorld } from './world.js';

export type { SimulatorStats } from './answers.js';
export { SIMULATOR_METHODS } from './methods.js';

export interface StartSimulatorOptions {
  /** 0 (default): a random free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  seed?: number;
  size?: SimulatorSize;
  kdDaerah?: string;
  /** The world's present (default: now). */
  now?: Date;
  /** Time source for changes after start (mutations, drift); default: `now` advancing with the wall clock. */
  clock?: () => Date;
  /** The user_key the server accepts (default 'sandbox-key'). */
  userKey?: string;
  faults?: Partial<SimulatorFaults>;
  /** Seed of fault and quirk decisions (default: the world seed). */
  faultSeed?: number;
  /** Writes the manifest here (JSON) at start and after every mutation. */
  manifestPath?: string;
  /** Serve an already generated world instead of generating one. */
  world?: SimulatorWorld;
  /**
   * Memory for serialized listKemitraan pages (default by size: 16 MiB tiny … 256 MiB large, 1.5 GiB huge; 0
   * disables). Pages stay cached until the listing changes, so a repeated scan is served from memory.
   */
  pageCacheBytes?: number;
  /**
   * Renders the full listing (no tgl_perubahan_mulai, this page size) into the page cache in the background after
   * start, so that a benchmark measures the client rather than the simulator. `prewarmed` resolves when done.
   */
  prewarm?: { pageSize: number };
}

export interface SimulatorControl {
  /** Changes fault knobs at runtime; returns the new setting. */
  setFaults(partial: Partial<SimulatorFaults>): SimulatorFaults;
  faults(): SimulatorFaults;
  /** The old key gets HTTP 401 from now on. */
  rotateKey(newKey: string): void;
  mutate(options?: MutateOptions): MutateResult;
  withdraw(ids: readonly string[]): string[];
  withdrawFraction(fraction: number, seed?: number): string[];
  stats(): SimulatorStats;
  resetStats(): void;
  /** Resolves with the number of pages rendered by `prewarm` (0 without prewarm). */
  prewarmed(): Promise<number>;
}

export interface RunningSimulator {
  /** Base URL, e.g. http://127.0.0.1:40123 (POST {url}/{method}). */
  url: string;
  port: number;
  world: SimulatorWorld;
  manifest: SimulatorManifest;
  control: SimulatorControl;
  stop(): Promise<void>;
}

const MAX_BODY = 1_000_000;

/** What one request needs besides itself. */
interface RequestContext {
  state: ServerState;
  answers: Answers;
  methods: MethodHandlers;
  quota: QuotaBuckets;
  faultRng: Rng;
  /** Delayed answers, cleared by stop(). */
  timers: Set<NodeJS.Timeout>;
}

/** Checks the HTTP method, the OSS method, the user_key and the quota, then reads the body. */
function handleRequest(ctx: RequestContext, req: IncomingMessage, res: ServerResponse): void {
  const { state, answers } = ctx;
  const { stats, faults } = state;
  stats.requests++;
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const name = path.split('/').filter(Boolean).pop() ?? '';
  const method = (SIMULATOR_METHODS as readonly string[]).includes(name) ? (name as Method) : null;
  bump(stats.byMethod, method ?? 'unknown');
  if (req.method !== 'POST') {
    answers.send(res, 405, JSON.stringify({ kode: 405, keterangan: KETERANGAN.denied }), 'application/json', {
      Allow: 'POST',
    });
    req.resume();
    return;
  }
  if (!method) {
    bump(stats.byBodyKode, 404);
    answers.send(res, 404, JSON.stringify({ kode: 404, keterangan: KETERANGAN.notFoundService }));
    req.resume();
    return;
  }
  const key = req.headers['user_key'];
  if (typeof key !== 'string' || key !== state.userKey) {
    stats.unauthorized++;
    answers.envelope(res, 401, method, 401, { keterangan: KETERANGAN.unauthorized });
    req.resume();
    return;
  }
  if (faults.quota) {
    const wait = ctx.quota.take(key, faults.quota);
    if (wait > 0) {
      stats.rateLimited++;
      answers.envelope(
        res,
        429,
        method,
        405,
        { keterangan: `${KETERANGAN.denied}: batas permintaan terlampaui` },
        { 'Retry-After': String(wait) },
      );
      req.resume();
      return;
    }
  }
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (c: Buffer) => {
    size += c.length;
    if (size > MAX_BODY) {
      answers.envelope(res, 413, method, 400, { keterangan: `${KETERANGAN.badParam}: body terlalu besar` });
      req.destroy();
    } else chunks.push(c);
  });
  req.on('end', () => {
    if (res.writableEnded || res.destroyed) return;
    answerWithFaults(ctx, req, res, method, Buffer.concat(chunks).toString('utf8'));
  });
}

/** Answers a request after the latency, unless the fault knobs decide on a hang, a reset, a 5xx, a 504 or a body error. */
function answerWithFaults(
  ctx: RequestContext,
  req: IncomingMessage,
  res: ServerResponse,
  method: Method,
  raw: string,
): void {
  const { answers, faultRng } = ctx;
  const { stats, faults } = ctx.state;
  const u = faultRng.next();
  // Cumulative thresholds: one draw decides which fault (if any) this request gets.
  const tHang = faults.hangRate;
  const tReset = tHang + faults.resetRate;
  const tError = tReset + faults.errorRate;
  const tTimeout = tError + faults.timeoutRate;
  const tBody = tTimeout + faults.bodyErrorRate;
  if (u < tHang) {
    stats.faults.hang++;
    return; // never answered; stop() destroys the socket
  }
  if (u < tReset) {
    stats.faults.reset++;
    req.socket.destroy();
    return;
  }
  const answer = () => {
    if (res.destroyed) return;
    // Read at answer time: a latency delay can outlast a resetStats().
    const { stats } = ctx.state;
    if (u < tError) {
      stats.faults.error++;
      const status = [500, 502, 503][faultRng.int(3)] ?? 500;
      if (status === 500) answers.envelope(res, 500, method, 500, { keterangan: KETERANGAN.failed });
      else
        answers.send(
          res,
          status,
          `<html><body><h1>${status} ${status === 502 ? 'Bad Gateway' : 'Service Unavailable'}</h1></body></html>`,
          'text/html',
        );
      return;
    }
    if (u < tTimeout) {
      stats.faults.timeout++;
      answers.envelope(res, 504, method, 504, { keterangan: KETERANGAN.timeout });
      return;
    }
    if (u < tBody) {
      stats.faults.bodyError++;
      const empty: JsonObject = method === 'inqueryNIB' ? { dataNIB: answers.emptyData() } : {};
      answers.envelope(res, 200, method, 500, { keterangan: KETERANGAN.failed, ...empty });
      return;
    }
    ctx.methods.respond(res, method, raw);
  };
  const delay = faults.latencyMs + (faults.latencyJitterMs > 0 ? faultRng.next() * faults.latencyJitterMs : 0);
  if (delay <= 0) answer();
  else {
    const t = setTimeout(() => {
      ctx.timers.delete(t);
      answer();
    }, delay);
    ctx.timers.add(t);
  }
}

/** Starts the simulator on loopback. */
export async function startSimulator(options: StartSimulatorOptions): Promise<RunningSimulator> {
  const seed = options.seed ?? 1;
  const world =
    options.world ??
    generateWorld({
      seed,
      size: options.size ?? 'small',
      ...(options.kdDaerah !== undefined ? { kdDaerah: options.kdDaerah } : {}),
      now: options.now ?? new Date(),
      ...(options.clock ? { clock: options.clock } : {}),
    });
  const warmSize = options.prewarm?.pageSize;
  if (warmSize !== undefined && (!Number.isInteger(warmSize) || warmSize < 1 || warmSize > 500)) {
    throw new RangeError('startSimulator: prewarm.pageSize must be a whole number from 1 to 500');
  }
  const state: ServerState = {
    faults: mergeFaults({ ...DEFAULT_FAULTS }, options.faults ?? {}),
    userKey: options.userKey ?? 'sandbox-key',
    stats: emptyStats(),
  };
  const faultRng = new Rng(hash32(options.faultSeed ?? world.seed, 901));
  const quirkRng = new Rng(hash32(options.faultSeed ?? world.seed, 902));
  const driftRng = new Rng(hash32(options.faultSeed ?? world.seed, 903));
  const pages = new KemitraanPages(world, options.pageCacheBytes ?? DEFAULT_PAGE_CACHE[world.size]);
  const answers = new Answers(state, quirkRng);
  const ctx: RequestContext = {
    state,
    answers,
    methods: new MethodHandlers(world, state, answers, quirkRng, driftRng, pages),
    quota: new QuotaBuckets(),
    faultRng,
    timers: new Set<NodeJS.Timeout>(),
  };
  const sockets = new Set<Socket>();
  let stopping = false;

  const writeManifest = () => {
    if (options.manifestPath) writeFileSync(options.manifestPath, `${JSON.stringify(world.manifest, null, 2)}\n`);
  };
  writeManifest();

  const server: Server = createServer((req, res) => handleRequest(ctx, req, res));
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  let stopped: Promise<void> | null = null;
  const warm = options.prewarm ? pages.prewarm(options.prewarm.pageSize, () => stopping) : Promise.resolve(0);

  const control: SimulatorControl = {
    setFaults(partial) {
      state.faults = mergeFaults(state.faults, partial);
      if (partial.quota !== undefined) ctx.quota.reset();
      return { ...state.faults };
    },
    faults: () => ({ ...state.faults }),
    rotateKey(newKey) {
      if (!newKey) throw new TypeError('rotateKey: the new key must not be empty');
      state.userKey = newKey;
    },
    mutate(o) {
      const result = world.mutate(o);
      writeManifest();
      return result;
    },
    withdraw: (ids) => world.withdraw(ids),
    withdrawFraction: (fraction, s) => world.withdrawFraction(fraction, s),
    stats: () => structuredClone(state.stats),
    prewarmed: () => warm,
    resetStats() {
      state.stats = emptyStats();
    },
  };

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    world,
    manifest: world.manifest,
    control,
    stop() {
      stopping = true;
      stopped ??= new Promise<void>((resolve) => {
        for (const t of ctx.timers) clearTimeout(t);
        ctx.timers.clear();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}
