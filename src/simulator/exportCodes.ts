/*
 * The descriptions the OSS dashboard exports print instead of codes ("Uraian …"), one per code, from the PIA code
 * tables. The simulator's own copy: the importer maps them back with its tables, and the round trip compares both.
 */

/** code → the description an export prints for it. */
export type ExportDescriptions = Readonly<Record<string, string>>;

/** L1 status penanaman modal. */
export const STATUS_PM_TEXT: ExportDescriptions = {
  '01': 'PMA',
  '02': 'PMDN',
  '03': 'Bukan PMA/PMDN',
};

/** L2 jenis perusahaan. */
export const JENIS_PERSEROAN_TEXT: ExportDescriptions = {
  '01': 'Perseroan Terbatas (PT)',
  '02': 'Persekutuan Komanditer (CV)',
  '04': 'Badan Usaha Pemerintah',
  '05': 'Firma',
  '06': 'Persekutuan Perdata',
  '07': 'Koperasi',
  '08': 'Dana Pensiun',
  '09': 'Persekutuan dan Perkumpulan',
  '10': 'Yayasan',
  '16': 'Bentuk Usaha Tetap (BUT)',
  '17': 'Perorangan',
  '18': 'Badan Layanan Umum',
  '19': 'Badan Hukum Lainnya',
  '20': 'Badan Usaha Lainnya',
  '21': 'Perusahaan Umum (Perum)',
  '22': 'Perusahaan Umum Daerah (Perumda)',
  '23': 'Perusahaan Daerah (Perusda)',
  '24': 'Badan Otorita Batam',
  '25': 'Badan Usaha Perwakilan',
  '26': 'Perseroan Perorangan',
  '27': 'Badan Pengelola Keuangan Haji',
  '28': 'Badan Usaha Milik Desa (BUM Desa)',
  '29': 'BUM Desa Bersama',
};

/** L31 skala usaha. */
export const SKALA_USAHA_TEXT: ExportDescriptions = {
  '01': 'Usaha Mikro',
  '02': 'Usaha Kecil',
  '03': 'Usaha Menengah',
  '04': 'Usaha Besar',
};

/** Risk level (PP 5/2021); List Izin's "Kd Resiko" prints the code itself. */
export const RISIKO_TEXT: ExportDescriptions = {
  R: 'Rendah',
  MR: 'Menengah Rendah',
  MT: 'Menengah Tinggi',
  T: 'Tinggi',
};

/** L26 jenis proyek. */
export const JENIS_PROYEK_TEXT: ExportDescriptions = {
  '01': 'Utama',
  '02': 'Pendukung',
  '03': 'Kantor Cabang Administrasi',
  '04': 'Perluasan',
  '05': 'Pendukung UMKU',
};

/** L27 jenis izin. */
export const JENIS_IZIN_TEXT: ExportDescriptions = {
  '01': 'Izin Dasar',
  '02': 'Izin',
  '04': 'Sertifikat Standar',
  K02: 'Persyaratan Standar',
  K03: 'PB UMKU',
};

/** Kewenangan of a checklist item. */
export const KEWENANGAN_TEXT: ExportDescriptions = {
  '00': 'Pusat',
  '01': 'Provinsi',
  '02': 'Kabupaten/Kota',
};

/** L17 satuan luas tanah. */
export const SATUAN_TANAH_TEXT: ExportDescriptions = {
  '01': 'M2',
  '02': 'Ha',
};

/** L20 sektor: the exports name the supervising ministry ("KL/Sektor Pembina"). */
export const SEKTOR_TEXT: ExportDescriptions = {
  '010': 'Kementerian Dalam Negeri',
  '018': 'Kementerian Pertanian',
  '019': 'Kementerian Perindustrian',
  '020': 'Kementerian Energi dan Sumber Daya Mineral',
  '022': 'Kementerian Perhubungan',
  '024': 'Kementerian Agama',
  '026': 'Kementerian Ketenagakerjaan',
  '029': 'Kementerian Lingkungan Hidup dan Kehutanan',
  '032': 'Kementerian Kelautan dan Perikanan',
  '033': 'Kementerian Pekerjaan Umum dan Perumahan Rakyat',
  '040': 'Kementerian Pariwisata',
  '044': 'Kementerian Koperasi dan UKM',
  '056': 'Kementerian ATR/BPN',
  '059': 'Kementerian Komunikasi dan Informatika',
  '060': 'Kepolisian Negara Republik Indonesia',
  '063': 'Badan Pengawas Obat dan Makanan',
  '090': 'Kementerian Perdagangan',
};

/** Lampiran 10 licence status ("Status Perizinan" when the licence carries no uraian of its own). */
export const STATUS_IZIN_TEXT: ExportDescriptions = {
  '05': 'Proses Penapisan (dokumen lingkungan)',
  '09': 'Telah Melengkapi Persyaratan',
  '10': 'Dokumen Lengkap',
  '11': 'Dokumen Belum Lengkap',
  '12': 'Pemenuhan Komitmen',
  '20': 'Validasi',
  '30': 'Verifikasi Pembayaran',
  '31': 'Konfirmasi Pembayaran',
  '32': 'Menunggu Verifikasi Bukti Bayar PNBP',
  '33': 'Persetujuan Pembayaran',
  '34': 'Perbaikan Konfirmasi Pembayaran',
  '40': 'Inspeksi',
  '41': 'Konfirmasi Persyaratan (SLA berhenti)',
  '42': 'Data Konfirmasi Persyaratan (SLA lanjut)',
  '43': 'Re-Konfirmasi Persyaratan',
  '44': 'Data Re-Konfirmasi',
  '45': 'Persyaratan terverifikasi (dinas teknis)',
  '49': 'Pengambilan Nomor',
  '50': 'Disetujui',
  '52': 'Terbit Sementara',
  '57': 'Disetujui otomatis (fiktif positif)',
  '60': 'Peringatan',
  '70': 'Penghentian Sementara Kegiatan Berusaha',
  '80': 'Pengenaan Denda Administratif',
  '90': 'Ditolak',
  '93': 'Penolakan Persyaratan',
};

/** The description an export prints for a code; the code itself for one the table does not know. */
export function descriptionOf(table: ExportDescriptions, code: string): string {
  return Object.hasOwn(table, code) ? (table[code] as string) : code;
}
