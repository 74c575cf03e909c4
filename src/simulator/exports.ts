/*
 * The OSS dashboard exports of a simulated world ("DP Proyek", "DP NIB Kantor", "List Izin"), as csv or xlsx, the
 * way a DPMPTSP downloads them: the exact header rows (exportLayout.ts) under a title and a
 * "Tanggal Pengambilan Data" row, descriptions instead of codes, each column's own date format (d/m/Y, m/d/Y
 * without leading zeros, d/m/y, "14 Maret 2023", and Excel day numbers in xlsx, with a few numeric dates mixed into
 * the long-date column), "." thousands and "," decimals, blanks and "KOSONG", and a tail of rows that repeat
 * earlier ones (an appended snapshot).
 *
 * Rows come from the world first (every record of the kabupaten, in listing order); a larger `rows` is filled with
 * synthetic records generated from their index (deterministic, no memory), so a 1,000,000-row file streams out in
 * seconds. Both writers stream. exceljs's WorkbookWriter keeps the sheet's XML until commit (about 1 KB per row).
 */
import { createWriteStream } from 'node:fs';
import ExcelJS from 'exceljs';
import { loadReference } from '../reference.js';
import { KBLI_INFO, NAME_WORDS, OUTSIDE, STREETS, VILLAGES } from './catalog.js';
import {
  descriptionOf,
  JENIS_IZIN_TEXT,
  JENIS_PERSEROAN_TEXT,
  JENIS_PROYEK_TEXT,
  KEWENANGAN_TEXT,
  RISIKO_TEXT,
  SATUAN_TANAH_TEXT,
  SEKTOR_TEXT,
  SKALA_USAHA_TEXT,
  STATUS_IZIN_TEXT,
  STATUS_PM_TEXT,
} from './exportCodes.js';
import { csvQuote, indonesianLongDate, indonesianNumber } from './exportFormat.js';
import { EXPORT_LAYOUTS, type SimExportType } from './exportLayout.js';
import { hash32 } from './prng.js';
import { dateOfId, dayOf, dayStartSec, dayToDate, idStamp } from './time.js';
import type { SimChecklist, SimDataNib, SimProyek } from './types.js';
import type { SimulatorWorld } from './world.js';

/** One cell as written: text, a number, or a date (xlsx writes an Excel day number). */
export type ExportCell = string | number | Date | null;

export interface WriteExportOptions {
  world: SimulatorWorld;
  type: SimExportType;
  format: 'csv' | 'xlsx';
  path: string;
  /** The snapshot date in the title row, 'YYYY-MM-DD' (default: the world's WIB day). */
  snapshotDate?: string;
  /** Data rows in the file, repeats included. Default: the world's records plus the repeats. */
  rows?: number;
  /** Share of the rows that repeat an earlier row at the end of the file (default 0.02). */
  duplicateFraction?: number;
  /** Title lines above the header (default true). */
  titleRows?: boolean;
  /** csv delimiter (default ","; Excel in an Indonesian locale writes ";"). */
  delimiter?: ',' | ';';
  /** Thousands separators, blanks/KOSONG, mixed and unpadded dates (default true). */
  quirks?: boolean;
  /** Tests: edit (or drop, with null) a row before it is written; `index` counts data rows from 0. */
  transform?: (row: Record<string, ExportCell>, index: number) => Record<string, ExportCell> | null;
}

export interface ExportWriteResult {
  path: string;
  /** Data rows written (repeats included). */
  rows: number;
  worldRows: number;
  syntheticRows: number;
  duplicates: number;
  /** 1-based row (csv line) of the header. */
  headerRow: number;
}

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A date cell in a given style; a value that is not an ISO date (a planted bad one) is written as it is. */
function dateCell(iso: string | null | undefined, style: 'dmy' | 'mdy' | 'dmy2' | 'long' | 'excel'): ExportCell {
  if (!iso) return '';
  const m = ISO_RE.exec(iso);
  if (!m) return iso;
  const [, y, mo, d] = m as unknown as [string, string, string, string];
  switch (style) {
    case 'dmy':
      return `${d}/${mo}/${y}`;
    case 'mdy':
      return `${Number(mo)}/${Number(d)}/${y}`;
    case 'dmy2':
      return `${d}/${mo}/${y.slice(2)}`;
    case 'long':
      return indonesianLongDate(iso);
    case 'excel':
      return new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  }
}

const KEC_OUTSIDE: Record<string, string> = {
  [OUTSIDE.patiJuwana.code]: 'Juwana',
  [OUTSIDE.jakartaUtara.code]: 'Pademangan',
  [OUTSIDE.jakartaBarat.code]: 'Kebon Jeruk',
  [OUTSIDE.semarang.code]: 'Semarang Utara',
  [OUTSIDE.surabaya.code]: 'Pabean Cantian',
};

/** Region names of a 10-digit code as the exports print them. */
class PlaceNames {
  private readonly ref = loadReference();
  private readonly desa = new Map<string, string>();
  constructor() {
    for (const v of VILLAGES) this.desa.set(v.code, v.name);
    for (const o of Object.values(OUTSIDE)) this.desa.set(o.code, o.name);
    for (const [code, name] of Object.entries(this.ref.desa)) this.desa.set(code, name);
  }
  kabupaten(code: string): string {
    const name = this.ref.kabupaten[code.slice(0, 4)];
    if (!name) return '';
    return (name.startsWith('Kota ') ? name : `Kabupaten ${name}`).toUpperCase();
  }
  province(code: string): string {
    return (this.ref.provinces[code.slice(0, 2)] ?? '').toUpperCase();
  }
  kecamatan(code: string): string {
    return this.ref.kecamatan[code.slice(0, 6)] ?? KEC_OUTSIDE[code] ?? '';
  }
  village(code: string): string {
    return this.desa.get(code) ?? '';
  }
}

interface Ctx {
  world: SimulatorWorld;
  quirks: boolean;
  xlsx: boolean;
  places: PlaceNames;
  kbliTitles: Readonly<Record<string, string>>;
  /** 0..99, deterministic per row and purpose. */
  pick(row: number, purpose: number): number;
}

const money = (ctx: Ctx, row: number, decimal: string | null | undefined): ExportCell => {
  if (!decimal) return '';
  // Most cells carry thousands separators; a few arrive plain, as a re-saved sheet would.
  return ctx.quirks && ctx.pick(row, 11) >= 10 ? indonesianNumber(decimal) : decimal;
};

const inRegion = (world: SimulatorWorld, code: string | null | undefined) =>
  typeof code === 'string' && code.startsWith(world.kdDaerah);

/** The main location of a project (status 01 first). */
function mainLocation(p: SimProyek) {
  return p.data_lokasi_proyek.find((l) => l.status_lokasi === '01') ?? p.data_lokasi_proyek[0];
}

/** DP Proyek row of one project of one NIB document. */
function dpProyekRow(ctx: Ctx, doc: SimDataNib, p: SimProyek, row: number): ExportCell[] {
  const loc = mainLocation(p);
  const code = loc?.proyek_daerah_id ?? '';
  const blankLand = ctx.quirks && ctx.pick(row, 3) < 2;
  const pengajuan = dateOfId(p.id_proyek);
  // The long-date column carries a few numeric day-first dates too (mixed formats within a column).
  const pengajuanStyle = ctx.quirks && ctx.pick(row, 5) < 5 ? 'dmy' : 'long';
  return [
    row + 1,
    p.id_proyek,
    descriptionOf(JENIS_PROYEK_TEXT, p.jenis_proyek),
    doc.nib,
    doc.nama_perseroan,
    dateCell(doc.tgl_terbit_nib, ctx.xlsx ? 'excel' : 'dmy'),
    descriptionOf(STATUS_PM_TEXT, doc.status_penanaman_modal),
    descriptionOf(JENIS_PERSEROAN_TEXT, doc.jenis_perseroan),
    descriptionOf(RISIKO_TEXT, p.skala_resiko),
    p.nama_kegiatan,
    descriptionOf(SKALA_USAHA_TEXT, p.skala_usaha),
    loc?.alamat_usaha ?? '',
    code ? ctx.places.kabupaten(code) : '',
    code ? ctx.places.kecamatan(code) : '',
    code ? ctx.places.village(code) : '',
    dateCell(pengajuan, pengajuanStyle),
    p.kbli,
    ctx.kbliTitles[p.kbli] ?? p.uraian_usaha,
    descriptionOf(SEKTOR_TEXT, p.sektor),
    blankLand ? '' : money(ctx, row, p.luas_tanah),
    blankLand ? '' : descriptionOf(SATUAN_TANAH_TEXT, p.satuan_luas_tanah),
    money(ctx, row, p.jumlah_investasi),
    money(ctx, row, String(p.jumlah_tki_l + p.jumlah_tki_p)),
  ];
}

/** DP NIB Kantor row of one NIB document. */
function nibKantorRow(ctx: Ctx, doc: SimDataNib, row: number): ExportCell[] {
  const code = doc.perseroan_daerah_id;
  const noAddress = ctx.quirks && ctx.pick(row, 7) < 2;
  return [
    row + 1,
    doc.nib,
    dateCell(doc.tgl_terbit_nib, 'mdy'),
    doc.nama_perseroan,
    descriptionOf(STATUS_PM_TEXT, doc.status_penanaman_modal),
    descriptionOf(JENIS_PERSEROAN_TEXT, doc.jenis_perseroan),
    descriptionOf(SKALA_USAHA_TEXT, doc.skala_usaha),
    noAddress ? '-' : doc.alamat_perseroan,
    doc.kelurahan_perseroan,
    ctx.places.kecamatan(code),
    ctx.places.kabupaten(code),
    doc.flag_umk,
  ];
}

/** List Izin row of one checklist item. */
function listIzinRow(ctx: Ctx, doc: SimDataNib, item: SimChecklist, row: number): ExportCell[] {
  const p = doc.data_proyek.find((x) => x.id_proyek === item.id_proyek);
  const code = (p && mainLocation(p)?.proyek_daerah_id) || doc.perseroan_daerah_id;
  const kosong = ctx.quirks && ctx.pick(row, 9) < 3;
  const kewenangan = item.kewenangan;
  return [
    row + 1,
    item.id_izin,
    doc.nama_perseroan,
    doc.nib,
    dateCell(doc.tgl_terbit_nib, 'dmy2'),
    descriptionOf(STATUS_PM_TEXT, doc.status_penanaman_modal),
    ctx.places.province(code),
    ctx.places.kabupaten(code),
    ctx.places.kecamatan(code),
    ctx.places.village(code),
    item.id_proyek,
    kosong ? 'KOSONG' : (p?.skala_resiko ?? 'KOSONG'),
    p?.kbli ?? '',
    dateCell(item.tgl_izin, 'dmy2'),
    descriptionOf(JENIS_IZIN_TEXT, item.jenis_izin),
    item.nama_izin,
    kewenangan ? descriptionOf(KEWENANGAN_TEXT, kewenangan) : '',
    item.uraian ?? descriptionOf(STATUS_IZIN_TEXT, item.status_checklist),
    // Tableau drops the leading zero of a numeric-looking code: "02" → "2".
    ctx.quirks && /^0\d$/.test(kewenangan) ? kewenangan.slice(1) : kewenangan,
    p ? descriptionOf(SEKTOR_TEXT, p.sektor) : '',
  ];
}

/** The world's own rows of an export, in listing order. */
function* worldRows(ctx: Ctx, type: SimExportType): Generator<ExportCell[]> {
  let row = 0;
  for (const doc of ctx.world.allBusinesses()) {
    if (type === 'dp_proyek') {
      for (const p of doc.data_proyek) {
        if (p.data_lokasi_proyek.some((l) => inRegion(ctx.world, l.proyek_daerah_id)))
          yield dpProyekRow(ctx, doc, p, row++);
      }
    } else if (type === 'dp_nib_kantor') {
      if (inRegion(ctx.world, doc.perseroan_daerah_id)) yield nibKantorRow(ctx, doc, row++);
    } else {
      for (const item of doc.data_checklist) {
        const p = doc.data_proyek.find((x) => x.id_proyek === item.id_proyek);
        const here =
          inRegion(ctx.world, item.kd_daerah) ||
          (p?.data_lokasi_proyek ?? []).some((l) => inRegion(ctx.world, l.proyek_daerah_id));
        if (here) yield listIzinRow(ctx, doc, item, row++);
      }
    }
  }
}

const KBLIS = Object.keys(KBLI_INFO);
const RESOLVABLE = VILLAGES.filter((v) => !v.extra);
const FORMS = ['17', '17', '17', '02', '26', '01', '07'] as const;
const SYNTH_START_DAY = dayOf(2021, 8, 2);

/**
 * A synthetic NIB document for index `k` (three projects per NIB, one licence per project): ids, NIBs and values
 * follow from k alone. NIBs start with 7 and never meet the world's (9…/8…).
 */
function syntheticDoc(seed: number, k: number): SimDataNib {
  const group = Math.floor(k / 3);
  const h = hash32(seed, 901, group);
  const h2 = hash32(seed, 902, k);
  const day = SYNTH_START_DAY + (group % 1500);
  const village = RESOLVABLE[h % RESOLVABLE.length]!;
  const kbli = KBLIS[h2 % KBLIS.length]!;
  const info = KBLI_INFO[kbli]!;
  const form = FORMS[h % FORMS.length]!;
  const sec = dayStartSec(day) + 8 * 3600 + (h2 % 28_800);
  const idProyek = `R-${idStamp(sec, k % 1000)}${String(Math.floor(k / 1000) % 10_000).padStart(4, '0')}`;
  const nib = String(7_100_000_000_000 + group);
  const words = NAME_WORDS[h % NAME_WORDS.length]!;
  const nama = form === '17' ? `UD. ${words}` : `${form === '02' ? 'CV' : form === '07' ? 'KOPERASI' : 'PT'} ${words}`;
  const address = `${STREETS[h2 % STREETS.length]} NO. ${1 + (h2 % 120)}, DESA ${village.name.toUpperCase()}`;
  const risk = kbli.startsWith('47') || kbli.startsWith('031') ? 'R' : h2 % 5 === 0 ? 'MT' : 'MR';
  const terbit = dayToDate(day);
  const p = {
    id_proyek: idProyek,
    jenis_proyek: '01',
    nama_kegiatan: `${info.produk.toUpperCase()} ${words}`,
    uraian_usaha: info.uraian,
    kbli,
    sektor: info.sektor,
    skala_usaha: h2 % 10 === 0 ? '02' : '01',
    skala_resiko: risk,
    luas_tanah: String(20 + (h2 % 2_000)),
    satuan_luas_tanah: '01',
    jumlah_investasi: String(((h2 % 5_000) + 10) * 1_000_000),
    jumlah_tki_l: 1 + (h2 % 20),
    jumlah_tki_p: h % 15,
    data_lokasi_proyek: [{ proyek_daerah_id: village.code, alamat_usaha: address, status_lokasi: '01' }],
  } as unknown as SimProyek;
  const item = {
    id_izin: `I-${idProyek.slice(2)}`,
    id_proyek: idProyek,
    jenis_izin: '04',
    nama_izin: `Sertifikat Standar ${info.uraian}`,
    kewenangan: '02',
    kd_daerah: `${village.code.slice(0, 4)}000000`,
    status_checklist: h2 % 4 === 0 ? '45' : '50',
    tgl_izin: h2 % 4 === 0 ? '' : terbit,
  } as unknown as SimChecklist;
  return {
    nib,
    nama_perseroan: nama,
    tgl_terbit_nib: terbit,
    status_penanaman_modal: '02',
    jenis_perseroan: form,
    skala_usaha: p.skala_usaha,
    flag_umk: 'Y',
    alamat_perseroan: address,
    kelurahan_perseroan: village.name.toUpperCase(),
    perseroan_daerah_id: village.code,
    data_proyek: [p],
    data_checklist: [item],
  } as unknown as SimDataNib;
}

function syntheticRow(ctx: Ctx, type: SimExportType, k: number, row: number): ExportCell[] {
  const doc = syntheticDoc(ctx.world.seed, k);
  if (type === 'dp_proyek') return dpProyekRow(ctx, doc, doc.data_proyek[0]!, row);
  if (type === 'dp_nib_kantor') return nibKantorRow(ctx, { ...doc, nib: String(7_500_000_000_000 + k) }, row);
  return listIzinRow(ctx, doc, doc.data_checklist[0]!, row);
}

/** Writes an export of the world. Deterministic: the same world and options give the same bytes (csv). */
export async function writeWorldExport(opts: WriteExportOptions): Promise<ExportWriteResult> {
  const def = EXPORT_LAYOUTS[opts.type];
  const headers = def.headers;
  const quirks = opts.quirks ?? true;
  const ref = loadReference();
  const seed = opts.world.seed;
  const ctx: Ctx = {
    world: opts.world,
    quirks,
    xlsx: opts.format === 'xlsx',
    places: new PlaceNames(),
    kbliTitles: ref.kbli,
    pick: (row, purpose) => hash32(seed, 900, purpose, row) % 100,
  };
  const snapshot = opts.snapshotDate ?? dayToDate(opts.world.nowDay);
  const dupFraction = opts.duplicateFraction ?? 0.02;
  const writer = opts.format === 'csv' ? csvWriter(opts.path, opts.delimiter ?? ',') : xlsxWriter(opts.path, def.title);
  const titleRows = opts.titleRows ?? true;
  let line = 0;
  if (titleRows) {
    await writer.row([`${def.title} - DPMPTSP ${ctx.places.kabupaten(`${opts.world.kdDaerah}000000`)}`]);
    await writer.row([`Tanggal Pengambilan Data: ${indonesianLongDate(snapshot)}`]);
    line = 2;
  }
  const headerRow = [...headers] as ExportCell[];
  if (def.unnamedFlagColumn) headerRow.push('');
  await writer.row(headerRow);
  const headerLine = line + 1;

  const world = [...worldRows(ctx, opts.type)];
  const total = opts.rows ?? world.length + Math.floor(world.length * dupFraction);
  const duplicates =
    opts.rows === undefined ? total - world.length : Math.min(Math.floor(total * dupFraction), Math.max(0, total - 1));
  const base = total - duplicates;
  // Rows the appended snapshot repeats: the world row's cells, or a synthetic row's (index, row number).
  const kept: Array<ExportCell[] | { k: number; r: number }> = [];
  const keepEvery = duplicates > 0 ? Math.max(1, Math.floor(base / duplicates)) : 0;
  const named = opts.transform
    ? (cells: ExportCell[]) => Object.fromEntries(headers.map((h, i) => [h, cells[i] ?? null]))
    : null;
  let written = 0;
  const emit = async (cells: ExportCell[]) => {
    let out = cells;
    if (opts.transform && named) {
      const edited = opts.transform(named(cells), written);
      if (edited === null) return;
      out = headers.map((h) => edited[h] ?? null);
      if (def.unnamedFlagColumn) out.push(cells[headers.length] ?? null);
    }
    await writer.row(out);
    written++;
  };
  let worldUsed = 0;
  for (let r = 0; r < base; r++) {
    let cells: ExportCell[];
    if (r < world.length) {
      cells = world[r]!;
      cells[0] = r + 1;
      worldUsed++;
    } else cells = syntheticRow(ctx, opts.type, r - world.length, r);
    if (keepEvery > 0 && r % keepEvery === 0 && kept.length < duplicates) {
      kept.push(r < world.length ? [...cells] : { k: r - world.length, r });
    }
    await emit(cells);
  }
  // The appended snapshot: earlier rows again (same values), numbered on.
  for (let d = 0; d < duplicates; d++) {
    const src = kept[d % Math.max(1, kept.length)];
    if (!src) break;
    const cells = Array.isArray(src) ? [...src] : syntheticRow(ctx, opts.type, src.k, src.r);
    cells[0] = base + d + 1;
    await emit(cells);
  }
  await writer.close();
  return {
    path: opts.path,
    rows: written,
    worldRows: worldUsed,
    syntheticRows: Math.max(0, base - world.length),
    duplicates,
    headerRow: headerLine,
  };
}

interface RowWriter {
  row(cells: ExportCell[]): Promise<void>;
  close(): Promise<void>;
}

function csvText(v: ExportCell): string {
  if (v === null) return '';
  if (typeof v === 'number') return String(v);
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return v;
}

function csvWriter(path: string, delimiter: string): RowWriter {
  const out = createWriteStream(path);
  let parts: string[] = [];
  let size = 0;
  const flush = async () => {
    if (parts.length === 0) return;
    const text = parts.join('');
    parts = [];
    size = 0;
    if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', resolve));
  };
  return {
    async row(cells) {
      let line = '';
      for (let i = 0; i < cells.length; i++)
        line += (i === 0 ? '' : delimiter) + csvQuote(csvText(cells[i] ?? null), delimiter);
      parts.push(`${line}\r\n`);
      size += line.length + 2;
      if (size >= 1 << 20) await flush();
    },
    async close() {
      await flush();
      await new Promise<void>((resolve, reject) => {
        out.on('error', reject);
        out.end(resolve);
      });
    },
  };
}

function xlsxWriter(path: string, sheetName: string): RowWriter {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename: path,
    useSharedStrings: false,
    useStyles: false,
  });
  const sheet = workbook.addWorksheet(sheetName);
  return {
    async row(cells) {
      sheet.addRow(cells.map((c) => (c === '' ? null : c))).commit();
    },
    async close() {
      sheet.commit();
      await workbook.commit();
    },
  };
}
