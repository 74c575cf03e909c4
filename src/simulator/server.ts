/*
 * The OSS simulator's HTTP server (node:http, loopback): POST /{method} for inqueryNIB, checkLicenseStatus, listNIB
 * and listKemitraan, per shared/contracts/oss-feeds.md, with fault knobs (latency, 5xx, 504, body errors, hangs,
 * resets, a per-key quota, payload quirks, paging drift) and a control surface for tests.
 */
import { writeFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { SimulatorSize } from '../config.js';
import type { SimulatorFaults } from './faults.js';
import { DEFAULT_FAULTS, mergeFaults, QuotaBuckets } from './faults.js';
import { hash32, Rng } from './prng.js';
import { quirkyDataNib, quirkyEmptyData, quirkyKemitraan, quirkyKode } from './quirks.js';
import { parseDate, parseWibDateTime } from './time.js';
import type { Json, SimulatorManifest } from './types.js';
import type { MutateOptions, MutateResult, SimulatorWorld } from './world.js';
import { generateWorld } from './world.js';

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

export interface SimulatorStats {
  requests: number;
  byMethod: Record<string, number>;
  byHttpStatus: Record<string, number>;
  /** Body kode of JSON answers (HTTP 200 and errors alike). */
  byBodyKode: Record<string, number>;
  rateLimited: number;
  unauthorized: number;
  faults: { error: number; timeout: number; bodyError: number; hang: number; reset: number };
  /** Records moved by paging drift. */
  driftMoves: number;
  recordsServed: { kemitraan: number; nib: number; inqueryNIB: number; checkLicenseStatus: number };
  /** Unexpected handler errors (simulator bugs), answered as HTTP 500. */
  internalErrors: string[];
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

export const SIMULATOR_METHODS = ['inqueryNIB', 'checkLicenseStatus', 'listNIB', 'listKemitraan'] as const;
type Method = (typeof SIMULATOR_METHODS)[number];

const REQUEST_KEY: Record<Method, string> = {
  inqueryNIB: 'INQUERYNIB',
  checkLicenseStatus: 'CHECKLICENSESTATUS',
  listNIB: 'LISTNIB',
  listKemitraan: 'LISTKEMITRAAN',
};

const KETERANGAN = {
  ok: 'Sukses',
  badParam: 'Data Parameter Salah',
  unauthorized: 'User Akses Tidak Valid',
  notFoundService: 'Akses Service Tidak Ditemukan',
  denied: 'Akses Service Ditolak',
  failed: 'Proses Payload Data Di Sistem OSS Gagal',
  timeout: 'Proses Payload Data Di Sistem OSS Timeout',
  nibNotFound: 'Data NIB tidak ditemukan',
  izinNotFound: 'Data izin tidak ditemukan',
} as const;

const MAX_BODY = 1_000_000;

function emptyStats(): SimulatorStats {
  return {
    requests: 0,
    byMethod: {},
    byHttpStatus: {},
    byBodyKode: {},
    rateLimited: 0,
    unauthorized: 0,
    faults: { error: 0, timeout: 0, bodyError: 0, hang: 0, reset: 0 },
    driftMoves: 0,
    recordsServed: { kemitraan: 0, nib: 0, inqueryNIB: 0, checkLicenseStatus: 0 },
    internalErrors: [],
  };
}

const bump = (m: Record<string, number>, k: string | number) => {
  m[String(k)] = (m[String(k)] ?? 0) + 1;
};

type JsonObject = { [key: string]: Json };

interface CachedPage {
  body: Buffer;
  records: number;
  total: number;
}

/** Page cache budget by world size: enough for a full scan up to `large`, a good part of `huge`. */
const DEFAULT_PAGE_CACHE: Record<SimulatorSize, number> = {
  tiny: 16 * 2 ** 20,
  small: 32 * 2 ** 20,
  medium: 64 * 2 ** 20,
  large: 256 * 2 ** 20,
  huge: 1_536 * 2 ** 20,
};

class ParamError extends Error {}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function intParam(v: unknown, name: string, dflt: number, min: number, max: number): number {
  if (v === undefined || v === null || v === '') return dflt;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new ParamError(`${name} harus bilangan bulat ${min}–${max}`);
  return n;
}

function regionParam(v: unknown): string {
  const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : '';
  if (!/^\d{2}(\d{2})?$/.test(s)) throw new ParamError('kd_daerah harus 2 atau 4 digit');
  return s;
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
  let faults = mergeFaults({ ...DEFAULT_FAULTS }, options.faults ?? {});
  let userKey = options.userKey ?? 'sandbox-key';
  let stats = emptyStats();
  const faultRng = new Rng(hash32(options.faultSeed ?? world.seed, 901));
  const quirkRng = new Rng(hash32(options.faultSeed ?? world.seed, 902));
  const driftRng = new Rng(hash32(options.faultSeed ?? world.seed, 903));
  const quota = new QuotaBuckets();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const pageCache = new Map<string, CachedPage>();
  let pageCacheBytes = 0;
  let pageCacheVersion = world.partnershipsVersion;
  const pageCacheLimit = options.pageCacheBytes ?? DEFAULT_PAGE_CACHE[world.size];
  let stopping = false;

  const writeManifest = () => {
    if (options.manifestPath) writeFileSync(options.manifestPath, `${JSON.stringify(world.manifest, null, 2)}\n`);
  };
  writeManifest();

  const send = (
    res: ServerResponse,
    status: number,
    body: string,
    contentType = 'application/json',
    headers: Record<string, string> = {},
  ) => {
    bump(stats.byHttpStatus, status);
    if (res.destroyed) return;
    res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), ...headers });
    res.end(body);
  };

  const sendEnvelope = (
    res: ServerResponse,
    status: number,
    method: string,
    kode: number,
    payload: JsonObject,
    headers: Record<string, string> = {},
  ) => {
    bump(stats.byBodyKode, kode);
    const wrapper =
      method === 'checkLicenseStatus' && faults.quirks && quirkRng.chance(0.5)
        ? 'responcheckStatusLicense'
        : `respon${method}`;
    const inner: JsonObject = { kode: faults.quirks ? quirkyKode(kode, quirkRng) : kode, keterangan: '', ...payload };
    if (inner['keterangan'] === '') inner['keterangan'] = kode === 200 ? KETERANGAN.ok : KETERANGAN.failed;
    send(res, status, JSON.stringify({ [wrapper]: inner }), 'application/json', headers);
  };

  const emptyData = (): Json => (faults.quirks ? quirkyEmptyData(quirkRng) : []);

  const handleInqueryNib = (res: ServerResponse, params: Record<string, unknown>) => {
    const nib = typeof params['nib'] === 'number' ? String(params['nib']) : params['nib'];
    if (typeof nib !== 'string' || nib.trim() === '') throw new ParamError('nib wajib diisi');
    const doc = world.getBusiness(nib.trim());
    if (!doc) {
      sendEnvelope(res, 200, 'inqueryNIB', 400, {
        keterangan: KETERANGAN.nibNotFound,
        dataNIB: faults.quirks ? emptyData() : [],
      });
      return;
    }
    stats.recordsServed.inqueryNIB++;
    const data = faults.quirks ? quirkyDataNib(doc as unknown as JsonObject, quirkRng) : (doc as unknown as JsonObject);
    sendEnvelope(res, 200, 'inqueryNIB', 200, { dataNIB: data });
  };

  const handleCheckLicense = (res: ServerResponse, params: Record<string, unknown>) => {
    const id = params['id_izin'];
    if (typeof id !== 'string' || id.trim() === '') throw new ParamError('id_izin wajib diisi');
    const izin = world.getLicence(id.trim());
    if (!izin) {
      sendEnvelope(res, 200, 'checkLicenseStatus', 400, {
        keterangan: KETERANGAN.izinNotFound,
        dataIZIN: faults.quirks ? emptyData() : {},
      });
      return;
    }
    stats.recordsServed.checkLicenseStatus++;
    sendEnvelope(res, 200, 'checkLicenseStatus', 200, { dataIZIN: izin as unknown as JsonObject });
  };

  const meta = (halaman: number, perPage: number, total: number): JsonObject => ({
    halaman,
    jumlah_per_halaman: perPage,
    total_data: total,
    total_halaman: Math.ceil(total / perPage),
  });

  const handleListNib = (res: ServerResponse, params: Record<string, unknown>) => {
    const kd = regionParam(params['kd_daerah']);
    const since = params['tgl_perubahan_mulai'];
    let sinceDay: number | null = null;
    if (since !== undefined && since !== null && since !== '') {
      const s = typeof since === 'string' ? since.trim() : '';
      sinceDay = parseDate(s.slice(0, 10));
      if (sinceDay === null || (s.length !== 10 && parseWibDateTime(s) === null))
        throw new ParamError('tgl_perubahan_mulai harus YYYY-MM-DD');
    }
    const halaman = intParam(params['halaman'], 'halaman', 1, 1, 10_000_000);
    const perPage = intParam(params['jumlah_per_halaman'], 'jumlah_per_halaman', 100, 1, 500);
    const { total, items } = world.listNib({ kdDaerah: kd, sinceDay, offset: (halaman - 1) * perPage, limit: perPage });
    stats.recordsServed.nib += items.length;
    sendEnvelope(res, 200, 'listNIB', 200, {
      dataNIB: items as unknown as Json[],
      meta: meta(halaman, perPage, total),
    });
  };

  const handleListKemitraan = (res: ServerResponse, params: Record<string, unknown>) => {
    const kd = regionParam(params['kd_daerah']);
    const since = params['tgl_perubahan_mulai'];
    let sinceSec: number | null = null;
    if (since !== undefined && since !== null && since !== '') {
      const s = typeof since === 'string' ? since.trim() : '';
      sinceSec =
        s.length === 10 ? (parseDate(s) === null ? null : parseWibDateTime(`${s} 00:00:00`)) : parseWibDateTime(s);
      if (sinceSec === null) throw new ParamError("tgl_perubahan_mulai harus 'YYYY-MM-DD HH:II:SS'");
    }
    const halaman = intParam(params['halaman'], 'halaman', 1, 1, 10_000_000);
    const perPage = intParam(params['jumlah_per_halaman'], 'jumlah_per_halaman', 100, 1, 500);
    if (faults.drift && faults.drift.movesPerPage > 0 && halaman > 1) {
      stats.driftMoves += world.drift(kd, sinceSec, faults.drift.movesPerPage, driftRng).length;
    }
    const offset = (halaman - 1) * perPage;
    if (faults.quirks) {
      const { total, records } = world.listKemitraan({ kdDaerah: kd, sinceSec, offset, limit: perPage });
      stats.recordsServed.kemitraan += records.length;
      const data = quirkyKemitraan(records as unknown as JsonObject[], quirkRng);
      sendEnvelope(res, 200, 'listKemitraan', 200, { dataKemitraan: data, meta: meta(halaman, perPage, total) });
      return;
    }
    const page = kemitraanPage(kd, sinceSec, halaman, perPage);
    stats.recordsServed.kemitraan += page.records;
    bump(stats.byBodyKode, 200);
    bump(stats.byHttpStatus, 200);
    if (res.destroyed) return;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': page.body.length });
    res.end(page.body);
  };

  /**
   * A listKemitraan page as sent (no quirks), from the page cache when the listing has not changed since it was
   * rendered. The cache never evicts: a repeated sequential scan (the next sync) hits every page cached so far.
   */
  const kemitraanPage = (kd: string, sinceSec: number | null, halaman: number, perPage: number): CachedPage => {
    if (pageCacheVersion !== world.partnershipsVersion) {
      pageCache.clear();
      pageCacheBytes = 0;
      pageCacheVersion = world.partnershipsVersion;
    }
    const cacheKey = `${kd}|${sinceSec}|${halaman}|${perPage}`;
    const cached = pageCache.get(cacheKey);
    if (cached) return cached;
    const { total, records } = world.listKemitraan({
      kdDaerah: kd,
      sinceSec,
      offset: (halaman - 1) * perPage,
      limit: perPage,
    });
    const body = Buffer.from(
      JSON.stringify({
        responlistKemitraan: {
          kode: 200,
          keterangan: KETERANGAN.ok,
          dataKemitraan: records as unknown as Json[],
          meta: meta(halaman, perPage, total),
        },
      }),
    );
    const page = { body, records: records.length, total };
    if (pageCacheBytes + body.length <= pageCacheLimit) {
      pageCache.set(cacheKey, page);
      pageCacheBytes += body.length;
    }
    return page;
  };

  /** Renders the full listing's pages in the background (between requests) until the cache is full. */
  const prewarm = (perPage: number): Promise<number> =>
    new Promise((resolve) => {
      let halaman = 1;
      let rendered = 0;
      const version = world.partnershipsVersion;
      const step = () => {
        if (stopping || world.partnershipsVersion !== version) return resolve(rendered);
        const page = kemitraanPage(world.kdDaerah, null, halaman, perPage);
        rendered++;
        halaman++;
        const more = (halaman - 1) * perPage < page.total && pageCacheBytes + page.body.length <= pageCacheLimit;
        if (!more) return resolve(rendered);
        setImmediate(step);
      };
      setImmediate(step);
    });

  const handlers: Record<Method, (res: ServerResponse, params: Record<string, unknown>) => void> = {
    inqueryNIB: handleInqueryNib,
    checkLicenseStatus: handleCheckLicense,
    listNIB: handleListNib,
    listKemitraan: handleListKemitraan,
  };

  const respond = (res: ServerResponse, method: Method, raw: string) => {
    let body: unknown;
    try {
      body = raw === '' ? {} : JSON.parse(raw);
    } catch {
      sendEnvelope(res, 200, method, 400, { keterangan: `${KETERANGAN.badParam}: body bukan JSON` });
      return;
    }
    const params = isObject(body) ? body[REQUEST_KEY[method]] : undefined;
    try {
      if (!isObject(params)) throw new ParamError(`${REQUEST_KEY[method]} wajib diisi`);
      handlers[method](res, params);
    } catch (err) {
      if (err instanceof ParamError) {
        const empty: JsonObject = method === 'inqueryNIB' ? { dataNIB: emptyData() } : {};
        sendEnvelope(res, 200, method, 400, { keterangan: `${KETERANGAN.badParam}: ${err.message}`, ...empty });
        return;
      }
      // A simulator bug: answer like OSS does on an internal failure, and keep the reason for stats().
      stats.internalErrors.push(err instanceof Error ? err.message : String(err));
      sendEnvelope(res, 500, method, 500, { keterangan: KETERANGAN.failed });
    }
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    stats.requests++;
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const name = path.split('/').filter(Boolean).pop() ?? '';
    const method = (SIMULATOR_METHODS as readonly string[]).includes(name) ? (name as Method) : null;
    bump(stats.byMethod, method ?? 'unknown');
    if (req.method !== 'POST') {
      send(res, 405, JSON.stringify({ kode: 405, keterangan: KETERANGAN.denied }), 'application/json', {
        Allow: 'POST',
      });
      req.resume();
      return;
    }
    if (!method) {
      bump(stats.byBodyKode, 404);
      send(res, 404, JSON.stringify({ kode: 404, keterangan: KETERANGAN.notFoundService }));
      req.resume();
      return;
    }
    const key = req.headers['user_key'];
    if (typeof key !== 'string' || key !== userKey) {
      stats.unauthorized++;
      sendEnvelope(res, 401, method, 401, { keterangan: KETERANGAN.unauthorized });
      req.resume();
      return;
    }
    if (faults.quota) {
      const wait = quota.take(key, faults.quota);
      if (wait > 0) {
        stats.rateLimited++;
        sendEnvelope(
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
        sendEnvelope(res, 413, method, 400, { keterangan: `${KETERANGAN.badParam}: body terlalu besar` });
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      if (res.writableEnded || res.destroyed) return;
      const raw = Buffer.concat(chunks).toString('utf8');
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
        if (u < tError) {
          stats.faults.error++;
          const status = [500, 502, 503][faultRng.int(3)] ?? 500;
          if (status === 500) sendEnvelope(res, 500, method, 500, { keterangan: KETERANGAN.failed });
          else
            send(
              res,
              status,
              `<html><body><h1>${status} ${status === 502 ? 'Bad Gateway' : 'Service Unavailable'}</h1></body></html>`,
              'text/html',
            );
          return;
        }
        if (u < tTimeout) {
          stats.faults.timeout++;
          sendEnvelope(res, 504, method, 504, { keterangan: KETERANGAN.timeout });
          return;
        }
        if (u < tBody) {
          stats.faults.bodyError++;
          const empty: JsonObject = method === 'inqueryNIB' ? { dataNIB: emptyData() } : {};
          sendEnvelope(res, 200, method, 500, { keterangan: KETERANGAN.failed, ...empty });
          return;
        }
        respond(res, method, raw);
      };
      const delay = faults.latencyMs + (faults.latencyJitterMs > 0 ? faultRng.next() * faults.latencyJitterMs : 0);
      if (delay <= 0) answer();
      else {
        const t = setTimeout(() => {
          timers.delete(t);
          answer();
        }, delay);
        timers.add(t);
      }
    });
  };

  const server: Server = createServer(onRequest);
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
  const warm = options.prewarm ? prewarm(options.prewarm.pageSize) : Promise.resolve(0);

  const control: SimulatorControl = {
    setFaults(partial) {
      faults = mergeFaults(faults, partial);
      if (partial.quota !== undefined) quota.reset();
      return { ...faults };
    },
    faults: () => ({ ...faults }),
    rotateKey(newKey) {
      if (!newKey) throw new TypeError('rotateKey: the new key must not be empty');
      userKey = newKey;
    },
    mutate(o) {
      const result = world.mutate(o);
      writeManifest();
      return result;
    },
    withdraw: (ids) => world.withdraw(ids),
    withdrawFraction: (fraction, s) => world.withdrawFraction(fraction, s),
    stats: () => structuredClone(stats),
    prewarmed: () => warm,
    resetStats() {
      stats = emptyStats();
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
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}
