/*
 * The three OSS dashboard exports as OSS writes them: the dashboard's title and the exact header row. The simulator
 * keeps its own copy (a fake never imports what it tests), so a wrong header in the importer fails the round trip.
 */

export type SimExportType = 'dp_proyek' | 'dp_nib_kantor' | 'list_izin';

export interface SimExportLayout {
  /** The dashboard's own name, also the xlsx sheet name. */
  title: string;
  /** The header row exactly as OSS writes it. */
  headers: readonly string[];
  /** DP NIB Kantor ends with one more column that has no name (a flag). */
  unnamedFlagColumn: boolean;
}

export const EXPORT_LAYOUTS: Readonly<Record<SimExportType, SimExportLayout>> = {
  dp_proyek: {
    title: 'DP Proyek',
    headers: [
      'No.',
      'Id Proyek',
      'Uraian_Jenis_Proyek',
      'Nib',
      'Nama Perusahaan',
      'Tanggal Terbit Oss',
      'Uraian Status Penanaman Modal',
      'Uraian Jenis Perusahaan',
      'Uraian Risiko Proyek',
      'nama_proyek',
      'Uraian Skala Usaha',
      'Alamat Usaha',
      'Kab Kota Usaha',
      'kecamatan_usaha',
      'kelurahan_usaha',
      'Day of Tanggal Pengajuan Proyek',
      'Kbli',
      'Judul Kbli',
      'KL/Sektor Pembina',
      'luas_tanah',
      'satuan_tanah',
      'Jumlah Investasi',
      'TKI',
    ],
    unnamedFlagColumn: false,
  },
  dp_nib_kantor: {
    title: 'DP NIB Kantor',
    headers: [
      'No.',
      'nib',
      'Day of tanggal_terbit_oss',
      'nama_perusahaan',
      'status_penanaman_modal',
      'uraian_jenis_perusahaan',
      'uraian_skala_usaha',
      'Alamat Perusahaan',
      'kelurahan',
      'kecamatan',
      'kab_kota',
    ],
    unnamedFlagColumn: true,
  },
  list_izin: {
    title: 'List Izin',
    headers: [
      'No.',
      'Id Permohonan Izin',
      'Nama Perusahaan',
      'Nib',
      'Day of Tanggal Terbit Oss',
      'Uraian Status Penanaman Modal',
      'Propinsi',
      'Kab Kota',
      'kecamatan',
      'kelurahan',
      'Id Proyek',
      'Kd Resiko',
      'Kbli',
      'Day of Tgl Izin',
      'Uraian Jenis Perizinan',
      'Nama Dokumen',
      'Uraian Kewenangan',
      'Status Perizinan',
      'Kewenangan',
      'kl_sektor',
    ],
    unnamedFlagColumn: false,
  },
};
