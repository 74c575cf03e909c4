/*
 * How the simulator answers: the OSS envelope (`respon<method>` holding kode, keterangan and the data) with its
 * Indonesian messages, the request counters, and the runtime state the control surface changes.
 */
import type { ServerResponse } from 'node:http';
import type { SimulatorFaults } from './faults.js';
import type { Rng } from './prng.js';
import { quirkyEmptyData, quirkyKode } from './quirks.js';
import type { Json } from './types.js';

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

/** What the control surface changes while the server runs; every part of the server reads it from here. */
export interface ServerState {
  faults: SimulatorFaults;
  userKey: string;
  stats: SimulatorStats;
}

export const KETERANGAN = {
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

export type JsonObject = { [key: string]: Json };

export function emptyStats(): SimulatorStats {
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

export const bump = (m: Record<string, number>, k: string | number) => {
  m[String(k)] = (m[String(k)] ?? 0) + 1;
};

/** Writes answers and counts them; with quirks on, the envelope varies as real OSS answers do. */
export class Answers {
  constructor(
    private readonly state: ServerState,
    private readonly quirkRng: Rng,
  ) {}

  send(
    res: ServerResponse,
    status: number,
    body: string,
    contentType = 'application/json',
    headers: Record<string, string> = {},
  ): void {
    bump(this.state.stats.byHttpStatus, status);
    if (res.destroyed) return;
    res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), ...headers });
    res.end(body);
  }

  /** `{"respon<method>": {kode, keterangan, …payload}}`; keterangan defaults to Sukses / Gagal by kode. */
  envelope(
    res: ServerResponse,
    status: number,
    method: string,
    kode: number,
    payload: JsonObject,
    headers: Record<string, string> = {},
  ): void {
    const { faults, stats } = this.state;
    bump(stats.byBodyKode, kode);
    const wrapper =
      method === 'checkLicenseStatus' && faults.quirks && this.quirkRng.chance(0.5)
        ? 'responcheckStatusLicense'
        : `respon${method}`;
    const inner: JsonObject = {
      kode: faults.quirks ? quirkyKode(kode, this.quirkRng) : kode,
      keterangan: '',
      ...payload,
    };
    if (inner['keterangan'] === '') inner['keterangan'] = kode === 200 ? KETERANGAN.ok : KETERANGAN.failed;
    this.send(res, status, JSON.stringify({ [wrapper]: inner }), 'application/json', headers);
  }

  /** The data of an answer without data: `[]`, or with quirks `{}`, `null` or `[]`. */
  emptyData(): Json {
    return this.state.faults.quirks ? quirkyEmptyData(this.quirkRng) : [];
  }
}
