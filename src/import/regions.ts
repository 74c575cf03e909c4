/*
 * Region names in the exports (province, kabupaten/kota, kecamatan, kelurahan/desa) → Kemendagri codes, as far as
 * config/reference/wilayah.json allows. Pure: the reference data is passed in.
 */
import type { Reference } from '../reference.js';
import { descriptionKey } from './codes.js';

const PREFIXES_RE = /^(provinsi|prov|kabupaten|kab|kecamatan|kec|kelurahan|kel|desa|ds)\b\.?\s*/;

/** Comparison key of a region name: "KAB. REMBANG" ≡ "Rembang", "Kec. Lasem" ≡ "LASEM"; "Kota X" keeps "kota". */
export function regionKey(name: string): string {
  return descriptionKey(name.toLowerCase().replace(PREFIXES_RE, ''));
}

export interface RegionIndex {
  provinces: ReadonlyMap<string, string>;
  kabupaten: ReadonlyMap<string, string>;
  /** Kabupaten code → kecamatan name key → 6-digit code (only where the reference lists kecamatan). */
  kecamatan: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** Kecamatan code → desa name key → 10-digit code. */
  desa: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

function group(entries: Record<string, string>, parentLength: number): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const [code, name] of Object.entries(entries)) {
    const parent = code.slice(0, parentLength);
    let m = out.get(parent);
    if (!m) {
      m = new Map();
      out.set(parent, m);
    }
    m.set(regionKey(name), code);
  }
  return out;
}

export function buildRegionIndex(ref: Reference): RegionIndex {
  const kabupaten = new Map<string, string>();
  for (const [code, name] of Object.entries(ref.kabupaten)) {
    const key = regionKey(name);
    // "Semarang" (kabupaten) and "Kota Semarang" differ by their "kota"; the first spelling wins otherwise.
    if (!kabupaten.has(key)) kabupaten.set(key, code);
  }
  return {
    provinces: new Map(Object.entries(ref.provinces).map(([code, name]) => [regionKey(name), code])),
    kabupaten,
    kecamatan: group(ref.kecamatan, 4),
    desa: group(ref.desa, 6),
  };
}

export interface RegionNames {
  province?: string | null;
  kabupaten: string | null;
  kecamatan: string | null;
  desa: string | null;
}

/** Why a name was not turned into a code. 'outside' = the reference data does not cover that area at all. */
export interface UnresolvedRegion {
  level: 'province' | 'kabupaten' | 'kecamatan' | 'desa';
  name: string;
  reason: 'unknown' | 'outside';
}

export interface ResolvedRegion {
  kabupaten: string | null;
  /** 6-digit kecamatan code. */
  kecamatan: string | null;
  /** 10-digit desa/kelurahan code. */
  desa: string | null;
  unresolved: UnresolvedRegion[];
}

/** Resolves names top-down; each level needs the level above it. Memoizes per input (exports repeat places). */
export class RegionResolver {
  private readonly memo = new Map<string, ResolvedRegion>();
  constructor(private readonly index: RegionIndex) {}

  resolve(names: RegionNames): ResolvedRegion {
    const memoKey = `${names.province ?? ''}\u0001${names.kabupaten ?? ''}\u0001${names.kecamatan ?? ''}\u0001${names.desa ?? ''}`;
    let r = this.memo.get(memoKey);
    if (!r) {
      r = this.compute(names);
      if (this.memo.size < 100_000) this.memo.set(memoKey, r);
    }
    return r;
  }

  private compute(names: RegionNames): ResolvedRegion {
    const unresolved: UnresolvedRegion[] = [];
    const out: ResolvedRegion = { kabupaten: null, kecamatan: null, desa: null, unresolved };
    if (names.province && !this.index.provinces.has(regionKey(names.province))) {
      unresolved.push({ level: 'province', name: names.province, reason: 'unknown' });
    }
    if (!names.kabupaten) {
      if (names.kecamatan) unresolved.push({ level: 'kecamatan', name: names.kecamatan, reason: 'unknown' });
      return out;
    }
    const kab = this.index.kabupaten.get(regionKey(names.kabupaten)) ?? null;
    if (kab === null) {
      unresolved.push({ level: 'kabupaten', name: names.kabupaten, reason: 'unknown' });
      return out;
    }
    out.kabupaten = kab;
    if (!names.kecamatan) return out;
    const kecs = this.index.kecamatan.get(kab);
    if (!kecs) {
      unresolved.push({ level: 'kecamatan', name: names.kecamatan, reason: 'outside' });
      return out;
    }
    const kec = kecs.get(regionKey(names.kecamatan)) ?? null;
    if (kec === null) {
      unresolved.push({ level: 'kecamatan', name: names.kecamatan, reason: 'unknown' });
      return out;
    }
    out.kecamatan = kec;
    if (!names.desa) return out;
    const desa = this.index.desa.get(kec)?.get(regionKey(names.desa)) ?? null;
    if (desa === null) unresolved.push({ level: 'desa', name: names.desa, reason: 'unknown' });
    out.desa = desa;
    return out;
  }
}
