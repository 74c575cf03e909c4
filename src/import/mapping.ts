/*
 * One export row → the values of each table it feeds (in the column order of the table's ExportTargetSpec, key
 * first), or the problems that make the row unusable. Pure: reference data, decided date orders and the collectors
 * of notes are passed in. Conversions are memoized per column: exports repeat dates, names and descriptions a lot.
 */
import { kecamatanOf } from '../normalize/index.js';
import {
  type DescriptionIndex,
  descriptionKey,
  indexDescriptions,
  isBlankToken,
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
import type { ExportTypeDef } from './exportTypes.js';
import type { HeaderMatch } from './headers.js';
import type { RegionResolver, UnresolvedRegion } from './regions.js';
import {
  type Cell,
  type CellProblem,
  cellText,
  type DateOrder,
  type Parsed,
  parseExportDate,
  parseExportInteger,
  parseExportNumber,
} from './values.js';

/** A reason a row was refused: the column, what was expected, what it held. */
export interface RowProblem {
  column: string;
  expected: string;
  message: string;
  got: string;
}

/** Per target (in ExportTypeDef.targets order): [key, ...columns] as text, or null when the row has nothing for it. */
export interface MappedRow {
  values: Array<Array<string | null> | null>;
  problems: RowProblem[];
}

/** Things worth telling the user that do not make a row unusable. */
export interface MappingNotes {
  unknownDescription(column: string, value: string, row: number): void;
  unresolvedRegion(column: string, region: UnresolvedRegion, row: number): void;
  kbliRestored(row: number): void;
}

export interface MappingContext {
  /** Year two-digit years are read around (the snapshot's year). */
  pivotYear: number;
  /** Decided day/month order per date column (header as defined). */
  dateOrders: ReadonlyMap<string, DateOrder>;
  regions: RegionResolver;
  /** KBLI 2020 titles, to restore a leading zero a spreadsheet dropped ("3111" titled like "03111"). */
  kbliTitles: Readonly<Record<string, string>>;
  notes: MappingNotes;
}

const INDEX = {
  statusPm: indexDescriptions(STATUS_PM_DESCRIPTIONS),
  jenisPerseroan: indexDescriptions(JENIS_PERSEROAN_DESCRIPTIONS),
  skala: indexDescriptions(SKALA_USAHA_DESCRIPTIONS),
  risiko: indexDescriptions(RISIKO_DESCRIPTIONS),
  jenisProyek: indexDescriptions(JENIS_PROYEK_DESCRIPTIONS),
  jenisIzin: indexDescriptions(JENIS_IZIN_DESCRIPTIONS),
  kewenangan: indexDescriptions(KEWENANGAN_DESCRIPTIONS),
  satuanTanah: indexDescriptions(SATUAN_TANAH_DESCRIPTIONS),
  sektor: indexDescriptions(SEKTOR_DESCRIPTIONS),
  statusIzin: indexDescriptions(STATUS_IZIN_DESCRIPTIONS),
};

/** A text cell: trimmed; "" and the "no value" tokens ("KOSONG", "-", "Null") → null. */
export function textOf(v: Cell): string | null {
  if (v === null) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : null;
  const s = cellText(v);
  return s === '' || isBlankToken(s) ? null : s;
}

/** Builds the row mapper of an export type for the columns of a recognised header. */
export function createRowMapper(
  type: ExportTypeDef,
  match: HeaderMatch,
  ctx: MappingContext,
): (row: readonly Cell[], rowNumber: number) => MappedRow {
  const col = (h: string): number => {
    const i = match.columns.get(h);
    if (i === undefined) throw new Error(`import: header "${h}" of ${type.title} has no column`);
    return i;
  };
  let problems: RowProblem[] = [];
  let rowNumber = 0;

  const problem = (column: string, p: CellProblem, v: Cell) =>
    problems.push({ column, expected: p.expected, message: p.message, got: cellText(v) });

  const text = (h: string) => {
    const i = col(h);
    return (row: readonly Cell[]) => textOf(row[i] ?? null);
  };
  const required = (h: string) => {
    const read = text(h);
    return (row: readonly Cell[]) => {
      const v = read(row);
      if (v === null) problems.push({ column: h, expected: `a ${h}`, message: `${h} is empty`, got: '' });
      return v;
    };
  };
  const memoized = <T>(h: string, parse: (v: Cell) => Parsed<T>) => {
    const i = col(h);
    const memo = new Map<string, Parsed<T>>();
    return (row: readonly Cell[]): T | null => {
      const v = row[i] ?? null;
      let r: Parsed<T> | undefined;
      if (typeof v === 'string') {
        r = memo.get(v);
        if (r === undefined) {
          r = parse(v);
          if (memo.size < 50_000) memo.set(v, r);
        }
      } else r = parse(v);
      if (r.ok) return r.value;
      problem(h, r.problem, v);
      return null;
    };
  };
  const date = (h: string) => {
    const order = ctx.dateOrders.get(h) ?? 'dmy';
    return memoized(h, (v) => parseExportDate(v, order, ctx.pivotYear));
  };
  const numeric = (h: string) => {
    const i = col(h);
    return (row: readonly Cell[]) => {
      const v = row[i] ?? null;
      if (typeof v === 'string' && isBlankToken(v)) return null;
      const r = parseExportNumber(v);
      if (r.ok) return r.value;
      problem(h, r.problem, v);
      return null;
    };
  };
  const integer = (h: string) => {
    const i = col(h);
    return (row: readonly Cell[]) => {
      const v = row[i] ?? null;
      if (typeof v === 'string' && isBlankToken(v)) return null;
      const r = parseExportInteger(v);
      if (r.ok) return r.value === null ? null : String(r.value);
      problem(h, r.problem, v);
      return null;
    };
  };
  /** A description → its code; an unknown description is kept as written and reported. */
  const code = (h: string, index: DescriptionIndex) => {
    const read = text(h);
    const memo = new Map<string, string | undefined>();
    return (row: readonly Cell[]): { value: string | null; known: boolean } => {
      const v = read(row);
      if (v === null) return { value: null, known: true };
      let c = memo.get(v);
      if (c === undefined && !memo.has(v)) {
        c = index.get(descriptionKey(v));
        memo.set(v, c);
      }
      if (c === undefined) {
        ctx.notes.unknownDescription(h, v, rowNumber);
        return { value: v, known: false };
      }
      return { value: c, known: true };
    };
  };
  /**
   * A KBLI as written. A 4-digit KBLI in a numeric xlsx cell lost its leading zero in the spreadsheet (OSS keeps
   * KBLI as text): it gets it back when "Judul Kbli" names the 0-code. Text cells are kept as they are, so a KBLI
   * OSS itself holds without its zero stays visible to the KBLI rule.
   */
  const kbli = (h: string, titleHeader: string | null) => {
    const i = col(h);
    const readTitle = titleHeader ? text(titleHeader) : null;
    return (row: readonly Cell[]) => {
      const cell = row[i] ?? null;
      const v = textOf(cell);
      if (v === null || typeof cell !== 'number' || !/^\d{4}$/.test(v) || !readTitle) return v;
      const title = readTitle(row);
      const padded = `0${v}`;
      const refTitle = ctx.kbliTitles[padded];
      if (title !== null && refTitle !== undefined && descriptionKey(refTitle) === descriptionKey(title)) {
        ctx.notes.kbliRestored(rowNumber);
        return padded;
      }
      return v;
    };
  };
  const region = (
    columns: { province?: string; kabupaten: string; kecamatan: string; desa: string },
    onUnresolved: (u: UnresolvedRegion) => string,
  ) => {
    const prov = columns.province ? text(columns.province) : null;
    const kab = text(columns.kabupaten);
    const kec = text(columns.kecamatan);
    const desa = text(columns.desa);
    return (row: readonly Cell[]) => {
      const r = ctx.regions.resolve({
        province: prov ? prov(row) : null,
        kabupaten: kab(row),
        kecamatan: kec(row),
        desa: desa(row),
      });
      for (const u of r.unresolved) ctx.notes.unresolvedRegion(onUnresolved(u), u, rowNumber);
      return { desa: r.desa, kecamatan: r.kecamatan ?? kecamatanOf(r.desa) };
    };
  };

  const allNull = (values: ReadonlyArray<string | null>, from: number) => {
    for (let k = from; k < values.length; k++) if (values[k] !== null) return false;
    return true;
  };

  let map: (row: readonly Cell[]) => Array<Array<string | null> | null>;
  if (type.id === 'dp_proyek') {
    const idProyek = required('Id Proyek');
    const nib = required('Nib');
    const jenisProyek = code('Uraian_Jenis_Proyek', INDEX.jenisProyek);
    const nama = text('Nama Perusahaan');
    const terbit = date('Tanggal Terbit Oss');
    const statusPm = code('Uraian Status Penanaman Modal', INDEX.statusPm);
    const jenisPerseroan = code('Uraian Jenis Perusahaan', INDEX.jenisPerseroan);
    const risiko = code('Uraian Risiko Proyek', INDEX.risiko);
    const namaProyek = text('nama_proyek');
    const skala = code('Uraian Skala Usaha', INDEX.skala);
    const alamat = text('Alamat Usaha');
    const place = region({ kabupaten: 'Kab Kota Usaha', kecamatan: 'kecamatan_usaha', desa: 'kelurahan_usaha' }, (u) =>
      u.level === 'kabupaten' ? 'Kab Kota Usaha' : u.level === 'kecamatan' ? 'kecamatan_usaha' : 'kelurahan_usaha',
    );
    const pengajuan = date('Day of Tanggal Pengajuan Proyek');
    const kbliOf = kbli('Kbli', 'Judul Kbli');
    const sektor = code('KL/Sektor Pembina', INDEX.sektor);
    const luas = numeric('luas_tanah');
    const satuan = code('satuan_tanah', INDEX.satuanTanah);
    const investasi = numeric('Jumlah Investasi');
    const tki = integer('TKI');
    map = (row) => {
      const id = idProyek(row);
      const n = nib(row);
      const loc = place(row);
      const proyek = [
        id,
        n,
        jenisProyek(row).value,
        risiko(row).value,
        namaProyek(row),
        skala(row).value,
        kbliOf(row),
        sektor(row).value,
        luas(row),
        satuan(row).value,
        investasi(row),
        pengajuan(row),
        tki(row),
      ];
      const pelaku = [n, nama(row), terbit(row), statusPm(row).value, jenisPerseroan(row).value];
      const lokasi = [id, n, alamat(row), loc.desa, loc.kecamatan];
      return [proyek, allNull(pelaku, 1) ? null : pelaku, allNull(lokasi, 2) ? null : lokasi];
    };
  } else if (type.id === 'dp_nib_kantor') {
    const nib = required('nib');
    const terbit = date('Day of tanggal_terbit_oss');
    const nama = text('nama_perusahaan');
    const statusPm = code('status_penanaman_modal', INDEX.statusPm);
    const jenisPerseroan = code('uraian_jenis_perusahaan', INDEX.jenisPerseroan);
    const skala = code('uraian_skala_usaha', INDEX.skala);
    const alamat = text('Alamat Perusahaan');
    const kelurahan = text('kelurahan');
    const place = region({ kabupaten: 'kab_kota', kecamatan: 'kecamatan', desa: 'kelurahan' }, (u) =>
      u.level === 'kabupaten' ? 'kab_kota' : u.level,
    );
    map = (row) => {
      const loc = place(row);
      return [
        [
          nib(row),
          terbit(row),
          nama(row),
          statusPm(row).value,
          jenisPerseroan(row).value,
          skala(row).value,
          alamat(row),
          kelurahan(row),
          loc.desa,
          loc.kecamatan,
        ],
      ];
    };
  } else {
    const idIzin = required('Id Permohonan Izin');
    const nama = text('Nama Perusahaan');
    const nib = required('Nib');
    const terbit = date('Day of Tanggal Terbit Oss');
    const statusPm = code('Uraian Status Penanaman Modal', INDEX.statusPm);
    const place = region(
      { province: 'Propinsi', kabupaten: 'Kab Kota', kecamatan: 'kecamatan', desa: 'kelurahan' },
      (u) =>
        u.level === 'province'
          ? 'Propinsi'
          : u.level === 'kabupaten'
            ? 'Kab Kota'
            : u.level === 'desa'
              ? 'kelurahan'
              : 'kecamatan',
    );
    const idProyek = text('Id Proyek');
    const risiko = code('Kd Resiko', INDEX.risiko);
    const kbliOf = kbli('Kbli', null);
    const tglIzin = date('Day of Tgl Izin');
    const jenisIzin = code('Uraian Jenis Perizinan', INDEX.jenisIzin);
    const namaDokumen = text('Nama Dokumen');
    const uraianKewenangan = code('Uraian Kewenangan', INDEX.kewenangan);
    const statusText = text('Status Perizinan');
    const status = code('Status Perizinan', INDEX.statusIzin);
    const kewenanganCode = code('Kewenangan', INDEX.kewenangan);
    const kewenanganCell = col('Kewenangan');
    map = (row) => {
      const n = nib(row);
      const proyekId = idProyek(row);
      const a = kewenanganCode(row);
      const b = uraianKewenangan(row);
      if (a.known && b.known && a.value !== null && b.value !== null && a.value !== b.value) {
        problems.push({
          column: 'Kewenangan',
          expected: 'the same authority as "Uraian Kewenangan"',
          message: `Kewenangan "${cellText(row[kewenanganCell] ?? null)}" contradicts Uraian Kewenangan`,
          got: cellText(row[kewenanganCell] ?? null),
        });
      }
      const kewenangan =
        a.known && a.value !== null ? a.value : b.known && b.value !== null ? b.value : (a.value ?? b.value);
      const s = status(row);
      const sText = statusText(row);
      const perizinan = [
        idIzin(row),
        n,
        proyekId,
        tglIzin(row),
        jenisIzin(row).value,
        namaDokumen(row),
        kewenangan,
        s.known ? s.value : null,
        // The status as written, unless it was the code itself ("50").
        sText !== null && !(s.known && sText === s.value) ? sText : null,
      ];
      const pelaku = [n, nama(row), terbit(row), statusPm(row).value];
      const loc = place(row);
      const proyek = proyekId === null ? null : [proyekId, n, kbliOf(row), risiko(row).value];
      const lokasi = proyekId === null ? null : [proyekId, n, loc.desa, loc.kecamatan];
      return [
        perizinan,
        allNull(pelaku, 1) ? null : pelaku,
        proyek === null || allNull(proyek, 2) ? null : proyek,
        lokasi === null || allNull(lokasi, 2) ? null : lokasi,
      ];
    };
  }

  return (row, n) => {
    problems = [];
    rowNumber = n;
    const values = map(row);
    return { values, problems };
  };
}
