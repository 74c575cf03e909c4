/*
 * Identity numbers (NIK, passport, NPWP): hashed with a keyed HMAC and masked, never kept in full.
 * The same cleaning feeds every hash, so one person's NIK gives the same hash as a shareholder's no_identitas,
 * a nik_umkm or an individual's NPWP (which is the NIK): rules can match people without seeing their numbers.
 */
import { createHmac } from 'node:crypto';
import type { NikFacts } from '../domain/records.js';
import { emptyToNull, isPlaceholder } from './fields.js';

const IDENTITY_SEPARATORS_RE = /[\s.\-/]/g;
const NIK_RE = /^\d{16}$/;
const MASK = '********';

/** An identity number as hashed and masked: trimmed, without spaces, dots, dashes or slashes, upper case. */
export function cleanIdentity(v: unknown): string | null {
  const s = emptyToNull(v);
  if (s === null) return null;
  const c = s.replace(IDENTITY_SEPARATORS_RE, '').toUpperCase();
  return c === '' ? null : c;
}

/** HMAC-SHA256(piiKey, value) in hex. */
export function hmacHex(piiKey: string, value: string): string {
  return createHmac('sha256', piiKey).update(value).digest('hex');
}

/** The keyed hash of an identity number (after `cleanIdentity`); null when empty or a "-" placeholder. */
export function hashIdentity(v: unknown, piiKey: string): string | null {
  const c = cleanIdentity(v);
  return c === null || isPlaceholder(c) ? null : hmacHex(piiKey, c);
}

/**
 * Masks an identity number (NIK, passport, KITAS…) after `cleanIdentity`: 12 characters or more → first 4 + 8 stars
 * + last 4 ('3317094112850002' → '3317********0002'); 8–11 → first 2 + 8 stars + last 2 (a passport 'B1234567' →
 * 'B1********67'); shorter → 8 stars. The star count is fixed so the mask does not tell the length. "-" stays "-".
 */
export function maskIdentity(v: unknown): string | null {
  const s = emptyToNull(v);
  if (s !== null && isPlaceholder(s)) return s;
  const c = cleanIdentity(s);
  if (c === null) return null;
  if (c.length >= 12) return c.slice(0, 4) + MASK + c.slice(-4);
  if (c.length >= 8) return c.slice(0, 2) + MASK + c.slice(-2);
  return MASK;
}

function twoDigits(s: string, at: number): number {
  return (s.charCodeAt(at) - 48) * 10 + (s.charCodeAt(at + 1) - 48);
}

/**
 * Structure facts of a NIK (PPKKCC DDMMYY SSSS; women's DD is day + 40), computed before it is hashed.
 * issues: 'length' (not 16 digits; then no other check), 'month' (not 01–12), 'day' (not 01–31 or 41–71),
 * 'serial' (last four 0000). Null, empty or "-" → all null, no issues.
 */
export function nikFacts(raw: unknown, piiKey: string): NikFacts {
  const c = cleanIdentity(raw);
  if (c === null || isPlaceholder(c)) return { hash: null, masked: null, province: null, issues: [] };
  const facts: NikFacts = { hash: hmacHex(piiKey, c), masked: maskIdentity(c), province: null, issues: [] };
  if (!NIK_RE.test(c)) {
    facts.issues.push('length');
    return facts;
  }
  facts.province = c.slice(0, 2);
  const day = twoDigits(c, 6);
  const month = twoDigits(c, 8);
  if (month < 1 || month > 12) facts.issues.push('month');
  if (!((day >= 1 && day <= 31) || (day >= 41 && day <= 71))) facts.issues.push('day');
  if (c.endsWith('0000')) facts.issues.push('serial');
  return facts;
}

/** Identity types (OSS list L4) whose number is a NIK: '01' KTP, or the type written out. */
const NIK_IDENTITY_TYPES = new Set(['01', 'KTP', 'NIK', 'E-KTP']);

/** The structure facts of a person's identity number when its type says it is a NIK (else no facts, no issues). */
export function personNikFacts(
  identityType: unknown,
  raw: unknown,
  piiKey: string,
): Pick<NikFacts, 'province' | 'issues'> {
  const type = typeof identityType === 'string' ? identityType.trim().toUpperCase() : null;
  if (type === null || !NIK_IDENTITY_TYPES.has(type)) return { province: null, issues: [] };
  const { province, issues } = nikFacts(raw, piiKey);
  return { province, issues };
}

/** Who holds an NPWP, when the caller knows it (jenis_pelaku_usaha): it decides whether a NIK-form NPWP is a problem. */
export type NpwpHolder = 'entity' | 'individual' | 'unknown';

/** The normalized NPWP of one record. */
export interface NpwpFacts {
  /** The 16-digit form ('0' + a 15-digit NPWP, or the 16 digits as received), masked when it is a NIK; the digits as
   * received when neither 15 nor 16 digits (masked if they could hide a NIK). Null when empty. */
  display: string | null;
  /** The value as received (with its '.'/'-'), its middle digits masked when it is, or may hide, a NIK. */
  rawSafe: string | null;
  /** HMAC of the normalized digits (for a NIK-form NPWP this equals the NIK's hash). */
  hash: string | null;
  /** 'length' (not 15/16 digits after stripping), 'entity_prefix' (see `normalizeNpwp`). */
  issues: string[];
  /** 16 digits not starting with 0: the NPWP of a resident individual, which is their NIK. */
  isNik: boolean;
}

const NPWP_SEPARATORS_RE = /[.\-\s]/g;
const DIGITS_RE = /^\d+$/;

function isDigitAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
}

/** Masks every digit of `s` from the 5th to the 4th from last (separators kept): '3317.0941.1285.0002' → '3317.****.****.0002'. */
export function maskDigitsInside(s: string): string {
  let total = 0;
  for (let i = 0; i < s.length; i++) if (isDigitAt(s, i)) total++;
  let seen = 0;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s.charAt(i);
    if (isDigitAt(s, i)) {
      out += seen >= 4 && seen < total - 4 ? '*' : ch;
      seen++;
    } else out += ch;
  }
  return out;
}

/** True when a digit string is, or could contain, a NIK: 16+ digits that are not the entity form '0' + 15. */
export function mayHoldNik(digits: string): boolean {
  return digits.length >= 16 && !(digits.length === 16 && digits.charCodeAt(0) === 48);
}

function npwpDigits(v: unknown): string | null {
  const s = emptyToNull(v);
  return s === null ? null : s.replace(NPWP_SEPARATORS_RE, '');
}

/**
 * An NPWP after stripping '.', '-' and spaces:
 * - 15 digits (the pre-2024 form) → '0' + 15;
 * - 16 digits starting with '0' → as is (the entity form, which is '0' + the old 15 digits by construction);
 * - 16 digits not starting with '0' → the NPWP of an individual, i.e. their NIK: isNik, display and rawSafe masked,
 *   hash kept; flagged 'entity_prefix' only when `holder` is 'entity' (an entity's NPWP must be '0' + 15);
 * - anything else → issues ['length'] (display is the stripped value, masked if it could hide a NIK).
 * `pairedForm`: when a record carries both forms, a 16-digit NPWP that is not '0' + the 15-digit one → 'entity_prefix'.
 * Null, empty or "-" → all null, no issues.
 */
export function normalizeNpwp(
  raw: unknown,
  piiKey: string,
  opts: { holder?: NpwpHolder; pairedForm?: unknown } = {},
): NpwpFacts {
  const received = emptyToNull(raw);
  const digits = npwpDigits(received);
  if (received === null || digits === null || digits === '' || isPlaceholder(received)) {
    return { display: null, rawSafe: null, hash: null, issues: [], isNik: false };
  }
  const issues: string[] = [];
  const allDigits = DIGITS_RE.test(digits);
  let normalized = digits;
  let isNik = false;
  if (allDigits && digits.length === 15) normalized = `0${digits}`;
  else if (allDigits && digits.length === 16) {
    isNik = digits.charCodeAt(0) !== 48;
    if (isNik && opts.holder === 'entity') issues.push('entity_prefix');
  } else issues.push('length');
  const paired = npwpDigits(opts.pairedForm);
  if (!isNik && allDigits && paired !== null && DIGITS_RE.test(paired)) {
    // Only a 15/16 pair can be compared: two 16-digit (or two 15-digit) forms are two different NPWPs, not a prefix error.
    const sixteen = digits.length === 16 ? digits : paired.length === 16 ? paired : null;
    const fifteen = digits.length === 15 ? digits : paired.length === 15 ? paired : null;
    if (sixteen !== null && fifteen !== null && sixteen !== `0${fifteen}`) issues.push('entity_prefix');
  }
  const hideNik = isNik || mayHoldNik(digits);
  return {
    display: hideNik ? maskDigitsInside(normalized) : normalized,
    rawSafe: hideNik ? maskDigitsInside(received) : received,
    hash: hmacHex(piiKey, normalized),
    issues,
    isNik,
  };
}
