import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bearerMatches } from '../../src/http/auth.js';
import { exceedsNesting, maskedPrefix, SUMMARY_TEXT_CHARS, summarizeBody } from '../../src/http/pushBody.js';
import { addressKey, createRejectionLimiter } from '../../src/http/pushRoutes.js';
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

describe('nesting check before parsing (a linear scan of brackets outside strings)', () => {
  const nest = (d: number) => `${'['.repeat(d)}${']'.repeat(d)}`;
  it.each([
    ['flat object', '{"nib":"9120304050607"}', 1, false],
    ['at the limit', nest(64), 64, false],
    ['one past the limit', nest(65), 64, true],
    ['objects 5,000 deep', `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`, 64, true],
    ['brackets inside a string do not count', `{"catatan":"${'{['.repeat(5000)}"}`, 2, false],
    ['an escaped quote does not end the string', `{"a":"\\"${'['.repeat(100)}"}`, 1, false],
    ['an escaped backslash does end it', `{"a":"\\\\"}${'['.repeat(3)}`, 3, false],
    ['unbalanced closers are not depth', `]]]]${'['.repeat(3)}`, 3, false],
    ['not JSON at all', 'nib=9120304050603&nik=3317014508900002', 1, false],
    ['the whole 4 MB of opening brackets', '['.repeat(4 * 1024 * 1024), 64, true],
  ])('%s', (_label, text, max, exceeds) => {
    expect(exceedsNesting(text, max)).toBe(exceeds);
  });
});

describe('the summary kept of a rejected push', () => {
  it('keeps the size and digest of the bytes received, and a masked prefix of at most SUMMARY_TEXT_CHARS', () => {
    const body = Buffer.from(
      `{"dataNIB":{"nib":"9120304050602","nik":"3317014508900002","catatan":"${'x'.repeat(5000)}"}}`,
    );
    const s = summarizeBody(body, body.toString('utf8'));
    expect(s.bytes).toBe(body.length);
    expect(s.sha256?.toString('hex')).toBe(createHash('sha256').update(body).digest('hex'));
    expect(s.text).toHaveLength(SUMMARY_TEXT_CHARS);
    expect(s.text).toContain('"nib":"9120304050602","nik":"3317********0002"');
  });

  it.each([
    // A 16-digit run cut by the prefix: its head is dropped, not kept as a shorter unmasked run.
    ['a NIK across the cut', `${'a'.repeat(250)}3317014508900002`, 'a'.repeat(250)],
    ['a NIK ending exactly at the cut', `${'a'.repeat(240)}3317014508900002bbb`, `${'a'.repeat(240)}3317********0002`],
    ['a million digits', '9'.repeat(1_000_000), ''],
    ['a NUL byte (Postgres text cannot hold it)', 'a\u0000b', 'a\uFFFDb'],
  ])('%s', (_label, text, kept) => {
    expect(maskedPrefix(text, SUMMARY_TEXT_CHARS)).toBe(kept);
  });
});

describe('rate limit of rejected pushes (token buckets in memory)', () => {
  const opts = {
    perAddress: { capacity: 3, refillMs: 60_000 },
    global: { capacity: 5, refillMs: 10_000 },
    maxAddresses: 100,
  };

  it('allows `capacity` rejections per address, then refuses until a token refills', () => {
    const limiter = createRejectionLimiter(opts);
    const t0 = 1_000_000;
    expect([1, 2, 3, 4].map(() => limiter.take('10.0.0.1', t0).ok)).toEqual([true, true, true, false]);
    const refused = limiter.take('10.0.0.1', t0 + 1_000);
    // Logged once per flood: only the first refusal says so.
    expect(refused).toEqual({ ok: false, retryAfterS: 59, scope: 'address', first: false });
    expect(limiter.take('10.0.0.2', t0).ok).toBe(true);
    expect(limiter.take('10.0.0.1', t0 + 60_000).ok).toBe(true);
    expect(limiter.take('10.0.0.1', t0 + 60_000).ok).toBe(false);
  });

  it('caps rejections across all addresses, so many addresses cannot fill the disk either', () => {
    const limiter = createRejectionLimiter(opts);
    const t0 = 5_000_000;
    const taken = Array.from({ length: 8 }, (_, i) => limiter.take(`10.0.1.${i}`, t0));
    expect(taken.map((r) => r.ok)).toEqual([true, true, true, true, true, false, false, false]);
    expect(taken[5]).toEqual({ ok: false, retryAfterS: 10, scope: 'all', first: true });
    expect(taken[6]).toMatchObject({ ok: false, first: false });
    // A refused request takes no token from its address.
    expect(limiter.take('10.0.1.5', t0 + 10_000).ok).toBe(true);
  });

  it('keeps at most maxAddresses buckets (the least recently used go first)', () => {
    const limiter = createRejectionLimiter({ ...opts, global: { capacity: 10_000, refillMs: 1 }, maxAddresses: 2 });
    const t0 = 9_000_000;
    for (let i = 0; i < 3; i++) limiter.take('10.0.2.1', t0);
    limiter.take('10.0.2.2', t0);
    limiter.take('10.0.2.3', t0);
    expect(limiter.size()).toBe(2);
    // 10.0.2.1 was evicted: it starts again with a full bucket.
    expect(limiter.take('10.0.2.1', t0).ok).toBe(true);
  });

  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::9', '2001:db8:1:2::/64'],
    ['2001:DB8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    [undefined, 'unknown'],
  ])('the bucket of %s is %s (an IPv6 client owns a whole /64)', (ip, key) => {
    expect(addressKey(ip)).toBe(key);
  });
});
