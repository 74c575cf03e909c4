/*
 * `oss-sync serve` as a real child process on a real Postgres, syncing from the OSS simulator (through a small proxy
 * in this process that can slow OSS down, so a sync lasts long enough to be watched, contended and interrupted).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pushToken, wibCompactDate } from '../../src/http/pushToken.js';
import { startSimulator } from '../../src/simulator/index.js';
import { createDb } from '../../src/store/db.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { http, type Loose, type ServeProcess, spawnServe, stopAllServe, waitFor } from '../helpers/serveEntry.js';
import { dataFingerprint, makeDeps, rowVersions, sync } from '../helpers/sync.js';

const ADMIN = 'serve-test-admin-token';
const USER_KEY = 'sandbox-key';
const WORLD_NOW = new Date('2026-11-20T03:00:00Z');

/** A forwarding proxy to the simulator with an adjustable delay per request. */
interface SlowOss {
  url: string;
  delayMs: number;
  close(): Promise<void>;
}

async function startSlowOss(targetUrl: string): Promise<SlowOss> {
  const target = new URL(targetUrl);
  const state = { delayMs: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      setTimeout(async () => {
        try {
          const path = (req.url ?? '/').replace(/^\/+/, '');
          const upstream = await fetch(new URL(path, `${target.href.replace(/\/+$/, '')}/`), {
            method: req.method ?? 'POST',
            headers: Object.fromEntries(
              Object.entries(req.headers)
                .filter(([k]) => !['host', 'content-length', 'connection'].includes(k))
                .map(([k, v]) => [k, String(v)]),
            ),
            ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
          });
          const body = Buffer.from(await upstream.arrayBuffer());
          const headers: Record<string, string> = {};
          upstream.headers.forEach((v, k) => {
            if (!['content-length', 'transfer-encoding', 'connection', 'content-encoding'].includes(k)) headers[k] = v;
          });
          res.writeHead(upstream.status, headers).end(body);
        } catch (err) {
          res.writeHead(502).end(String(err));
        }
      }, state.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(ms: number) {
      state.delayMs = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The numeric value of one series in a Prometheus exposition, or null. */
function series(text: string, name: string, labels: Record<string, string> = {}): number | null {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-z_:]+)(\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[3] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[4]);
  }
  return null;
}

describe('oss-sync serve', () => {
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let oss: SlowOss;
  const databases: TestDatabase[] = [];

  const env = (t: { url: string }, extra: Record<string, string> = {}): Record<string, string> => ({
    DATABASE_URL: t.url,
    OSS_BASE_URL: oss.url,
    OSS_USER_KEY: USER_KEY,
    OSS_RATE_LIMIT_RPS: '2000',
    OSS_CONCURRENCY: '4',
    OSS_PAGE_SIZE: '20',
    OSS_TIMEOUT_MS: '5000',
    OSS_MAX_RETRIES: '4',
    ADMIN_TOKEN: ADMIN,
    // Never due while the tests run (the schedule tests set their own).
    SYNC_CRON: '0 2 1 1 *',
    TZ: 'Asia/Jakarta',
    ...extra,
  });
  const auth = { authorization: `Bearer ${ADMIN}` };
  const trigger = (s: ServeProcess, body: unknown, headers: Record<string, string> = auth) =>
    http(`${s.url}/syncs`, { method: 'POST', headers, body });
  const finished = (s: ServeProcess, id: number, timeoutMs = 90_000): Promise<Loose> =>
    waitFor(
      `run ${id} to finish`,
      async () => {
        const r = await http(`${s.url}/syncs/${id}`);
        return r.body.status !== 'running' ? r.body : undefined;
      },
      timeoutMs,
      200,
    );
  const newDatabase = async (label: string) => {
    const t = await createTestDatabase(label);
    databases.push(t);
    return t;
  };

  beforeAll(async () => {
    sim = await startSimulator({
      seed: 7,
      size: 'tiny',
      kdDaerah: '3317',
      now: WORLD_NOW,
      userKey: USER_KEY,
      faults: { quota: null },
    });
    oss = await startSlowOss(sim.url);
  });

  afterAll(async () => {
    await stopAllServe();
    await oss?.close();
    await sim?.stop();
    for (const t of databases) await t.drop();
  });

  describe('migrations', () => {
    let raw: { url: string; drop(): Promise<void> };

    beforeAll(async () => {
      const admin = inject('adminDatabaseUrl');
      const name = `oss_t_serve_raw_${Date.now().toString(36)}`;
      const run = async (sql: string) => {
        const c = new pg.Client({ connectionString: admin });
        await c.connect();
        try {
          await c.query(sql);
        } finally {
          await c.end();
        }
      };
      await run(`create database ${name}`);
      const u = new URL(admin);
      u.pathname = `/${name}`;
      raw = { url: u.toString(), drop: () => run(`drop database if exists ${name} with (force)`) };
    });
    afterAll(async () => {
      await stopAllServe();
      await raw.drop();
    });

    it('refuses to start with pending migrations, naming them and --migrate', async () => {
      const s = await spawnServe(env(raw), [], { expectStartFailure: true });
      expect((await s.exited).code).toBe(1);
      const out = s.output.join('\n');
      expect(out).toMatch(/pending migrations/);
      expect(out).toMatch(/20261129000300_push_inbox/);
      expect(out).toMatch(/serve --migrate/);
    });

    it('migrates with --migrate, and /readyz fails while a migration is pending (liveness stays up)', async () => {
      const s = await spawnServe(env(raw, { ADMIN_TOKEN: '' }), ['--migrate']);
      const ready = await http(`${s.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(ready.body).toMatchObject({
        status: 'ready',
        checks: { database: { ok: true }, migrations: { ok: true, pending: [] } },
      });

      const db = createDb(raw.url, 1);
      try {
        const [row] = await db('knex_migrations').where({ name: '20261129000300_push_inbox' }).del().returning('*');
        const notReady = await http(`${s.url}/readyz`);
        expect(notReady.status).toBe(503);
        expect(notReady.body).toMatchObject({
          status: 'not_ready',
          checks: { migrations: { ok: false, pending: ['20261129000300_push_inbox.ts'] } },
        });
        expect((await http(`${s.url}/healthz`)).status).toBe(200);
        await db('knex_migrations').insert(row);
        expect((await http(`${s.url}/readyz`)).status).toBe(200);
      } finally {
        await db.destroy();
      }

      // Without ADMIN_TOKEN the write route is off, and says so.
      const off = await trigger(s, { by: 'ops' });
      expect(off.status).toBe(403);
      expect(off.body).toMatchObject({
        error: 'write_routes_off',
        message: expect.stringMatching(/ADMIN_TOKEN is not set/),
      });
      expect(await s.stop()).toBe(0);
    });
  });

  describe('manual triggers, progress, one sync at a time, metrics', () => {
    let t: TestDatabase;
    let a: ServeProcess;

    beforeAll(async () => {
      t = await newDatabase('serve');
      a = await spawnServe(env(t, { OSS_PUSH_USERNAME: 'push-user', OSS_PUSH_PASSWORD: 'push-pass' }));
    });
    afterAll(async () => {
      oss.delayMs = 0;
      await stopAllServe();
    });

    it('refuses POST /syncs without the bearer token, and names the field of a bad body', async () => {
      const none = await trigger(a, { by: 'x' }, {});
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toMatch(/Bearer/);
      expect((await trigger(a, { by: 'x' }, { authorization: `Bearer ${ADMIN}x` })).status).toBe(401);
      expect((await trigger(a, { by: 'x' }, { authorization: ADMIN })).status).toBe(401);

      const bad = await trigger(a, { dryrun: true, dry_run: 'yes', stream: 'kemitraaan' });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toBe('invalid_request');
      expect(bad.body.fields.map((f: { field: string }) => f.field).sort()).toEqual([
        'by',
        'dry_run',
        'dryrun',
        'stream',
      ]);
      expect(bad.body.message).toMatch(/by: is required/);
      expect(bad.body.message).toMatch(/stream: must be one of kemitraan, nib, izin/);
      const notObject = await http(`${a.url}/syncs`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        rawBody: '[1]',
      });
      expect(notObject.status).toBe(400);
      expect(notObject.body.message).toMatch(/JSON object/);
      expect(await t.db('sync_runs').count({ n: '*' })).toEqual([{ n: 0 }]);
    });

    it('a dry run fetches and reports what would change, and writes nothing', async () => {
      const before = await rowVersions(t);
      const res = await trigger(a, { by: 'verifier siti', reason: 'preview', dry_run: true });
      expect(res.status).toBe(202);
      expect(res.headers.get('location')).toBe(`/syncs/${res.body.id}`);
      const run = await finished(a, res.body.id);
      expect(run).toMatchObject({
        status: 'succeeded',
        trigger: 'manual',
        requested_by: 'verifier siti',
        reason: 'preview',
        scope: { dry_run: true },
      });
      expect(run.totals.fetched).toBeGreaterThan(0);
      expect(run.totals.inserted).toBeGreaterThan(0);
      expect(await rowVersions(t)).toEqual(before);
      expect(await t.db('sync_checkpoints').count({ n: '*' })).toEqual([{ n: 0 }]);
    });

    it('answers 202 with the run id, shows progress, and answers 409 to a second trigger here and in another process', async () => {
      const metricsBefore = (await http(`${a.url}/metrics`)).text;
      oss.delayMs = 80;
      const res = await trigger(a, {
        by: 'it staff',
        reason: 'OSS fixed the feed',
        stream: ['kemitraan', 'nib', 'izin'],
      });
      expect(res.status).toBe(202);
      const id: number = res.body.id;
      expect(res.body).toEqual({ id, status: 'running', url: `/syncs/${id}` });

      const again = await trigger(a, { by: 'someone else' });
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ error: 'sync_already_running', running_run_id: id });

      const progress = await waitFor(
        'progress with counts while the run is going on',
        async () => {
          const r = await http(`${a.url}/syncs/${id}`);
          const fetched = Object.values(r.body.streams as Record<string, Loose>).some((s) => s.counts?.fetched > 0);
          return r.body.status === 'running' && fetched ? r.body : undefined;
        },
        60_000,
        50,
      );
      expect(progress.scope.streams).toEqual(['kemitraan', 'nib', 'izin']);
      expect(progress.streams.kemitraan.phase).toEqual(expect.any(String));

      // A second serve on the same database: the deployment-wide guard answers 409 there too. OSS slows down
      // further meanwhile, so the run is still going when that process is up.
      oss.delayMs = 400;
      const b = await spawnServe(env(t));
      const elsewhere = await trigger(b, { by: 'replica user' });
      expect(elsewhere.status).toBe(409);
      expect(elsewhere.body.running_run_id).toBe(id);
      // …and it sees the run's saved progress.
      const seen = await http(`${b.url}/syncs/${id}`);
      expect(seen.body).toMatchObject({ id, status: 'running', requested_by: 'it staff' });

      oss.delayMs = 0;
      const done = await finished(a, id);
      expect(done.status).toBe('succeeded');
      for (const s of ['kemitraan', 'nib', 'izin']) expect(done.streams[s].status).toBe('succeeded');
      expect(done.streams.kemitraan.counts.inserted).toBeGreaterThan(0);
      expect(done.finished_at).toEqual(expect.any(String));
      expect(await b.stop()).toBe(0);

      const list = await http(`${a.url}/syncs?limit=5`);
      expect(list.body.runs.map((r: Loose) => r.id)).toContain(id);
      expect((await http(`${a.url}/syncs?limit=0`)).status).toBe(400);
      expect((await http(`${a.url}/syncs/999999`)).status).toBe(404);

      // Metrics: every series is exposed, and the counters and gauges moved with this run and a push.
      const nib = '9120304050611';
      const pushRes = await http(`${a.url}/receiveNIB`, {
        method: 'POST',
        headers: { Token: pushToken('push-user', 'push-pass', nib, wibCompactDate(new Date())) },
        body: { dataNIB: { nib, nama_perseroan: 'UD METRIK', tgl_perubahan_nib: '2026-11-01' } },
      });
      expect(pushRes.body.responreceiveNIB.status).toBe('1');
      await waitFor(
        'the push to be applied',
        async () => (await t.db('push_inbox').where({ nib }).first())?.status === 'applied',
      );
      const after = (await http(`${a.url}/metrics`)).text;
      for (const name of [
        'oss_sync_runs_total',
        'oss_sync_run_duration_seconds_count',
        'oss_sync_runs_running',
        'oss_sync_records_total',
        'oss_sync_oss_requests_total',
        'oss_sync_oss_retries_total',
        'oss_sync_oss_rate_wait_seconds_total',
        'oss_sync_quarantine_records',
        'oss_sync_open_findings',
        'oss_sync_push_inbox_backlog',
        'oss_sync_push_received_total',
        'oss_sync_last_success_timestamp_seconds',
      ]) {
        expect(after, name).toContain(`\n${name}`);
      }
      const moved = (name: string, labels: Record<string, string> = {}): [number, number] => [
        series(metricsBefore, name, labels) ?? 0,
        series(after, name, labels) ?? 0,
      ];
      const [runsBefore, runsAfter] = moved('oss_sync_runs_total', { trigger: 'manual', status: 'succeeded' });
      expect(runsAfter).toBe(runsBefore + 1);
      const [fetchedBefore, fetchedAfter] = moved('oss_sync_records_total', {
        stream: 'kemitraan',
        outcome: 'fetched',
      });
      expect(fetchedAfter).toBeGreaterThan(fetchedBefore);
      expect(series(after, 'oss_sync_records_total', { stream: 'kemitraan', outcome: 'inserted' })).toBe(
        done.streams.kemitraan.counts.inserted,
      );
      const [okBefore, okAfter] = moved('oss_sync_oss_requests_total', { method: 'listKemitraan', result: 'ok' });
      expect(okAfter).toBeGreaterThan(okBefore);
      expect(series(after, 'oss_sync_oss_rate_wait_seconds_total')).toBeGreaterThanOrEqual(0);
      const [pushBefore, pushAfter] = moved('oss_sync_push_received_total', { result: 'accepted' });
      expect(pushAfter).toBe(pushBefore + 1);
      expect(series(after, 'oss_sync_runs_total', { trigger: 'push', status: 'succeeded' })).toBe(1);
      expect(series(metricsBefore, 'oss_sync_last_success_timestamp_seconds', { stream: 'kemitraan' })).toBeNull();
      expect(series(after, 'oss_sync_last_success_timestamp_seconds', { stream: 'kemitraan' })).toBeGreaterThan(
        Date.parse(done.started_at) / 1000 - 1,
      );
      expect(series(after, 'oss_sync_quarantine_records', { stream: 'kemitraan' })).toBe(
        Number(
          (await t.db('quarantine').where({ stream: 'kemitraan' }).whereNull('resolved_at').count({ n: '*' }))[0]?.n,
        ),
      );
      expect(series(after, 'oss_sync_push_inbox_backlog', { state: 'pending' })).toBe(0);
      expect(series(after, 'oss_sync_runs_running')).toBe(0);
      expect(series(after, 'oss_sync_database_up')).toBe(1);
    });
  });

  describe('schedule', () => {
    let t: TestDatabase;
    beforeAll(async () => {
      t = await newDatabase('serve_schedule');
    });
    afterAll(async () => {
      await stopAllServe();
    });

    it('a scheduled tick runs a sync (SYNC_CRON with seconds), never two at once', async () => {
      const s = await spawnServe(env(t, { SYNC_CRON: '*/2 * * * * *' }));
      const run = await waitFor(
        'a scheduled run to succeed',
        async () => (await t.db('sync_runs').where({ trigger: 'schedule', status: 'succeeded' }).first()) ?? undefined,
        90_000,
        200,
      );
      expect(run).toMatchObject({ requested_by: 'schedule', reason: 'SYNC_CRON "*/2 * * * * *" (Asia/Jakarta)' });
      expect(run.scope).toMatchObject({ streams: ['kemitraan', 'nib', 'izin'], full: false, dryRun: false });
      expect(Number((await t.db('kemitraan').count({ n: '*' }))[0]?.n)).toBeGreaterThan(0);
      expect(await s.stop()).toBe(0);
      // Every scheduled run ended; the unique running row and the lock never let two overlap.
      expect(await t.db('sync_runs').where({ status: 'running' }).count({ n: '*' })).toEqual([{ n: 0 }]);
    });

    it('catches up once on start when a scheduled run was missed while it was down', async () => {
      // Its own database: a run of the previous test that started less than a second ago would be a success after
      // the missed instant, and rightly prevent the catch-up (the order-dependent failure this test used to have).
      t = await newDatabase('serve_catch_up');
      const missed = new Date(Date.now() - 1_000);
      await t
        .db('app_settings')
        .insert({
          key: 'schedule_next_run',
          value: JSON.stringify({ nextRunAt: missed.toISOString(), cron: '0 2 * * *', timezone: 'Asia/Jakarta' }),
        })
        .onConflict('key')
        .merge();
      const s = await spawnServe(env(t, { SYNC_CRON: '0 2 * * *' }));
      const run = await waitFor(
        'the catch-up run to finish',
        async () =>
          (await t
            .db('sync_runs')
            .where({ trigger: 'schedule' })
            .whereLike('reason', 'catch-up%')
            .whereNot({ status: 'running' })
            .first()) ?? undefined,
        90_000,
        200,
      );
      expect(run.status).toBe('succeeded');
      expect(run.reason).toBe(`catch-up: the scheduled run of ${missed.toISOString()} did not happen`);
      const state = await waitFor('the next run to be recorded', async () => {
        const row = await t.db('app_settings').where({ key: 'schedule_next_run' }).first();
        const next = new Date(JSON.parse(row.value).nextRunAt);
        return next.getTime() > Date.now() ? next : undefined;
      });
      // The next 02:00 WIB, i.e. 19:00 UTC.
      expect(state.getUTCHours()).toBe(19);
      expect(await s.stop()).toBe(0);
      expect(await t.db('sync_runs').whereLike('reason', 'catch-up%').count({ n: '*' })).toEqual([{ n: 1 }]);

      // Restarted right away: nothing was missed, so no second catch-up.
      const again = await spawnServe(env(t, { SYNC_CRON: '0 2 * * *' }));
      await waitFor('the log line of the started schedule', () =>
        again.output.some((l) => l.includes('schedule started')),
      );
      expect(await again.stop()).toBe(0);
      expect(await t.db('sync_runs').whereLike('reason', 'catch-up%').count({ n: '*' })).toEqual([{ n: 1 }]);
    });
  });

  describe('SIGTERM during a sync', () => {
    it('exits 0; the next run resumes from the committed checkpoint, nothing lost or duplicated', async () => {
      const interrupted = await newDatabase('serve_sigterm');
      const reference = await newDatabase('serve_reference');

      oss.delayMs = 60;
      const s = await spawnServe(env(interrupted));
      const res = await trigger(s, { by: 'ops', reason: 'about to be stopped' });
      expect(res.status).toBe(202);
      const id: number = res.body.id;
      await waitFor(
        'a committed kemitraan checkpoint',
        async () => (await interrupted.db('sync_checkpoints').where({ stream: 'kemitraan' }).first()) ?? undefined,
        60_000,
        50,
      );
      s.child.kill('SIGTERM');
      const { code } = await s.exited;
      expect(code).toBe(0);
      expect(s.logs().some((l) => l.msg === 'serve stopped')).toBe(true);
      const stopped = await interrupted.db('sync_runs').where({ id }).first();
      expect(stopped.status).toBe('partial');
      expect(stopped.finished_at).not.toBeNull();
      expect(JSON.stringify(stopped.streams)).toMatch(/shutdown/);
      oss.delayMs = 0;

      // The uninterrupted reference: one sync of the same world into another database, with the same NIK hashing
      // key (it is random per installation, and the hashes are part of the content).
      const key = await interrupted.db('app_settings').where({ key: 'pii_hash_key' }).first('value');
      await reference.db('app_settings').where({ key: 'pii_hash_key' }).update({ value: key.value });
      const deps = await makeDeps(reference, oss.url, { OSS_PAGE_SIZE: '20' });
      const full = await sync(deps);
      expect(full.status).toBe('succeeded');

      const s2 = await spawnServe(env(interrupted));
      const res2 = await trigger(s2, { by: 'ops', reason: 'resume' });
      const resumed = await finished(s2, res2.body.id);
      expect(resumed.status).toBe('succeeded');
      // It resumed: it listed fewer partnerships than a sync from the start.
      expect(resumed.streams.kemitraan.counts.fetched).toBeLessThan(full.streams.kemitraan!.counts.fetched);
      expect(await s2.stop()).toBe(0);

      expect(await dataFingerprint(interrupted)).toEqual(await dataFingerprint(reference));
    });

    it("a killed process's run does not block the next one: its lock goes with it, its row is closed", async () => {
      const t = await newDatabase('serve_killed');
      oss.delayMs = 60;
      const s = await spawnServe(env(t));
      const res = await trigger(s, { by: 'ops' });
      await waitFor(
        'the run to be under way',
        async () => (await t.db('sync_checkpoints').first()) ?? undefined,
        60_000,
        50,
      );
      s.child.kill('SIGKILL');
      expect((await s.exited).signal).toBe('SIGKILL');
      expect((await t.db('sync_runs').where({ id: res.body.id }).first()).status).toBe('running');
      oss.delayMs = 0;

      const s2 = await spawnServe(env(t));
      const next = await trigger(s2, { by: 'ops', reason: 'after a crash' });
      expect(next.status).toBe(202);
      expect((await finished(s2, next.body.id)).status).toBe('succeeded');
      const killed = await t.db('sync_runs').where({ id: res.body.id }).first();
      expect(killed).toMatchObject({ status: 'failed', error: expect.stringMatching(/interrupted/) });
      expect(await s2.stop()).toBe(0);
    });
  });
});
