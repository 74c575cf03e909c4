/*
 * `oss-sync report [--period 2026-Q3 | --from D --to D] [--kecamatan K] [--format html|pdf|xlsx] [--output FILE]`:
 * the partnership report for the head of the office and the matchmaking forum (issue 13). Default period: the last
 * complete quarter in the office's time zone (WIB); default format html; default file
 * laporan-kemitraan-<kd_daerah>-<period>.<format> in the current folder. Prints where it wrote and a one-line summary.
 * Exit 0 written; 2 the request cannot be done as asked (bad period, unknown kecamatan, flags), with a message saying
 * why; 1 failure (Chromium missing for the PDF, a file that cannot be written). Speaks Indonesian, like the report.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { localDateTime } from '../domain/wib.js';
import {
  generateReport,
  REPORT_FORMATS,
  type ReportFormat,
  ReportRequestError,
  type ReportRuntime,
  reportFileName,
  resolvePeriod,
} from '../report/generate.js';
import type { ReportPeriod } from '../report/partnershipReport.js';
import { ChromiumMissingError } from '../report/pdf.js';
import { findKecamatan, listKecamatanNames } from '../store/report.js';
import { type Invocation, parseCommandLine } from './program.js';
import { optionalString, UsageError } from './usage.js';

/** Where the command writes its messages. */
export interface Io {
  stdout(s: string): void;
  stderr(s: string): void;
}

const STDIO: Io = {
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
};

/** The period the flags ask for; `today` ('YYYY-MM-DD') decides the default. Throws UsageError. */
export function periodOf(opts: Readonly<Record<string, unknown>>, today: string): ReportPeriod {
  try {
    return resolvePeriod(
      { period: optionalString(opts.period), from: optionalString(opts.from), to: optionalString(opts.to) },
      today,
    );
  } catch (err) {
    if (err instanceof ReportRequestError) throw new UsageError(err.message);
    throw err;
  }
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
      optionalString(opts.output) ?? reportFileName(rt.config.oss.kdDaerah, period, kecamatan?.code ?? null, format),
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
