/*
 * Benchmark of the partnership report (`oss-sync report`): 100,000 partnerships and 400,000 realisation rows,
 * generated in SQL (bench/findings.ts's world plus realisation rows for later quarters) in a fresh database. Times the
 * queries, the model, and the whole report in each format (html, xlsx, and pdf when Chromium is installed), for a
 * quarter with realisation in it. Target: under 10 s per format. bench/run.ts calls benchReport; run alone with
 * `npx tsx bench/report.ts` (BENCH_ADMIN_URL, BENCH_REPORT_SCALE: 0.05 is a quick run).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { buildReport, generateReport, type ReportRuntime } from '../src/report/generate.js';
import { quarterPeriod } from '../src/report/partnershipReport.js';
import { createDb, migrate } from '../src/store/db.js';
import { loadReportData } from '../src/store/report.js';
import { generateFindingsDataset } from './findings.js';

const SCALE = Number(process.env.BENCH_REPORT_SCALE ?? 1);
/** The report's quarter: the dataset's agreements start in 2023 and early 2024 and report the quarters after. */
const PERIOD = quarterPeriod(2024, 2);
/** The report is made on 1 June 2025 (WIB), as the findings benchmark evaluates. */
const NOW = new Date('2025-06-01T03:00:00Z');

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const seconds = (ms: number) => +(ms / 1000).toFixed(2);

/** Runs the benchmark in a fresh database created from `adminUrl` (dropped afterwards); returns the figures. */
export async function benchReport(adminUrl: string): Promise<Record<string, number | string>> {
  const name = `oss_bench_report_${randomBytes(3).toString('hex')}`;
  await admin(adminUrl, `create database ${name}`);
  const url = withDatabase(adminUrl, name);
  const db = createDb(url);
  try {
    await migrate(db);
    let t0 = performance.now();
    const runId = await generateFindingsDataset(db, SCALE);
    // Realisation rows for the third to fifth quarter after the start, up to 400,000 rows in all.
    const target = Math.round(SCALE * 400_000);
    await db.raw(
      `insert into kemitraan_realisasi (id_kemitraan, tahun, triwulan, nilai_realisasi, volume_realisasi, satuan,
                                        content_hash, source, first_run_id, last_run_id)
       select k.id_kemitraan, (s.qi + q) / 4, (s.qi + q) % 4 + 1, 45000000, 18, 'ton', 'bench', 'bench', ?, ?
         from kemitraan k
        cross join lateral (select extract(year from k.tgl_mulai)::int * 4 + extract(quarter from k.tgl_mulai)::int as qi) s
        cross join generate_series(2, 4) q
        order by q, k.id_kemitraan
        limit greatest(0, ? - (select count(*) from kemitraan_realisasi))
       on conflict do nothing`,
      [runId, runId, target],
    );
    await db.raw('analyze kemitraan_realisasi');
    const generateMs = performance.now() - t0;
    const counts = (
      await db.raw(
        `select (select count(*) from kemitraan)::int as k, (select count(*) from kemitraan_realisasi)::int as r`,
      )
    ).rows[0] as { k: number; r: number };

    const config = loadConfig({ DATABASE_URL: url, OSS_KD_DAERAH: '3317' });
    const rt: ReportRuntime = { db, config, log: createLogger('silent'), now: () => NOW };
    const req = { period: PERIOD, kecamatan: null };

    t0 = performance.now();
    await loadReportData(db, {
      from: PERIOD.from,
      to: PERIOD.to,
      kecamatan: null,
      asOf: '2025-06-01',
      timeZone: 'Asia/Jakarta',
      bounds: { latMin: -7.05, latMax: -6.55, lngMin: 111, lngMax: 111.8 },
    });
    const queriesMs = performance.now() - t0;
    t0 = performance.now();
    const model = await buildReport(rt, req);
    const modelMs = performance.now() - t0;
    const sizes: Record<string, number> = {};
    const timed = async (format: 'html' | 'xlsx' | 'pdf') => {
      const start = performance.now();
      const r = await generateReport(rt, { ...req, format });
      sizes[format] = r.bytes.length;
      return performance.now() - start;
    };
    const htmlMs = await timed('html');
    const xlsxMs = await timed('xlsx');
    const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
    const pdfMs = existsSync(chromium) ? await timed('pdf') : null;
    const registered = model.sections[0]!.tiles[0]!;
    const suppliers = model.sections[2]!.tables.find((x) => x.key === 'pemasok')!.rows.length;
    return {
      report_partnerships: counts.k,
      report_realisation_rows: counts.r,
      report_period: PERIOD.key,
      report_registered: registered.count,
      report_supplier_rows: suppliers,
      report_generate_ms: Math.round(generateMs),
      report_queries_seconds: seconds(queriesMs),
      report_model_seconds: seconds(modelMs),
      report_html_seconds: seconds(htmlMs),
      report_html_bytes: sizes.html ?? 0,
      report_xlsx_seconds: seconds(xlsxMs),
      report_xlsx_bytes: sizes.xlsx ?? 0,
      report_pdf_seconds: pdfMs === null ? 'no chromium' : seconds(pdfMs),
      report_pdf_bytes: sizes.pdf ?? 0,
    };
  } finally {
    await db.destroy();
    await admin(adminUrl, `drop database if exists ${name} with (force)`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const adminUrl = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  console.log('report', await benchReport(adminUrl));
}
