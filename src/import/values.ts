/*
 * Cell values of the OSS dashboard exports → normalized values (records.ts conventions: dates 'YYYY-MM-DD', amounts
 * as canonical decimal strings). Pure: no IO, no clock. Dates come as d/m/Y, m/d/Y, d/m/y, Indonesian long dates
 * ("14 Maret 2023"), ISO, or Excel day numbers; the day/month order of a column is decided from its values
 * (decideDateOrder). Numbers use "." for thousands and "," for decimals ("1.250,5").
 */
import { canonicalDecimal, isCalendarDate } from '../normalize/index.js';

/** One cell as read from csv (always text) or xlsx (text, number, boolean, date). */
export type Cell = string | number | boolean | Date | null;

/** A value that could not be read: what was expected, in words a person understands. */
export interface CellProblem {
  expected: string;
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: CellProblem };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = (expected: string, message: string): Parsed<never> => ({ ok: false, problem: { expected, message } });

/** The text of a cell, trimmed ("" for null). Numbers keep their plain decimal form. */
export function cellText(v: Cell): string {
  if (v === null) return '';
  if (typeof v === 'string') return trimmed(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  return v.toISOString();
}

/** s.trim(), without allocating when there is nothing to trim (the common case). */
export function trimmed(s: string): string {
  const n = s.length;
  if (n === 0) return s;
  const a = s.charCodeAt(0);
  const b = s.charCodeAt(n - 1);
  return a > 32 && b > 32 && a !== 160 && b !== 160 && a !== 0xfeff ? s : s.trim();
}

// ---- Dates ----

/** Day/month order of the numeric dates of a column. */
export type DateOrder = 'dmy' | 'mdy';

const MONTHS: ReadonlyMap<string, number> = new Map(
  (
    [
      [1, ['januari', 'jan', 'january']],
      [2, ['februari', 'pebruari', 'feb', 'peb', 'february']],
      [3, ['maret', 'mar', 'march']],
      [4, ['april', 'apr']],
      [5, ['mei', 'may']],
      [6, ['juni', 'jun', 'june']],
      [7, ['juli', 'jul', 'july']],
      [8, ['agustus', 'agu', 'agt', 'ags', 'aug', 'august']],
      [9, ['september', 'sep', 'sept']],
      [10, ['oktober', 'okt', 'oct', 'october']],
      [11, ['november', 'nopember', 'nov', 'nop']],
      [12, ['desember', 'des', 'dec', 'december']],
    ] as const
  ).flatMap(([m, names]) => names.map((n) => [n, m] as [string, number])),
);

const ISO_RE = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const NUMERIC_RE = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?:\s+\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:\s*[AP]M)?)?$/i;
// "14 Maret 2023", "Selasa, 14 Maret 2023", "14-Mar-23", "14 Agt. 2023"
const LONG_DMY_RE = /^(?:[A-Za-z]+,?\s+)?(\d{1,2})[\s-]+([A-Za-z]+)\.?[\s-]+(\d{4}|\d{2})$/;
// "March 14, 2023", "Tuesday, March 14, 2023"
const LONG_MDY_RE = /^(?:[A-Za-z]+,\s+)?([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})$/;
/** Excel day numbers written as text in a date column (1955-01-03 … 2119-01-01). */
const SERIAL_RE = /^\d{5}(?:\.\d+)?$/;

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

function ymd(y: number, m: number, d: number): string | null {
  return isCalendarDate(y, m, d) ? `${y}-${pad2(m)}-${pad2(d)}` : null;
}

/** A two-digit year: 20yy unless that is more than a year after `pivotYear` (then 19yy). */
export function fullYear(yy: number, pivotYear: number): number {
  return 2000 + yy > pivotYear + 1 ? 1900 + yy : 2000 + yy;
}

const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);

/** An Excel (1900 system) day number → 'YYYY-MM-DD'; null outside 1900-03-01 … 9999-12-31. */
export function excelSerialToDate(serial: number): string | null {
  if (!Number.isFinite(serial) || serial < 61 || serial > 2_958_465) return null;
  return new Date(EXCEL_EPOCH_MS + Math.floor(serial) * 86_400_000).toISOString().slice(0, 10);
}

/** What a numeric date allows: day-first, month-first, or both (both parts ≤ 12). */
export type NumericDateShape = 'dmy' | 'mdy' | 'both' | 'neither';

/** The orders a text value fits, or null when it is not a numeric date (long, ISO, serial or not a date). */
export function numericDateShape(s: string): NumericDateShape | null {
  const m = NUMERIC_RE.exec(s);
  if (!m) return null;
  const a = Number(m[1]);
  const b = Number(m[3]);
  const y = m[4]!.length === 2 ? 2000 + Number(m[4]) : Number(m[4]);
  const dmy = isCalendarDate(y, b, a);
  const mdy = isCalendarDate(y, a, b);
  return dmy && mdy ? 'both' : dmy ? 'dmy' : mdy ? 'mdy' : 'neither';
}

/** How a column's date format was decided, for the import report. */
export interface DateOrderDecision {
  order: DateOrder;
  /** 'values': some values fit only this order; 'convention': every value fits both, the export's own order. */
  by: 'values' | 'convention';
  dayFirstOnly: number;
  monthFirstOnly: number;
  ambiguous: number;
  /** Sampled text dates written as ISO 'YYYY-MM-DD'. */
  isoDates: number;
  /** The column writes its text dates as ISO (most sampled ones are): then d/m and m/d values do not belong in it. */
  iso: boolean;
}

/**
 * Decides a column's date format from sample values. Its day/month order: the order that some values fit alone
 * (13/03/2023 can only be day-first), the majority if values disagree, and the export's documented convention when
 * every value fits both. ISO dates make an ISO column when they outnumber the numeric ones.
 */
export function decideDateOrder(samples: Iterable<Cell>, convention: DateOrder): DateOrderDecision {
  let dayFirstOnly = 0;
  let monthFirstOnly = 0;
  let ambiguous = 0;
  let isoDates = 0;
  for (const v of samples) {
    if (typeof v !== 'string') continue;
    const s = v.trim();
    const shape = numericDateShape(s);
    if (shape === 'dmy') dayFirstOnly++;
    else if (shape === 'mdy') monthFirstOnly++;
    else if (shape === 'both') ambiguous++;
    else if (shape === null && ISO_RE.test(s)) isoDates++;
  }
  const iso = isoDates > dayFirstOnly + monthFirstOnly + ambiguous;
  if (dayFirstOnly === 0 && monthFirstOnly === 0)
    return { order: convention, by: 'convention', dayFirstOnly, monthFirstOnly, ambiguous, isoDates, iso };
  const order: DateOrder = dayFirstOnly === monthFirstOnly ? convention : dayFirstOnly > monthFirstOnly ? 'dmy' : 'mdy';
  return { order, by: 'values', dayFirstOnly, monthFirstOnly, ambiguous, isoDates, iso };
}

const ORDER_TEXT: Record<DateOrder, string> = { dmy: 'd/m/Y', mdy: 'm/d/Y' };

/**
 * A date cell → 'YYYY-MM-DD'. Numeric dates are read in the column's order (2- or 4-digit years); long dates
 * (Indonesian or English month names), ISO dates and Excel day numbers are unambiguous. Blank → null.
 */
export function parseExportDate(v: Cell, order: DateOrder, pivotYear: number): Parsed<string | null> {
  if (v === null) return ok(null);
  if (v instanceof Date) {
    return Number.isNaN(v.getTime())
      ? bad(`a date (${ORDER_TEXT[order]})`, 'is not a date')
      : ok(v.toISOString().slice(0, 10));
  }
  if (typeof v === 'number') {
    const d = excelSerialToDate(v);
    return d ? ok(d) : bad(`a date (${ORDER_TEXT[order]})`, `${v} is not an Excel date`);
  }
  const s = typeof v === 'string' ? v.trim() : String(v);
  if (s === '') return ok(null);
  const expected = `a date in the column's format ${ORDER_TEXT[order]} (or "14 Maret 2023")`;
  let m = NUMERIC_RE.exec(s);
  if (m) {
    const a = Number(m[1]);
    const b = Number(m[3]);
    const y = m[4]!.length === 2 ? fullYear(Number(m[4]), pivotYear) : Number(m[4]);
    const out = order === 'dmy' ? ymd(y, b, a) : ymd(y, a, b);
    return out ? ok(out) : bad(expected, `"${s}" is not a real date read as ${ORDER_TEXT[order]}`);
  }
  m = LONG_DMY_RE.exec(s);
  if (m) {
    const month = MONTHS.get(m[2]!.toLowerCase());
    const y = m[3]!.length === 2 ? fullYear(Number(m[3]), pivotYear) : Number(m[3]);
    const out = month === undefined ? null : ymd(y, month, Number(m[1]));
    return out ? ok(out) : bad(expected, `"${s}" is not a real date`);
  }
  m = LONG_MDY_RE.exec(s);
  if (m) {
    const month = MONTHS.get(m[1]!.toLowerCase());
    const out = month === undefined ? null : ymd(Number(m[3]), month, Number(m[2]));
    return out ? ok(out) : bad(expected, `"${s}" is not a real date`);
  }
  m = ISO_RE.exec(s);
  if (m) {
    const out = ymd(Number(m[1]), Number(m[2]), Number(m[3]));
    return out ? ok(out) : bad(expected, `"${s}" is not a real date`);
  }
  if (SERIAL_RE.test(s)) {
    const d = excelSerialToDate(Number(s));
    if (d) return ok(d);
  }
  return bad(expected, `"${s}" is not a date`);
}

/**
 * A date cell of a column whose format was decided (decideDateOrder): like parseExportDate, except that a text date
 * in the other numeric style is an error, not a guess: an ISO date in a d/m/Y or m/d/Y column, or a d/m or m/d date
 * in an ISO column. Long dates ("14 Maret 2023") and spreadsheet date cells fit every column.
 */
export function parseColumnDate(v: Cell, order: DateOrder, iso: boolean, pivotYear: number): Parsed<string | null> {
  if (typeof v === 'string') {
    const s = v.trim();
    if (!iso && ISO_RE.test(s)) {
      return bad(
        `a date in the column's format ${ORDER_TEXT[order]} (or "14 Maret 2023")`,
        `"${s}" is written YYYY-MM-DD in a column of ${ORDER_TEXT[order]} dates`,
      );
    }
    if (iso && NUMERIC_RE.test(s)) {
      return bad(
        'a date in the column\'s format YYYY-MM-DD (or "14 Maret 2023")',
        `"${s}" is written like d/m/Y or m/d/Y in a column of YYYY-MM-DD dates`,
      );
    }
  }
  return parseExportDate(v, order, pivotYear);
}

// ---- Numbers ----

const ID_GROUPED_RE = /^-?\d{1,3}(?:\.\d{3})+(?:,\d+)?$/;
const ID_PLAIN_COMMA_RE = /^-?\d+,\d+$/;
const DOT_DECIMAL_RE = /^-?\d+\.\d+$/;
const INTEGER_TEXT_RE = /^-?\d+$/;
const RP_RE = /^rp\.?\s*/i;
const SPACES_RE = /[\s\u00a0]+/g;

/** A finite number as a canonical decimal string (no exponent). */
function numberToDecimal(n: number): string {
  const s = Number.isInteger(n) && Math.abs(n) < 1e21 ? n.toFixed(0) : String(n);
  if (!s.includes('e')) {
    const neg = s.startsWith('-');
    const [int = '0', frac = ''] = (neg ? s.slice(1) : s).split('.');
    return canonicalDecimal(neg ? '-' : '', int, frac);
  }
  return n.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 });
}

const NUMBER_EXPECTED = 'a number ("1.250.000" or "1.250,5")';

/**
 * Fast path of the common cells: digits ("461"), or digits in "." groups of three ("512.000.000"), without sign,
 * decimals or leading zeros; null for anything else (the general path decides).
 */
function plainOrGrouped(s: string): string | null {
  const n = s.length;
  const first = s.charCodeAt(0);
  if (first < 49 || first > 57) return first === 48 && n === 1 ? '0' : null;
  let dots = 0;
  let sinceDot = -1;
  for (let i = 1; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (sinceDot >= 0) sinceDot++;
      continue;
    }
    if (c !== 46) return null;
    if (sinceDot >= 0 ? sinceDot !== 3 : i > 3) return null;
    dots++;
    sinceDot = 0;
  }
  if (dots === 0) return s;
  return sinceDot === 3 ? s.replace(/\./g, '') : null;
}

/**
 * An amount or quantity → canonical decimal string: "150.000.000" → "150000000", "1.250,5" → "1250.5",
 * "Rp 1.500.000" → "1500000". A lone "." not followed by a group of three digits is a decimal point ("1250.5");
 * "1.250" is one thousand two hundred fifty. Blank → null.
 */
export function parseExportNumber(v: Cell): Parsed<string | null> {
  if (v === null) return ok(null);
  if (typeof v === 'number')
    return Number.isFinite(v) ? ok(numberToDecimal(v)) : bad(NUMBER_EXPECTED, 'is not a number');
  if (typeof v !== 'string') return bad(NUMBER_EXPECTED, `${cellText(v)} is not a number`);
  let s = trimmed(v);
  if (s === '') return ok(null);
  const fast = plainOrGrouped(s);
  if (fast !== null) return ok(fast);
  s = s.replace(RP_RE, '').replace(SPACES_RE, '');
  let sign = '';
  if (s.startsWith('-')) {
    sign = '-';
    s = s.slice(1);
  }
  // "0.250" is a fraction: a thousands group never follows a leading zero.
  if ((ID_GROUPED_RE.test(s) && !s.startsWith('0.')) || ID_PLAIN_COMMA_RE.test(s)) {
    const [int = '', frac = ''] = s.replace(/\./g, '').split(',');
    return ok(canonicalDecimal(sign, int, frac));
  }
  if (DOT_DECIMAL_RE.test(s) || INTEGER_TEXT_RE.test(s)) {
    const [int = '', frac = ''] = s.split('.');
    return ok(canonicalDecimal(sign, int, frac));
  }
  return bad(NUMBER_EXPECTED, `"${v.trim()}" is not a number`);
}

/** A whole number (workforce): like parseExportNumber, and it must have no fraction. */
export function parseExportInteger(v: Cell): Parsed<number | null> {
  const n = parseExportNumber(v);
  if (!n.ok) return { ok: false, problem: { expected: 'a whole number', message: n.problem.message } };
  if (n.value === null) return ok(null);
  const x = Number(n.value);
  if (!Number.isSafeInteger(x)) return bad('a whole number', `"${cellText(v)}" is not a whole number`);
  return ok(x);
}

/** A number the Indonesian way, for writing exports: 150000000 → "150.000.000", "1250.5" → "1.250,5". */
export function formatNumberId(decimal: string): string {
  const neg = decimal.startsWith('-');
  const [int = '0', frac] = (neg ? decimal.slice(1) : decimal).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return `${neg ? '-' : ''}${grouped}${frac ? `,${frac}` : ''}`;
}
