/*
 * OSS datetimes are WIB (UTC+7) wall time without an offset. Inside the simulator instants are epoch seconds and
 * calendar dates are "WIB day numbers" (days since 1970-01-01 in WIB), so formatting is a shift plus toISOString.
 */

// The simulator keeps its own clock math (a fake never imports what it stands in for); WIB is UTC+7.
export const WIB_OFFSET_S = 7 * 3600;
export const DAY_S = 86_400;

const PAD2: readonly string[] = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, '0'));
const PAD3: readonly string[] = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, '0'));

/** Calendar parts of a day number (Howard Hinnant's civil_from_days: integer math, no Date allocation). */
export function dayParts(day: number): { year: number; month: number; dayOfMonth: number } {
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1_460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const dayOfMonth = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, dayOfMonth };
}

const dateCache = new Map<number, string>();
const stampCache = new Map<number, string>();

/** 'YYYY-MM-DD' of a WIB day number. */
export function dayToDate(day: number): string {
  let s = dateCache.get(day);
  if (s === undefined) {
    const { year, month, dayOfMonth } = dayParts(day);
    s = `${String(year).padStart(4, '0')}-${PAD2[month]}-${PAD2[dayOfMonth]}`;
    if (dateCache.size < 200_000) dateCache.set(day, s);
  }
  return s;
}

/** 'yyyyMMdd' of a WIB day number. */
function dayStamp(day: number): string {
  let s = stampCache.get(day);
  if (s === undefined) {
    s = dayToDate(day).replace(/-/g, '');
    if (stampCache.size < 200_000) stampCache.set(day, s);
  }
  return s;
}

/** 'YYYY-MM-DD HH:II:SS' in WIB for an epoch second. */
export function wibDateTime(sec: number): string {
  const local = sec + WIB_OFFSET_S;
  const day = Math.floor(local / DAY_S);
  const t = local - day * DAY_S;
  return `${dayToDate(day)} ${PAD2[Math.floor(t / 3600)]}:${PAD2[Math.floor(t / 60) % 60]}:${PAD2[t % 60]}`;
}

/** WIB day number of an epoch second. */
export function wibDay(sec: number): number {
  return Math.floor((sec + WIB_OFFSET_S) / DAY_S);
}

/** Epoch second of 00:00:00 WIB on a day number. */
export function dayStartSec(day: number): number {
  return day * DAY_S - WIB_OFFSET_S;
}

/** 'yyyyMMddHHmmssSSS' (WIB) as embedded in OSS ids, from an epoch second plus a millisecond part. */
export function idStamp(sec: number, ms: number): string {
  const local = Math.floor(sec) + WIB_OFFSET_S;
  const day = Math.floor(local / DAY_S);
  const t = local - day * DAY_S;
  return `${dayStamp(day)}${PAD2[Math.floor(t / 3600)]}${PAD2[Math.floor(t / 60) % 60]}${PAD2[t % 60]}${PAD3[((ms % 1000) + 1000) % 1000]}`;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** Day number of a real calendar date 'YYYY-MM-DD', or null. */
export function parseDate(s: string): number | null {
  const m = DATE_RE.exec(s);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return ms / 86_400_000;
}

/** Epoch second of a WIB 'YYYY-MM-DD HH:II:SS' (a real date and time), or null. */
export function parseWibDateTime(s: string): number | null {
  const m = DATETIME_RE.exec(s);
  if (!m) return null;
  const day = parseDate(`${m[1]}-${m[2]}-${m[3]}`);
  const [h, i, sec] = [Number(m[4]), Number(m[5]), Number(m[6])];
  if (day === null || h > 23 || i > 59 || sec > 59) return null;
  return dayStartSec(day) + h * 3600 + i * 60 + sec;
}

/** Day number of a calendar date (month 1-12; overflowing days/months roll over like Date.UTC). */
export function dayOf(year: number, month: number, dayOfMonth: number): number {
  return Date.UTC(year, month - 1, dayOfMonth) / 86_400_000;
}

/** A quarter as a sequential number: year * 4 + (triwulan - 1). */
export function quarterOfDay(day: number): number {
  const { year, month } = dayParts(day);
  return year * 4 + Math.floor((month - 1) / 3);
}

const quarterStarts = new Map<number, number>();

/** First day number of a sequential quarter. */
export function quarterStartDay(q: number): number {
  let day = quarterStarts.get(q);
  if (day === undefined) {
    day = dayOf(Math.floor(q / 4), (q % 4) * 3 + 1, 1);
    quarterStarts.set(q, day);
  }
  return day;
}

const ID_DATE_RE = /^[A-Z][A-Z0-9]{0,3}-(\d{4})(\d{2})(\d{2})\d/;

/** The WIB date 'YYYY-MM-DD' an OSS id is stamped with ('R-20230314…' → '2023-03-14'), or null. */
export function dateOfId(id: string): string | null {
  const m = ID_DATE_RE.exec(id);
  if (!m) return null;
  const iso = `${m[1]}-${m[2]}-${m[3]}`;
  return parseDate(iso) === null ? null : iso;
}
