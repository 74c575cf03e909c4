/*
 * A dead database, as ops meet it: a TCP proxy in front of the real Postgres is cut and restored. serve stays up and
 * answers 503 naming the cause; the CLI names DATABASE_URL and the host on stderr and keeps stdout clean; a sync cut
 * mid-run fails with that message, and the next one converges to an uninterrupted run's data and findings.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { cli, logLine } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { http, spawnServe, stopAllServe, waitFor } from '../helpers/serveEntry.js';
import { dataFingerprint } from '../helpers/sync.js';

const WORLD_NOW = new Date('2026-11-20T03:00:00Z');

interface Proxy {
  port: number;
  /** Drops every connection and refuses new ones until restore(). */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

async function startProxy(targetHost: string, targetPort: number): Promise<Proxy> {
  let open = true;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    if (!open) return client.destroy();
    const upstream = connect(targetPort, targetHost);
    sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    cut() {
      open = false;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    restore() {
      open = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The test database's URL, through the proxy. */
function viaProxy(url: string, proxy: Proxy): string {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(proxy.port);
  return u.toString();
}

describe('a dead database', () => {
  let sim: RunningSimulator;
  let proxy: Proxy;
  const dbs: TestDatabase[] = [];
  const newDatabase = async (label: string) => {
    const t = await createTestDatabase(label);
    dbs.push(t);
    return t;
  };
  beforeAll(async () => {
    const admin = new URL(inject('adminDatabaseUrl'));
    proxy = await startProxy(admin.hostname, Number(admin.port || 5432));
    sim = await startSimulator({ seed: 41, size: 'tiny', now: WORLD_NOW, faults: { quota: null, latencyMs: 15 } });
  });
  afterAll(async () => {
    await stopAllServe();
    await proxy.close();
    await sim.stop();
    for (const t of dbs) await t.drop();
  });

  const env = (t: TestDatabase, extra: Record<string, string> = {}) => ({
    DATABASE_URL: viaProxy(t.url, proxy),
    OSS_BASE_URL: sim.url,
    OSS_USER_KEY: 'sandbox-key',
    OSS_RATE_LIMIT_RPS: '1000',
    OSS_CONCURRENCY: '2',
    OSS_PAGE_SIZE: '20',
    ...extra,
  });

  it('serve stays up and answers 503 naming the cause; it serves again once the database is back', async () => {
    const t = await newDatabase('faults_db_serve');
    const serve = await spawnServe(env(t, { ADMIN_TOKEN: 'admin-secret', SYNC_CRON: '0 2 1 1 *' }));
    expect((await http(`${serve.url}/syncs`)).status).toBe(200);
    proxy.cut();
    try {
      const list = await http(`${serve.url}/syncs`);
      expect(list.status).toBe(503);
      expect(list.body).toMatchObject({ error: 'database_unavailable' });
      expect(list.body.message).toMatch(/at 127\.0\.0\.1:\d+ cannot be reached .*check DATABASE_URL/);
      const trigger = await http(`${serve.url}/syncs`, {
        method: 'POST',
        headers: { authorization: 'Bearer admin-secret', 'content-type': 'application/json' },
        body: { by: 'ops' },
      });
      expect(trigger.status).toBe(503);
      expect((await http(`${serve.url}/readyz`)).status).toBe(503);
      expect((await http(`${serve.url}/healthz`)).status).toBe(200);
    } finally {
      proxy.restore();
    }
    await waitFor('the API to answer again', async () => (await http(`${serve.url}/syncs`)).status === 200, 30_000);
    expect(await serve.stop()).toBe(0);
    // No stack trace reached stdout or a log line as a raw string: every line is JSON.
    expect(serve.output.filter((l) => l.trim() && !logLine(l))).toEqual([]);
  });

  it('the CLI names DATABASE_URL and the host on stderr, exits 1, and writes nothing to stdout', async () => {
    const t = await newDatabase('faults_db_cli');
    proxy.cut();
    try {
      const ran = await cli(['discrepancies', 'export', '--format', 'csv'], env(t, { LOG_LEVEL: 'warn' }));
      expect(ran.code).toBe(1);
      expect(ran.stdout).toBe('');
      const said = ran.stderr.split('\n').filter((l) => l.startsWith('oss-sync:'));
      expect(said).toHaveLength(1);
      expect(said[0]).toMatch(/the database \S+ at 127\.0\.0\.1:\d+ cannot be reached .*check DATABASE_URL/);
    } finally {
      proxy.restore();
    }
  });

  it('a sync whose database dies mid-run fails saying so; the next one converges with nothing lost or duplicated', async () => {
    const t = await newDatabase('faults_db_sync');
    const reference = await newDatabase('faults_db_reference');
    let cutAt = 0;
    const ran = await cli(['sync'], env(t), {
      onLine: (line) => {
        const l = logLine(line);
        if (!cutAt && l?.msg === 'stream finished' && l.stream === 'kemitraan') {
          cutAt = Date.now();
          proxy.cut();
          setTimeout(() => proxy.restore(), 3_000);
        }
      },
    });
    expect(cutAt).toBeGreaterThan(0);
    expect(ran.code).not.toBe(0);
    expect(ran.stderr).toMatch(/DATABASE_URL|database/);
    proxy.restore();
    const next = await cli(['sync'], env(t));
    const recoveredAt = Date.now();
    expect(next.code).toBe(0);
    expect((await cli(['sync'], { ...env(reference), DATABASE_URL: reference.url })).code).toBe(0);
    const [a, b] = [await dataFingerprint(t), await dataFingerprint(reference)];
    const rows = (f: Record<string, string>) =>
      Object.entries(f).reduce((n, [k, v]) => n + (k === 'other' ? 0 : Number(v.split(':')[0])), 0);
    const lost = Math.max(0, rows(b) - rows(a));
    const duplicated = Math.max(0, rows(a) - rows(b));
    expect(a).toEqual(b);
    const findings = async (d: TestDatabase) =>
      d.db('findings').orderBy(['rule_code', 'entity_id']).select('rule_code', 'entity_id', 'status');
    expect(await findings(t)).toEqual(await findings(reference));
    const runs = await t.db('sync_runs').orderBy('id').select('status');
    console.table([
      {
        fault: 'database cut for 3 s during the nib stream',
        'first run exit': ran.code,
        runs: runs.map((r) => r.status).join(', '),
        'records lost': lost,
        'records duplicated': duplicated,
        'recovered (s after the cut)': Math.round((recoveredAt - cutAt) / 100) / 10,
      },
    ]);
  });
});
