import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import type { SyncResult } from '../../src/sync/runSync.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { makeDeps, sync } from '../helpers/sync.js';

const WORLD_NOW = new Date('2026-11-20T03:00:00Z');
/** The real quota: OSS answers 429 (with Retry-After) past 5 requests/s per key, with no burst to absorb more. */
const QUOTA_RPS = 5;
/** The client's budget, set eight times too high. */
const CLIENT_RPS = 40;

const sorted = (xs: Iterable<string>) => [...xs].sort();

describe('the nib stream under a quota storm (OSS at 5 requests/s, client budget at 40/s)', () => {
  let t: TestDatabase;
  let sim: RunningSimulator;
  beforeAll(async () => {
    t = await createTestDatabase('faults_quota');
    sim = await startSimulator({
      seed: 31,
      size: 'tiny',
      now: WORLD_NOW,
      faults: { quota: { rps: QUOTA_RPS, burst: 1 } },
    });
  });
  afterAll(async () => {
    await sim?.stop();
    await t?.drop();
  });

  const regionNibs = () =>
    sim.world.listNib({ kdDaerah: '3317', sinceDay: null, offset: 0, limit: 1_000_000 }).items.map((i) => i.nib);
  const invalidNibs = () =>
    sim.manifest.invalid.flatMap((i) => (i.stream === 'nib' && i.entity_id !== null ? [i.entity_id] : []));

  const held = async () => {
    const r = await t.db.raw(`
      select (select count(*) from pelaku_usaha)::int as stored,
             (select count(*) from quarantine where stream = 'nib' and resolved_at is null)::int as quarantined,
             (select count(*) from nib_queue)::int as queued,
             (select count(*) from nib_queue where last_error is null or attempts = 0)::int as queued_without_error`);
    return r.rows[0] as { stored: number; quarantined: number; queued: number; queued_without_error: number };
  };

  /** One sync of the nib stream; prints what OSS saw and what was stored. */
  const run = async (label: string): Promise<{ result: SyncResult; served: number }> => {
    sim.control.resetStats();
    const before = await held();
    const deps = await makeDeps(t, sim.url, {
      OSS_RATE_LIMIT_RPS: String(CLIENT_RPS),
      OSS_CONCURRENCY: '8',
      OSS_MAX_RETRIES: '6',
    });
    const startedAt = performance.now();
    const result = await sync(deps, { streams: ['nib'] });
    const seconds = (performance.now() - startedAt) / 1000;
    const s = sim.control.stats();
    const after = await held();
    const useful = s.requests - s.rateLimited;
    const client = deps.oss.stats();
    console.log(
      `${label}: ${result.streams.nib?.status}, ${s.requests} requests, ${s.rateLimited} answered 429, ` +
        `${after.stored - before.stored} stored (${after.stored} in all), ${after.queued} still queued; ` +
        `${(useful / seconds).toFixed(2)} useful requests/s = ${((useful / seconds / QUOTA_RPS) * 100).toFixed(0)}% of the quota` +
        ` (${seconds.toFixed(1)} s; rate wait ${(client.rateWaitMs / 1000).toFixed(1)} s cumulative, ` +
        `${(client.rateWaitWallMs / 1000).toFixed(1)} s wall; budget now ${client.currentRps.toFixed(2)}/s)` +
        (result.streams.nib?.error ? `; error: ${result.streams.nib.error}` : '') +
        (result.streams.nib?.note ? `; note: ${result.streams.nib.note}` : ''),
    );
    return { result, served: s.recordsServed.inqueryNIB };
  };

  it('stores every answer it got, keeps the failed NIBs queued with their error, and is done in at most two runs', async () => {
    const nibs = regionNibs();
    expect(nibs.length).toBeGreaterThan(150);
    const invalid = invalidNibs();

    const first = await run('run 1');
    const afterFirst = await held();
    // Steady progress: every business OSS served in this run was stored or quarantined, none discarded.
    expect(afterFirst.stored + afterFirst.quarantined).toBe(first.served);
    expect(afterFirst.stored).toBeGreaterThan(0);
    expect(first.result.streams.nib?.status).toBe('succeeded');
    // A NIB that is still queued failed after its retries, and says why.
    expect(afterFirst.queued_without_error).toBe(0);

    if (afterFirst.queued > 0) {
      const second = await run('run 2');
      expect(second.result.streams.nib?.status).toBe('succeeded');
    }

    const final = await held();
    expect(final.queued).toBe(0);
    const stored = (await t.db('pelaku_usaha').pluck('nib')) as string[];
    expect(sorted(stored)).toEqual(sorted(nibs.filter((n) => !invalid.includes(n))));
    const quarantined = (await t.db('quarantine').where({ stream: 'nib' }).pluck('entity_id')) as string[];
    expect(sorted(quarantined)).toEqual(sorted(invalid.filter((n) => nibs.includes(n))));
  });
});

describe('the nib drain stops only when OSS is unreachable or refuses the key', () => {
  let t: TestDatabase;
  let sim: RunningSimulator;
  beforeEach(async () => {
    t = await createTestDatabase('faults_drain_stop');
    sim = await startSimulator({ seed: 32, size: 'tiny', now: WORLD_NOW, faults: { quota: null } });
  });
  afterEach(async () => {
    await sim?.stop();
    await t?.drop();
  });

  /** Syncs the nib stream, calling `onChunk(n)` when the drain starts (n = 0) and after each chunk it stored. */
  const syncNibs = async (onChunk: (n: number) => void) => {
    const deps = await makeDeps(t, sim.url, { OSS_MAX_RETRIES: '1' });
    let chunks = -1;
    return sync(deps, {
      streams: ['nib'],
      onProgress: (p) => {
        if (p.stream === 'nib' && p.phase === 'inquiring NIBs') onChunk(++chunks);
      },
    });
  };
  /** Rows of `from` (a table and an optional where clause). */
  const count = async (from: string) => Number((await t.db.raw(`select count(*)::int as n from ${from}`)).rows[0].n);

  it('fails the stream, keeping every NIB queued with its error, when OSS answers none of them', async () => {
    const result = await syncNibs((n) => {
      // The listing went through; from here on every request fails after its retries.
      if (n === 0) sim.control.setFaults({ errorRate: 1 });
    });
    const queued = await count('nib_queue');
    expect(queued).toBeGreaterThan(100);
    expect(result.status).toBe('failed');
    expect(result.streams.nib?.status).toBe('failed');
    expect(result.streams.nib?.error).toMatch(
      new RegExp(
        `^OSS answered none of the last ${queued} NIBs inquired; they stay queued for the next run\\. ` +
          'Last error: OSS inqueryNIB \\d{13} failed after 2 attempts',
      ),
    );
    expect(await count('pelaku_usaha')).toBe(0);
    expect(await count('nib_queue where attempts = 1 and last_error like $$OSS inqueryNIB %$$')).toBe(queued);
  });

  it('stores the chunks answered before the key was refused, then stops', async () => {
    const result = await syncNibs((n) => {
      if (n === 1) sim.control.rotateKey('rotated-key');
    });
    expect(result.streams.nib?.status).toBe('failed');
    expect(result.streams.nib?.error).toMatch(/^OSS rejected the user_key \(OSS_USER_KEY\)/);
    const stored = await count('pelaku_usaha');
    const quarantined = await count(`quarantine where stream = 'nib'`);
    // The first chunk of 100 was answered and kept; the rest waits, with nothing held against the NIBs.
    expect(stored + quarantined).toBe(100);
    expect(await count('nib_queue where last_error is null and attempts = 0')).toBe(await count('nib_queue'));
    expect(await count('nib_queue')).toBeGreaterThan(0);
  });
});
