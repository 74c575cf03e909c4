/*
 * Converters: how the cell of one export column (with a neighbour or two: region names, a KBLI's title) becomes the
 * normalized value of a table column, and what makes it unusable. An export row is checked like an API record
 * (real dates, numbers, ids present) and more, because its values overwrite stored ones: identifier formats, the
 * shape of a KBLI, closed code tables, non-negative amounts and counts, and dates in their column's decided format.
 * Pure: reference data, decided formats and the collectors of notes come in a MappingContext.
 */
import { kecamatanOf } from '../normalize/index.js';
import {
  type DescriptionIndex,
  type DescriptionTable,
  descriptionKey,
  indexDescriptions,
  isBlankToken,
} from './codes.js';
import type { RegionResolver, ResolvedRegion, UnresolvedRegion } from './regions.js';
import {
  type Cell,
  type CellProblem,
  cellText,
  type DateOrder,
  type Parsed,
  parseColumnDate,
  parseExportInteger,
  parseExportNumber,
} from './values.js';

/** Things worth telling the user that do not make a row unusable. */
export interface MappingNotes {
  unknownDescription(column: string, value: string, row: number): void;
  unresolvedRegion(column: string, region: UnresolvedRegion, row: number): void;
  kbliRestored(row: number): void;
}

/** What the converters of one file share. */
export interface MappingContext {
  /** Year two-digit years are read around (the snapshot's year). */
  pivotYear: number;
  /** Decided day/month order per date column (header as defined). */
  dateOrders: ReadonlyMap<string, DateOrder>;
  /** Date columns whose text dates are written ISO 'YYYY-MM-DD' (decided from their values). */
  isoDates?: ReadonlySet<string>;
  regions: RegionResolver;
  /** KBLI 2020 titles, to restore a leading zero a spreadsheet dropped ("3111" titled like "03111"). */
  kbliTitles: Readonly<Record<string, string>>;
  notes: MappingNotes;
}

/** What a converter is given when it is compiled for one file. */
export interface FieldScope {
  readonly ctx: MappingContext;
  /** The column index of a header of the recognised header row. */
  col(header: string): number;
  /** Records a problem of the current row (at the field's column unless another is named); returns null. */
  fail(problem: CellProblem, got: Cell, column?: string): null;
  /** One value per file under a key, made on first use (a region resolution two fields read). */
  shared<T>(key: string, make: () => T): T;
}

/** A compiled converter: the value of its column for a row, or null (no value, or a problem recorded). */
export type CellReader = (row: readonly Cell[], rowNumber: number) => string | null;

/** Compiles a field for one file. */
export type Converter = (scope: FieldScope, header: string) => CellReader;

/** A text cell: trimmed; "" and the "no value" tokens ("KOSONG", "-", "Null") → null. */
export function textOf(v: Cell): string | null {
  if (v === null) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : null;
  const s = cellText(v);
  return s === '' || isBlankToken(s) ? null : s;
}

/** Free text, as written. */
export const text: Converter = (s, header) => {
  const i = s.col(header);
  return (row) => textOf(row[i] ?? null);
};

/** An OSS identifier: present (when required) and in its format. */
function identifier(name: string, format: RegExp, expected: string, required: boolean): Converter {
  return (s, header) => {
    const i = s.col(header);
    return (row) => {
      const cell = row[i] ?? null;
      const v = textOf(cell);
      if (v === null) {
        return required ? s.fail({ expected: `a ${header}`, message: `${header} is empty` }, cell) : null;
      }
      if (format.test(v)) return v;
      return s.fail({ expected, message: `"${v}" is not ${name}: ${expected}` }, cell);
    };
  };
}

const NIB_RE = /^\d{13}$/;
// "R-" / "I-" and the id's stamp: yyyyMMddHHmmssSSS and 4 digits.
const PROJECT_ID_RE = /^R-\d{17,23}$/;
const LICENCE_ID_RE = /^I-\d{17,23}$/;

export const nib = identifier('a NIB', NIB_RE, 'a NIB has 13 digits', true);
export const idProyek = identifier('an OSS project id', PROJECT_ID_RE, '"R-" and the 21 digits of its stamp', true);
/** A project id that may be missing (List Izin: a licence of the business, not of a project). */
export const optionalIdProyek = identifier(
  'an OSS project id',
  PROJECT_ID_RE,
  '"R-" and the 21 digits of its stamp',
  false,
);
export const idIzin = identifier('an OSS licence id', LICENCE_ID_RE, '"I-" and the 21 digits of its stamp', true);

/** Memoizes a parse per distinct string cell (exports repeat dates and descriptions a lot). */
function memoized<T>(parse: (v: Cell) => Parsed<T>): (v: Cell) => Parsed<T> {
  const memo = new Map<string, Parsed<T>>();
  return (v) => {
    if (typeof v !== 'string') return parse(v);
    let r = memo.get(v);
    if (r === undefined) {
      r = parse(v);
      if (memo.size < 50_000) memo.set(v, r);
    }
    return r;
  };
}

/** A date, in the column's decided format (see parseColumnDate). */
export const date: Converter = (s, header) => {
  const i = s.col(header);
  const order = s.ctx.dateOrders.get(header) ?? 'dmy';
  const iso = s.ctx.isoDates?.has(header) ?? false;
  const parse = memoized((v) => parseColumnDate(v, order, iso, s.ctx.pivotYear));
  return (row) => {
    const v = row[i] ?? null;
    const r = parse(v);
    return r.ok ? r.value : s.fail(r.problem, v);
  };
};

const NOT_NEGATIVE = 'a number of 0 or more';

/** An amount or area: a number ("1.250.000", "1.250,5"), not negative. */
export const amount: Converter = (s, header) => {
  const i = s.col(header);
  return (row) => {
    const v = row[i] ?? null;
    if (typeof v === 'string' && isBlankToken(v)) return null;
    const r = parseExportNumber(v);
    if (!r.ok) return s.fail(r.problem, v);
    if (r.value?.startsWith('-')) return s.fail({ expected: NOT_NEGATIVE, message: `"${cellText(v)}" is negative` }, v);
    return r.value;
  };
};

/** A head count: a whole number, not negative. */
export const count: Converter = (s, header) => {
  const i = s.col(header);
  return (row) => {
    const v = row[i] ?? null;
    if (typeof v === 'string' && isBlankToken(v)) return null;
    const r = parseExportInteger(v);
    if (!r.ok) return s.fail(r.problem, v);
    if (r.value !== null && r.value < 0) {
      return s.fail({ expected: 'a whole number of 0 or more', message: `"${cellText(v)}" is negative` }, v);
    }
    return r.value === null ? null : String(r.value);
  };
};

/**
 * How a code table treats a description it does not know. 'closed': the table is the whole code list (PIA Lampiran
 * L1, L17, L26, L27, L31, the risk levels, the authority levels): the row is refused. 'open': codes outside the table
 * occur in real data (legal forms, ministries, Lampiran 10 statuses): the description is kept as written and
 * reported, never guessed.
 */
export type CodeTableKind = 'closed' | 'open';

/** A description → its code; `table`'s first descriptions name what was expected. */
function lookup(table: DescriptionTable): { index: DescriptionIndex; expected: string } {
  const names = Object.values(table).map((d) => `"${d[0]}"`);
  return { index: indexDescriptions(table), expected: `one of ${names.join(', ')}` };
}

/** Reads a description column: the code, or undefined when the table does not know the text (null: no value). */
function describedCode(s: FieldScope, header: string, table: DescriptionTable) {
  const i = s.col(header);
  const { index, expected } = lookup(table);
  const memo = new Map<string, string | undefined>();
  return {
    expected,
    read(row: readonly Cell[]): { text: string | null; code: string | null | undefined } {
      const v = textOf(row[i] ?? null);
      if (v === null) return { text: null, code: null };
      let c = memo.get(v);
      if (c === undefined && !memo.has(v)) {
        c = index.get(descriptionKey(v));
        if (memo.size < 50_000) memo.set(v, c);
      }
      return { text: v, code: c };
    },
  };
}

/** A description ("Usaha Mikro", "PMDN") → its OSS code. */
export function code(table: DescriptionTable, kind: CodeTableKind): Converter {
  return (s, header) => {
    const column = describedCode(s, header, table);
    const i = s.col(header);
    return (row, rowNumber) => {
      const { text: v, code: c } = column.read(row);
      if (v === null || c !== undefined) return c ?? null;
      if (kind === 'closed') {
        return s.fail({ expected: column.expected, message: `"${v}" is not ${column.expected}` }, row[i] ?? null);
      }
      s.ctx.notes.unknownDescription(header, v, rowNumber);
      return v;
    };
  };
}

const KBLI_RE = /^\d{4,5}$/;

/**
 * A KBLI as written: 5 digits, or 4 (a lost leading zero: kept, for the KBLI_INVALID rule to flag). A 4-digit KBLI
 * in a numeric xlsx cell lost its zero in the spreadsheet (OSS keeps KBLI as text): it gets it back when the title
 * column names the 0-code.
 */
export function kbli(titleHeader: string | null): Converter {
  return (s, header) => {
    const i = s.col(header);
    const t = titleHeader === null ? -1 : s.col(titleHeader);
    return (row, rowNumber) => {
      const cell = row[i] ?? null;
      const v = textOf(cell);
      if (v === null) return null;
      if (!KBLI_RE.test(v)) {
        return s.fail({ expected: 'a KBLI code of 5 digits', message: `"${v}" is not a KBLI code (5 digits)` }, cell);
      }
      if (t < 0 || typeof cell !== 'number' || v.length !== 4) return v;
      const title = textOf(row[t] ?? null);
      const refTitle = s.ctx.kbliTitles[`0${v}`];
      if (title !== null && refTitle !== undefined && descriptionKey(refTitle) === descriptionKey(title)) {
        s.ctx.notes.kbliRestored(rowNumber);
        return `0${v}`;
      }
      return v;
    };
  };
}

/** The region-name headers of an export. */
export interface RegionHeaders {
  province?: string;
  kabupaten: string;
  kecamatan: string;
  desa: string;
}

/** Every header a region field reads. */
export function regionHeaders(names: RegionHeaders): string[] {
  return [names.province, names.kabupaten, names.kecamatan, names.desa].filter((h): h is string => h !== undefined);
}

/**
 * A Kemendagri code from region names: the desa/kelurahan (10 digits) or the kecamatan (6) of the place the names
 * describe. A name the reference data lacks leaves the code empty and is reported; it never refuses the row.
 */
export function region(names: RegionHeaders, level: 'desa' | 'kecamatan'): Converter {
  return (s) => {
    const resolve = s.shared(`region:${regionHeaders(names).join('|')}`, () => regionReader(s, names));
    return (row, rowNumber) => {
      const r = resolve(row, rowNumber);
      return level === 'desa' ? r.desa : (r.kecamatan ?? kecamatanOf(r.desa));
    };
  };
}

/** Resolves a row's region names once, however many fields read them (the last row is remembered). */
function regionReader(
  s: FieldScope,
  names: RegionHeaders,
): (row: readonly Cell[], rowNumber: number) => ResolvedRegion {
  const prov = names.province ? s.col(names.province) : -1;
  const kab = s.col(names.kabupaten);
  const kec = s.col(names.kecamatan);
  const desa = s.col(names.desa);
  let lastRow: readonly Cell[] | null = null;
  let last: ResolvedRegion | null = null;
  return (row, rowNumber) => {
    if (row === lastRow && last) return last;
    const r = s.ctx.regions.resolve({
      province: prov < 0 ? null : textOf(row[prov] ?? null),
      kabupaten: textOf(row[kab] ?? null),
      kecamatan: textOf(row[kec] ?? null),
      desa: textOf(row[desa] ?? null),
    });
    for (const u of r.unresolved) s.ctx.notes.unresolvedRegion(names[u.level] ?? u.level, u, rowNumber);
    lastRow = row;
    last = r;
    return r;
  };
}

/**
 * A licence's authority from its code column ("2", as Tableau drops the zero) and its description column; the two
 * must agree. Both tables are closed.
 */
export function kewenangan(table: DescriptionTable, descriptionHeader: string): Converter {
  return (s, header) => {
    const a = describedCode(s, header, table);
    const b = describedCode(s, descriptionHeader, table);
    const i = s.col(header);
    const j = s.col(descriptionHeader);
    return (row) => {
      const x = a.read(row);
      const y = b.read(row);
      if (x.code === undefined) {
        return s.fail({ expected: a.expected, message: `"${x.text}" is not ${a.expected}` }, row[i] ?? null);
      }
      if (y.code === undefined) {
        const got = row[j] ?? null;
        return s.fail({ expected: b.expected, message: `"${y.text}" is not ${b.expected}` }, got, descriptionHeader);
      }
      if (x.code !== null && y.code !== null && x.code !== y.code) {
        const got = row[i] ?? null;
        return s.fail(
          {
            expected: `the same authority as "${descriptionHeader}"`,
            message: `${header} "${cellText(got)}" contradicts ${descriptionHeader}`,
          },
          got,
        );
      }
      return x.code ?? y.code;
    };
  };
}

/**
 * The Lampiran 10 status of a licence from its description: `part` 'code' is the code (null, and reported, for a
 * status the table does not know); 'text' is the status as written, unless it was the code itself ("50").
 */
export function licenceStatus(table: DescriptionTable, part: 'code' | 'text'): Converter {
  return (s, header) => {
    const column = describedCode(s, header, table);
    return (row, rowNumber) => {
      const { text: v, code: c } = column.read(row);
      if (v === null) return null;
      if (part === 'text') return c !== undefined && c === v ? null : v;
      if (c === undefined) s.ctx.notes.unknownDescription(header, v, rowNumber);
      return c ?? null;
    };
  };
}
