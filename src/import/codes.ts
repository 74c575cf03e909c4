/*
 * The descriptions the OSS dashboard exports print instead of codes ("Uraian …"), mapped back to the PIA code
 * tables (the Lampiran code lists, the risk levels, the authority levels). Each table lists the code with the
 * description the exports print first, then the other spellings seen for it. Matching ignores case, punctuation and
 * repeated spaces. A description that is not here is never guessed: the row is refused when the table is the whole
 * code list, kept as written and reported otherwise (convert.ts, CodeTableKind).
 */
import { STATUS_IZIN } from '../domain/codes.js';

/** One code table: code → [the export's description, other accepted spellings…]. */
export type DescriptionTable = Readonly<Record<string, readonly [string, ...string[]]>>;

/** L1 status penanaman modal. */
export const STATUS_PM_DESCRIPTIONS: DescriptionTable = {
  '01': ['PMA', 'Penanaman Modal Asing'],
  '02': ['PMDN', 'Penanaman Modal Dalam Negeri'],
  '03': ['Bukan PMA/PMDN', 'BUT', 'Bukan PMA/PMDN (BUT)'],
};

/** L2 jenis perusahaan (the whole table, not only the forms present in the region). */
export const JENIS_PERSEROAN_DESCRIPTIONS: DescriptionTable = {
  '01': ['Perseroan Terbatas (PT)', 'PT', 'Perseroan Terbatas'],
  '02': ['Persekutuan Komanditer (CV)', 'CV', 'Persekutuan Komanditer', 'Commanditaire Vennootschap'],
  '04': ['Badan Usaha Pemerintah'],
  '05': ['Firma', 'Persekutuan Firma'],
  '06': ['Persekutuan Perdata'],
  '07': ['Koperasi'],
  '08': ['Dana Pensiun'],
  '09': ['Persekutuan dan Perkumpulan', 'Perkumpulan'],
  '10': ['Yayasan'],
  '16': ['Bentuk Usaha Tetap (BUT)', 'Bentuk Usaha Tetap'],
  '17': ['Perorangan', 'Perseorangan', 'Usaha Perseorangan'],
  '18': ['Badan Layanan Umum', 'BLU'],
  '19': ['Badan Hukum Lainnya', 'Badan Hukum lain'],
  '20': ['Badan Usaha Lainnya', 'Badan Usaha Lainnya (STPW LN)'],
  '21': ['Perusahaan Umum (Perum)', 'Perum'],
  '22': ['Perusahaan Umum Daerah (Perumda)', 'Perumda'],
  '23': ['Perusahaan Daerah (Perusda)', 'Perusda'],
  '24': ['Badan Otorita Batam', 'BOB'],
  '25': ['Badan Usaha Perwakilan'],
  '26': ['Perseroan Perorangan', 'PT Perorangan', 'PT Perseorangan'],
  '27': ['Badan Pengelola Keuangan Haji', 'PBA'],
  '28': ['Badan Usaha Milik Desa (BUM Desa)', 'BUM Desa', 'BUMDes', 'Badan Usaha Milik Desa'],
  '29': ['BUM Desa Bersama', 'BUMDesma', 'Badan Usaha Milik Desa Bersama'],
};

/** L31 skala usaha. */
export const SKALA_USAHA_DESCRIPTIONS: DescriptionTable = {
  '01': ['Usaha Mikro', 'Mikro'],
  '02': ['Usaha Kecil', 'Kecil'],
  '03': ['Usaha Menengah', 'Menengah'],
  '04': ['Usaha Besar', 'Besar'],
};

/** Risk level (PP 5/2021): the exports print the level, List Izin's "Kd Resiko" the code itself. */
export const RISIKO_DESCRIPTIONS: DescriptionTable = {
  R: ['Rendah', 'R', 'Risiko Rendah'],
  MR: ['Menengah Rendah', 'MR', 'Risiko Menengah Rendah'],
  MT: ['Menengah Tinggi', 'MT', 'Risiko Menengah Tinggi'],
  T: ['Tinggi', 'T', 'Risiko Tinggi'],
};

/** L26 jenis proyek. */
export const JENIS_PROYEK_DESCRIPTIONS: DescriptionTable = {
  '01': ['Utama', 'Proyek Utama'],
  '02': ['Pendukung', 'Proyek Pendukung'],
  '03': ['Kantor Cabang Administrasi', 'Kantor Cabang'],
  '04': ['Perluasan'],
  '05': ['Pendukung UMKU'],
};

/** L27 jenis izin. */
export const JENIS_IZIN_DESCRIPTIONS: DescriptionTable = {
  '01': ['Izin Dasar', 'Persyaratan Dasar'],
  '02': ['Izin'],
  '04': ['Sertifikat Standar'],
  K02: ['Persyaratan Standar'],
  K03: ['PB UMKU', 'UMKU', 'Perizinan Berusaha Untuk Menunjang Kegiatan Usaha'],
};

/** Kewenangan (authority level of a checklist item). */
export const KEWENANGAN_DESCRIPTIONS: DescriptionTable = {
  '00': ['Pusat', 'Pemerintah Pusat', 'Kementerian/Lembaga'],
  '01': ['Provinsi', 'Pemerintah Provinsi', 'Pemerintah Daerah Provinsi'],
  '02': ['Kabupaten/Kota', 'Kab/Kota', 'Pemerintah Kabupaten/Kota', 'Pemerintah Daerah Kabupaten/Kota'],
};

/** L17 satuan luas tanah. */
export const SATUAN_TANAH_DESCRIPTIONS: DescriptionTable = {
  '01': ['M2', 'm²', 'Meter Persegi'],
  '02': ['Ha', 'Hektar', 'Hektare'],
};

/** L20 sektor: the exports name the supervising ministry ("KL/Sektor Pembina"). */
export const SEKTOR_DESCRIPTIONS: DescriptionTable = {
  '010': ['Kementerian Dalam Negeri', 'Dalam Negeri'],
  '018': ['Kementerian Pertanian', 'Pertanian'],
  '019': ['Kementerian Perindustrian', 'Industri', 'Perindustrian'],
  '020': ['Kementerian Energi dan Sumber Daya Mineral', 'ESDM', 'Energi dan Sumber Daya Mineral'],
  '022': ['Kementerian Perhubungan', 'Perhubungan'],
  '024': ['Kementerian Agama', 'Agama'],
  '026': ['Kementerian Ketenagakerjaan', 'Ketenagakerjaan'],
  '029': ['Kementerian Lingkungan Hidup dan Kehutanan', 'LHK', 'Lingkungan Hidup dan Kehutanan'],
  '032': ['Kementerian Kelautan dan Perikanan', 'Kelautan dan Perikanan'],
  '033': ['Kementerian Pekerjaan Umum dan Perumahan Rakyat', 'PUPR', 'Pekerjaan Umum dan Perumahan Rakyat'],
  '040': ['Kementerian Pariwisata', 'Pariwisata'],
  '044': ['Kementerian Koperasi dan UKM', 'Koperasi dan UKM'],
  '056': ['Kementerian ATR/BPN', 'ATR/BPN', 'Agraria dan Tata Ruang'],
  '059': ['Kementerian Komunikasi dan Informatika', 'Kominfo', 'Komunikasi dan Informatika'],
  '060': ['Kepolisian Negara Republik Indonesia', 'Kepolisian', 'Polri'],
  '063': ['Badan Pengawas Obat dan Makanan', 'POM', 'BPOM', 'Badan POM'],
  '090': ['Kementerian Perdagangan', 'Perdagangan'],
};

/** Lampiran 10 licence status: the descriptions are the code table's own. */
export const STATUS_IZIN_DESCRIPTIONS: DescriptionTable = Object.fromEntries(
  Object.entries(STATUS_IZIN).map(([code, uraian]) => {
    const short = uraian.replace(/\s*\(.*\)\s*$/, '');
    return [code, short === uraian ? [uraian] : [uraian, short]];
  }),
) as DescriptionTable;

/** Cell values that mean "no value" in the exports (Tableau prints "Null", the DPMPTSP apps bucket blanks as "KOSONG"). */
const BLANK_TOKENS = new Set(['', '-', '--', 'kosong', '(kosong)', 'null', '(null)', '(blank)', 'n/a', '#n/a']);

/** True for an empty cell or a "no value" token ("KOSONG", "-", "Null"). */
export function isBlankToken(s: string): boolean {
  if (s.length > 10) return false;
  if (s.length > 0) {
    // Fast path: every token starts (after spaces) with one of "-", "(", "#", k/K, n/N.
    const c = s.charCodeAt(0);
    if (c !== 45 && c !== 40 && c !== 35 && c !== 107 && c !== 75 && c !== 110 && c !== 78 && c !== 32 && c !== 9)
      return false;
  }
  return BLANK_TOKENS.has(s.trim().toLowerCase());
}

/** Comparison key of a description: lower case, letters and digits only, single spaces ("Kab/Kota" ≡ "kab kota"). */
export function descriptionKey(s: string): string {
  return s
    .toLowerCase()
    .replace(/²/g, '2')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** A compiled table: description key → code. */
export type DescriptionIndex = ReadonlyMap<string, string>;

/** Builds the lookup of a table; every code also matches itself ("02" ≡ "2" for two-digit numeric codes). */
export function indexDescriptions(table: DescriptionTable): DescriptionIndex {
  const out = new Map<string, string>();
  for (const [code, names] of Object.entries(table)) {
    for (const name of names) out.set(descriptionKey(name), code);
    out.set(descriptionKey(code), code);
    if (/^0\d$/.test(code)) out.set(code.slice(1), code);
  }
  return out;
}
