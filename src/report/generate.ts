/*
 * Generating the partnership report: the report's queries (store/report.ts) → the pure model
 * (partnershipReport.ts) → one of the renderers (html, pdf through Chromium, xlsx). The command line
 * (`oss-sync report`) and the console's Laporan page both call generateReport, so they give the same file.
 */
import { localDateTime } from '../domain/wib.js';
import { type KecamatanCentroids, loadKecamatanCentroids, loadReference, regionName } from '../reference.js';
import type { Runtime } from '../runtime.js';
import { loadReportData } from '../store/report.js';
import { renderReportHtml } from './html.js';
import {
  buildPartnershipReport,
  isCalendarDate,
  lastCompleteQuarter,
  type PartnershipReport,
  parseQuarter,
  type ReportContext,
  type ReportPeriod,
  rangePeriod,
} from './partnershipReport.js';
import { renderReportPdf } from './pdf.js';
import { renderReportXlsx } from './xlsx.js';

/** What a report needs of the runtime. */
export type ReportRuntime = Pick<Runtime, 'db' | 'config' | 'log' | 'now'>;

export const REPORT_FORMATS = ['html', 'pdf', 'xlsx'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** The media types of the formats (the console's download). */
export const REPORT_CONTENT_TYPES: Readonly<Record<ReportFormat, string>> = {
  html: 'text/html; charset=utf-8',
  pdf: 'application/pdf',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** A report asked for in a way that cannot be done (a bad period): the message says why, in Indonesian. */
export class ReportRequestError extends Error {
  readonly code = 'REPORT_REQUEST';
  constructor(message: string) {
    super(message);
    this.name = 'ReportRequestError';
  }
}

/** A period as asked for: a quarter ('2026-Q3'), or a first and a last day (YYYY-MM-DD); null: not given. */
export interface PeriodInput {
  period: string | null;
  from: string | null;
  to: string | null;
}

/** How the asker names the three inputs in messages ('--period', '--from', '--to' on the command line). */
export interface PeriodInputNames {
  period: string;
  from: string;
  to: string;
}

const FLAG_NAMES: PeriodInputNames = { period: '--period', from: '--from', to: '--to' };

/**
 * The period asked for; none given: the last complete quarter on `today` ('YYYY-MM-DD' in the office's time zone).
 * Throws ReportRequestError naming the inputs as `names` does.
 */
export function resolvePeriod(input: PeriodInput, today: string, names: PeriodInputNames = FLAG_NAMES): ReportPeriod {
  const { period, from, to } = input;
  if (period && (from || to)) {
    throw new ReportRequestError(`pakai ${names.period} ATAU ${names.from}/${names.to}, tidak keduanya`);
  }
  if (period) {
    const q = parseQuarter(period);
    if (!q) throw new ReportRequestError(`${names.period} "${period}" bukan triwulan: tulis TAHUN-Qn, mis. 2026-Q3`);
    return q;
  }
  if (from || to) {
    if (!from || !to) {
      throw new ReportRequestError(`${names.from} dan ${names.to} harus diberikan bersama (YYYY-MM-DD)`);
    }
    for (const [name, v] of [
      [names.from, from],
      [names.to, to],
    ] as const) {
      if (!isCalendarDate(v)) throw new ReportRequestError(`${name} "${v}" bukan tanggal YYYY-MM-DD yang sah`);
    }
    if (from > to) throw new ReportRequestError(`${names.from} ${from} sesudah ${names.to} ${to}`);
    return rangePeriod(from, to);
  }
  return lastCompleteQuarter(today);
}

/** The report's default file name: laporan-kemitraan-<kd_daerah>-<period>[-<kecamatan>].<format>. */
export function reportFileName(kdDaerah: string, period: ReportPeriod, kecamatan: string | null, format: ReportFormat) {
  return `laporan-kemitraan-${kdDaerah}-${period.key}${kecamatan ? `-${kecamatan}` : ''}.${format}`;
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

/** Builds the report in one format. */
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
            executablePath: rt.config.report.chromiumPath,
            footerText: `${report.cover.title} · ${report.cover.region} · ${report.cover.period}`,
          })
        : Buffer.from(html, 'utf8');
  }
  return { bytes, summary: report.summary, period: req.period };
}
