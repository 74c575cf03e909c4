/*
 * Normalized records: what normalize/ produces from OSS wire payloads and store/ writes.
 * Field names are OSS's own (snake_case, Indonesian) so that the analyst schema reads like OSS.
 * Conventions:
 * - ids and codes are strings; "" and "-" placeholders become null (placeholder_fields lists where "-" was seen);
 * - dates are 'YYYY-MM-DD'; datetimes are ISO-8601 UTC instants converted from WIB;
 * - money and quantities are decimal strings ("1500000000.00" style, no separators) for Postgres numeric;
 * - NIKs (and NPWPs that are NIKs) appear only as *_hash (keyed sha256) and *_masked.
 * A value that could not be normalized is kept as received (a string), so validate/ can report it with what it got.
 */

/** Structure problems of a NIK, computed before it is hashed (the NIK itself is never stored). */
export interface NikFacts {
  hash: string | null;
  masked: string | null;
  /** First two digits (province), not sensitive; null when unusable. */
  province: string | null;
  /** Empty when the structure is valid: 'length', 'month', 'day', 'serial'. */
  issues: string[];
}

export interface PartnershipRealisation {
  id_kemitraan: string;
  tahun: number;
  triwulan: number;
  nilai_realisasi: string | null;
  volume_realisasi: string | null;
  satuan: string | null;
  sumber: string | null;
}

/** A kemitraan agreement from listKemitraan. */
export interface Partnership {
  id_kemitraan: string;
  nib_ub: string | null;
  nama_ub: string | null;
  id_proyek_ub: string | null;
  kbli_ub: string | null;
  nib_umkm: string | null;
  nama_umkm: string | null;
  kbli_umkm: string | null;
  nik_umkm_hash: string | null;
  nik_umkm_masked: string | null;
  nik_umkm_province: string | null;
  nik_umkm_issues: string[];
  skala_usaha_umkm: string | null;
  pola_kemitraan: string | null;
  objek_kemitraan: string | null;
  volume: string | null;
  satuan: string | null;
  periode_volume: string | null;
  nilai_kemitraan: string | null;
  tgl_kesepakatan: string | null;
  tgl_mulai: string | null;
  tgl_berakhir: string | null;
  kd_daerah_pelaksanaan: string | null;
  /** First 6 digits of kd_daerah_pelaksanaan when it is a 10-digit code. */
  kd_kecamatan: string | null;
  no_dokumen: string | null;
  url_dokumen: string | null;
  status_kemitraan: string | null;
  tgl_pengajuan: string | null;
  tgl_perubahan: string | null;
  placeholder_fields: string[];
  realisasi: PartnershipRealisation[];
}

export interface Shareholder {
  nib: string;
  seq: number;
  jenis_pemegang_saham: string | null;
  flag_asing: string | null;
  nama_pemegang_saham: string | null;
  jabatan_pemegang_saham: string | null;
  jns_identitas_pemegang_saham: string | null;
  no_identitas_hash: string | null;
  no_identitas_masked: string | null;
  /** NikFacts of a KTP number (province, issues); null and empty for other identity types. */
  no_identitas_province: string | null;
  no_identitas_issues: string[];
  npwp_hash: string | null;
  total_modal_pemegang: string | null;
  negara_asal_pemegang_saham: string | null;
}

export interface PersonInCharge {
  nib: string;
  seq: number;
  nama_penanggung_jwb: string | null;
  jabatan_penanggung_jwb: string | null;
  flag_asing: string | null;
  jns_identitas_penanggung_jwb: string | null;
  no_identitas_hash: string | null;
  no_identitas_masked: string | null;
  /** NikFacts of a KTP number (province, issues); null and empty for other identity types. */
  no_identitas_province: string | null;
  no_identitas_issues: string[];
  npwp_hash: string | null;
  kebangsaan_penanggung_jwb: string | null;
}

export interface ProjectLocation {
  id_proyek_lokasi: string;
  id_proyek: string;
  nib: string;
  proyek_daerah_id: string | null;
  kd_kecamatan: string | null;
  alamat_usaha: string | null;
  status_lokasi: string | null;
  /** Raw "lat,lng" of the first point, and its parsed parts (null when unparseable). */
  lat_lng: string | null;
  lat: number | null;
  lng: number | null;
}

export interface ProjectProduct {
  id_produk: string;
  id_proyek: string;
  nib: string;
  kbli: string | null;
  jenis_produksi: string | null;
  kapasitas: string | null;
  satuan: string | null;
}

export interface Project {
  id_proyek: string;
  nib: string;
  nomor_proyek: string | null;
  uraian_usaha: string | null;
  nama_kegiatan: string | null;
  kbli: string | null;
  sektor: string | null;
  skala_usaha: string | null;
  skala_resiko: string | null;
  jenis_proyek: string | null;
  status_proyek: string | null;
  jumlah_tki_l: number | null;
  jumlah_tki_p: number | null;
  jumlah_tka_l: number | null;
  jumlah_tka_p: number | null;
  pembelian_pematang_tanah: string | null;
  bangunan_gedung: string | null;
  mesin_peralatan: string | null;
  investasi_lain: string | null;
  modal_kerja: string | null;
  jumlah_investasi: string | null;
  luas_tanah: string | null;
  satuan_luas_tanah: string | null;
  /** Date embedded in id_proyek (R-yyyyMMdd…), null when the id has none. */
  tgl_pengajuan_proyek: string | null;
  nama_pj: string | null;
  no_identitas_pj_hash: string | null;
  no_identitas_pj_masked: string | null;
  locations: ProjectLocation[];
  products: ProjectProduct[];
}

/** A checklist item (licence) of a NIB's project; its status is refreshed by checkLicenseStatus. */
export interface Licence {
  id_izin: string;
  nib: string;
  id_proyek: string | null;
  jenis_izin: string | null;
  kd_izin: string | null;
  kd_daerah: string | null;
  nama_izin: string | null;
  instansi: string | null;
  kewenangan: string | null;
  flag_checklist: string | null;
  kd_status: string | null;
  uraian_status: string | null;
  no_izin: string | null;
  tgl_izin: string | null;
}

/** The business record of one NIB from inqueryNIB (or a receiveNIB push), with its nested families. */
export interface Business {
  nib: string;
  oss_id: string | null;
  tgl_pengajuan_nib: string | null;
  tgl_terbit_nib: string | null;
  tgl_perubahan_nib: string | null;
  jenis_pelaku_usaha: string | null;
  jenis_perseroan: string | null;
  status_badan_hukum: string | null;
  status_penanaman_modal: string | null;
  status_perseroan: string | null;
  flag_umk: string | null;
  skala_usaha: string | null;
  jenis_perubahan_terakhir: string | null;
  nama_perseroan: string | null;
  nama_singkatan: string | null;
  /** Display-safe NPWP: the 16-digit entity form in full; an individual's NPWP (= NIK) masked. */
  npwp_perseroan: string | null;
  /** NPWP as received with '.'/'-', masked when it is an individual's NIK. */
  npwp_perseroan_raw: string | null;
  npwp_hash: string | null;
  /** Empty when valid: 'length' (not 15/16 digits), 'entity_prefix' (16 digits, not "0" + 15, not a NIK). */
  npwp_issues: string[];
  /** True when the NPWP is an individual's NIK (16 digits not starting with 0). */
  npwp_is_nik: boolean;
  alamat_perseroan: string | null;
  rt_rw_perseroan: string | null;
  kelurahan_perseroan: string | null;
  perseroan_daerah_id: string | null;
  kd_kecamatan: string | null;
  kode_pos_perseroan: string | null;
  total_modal_dasar: string | null;
  total_modal_ditempatkan: string | null;
  total_pma: string | null;
  persen_pma: string | null;
  persen_pmdn: string | null;
  status_nib: string | null;
  tipe_dokumen: string | null;
  versi_pia: string | null;
  placeholder_fields: string[];
  kd_dni: string[];
  shareholders: Shareholder[];
  persons: PersonInCharge[];
  projects: Project[];
  licences: Licence[];
}

/** One licence status from checkLicenseStatus. */
export interface LicenceStatus {
  id_izin: string;
  nib: string | null;
  id_proyek: string | null;
  kd_status: string | null;
  uraian_status: string | null;
}

/** A NIB seen in listNIB. */
export interface ListedNib {
  nib: string;
  nama_perseroan: string | null;
  tgl_perubahan_nib: string | null;
}

/** One problem found while validating a record: where, what was expected, what arrived. */
export interface ValidationIssue {
  path: string;
  expected: string;
  got: unknown;
  message: string;
}

/** A record that failed validation: kept with its (PII-redacted) raw payload and every issue. */
export interface Rejection {
  /** The record's id when one could be read (id_kemitraan, nib, id_izin), else null. */
  entity_id: string | null;
  raw: unknown;
  issues: ValidationIssue[];
}

/** The outcome of validating a page: never throws, never drops a record. */
export interface Validated<T> {
  valid: Array<{ record: T; raw: unknown }>;
  rejected: Rejection[];
}
