import type {
  Business,
  Licence,
  PersonInCharge,
  Project,
  ProjectLocation,
  ProjectProduct,
  Shareholder,
} from '../domain/records.js';
import type { NormalizeContext } from './context.js';
import {
  dateFromOssId,
  emptyToNull,
  idOrCode,
  isWireObject,
  kecamatanOf,
  normalizeKbli,
  normalizeRegionCode,
  parseDate,
  parseDecimal,
  parseInteger,
  parseLatLng,
  readList,
  readObject,
  type WireObject,
} from './fields.js';
import { hashIdentity, maskIdentity, type NpwpHolder, normalizeNpwp, personNikFacts } from './identity.js';

const NO_FIELDS: WireObject = Object.freeze({});

/** Per-record state shared by the nested normalizers. */
interface BusinessScope {
  nib: string;
  piiKey: string;
  placeholders: string[];
}

/**
 * A nested list: each object item normalized, a non-object item kept as received (validate/ rejects it), and a value
 * that is not a list at all kept as received too (null, "", {} and [] are read as an empty list).
 */
function mapList<T>(
  v: unknown,
  path: string,
  scope: BusinessScope,
  fn: (o: WireObject, path: string, index: number, scope: BusinessScope) => T,
): T[] {
  const list = readList(v);
  if (list === null) return v as T[];
  const out: T[] = new Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const o = readObject(list[i]);
    out[i] = o === null ? (list[i] as T) : fn(o, `${path}[${i}]`, i, scope);
  }
  return out;
}

function shareholder(o: WireObject, path: string, i: number, s: BusinessScope): Shareholder {
  const identity = idOrCode(o.no_identitas_pemegang_saham, `${path}.no_identitas_pemegang_saham`, s.placeholders);
  const type = idOrCode(o.jns_identitas_pemegang_saham, `${path}.jns_identitas_pemegang_saham`, s.placeholders);
  const nik = personNikFacts(type, identity, s.piiKey);
  return {
    nib: s.nib,
    seq: i + 1,
    jenis_pemegang_saham: idOrCode(o.jenis_pemegang_saham, `${path}.jenis_pemegang_saham`, s.placeholders),
    flag_asing: idOrCode(o.flag_asing, `${path}.flag_asing`, s.placeholders),
    nama_pemegang_saham: emptyToNull(o.nama_pemegang_saham),
    jabatan_pemegang_saham: emptyToNull(o.jabatan_pemegang_saham),
    jns_identitas_pemegang_saham: type,
    no_identitas_hash: hashIdentity(identity, s.piiKey),
    no_identitas_masked: maskIdentity(identity),
    no_identitas_province: nik.province,
    no_identitas_issues: nik.issues,
    npwp_hash: normalizeNpwp(o.npwp_pemegang_saham, s.piiKey).hash,
    total_modal_pemegang: parseDecimal(o.total_modal_pemegang),
    negara_asal_pemegang_saham: idOrCode(
      o.negara_asal_pemegang_saham,
      `${path}.negara_asal_pemegang_saham`,
      s.placeholders,
    ),
  };
}

function person(o: WireObject, path: string, i: number, s: BusinessScope): PersonInCharge {
  const identity = idOrCode(o.no_identitas_penanggung_jwb, `${path}.no_identitas_penanggung_jwb`, s.placeholders);
  const type = idOrCode(o.jns_identitas_penanggung_jwb, `${path}.jns_identitas_penanggung_jwb`, s.placeholders);
  const nik = personNikFacts(type, identity, s.piiKey);
  return {
    nib: s.nib,
    seq: i + 1,
    nama_penanggung_jwb: emptyToNull(o.nama_penanggung_jwb),
    jabatan_penanggung_jwb: emptyToNull(o.jabatan_penanggung_jwb),
    flag_asing: idOrCode(o.flag_asing, `${path}.flag_asing`, s.placeholders),
    jns_identitas_penanggung_jwb: type,
    no_identitas_hash: hashIdentity(identity, s.piiKey),
    no_identitas_masked: maskIdentity(identity),
    no_identitas_province: nik.province,
    no_identitas_issues: nik.issues,
    npwp_hash: normalizeNpwp(o.npwp_penanggung_jwb, s.piiKey).hash,
    kebangsaan_penanggung_jwb: emptyToNull(o.kebangsaan_penanggung_jwb),
  };
}

/** The first "lat,lng" of a location: from its nested data_lokasi_proyek[] points, else its own lat_lng field. */
function firstPoint(o: WireObject): string | null {
  const points = readList(o.data_lokasi_proyek);
  if (points !== null) {
    for (const p of points) {
      const latLng = isWireObject(p) ? emptyToNull(readObject(p)?.lat_lng) : null;
      if (latLng !== null) return latLng;
    }
  }
  return emptyToNull(o.lat_lng);
}

/** A project's nested scope: the project id that its locations and products belong to. */
interface ProjectScope extends BusinessScope {
  idProyek: string;
}

function location(o: WireObject, path: string, i: number, s: BusinessScope): ProjectLocation {
  const idProyek = (s as ProjectScope).idProyek;
  const daerah = normalizeRegionCode(o.proyek_daerah_id, `${path}.proyek_daerah_id`, s.placeholders);
  const latLng = firstPoint(o);
  const { lat, lng } = parseLatLng(latLng);
  return {
    // OSS sends "-" or nothing for some locations: a stable synthetic key, by position (1-based) in the project.
    id_proyek_lokasi:
      idOrCode(o.id_proyek_lokasi, `${path}.id_proyek_lokasi`, s.placeholders) ?? `${idProyek}#L${i + 1}`,
    id_proyek: idProyek,
    nib: s.nib,
    proyek_daerah_id: daerah,
    kd_kecamatan: kecamatanOf(daerah),
    alamat_usaha: emptyToNull(o.alamat_usaha),
    status_lokasi: idOrCode(o.status_lokasi, `${path}.status_lokasi`, s.placeholders),
    lat_lng: latLng,
    lat,
    lng,
  };
}

function product(o: WireObject, path: string, i: number, s: BusinessScope): ProjectProduct {
  const idProyek = (s as ProjectScope).idProyek;
  return {
    // Same rule as locations: "-" or missing → `${id_proyek}#P${position}`.
    id_produk: idOrCode(o.id_produk, `${path}.id_produk`, s.placeholders) ?? `${idProyek}#P${i + 1}`,
    id_proyek: idProyek,
    nib: s.nib,
    kbli: normalizeKbli(o.kbli, `${path}.kbli`, s.placeholders),
    jenis_produksi: emptyToNull(o.jenis_produksi),
    kapasitas: parseDecimal(o.kapasitas),
    satuan: emptyToNull(o.satuan),
  };
}

function project(o: WireObject, path: string, _i: number, s: BusinessScope): Project {
  const id = idOrCode(o.id_proyek, `${path}.id_proyek`, s.placeholders);
  const ps: ProjectScope = { ...s, idProyek: id ?? '' };
  const identityPj = idOrCode(o.no_identitas_pj, `${path}.no_identitas_pj`, s.placeholders);
  return {
    id_proyek: id as string,
    nib: s.nib,
    nomor_proyek: idOrCode(o.nomor_proyek, `${path}.nomor_proyek`, s.placeholders),
    uraian_usaha: emptyToNull(o.uraian_usaha),
    nama_kegiatan: emptyToNull(o.nama_kegiatan),
    kbli: normalizeKbli(o.kbli, `${path}.kbli`, s.placeholders),
    sektor: idOrCode(o.sektor, `${path}.sektor`, s.placeholders),
    skala_usaha: idOrCode(o.skala_usaha, `${path}.skala_usaha`, s.placeholders),
    skala_resiko: idOrCode(o.skala_resiko, `${path}.skala_resiko`, s.placeholders),
    jenis_proyek: idOrCode(o.jenis_proyek, `${path}.jenis_proyek`, s.placeholders),
    status_proyek: idOrCode(o.status_proyek, `${path}.status_proyek`, s.placeholders),
    // Before validation these may still hold the raw value; validate/ rejects the record then.
    jumlah_tki_l: parseInteger(o.jumlah_tki_l) as number | null,
    jumlah_tki_p: parseInteger(o.jumlah_tki_p) as number | null,
    jumlah_tka_l: parseInteger(o.jumlah_tka_l) as number | null,
    jumlah_tka_p: parseInteger(o.jumlah_tka_p) as number | null,
    pembelian_pematang_tanah: parseDecimal(o.pembelian_pematang_tanah),
    bangunan_gedung: parseDecimal(o.bangunan_gedung),
    mesin_peralatan: parseDecimal(o.mesin_peralatan),
    investasi_lain: parseDecimal(o.investasi_lain),
    modal_kerja: parseDecimal(o.modal_kerja),
    jumlah_investasi: parseDecimal(o.jumlah_investasi),
    luas_tanah: parseDecimal(o.luas_tanah),
    satuan_luas_tanah: idOrCode(o.satuan_luas_tanah, `${path}.satuan_luas_tanah`, s.placeholders),
    tgl_pengajuan_proyek: dateFromOssId(id),
    nama_pj: emptyToNull(o.nama_pj),
    no_identitas_pj_hash: hashIdentity(identityPj, s.piiKey),
    no_identitas_pj_masked: maskIdentity(identityPj),
    locations: mapList(o.data_lokasi_proyek, `${path}.data_lokasi_proyek`, ps, location),
    products: mapList(o.data_proyek_produk, `${path}.data_proyek_produk`, ps, product),
  };
}

function licence(o: WireObject, path: string, _i: number, s: BusinessScope): Licence {
  // inqueryNIB names the status status_checklist; a receiveNIB push or a later payload may say kd_status.
  const statusKey = o.status_checklist !== undefined ? 'status_checklist' : 'kd_status';
  return {
    id_izin: idOrCode(o.id_izin, `${path}.id_izin`, s.placeholders) as string,
    nib: s.nib,
    id_proyek: idOrCode(o.id_proyek, `${path}.id_proyek`, s.placeholders),
    jenis_izin: idOrCode(o.jenis_izin, `${path}.jenis_izin`, s.placeholders),
    kd_izin: idOrCode(o.kd_izin, `${path}.kd_izin`, s.placeholders),
    kd_daerah: normalizeRegionCode(o.kd_daerah, `${path}.kd_daerah`, s.placeholders),
    nama_izin: emptyToNull(o.nama_izin),
    instansi: emptyToNull(o.instansi),
    kewenangan: idOrCode(o.kewenangan, `${path}.kewenangan`, s.placeholders),
    flag_checklist: idOrCode(o.flag_checklist, `${path}.flag_checklist`, s.placeholders),
    kd_status: idOrCode(o[statusKey], `${path}.${statusKey}`, s.placeholders),
    uraian_status: emptyToNull(o.uraian_status),
    no_izin: idOrCode(o.no_izin, `${path}.no_izin`, s.placeholders),
    tgl_izin: parseDate(o.tgl_izin),
  };
}

function kdDniList(v: unknown): string[] {
  const list = readList(v) ?? (isWireObject(v) ? [v] : []);
  const out: string[] = [];
  for (const item of list) {
    const code = emptyToNull(isWireObject(item) ? readObject(item)?.kd_dni : item);
    if (code !== null) out.push(code);
  }
  return out;
}

/** jenis_pelaku_usaha (L18) 02 Perseorangan, or jenis_perseroan (L2) 17 Perseorangan: the NPWP is the owner's NIK. */
function npwpHolder(jenisPelakuUsaha: string | null, jenisPerseroan: string | null): NpwpHolder {
  if (jenisPelakuUsaha === '02' || jenisPerseroan === '17') return 'individual';
  if (jenisPelakuUsaha === '01' || jenisPelakuUsaha === '03' || jenisPelakuUsaha === '04') return 'entity';
  return 'unknown';
}

/**
 * A dataNIB object (inqueryNIB, receiveNIB) → Business with its nested families: pemegang_saham → shareholders
 * (seq 1..), penanggung_jwb → persons, data_proyek → projects (data_lokasi_proyek → locations,
 * data_proyek_produk → products), data_checklist → licences, data_dni[].kd_dni → kd_dni.
 * Identity numbers are hashed and masked; placeholder_fields lists every "-" seen, with its wire path
 * ('data_proyek[0].data_lokasi_proyek[1].id_proyek_lokasi'). Never throws.
 */
export function normalizeBusiness(wire: unknown, ctx: NormalizeContext): Business {
  const o = readObject(wire) ?? NO_FIELDS;
  const placeholders: string[] = [];
  const nib = idOrCode(o.nib, 'nib', placeholders);
  const scope: BusinessScope = { nib: nib ?? '', piiKey: ctx.piiKey, placeholders };
  const jenisPelakuUsaha = idOrCode(o.jenis_pelaku_usaha, 'jenis_pelaku_usaha', placeholders);
  const jenisPerseroan = idOrCode(o.jenis_perseroan, 'jenis_perseroan', placeholders);
  const npwpRaw = idOrCode(o.npwp_perseroan, 'npwp_perseroan', placeholders);
  const npwp = normalizeNpwp(npwpRaw, ctx.piiKey, { holder: npwpHolder(jenisPelakuUsaha, jenisPerseroan) });
  const daerah = normalizeRegionCode(o.perseroan_daerah_id, 'perseroan_daerah_id', placeholders);
  return {
    nib: nib as string,
    oss_id: idOrCode(o.oss_id, 'oss_id', placeholders),
    tgl_pengajuan_nib: parseDate(o.tgl_pengajuan_nib),
    tgl_terbit_nib: parseDate(o.tgl_terbit_nib),
    tgl_perubahan_nib: parseDate(o.tgl_perubahan_nib),
    jenis_pelaku_usaha: jenisPelakuUsaha,
    jenis_perseroan: jenisPerseroan,
    status_badan_hukum: idOrCode(o.status_badan_hukum, 'status_badan_hukum', placeholders),
    status_penanaman_modal: idOrCode(o.status_penanaman_modal, 'status_penanaman_modal', placeholders),
    status_perseroan: idOrCode(o.status_perseroan, 'status_perseroan', placeholders),
    flag_umk: idOrCode(o.flag_umk, 'flag_umk', placeholders),
    skala_usaha: idOrCode(o.skala_usaha, 'skala_usaha', placeholders),
    jenis_perubahan_terakhir: idOrCode(o.jenis_perubahan_terakhir, 'jenis_perubahan_terakhir', placeholders),
    nama_perseroan: emptyToNull(o.nama_perseroan),
    nama_singkatan: emptyToNull(o.nama_singkatan),
    npwp_perseroan: npwp.display,
    npwp_perseroan_raw: npwp.rawSafe,
    npwp_hash: npwp.hash,
    npwp_issues: npwp.issues,
    npwp_is_nik: npwp.isNik,
    alamat_perseroan: emptyToNull(o.alamat_perseroan),
    rt_rw_perseroan: emptyToNull(o.rt_rw_perseroan),
    kelurahan_perseroan: emptyToNull(o.kelurahan_perseroan),
    perseroan_daerah_id: daerah,
    kd_kecamatan: kecamatanOf(daerah),
    kode_pos_perseroan: idOrCode(o.kode_pos_perseroan, 'kode_pos_perseroan', placeholders),
    total_modal_dasar: parseDecimal(o.total_modal_dasar),
    total_modal_ditempatkan: parseDecimal(o.total_modal_ditempatkan),
    total_pma: parseDecimal(o.total_pma),
    persen_pma: parseDecimal(o.persen_pma),
    persen_pmdn: parseDecimal(o.persen_pmdn),
    status_nib: idOrCode(o.status_nib, 'status_nib', placeholders),
    tipe_dokumen: idOrCode(o.tipe_dokumen, 'tipe_dokumen', placeholders),
    versi_pia: emptyToNull(o.versi_pia),
    placeholder_fields: placeholders,
    kd_dni: kdDniList(o.data_dni),
    shareholders: mapList(o.pemegang_saham, 'pemegang_saham', scope, shareholder),
    persons: mapList(o.penanggung_jwb, 'penanggung_jwb', scope, person),
    projects: mapList(o.data_proyek, 'data_proyek', scope, project),
    licences: mapList(o.data_checklist, 'data_checklist', scope, licence),
  };
}
