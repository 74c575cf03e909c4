/*
 * oss-sync benchmarks: `npm run bench` (builds first). Every measurement runs in this one invocation, on this
 * machine, against the same Postgres, and the results are written to bench/results/ (JSON and markdown).
 *
 *   BENCH_ADMIN_URL   admin connection to a Postgres server (default: the machine's, postgres@127.0.0.1:5432/test)
 *   BENCH_SIZES       simulator sizes for the partnership sync (default "large,huge": 100k and 1M partnerships)
 *   BENCH_ONLY        comma list of parts to run: sync, quota, findings, imports, web, report (default: all)
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { CLI, ROOT, timedCli } from './timed.js';

const WORK = join(ROOT, 'bench', '.work');
const RESULTS = join(ROOT, 'bench', 'results');
const ADMIN = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SIZES = (process.env.BENCH_SIZES ?? 'large,huge').split(',');
const ONLY = process.env.BENCH_ONLY?.split(',');
const wants = (part: string) => !ONLY || ONLY.includes(part);
/** V8 old-space cap of the measured sync processes (MB). */
const HEAP_CAP_MB = Number(process.env.BENCH_HEAP_CAP_MB ?? 160);

const load = () => loadavg()[0]!.toFixed(2);

function dbUrl(name: string): string {
  const u = new URL(ADMIN);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: ADMIN });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

async function query<T = Record<string, unknown>>(url: string, sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql)).rows as T[];
  } finally {
    await c.end();
  }
}

async function freshDatabase(name: string): Promise<string> {
  await admin(`drop database if exists ${name} with (force)`);
  await admin(`create database ${name}`);
  return dbUrl(name);
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** The measured CLI with a capped heap: a run that completes within it proves memory does not grow with the data. */
function timedSync(args: string[], env: Record<string, string>) {
  return timedCli(args, { NODE_OPTIONS: `--max-old-space-size=${HEAP_CAP_MB}`, ...env });
}

async function startSimulator(args: string[]): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, 'simulate', '--port', String(port), ...args], {
    env: { ...process.env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d;
      if (out.includes('listening')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`simulator exited (${code}): ${out.slice(-500)}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        child.removeAllListeners('exit');
        child.on('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** psql \copy of the rows a sync stored, into empty copies of the same tables: the physical baseline. */
async function copyBaseline(url: string, tables: string[]): Promise<{ rows: number; seconds: number }> {
  let rows = 0;
  let seconds = 0;
  for (const table of tables) {
    const file = join(WORK, `${table}.csv`);
    execFileSync('psql', [url, '-qc', `\\copy (select * from ${table}) to '${file}' csv`]);
    await query(url, `drop table if exists bench_${table}; create table bench_${table} (like ${table} including all)`);
    await query(url, 'checkpoint');
    const t0 = performance.now();
    execFileSync('psql', [url, '-qc', `\\copy bench_${table} from '${file}' csv`]);
    seconds += (performance.now() - t0) / 1000;
    rows += Number((await query<{ n: number }>(url, `select count(*)::int as n from bench_${table}`))[0]!.n);
    await query(url, `drop table bench_${table}`);
    rmSync(file);
  }
  return { rows, seconds };
}

async function benchPartnershipSync(size: string): Promise<Record<string, number | string>> {
  // Prewarmed: the simulator renders its pages first, so the sync (not the simulator's JSON rendering) is measured.
  const sim = await startSimulator(['--size', size, '--quota-rps', 'none', '--prewarm']);
  const url = await freshDatabase(`oss_bench_sync_${size}`);
  try {
    const env = {
      DATABASE_URL: url,
      OSS_BASE_URL: sim.url,
      OSS_USER_KEY: 'sandbox-key',
      OSS_RATE_LIMIT_RPS: '10000',
      OSS_CONCURRENCY: '4',
    };
    await timedSync(['migrate'], env);
    const loadBefore = load();
    const first = await timedSync(['sync', '--stream', 'kemitraan'], env);
    if (first.code !== 0) throw new Error(`sync failed: ${first.stdout}\n${first.stderr.slice(-2000)}`);
    const loadFirst = load();
    const firstRun = (
      await query<{ c: { fetched: number; inserted: number }; ms: number; f: Record<string, number> | null }>(
        url,
        `select counts->'kemitraan' as c, (streams->'kemitraan'->>'durationMs')::int as ms, counts->'findings' as f
           from sync_runs order by id desc limit 1`,
      )
    )[0]!;
    const counts = firstRun.c;
    const streamSeconds = firstRun.ms / 1000;
    const stored = (
      await query<{ k: number; r: number; raw: number }>(
        url,
        `select (select count(*) from kemitraan)::int as k, (select count(*) from kemitraan_realisasi)::int as r, (select count(*) from raw_records)::int as raw`,
      )
    )[0]!;
    const second = await timedSync(['sync', '--stream', 'kemitraan', '--full'], env);
    if (second.code !== 0) throw new Error(`re-sync failed: ${second.stdout}`);
    const againRun = (
      await query<{ c: { fetched: number; inserted: number; updated: number; unchanged: number }; ms: number }>(
        url,
        `select counts->'kemitraan' as c, (streams->'kemitraan'->>'durationMs')::int as ms from sync_runs order by id desc limit 1`,
      )
    )[0]!;
    const again = againRun.c;
    const resyncStreamSeconds = againRun.ms / 1000;
    const copy = await copyBaseline(url, ['kemitraan', 'kemitraan_realisasi', 'raw_records']);
    const copyPartnershipsPerSec = stored.k / copy.seconds;
    return {
      size,
      partnerships: counts.fetched,
      rows_written: stored.k + stored.r + stored.raw,
      sync_stream_seconds: +streamSeconds.toFixed(1),
      sync_partnerships_per_s: Math.round(counts.fetched / streamSeconds),
      sync_command_seconds: +first.seconds.toFixed(1),
      sync_findings_new: firstRun.f?.new ?? 0,
      sync_peak_rss_mb: first.rssMb,
      resync_stream_seconds: +resyncStreamSeconds.toFixed(1),
      resync_partnerships_per_s: Math.round(again.fetched / resyncStreamSeconds),
      resync_command_seconds: +second.seconds.toFixed(1),
      resync_rows_written: again.inserted + again.updated,
      resync_peak_rss_mb: second.rssMb,
      copy_rows: copy.rows,
      copy_seconds: +copy.seconds.toFixed(1),
      copy_rows_per_s: Math.round(copy.rows / copy.seconds),
      copy_partnerships_per_s: Math.round(copyPartnershipsPerSec),
      sync_vs_copy: +(counts.fetched / streamSeconds / copyPartnershipsPerSec).toFixed(2),
      resync_vs_copy: +(again.fetched / resyncStreamSeconds / copyPartnershipsPerSec).toFixed(2),
      load_before: loadBefore,
      load_after_sync: loadFirst,
      load_after: load(),
    };
  } finally {
    await sim.stop();
    await admin(`drop database if exists oss_bench_sync_${size} with (force)`);
  }
}

/** Requests per second achieved against a simulator quota of 10/s with 200 ms latency (target >= 90%, no 429). */
async function benchQuota(): Promise<Record<string, number | string>> {
  const sim = await startSimulator(['--size', 'tiny', '--quota-rps', '10', '--latency-ms', '200']);
  const url = await freshDatabase('oss_bench_quota');
  try {
    const env = {
      DATABASE_URL: url,
      OSS_BASE_URL: sim.url,
      OSS_USER_KEY: 'sandbox-key',
      OSS_RATE_LIMIT_RPS: '10',
      OSS_CONCURRENCY: '4',
    };
    await timedSync(['migrate'], env);
    const run = await timedSync(['sync'], env);
    const r = (
      await query<{ started_at: Date; finished_at: Date; counts: Record<string, { requests: number }> }>(
        url,
        'select started_at, finished_at, counts from sync_runs order by id desc limit 1',
      )
    )[0]!;
    const requests = Object.entries(r.counts).reduce((a, [k, c]) => (k === 'findings' ? a : a + c.requests), 0);
    const seconds = (r.finished_at.getTime() - r.started_at.getTime()) / 1000;
    const http429 = Number(/(\d[\d,]*) answers 429/.exec(run.stdout)?.[1]?.replace(/,/g, '') ?? -1);
    return {
      quota_rps: 10,
      latency_ms: 200,
      requests,
      seconds: +seconds.toFixed(1),
      achieved_rps: +(requests / seconds).toFixed(2),
      share_of_quota: +(requests / seconds / 10).toFixed(3),
      http429,
      load: load(),
    };
  } finally {
    await sim.stop();
    await admin('drop database if exists oss_bench_quota with (force)');
  }
}

/** Issue 14's table: each path's figure against its target, with the machine's load around the part. */
function targetTable(results: Record<string, unknown>): string {
  const rows: string[] = [];
  const row = (path: string, value: string, target: string, met: boolean | null, loadText: string) =>
    rows.push(`| ${path} | ${value} | ${target} | ${met === null ? 'n/a' : met ? 'met' : 'missed'} | ${loadText} |`);
  const size = (s: string) => (s === 'huge' ? '1M' : s === 'large' ? '100k' : s);
  for (const r of (results.sync as Array<Record<string, number | string>> | undefined) ?? []) {
    const l = `${r.load_before} → ${r.load_after_sync} → ${r.load_after}`;
    const first = Number(r.sync_vs_copy);
    const again = Number(r.resync_vs_copy);
    row(
      `first sync, ${size(String(r.size))}, vs \\copy`,
      `${first}× (${r.sync_partnerships_per_s} vs ${r.copy_partnerships_per_s} agreements/s)`,
      '≥ 0.6×',
      first >= 0.6,
      l,
    );
    row(
      `unchanged full re-sync, ${size(String(r.size))}, vs \\copy`,
      `${again}× (${r.resync_partnerships_per_s}/s, ${r.resync_rows_written} rows written)`,
      '≥ 1.5×',
      again >= 1.5,
      l,
    );
    row(
      `peak RSS, sync ${size(String(r.size))}`,
      `${r.sync_peak_rss_mb} / ${r.resync_peak_rss_mb} MB`,
      '≤ 300 MB',
      Math.max(Number(r.sync_peak_rss_mb), Number(r.resync_peak_rss_mb)) <= 300,
      l,
    );
  }
  const imp = results.imports as Record<string, number | string> | undefined;
  if (imp && imp.csv_import_vs_copy_all !== undefined) {
    const l = `${imp.csv_import_load ?? ''} → ${imp.csv_copy_load ?? ''}`;
    const csv = Number(imp.csv_import_vs_copy_all);
    row(
      `${Number(imp.csv_rows).toLocaleString('en')}-row csv import vs \\copy of its rows`,
      `${csv}×`,
      '≥ 0.95×',
      csv >= 0.95,
      l,
    );
    const xlsx = Number(imp.xlsx_import_rows_per_s);
    row(
      `${Number(imp.xlsx_rows).toLocaleString('en')}-row xlsx import`,
      `${xlsx.toLocaleString('en')} rows/s (${(xlsx / 14_482).toFixed(2)}× of 14,482)`,
      '≥ 43,446 rows/s',
      xlsx >= 43_446,
      `${imp.xlsx_import_load ?? ''}`,
    );
    row(
      'peak RSS, imports',
      `${imp.csv_import_peak_rss_mb} / ${imp.xlsx_import_peak_rss_mb} MB`,
      '≤ 300 MB',
      Math.max(Number(imp.csv_import_peak_rss_mb), Number(imp.xlsx_import_peak_rss_mb)) <= 300,
      '',
    );
  }
  const f = results.findings as Record<string, number | string> | undefined;
  if (f && f.findings_full_evaluation_ms !== undefined) {
    const share = Number(f.findings_incremental_evaluation_ms) / Number(f.findings_full_evaluation_ms);
    row(
      'incremental findings (500 partnerships + 100 NIBs) vs full',
      `${f.findings_incremental_evaluation_ms} ms vs ${f.findings_full_evaluation_ms} ms (${(share * 100).toFixed(1)}%)`,
      '≤ 5%',
      share <= 0.05,
      `${f.findings_load ?? ''}`,
    );
  }
  return ['| path | measured | target | | load (1-min) |', '|---|---|---|---|---|', ...rows].join('\n');
}

async function main() {
  mkdirSync(WORK, { recursive: true });
  mkdirSync(RESULTS, { recursive: true });
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: 2,
    admin: ADMIN.replace(/:[^:@/]*@/, ':***@'),
  };
  const pgVersion = (await query<{ v: string }>(ADMIN, 'show server_version'))[0]!.v;
  results.postgres = pgVersion;
  if (wants('quota')) {
    results.quota = await benchQuota();
    console.log('quota', results.quota);
  }
  if (wants('sync')) {
    const sync: unknown[] = [];
    for (const size of SIZES) {
      const r = await benchPartnershipSync(size);
      console.log('sync', r);
      sync.push(r);
    }
    results.sync = sync;
  }
  if (wants('findings')) {
    try {
      const { benchFindings } = await import('./findings.js');
      const before = load();
      results.findings = { ...(await benchFindings(ADMIN)), findings_load: '' };
      (results.findings as Record<string, string>).findings_load = `${before} → ${load()}`;
      console.log('findings', results.findings);
    } catch (err) {
      results.findings = { error: (err as Error).message };
    }
  }
  if (wants('imports')) {
    try {
      const path = './imports.js';
      const mod = (await import(path)) as { benchImports(a: string, w: string): Promise<unknown> };
      results.imports = await mod.benchImports(ADMIN, WORK);
      console.log('imports', results.imports);
    } catch (err) {
      results.imports = { error: (err as Error).message };
    }
  }
  if (wants('web')) {
    try {
      const { benchWeb } = await import('./web.js');
      results.web = await benchWeb(ADMIN, WORK);
      console.log('web', results.web);
    } catch (err) {
      results.web = { error: (err as Error).message };
      console.error('web failed:', (err as Error).message);
    }
  }
  if (wants('report')) {
    try {
      const { benchReport } = await import('./report.js');
      results.report = await benchReport(ADMIN);
      console.log('report', results.report);
    } catch (err) {
      results.report = { error: (err as Error).message };
      console.error('report failed:', (err as Error).message);
    }
  }
  results.targets = targetTable(results);
  console.log(results.targets);
  const stamp = new Date().toISOString().slice(0, 16).replace(/[:T]/g, '-');
  writeFileSync(join(RESULTS, `${stamp}.md`), `${results.targets}\n`);
  writeFileSync(join(RESULTS, `${stamp}.json`), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(RESULTS, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`results written to bench/results/${stamp}.json`);
}

await main();
