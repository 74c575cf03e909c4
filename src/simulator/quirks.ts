/*
 * Quirks of real OSS payloads, applied to a copy of a response when the `quirks` knob is on: numbers as numbers,
 * the "tipe_dokumen " key with a trailing space, "-" placeholders in id fields, unknown extra fields. Codes and ids
 * (KBLI, NIB, region codes) are never turned into numbers: their leading zeros matter.
 */
import type { Rng } from './prng.js';
import type { Json } from './types.js';

const DECIMAL = /^-?\d+(\.\d+)?$/;

const NIB_NUMERIC = new Set([
  'total_modal_dasar',
  'total_modal_ditempatkan',
  'dalam_bentuk_uang',
  'dalam_bentuk_lain',
  'total_pma',
  'nilai_pma_dominan',
  'nilai_pmdn',
  'persen_pma',
  'persen_pmdn',
  'pembelian_pematang_tanah',
  'bangunan_gedung',
  'mesin_peralatan',
  'investasi_lain',
  'sub_jumlah',
  'modal_kerja',
  'jumlah_investasi',
  'luas_tanah',
  'kapasitas',
  'total_modal_pemegang',
]);

const KEMITRAAN_NUMERIC = new Set([
  'volume',
  'nilai_kemitraan',
  'tahun',
  'triwulan',
  'nilai_realisasi',
  'volume_realisasi',
]);

type JsonObject = { [key: string]: Json };

function numberize(value: Json, keys: ReadonlySet<string>): Json {
  if (Array.isArray(value)) return value.map((v) => numberize(v, keys));
  if (value === null || typeof value !== 'object') return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = typeof v === 'string' && keys.has(k) && DECIMAL.test(v) ? Number(v) : numberize(v, keys);
  }
  return out;
}

/** A dataNIB as real OSS sends it sometimes. */
export function quirkyDataNib(doc: JsonObject, rng: Rng): JsonObject {
  let out = (rng.chance(0.5) ? numberize(doc, NIB_NUMERIC) : structuredClone(doc)) as JsonObject;
  if (rng.chance(0.5) && 'tipe_dokumen' in out) {
    const rebuilt: JsonObject = {};
    for (const [k, v] of Object.entries(out)) rebuilt[k === 'tipe_dokumen' ? 'tipe_dokumen ' : k] = v;
    out = rebuilt;
  }
  const checklist = out['data_checklist'];
  if (Array.isArray(checklist)) {
    for (const c of checklist)
      if (c && typeof c === 'object' && !Array.isArray(c) && c['id_produk'] === '') c['id_produk'] = '-';
  }
  out['flag_migrasi'] = 'N';
  out['status_migrasi'] = 'OSS RBA';
  return out;
}

/** listKemitraan records as real payloads may carry them. */
export function quirkyKemitraan(records: readonly JsonObject[], rng: Rng): Json[] {
  const asNumbers = rng.chance(0.5);
  return records.map((r) => {
    const out = (asNumbers ? numberize(r, KEMITRAAN_NUMERIC) : structuredClone(r)) as JsonObject;
    out['keterangan_tambahan'] = '';
    return out;
  });
}

/** `kode` as OSS sends it: a number, or sometimes a numeric string. */
export function quirkyKode(kode: number, rng: Rng): Json {
  return rng.chance(0.3) ? String(kode) : kode;
}

/** dataNIB of an error answer: [] per the spec, {} or null in other places. */
export function quirkyEmptyData(rng: Rng): Json {
  const r = rng.int(3);
  return r === 0 ? [] : r === 1 ? {} : null;
}
