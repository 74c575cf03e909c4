/*
 * Benchmark of the web console (issue 12 point 6): in a fresh database, the findings bench's world (100,000
 * partnerships, 300,000 NIB-level rows, generated in SQL) and one full discrepancy evaluation so the queue has
 * findings; an admin account (createUser, as `oss-sync users add` does); then the built `oss-sync serve` in its own
 * process, logged in through the login form as a browser does, and each page measured with autocannon: 4 connections
 * for 10 s after a 2 s warm-up. Reports p50/p95/p99 latency (ms), requests per second, non-2xx answers (any one fails
 * the part) and the load average before and after each page: the machine is shared. Target: p95 under 300 ms a page.
 * Wired into bench/run.ts (BENCH_ONLY=web); after `npm run build`, `npx tsx bench/web.ts` runs it alone
 * (BENCH_ADMIN_URL; BENCH_WEB_SCALE: 0.05 is a quick run; BENCH_WEB_SECONDS; BENCH_WEB_KEEP_DB=1 keeps the database
 * for EXPLAIN afterwards).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createDb, type Db, migrate } from '../src/store/db.js';
import { createUser } from '../src/store/users.js';
import { evaluatePending } from '../src/verification/evaluate.js';
import { hashPassword } from '../src/web/passwords.js';
import { admin, EVALUATION_NOW, generateFindingsDataset, withDatabase } from './findings.js';
import { CLI, ROOT } from './timed.js';

const SCALE = Number(process.env.BENCH_WEB_SCALE ?? 1);
const SECONDS = Number(process.env.BENCH_WEB_SECONDS ?? 10);
const WARMUP_SECONDS = 2;
const CONNECTIONS = 4;
const TARGET_P95_MS = 300;
const USERNAME = 'bench-admin';
const PASSWORD = `bench-${randomBytes(9).toString('base64url')}`;

/** The part of autocannon's API used here (the package ships no types). */
type Autocannon = (opts: {
  url: string;
  connections: number;
  duration: number;
  headers: Record<string, string>;
  timeout: number;
}) => AutocannonInstance;
interface AutocannonInstance extends PromiseLike<AutocannonResult> {
  on(event: 'response', fn: (client: unknown, status: number, bytes: number, ms: number) => void): void;
}
interface AutocannonResult {
  duration: number;
  non2xx: number;
  errors: number;
  statusCodeStats: Record<string, { count: number }>;
}
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** Row counts of the seeded world. */
async function worldRows(db: Db): Promise<Record<string, number>> {
  const tables = [
    'kemitraan',
    'kemitraan_realisasi',
    'pelaku_usaha',
    'pemegang_saham',
    'proyek',
    'proyek_lokasi',
    'perizinan',
    'findings',
    'finding_events',
  ];
  const sql = tables.map((t) => `(select count(*) from ${t})::int as ${t}`).join(', ');
  const counts = (await db.raw(`select ${sql}`)).rows[0] as Record<string, number>;
  return { ...counts, nib_level: counts.pelaku_usaha! + counts.proyek! + counts.perizinan! };
}

/** What the measured URLs ask for, taken from the seeded world so that every page shows real rows. */
async function samples(db: Db) {
  const one = async <T>(sql: string): Promise<T> => {
    const row = (await db.raw(sql)).rows[0] as T | undefined;
    if (!row) throw new Error(`the seeded world has no row for: ${sql}`);
    return row;
  };
  // The broadest filter (the most common pola among running agreements): the page must count it without a slow scan.
  const { pola } = await one<{ pola: string }>(
    `select pola_kemitraan as pola from kemitraan where status_kemitraan = '03' group by 1 order by count(*) desc limit 1`,
  );
  // Part of a partner's name ("MITRA 4711" of "CV MITRA 4711"): a contains-search.
  const { q } = await one<{ q: string }>(
    `select regexp_replace(nama_umkm, '^\\S+\\s+', '') as q from kemitraan order by id_kemitraan
      offset (select count(*) / 2 from kemitraan) limit 1`,
  );
  // A partnership with open findings and realisation rows: the detail page shows all of it.
  const { id } = await one<{ id: string }>(
    `select f.entity_id as id from findings f
      where f.entity_type = 'kemitraan' and f.status = 'open'
        and exists (select 1 from kemitraan_realisasi r where r.id_kemitraan = f.entity_id)
      group by 1 order by count(*) desc, 1 limit 1`,
  );
  const { kecamatan } = await one<{ kecamatan: string }>(
    `select kd_kecamatan as kecamatan from findings where status = 'open' and kd_kecamatan is not null
      group by 1 order by count(*) desc, 1 limit 1`,
  );
  return { pola, q, id, kecamatan };
}

/** The admin the bench logs in as, created the way `oss-sync users add` creates one. */
async function createAdmin(db: Db): Promise<void> {
  await createUser(db, {
    username: USERNAME,
    role: 'admin',
    passwordHash: await hashPassword(PASSWORD),
    createdBy: 'bench',
  });
}

interface Serve {
  url: string;
  stop(): Promise<void>;
}

/** The built `oss-sync serve` on a free loopback port, its log in `logFile`; resolves once /healthz answers. */
async function startServe(databaseUrl: string, logFile: string): Promise<Serve> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = createWriteStream(logFile);
  const child: ChildProcess = spawn(process.execPath, [CLI, 'serve', '--migrate'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      HTTP_PORT: String(port),
      HTTP_HOST: '127.0.0.1',
      // No sync runs during the measurement: an OSS that is never called (not the sandbox simulator, which would
      // generate its world in the served process) and a schedule that does not fire.
      OSS_BASE_URL: 'http://127.0.0.1:9',
      OSS_USER_KEY: 'bench',
      SYNC_CRON: '0 0 1 1 *',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const up = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    const code = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 250))]);
    if (code !== null) throw new Error(`serve exited (${code}) before answering /healthz: see ${logFile}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`serve did not answer /healthz within 60 s: see ${logFile}`);
    }
  }
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The cookies a response sets, as `name=value` pairs. */
function cookiesOf(res: Response): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(';');
    const eq = pair?.indexOf('=') ?? -1;
    if (pair && eq > 0) out.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
  return out;
}

const cookieHeader = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');

/** Logs in through the form as a browser does; returns the Cookie header of the session. */
async function logIn(base: string): Promise<string> {
  const form = await fetch(`${base}/masuk`, { redirect: 'manual' });
  const html = await form.text();
  if (form.status !== 200) throw new Error(`GET /masuk answered ${form.status}: the login page is not there yet`);
  const csrf =
    /<input[^>]*name="_csrf"[^>]*value="([^"]*)"/.exec(html)?.[1] ?? /value="([^"]*)"[^>]*name="_csrf"/.exec(html)?.[1];
  if (!csrf) throw new Error('GET /masuk: no hidden _csrf field in the form');
  const jar = cookiesOf(form);
  const res = await fetch(`${base}/masuk`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader(jar) },
    body: new URLSearchParams({ username: USERNAME, password: PASSWORD, _csrf: csrf }).toString(),
  });
  await res.arrayBuffer();
  for (const [k, v] of cookiesOf(res)) jar.set(k, v);
  if (res.status !== 303 || !jar.has('oss_sync_session')) {
    throw new Error(`POST /masuk answered ${res.status} without a session cookie (${[...jar.keys()].join(', ')})`);
  }
  return cookieHeader(jar);
}

interface PageFigures {
  page: string;
  path: string;
  requests: number;
  requests_per_s: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  max_ms: number;
  non_2xx: number;
  errors: number;
  statuses: string;
  load_before: string;
  load_after: string;
}

/** The q-th quantile (nearest rank) of ascending `sorted`. */
const quantile = (sorted: number[], q: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! : Number.NaN;

const ms = (x: number) => +x.toFixed(1);

/** Warm-up, then `SECONDS` of autocannon with `CONNECTIONS` connections; latencies of every response. */
async function measure(page: string, base: string, path: string, cookie: string): Promise<PageFigures> {
  const url = `${base}${path}`;
  // The page must answer 200 with HTML for this session before it is measured: a redirect to /masuk is a failure.
  const first = await fetch(url, { headers: { cookie }, redirect: 'manual' });
  const body = await first.text();
  if (first.status !== 200 || !/text\/html/.test(first.headers.get('content-type') ?? '')) {
    throw new Error(
      `${page}: GET ${path} answered ${first.status} ${first.headers.get('content-type')}: ${body.slice(0, 200)}`,
    );
  }
  const opts = { url, connections: CONNECTIONS, headers: { cookie }, timeout: 30 };
  await autocannon({ ...opts, duration: WARMUP_SECONDS });
  const loadBefore = load();
  const latencies: number[] = [];
  const run = autocannon({ ...opts, duration: SECONDS });
  run.on('response', (_client, _status, _bytes, took) => latencies.push(took));
  const result = await run;
  latencies.sort((a, b) => a - b);
  return {
    page,
    path,
    requests: latencies.length,
    requests_per_s: +(latencies.length / result.duration).toFixed(1),
    p50_ms: ms(quantile(latencies, 0.5)),
    p95_ms: ms(quantile(latencies, 0.95)),
    p99_ms: ms(quantile(latencies, 0.99)),
    max_ms: ms(latencies.at(-1) ?? Number.NaN),
    non_2xx: result.non2xx,
    // Connection errors, timeouts included.
    errors: result.errors,
    statuses: Object.entries(result.statusCodeStats)
      .map(([code, s]) => `${code}=${s.count}`)
      .join(' '),
    load_before: loadBefore,
    load_after: load(),
  };
}

/** A markdown table of the figures (bench/README.md shows it). */
function figuresTable(pages: PageFigures[]): string {
  const lines = [
    '| page | path | p50 ms | p95 ms | p99 ms | req/s | non-2xx | load before → after |',
    '|---|---|---:|---:|---:|---:|---:|---|',
    ...pages.map(
      (p) =>
        `| ${p.page} | \`${p.path}\` | ${p.p50_ms} | ${p.p95_ms} | ${p.p99_ms} | ${p.requests_per_s} | ${p.non_2xx + p.errors} | ${p.load_before} → ${p.load_after} |`,
    ),
  ];
  return lines.join('\n');
}

/** Runs the benchmark in a fresh database created from `adminUrl` (dropped afterwards); returns the figures. */
export async function benchWeb(adminUrl: string, workDir: string): Promise<Record<string, unknown>> {
  mkdirSync(workDir, { recursive: true });
  const name = `oss_bench_web_${randomBytes(3).toString('hex')}`;
  const databaseUrl = withDatabase(adminUrl, name);
  await admin(adminUrl, `create database ${name}`);
  const keep = process.env.BENCH_WEB_KEEP_DB === '1';
  let serve: Serve | null = null;
  try {
    const db = createDb(databaseUrl);
    let rows: Record<string, number>;
    let sample: Awaited<ReturnType<typeof samples>>;
    let seedMs: number;
    let evaluateMs: number;
    try {
      await migrate(db);
      let t0 = performance.now();
      const runId = await generateFindingsDataset(db, SCALE);
      seedMs = performance.now() - t0;
      t0 = performance.now();
      await evaluatePending(db, { runId, now: EVALUATION_NOW, kdDaerah: '3317' });
      evaluateMs = performance.now() - t0;
      await db.raw('vacuum analyze');
      rows = await worldRows(db);
      sample = await samples(db);
      await createAdmin(db);
    } finally {
      await db.destroy();
    }
    const logFile = join(workDir, 'web-serve.log');
    serve = await startServe(databaseUrl, logFile);
    const cookie = await logIn(serve.url);
    const q = encodeURIComponent(sample.q).replace(/%20/g, '+');
    const pages: Array<[string, string]> = [
      ['Beranda', '/'],
      ['Kemitraan, filter', `/kemitraan?pola=${sample.pola}&status=03`],
      ['Kemitraan, cari nama', `/kemitraan?q=${q}`],
      ['Kemitraan, detail', `/kemitraan/${encodeURIComponent(sample.id)}`],
      ['Temuan', '/temuan'],
      ['Temuan, kecamatan', `/temuan?kecamatan=${sample.kecamatan}`],
    ];
    const figures: PageFigures[] = [];
    for (const [page, path] of pages) {
      const f = await measure(page, serve.url, path, cookie);
      console.error(
        `  ${page}: p50 ${f.p50_ms} ms, p95 ${f.p95_ms} ms, p99 ${f.p99_ms} ms, ${f.requests_per_s} req/s, ${f.statuses}`,
      );
      figures.push(f);
    }
    console.error(figuresTable(figures));
    const failed = figures.filter((f) => f.non_2xx > 0 || f.errors > 0);
    if (failed.length) {
      throw new Error(
        `non-2xx answers or errors while measuring: ${failed.map((f) => `${f.page} (${f.statuses}, ${f.errors} errors)`).join('; ')}\n${figuresTable(figures)}`,
      );
    }
    const slow = figures.filter((f) => f.p95_ms >= TARGET_P95_MS);
    return {
      scale: SCALE,
      connections: CONNECTIONS,
      seconds_per_page: SECONDS,
      rows,
      seed_ms: Math.round(seedMs),
      evaluation_ms: Math.round(evaluateMs),
      samples: sample,
      pages: figures,
      targets: slow.length
        ? `p95 >= ${TARGET_P95_MS} ms: ${slow.map((f) => `${f.page} ${f.p95_ms} ms`).join(', ')}`
        : `every page p95 < ${TARGET_P95_MS} ms`,
    };
  } finally {
    await serve?.stop();
    if (keep) console.error(`  database kept: ${databaseUrl}`);
    else await admin(adminUrl, `drop database if exists ${name} with (force)`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const adminUrl = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  console.log('web', await benchWeb(adminUrl, join(ROOT, 'bench', '.work')));
}
