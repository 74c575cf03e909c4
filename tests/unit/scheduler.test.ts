import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import { missedScheduledRun, type ScheduleState } from '../../src/scheduler/catchUp.js';

const at = (iso: string) => new Date(iso);
const state = (nextRunAt: string): ScheduleState => ({
  nextRunAt: at(nextRunAt),
  cron: '0 2 * * *',
  timezone: 'Asia/Jakarta',
});

describe('missed-run catch-up', () => {
  // 02:00 WIB is 19:00 UTC the day before.
  it.each([
    ['no state yet (first start): nothing to catch up', null, '2026-03-02T05:00:00Z', null, null],
    ['the next run is still ahead', state('2026-03-02T19:00:00Z'), '2026-03-02T05:00:00Z', null, null],
    [
      'it passed while down, no success since',
      state('2026-03-01T19:00:00Z'),
      '2026-03-02T05:00:00Z',
      '2026-02-28T19:00:03Z',
      '2026-03-01T19:00:00.000Z',
    ],
    [
      'it passed, never any success',
      state('2026-03-01T19:00:00Z'),
      '2026-03-02T05:00:00Z',
      null,
      '2026-03-01T19:00:00.000Z',
    ],
    [
      'it passed but a complete sync succeeded after it',
      state('2026-03-01T19:00:00Z'),
      '2026-03-02T05:00:00Z',
      '2026-03-01T23:10:00Z',
      null,
    ],
    // Down for a week: one catch-up, at the first missed instant, not seven.
    [
      'many ticks missed: one catch-up',
      state('2026-02-20T19:00:00Z'),
      '2026-03-02T05:00:00Z',
      '2026-02-19T19:00:00Z',
      '2026-02-20T19:00:00.000Z',
    ],
    [
      'exactly at the expected instant',
      state('2026-03-01T19:00:00Z'),
      '2026-03-01T19:00:00Z',
      null,
      '2026-03-01T19:00:00.000Z',
    ],
  ])('%s', (_label, s, now, lastSuccess, expected) => {
    const missed = missedScheduledRun(s, at(now), lastSuccess ? at(lastSuccess) : null);
    expect(missed?.toISOString() ?? null).toBe(expected);
  });
});

describe('schedule configuration, checked by the one config check', () => {
  it.each([['0 2 * * *'], ['*/2 * * * * *'], ['30 1 * * 1-5']])('accepts %s', (expr) => {
    expect(loadConfig({ SYNC_CRON: expr, TZ: 'Asia/Jakarta' }).sync.cron).toBe(expr);
  });

  it.each([
    ['61 * * * *', 'Asia/Jakarta', /SYNC_CRON must be a cron expression .* got "61 \* \* \* \*"/],
    ['every day', 'Asia/Jakarta', /SYNC_CRON must be a cron expression .* got "every day"/],
    ['0 2 * * *', 'Asia/Rembang', /TZ must be an IANA time zone such as Asia\/Jakarta, got "Asia\/Rembang"/],
  ])('refuses %s in %s', (expr, tz, message) => {
    expect(() => loadConfig({ SYNC_CRON: expr, TZ: tz })).toThrow(ConfigError);
    expect(() => loadConfig({ SYNC_CRON: expr, TZ: tz })).toThrow(message);
  });
});
