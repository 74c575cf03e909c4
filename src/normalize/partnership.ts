import type { Partnership, PartnershipRealisation } from '../domain/records.js';
import type { NormalizeContext } from './context.js';
import {
  emptyToNull,
  idOrCode,
  kecamatanOf,
  normalizeKbli,
  normalizeRegionCode,
  parseDate,
  parseDecimal,
  parseInteger,
  parseWibDateTime,
  parseWibInstant,
  readList,
  readObject,
  type WireObject,
} from './fields.js';
import { nikFacts } from './identity.js';

const NO_FIELDS: WireObject = Object.freeze({});

function normalizeRealisation(item: unknown, idKemitraan: string | null): PartnershipRealisation {
  const o = readObject(item);
  // Not an object: kept as received, validate/ rejects it with its path.
  if (o === null) return item as PartnershipRealisation;
  return {
    id_kemitraan: idKemitraan ?? '',
    // Before validation these may still hold the raw value ("2024a"); validate/ rejects the record then.
    tahun: parseInteger(o.tahun) as number,
    triwulan: parseInteger(o.triwulan) as number,
    nilai_realisasi: parseDecimal(o.nilai_realisasi),
    volume_realisasi: parseDecimal(o.volume_realisasi),
    satuan: emptyToNull(o.satuan),
    sumber: emptyToNull(o.sumber),
  };
}

/**
 * A listKemitraan record → Partnership. Never throws, never drops a field: a value it cannot normalize is kept as
 * received for validate/ to report. nik_umkm is replaced by its hash, mask, province and structure issues.
 * Datetimes (tgl_pengajuan, tgl_perubahan) are WIB → UTC instants; tgl_pengajuan also accepts a bare date.
 */
export function normalizePartnership(wire: unknown, ctx: NormalizeContext): Partnership {
  const o = readObject(wire) ?? NO_FIELDS;
  const placeholders: string[] = [];
  const id = idOrCode(o.id_kemitraan, 'id_kemitraan', placeholders);
  const nik = nikFacts(idOrCode(o.nik_umkm, 'nik_umkm', placeholders), ctx.piiKey);
  const kdDaerah = normalizeRegionCode(o.kd_daerah_pelaksanaan, 'kd_daerah_pelaksanaan', placeholders);
  const list = readList(o.realisasi);
  return {
    id_kemitraan: id as string,
    nib_ub: idOrCode(o.nib_ub, 'nib_ub', placeholders),
    nama_ub: emptyToNull(o.nama_ub),
    id_proyek_ub: idOrCode(o.id_proyek_ub, 'id_proyek_ub', placeholders),
    kbli_ub: normalizeKbli(o.kbli_ub, 'kbli_ub', placeholders),
    nib_umkm: idOrCode(o.nib_umkm, 'nib_umkm', placeholders),
    nama_umkm: emptyToNull(o.nama_umkm),
    kbli_umkm: normalizeKbli(o.kbli_umkm, 'kbli_umkm', placeholders),
    nik_umkm_hash: nik.hash,
    nik_umkm_masked: nik.masked,
    nik_umkm_province: nik.province,
    nik_umkm_issues: nik.issues,
    skala_usaha_umkm: idOrCode(o.skala_usaha_umkm, 'skala_usaha_umkm', placeholders),
    pola_kemitraan: idOrCode(o.pola_kemitraan, 'pola_kemitraan', placeholders),
    objek_kemitraan: emptyToNull(o.objek_kemitraan),
    volume: parseDecimal(o.volume),
    satuan: emptyToNull(o.satuan),
    periode_volume: emptyToNull(o.periode_volume),
    nilai_kemitraan: parseDecimal(o.nilai_kemitraan),
    tgl_kesepakatan: parseDate(o.tgl_kesepakatan),
    tgl_mulai: parseDate(o.tgl_mulai),
    tgl_berakhir: parseDate(o.tgl_berakhir),
    kd_daerah_pelaksanaan: kdDaerah,
    kd_kecamatan: kecamatanOf(kdDaerah),
    no_dokumen: idOrCode(o.no_dokumen, 'no_dokumen', placeholders),
    url_dokumen: emptyToNull(o.url_dokumen),
    status_kemitraan: idOrCode(o.status_kemitraan, 'status_kemitraan', placeholders),
    tgl_pengajuan: parseWibInstant(o.tgl_pengajuan),
    tgl_perubahan: parseWibDateTime(o.tgl_perubahan),
    placeholder_fields: placeholders,
    realisasi: list === null ? (o.realisasi as PartnershipRealisation[]) : normalizeRealisations(list, id),
  };
}

function normalizeRealisations(list: unknown[], idKemitraan: string | null): PartnershipRealisation[] {
  const out: PartnershipRealisation[] = new Array(list.length);
  for (let i = 0; i < list.length; i++) out[i] = normalizeRealisation(list[i], idKemitraan);
  return out;
}
