/*
 * The four OSS methods the simulator serves (inqueryNIB, checkLicenseStatus, listNIB, listKemitraan): parameter
 * checks with OSS's "Data Parameter Salah" answers, the listings with paging drift, and the listKemitraan page cache.
 */
import type { ServerResponse } from 'node:http';
import type { SimulatorSize } from '../config.js';
import { type Answers, bump, type JsonObject, KETERANGAN, type ServerState } from './answers.js';
import type { Rng } from './prng.js';
import { quirkyDataNib, quirkyKemitraan } from './quirks.js';
import { parseDate, parseWibDateTime } from './time.js';
import type { Json } from './types.js';
import type { SimulatorWorld } from './world.js';

export const SIMULATOR_METHODS = ['inqueryNIB', 'checkLicenseStatus', 'listNIB', 'listKemitraan'] as const;
export type Method = (typeof SIMULATOR_METHODS)[number];

const REQUEST_KEY: Record<Method, string> = {
  inqueryNIB: 'INQUERYNIB',
  checkLicenseStatus: 'CHECKLICENSESTATUS',
  listNIB: 'LISTNIB',
  listKemitraan: 'LISTKEMITRAAN',
};

/** Page cache budget by world size: enough for a full scan up to `large`, a good part of `huge`. */
export const DEFAULT_PAGE_CACHE: Record<SimulatorSize, number> = {
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

const meta = (halaman: number, perPage: number, total: number): JsonObject => ({
  halaman,
  jumlah_per_halaman: perPage,
  total_data: total,
  total_halaman: Math.ceil(total / perPage),
});

interface CachedPage {
  body: Buffer;
  records: number;
  total: number;
}

/**
 * listKemitraan pages as sent (no quirks), cached while the listing has not changed since they were rendered. The
 * cache never evicts: a repeated sequential scan (the next sync) hits every page cached so far.
 */
export class KemitraanPages {
  private readonly cache = new Map<string, CachedPage>();
  private bytes = 0;
  private version: number;

  constructor(
    private readonly world: SimulatorWorld,
    private readonly limit: number,
  ) {
    this.version = world.partnershipsVersion;
  }

  page(kd: string, sinceSec: number | null, halaman: number, perPage: number): CachedPage {
    const { world } = this;
    if (this.version !== world.partnershipsVersion) {
      this.cache.clear();
      this.bytes = 0;
      this.version = world.partnershipsVersion;
    }
    const cacheKey = `${kd}|${sinceSec}|${halaman}|${perPage}`;
    const cached = this.cache.get(cacheKey);
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
    if (this.bytes + body.length <= this.limit) {
      this.cache.set(cacheKey, page);
      this.bytes += body.length;
    }
    return page;
  }

  /** Renders the full listing's pages in the background (between requests) until the cache is full. */
  prewarm(perPage: number, stopping: () => boolean): Promise<number> {
    const { world } = this;
    return new Promise((resolve) => {
      let halaman = 1;
      let rendered = 0;
      const version = world.partnershipsVersion;
      const step = () => {
        if (stopping() || world.partnershipsVersion !== version) return resolve(rendered);
        const page = this.page(world.kdDaerah, null, halaman, perPage);
        rendered++;
        halaman++;
        const more = (halaman - 1) * perPage < page.total && this.bytes + page.body.length <= this.limit;
        if (!more) return resolve(rendered);
        setImmediate(step);
      };
      setImmediate(step);
    });
  }
}

/** Answers the body of a request to one method: its parameters, the world's data, OSS's envelope. */
export class MethodHandlers {
  private readonly handlers: Record<Method, (res: ServerResponse, params: Record<string, unknown>) => void> = {
    inqueryNIB: (res, params) => this.inqueryNib(res, params),
    checkLicenseStatus: (res, params) => this.checkLicense(res, params),
    listNIB: (res, params) => this.listNib(res, params),
    listKemitraan: (res, params) => this.listKemitraan(res, params),
  };

  constructor(
    private readonly world: SimulatorWorld,
    private readonly state: ServerState,
    private readonly answers: Answers,
    private readonly quirkRng: Rng,
    private readonly driftRng: Rng,
    private readonly pages: KemitraanPages,
  ) {}

  respond(res: ServerResponse, method: Method, raw: string): void {
    const { answers } = this;
    let body: unknown;
    try {
      body = raw === '' ? {} : JSON.parse(raw);
    } catch {
      answers.envelope(res, 200, method, 400, { keterangan: `${KETERANGAN.badParam}: body bukan JSON` });
      return;
    }
    const params = isObject(body) ? body[REQUEST_KEY[method]] : undefined;
    try {
      if (!isObject(params)) throw new ParamError(`${REQUEST_KEY[method]} wajib diisi`);
      this.handlers[method](res, params);
    } catch (err) {
      if (err instanceof ParamError) {
        const empty: JsonObject = method === 'inqueryNIB' ? { dataNIB: answers.emptyData() } : {};
        answers.envelope(res, 200, method, 400, { keterangan: `${KETERANGAN.badParam}: ${err.message}`, ...empty });
        return;
      }
      // A simulator bug: answer like OSS does on an internal failure, and keep the reason for stats().
      this.state.stats.internalErrors.push(err instanceof Error ? err.message : String(err));
      answers.envelope(res, 500, method, 500, { keterangan: KETERANGAN.failed });
    }
  }

  private inqueryNib(res: ServerResponse, params: Record<string, unknown>): void {
    const { answers, state } = this;
    const { faults, stats } = state;
    const nib = typeof params['nib'] === 'number' ? String(params['nib']) : params['nib'];
    if (typeof nib !== 'string' || nib.trim() === '') throw new ParamError('nib wajib diisi');
    const doc = this.world.getBusiness(nib.trim());
    if (!doc) {
      answers.envelope(res, 200, 'inqueryNIB', 400, {
        keterangan: KETERANGAN.nibNotFound,
        dataNIB: faults.quirks ? answers.emptyData() : [],
      });
      return;
    }
    stats.recordsServed.inqueryNIB++;
    const data = faults.quirks
      ? quirkyDataNib(doc as unknown as JsonObject, this.quirkRng)
      : (doc as unknown as JsonObject);
    answers.envelope(res, 200, 'inqueryNIB', 200, { dataNIB: data });
  }

  private checkLicense(res: ServerResponse, params: Record<string, unknown>): void {
    const { answers, state } = this;
    const id = params['id_izin'];
    if (typeof id !== 'string' || id.trim() === '') throw new ParamError('id_izin wajib diisi');
    const izin = this.world.getLicence(id.trim());
    if (!izin) {
      answers.envelope(res, 200, 'checkLicenseStatus', 400, {
        keterangan: KETERANGAN.izinNotFound,
        dataIZIN: state.faults.quirks ? answers.emptyData() : {},
      });
      return;
    }
    state.stats.recordsServed.checkLicenseStatus++;
    answers.envelope(res, 200, 'checkLicenseStatus', 200, { dataIZIN: izin as unknown as JsonObject });
  }

  private listNib(res: ServerResponse, params: Record<string, unknown>): void {
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
    const offset = (halaman - 1) * perPage;
    const { total, items } = this.world.listNib({ kdDaerah: kd, sinceDay, offset, limit: perPage });
    this.state.stats.recordsServed.nib += items.length;
    this.answers.envelope(res, 200, 'listNIB', 200, {
      dataNIB: items as unknown as Json[],
      meta: meta(halaman, perPage, total),
    });
  }

  private listKemitraan(res: ServerResponse, params: Record<string, unknown>): void {
    const { world, state } = this;
    const { faults, stats } = state;
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
      stats.driftMoves += world.drift(kd, sinceSec, faults.drift.movesPerPage, this.driftRng).length;
    }
    const offset = (halaman - 1) * perPage;
    if (faults.quirks) {
      const { total, records } = world.listKemitraan({ kdDaerah: kd, sinceSec, offset, limit: perPage });
      stats.recordsServed.kemitraan += records.length;
      const data = quirkyKemitraan(records as unknown as JsonObject[], this.quirkRng);
      this.answers.envelope(res, 200, 'listKemitraan', 200, {
        dataKemitraan: data,
        meta: meta(halaman, perPage, total),
      });
      return;
    }
    const page = this.pages.page(kd, sinceSec, halaman, perPage);
    stats.recordsServed.kemitraan += page.records;
    bump(stats.byBodyKode, 200);
    bump(stats.byHttpStatus, 200);
    if (res.destroyed) return;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': page.body.length });
    res.end(page.body);
  }
}
