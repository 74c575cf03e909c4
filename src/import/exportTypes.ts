/*
 * The three OSS dashboard exports a DPMPTSP downloads (oss-domain.md §1.8): their exact header rows, their date
 * conventions, and the tables each one feeds. Headers are matched ignoring case, repeated spaces, "_" and a trailing
 * "."; "No." is optional; unknown and unnamed columns (DP NIB Kantor's flag column) are ignored.
 */
import type { ExportTargetSpec } from '../store/exports.js';
import type { DateOrder } from './values.js';

export type ExportTypeId = 'dp_proyek' | 'dp_nib_kantor' | 'list_izin';

export interface DateColumn {
  header: string;
  /** The order the export is known to use for numeric dates; the values can overrule it (decideDateOrder). */
  convention: DateOrder;
}

export interface ExportTypeDef {
  id: ExportTypeId;
  /** The dashboard's own name. */
  title: string;
  /** The header row exactly as OSS writes it. */
  headers: readonly string[];
  /** Headers that may be missing (the row counter "No."). */
  optional: readonly string[];
  dateColumns: readonly DateColumn[];
  /** DP NIB Kantor ends with a column without a name (a flag); it is ignored. */
  unnamedFlagColumn: boolean;
  /** The tables the export feeds; the first is the export's own entity (its rows are counted against it). */
  targets: readonly TargetDef[];
}

/** A table an export feeds, and which export columns feed it (for change detection on the cells as written). */
export interface TargetDef {
  spec: ExportTargetSpec;
  /** Export header holding the key. */
  keyHeader: string;
  /** Every export header whose cells determine this table's values (the key included). */
  sourceHeaders: readonly string[];
}

const t = (name: string, type: 'text' | 'date' | 'numeric' | 'integer' = 'text') => ({ name, type });

export const PROYEK_FROM_DP_PROYEK: ExportTargetSpec = {
  table: 'proyek',
  key: 'id_proyek',
  columns: [
    t('nib'),
    t('jenis_proyek'),
    t('skala_resiko'),
    t('nama_kegiatan'),
    t('skala_usaha'),
    t('kbli'),
    t('sektor'),
    t('luas_tanah', 'numeric'),
    t('satuan_luas_tanah'),
    t('jumlah_investasi', 'numeric'),
    t('tgl_pengajuan_proyek', 'date'),
    t('jumlah_tki', 'integer'),
  ],
};

export const PELAKU_FROM_DP_PROYEK: ExportTargetSpec = {
  table: 'pelaku_usaha',
  key: 'nib',
  columns: [t('nama_perseroan'), t('tgl_terbit_nib', 'date'), t('status_penanaman_modal'), t('jenis_perseroan')],
};

export const LOKASI_FROM_DP_PROYEK: ExportTargetSpec = {
  table: 'proyek_lokasi',
  key: 'id_proyek',
  location: true,
  columns: [t('nib'), t('alamat_usaha'), t('proyek_daerah_id'), t('kd_kecamatan')],
};

export const PELAKU_FROM_NIB_KANTOR: ExportTargetSpec = {
  table: 'pelaku_usaha',
  key: 'nib',
  columns: [
    t('tgl_terbit_nib', 'date'),
    t('nama_perseroan'),
    t('status_penanaman_modal'),
    t('jenis_perseroan'),
    t('skala_usaha'),
    t('alamat_perseroan'),
    t('kelurahan_perseroan'),
    t('perseroan_daerah_id'),
    t('kd_kecamatan'),
  ],
};

export const PERIZINAN_FROM_LIST_IZIN: ExportTargetSpec = {
  table: 'perizinan',
  key: 'id_izin',
  columns: [
    t('nib'),
    t('id_proyek'),
    t('tgl_izin', 'date'),
    t('jenis_izin'),
    t('nama_izin'),
    t('kewenangan'),
    t('kd_status'),
    t('uraian_status'),
  ],
};

export const PELAKU_FROM_LIST_IZIN: ExportTargetSpec = {
  table: 'pelaku_usaha',
  key: 'nib',
  columns: [t('nama_perseroan'), t('tgl_terbit_nib', 'date'), t('status_penanaman_modal')],
};

export const PROYEK_FROM_LIST_IZIN: ExportTargetSpec = {
  table: 'proyek',
  key: 'id_proyek',
  columns: [t('nib'), t('kbli'), t('skala_resiko')],
};

export const LOKASI_FROM_LIST_IZIN: ExportTargetSpec = {
  table: 'proyek_lokasi',
  key: 'id_proyek',
  location: true,
  columns: [t('nib'), t('proyek_daerah_id'), t('kd_kecamatan')],
};

export const DP_PROYEK: ExportTypeDef = {
  id: 'dp_proyek',
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
  optional: ['No.'],
  dateColumns: [
    { header: 'Tanggal Terbit Oss', convention: 'dmy' },
    { header: 'Day of Tanggal Pengajuan Proyek', convention: 'dmy' },
  ],
  unnamedFlagColumn: false,
  targets: [
    {
      spec: PROYEK_FROM_DP_PROYEK,
      keyHeader: 'Id Proyek',
      sourceHeaders: [
        'Id Proyek',
        'Nib',
        'Uraian_Jenis_Proyek',
        'Uraian Risiko Proyek',
        'nama_proyek',
        'Uraian Skala Usaha',
        'Kbli',
        'Judul Kbli',
        'KL/Sektor Pembina',
        'luas_tanah',
        'satuan_tanah',
        'Jumlah Investasi',
        'Day of Tanggal Pengajuan Proyek',
        'TKI',
      ],
    },
    {
      spec: PELAKU_FROM_DP_PROYEK,
      keyHeader: 'Nib',
      sourceHeaders: [
        'Nib',
        'Nama Perusahaan',
        'Tanggal Terbit Oss',
        'Uraian Status Penanaman Modal',
        'Uraian Jenis Perusahaan',
      ],
    },
    {
      spec: LOKASI_FROM_DP_PROYEK,
      keyHeader: 'Id Proyek',
      sourceHeaders: ['Id Proyek', 'Nib', 'Alamat Usaha', 'Kab Kota Usaha', 'kecamatan_usaha', 'kelurahan_usaha'],
    },
  ],
};

export const DP_NIB_KANTOR: ExportTypeDef = {
  id: 'dp_nib_kantor',
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
  optional: ['No.'],
  dateColumns: [{ header: 'Day of tanggal_terbit_oss', convention: 'mdy' }],
  unnamedFlagColumn: true,
  targets: [
    {
      spec: PELAKU_FROM_NIB_KANTOR,
      keyHeader: 'nib',
      sourceHeaders: [
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
    },
  ],
};

export const LIST_IZIN: ExportTypeDef = {
  id: 'list_izin',
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
  optional: ['No.'],
  dateColumns: [
    { header: 'Day of Tanggal Terbit Oss', convention: 'dmy' },
    { header: 'Day of Tgl Izin', convention: 'dmy' },
  ],
  unnamedFlagColumn: false,
  targets: [
    {
      spec: PERIZINAN_FROM_LIST_IZIN,
      keyHeader: 'Id Permohonan Izin',
      sourceHeaders: [
        'Id Permohonan Izin',
        'Nib',
        'Id Proyek',
        'Day of Tgl Izin',
        'Uraian Jenis Perizinan',
        'Nama Dokumen',
        'Uraian Kewenangan',
        'Kewenangan',
        'Status Perizinan',
      ],
    },
    {
      spec: PELAKU_FROM_LIST_IZIN,
      keyHeader: 'Nib',
      sourceHeaders: ['Nib', 'Nama Perusahaan', 'Day of Tanggal Terbit Oss', 'Uraian Status Penanaman Modal'],
    },
    {
      spec: PROYEK_FROM_LIST_IZIN,
      keyHeader: 'Id Proyek',
      sourceHeaders: ['Id Proyek', 'Nib', 'Kbli', 'Kd Resiko'],
    },
    {
      spec: LOKASI_FROM_LIST_IZIN,
      keyHeader: 'Id Proyek',
      sourceHeaders: ['Id Proyek', 'Nib', 'Propinsi', 'Kab Kota', 'kecamatan', 'kelurahan'],
    },
  ],
};

export const EXPORT_TYPES: readonly ExportTypeDef[] = [DP_PROYEK, DP_NIB_KANTOR, LIST_IZIN];

/** Comparison key of a header: "Uraian_Jenis_Proyek " ≡ "uraian jenis proyek", "No." ≡ "no". */
export function headerKey(h: string): string {
  return h
    .toLowerCase()
    .replace(/[_\s]+/g, ' ')
    .replace(/\.+$/, '')
    .trim();
}
