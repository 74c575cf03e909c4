/*
 * Wire shapes the simulator serves (OSS field names as they are on the wire) and the world manifest.
 * These are the simulator's own types: the OSS client declares its wire schemas in src/oss.
 */
import type { SimulatorSize } from '../config.js';
import type { EntityType } from '../domain/glossary.js';

/** Any JSON value. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** One quarter of realisation reported through LKPM. */
export type SimRealisasi = {
  tahun: string;
  triwulan: string;
  nilai_realisasi: string;
  volume_realisasi: string;
  satuan: string;
  sumber: string;
};

/** A listKemitraan record, as the OSS feeds contract describes it. */
export type SimKemitraan = {
  id_kemitraan: string;
  nib_ub: string;
  nama_ub: string;
  id_proyek_ub: string;
  kbli_ub: string;
  nib_umkm: string;
  nama_umkm: string;
  kbli_umkm: string;
  nik_umkm: string;
  skala_usaha_umkm: string;
  pola_kemitraan: string;
  objek_kemitraan: string;
  volume: string;
  satuan: string;
  periode_volume: string;
  nilai_kemitraan: string;
  tgl_kesepakatan: string;
  tgl_mulai: string;
  tgl_berakhir: string;
  kd_daerah_pelaksanaan: string;
  no_dokumen: string;
  url_dokumen: string;
  status_kemitraan: string;
  tgl_pengajuan: string;
  tgl_perubahan: string;
  realisasi: SimRealisasi[];
};

export type SimTitikLokasi = { serial: string; lat_lng: string };

export type SimLokasiProyek = {
  id_proyek_lokasi: string;
  proyek_daerah_id: string;
  kd_kawasan: string;
  alamat_usaha: string;
  id_kegiatan: string;
  response_kegiatan: string;
  jenis_kawasan: string;
  jenis_lokasi: string;
  status_lokasi: string;
  data_lokasi_proyek: SimTitikLokasi[];
  data_posisi_proyek: Array<{ id_proyek_posisi: string; id_proyek_lokasi: string; posisi_lokasi: string }>;
};

export type SimProdukProyek = {
  id_produk: string;
  id_proyek: string;
  kbli: string;
  id_bidang_usaha: string;
  jenis_produksi: string;
  kapasitas: string;
  satuan: string;
  merk_dagang: string;
  flag_memiliki_halal: string;
  nomor_sertifikat_halal: string;
  flag_memiliki_sni: string;
  tkdn: string;
};

export type SimProyek = {
  id_proyek: string;
  nomor_proyek: string;
  uraian_usaha: string;
  nama_kegiatan: string;
  deskripsi_kegiatan: string;
  kbli: string;
  sektor: string;
  skala_usaha: string;
  skala_resiko: string;
  jenis_proyek: string;
  status_proyek: string;
  jumlah_tki_l: number;
  jumlah_tki_p: number;
  jumlah_tka_l: number;
  jumlah_tka_p: number;
  memiliki_menguasai: string;
  jenis_lokasi: string;
  status_tanah: string;
  luas_tanah: string;
  satuan_luas_tanah: string;
  pembelian_pematang_tanah: string;
  bangunan_gedung: string;
  mesin_peralatan: string;
  mesin_peralatan_usd: string;
  investasi_lain: string;
  sub_jumlah: string;
  modal_kerja: string;
  jumlah_investasi: string;
  tanggal_kurs: string;
  nilai_kurs: string;
  flag_perluasan: string;
  flag_cabang: string;
  npwp_cabang: string;
  nama_cabang: string;
  jenis_identitas_pj: string;
  no_identitas_pj: string;
  nama_pj: string;
  kd_kawasan: string;
  satu_lini: string;
  data_lokasi_proyek: SimLokasiProyek[];
  data_proyek_produk: SimProdukProyek[];
};

export type SimChecklist = {
  id_produk: string;
  id_proyek: string;
  id_izin: string;
  jenis_izin: string;
  kd_izin: string;
  kd_daerah: string;
  nama_izin: string;
  instansi: string;
  id_bidang_spesifik: string;
  bidang_spesifik: string;
  id_kewenangan: string;
  parameter_kewenangan: string;
  kewenangan: string;
  flag_checklist: string;
  status_checklist: string;
  uraian?: string;
  flag_transaksional: string;
  flag_perpanjangan: string;
  kbli_konversi: string;
  no_izin: string;
  tgl_izin: string;
  file_izin: string;
  data_persyaratan: Array<{
    id_syarat: string;
    no_dokumen: string;
    tgl_dokumen: string;
    file_dokumen: string;
    keterangan: string;
  }>;
};

export type SimPemegangSaham = {
  jenis_pemegang_saham: string;
  flag_asing: string;
  total_modal_pemegang: string;
  jabatan_pemegang_saham: string;
  nama_pemegang_saham: string;
  jns_identitas_pemegang_saham: string;
  no_identitas_pemegang_saham: string;
  valid_identitas_pemegang_saham: string;
  negara_asal_pemegang_saham: string;
  pengendali_pemegang_saham: string;
  npwp_pemegang_saham: string;
  alamat_pemegang_saham: string;
  fax_pemegang_saham: string;
  email_pemegang_saham: string;
  flag_pajak_pemegang_saham: string;
  ket_pajak_pemegang_saham: string;
};

export type SimPenanggungJawab = {
  flag_asing: string;
  jns_identitas_penanggung_jwb: string;
  no_identitas_penanggung_jwb: string;
  nama_penanggung_jwb: string;
  jabatan_penanggung_jwb: string;
  kebangsaan_penanggung_jwb: string;
  negara_asal_penanggung_jwb: string;
  npwp_penanggung_jwb: string;
  alamat_penanggung_jwb: string;
  rt_rw_penanggung_jwb: string;
  kelurahan_penanggung_jwb: string;
  daerah_id_penanggung_jwb: string;
  kode_pos_penanggung_jwb: string;
  no_hp_penanggung_jwb: string;
  email_penanggung_jwb: string;
  flag_pajak_penanggung_jwb: string;
  ket_pajak_penanggung_jwb: string;
};

/** The inqueryNIB `dataNIB` document (PIA 4.3.22 field names). */
export type SimDataNib = {
  nib: string;
  oss_id: string;
  tgl_pengajuan_nib: string;
  tgl_terbit_nib: string;
  tgl_perubahan_nib: string;
  jenis_pelaku_usaha: string;
  jenis_perseroan: string;
  status_badan_hukum: string;
  status_penanaman_modal: string;
  status_perseroan: string;
  flag_umk: string;
  skala_usaha: string;
  jenis_perubahan_terakhir: string;
  nama_perseroan: string;
  nama_singkatan: string;
  npwp_perseroan: string;
  alamat_perseroan: string;
  rt_rw_perseroan: string;
  kelurahan_perseroan: string;
  perseroan_daerah_id: string;
  kode_pos_perseroan: string;
  nomor_telpon_perseroan: string;
  email_perusahaan: string;
  dalam_bentuk_uang: string;
  dalam_bentuk_lain: string;
  total_modal_dasar: string;
  total_modal_ditempatkan: string;
  total_pma: string;
  nilai_pma_dominan: string;
  nilai_pmdn: string;
  persen_pma: string;
  persen_pmdn: string;
  negara_pma_dominan: string;
  gabung_negara: string;
  flag_perusahaan: string;
  flag_ekspor: string;
  flag_impor: string;
  jenis_api: string;
  no_npp: string;
  no_va: string;
  no_wlkp: string;
  kd_kawasan: string;
  jenis_kawasan: string;
  versi_pia: string;
  jangka_waktu: string;
  flag_perubahan_data_teknis: string;
  no_pengesahan: string;
  tgl_pengesahan: string;
  status_nib: string;
  tipe_dokumen: string;
  jenis_id_user_proses: string;
  no_id_user_proses: string;
  nama_user_proses: string;
  email_user_proses: string;
  hp_user_proses: string;
  jns_kelamin_user_proses: string;
  daerah_id_user_proses: string;
  legalitas: Array<{
    jenis_legal: string;
    no_legal: string;
    tgl_legal: string;
    alamat_notaris: string;
    nama_notaris: string;
    telepon_notaris: string;
  }>;
  pemegang_saham: SimPemegangSaham[];
  penanggung_jwb: SimPenanggungJawab[];
  data_proyek: SimProyek[];
  data_checklist: SimChecklist[];
  data_dni: Array<{ kd_dni: string }>;
};

/** checkLicenseStatus `dataIZIN`. */
export type SimDataIzin = {
  nib: string;
  id_proyek: string;
  id_izin: string;
  kd_status: string;
  uraian_status: string;
  file_lampiran: string;
};

/** One listNIB item. */
export type SimListedNib = { nib: string; nama_perseroan: string; tgl_perubahan_nib: string };

/** A discrepancy the world contains on purpose: the rule that must fire and the entity it is about. */
export interface PlantedCase {
  rule: string;
  entity_type: EntityType;
  entity_id: string;
  note: string;
  /** Other rules that may legitimately fire on the same entity as a consequence (e.g. a malformed NIB is not found). */
  alsoMayFire?: string[];
}

/** A near-miss that looks like a discrepancy but is clean: no rule may fire on it. */
export interface ControlCase {
  entity_type: EntityType;
  entity_id: string;
  note: string;
}

/** A structurally invalid record the validator must reject. */
export interface InvalidRecord {
  stream: 'kemitraan' | 'nib' | 'izin';
  entity_id: string | null;
  reason: string;
}

export interface WorldCounts {
  /** Partnerships in the world (all regions), before any mutation. */
  partnerships: number;
  /** Partnerships whose kd_daerah_pelaksanaan is in the world's kabupaten. */
  partnershipsInRegion: number;
  /** NIB documents (businesses) in the world. */
  businesses: number;
  /** Businesses listed by listNIB for the world's kabupaten. */
  businessesInRegion: number;
  /** Large businesses (usaha besar) that partner. */
  usahaBesar: number;
  /** Partners without NIB (individuals identified by NIK). */
  partnersWithoutNib: number;
  projects: number;
  licences: number;
  /** Licences whose kd_status is not final (not 50, 57, 90, 93): the izin stream polls them. */
  licencesNotFinal: number;
}

export interface SimulatorManifest {
  seed: number;
  size: SimulatorSize;
  kdDaerah: string;
  /** The world's "now" (ISO instant) and its WIB wall time. */
  generatedAt: string;
  nowWib: string;
  counts: WorldCounts;
  /** Same-second partnership batches (tgl_perubahan, count) and big NIB days (tgl_perubahan_nib, count). */
  batches: {
    kemitraan: Array<{ tgl_perubahan: string; count: number }>;
    nib: Array<{ tgl_perubahan_nib: string; count: number }>;
  };
  planted: PlantedCase[];
  controls: ControlCase[];
  invalid: InvalidRecord[];
  /** Planted cases that mutate() fixed (their rule must no longer fire). */
  fixed: PlantedCase[];
  /** Number of mutate() calls applied. */
  mutations: number;
}
