/*
 * The receiveNIB signature (PIA 4.3.22): header `Token: sha1(username + password + nib + yyyyMMdd)`, the date in WIB.
 * Pure: the caller passes the credentials, the NIB from the body and the clock.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { toWibDate } from '../domain/wib.js';

/** How far from midnight WIB the neighbouring day's date is also accepted (OSS and our clocks differ a little). */
export const MIDNIGHT_TOLERANCE_MS = 15 * 60 * 1000;

/** 'yyyyMMdd' of an instant in WIB. */
export function wibCompactDate(at: Date): string {
  return toWibDate(at).replaceAll('-', '');
}

/** The token OSS sends for a NIB on a WIB day (lowercase hex). */
export function pushToken(username: string, password: string, nib: string, yyyyMMdd: string): string {
  return createHash('sha1').update(`${username}${password}${nib}${yyyyMMdd}`).digest('hex');
}

/**
 * The WIB dates a token may be signed with at `now`: today, and around midnight also the day before (a push signed
 * at 23:59 that arrives at 00:01) or after (our clock behind OSS's).
 */
export function acceptedDates(now: Date, toleranceMs = MIDNIGHT_TOLERANCE_MS): string[] {
  const dates = [now.getTime() - toleranceMs, now.getTime(), now.getTime() + toleranceMs].map((t) =>
    wibCompactDate(new Date(t)),
  );
  return [...new Set(dates)];
}

export type PushTokenCheck = { ok: true; date: string } | { ok: false; reason: string };

/** Checks the Token header against every accepted date, comparing in constant time. */
export function verifyPushToken(
  token: string | undefined,
  credentials: { username: string; password: string },
  nib: string,
  now: Date,
): PushTokenCheck {
  if (!token || token.trim() === '') return { ok: false, reason: 'header Token tidak ada (Token header missing)' };
  const given = Buffer.from(token.trim().toLowerCase());
  let matched: string | null = null;
  for (const date of acceptedDates(now)) {
    const expected = Buffer.from(pushToken(credentials.username, credentials.password, nib, date));
    // Compare every candidate (no early exit) so timing does not reveal which date matched.
    if (given.length === expected.length && timingSafeEqual(given, expected) && matched === null) matched = date;
  }
  return matched ? { ok: true, date: matched } : { ok: false, reason: 'Token tidak valid (Token does not match)' };
}
