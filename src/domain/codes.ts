/** OSS code tables (PIA Lampiran and the partnership feed contract). Keys are the wire codes. */

export const POLA_KEMITRAAN = {
  '01': 'Inti-Plasma',
  '02': 'Subkontrak',
  '03': 'Waralaba',
  '04': 'Perdagangan Umum',
  '05': 'Distribusi dan Keagenan',
  '06': 'Rantai Pasok',
  '07': 'Bagi Hasil',
  '08': 'Kerja Sama Operasional',
  '09': 'Usaha Patungan',
  '10': 'Penyumberluaran',
  '99': 'Bentuk Lainnya',
} as const;

export const STATUS_KEMITRAAN = {
  '01': 'Diajukan',
  '02': 'Menunggu Persetujuan Mitra',
  '03': 'Berjalan',
  '04': 'Ditolak Mitra',
  '05': 'Selesai',
  '06': 'Dibatalkan',
} as const;

/** L31 skala usaha. */
export const SKALA_USAHA = { '01': 'Mikro', '02': 'Kecil', '03': 'Menengah', '04': 'Besar' } as const;

/** L14 status NIB. */
export const STATUS_NIB = {
  '01': 'Aktif',
  '02': 'Belum Aktif',
  '03': 'Diizinkan Usaha',
  '04': 'Diizinkan Beroperasi',
  '05': 'Dibekukan',
  '06': 'Dicabut',
} as const;

/** L1 status penanaman modal. */
export const STATUS_PENANAMAN_MODAL = { '01': 'PMA', '02': 'PMDN', '03': 'Bukan PMA/PMDN (BUT)' } as const;

/** L27 jenis izin. */
export const JENIS_IZIN = {
  '01': 'Izin Dasar',
  '02': 'Izin',
  '04': 'Sertifikat Standar',
  K02: 'Persyaratan Standar',
  K03: 'UMKU',
} as const;

/** Lampiran 10 licence status. Codes outside it (e.g. "58") exist in real payloads and are stored, not rejected. */
export const STATUS_IZIN = {
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
} as const;

/** Licence statuses after which OSS no longer changes a licence on its own: the izin stream stops polling them. */
export const FINAL_STATUS_IZIN: readonly string[] = ['50', '57', '90', '93'];

/** L2 jenis perusahaan (subset used in the region). */
export const JENIS_PERSEROAN = {
  '01': 'PT',
  '02': 'CV',
  '07': 'Koperasi',
  '17': 'Perseorangan',
  '26': 'PT Perorangan',
  '28': 'BUM Desa',
} as const;

/** L15 BUPM requirements that oblige a partnership (Peraturan BKPM 3/2025). */
export const KD_DNI_PARTNERSHIP = ['65', '111', '115'] as const;

export const RISK_LEVELS = ['R', 'MR', 'MT', 'T'] as const;

/** jenis_pelaku_usaha (PIA Lampiran 18): a business entity or an individual (UMKM individuals are 02). */
export const JENIS_PELAKU_USAHA = { '01': 'Badan usaha', '02': 'Orang perseorangan' } as const;

/** A project's risk level (skala_resiko of PP 5/2021), as the office names it. */
export const SKALA_RESIKO: Readonly<Record<(typeof RISK_LEVELS)[number], string>> = {
  R: 'Rendah',
  MR: 'Menengah Rendah',
  MT: 'Menengah Tinggi',
  T: 'Tinggi',
};
