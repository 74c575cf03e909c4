/*
 * Reads OSS's legacy envelope `{ "respon<method>": { kode, keterangan, <data key>, meta? } }`, surviving the spec's
 * quirks: misspelled wrapper keys, `kode` as a number or a numeric string, data keys in another case.
 */
import { OssProtocolError } from '../errors.js';
import type { ScannedElement } from './wireScan.js';

/** The parts of an OSS answer every method reads. */
export interface OssEnvelope {
  readonly kode: number;
  readonly keterangan: string;
  /** The data key's value; undefined when the key is absent. */
  readonly data: unknown;
  /** The meta key's value; undefined when absent. */
  readonly meta: unknown;
  /** The data array's records, unparsed, when the request asked for a scan (TransportRequest.scan). */
  readonly scanned?: readonly ScannedElement[];
}

/** Wrapper spellings seen in the PIA besides `respon<method>` (domain brief 1.2). */
const WRAPPER_ALIASES: Readonly<Record<string, readonly string[]>> = {
  checklicensestatus: ['responcheckStatusLicense', 'responsecheckLicenceStatus'],
};

/** PIA Lampiran 9: the meaning of each kode, used when an answer has no keterangan. */
export const KODE_TEXT: Readonly<Record<number, string>> = {
  200: 'Sukses',
  400: 'Data Parameter Salah',
  401: 'User Akses Tidak Valid',
  403: 'Ilegal Inquery/Akses',
  404: 'Akses Service Tidak Ditemukan',
  405: 'Akses Service Ditolak',
  500: 'Proses Payload Data Di Sistem OSS Gagal',
  504: 'Proses Payload Data Di Sistem OSS Timeout',
};

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `text` with every occurrence of `secret` (the user_key) replaced. */
export function redact(text: string, secret: string | null): string {
  return secret ? text.split(secret).join('[redacted]') : text;
}

/** The start of a body, on one line, for error messages; `secret` (the user_key) never appears in it. */
export function excerpt(text: string, secret: string | null, max = 120): string {
  const one = redact(text.replace(/\s+/g, ' ').trim(), secret);
  return one.length > max ? `${one.slice(0, max)}…` : one;
}

function keyIgnoringCase(obj: Record<string, unknown>, wanted: readonly string[]): string | undefined {
  const lower = wanted.map((w) => w.toLowerCase());
  return Object.keys(obj).find((k) => lower.includes(k.trim().toLowerCase()));
}

/** Finds the wrapper for `method`: respon<method>/response<method> in any case, known misspellings, then any respon* key. */
function findWrapperKey(body: Record<string, unknown>, method: string): string | undefined {
  const m = method.toLowerCase();
  return (
    keyIgnoringCase(body, [`respon${m}`, `response${m}`, ...(WRAPPER_ALIASES[m] ?? [])]) ??
    Object.keys(body).find((k) => k.toLowerCase().startsWith('respon') && isPlainObject(body[k]))
  );
}

/**
 * Reads a whole number sent as a number or a string of digits (`kode`, paging counts); null when missing, not a
 * whole number, or too large to hold exactly (a string of 400 nines would otherwise read as Infinity).
 */
export function readKode(value: unknown): number | null {
  const n =
    typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : null;
  return n !== null && Number.isSafeInteger(n) ? n : null;
}

export interface EnvelopeRequest {
  /** Wire method name. */
  readonly method: string;
  readonly dataKey: string;
  readonly metaKey?: string;
  /** What was asked, for messages: "listKemitraan page 3". */
  readonly label: string;
  /** The user_key, only so that neither an excerpt nor the keterangan ever shows it. */
  readonly secret: string | null;
}

/** Parses a response body (text) into the envelope; OssProtocolError when it is not one. */
export function readEnvelope(text: string, req: EnvelopeRequest): OssEnvelope {
  return locateEnvelope(text, req).envelope;
}

/** readEnvelope, and where it found the data: the wrapper key and the data key as the answer spells them. */
export function locateEnvelope(
  text: string,
  req: EnvelopeRequest,
): { envelope: OssEnvelope; wrapperKey: string; dataKey: string | undefined } {
  const malformed = (what: string) =>
    new OssProtocolError(
      `malformed OSS response for ${req.label}: ${what}; body starts with "${excerpt(text, req.secret)}"`,
    );
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw malformed('not JSON');
  }
  if (!isPlainObject(body)) throw malformed('not a JSON object');
  const wrapperKey = findWrapperKey(body, req.method);
  if (wrapperKey === undefined) throw malformed(`no respon${req.method} wrapper`);
  const wrapper = body[wrapperKey];
  if (!isPlainObject(wrapper)) throw malformed(`${wrapperKey} is not an object`);
  const kode = readKode(wrapper.kode);
  if (kode === null) throw malformed(`${wrapperKey}.kode is missing or not a number`);
  // OSS may echo the key in its text, which then travels into error messages, logs and nib_not_found.
  const keterangan =
    typeof wrapper.keterangan === 'string' ? redact(wrapper.keterangan, req.secret).trim() : (KODE_TEXT[kode] ?? '');
  const dataKey = keyIgnoringCase(wrapper, [req.dataKey]);
  const metaKey = req.metaKey === undefined ? undefined : keyIgnoringCase(wrapper, [req.metaKey]);
  const envelope = {
    kode,
    keterangan,
    data: dataKey === undefined ? undefined : wrapper[dataKey],
    meta: metaKey === undefined ? undefined : wrapper[metaKey],
  };
  return { envelope, wrapperKey, dataKey };
}
