/*
 * The write lifecycle as users meet it: findings follow a push without any sync; a crash between a write and its
 * evaluation is caught up by the next run; a sync killed at any point converges to an uninterrupted run's data and
 * findings; a stopped CLI sync records its run; one sync holds the deployment even when its lock connection drops;
 * and every command's exit code is the documented one, with DATABASE_URL and on the embedded Postgres alike.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushToken, wibCompactDate } from '../../src/http/pushToken.js';
import { writeWorldExport } from '../../src/simulator/exports.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { tryRunLock } from '../../src/store/runs.js';
import { cli, logLine, type Ran } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { http, spawnServe, stopAllServe, waitFor } from '../helpers/serveEntry.js';
import { dataFingerprint, makeDeps, sync } from '../helpers/sync.js';

const WORLD_NOW = new Date('2026-11-20T03:00:00Z');
const PUSH_USER = 'oss-push-rembang';
const PUSH_PASS = 'lifecycle-pass';

const envFor = (t: TestDatabase, sim: RunningSimulator, extra: Record<string, string> = {}) => ({
  DATABASE_URL: t.url,
  OSS_BASE_URL: sim.url,
  OSS_USER_KEY: 'sandbox-key',
  OSS_RATE_LIMIT_RPS: '1000',
  OSS_CONCURRENCY: '4',
  OSS_PAGE_SIZE: '20',
  ...extra,
});

/** Every finding as a verifier's queue shows it. */
async function findings(t: TestDatabase) {
  return t
    .db('findings')
    .orderBy(['rule_code', 'entity_type', 'entity_id'])
    .select('rule_code', 'entity_type', 'entity_id', 'status', 'evidence_hash');
}

describe('findings follow every write', () => {
  let t: TestDatabase;
  let sim: RunningSimulator;
  beforeAll(async () => {
    t = await createTestDatabase('lifecycle_push');
    sim = await startSimulator({ seed: 31, size: 'tiny', now: WORLD_NOW, faults: { quota: null } });
    await sync(await makeDeps(t, sim.url));
  });
  afterAll(async () => {
    await stopAllServe();
    await sim.stop();
    await t.drop();
  });

  /** A partnership whose UMKM has a NIB document and no PARTNER_NOT_UMKM finding yet. */
  async function cleanPartnership(): Promise<{ id_kemitraan: string; nib_umkm: string }> {
    const row = await t.db.raw(`
      select k.id_kemitraan, k.nib_umkm from kemitraan k join pelaku_usaha p on p.nib = k.nib_umkm
       where k.deleted_at is null and p.skala_usaha in ('01', '02') and k.skala_usaha_umkm = p.skala_usaha
         and not exists (select 1 from findings f where f.entity_id = k.id_kemitraan and f.rule_code = 'PARTNER_NOT_UMKM')
       order by k.id_kemitraan limit 1`);
    expect(row.rows).toHaveLength(1);
    return row.rows[0];
  }

  it('a push that makes a partner a large business raises PARTNER_NOT_UMKM without a sync; a later push resolves it', async () => {
    const { id_kemitraan, nib_umkm } = await cleanPartnership();
    const doc = sim.world.getBusiness(nib_umkm);
    expect(doc).toBeDefined();
    const serve = await spawnServe({
      DATABASE_URL: t.url,
      OSS_BASE_URL: sim.url,
      OSS_USER_KEY: 'sandbox-key',
      OSS_PUSH_USERNAME: PUSH_USER,
      OSS_PUSH_PASSWORD: PUSH_PASS,
      SYNC_CRON: '0 2 1 1 *',
    });
    const syncsBefore = await t.db('sync_runs').whereNot({ trigger: 'push' }).count({ n: '*' });
    const push = (skala: string, flag: string) =>
      http(`${serve.url}/receiveNIB`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          token: pushToken(PUSH_USER, PUSH_PASS, nib_umkm, wibCompactDate(new Date())),
        },
        body: { dataNIB: { ...doc, skala_usaha: skala, flag_umk: flag, tgl_perubahan_nib: '2026-11-21' } },
      });

    expect((await push('04', 'N')).body.responreceiveNIB.status).toBe('1');
    const raised = await waitFor('the finding raised by the push', async () =>
      t.db('findings').where({ rule_code: 'PARTNER_NOT_UMKM', entity_id: id_kemitraan, status: 'open' }).first(),
    );
    expect(raised.evidence).toMatchObject({ nib_umkm, skala_usaha_oss: '04' });
    const raisedBy = await t.db('sync_runs').where({ id: raised.first_run_id }).first();
    expect(raisedBy.trigger).toBe('push');

    expect((await push(doc!.skala_usaha as string, doc!.flag_umk as string)).body.responreceiveNIB.status).toBe('1');
    const resolved = await waitFor('the finding resolved by the second push', async () =>
      t.db('findings').where({ rule_code: 'PARTNER_NOT_UMKM', entity_id: id_kemitraan, status: 'resolved' }).first(),
    );
    expect((await t.db('sync_runs').where({ id: resolved.resolved_run_id }).first()).trigger).toBe('push');
    // No sync ran meanwhile: the pushes alone moved the verifier's queue.
    expect(await t.db('sync_runs').whereNot({ trigger: 'push' }).count({ n: '*' })).toEqual(syncsBefore);
    expect(await serve.stop()).toBe(0);
  });

  it('a push batch killed after its commit, before its evaluation, is evaluated by the next run', async () => {
    const { id_kemitraan, nib_umkm } = await cleanPartnership();
    const doc = sim.world.getBusiness(nib_umkm)!;
    // The receiver's part (stored, accepted) without a serve process, so only the dying process applies it.
    const { validateBusinesses } = await import('../../src/validate/index.js');
    const { insertInboxItem } = await import('../../src/store/inbox.js');
    const { readPiiKey } = await import('../../src/store/db.js');
    const body = { ...doc, skala_usaha: '04', flag_umk: 'N', tgl_perubahan_nib: '2026-11-22' };
    const validated = validateBusinesses([body], { piiKey: await readPiiKey(t.db) });
    await insertInboxItem(t.db, {
      method: 'receiveNIB',
      remoteAddr: '127.0.0.1',
      nib: nib_umkm,
      status: 'pending',
      rejectReason: null,
      tokenOk: true,
      bodyBytes: JSON.stringify(body).length,
      payload: null,
      bodyText: null,
      validated,
    });
    const died = await new Promise<{ code: number | null; signal: string | null }>((resolve) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(import.meta.dirname, '..', 'helpers', 'pushThenDie.ts'), t.url],
        {
          stdio: 'ignore',
        },
      );
      child.on('close', (code, signal) => resolve({ code, signal }));
    });
    expect(died.signal).toBe('SIGKILL');
    // Committed: the business is stored as pushed, and the inbox item is applied; no finding yet.
    expect((await t.db('pelaku_usaha').where({ nib: nib_umkm }).first()).skala_usaha).toBe('04');
    expect(
      await t.db('findings').where({ rule_code: 'PARTNER_NOT_UMKM', entity_id: id_kemitraan }).first(),
    ).toBeUndefined();

    // The next run, whoever's: here a plain sync, which itself changes nothing about this partnership.
    const ran = await cli(['sync', '--stream', 'izin'], envFor(t, sim));
    expect(ran.code).toBe(0);
    expect(
      await t.db('findings').where({ rule_code: 'PARTNER_NOT_UMKM', entity_id: id_kemitraan, status: 'open' }).first(),
    ).toBeDefined();
  });
});

describe('a sync interrupted at any point converges', () => {
  let sim: RunningSimulator;
  let reference: TestDatabase;
  const dbs: TestDatabase[] = [];
  beforeAll(async () => {
    sim = await startSimulator({ seed: 32, size: 'tiny', now: WORLD_NOW, faults: { quota: null, latencyMs: 10 } });
    reference = await createTestDatabase('lifecycle_reference');
    const clean = await cli(['sync'], envFor(reference, sim));
    expect(clean.code).toBe(0);
  });
  afterAll(async () => {
    await sim.stop();
    for (const d of [reference, ...dbs]) await d.drop();
  });

  const points: Array<[string, (log: Record<string, unknown>) => boolean]> = [
    ['listing partnerships', (l) => l.msg === 'stream started' && l.stream === 'kemitraan'],
    ['draining the NIB queue', (l) => l.msg === 'stream finished' && l.stream === 'kemitraan'],
    ['evaluating findings', (l) => l.msg === 'findings evaluation started'],
  ];
  it.each(points)(
    'killed while %s: the next plain sync succeeds with exactly the findings of an uninterrupted run',
    async (_label, when) => {
      const t = await createTestDatabase('lifecycle_kill');
      dbs.push(t);
      let killed = false;
      const first = await cli(['sync', '--full'], envFor(t, sim, { OSS_CONCURRENCY: '2' }), {
        onLine: (line, child) => {
          const l = logLine(line);
          if (l && !killed && when(l)) {
            killed = true;
            // Let the stream commit a batch first, then die without any cleanup.
            setTimeout(() => child.kill('SIGKILL'), 150);
          }
        },
      });
      expect(killed).toBe(true);
      expect(first.signal).toBe('SIGKILL');
      const next = await cli(['sync'], envFor(t, sim));
      expect(next.code).toBe(0);
      expect(next.stdout).toMatch(/Sync run \d+: SUCCEEDED/);
      expect(await dataFingerprint(t)).toEqual(await dataFingerprint(reference));
      expect(await findings(t)).toEqual(await findings(reference));
    },
  );

  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('a CLI sync stopped with %s commits its batch, records its run and exits %i', async (sig, code) => {
    const t = await createTestDatabase('lifecycle_signal');
    dbs.push(t);
    let sent = false;
    const ran: Ran = await cli(['sync'], envFor(t, sim, { OSS_CONCURRENCY: '1' }), {
      onLine: (line, child) => {
        const l = logLine(line);
        if (!sent && l?.msg === 'stream finished' && l.stream === 'kemitraan') {
          sent = true;
          child.kill(sig);
        }
      },
    });
    expect(sent).toBe(true);
    expect(ran.code).toBe(code);
    expect(ran.stderr).toContain(`${sig} received: stopping after the current batch`);
    const run = await t.db('sync_runs').orderBy('id', 'desc').first();
    expect(run.status).toBe('partial');
    expect(run.streams.kemitraan.status).toBe('succeeded');
    expect(run.streams.izin.note).toMatch(/shutting down/);
    // The analyst views show what the stopped run stored: its run is over, not "running".
    const visible = await t.db.raw('select count(*)::int as n from analytics.kemitraan');
    expect(visible.rows[0].n).toBe(Number((await t.db('kemitraan').count({ n: '*' }))[0]?.n));
    expect(visible.rows[0].n).toBeGreaterThan(0);
  });
});

describe('one sync at a time, even when the lock connection is lost', () => {
  let sim: RunningSimulator;
  let t: TestDatabase;
  let reference: TestDatabase;
  beforeAll(async () => {
    sim = await startSimulator({ seed: 33, size: 'tiny', now: WORLD_NOW, faults: { quota: null, latencyMs: 20 } });
    t = await createTestDatabase('lifecycle_lock');
    reference = await createTestDatabase('lifecycle_lock_ref');
  });
  afterAll(async () => {
    await sim.stop();
    await t.drop();
    await reference.drop();
  });

  it('a second sync is refused while the first lives on without its lock connection; the first finishes alone', async () => {
    let terminated = false;
    let second: Ran | null = null;
    const first = await cli(['sync'], envFor(t, sim, { OSS_CONCURRENCY: '1' }), {
      onLine: (line) => {
        const l = logLine(line);
        if (terminated || l?.msg !== 'stream finished' || l.stream !== 'kemitraan') return;
        terminated = true;
        void (async () => {
          await t.db.raw(
            `select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'oss-sync run lock' and datname = current_database()`,
          );
          second = await cli(['sync'], envFor(t, sim));
        })();
      },
    });
    expect(terminated).toBe(true);
    await waitFor('the second sync to answer', () => second ?? undefined);
    const refused = second as unknown as Ran;
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/A sync is already running \(run \d+\)/);
    expect(first.code).toBe(0);
    const runs = await t.db('sync_runs').orderBy('id').select('status', 'error');
    expect(runs).toEqual([{ status: 'succeeded', error: null }]);
    expect((await cli(['sync'], envFor(reference, sim))).code).toBe(0);
    expect(await dataFingerprint(t)).toEqual(await dataFingerprint(reference));
  });

  it('no run is marked dead while it heartbeats: a sync waiting on a held lock is refused with the holder named', async () => {
    const lock = await tryRunLock(t.url);
    expect(lock).not.toBeNull();
    try {
      const refused = await cli(['sync'], envFor(t, sim));
      expect(refused.code).toBe(4);
    } finally {
      await lock?.release();
    }
  });
});

describe('exit codes, with DATABASE_URL and on the embedded Postgres', () => {
  let sim: RunningSimulator;
  let t: TestDatabase;
  let dataDir: string;
  let junk: string;
  beforeAll(async () => {
    sim = await startSimulator({ seed: 34, size: 'tiny', now: WORLD_NOW, faults: { quota: null } });
    t = await createTestDatabase('lifecycle_exit');
    dataDir = mkdtempSync(join(tmpdir(), 'oss-sync-exit-'));
    // The embedded server runs as the user postgres, which must be able to enter the folder.
    chmodSync(dataDir, 0o755);
    junk = join(dataDir, 'notes.csv');
    writeFileSync(junk, 'this,is,not\nan,oss,export\n');
  });
  afterAll(async () => {
    await sim.stop();
    await t.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const modes = () => ({
    DATABASE_URL: { DATABASE_URL: t.url },
    embedded: { OSS_SYNC_DATA_DIR: join(dataDir, 'embedded'), OSS_SYNC_DB_PORT: '0' },
  });
  const cases: Array<[string, string[], number | ((r: Ran) => void)]> = [
    ['migrate', ['migrate'], 0],
    ['a complete sync', ['sync'], 0],
    ['sync with a stream that does not exist', ['sync', '--stream', 'bogus'], 2],
    ['status', ['status'], 0],
    ['an illegal move of a finding', ['discrepancies', 'verify', '1', '--status', 'bogus', '--by', 'ana'], 2],
    ['a bad --severity', ['discrepancies', 'list', '--severity', 'fatal'], 2],
    ['a refused import', ['import', '__JUNK__'], 1],
    ['an unknown command', ['frobnicate'], 2],
  ];
  for (const mode of ['DATABASE_URL', 'embedded'] as const) {
    it.each(cases)(`${mode}: %s exits as documented`, async (_label, args, expected) => {
      const env = {
        ...modes()[mode],
        OSS_BASE_URL: sim.url,
        OSS_USER_KEY: 'sandbox-key',
        OSS_RATE_LIMIT_RPS: '1000',
      };
      const ran = await cli(
        args.map((a) => (a === '__JUNK__' ? junk : a)),
        env,
      );
      if (typeof expected === 'number') expect(ran.code, ran.stderr).toBe(expected);
      else expected(ran);
    });
  }

  it('embedded: a sync whose OSS never answers exits 1, and the wrong key exits 1', async () => {
    const base = {
      OSS_SYNC_DATA_DIR: join(dataDir, 'embedded'),
      OSS_SYNC_DB_PORT: '0',
      OSS_RATE_LIMIT_RPS: '1000',
      OSS_MAX_RETRIES: '1',
      OSS_TIMEOUT_MS: '500',
    };
    const unreachable = await cli(['sync'], { ...base, OSS_BASE_URL: 'http://127.0.0.1:9/kl/rba', OSS_USER_KEY: 'k' });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stdout).toMatch(/FAILED/);
    const wrongKey = await cli(['sync'], { ...base, OSS_BASE_URL: sim.url, OSS_USER_KEY: 'not-the-key' });
    expect(wrongKey.code).toBe(1);
  });

  it('an import while a sync holds the deployment exits 4; a partial sync exits 3, in both modes', async () => {
    const file = join(dataDir, 'dp-proyek.csv');
    await writeWorldExport({ world: sim.world, type: 'dp_proyek', format: 'csv', path: file, rows: 20 });
    const lock = await tryRunLock(t.url);
    try {
      const busy = await cli(['import', file], { DATABASE_URL: t.url });
      expect(busy.code, busy.stderr).toBe(4);
    } finally {
      await lock?.release();
    }
    // A complete listing now lacks most of what both databases hold: the delete guard fails the kemitraan stream
    // while the nib and izin streams succeed.
    sim.control.withdrawFraction(0.6);
    for (const mode of ['DATABASE_URL', 'embedded'] as const) {
      const env = { ...modes()[mode], OSS_BASE_URL: sim.url, OSS_USER_KEY: 'sandbox-key', OSS_RATE_LIMIT_RPS: '1000' };
      const partial = await cli(['sync', '--full'], env);
      expect(partial.code, `${mode}: ${partial.stderr}`).toBe(3);
      expect(partial.stdout).toMatch(/PARTIAL/);
      expect(partial.stdout).toMatch(/delete guard/);
    }
  });
});
