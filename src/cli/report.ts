/*
 * `oss-sync report [--period 2026-Q3 | --from D --to D] [--kecamatan K] [--format html|pdf|xlsx] [--output FILE]`:
 * the partnership report for the head of the office and the matchmaking forum (issue 13). Default period: the last
 * complete quarter in the office's time zone (WIB); default format html; default file
 * laporan-kemitraan-<kd_daerah>-<period>.<format> in the current folder. Prints where it wrote and a one-line summary.
 * Exit 0 written; 2 the request cannot be done as asked (bad period, unknown kecamatan, flags), with a message saying
 * why; 1 failure (Chromium missing for the PDF, a file that cannot be written). Speaks Indonesian, like the report.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { localDateTime } from '../domain/wib.js';
import { loadReference, projectRoot } from '../reference.js';
import { renderReportHtml } from '../report/html.js';
import {
  buildPartnershipReport,
  isCalendarDate,
  type KecamatanCentroids,
  lastCompleteQuarter,
  type PartnershipReport,
  parseQuarter,
  type ReportContext,
  type ReportPeriod,
  rangePeriod,
} from '../report/partnershipReport.js';
import { ChromiumMissingError, renderReportPdf } from '../report/pdf.js';
import { renderReportXlsx } from '../report/xlsx.js';
import type { Runtime } from '../runtime.js';
import { findKecamatan, listKecamatanNames, loadReportData } from '../store/report.js';
import { type Invocation, parseCommandLine } from './program.js';
import { optionalString, UsageError } from './usage.js';

/** What the command needs of the runtime. */
export type ReportRuntime = Pick<Runtime, 'db' | 'config' | 'log' | 'now'>;

/** Where the command writes its messages. */
export interface Io {
  stdout(s: string): void;
  stderr(s: string): void;
}

const STDIO: Io = {
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
};

export const REPORT_FORMATS = ['html', 'pdf', 'xlsx'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** The period the flags ask for; `today` ('YYYY-MM-DD') decides the default. Throws UsageError. */
export function periodOf(opts: Readonly<Record<string, unknown>>, today: string): ReportPeriod {
  const period = optionalString(opts.period);
  const from = optionalString(opts.from);
  const to = optionalString(opts.to);
  if (period && (from || to)) throw new UsageError('pakai --period ATAU --from/--to, tidak keduanya');
  if (period) {
    const q = parseQuarter(period);
    if (!q) throw new UsageError(`--period "${period}" bukan triwulan: tulis TAHUN-Qn, mis. 2026-Q3`);
    return q;
  }
  if (from || to) {
    if (!from || !to) throw new UsageError('--from dan --to harus diberikan bersama (YYYY-MM-DD)');
    for (const [flag, v] of [
      ['--from', from],
      ['--to', to],
    ] as const) {
      if (!isCalendarDate(v)) throw new UsageError(`${flag} "${v}" bukan tanggal YYYY-MM-DD yang sah`);
    }
    if (from > to) throw new UsageError(`--from ${from} sesudah --to ${to}`);
    return rangePeriod(from, to);
  }
  return lastCompleteQuarter(today);
}

/** "Kabupaten Rembang" for 3317, the province's name for a 2-digit region. */
function regionName(kdDaerah: string): string {
  const ref = loadReference();
  const name = kdDaerah.length === 2 ? ref.provinces[kdDaerah] : ref.kabupaten[kdDaerah];
  if (!name) return kdDaerah;
  return kdDaerah.length === 2 || /^(Kota|Kabupaten)\b/.test(name) ? name : `Kabupaten ${name}`;
}

/** The approximate kecamatan centroids shipped in config/reference/kecamatan-centroid.json (those of the region). */
export function loadKecamatanCentroids(kdDaerah: string, root = projectRoot()): KecamatanCentroids {
  const file = join(root, 'config', 'reference', 'kecamatan-centroid.json');
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { kecamatan?: KecamatanCentroids };
  return Object.fromEntries(Object.entries(parsed.kecamatan ?? {}).filter(([kd]) => kd.startsWith(kdDaerah)));
}

/** The map's frame: the region's bounding box, else the centroids' with a margin. */
function boundsOf(kdDaerah: string, centroids: KecamatanCentroids): ReportContext['bounds'] {
  const box = loadReference().boundingBoxes[kdDaerah];
  if (box) return { latMin: box.lat_min, latMax: box.lat_max, lngMin: box.lng_min, lngMax: box.lng_max };
  const points = Object.values(centroids);
  if (!points.length) return { latMin: -11, latMax: 6, lngMin: 95, lngMax: 141 };
  const lat = points.map((p) => p.lat);
  const lng = points.map((p) => p.lng);
  return {
    latMin: Math.min(...lat) - 0.1,
    latMax: Math.max(...lat) + 0.1,
    lngMin: Math.min(...lng) - 0.1,
    lngMax: Math.max(...lng) + 0.1,
  };
}

export interface GeneratedReport {
  bytes: Buffer;
  summary: string;
  period: ReportPeriod;
}

/** What a report is asked for: a period, optionally one kecamatan (its 6-digit code). */
export interface ReportRequest {
  period: ReportPeriod;
  kecamatan: string | null;
}

/** The report model for a request, from the database as it is now. */
export async function buildReport(rt: ReportRuntime, req: ReportRequest): Promise<PartnershipReport> {
  const now = rt.now();
  const tz = rt.config.sync.timezone;
  const kdDaerah = rt.config.oss.kdDaerah;
  const centroids = loadKecamatanCentroids(kdDaerah);
  const bounds = boundsOf(kdDaerah, centroids);
  const data = await loadReportData(rt.db, {
    from: req.period.from,
    to: req.period.to,
    kecamatan: req.kecamatan,
    asOf: localDateTime(now, tz).slice(0, 10),
    timeZone: tz,
    bounds,
  });
  return buildPartnershipReport(data, {
    period: req.period,
    regionName: regionName(kdDaerah),
    generatedAt: now,
    timeZone: tz,
    centroids,
    bounds,
  });
}

/** Builds the report in one format. The console's Laporan page can call this too. */
export async function generateReport(
  rt: ReportRuntime,
  req: ReportRequest & { format: ReportFormat },
): Promise<GeneratedReport> {
  const report = await buildReport(rt, req);
  let bytes: Buffer;
  if (req.format === 'xlsx') bytes = await renderReportXlsx(report, rt.now());
  else {
    const html = renderReportHtml(report);
    bytes =
      req.format === 'pdf'
        ? await renderReportPdf(html, {
            footerText: `${report.cover.title} · ${report.cover.region} · ${report.cover.period}`,
          })
        : Buffer.from(html, 'utf8');
  }
  return { bytes, summary: report.summary, period: req.period };
}

/**
 * `oss-sync report …`; returns the exit code. Takes the parsed command line, or the words after `report` (parsed
 * here with the same command tree).
 */
export async function reportCommand(
  rt: ReportRuntime,
  command: Invocation | readonly string[],
  io: Io = STDIO,
): Promise<number> {
  let inv: Invocation;
  if (Array.isArray(command)) {
    const parsed = parseCommandLine(['report', ...(command as readonly string[])], io);
    if ('exit' in parsed) return parsed.exit;
    inv = parsed;
  } else inv = command as Invocation;
  try {
    const opts = inv.opts;
    const tz = rt.config.sync.timezone;
    const period = periodOf(opts, localDateTime(rt.now(), tz).slice(0, 10));
    const format = (optionalString(opts.format) ?? 'html') as ReportFormat;
    if (!(REPORT_FORMATS as readonly string[]).includes(format)) {
      throw new UsageError(`--format "${format}": pilihan ${REPORT_FORMATS.join(', ')}`);
    }
    let kecamatan: { code: string; name: string } | null = null;
    const wanted = optionalString(opts.kecamatan);
    if (wanted) {
      kecamatan = await findKecamatan(rt.db, wanted);
      if (!kecamatan) {
        const names = await listKecamatanNames(rt.db);
        throw new UsageError(
          `--kecamatan: tidak ada kecamatan "${wanted}" (kode 6 digit atau salah satu dari: ${names.join(', ')})`,
        );
      }
    }
    const output = resolve(
      optionalString(opts.output) ??
        `laporan-kemitraan-${rt.config.oss.kdDaerah}-${period.key}${kecamatan ? `-${kecamatan.code}` : ''}.${format}`,
    );
    const report = await generateReport(rt, { period, kecamatan: kecamatan?.code ?? null, format });
    await writeFile(output, report.bytes);
    io.stdout(
      `Laporan kemitraan ${period.label}${kecamatan ? ` (Kecamatan ${kecamatan.name})` : ''} ditulis ke ${output}\n` +
        `${report.summary}.\n`,
    );
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`oss-sync report: galat: ${err.message}\n`);
      return 2;
    }
    if (err instanceof ChromiumMissingError) {
      io.stderr(`oss-sync report: galat: ${err.message}\n`);
      return 1;
    }
    rt.log.error({ err }, 'report command failed');
    io.stderr(`oss-sync report: galat: ${(err as Error)?.message ?? String(err)}\n`);
    return 1;
  }
}
