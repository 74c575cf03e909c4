import type {
  Business,
  Licence,
  Partnership,
  PartnershipRealisation,
  PersonInCharge,
  Project,
  ProjectLocation,
  ProjectProduct,
  Shareholder,
} from '../domain/records.js';

/** What the generic merge needs to know about an entity table. */
export interface TableSpec<T = unknown> {
  table: string;
  /** entity_type written to change_history and raw_records. */
  entityType: string;
  key: readonly (keyof T & string)[];
  /** Data columns (the bookkeeping columns of every entity table are implied). */
  columns: readonly (keyof T & string)[];
}

/** Bookkeeping columns of every entity table: never compared, never in history. */
export const META_COLUMNS = [
  'content_hash',
  'source',
  'first_run_id',
  'last_run_id',
  'created_at',
  'updated_at',
  'deleted_at',
  'deleted_run_id',
] as const;

const spec = <T>(s: TableSpec<T>): TableSpec<T> => s;

export const KEMITRAAN = spec<Partnership>({
  table: 'kemitraan',
  entityType: 'kemitraan',
  key: ['id_kemitraan'],
  columns: [
    'id_kemitraan',
    'nib_ub',
    'nama_ub',
    'id_proyek_ub',
    'kbli_ub',
    'nib_umkm',
    'nama_umkm',
    'kbli_umkm',
    'nik_umkm_hash',
    'nik_umkm_masked',
    'nik_umkm_province',
    'nik_umkm_issues',
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
    'kd_kecamatan',
    'no_dokumen',
    'url_dokumen',
    'status_kemitraan',
    'tgl_pengajuan',
    'tgl_perubahan',
    'placeholder_fields',
  ],
});

export const KEMITRAAN_REALISASI = spec<PartnershipRealisation>({
  table: 'kemitraan_realisasi',
  entityType: 'kemitraan_realisasi',
  key: ['id_kemitraan', 'tahun', 'triwulan'],
  columns: ['id_kemitraan', 'tahun', 'triwulan', 'nilai_realisasi', 'volume_realisasi', 'satuan', 'sumber'],
});

export const PELAKU_USAHA = spec<Business>({
  table: 'pelaku_usaha',
  entityType: 'pelaku_usaha',
  key: ['nib'],
  columns: [
    'nib',
    'oss_id',
    'tgl_pengajuan_nib',
    'tgl_terbit_nib',
    'tgl_perubahan_nib',
    'jenis_pelaku_usaha',
    'jenis_perseroan',
    'status_badan_hukum',
    'status_penanaman_modal',
    'status_perseroan',
    'flag_umk',
    'skala_usaha',
    'jenis_perubahan_terakhir',
    'nama_perseroan',
    'nama_singkatan',
    'npwp_perseroan',
    'npwp_perseroan_raw',
    'npwp_hash',
    'npwp_issues',
    'npwp_is_nik',
    'alamat_perseroan',
    'rt_rw_perseroan',
    'kelurahan_perseroan',
    'perseroan_daerah_id',
    'kd_kecamatan',
    'kode_pos_perseroan',
    'total_modal_dasar',
    'total_modal_ditempatkan',
    'total_pma',
    'persen_pma',
    'persen_pmdn',
    'status_nib',
    'tipe_dokumen',
    'versi_pia',
    'placeholder_fields',
    'kd_dni',
  ],
});

export const PEMEGANG_SAHAM = spec<Shareholder>({
  table: 'pemegang_saham',
  entityType: 'pemegang_saham',
  key: ['nib', 'seq'],
  columns: [
    'nib',
    'seq',
    'jenis_pemegang_saham',
    'flag_asing',
    'nama_pemegang_saham',
    'jabatan_pemegang_saham',
    'jns_identitas_pemegang_saham',
    'no_identitas_hash',
    'no_identitas_masked',
    'no_identitas_province',
    'no_identitas_issues',
    'npwp_hash',
    'total_modal_pemegang',
    'negara_asal_pemegang_saham',
  ],
});

export const PENANGGUNG_JAWAB = spec<PersonInCharge>({
  table: 'penanggung_jawab',
  entityType: 'penanggung_jawab',
  key: ['nib', 'seq'],
  columns: [
    'nib',
    'seq',
    'nama_penanggung_jwb',
    'jabatan_penanggung_jwb',
    'flag_asing',
    'jns_identitas_penanggung_jwb',
    'no_identitas_hash',
    'no_identitas_masked',
    'no_identitas_province',
    'no_identitas_issues',
    'npwp_hash',
    'kebangsaan_penanggung_jwb',
  ],
});

export const PROYEK = spec<Project>({
  table: 'proyek',
  entityType: 'proyek',
  key: ['id_proyek'],
  columns: [
    'id_proyek',
    'nib',
    'nomor_proyek',
    'uraian_usaha',
    'nama_kegiatan',
    'kbli',
    'sektor',
    'skala_usaha',
    'skala_resiko',
    'jenis_proyek',
    'status_proyek',
    'jumlah_tki_l',
    'jumlah_tki_p',
    'jumlah_tka_l',
    'jumlah_tka_p',
    'pembelian_pematang_tanah',
    'bangunan_gedung',
    'mesin_peralatan',
    'investasi_lain',
    'modal_kerja',
    'jumlah_investasi',
    'luas_tanah',
    'satuan_luas_tanah',
    'tgl_pengajuan_proyek',
    'nama_pj',
    'no_identitas_pj_hash',
    'no_identitas_pj_masked',
  ],
});

export const PROYEK_LOKASI = spec<ProjectLocation>({
  table: 'proyek_lokasi',
  entityType: 'proyek_lokasi',
  key: ['id_proyek_lokasi'],
  columns: [
    'id_proyek_lokasi',
    'id_proyek',
    'nib',
    'proyek_daerah_id',
    'kd_kecamatan',
    'alamat_usaha',
    'status_lokasi',
    'lat_lng',
    'lat',
    'lng',
  ],
});

export const PROYEK_PRODUK = spec<ProjectProduct>({
  table: 'proyek_produk',
  entityType: 'proyek_produk',
  key: ['id_produk'],
  columns: ['id_produk', 'id_proyek', 'nib', 'kbli', 'jenis_produksi', 'kapasitas', 'satuan'],
});

export const PERIZINAN = spec<Licence>({
  table: 'perizinan',
  entityType: 'perizinan',
  key: ['id_izin'],
  columns: [
    'id_izin',
    'nib',
    'id_proyek',
    'jenis_izin',
    'kd_izin',
    'kd_daerah',
    'nama_izin',
    'instansi',
    'kewenangan',
    'flag_checklist',
    'kd_status',
    'uraian_status',
    'no_izin',
    'tgl_izin',
  ],
});
