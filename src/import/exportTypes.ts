/*
 * The three OSS dashboard exports a DPMPTSP downloads, each declared as one table: its exact header row, and per
 * column the converter of its cells and the table.column its value goes to. Everything else the import needs (the
 * tables it writes, their keys, the cells that feed each table, the date columns) is derived from that table, and a
 * definition that does not hold together (a target column no table has, a table without its key, a header not in
 * the header row) is refused when it is defined. Headers are matched ignoring case, repeated spaces, "_" and a
 * trailing "."; "No." is optional; unknown and unnamed columns (DP NIB Kantor's flag column) are ignored.
 */
import { EXPORT_COLUMNS, type ExportTable, type ExportTargetSpec, exportTarget } from '../store/exports.js';
import {
  JENIS_IZIN_DESCRIPTIONS,
  JENIS_PERSEROAN_DESCRIPTIONS,
  JENIS_PROYEK_DESCRIPTIONS,
  KEWENANGAN_DESCRIPTIONS,
  RISIKO_DESCRIPTIONS,
  SATUAN_TANAH_DESCRIPTIONS,
  SEKTOR_DESCRIPTIONS,
  SKALA_USAHA_DESCRIPTIONS,
  STATUS_IZIN_DESCRIPTIONS,
  STATUS_PM_DESCRIPTIONS,
} from './codes.js';
import {
  amount,
  type Converter,
  code,
  count,
  date,
  idIzin,
  idProyek,
  kbli,
  kewenangan,
  licenceStatus,
  nib,
  optionalIdProyek,
  type RegionHeaders,
  region,
  regionHeaders,
  text,
} from './convert.js';
import type { DateOrder } from './values.js';

export type ExportTypeId = 'dp_proyek' | 'dp_nib_kantor' | 'list_izin';

/** Where a value goes: "table.column" of a table an export writes. */
export type Target = `${ExportTable}.${string}`;

/** One field of an export: the column it is read (and reported) at, what its cells become, where that goes. */
export interface FieldDef {
  header: string;
  /** Other headers the converter reads (region names, a KBLI's title). */
  reads: readonly string[];
  convert: Converter;
  /** The table columns it fills: one cell may feed several tables (Nib feeds the project, the business, the location). */
  to: readonly Target[];
  /** A date column: the order the export is known to use for numeric dates (its values can overrule it). */
  dateConvention?: DateOrder;
}

export interface DateColumn {
  header: string;
  /** The order the export is known to use for numeric dates; the values can overrule it (decideDateOrder). */
  convention: DateOrder;
}

/** A table an export feeds, and the export's fields that fill it. */
export interface TargetDef {
  spec: ExportTargetSpec;
  /** Export header holding the key. */
  keyHeader: string;
  /** Every export header whose cells determine this table's values (the key included): change detection hashes them. */
  sourceHeaders: readonly string[];
  /** Table column → the index (in ExportTypeDef.fields) of the field that fills it. */
  columns: ReadonlyArray<readonly [column: string, field: number]>;
}

export interface ExportTypeDef {
  id: ExportTypeId;
  /** The dashboard's own name. */
  title: string;
  /** The header row exactly as OSS writes it. */
  headers: readonly string[];
  /** Headers that may be missing (the row counter "No."). */
  optional: readonly string[];
  /** DP NIB Kantor ends with a column without a name (a flag); it is ignored. */
  unnamedFlagColumn: boolean;
  fields: readonly FieldDef[];
  /** The tables the export feeds; the first is the export's own entity (its rows are counted against it). */
  targets: readonly TargetDef[];
  dateColumns: readonly DateColumn[];
}

/** A field read from one column. */
export function column(header: string, convert: Converter, ...to: Target[]): FieldDef {
  return { header, reads: [], convert, to };
}

/** A date column, with the day/month order the export is known to write. */
function dateColumn(header: string, convention: DateOrder, ...to: Target[]): FieldDef {
  return { header, reads: [], convert: date, to, dateConvention: convention };
}

/** A KBLI column, with the title column that can restore its leading zero. */
function kbliColumn(header: string, titleHeader: string | null, ...to: Target[]): FieldDef {
  return { header, reads: titleHeader ? [titleHeader] : [], convert: kbli(titleHeader), to };
}

/** The two codes the region names of a row resolve to: desa/kelurahan (10 digits) and kecamatan (6). */
function regionColumns(names: RegionHeaders, to: { desa: Target; kecamatan: Target }): FieldDef[] {
  const all = regionHeaders(names);
  return [
    { header: names.desa, reads: all.filter((h) => h !== names.desa), convert: region(names, 'desa'), to: [to.desa] },
    {
      header: names.kecamatan,
      reads: all.filter((h) => h !== names.kecamatan),
      convert: region(names, 'kecamatan'),
      to: [to.kecamatan],
    },
  ];
}

/** A definition that does not hold together. */
export class ExportDefinitionError extends Error {}

/**
 * An export type from its header row and fields: derives the tables it writes (in `tables` order, its own entity
 * first), their keys and source cells, and the date columns; throws ExportDefinitionError when the fields do not
 * hold together.
 */
export function defineExport(def: {
  id: ExportTypeId;
  title: string;
  headers: readonly string[];
  optional?: readonly string[];
  unnamedFlagColumn?: boolean;
  tables: readonly ExportTable[];
  fields: readonly FieldDef[];
}): ExportTypeDef {
  const refuse = (why: string) => {
    throw new ExportDefinitionError(`export type ${def.title}: ${why}`);
  };
  if (def.tables.length === 0) refuse('it writes no table');
  const known = new Set(def.headers);
  for (const f of def.fields) {
    for (const h of [f.header, ...f.reads]) if (!known.has(h)) refuse(`"${h}" is not in its header row`);
    if (f.to.length === 0) refuse(`"${f.header}" fills no table column`);
  }
  const filled = new Map<ExportTable, Map<string, number>>(def.tables.map((t) => [t, new Map()]));
  def.fields.forEach((f, i) => {
    for (const target of f.to) {
      const dot = target.indexOf('.');
      const table = target.slice(0, dot) as ExportTable;
      const col = target.slice(dot + 1);
      const columns = filled.get(table);
      if (!columns) refuse(`"${f.header}" fills ${target}, but ${table} is not one of its tables`);
      else if (columns.has(col)) refuse(`${target} is filled twice`);
      else columns.set(col, i);
    }
  });
  const targets = def.tables.map((table): TargetDef => {
    const columns = filled.get(table)!;
    let spec: ExportTargetSpec;
    try {
      spec = exportTarget(table, columns.keys());
    } catch (err) {
      return refuse((err as Error).message.replace(/^export: /, ''));
    }
    const keyField = def.fields[columns.get(EXPORT_COLUMNS[table].key)!]!;
    const sourceHeaders = [keyField.header];
    for (const i of new Set(columns.values())) {
      for (const h of [def.fields[i]!.header, ...def.fields[i]!.reads]) {
        if (!sourceHeaders.includes(h)) sourceHeaders.push(h);
      }
    }
    return { spec, keyHeader: keyField.header, sourceHeaders, columns: [...columns.entries()] };
  });
  const dateColumns = def.fields.flatMap((f) =>
    f.dateConvention ? [{ header: f.header, convention: f.dateConvention }] : [],
  );
  return {
    id: def.id,
    title: def.title,
    headers: def.headers,
    optional: def.optional ?? [],
    unnamedFlagColumn: def.unnamedFlagColumn ?? false,
    fields: def.fields,
    targets,
    dateColumns,
  };
}

// Fields are listed by the table they fill, the export's own entity first: a row's problems are reported in this order.

export const DP_PROYEK = defineExport({
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
  tables: ['proyek', 'pelaku_usaha', 'proyek_lokasi'],
  fields: [
    column('Id Proyek', idProyek, 'proyek.id_proyek', 'proyek_lokasi.id_proyek'),
    column('Nib', nib, 'proyek.nib', 'pelaku_usaha.nib', 'proyek_lokasi.nib'),
    column('Uraian_Jenis_Proyek', code(JENIS_PROYEK_DESCRIPTIONS, 'closed'), 'proyek.jenis_proyek'),
    column('Uraian Risiko Proyek', code(RISIKO_DESCRIPTIONS, 'closed'), 'proyek.skala_resiko'),
    column('nama_proyek', text, 'proyek.nama_kegiatan'),
    column('Uraian Skala Usaha', code(SKALA_USAHA_DESCRIPTIONS, 'closed'), 'proyek.skala_usaha'),
    kbliColumn('Kbli', 'Judul Kbli', 'proyek.kbli'),
    column('KL/Sektor Pembina', code(SEKTOR_DESCRIPTIONS, 'open'), 'proyek.sektor'),
    column('luas_tanah', amount, 'proyek.luas_tanah'),
    column('satuan_tanah', code(SATUAN_TANAH_DESCRIPTIONS, 'closed'), 'proyek.satuan_luas_tanah'),
    column('Jumlah Investasi', amount, 'proyek.jumlah_investasi'),
    dateColumn('Day of Tanggal Pengajuan Proyek', 'dmy', 'proyek.tgl_pengajuan_proyek'),
    column('TKI', count, 'proyek.jumlah_tki'),
    column('Nama Perusahaan', text, 'pelaku_usaha.nama_perseroan'),
    dateColumn('Tanggal Terbit Oss', 'dmy', 'pelaku_usaha.tgl_terbit_nib'),
    column(
      'Uraian Status Penanaman Modal',
      code(STATUS_PM_DESCRIPTIONS, 'closed'),
      'pelaku_usaha.status_penanaman_modal',
    ),
    column('Uraian Jenis Perusahaan', code(JENIS_PERSEROAN_DESCRIPTIONS, 'open'), 'pelaku_usaha.jenis_perseroan'),
    column('Alamat Usaha', text, 'proyek_lokasi.alamat_usaha'),
    ...regionColumns(
      { kabupaten: 'Kab Kota Usaha', kecamatan: 'kecamatan_usaha', desa: 'kelurahan_usaha' },
      { desa: 'proyek_lokasi.proyek_daerah_id', kecamatan: 'proyek_lokasi.kd_kecamatan' },
    ),
  ],
});

export const DP_NIB_KANTOR = defineExport({
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
  unnamedFlagColumn: true,
  tables: ['pelaku_usaha'],
  fields: [
    column('nib', nib, 'pelaku_usaha.nib'),
    dateColumn('Day of tanggal_terbit_oss', 'mdy', 'pelaku_usaha.tgl_terbit_nib'),
    column('nama_perusahaan', text, 'pelaku_usaha.nama_perseroan'),
    column('status_penanaman_modal', code(STATUS_PM_DESCRIPTIONS, 'closed'), 'pelaku_usaha.status_penanaman_modal'),
    column('uraian_jenis_perusahaan', code(JENIS_PERSEROAN_DESCRIPTIONS, 'open'), 'pelaku_usaha.jenis_perseroan'),
    column('uraian_skala_usaha', code(SKALA_USAHA_DESCRIPTIONS, 'closed'), 'pelaku_usaha.skala_usaha'),
    column('Alamat Perusahaan', text, 'pelaku_usaha.alamat_perseroan'),
    column('kelurahan', text, 'pelaku_usaha.kelurahan_perseroan'),
    ...regionColumns(
      { kabupaten: 'kab_kota', kecamatan: 'kecamatan', desa: 'kelurahan' },
      { desa: 'pelaku_usaha.perseroan_daerah_id', kecamatan: 'pelaku_usaha.kd_kecamatan' },
    ),
  ],
});

export const LIST_IZIN = defineExport({
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
  tables: ['perizinan', 'pelaku_usaha', 'proyek', 'proyek_lokasi'],
  fields: [
    column('Id Permohonan Izin', idIzin, 'perizinan.id_izin'),
    column('Nib', nib, 'perizinan.nib', 'pelaku_usaha.nib', 'proyek.nib', 'proyek_lokasi.nib'),
    column('Id Proyek', optionalIdProyek, 'perizinan.id_proyek', 'proyek.id_proyek', 'proyek_lokasi.id_proyek'),
    dateColumn('Day of Tgl Izin', 'dmy', 'perizinan.tgl_izin'),
    column('Uraian Jenis Perizinan', code(JENIS_IZIN_DESCRIPTIONS, 'closed'), 'perizinan.jenis_izin'),
    column('Nama Dokumen', text, 'perizinan.nama_izin'),
    {
      header: 'Kewenangan',
      reads: ['Uraian Kewenangan'],
      convert: kewenangan(KEWENANGAN_DESCRIPTIONS, 'Uraian Kewenangan'),
      to: ['perizinan.kewenangan'],
    },
    column('Status Perizinan', licenceStatus(STATUS_IZIN_DESCRIPTIONS, 'code'), 'perizinan.kd_status'),
    column('Status Perizinan', licenceStatus(STATUS_IZIN_DESCRIPTIONS, 'text'), 'perizinan.uraian_status'),
    column('Nama Perusahaan', text, 'pelaku_usaha.nama_perseroan'),
    dateColumn('Day of Tanggal Terbit Oss', 'dmy', 'pelaku_usaha.tgl_terbit_nib'),
    column(
      'Uraian Status Penanaman Modal',
      code(STATUS_PM_DESCRIPTIONS, 'closed'),
      'pelaku_usaha.status_penanaman_modal',
    ),
    kbliColumn('Kbli', null, 'proyek.kbli'),
    column('Kd Resiko', code(RISIKO_DESCRIPTIONS, 'closed'), 'proyek.skala_resiko'),
    ...regionColumns(
      { province: 'Propinsi', kabupaten: 'Kab Kota', kecamatan: 'kecamatan', desa: 'kelurahan' },
      { desa: 'proyek_lokasi.proyek_daerah_id', kecamatan: 'proyek_lokasi.kd_kecamatan' },
    ),
  ],
});

export const EXPORT_TYPES: readonly ExportTypeDef[] = [DP_PROYEK, DP_NIB_KANTOR, LIST_IZIN];

/** Comparison key of a header: "Uraian_Jenis_Proyek " ≡ "uraian jenis proyek", "No." ≡ "no". */
export function headerKey(h: string): string {
  return h
    .toLowerCase()
    .replace(/[_\s]+/g, ' ')
    .replace(/\.+$/, '')
    .trim();
}
