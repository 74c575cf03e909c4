/*
 * The four OSS methods: each builds its request body and reads its envelope. Retries, auth and quota are the
 * transport's; the assumed feeds' names come from the adapter's mapping.
 */
import { OssProtocolError } from '../errors.js';
import type { FeedAdapter, FeedMap } from './adapter.js';
import { isPlainObject, type OssEnvelope, readKode } from './envelope.js';
import type { Interpret, Transport } from './transport.js';
import type { ScannedElement } from './wireScan.js';

/** inqueryNIB / checkLicenseStatus: the record, or OSS's "not found" (kode 400 with empty data) and its text. */
export type OssLookup =
  | { readonly found: true; readonly data: unknown }
  | { readonly found: false; readonly keterangan: string };

/** One page of a list method, records already renamed to the contract's field names. */
export interface OssPage {
  readonly records: unknown[];
  readonly page: number;
  readonly pageSize: number;
  readonly totalData: number;
  readonly totalPages: number;
}

interface ListQuery {
  /** Region prefix, 2 or 4 digits. */
  readonly kdDaerah: string;
  /** 1-based page. */
  readonly page: number;
  /** At most 500; default config.oss.pageSize. */
  readonly pageSize?: number;
}

export interface ListNibQuery extends ListQuery {
  /** Inclusive change date 'YYYY-MM-DD' (WIB); null lists everything. */
  readonly since: string | null;
}

export interface ListKemitraanQuery extends ListQuery {
  /** Inclusive change time 'YYYY-MM-DD HH:II:SS' (WIB); null lists everything (the complete listing). */
  readonly since: string | null;
  /**
   * Deliver object records as UnparsedRecords (their text and these contract fields, e.g. the id and timestamp the
   * pager orders by), to be parsed only when needed. Records of an answer the scan does not vouch for arrive parsed.
   */
  readonly unparsedWith?: readonly string[];
}

/**
 * A record of a list answer not parsed yet: its exact wire text, the contract fields asked for (renamed as parse()
 * would rename them), and parse(), which gives what the record would have been had the page been parsed whole.
 */
export class UnparsedRecord {
  constructor(
    readonly text: string,
    readonly fields: Readonly<Record<string, unknown>>,
    private readonly feed: FeedAdapter,
  ) {}

  /** Identifies how parse() renames: FeedAdapter.fingerprint. */
  get feedFingerprint(): string {
    return this.feed.fingerprint;
  }

  parse(): unknown {
    return this.feed.rename(JSON.parse(this.text));
  }
}

const MAX_PAGE_SIZE = 500;
interface SinceFormat {
  readonly shape: string;
  readonly pattern: RegExp;
}
const SINCE_DATE: SinceFormat = { shape: 'YYYY-MM-DD', pattern: /^\d{4}-\d{2}-\d{2}$/ };
const SINCE_DATETIME: SinceFormat = { shape: 'YYYY-MM-DD HH:II:SS', pattern: /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/ };

/** `dataNIB` / `dataIZIN` on an error: [], {}, null, absent, or an object of empty strings (checkNIB's style). */
function isEmptyData(data: unknown): boolean {
  if (data === null || data === undefined) return true;
  if (Array.isArray(data)) return data.length === 0;
  return isPlainObject(data) && Object.values(data).every((v) => v === '' || v === null);
}

function lookupInterpret(label: string, dataKey: string): Interpret<OssLookup> {
  return ({ kode, keterangan, data }) => {
    if (kode === 200 && !isEmptyData(data)) return { value: { found: true, data }, result: 'ok' };
    if (kode === 400 && isEmptyData(data)) return { value: { found: false, keterangan }, result: 'not_found' };
    throw new OssProtocolError(
      kode === 200
        ? `malformed OSS response for ${label}: kode 200 without ${dataKey}`
        : `OSS answered kode ${kode} (${keterangan}) to ${label}`,
    );
  };
}

/** inqueryNIB: the full business record of one NIB. */
export function inqueryNib(transport: Transport, nib: string): Promise<OssLookup> {
  const label = `inqueryNIB ${nib}`;
  return transport.request({
    method: 'inqueryNIB',
    wireMethod: 'inqueryNIB',
    body: { INQUERYNIB: { nib } },
    dataKey: 'dataNIB',
    label,
    interpret: lookupInterpret(label, 'dataNIB'),
  });
}

/** checkLicenseStatus: the status of one licence still in process. */
export function checkLicenseStatus(transport: Transport, idIzin: string): Promise<OssLookup> {
  const label = `checkLicenseStatus ${idIzin}`;
  return transport.request({
    method: 'checkLicenseStatus',
    wireMethod: 'checkLicenseStatus',
    body: { CHECKLICENSESTATUS: { id_izin: idIzin } },
    dataKey: 'dataIZIN',
    label,
    interpret: lookupInterpret(label, 'dataIZIN'),
  });
}

function checkListQuery(label: string, q: ListQuery, pageSize: number, since: string | null, sinceFormat: SinceFormat) {
  const problems = [
    /^\d+$/.test(q.kdDaerah) ? null : `kdDaerah must be digits, got "${q.kdDaerah}"`,
    Number.isInteger(q.page) && q.page >= 1 ? null : `page must be a whole number ≥ 1, got ${q.page}`,
    Number.isInteger(pageSize) && pageSize >= 1 && pageSize <= MAX_PAGE_SIZE
      ? null
      : `pageSize must be a whole number from 1 to ${MAX_PAGE_SIZE}, got ${pageSize}`,
    since === null || sinceFormat.pattern.test(since)
      ? null
      : `since must be ${sinceFormat.shape} or null, got "${since}"`,
  ].filter((p) => p !== null);
  if (problems.length > 0) throw new RangeError(`${label}: ${problems.join('; ')}`);
}

/** The records of a scanned answer: objects unparsed, anything else parsed (the validator rejects it). */
function unparsedRecords(elements: readonly ScannedElement[], feed: FeedAdapter): unknown[] {
  return elements.map((e) =>
    e.fields === null
      ? feed.rename(JSON.parse(e.text))
      : new UnparsedRecord(e.text, feed.rename(e.fields) as Record<string, unknown>, feed),
  );
}

function pageInterpret(label: string, feed: FeedAdapter, page: number): Interpret<OssPage> {
  const { map, rename } = feed;
  return ({ kode, keterangan, data, meta, scanned }: OssEnvelope) => {
    const malformed = (what: string) => new OssProtocolError(`malformed OSS response for ${label}: ${what}`);
    if (kode !== 200) throw new OssProtocolError(`OSS answered kode ${kode} (${keterangan}) to ${label}`);
    if (!isPlainObject(meta)) throw malformed(`no ${map.metaKey} object`);
    const count = (canonical: keyof FeedMap['meta']): number => {
      const wire = map.meta[canonical];
      const n = readKode(meta[wire]);
      if (n === null || !Number.isInteger(n) || n < 0)
        throw malformed(`${map.metaKey}.${wire} is missing or not a whole number`);
      return n;
    };
    const result = {
      page: count('halaman'),
      pageSize: count('jumlah_per_halaman'),
      totalData: count('total_data'),
      totalPages: count('total_halaman'),
    };
    if (result.page !== page)
      throw malformed(`${map.metaKey}.${map.meta.halaman} is ${result.page}, asked for ${page}`);
    let records: unknown[];
    if (scanned) records = scanned as unknown[];
    else if (Array.isArray(data)) records = data;
    else if (data === null || (isPlainObject(data) && Object.keys(data).length === 0)) records = [];
    else if (data === undefined && (result.totalData === 0 || page > result.totalPages)) records = [];
    else if (data === undefined) {
      throw malformed(`no ${map.dataKey} (if OSS names it differently, set dataKey in config/oss-feed-mapping.json)`);
    } else throw malformed(`${map.dataKey} is not an array`);
    if (records.length > result.pageSize) {
      throw malformed(`${records.length} records on a page of ${result.pageSize}`);
    }
    return {
      value: { records: scanned ? unparsedRecords(scanned, feed) : records.map(rename), ...result },
      result: 'ok',
    };
  };
}

async function listPage(
  transport: Transport,
  method: 'listNIB' | 'listKemitraan',
  feed: FeedAdapter,
  q: ListQuery & { readonly since: string | null; readonly unparsedWith?: readonly string[] },
  pageSize: number,
  sinceFormat: SinceFormat,
): Promise<OssPage> {
  const label = `${method} page ${q.page}`;
  checkListQuery(label, q, pageSize, q.since, sinceFormat);
  const { map } = feed;
  const r = map.request;
  const params: Record<string, unknown> = { [r.kd_daerah]: q.kdDaerah };
  if (q.since !== null) params[r.tgl_perubahan_mulai] = q.since;
  params[r.halaman] = q.page;
  params[r.jumlah_per_halaman] = pageSize;
  return transport.request({
    method,
    wireMethod: map.method,
    body: { [map.requestWrapper]: params },
    dataKey: map.dataKey,
    metaKey: map.metaKey,
    label,
    interpret: pageInterpret(label, feed, q.page),
    // A field's wire name and its contract name: the renamer picks between them as it would on a parsed record.
    ...(q.unparsedWith ? { scan: new Set(q.unparsedWith.flatMap((name) => [name, map.fields[name] ?? name])) } : {}),
  });
}

/** listNIB (assumed feed): NIBs of the region changed since a date, one page. */
export function listNib(transport: Transport, feed: FeedAdapter, q: ListNibQuery, pageSize: number): Promise<OssPage> {
  return listPage(transport, 'listNIB', feed, q, pageSize, SINCE_DATE);
}

/** listKemitraan (assumed feed): partnerships of the region changed since a datetime, one page. */
export function listKemitraan(
  transport: Transport,
  feed: FeedAdapter,
  q: ListKemitraanQuery,
  pageSize: number,
): Promise<OssPage> {
  return listPage(transport, 'listKemitraan', feed, q, pageSize, SINCE_DATETIME);
}
