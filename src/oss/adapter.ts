/*
 * The one place that knows the wire names of the two assumed feeds (listKemitraan, listNIB). Their shape is not in
 * the public PIA, so a deployment may have to remap them: config/oss-feed-mapping.json overrides any name here, and
 * every record is renamed to the contract's names before the pipeline sees it. The official PIA methods
 * (inqueryNIB, checkLicenseStatus) are not remapped.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { projectRoot } from '../reference.js';
import { isPlainObject } from './envelope.js';

/** The assumed feeds, by their contract (canonical) method names. */
export type FeedName = 'listKemitraan' | 'listNIB';

/** Canonical → wire names for one feed. */
export interface FeedMap {
  /** Wire method: the URL path segment and the `respon<method>` wrapper. */
  readonly method: string;
  /** Request wrapper key, e.g. LISTKEMITRAAN. */
  readonly requestWrapper: string;
  readonly request: {
    readonly kd_daerah: string;
    readonly tgl_perubahan_mulai: string;
    readonly halaman: string;
    readonly jumlah_per_halaman: string;
  };
  /** Key of the record array inside the wrapper, e.g. dataKemitraan. */
  readonly dataKey: string;
  readonly metaKey: string;
  readonly meta: {
    readonly halaman: string;
    readonly jumlah_per_halaman: string;
    readonly total_data: string;
    readonly total_halaman: string;
  };
  /** Record fields, canonical → wire. Fields not listed pass through under their wire name. */
  readonly fields: Readonly<Record<string, string>>;
  /** Fields of records nested in an array field (e.g. realisasi[]), canonical → wire, keyed by the canonical array field. */
  readonly nested: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export type FeedMapping = Readonly<Record<FeedName, FeedMap>>;

const identity = (names: readonly string[]): Record<string, string> => Object.fromEntries(names.map((n) => [n, n]));

const KEMITRAAN_FIELDS = [
  'id_kemitraan',
  'nib_ub',
  'nama_ub',
  'id_proyek_ub',
  'kbli_ub',
  'nib_umkm',
  'nama_umkm',
  'kbli_umkm',
  'nik_umkm',
  'skala_usaha_umkm',
  'pola_kemitraan',
  'objek_kemitraan',
  'volume',
  'satuan',
  'periode_volume',
  'nilai_kemitraan',
  'tgl_kesepakatan',
  'tgl_mulai',
  'tgl_berakhir',
  'kd_daerah_pelaksanaan',
  'no_dokumen',
  'url_dokumen',
  'status_kemitraan',
  'tgl_pengajuan',
  'tgl_perubahan',
  'realisasi',
] as const;
const REALISASI_FIELDS = ['tahun', 'triwulan', 'nilai_realisasi', 'volume_realisasi', 'satuan', 'sumber'] as const;
const LISTED_NIB_FIELDS = ['nib', 'nama_perseroan', 'tgl_perubahan_nib'] as const;

const PAGING = {
  request: identity(['kd_daerah', 'tgl_perubahan_mulai', 'halaman', 'jumlah_per_halaman']) as FeedMap['request'],
  metaKey: 'meta',
  meta: identity(['halaman', 'jumlah_per_halaman', 'total_data', 'total_halaman']) as FeedMap['meta'],
};

/** The contract's names (shared/contracts/oss-feeds.md): every name maps to itself. */
export const DEFAULT_FEED_MAPPING: FeedMapping = {
  listKemitraan: {
    method: 'listKemitraan',
    requestWrapper: 'LISTKEMITRAAN',
    dataKey: 'dataKemitraan',
    ...PAGING,
    fields: identity(KEMITRAAN_FIELDS),
    nested: { realisasi: identity(REALISASI_FIELDS) },
  },
  listNIB: {
    method: 'listNIB',
    requestWrapper: 'LISTNIB',
    dataKey: 'dataNIB',
    ...PAGING,
    fields: identity(LISTED_NIB_FIELDS),
    nested: {},
  },
};

const name = z.string().trim().min(1, { error: 'must be a non-empty string' });
const names = z.record(z.string(), name);
const feedOverride = z.strictObject({
  method: name.optional(),
  requestWrapper: name.optional(),
  request: z
    .strictObject({
      kd_daerah: name.optional(),
      tgl_perubahan_mulai: name.optional(),
      halaman: name.optional(),
      jumlah_per_halaman: name.optional(),
    })
    .optional(),
  dataKey: name.optional(),
  metaKey: name.optional(),
  meta: z
    .strictObject({
      halaman: name.optional(),
      jumlah_per_halaman: name.optional(),
      total_data: name.optional(),
      total_halaman: name.optional(),
    })
    .optional(),
  fields: names.optional(),
  nested: z.record(z.string(), names).optional(),
});
const overrideFile = z.strictObject({
  _comment: z.unknown().optional(),
  listKemitraan: feedOverride.optional(),
  listNIB: feedOverride.optional(),
});
type FeedOverride = z.infer<typeof feedOverride>;

/** Drops undefined entries, so that spreading an override never blanks a default. */
const defined = <T extends object>(value: T | undefined): { [K in keyof T]?: Exclude<T[K], undefined> } =>
  Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };

function mergeFeed(base: FeedMap, o: FeedOverride | undefined): FeedMap {
  if (!o) return base;
  const nested: Record<string, Readonly<Record<string, string>>> = { ...base.nested };
  for (const [field, map] of Object.entries(o.nested ?? {})) nested[field] = { ...base.nested[field], ...map };
  return {
    ...base,
    ...defined({ method: o.method, requestWrapper: o.requestWrapper, dataKey: o.dataKey, metaKey: o.metaKey }),
    request: { ...base.request, ...defined(o.request) },
    meta: { ...base.meta, ...defined(o.meta) },
    fields: { ...base.fields, ...o.fields },
    nested,
  };
}

function duplicateWireNames(where: string, map: Readonly<Record<string, string>>): string[] {
  const seen = new Map<string, string>();
  const problems: string[] = [];
  for (const [canonical, wire] of Object.entries(map)) {
    const other = seen.get(wire);
    if (other) problems.push(`${where}: "${other}" and "${canonical}" both map to the wire name "${wire}"`);
    seen.set(wire, canonical);
  }
  return problems;
}

/** Applies overrides (the parsed JSON of config/oss-feed-mapping.json) to the defaults; ConfigError lists every problem. */
export function resolveFeedMapping(overrides: unknown, source = 'oss-feed-mapping'): FeedMapping {
  const parsed = overrideFile.safeParse(overrides);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${source}: ${i.path.join('.') || '(root)'} ${i.message}`));
  }
  const mapping: FeedMapping = {
    listKemitraan: mergeFeed(DEFAULT_FEED_MAPPING.listKemitraan, parsed.data.listKemitraan),
    listNIB: mergeFeed(DEFAULT_FEED_MAPPING.listNIB, parsed.data.listNIB),
  };
  const problems = (Object.keys(mapping) as FeedName[]).flatMap((feed) => [
    ...duplicateWireNames(`${source}: ${feed}.fields`, mapping[feed].fields),
    ...Object.entries(mapping[feed].nested).flatMap(([f, m]) =>
      duplicateWireNames(`${source}: ${feed}.nested.${f}`, m),
    ),
  ]);
  if (problems.length > 0) throw new ConfigError(problems);
  return mapping;
}

/** Reads config/oss-feed-mapping.json (or `path`); a missing file means the defaults. */
export function loadFeedMapping(path = join(projectRoot(), 'config', 'oss-feed-mapping.json')): FeedMapping {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return DEFAULT_FEED_MAPPING;
    throw new ConfigError([`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError([`${path}: not valid JSON (${(err as Error).message})`]);
  }
  return resolveFeedMapping(json, path);
}

/** Wire → canonical for the entries that differ; empty when the map is the identity. */
function renames(map: Readonly<Record<string, string>>): Map<string, string> {
  return new Map(Object.entries(map).flatMap(([canonical, wire]) => (canonical === wire ? [] : [[wire, canonical]])));
}

function rename(record: unknown, wireToCanonical: Map<string, string>): unknown {
  if (!isPlainObject(record)) return record;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (!wireToCanonical.has(key)) out[key] = value;
  // Mapped wire fields win over a same-named field the record may also carry.
  for (const [key, value] of Object.entries(record)) {
    const canonical = wireToCanonical.get(key);
    if (canonical !== undefined) out[canonical] = value;
  }
  return out;
}

/** A feed's names plus the compiled renamer of its records. */
export interface FeedAdapter {
  readonly map: FeedMap;
  /** Renames one wire record to the contract's field names (nested arrays too); other values pass through. */
  readonly rename: (record: unknown) => unknown;
  /** A hash of the map: the same wire text renamed by another map is another record. */
  readonly fingerprint: string;
}

/** Compiles a feed map once; identity maps rename nothing and copy nothing. */
export function adaptFeed(map: FeedMap): FeedAdapter {
  return { map, rename: recordRenamer(map), fingerprint: createHash('sha1').update(JSON.stringify(map)).digest('hex') };
}

function recordRenamer(map: FeedMap): (record: unknown) => unknown {
  const top = renames(map.fields);
  const nested = Object.entries(map.nested)
    .map(([field, m]) => [field, renames(m)] as const)
    .filter(([, pairs]) => pairs.size > 0);
  if (top.size === 0 && nested.length === 0) return (record) => record;
  return (record) => {
    const out = rename(record, top);
    if (!isPlainObject(out)) return out;
    for (const [field, pairs] of nested) {
      const items = out[field];
      if (Array.isArray(items)) out[field] = items.map((item) => rename(item, pairs));
    }
    return out;
  };
}
