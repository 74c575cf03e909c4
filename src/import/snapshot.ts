/*
 * The snapshot date of an export: the day its data was taken from OSS ("tanggal pengambilan data"). The exports do
 * not carry it in their rows; it is read, in this order, from the command line, from a title row above the header
 * ("Tanggal Pengambilan Data: 14 Maret 2023"), from the file name ("DP Proyek 2023-03-14.xlsx", "…_20230314.csv"),
 * and last from the file's modification day (WIB).
 */
import { toWibDate } from '../domain/wib.js';
import { isCalendarDate } from '../normalize/index.js';
import { parseExportDate } from './values.js';

export type SnapshotOrigin = 'option' | 'title row' | 'file name' | 'file modification time';

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

function ymd(y: number, m: number, d: number): string | null {
  return isCalendarDate(y, m, d) ? `${y}-${pad2(m)}-${pad2(d)}` : null;
}

const LONG_IN_TEXT_RE = /(\d{1,2})\s+([A-Za-z]{3,9})\.?\s+(\d{4})/;
const ISO_IN_TEXT_RE = /(\d{4})[-_.](\d{2})[-_.](\d{2})/;
const DMY_IN_TEXT_RE = /(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})/;
const COMPACT_RE = /(?:^|[^\d])(\d{4})(\d{2})(\d{2})(?:[^\d]|$)/;

/** A date written in free text (a title row): long Indonesian/English, ISO, or day-first numeric. */
export function dateInText(text: string, pivotYear: number): string | null {
  const long = LONG_IN_TEXT_RE.exec(text);
  if (long) {
    const r = parseExportDate(`${long[1]} ${long[2]} ${long[3]}`, 'dmy', pivotYear);
    if (r.ok && r.value) return r.value;
  }
  const iso = ISO_IN_TEXT_RE.exec(text);
  if (iso) {
    const r = ymd(Number(iso[1]), Number(iso[2]), Number(iso[3]));
    if (r) return r;
  }
  const dmy = DMY_IN_TEXT_RE.exec(text);
  if (dmy) {
    const r = ymd(Number(dmy[3]), Number(dmy[2]), Number(dmy[1]));
    if (r) return r;
  }
  return null;
}

/** A date in a file name: 2023-03-14, 2023_03_14, 20230314, 14-03-2023, "14 Maret 2023". */
export function dateInFileName(name: string, pivotYear: number): string | null {
  const fromText = dateInText(name, pivotYear);
  if (fromText) return fromText;
  const compact = COMPACT_RE.exec(name);
  if (compact) return ymd(Number(compact[1]), Number(compact[2]), Number(compact[3]));
  return null;
}

/** The WIB calendar day of an instant. */
export const wibDay = toWibDate;
