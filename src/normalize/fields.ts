/*
 * Field helpers: one OSS wire value in, one normalized value out. Pure, never throw.
 * A value that cannot be normalized comes back as received (as a trimmed string, or as the value itself
 * for numbers/integers) so that validate/ can report it with what it got.
 */
import { WIB_OFFSET_HOURS } from '../domain/wib.js';

/** A JSON object as read from the wire (keys already trimmed by `readObject`). */
export type WireObject = Record<string, unknown>;

/** True for a plain JSON object (not null, not an array). */
export function isWireObject(v: unknown): v is WireObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isPaddedKey(k: string): boolean {
  return k.length > 0 && (k.charCodeAt(0) <= 32 || k.charCodeAt(k.length - 1) <= 32);
}

/**
 * The object with its keys read as if trimmed (`"tipe_dokumen "` → `tipe_dokumen`); the object itself when no key
 * is padded (the common case: no copy). An exact key wins over a padded one. Not an object → null.
 */
export function readObject(v: unknown): WireObject | null {
  if (!isWireObject(v)) return null;
  for (const k in v) {
    if (k.charCodeAt(0) <= 32 || k.charCodeAt(k.length - 1) <= 32) return trimKeys(v);
  }
  return v;
}

function trimKeys(v: WireObject): WireObject {
  const out: WireObject = {};
  for (const k in v) {
    if (!isPaddedKey(k)) setOwn(out, k, v[k]);
  }
  for (const k in v) {
    const t = k.trim();
    if (isPaddedKey(k) && !Object.hasOwn(out, t)) setOwn(out, t, v[k]);
  }
  return out;
}

/** Sets an own property, also for the key "__proto__" (which plain assignment would turn into a prototype change). */
export function setOwn(o: WireObject, k: string, v: unknown): void {
  if (k === '__proto__')
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

/** A list field: arrays as they are; null, "", {} and [] (OSS's empty-list quirks) → []; anything else → null. */
export function readList(v: unknown): unknown[] | null {
  if (Array.isArray(v)) return v;
  if (v === null || v === undefined) return [];
  if (typeof v === 'string' && v.trim() === '') return [];
  if (isWireObject(v) && isEmptyObject(v)) return [];
  return null;
}

function isEmptyObject(o: WireObject): boolean {
  for (const _ in o) return false;
  return true;
}

const EXPONENT_RE = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/;

/** A finite number as a plain decimal string, never in exponent notation (1e21 → "1000000000000000000000"). */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Object.is(n, -0)) return '0';
  const s = String(n);
  if (s.indexOf('e') < 0) return s;
  const m = EXPONENT_RE.exec(s);
  if (!m) return s;
  const sign = m[1] ?? '';
  const digits = (m[2] ?? '') + (m[3] ?? '');
  const point = (m[2] ?? '').length + Number(m[4]);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/**
 * "" / whitespace / null / undefined → null; strings trimmed; numbers → their decimal string; booleans → "true" /
 * "false"; {} and [] → null; any other object or array → its JSON text (kept, not dropped).
 */
export function emptyToNull(v: unknown): string | null {
  if (typeof v === 'string') {
    const t = v.trim();
    return t === '' ? null : t;
  }
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return v.length === 0 ? null : safeJson(v);
  if (isWireObject(v)) return isEmptyObject(v) ? null : safeJson(v);
  return String(v);
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

/** OSS's "no value" placeholders in id and code fields: "-", "--", and the Unicode dashes. */
const PLACEHOLDER_RE = /^[-\u2010-\u2015]+$/;

/** True when a (trimmed) value is a dash placeholder such as "-". */
export function isPlaceholder(s: string): boolean {
  const c = s.charCodeAt(0);
  return (c === 45 || (c >= 0x2010 && c <= 0x2015)) && PLACEHOLDER_RE.test(s);
}

/**
 * An id or code field: `emptyToNull`, and a "-" placeholder → null with `path` pushed to `placeholderFields`.
 * Use it only for id/code fields: text, dates and amounts keep a "-" so that validate/ sees it.
 */
export function idOrCode(v: unknown, path: string, placeholderFields: string[]): string | null {
  const s = emptyToNull(v);
  if (s !== null && isPlaceholder(s)) {
    placeholderFields.push(path);
    return null;
  }
  return s;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** True when y-m-d is a real calendar date (Gregorian, year 0001–9999). */
export function isCalendarDate(y: number, m: number, d: number): boolean {
  return y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

/** The number written by `len` ASCII digits of `s` from `at`; -1 when one of them is not a digit. */
function digitsAt(s: string, at: number, len: number): number {
  let n = 0;
  for (let i = at; i < at + len; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function pad4(n: number): string {
  return n < 1000 ? String(n).padStart(4, '0') : String(n);
}

const HYPHEN = 45;
const SPACE = 32;
const COLON = 58;

/** Year, month, day of a 'YYYY-MM-DD' prefix of `s` packed as y*10000+m*100+d; -1 when not a real date. */
function isoDateAt(s: string): number {
  if (s.charCodeAt(4) !== HYPHEN || s.charCodeAt(7) !== HYPHEN) return -1;
  const y = digitsAt(s, 0, 4);
  const m = digitsAt(s, 5, 2);
  const d = digitsAt(s, 8, 2);
  return y >= 0 && m >= 0 && d >= 0 && isCalendarDate(y, m, d) ? y * 10000 + m * 100 + d : -1;
}

/**
 * A date: 'YYYY-MM-DD', or 'YYYYMMDD' (the PIA types data_persyaratan.tgl_dokumen as string(8)) → 'YYYY-MM-DD'.
 * Empty → null. Anything else, impossible dates included ('2024-02-30'), → the value as received.
 */
export function parseDate(v: unknown): string | null {
  const s = emptyToNull(v);
  if (s === null) return null;
  if (s.length === 10) return s; // valid or not, a 10-character value is returned as it is
  if (s.length === 8) {
    const y = digitsAt(s, 0, 4);
    const m = digitsAt(s, 4, 2);
    const d = digitsAt(s, 6, 2);
    if (y >= 0 && m >= 0 && d >= 0 && isCalendarDate(y, m, d)) return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6)}`;
  }
  return s;
}

// WIB is UTC+7 all year (no DST): a WIB time before 07:00 is on the previous day in UTC.

/** The ISO UTC instant of a WIB wall time (date packed as y*10000+m*100+d, time as written 'MM:SS'). */
function wibToIso(ymd: number, h: number, minSec: string): string {
  let y = Math.floor(ymd / 10000);
  let m = Math.floor(ymd / 100) % 100;
  let d = ymd % 100;
  let hour = h - WIB_OFFSET_HOURS;
  if (hour < 0) {
    hour += 24;
    d -= 1;
    if (d === 0) {
      m -= 1;
      if (m === 0) {
        m = 12;
        y -= 1;
      }
      d = daysInMonth(y, m);
    }
  }
  return `${pad4(y)}-${pad2(m)}-${pad2(d)}T${pad2(hour)}:${minSec}.000Z`;
}

// One-entry memo: a page is ordered by tgl_perubahan and OSS batch updates give hundreds of records the same one.
let lastDateTimeIn = '';
let lastDateTimeOut: string | null = null;

/**
 * An OSS datetime 'YYYY-MM-DD HH:II:SS' in WIB (UTC+7, no DST) → ISO-8601 UTC instant
 * ('2024-02-19 13:05:00' → '2024-02-19T06:05:00.000Z'). Empty → null; anything else → the value as received.
 */
export function parseWibDateTime(v: unknown): string | null {
  const s = emptyToNull(v);
  if (s === null) return null;
  if (s === lastDateTimeIn) return lastDateTimeOut;
  const out = wibDateTimeToIso(s);
  lastDateTimeIn = s;
  lastDateTimeOut = out;
  return out;
}

function wibDateTimeToIso(s: string): string {
  if (s.length !== 19 || s.charCodeAt(10) !== SPACE || s.charCodeAt(13) !== COLON || s.charCodeAt(16) !== COLON) {
    return s;
  }
  const ymd = isoDateAt(s);
  const h = digitsAt(s, 11, 2);
  const mi = digitsAt(s, 14, 2);
  const sec = digitsAt(s, 17, 2);
  if (ymd < 0 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return s;
  // From 07:00 WIB on, the UTC date is the same day: only the hour changes.
  if (h >= WIB_OFFSET_HOURS) return `${s.slice(0, 10)}T${pad2(h - WIB_OFFSET_HOURS)}${s.slice(13)}.000Z`;
  return wibToIso(ymd, h, s.slice(14));
}

/**
 * Like `parseWibDateTime`, but a bare date 'YYYY-MM-DD' is also accepted, as WIB midnight
 * ('2024-02-19' → '2024-02-18T17:00:00.000Z'). For fields documented as datetimes that OSS sometimes sends as dates.
 */
export function parseWibInstant(v: unknown): string | null {
  const s = emptyToNull(v);
  if (s === null || s.length !== 10) return parseWibDateTime(s);
  const ymd = isoDateAt(s);
  return ymd < 0 ? s : wibToIso(ymd, 0, '00:00');
}

const DECIMAL_RE = /^(-?)(\d+)(?:\.(\d+))?$/;
const RP_PREFIX_RE = /^rp\.?/i;
const SPACES_RE = /\s+/g;

/** True when `s` is already a canonical decimal: -?(0|[1-9]\d*)(\.\d*[1-9])?, and not "-0". */
function isCanonicalDecimal(s: string): boolean {
  let i = s.charCodeAt(0) === HYPHEN ? 1 : 0;
  const intStart = i;
  while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
  const intLen = i - intStart;
  if (intLen === 0 || (intLen > 1 && s.charCodeAt(intStart) === 48)) return false;
  if (i === s.length) return !(intStart === 1 && intLen === 1 && s.charCodeAt(1) === 48);
  if (s.charCodeAt(i) !== 46 || i === s.length - 1 || s.charCodeAt(s.length - 1) === 48) return false;
  for (i++; i < s.length; i++) if (s.charCodeAt(i) < 48 || s.charCodeAt(i) > 57) return false;
  return true;
}

/** A decimal's canonical text: no leading zeros in the integer part, no trailing zeros in the fraction, no "-0". */
export function canonicalDecimal(sign: string, int: string, frac: string): string {
  let i = 0;
  while (i < int.length - 1 && int.charCodeAt(i) === 48) i++;
  const intPart = int.slice(i);
  let j = frac.length;
  while (j > 0 && frac.charCodeAt(j - 1) === 48) j--;
  const fracPart = frac.slice(0, j);
  const body = fracPart === '' ? intPart : `${intPart}.${fracPart}`;
  return sign === '-' && body !== '0' ? `-${body}` : body;
}

/**
 * Money or a quantity → canonical decimal string without separators: numbers as they are (1250.5 → "1250.5"),
 * strings after removing spaces and a leading "Rp"/"Rp.", when they match ^-?\d+(\.\d+)?$; leading zeros and trailing
 * fraction zeros dropped ("15000000000.00" → "15000000000"). The dot is the decimal point: thousand separators
 * ("15.000.000") and decimal commas are not guessed, they are kept as received. Empty → null.
 */
export function parseDecimal(v: unknown): string | null {
  const s = emptyToNull(v);
  if (s === null || isCanonicalDecimal(s)) return s;
  let m = DECIMAL_RE.exec(s);
  if (!m) {
    m = DECIMAL_RE.exec(s.replace(RP_PREFIX_RE, '').replace(SPACES_RE, ''));
    if (!m) return s;
  }
  return canonicalDecimal(m[1] ?? '', m[2] ?? '0', m[3] ?? '');
}

const INTEGER_RE = /^-?\d+$/;

/**
 * A whole number (head counts, years, quarters): an integer number as is, a string of digits → its number.
 * Empty → null. Anything else (2024.5, "2024a", "I") → the value as received, for validate/ to report.
 */
export function parseInteger(v: unknown): number | string | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : formatNumber(v);
  const s = emptyToNull(v);
  if (s === null) return null;
  if (!INTEGER_RE.test(s)) return s;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : s;
}

/**
 * A KBLI code kept as a string: 10213 → "10213", strings trimmed. No zero padding: a KBLI that lost its leading zero
 * as a number ("3111") must stay visible to the KBLI_INVALID rule. "-" → null (placeholder).
 */
export function normalizeKbli(v: unknown, path = 'kbli', placeholderFields: string[] = []): string | null {
  return idOrCode(v, path, placeholderFields);
}

const REGION_SEPARATORS_RE = /[.\s]/g;

/**
 * A Kemendagri region code without dots or spaces ('33.17.10.2025' → '3317102025'). The code comes back even when it is
 * not 10 digits (KD_DAERAH_INVALID flags it later). "-" → null (placeholder).
 */
export function normalizeRegionCode(v: unknown, path = 'kd_daerah', placeholderFields: string[] = []): string | null {
  const s = idOrCode(v, path, placeholderFields);
  if (s === null || isRegion10(s)) return s;
  const code = s.replace(REGION_SEPARATORS_RE, '');
  return code === '' ? null : code;
}

function isRegion10(s: string): boolean {
  return s.length === 10 && digitsAt(s, 0, 10) >= 0;
}

/** The kecamatan (first 6 digits) of a 10-digit region code; null for anything else. */
export function kecamatanOf(code: string | null): string | null {
  return code !== null && isRegion10(code) ? code.slice(0, 6) : null;
}

const LAT_LNG_RE = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$/;

/**
 * "lat,lng" ('-6.69,111.45') → { lat: -6.69, lng: 111.45 }; nulls when unparseable. No range check, on purpose:
 * swapped coordinates ('111.45,-6.69') must reach the LOCATION_OUTSIDE_REGION rule as they are.
 */
export function parseLatLng(v: unknown): { lat: number | null; lng: number | null } {
  const s = emptyToNull(v);
  const m = s === null ? null : LAT_LNG_RE.exec(s);
  if (!m) return { lat: null, lng: null };
  return { lat: Number(m[1]), lng: Number(m[2]) };
}

const OSS_ID_DATE_RE = /^[A-Z][A-Z0-9]{0,3}-(\d{4})(\d{2})(\d{2})\d/;

/**
 * The date embedded in an OSS id: `R-`, `I-`, `K-`, `P02-` (any short uppercase prefix) + yyyyMMdd… →
 * 'YYYY-MM-DD' ('R-202303140930124561234' → '2023-03-14'); null when absent or not a real date.
 */
export function dateFromOssId(v: unknown): string | null {
  const s = emptyToNull(v);
  if (s === null) return null;
  const m = OSS_ID_DATE_RE.exec(s);
  if (!m) return null;
  const y = m[1] ?? '';
  const mo = m[2] ?? '';
  const d = m[3] ?? '';
  return isCalendarDate(Number(y), Number(mo), Number(d)) ? `${y}-${mo}-${d}` : null;
}
