/*
 * Benchmark of `oss-sync import` (issue 5): in fresh databases, a 1,000,000-row DP Proyek csv and a 200,000-row
 * DP Proyek xlsx written by the simulator, each imported by the CLI in a child process (wall time and peak RSS from
 * /usr/bin/time), then imported again (nothing changes), and compared in the same run with psql \copy of the same
 * rows: the export's own table (proyek), and every row the import wrote (proyek, proyek_lokasi, pelaku_usaha,
 * nib_queue), each \copy'd from CSV into a copy of its table (`like … including all`). Load averages are noted with
 * each figure: the machine is shared. Wired into bench/run.ts; after `npm run build`, `tsx bench/imports.ts` runs it alone.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse';
import pg from 'pg';
import { openExport } from '../src/import/source.js';
import { writeWorldExport } from '../src/simulator/exports.js';
import { generateWorld } from '../src/simulator/index.js';
import { createDb, migrate } from '../src/store/db.js';
import { ROOT, type Timed, timedCli } from './timed.js';

const CSV_ROWS = Number(process.env.BENCH_IMPORT_CSV_ROWS ?? 1_000_000);
const XLSX_ROWS = Number(process.env.BENCH_IMPORT_XLSX_ROWS ?? 200_000);
/**
 * V8 settings of the measured import processes: a capped old space (the import's memory must not grow with the
 * file) and a 32 MB young generation (the import allocates short-lived row strings fast; the default 16 MB
 * semi-space makes the scavenger copy every batch in flight: about 30% slower).
 */
const NODE_OPTIONS = process.env.BENCH_IMPORT_NODE_OPTIONS ?? '--max-old-space-size=128 --max-semi-space-size=32';
const TABLES_WRITTEN = ['proyek', 'proyek_lokasi', 'pelaku_usaha', 'nib_queue'] as const;

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function query<T = Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows as T[];
  } finally {
    await c.end();
  }
}

async function freshDatabase(adminUrl: string, name: string): Promise<string> {
  await query(adminUrl, `drop database if exists ${name} with (force)`);
  await query(adminUrl, `create database ${name}`);
  const url = withDatabase(adminUrl, name);
  const db = createDb(url);
  try {
    await migrate(db);
  } finally {
    await db.destroy();
  }
  return url;
}

/** `oss-sync import FILE` (the built CLI) in a child process, with the import's V8 settings. */
function timedImport(file: string, databaseUrl: string): Promise<Timed> {
  return timedCli(['import', file], { DATABASE_URL: databaseUrl, NODE_OPTIONS });
}

/** Exit 0, or 3 when rows were rejected (the world plants a few bad rows): the file itself was imported. */
const imported = (code: number) => code === 0 || code === 3;

/** The last import run: its duration (first row read to commit) and what it wrote. */
async function lastRun(url: string): Promise<{ id: number; seconds: number; written: number }> {
  const [run] = await query<{ id: number; seconds: number }>(
    url,
    `select id, extract(epoch from finished_at - started_at)::float as seconds from sync_runs
      where trigger = 'import' order by id desc limit 1`,
  );
  if (!run) throw new Error('no import run');
  const [w] = await query<{ n: number }>(
    url,
    `select (select count(*) from proyek where last_run_id = $1) + (select count(*) from proyek_lokasi where last_run_id = $1)
          + (select count(*) from pelaku_usaha where last_run_id = $1) as n`,
    [run.id],
  );
  return { id: Number(run.id), seconds: Number(run.seconds), written: Number(w?.n ?? 0) };
}

/** psql \copy of what `tables` hold, from CSV into copies of the tables (indexes included). */
async function copyBaseline(url: string, workDir: string, tables: readonly string[]) {
  let rows = 0;
  let seconds = 0;
  const perTable: Record<string, number> = {};
  for (const table of tables) {
    const file = join(workDir, `copy-${table}.csv`);
    execFileSync('/usr/bin/psql', [url, '-qc', `\\copy (select * from ${table}) to '${file}' csv`]);
    await query(url, `drop table if exists bench_${table}; create table bench_${table} (like ${table} including all)`);
    await query(url, 'checkpoint');
    const t0 = performance.now();
    execFileSync('/usr/bin/psql', [url, '-qc', `\\copy bench_${table} from '${file}' csv`]);
    const s = (performance.now() - t0) / 1000;
    seconds += s;
    perTable[table] = +s.toFixed(2);
    const [n] = await query<{ n: number }>(url, `select count(*)::int as n from bench_${table}`);
    rows += Number(n?.n ?? 0);
    await query(url, `drop table bench_${table}`);
    rmSync(file);
  }
  return { rows, seconds, perTable };
}

/** Rows per second of the tokenizer and of csv-parse over the first `limit` records of a csv (in this process). */
async function parserRates(file: string, limit: number): Promise<{ tokenizer: number; csvParse: number }> {
  let t0 = performance.now();
  let n = 0;
  for await (const batch of openExport(file, 'csv').batches) {
    n += batch.rows.length;
    if (n >= limit) break;
  }
  const tokenizer = Math.round(n / ((performance.now() - t0) / 1000));
  t0 = performance.now();
  let m = 0;
  const { createReadStream } = await import('node:fs');
  const parser = createReadStream(file).pipe(parseCsv({ relax_column_count: true }));
  for await (const _ of parser) {
    if (++m >= limit) break;
  }
  parser.destroy();
  return { tokenizer, csvParse: Math.round(m / ((performance.now() - t0) / 1000)) };
}

async function benchFile(
  adminUrl: string,
  workDir: string,
  format: 'csv' | 'xlsx',
  rows: number,
): Promise<Record<string, number | string>> {
  const world = generateWorld({ seed: format === 'csv' ? 1 : 2, size: 'tiny', now: new Date('2026-11-20T03:00:00Z') });
  const file = join(workDir, `dp-proyek-${rows}.${format}`);
  const out: Record<string, number | string> = {};
  const p = `${format}_`;
  let t0 = performance.now();
  const written = await writeWorldExport({ world, type: 'dp_proyek', format, path: file, rows });
  out[`${p}rows`] = written.rows;
  out[`${p}write_seconds`] = +((performance.now() - t0) / 1000).toFixed(1);
  const url = await freshDatabase(adminUrl, `oss_bench_import_${format}`);
  try {
    out[`${p}import_load`] = load();
    const first = await timedImport(file, url);
    if (!imported(first.code))
      throw new Error(`import failed (${first.code}): ${first.stdout}\n${first.stderr.slice(-2000)}`);
    const run1 = await lastRun(url);
    out[`${p}import_seconds`] = +first.seconds.toFixed(1);
    out[`${p}import_run_seconds`] = +run1.seconds.toFixed(1);
    out[`${p}import_rows_per_s`] = Math.round(written.rows / first.seconds);
    out[`${p}import_peak_rss_mb`] = first.rssMb;
    out[`${p}rows_written`] = run1.written;

    out[`${p}copy_load`] = load();
    const own = await copyBaseline(url, workDir, ['proyek']);
    out[`${p}copy_proyek_rows`] = own.rows;
    out[`${p}copy_proyek_seconds`] = +own.seconds.toFixed(1);
    out[`${p}copy_proyek_rows_per_s`] = Math.round(own.rows / own.seconds);
    const all = await copyBaseline(url, workDir, TABLES_WRITTEN);
    out[`${p}copy_all_rows`] = all.rows;
    out[`${p}copy_all_seconds`] = +all.seconds.toFixed(1);
    out[`${p}copy_all_per_table_seconds`] = JSON.stringify(all.perTable);
    // \copy of everything one file's import writes, per file row: the like-for-like floor.
    out[`${p}copy_all_file_rows_per_s`] = Math.round(written.rows / all.seconds);

    out[`${p}reimport_load`] = load();
    t0 = performance.now();
    const second = await timedImport(file, url);
    if (!imported(second.code)) throw new Error(`re-import failed: ${second.stdout}\n${second.stderr.slice(-2000)}`);
    const run2 = await lastRun(url);
    out[`${p}reimport_seconds`] = +second.seconds.toFixed(1);
    out[`${p}reimport_run_seconds`] = +run2.seconds.toFixed(1);
    out[`${p}reimport_rows_per_s`] = Math.round(written.rows / second.seconds);
    out[`${p}reimport_rows_written`] = run2.written;
    out[`${p}reimport_peak_rss_mb`] = second.rssMb;

    const copyRate = own.rows / own.seconds;
    out[`${p}import_vs_copy_proyek`] = +(written.rows / first.seconds / copyRate).toFixed(2);
    out[`${p}import_vs_copy_all`] = +(all.seconds / first.seconds).toFixed(2);
    out[`${p}reimport_vs_copy_proyek`] = +(written.rows / second.seconds / copyRate).toFixed(2);
    if (format === 'csv') {
      const rates = await parserRates(file, 200_000);
      out.csv_tokenizer_rows_per_s = rates.tokenizer;
      out.csv_parse_7_rows_per_s = rates.csvParse;
    }
    return out;
  } finally {
    rmSync(file, { force: true });
    await query(adminUrl, `drop database if exists oss_bench_import_${format} with (force)`).catch(() => undefined);
  }
}

/** Runs the import benchmark; returns flat figures (bench/run.ts writes them to bench/results). */
export async function benchImports(adminUrl: string, workDir: string): Promise<Record<string, number | string>> {
  mkdirSync(workDir, { recursive: true });
  const out: Record<string, number | string> = {
    cores: (await import('node:os')).cpus().length,
    command: 'node dist/src/main.js import FILE',
    node_options: NODE_OPTIONS,
    load_at_start: load(),
  };
  Object.assign(out, await benchFile(adminUrl, workDir, 'csv', CSV_ROWS));
  Object.assign(out, await benchFile(adminUrl, workDir, 'xlsx', XLSX_ROWS));
  out.load_at_end = load();
  out.targets =
    `csv ${out.csv_import_vs_copy_proyek}x of \\copy (proyek) [target >= 0.5], ${out.csv_import_vs_copy_all}x of \\copy of all rows written; ` +
    `re-import ${out.csv_reimport_vs_copy_proyek}x [target >= 1]; peak RSS csv ${out.csv_import_peak_rss_mb}/${out.csv_reimport_peak_rss_mb} MB, ` +
    `xlsx ${out.xlsx_import_peak_rss_mb}/${out.xlsx_reimport_peak_rss_mb} MB [target <= 300]`;
  out.bottleneck =
    `csv: PostgreSQL ingest — a DP Proyek row becomes ${(Number(out.csv_copy_all_rows) / Number(out.csv_rows)).toFixed(2)} table rows ` +
    `(proyek, proyek_lokasi, pelaku_usaha, nib_queue); \\copy of those alone takes ${out.csv_copy_all_seconds} s against ` +
    `${out.csv_copy_proyek_seconds} s for proyek, on 2 cores the import's Node process shares with Postgres. ` +
    `Re-import: Node CPU (tokenizing and hashing every cell; nothing is sent). xlsx: exceljs's streaming reader ` +
    `(SAX events and a Row object per row) at ${out.xlsx_reimport_rows_per_s} rows/s even when nothing is written.`;
  return out;
}

const self = process.argv[1] ? join(process.argv[1]) === join(import.meta.dirname, 'imports.ts') : false;
if (self) {
  const admin = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  console.log(await benchImports(admin, join(ROOT, 'bench', '.work')));
}
