import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bearerMatches } from '../../src/http/auth.js';
import { acceptedDates, pushToken, verifyPushToken, wibCompactDate } from '../../src/http/pushToken.js';
import { inboxRetryDelayMs } from '../../src/store/inbox.js';

const creds = { username: 'dpmptsp-rembang', password: 's3cret' };
const NIB = '9120304050607';
const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');

describe('receiveNIB Token (sha1(username + password + nib + yyyyMMdd), WIB date)', () => {
  it('is the sha1 hex of the concatenation', () => {
    expect(pushToken('u', 'p', NIB, '20260301')).toBe(sha1(`up${NIB}20260301`));
  });

  it.each([
    // instant (UTC)               WIB date
    ['2026-03-01T00:00:00Z', '20260301'],
    ['2026-03-01T16:59:59Z', '20260301'],
    ['2026-03-01T17:00:00Z', '20260302'], // 00:00 WIB
    ['2025-12-31T17:30:00Z', '20260101'],
  ])('at %s the WIB date is %s', (instant, date) => {
    expect(wibCompactDate(new Date(instant))).toBe(date);
  });

  it.each([
    ['midday: only today', '2026-03-01T05:00:00Z', ['20260301']],
    ['00:05 WIB: today and yesterday', '2026-03-01T17:05:00Z', ['20260301', '20260302']],
    ['23:55 WIB: today and tomorrow', '2026-03-01T16:55:00Z', ['20260301', '20260302']],
    ['00:20 WIB: only today', '2026-03-01T17:20:00Z', ['20260302']],
  ])('%s', (_label, instant, dates) => {
    expect(acceptedDates(new Date(instant)).sort()).toEqual(dates);
  });

  it('accepts a token of today (WIB), in either letter case', () => {
    const now = new Date('2026-03-01T05:00:00Z');
    const token = pushToken(creds.username, creds.password, NIB, '20260301');
    expect(verifyPushToken(token, creds, NIB, now)).toEqual({ ok: true, date: '20260301' });
    expect(verifyPushToken(token.toUpperCase(), creds, NIB, now).ok).toBe(true);
  });

  it("accepts yesterday's token a few minutes after midnight WIB, and not later in the day", () => {
    const yesterdays = pushToken(creds.username, creds.password, NIB, '20260301');
    expect(verifyPushToken(yesterdays, creds, NIB, new Date('2026-03-01T17:03:00Z'))).toEqual({
      ok: true,
      date: '20260301',
    });
    expect(verifyPushToken(yesterdays, creds, NIB, new Date('2026-03-02T03:00:00Z')).ok).toBe(false);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['for another NIB', pushToken(creds.username, creds.password, '9120304050608', '20260301')],
    ['with another password', pushToken(creds.username, 'wrong', NIB, '20260301')],
    ['for a UTC date instead of WIB', pushToken(creds.username, creds.password, NIB, '20260228')],
    ['not hex', 'not-a-token'],
  ])('refuses a token %s, with a reason', (_label, token) => {
    const r = verifyPushToken(token, creds, NIB, new Date('2026-03-01T05:00:00Z'));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/Token/);
  });
});

describe('ADMIN_TOKEN bearer check', () => {
  it.each([
    ['Bearer abc123', true],
    ['bearer abc123', true],
    ['Bearer  abc123 ', true],
    ['Bearer abc1234', false],
    ['Bearer abc12', false],
    ['Basic abc123', false],
    ['abc123', false],
    ['Bearer ', false],
    [undefined, false],
  ])('%s → %s', (header, ok) => {
    expect(bearerMatches(header, 'abc123')).toBe(ok);
  });
});

describe('inbox retry backoff', () => {
  it.each([
    [1, 2_000],
    [2, 4_000],
    [3, 8_000],
    [9, 512_000],
    [10, 900_000],
    [50, 900_000],
  ])('after failure %i the next attempt waits %i ms', (attempts, ms) => {
    expect(inboxRetryDelayMs(attempts)).toBe(ms);
  });
});
