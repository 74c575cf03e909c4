import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { cli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { dataFingerprint } from '../helpers/sync.js';

const WORLD_NOW = new Date('2026-11-20T03:00:00Z');

const envFor = (t: TestDatabase, sim: RunningSimulator, extra: Record<string, string> = {}) => ({
  DATABASE_URL: t.url,
  OSS_BASE_URL: sim.url,
  OSS_USER_KEY: 'sandbox-key',
  OSS_RATE_LIMIT_RPS: '1000',
  OSS_CONCURRENCY: '8',
  OSS_PAGE_SIZE: '20',
  ...extra,
});

describe('oss-sync sync from the command line', () => {
  let t: TestDatabase;
  let sim: RunningSimulator;
  beforeAll(async () => {
    t = await createTestDatabase('cli');
    sim = await startSimulator({ seed: 21, size: 'tiny', now: WORLD_NOW, faults: { quota: null } });
  });
  afterAll(async () => {
    await sim.stop();
    await t.drop();
  });

  it('fails fast on a wrong key, naming the variable and never printing the key', async () => {
    sim.control.resetStats();
    const ran = await cli(['sync'], envFor(t, sim, { OSS_USER_KEY: 'an-old-rotated-key-3b9f' }));
    expect(ran.code).toBe(1);
    expect(ran.stdout).toMatch(/Sync run \d+: FAILED/);
    expect(ran.stdout + ran.stderr).toMatch(/OSS_USER_KEY/);
    expect(ran.stdout + ran.stderr).not.toContain('an-old-rotated-key-3b9f');
    expect(sim.control.stats().requests).toBe(1);
    expect(sim.control.stats().unauthorized).toBe(1);
  });

  it('lists every configuration problem at once and exits 2', async () => {
    const ran = await cli(['sync'], { OSS_BASE_URL: 'not a url', OSS_RATE_LIMIT_RPS: 'fast', OSS_KD_DAERAH: '33170' });
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(/OSS_BASE_URL must be an http\(s\) URL/);
    expect(ran.stderr).toMatch(/OSS_RATE_LIMIT_RPS must be a number/);
    expect(ran.stderr).toMatch(/OSS_KD_DAERAH must be 2 digits/);
  });

  it('refuses to sync a database with pending migrations, and migrate fixes it', async () => {
    const fresh = await createTestDatabase('cli_pending');
    try {
      await fresh.db.migrate.rollback(undefined, true).catch(() => undefined);
      await fresh.db.raw(
        'drop schema if exists analytics cascade; drop table if exists knex_migrations, knex_migrations_lock',
      );
      await fresh.db.raw('drop schema public cascade; create schema public');
      const refused = await cli(['sync'], envFor(fresh, sim));
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/pending migrations .* run `oss-sync migrate` first/);
      const migrated = await cli(['migrate'], envFor(fresh, sim));
      expect(migrated.code).toBe(0);
      expect(migrated.stdout).toMatch(/Applied \d+ migrations/);
    } finally {
      await fresh.drop();
    }
  });

  it('prints a readable summary and exits 0 on a complete sync', async () => {
    const ran = await cli(['sync', '--by', 'ana', '--reason', 'OSS announced a fix'], envFor(t, sim));
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/Sync run \d+: SUCCEEDED/);
    expect(ran.stdout).toMatch(/kemitraan\s+succeeded\s+\d+/);
    expect(ran.stdout).toMatch(/Quarantined records \(top reasons\)/);
    const run = await t.db('sync_runs').orderBy('id', 'desc').first();
    expect([run.requested_by, run.reason, run.status]).toEqual(['ana', 'OSS announced a fix', 'succeeded']);
  });
});

describe('a sync killed mid-run', () => {
  let interrupted: TestDatabase;
  let reference: TestDatabase;
  let sim: RunningSimulator;
  beforeAll(async () => {
    interrupted = await createTestDatabase('cli_killed');
    reference = await createTestDatabase('cli_reference');
    // Slow enough that the kill lands mid-run, after some batches committed.
    sim = await startSimulator({ seed: 22, size: 'tiny', now: WORLD_NOW, faults: { quota: null, latencyMs: 15 } });
  });
  afterAll(async () => {
    await sim.stop();
    await interrupted.drop();
    await reference.drop();
  });

  it('converges, after a rerun, to the database of an uninterrupted run', async () => {
    let killedAfterCommit = false;
    const killed = await cli(['sync'], envFor(interrupted, sim, { OSS_CONCURRENCY: '2' }), {
      onSpawn: (child) => {
        const poll = setInterval(async () => {
          const stored = await interrupted.db('pelaku_usaha').count({ n: '*' });
          if (Number(stored[0]?.n) >= 10) {
            clearInterval(poll);
            killedAfterCommit = true;
            child.kill('SIGKILL');
          }
        }, 20);
        child.on('close', () => clearInterval(poll));
      },
    });
    expect(killed.signal).toBe('SIGKILL');
    expect(killedAfterCommit).toBe(true);
    const left = await interrupted.db('sync_runs').where({ status: 'running' }).count({ n: '*' });
    expect(left).toEqual([{ n: 1 }]);

    const rerun = await cli(['sync'], envFor(interrupted, sim));
    expect(rerun.code).toBe(0);
    const runs = await interrupted.db('sync_runs').orderBy('id').select('status', 'error');
    expect(runs.map((r) => r.status)).toEqual(['failed', 'succeeded']);
    expect(runs[0].error).toMatch(/interrupted/);

    const clean = await cli(['sync'], envFor(reference, sim));
    expect(clean.code).toBe(0);
    expect(await dataFingerprint(interrupted)).toEqual(await dataFingerprint(reference));
  });
});
