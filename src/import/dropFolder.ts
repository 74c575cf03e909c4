/*
 * The watched drop folder (IMPORT_DIR): every tick, each csv/xlsx file that has stopped changing is imported and
 * then moved to `imported/` or `failed/`, with `<file>.report.txt` beside it. A file waits (stays put) while a sync
 * holds the run lock; anything else that ends an import (a refused file, a failed run) sends it to `failed/`.
 */
import { mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { SyncAlreadyRunningError, toError } from '../errors.js';
import { type ImportDeps, type ImportResult, importExportFile } from './importFile.js';
import { renderImportSummary } from './summary.js';

export interface DropFolderOptions {
  /** A file is taken once unmodified for this long (it may still be being copied in). Default 10 s. */
  minAgeMs?: number;
  requestedBy?: string;
}

export interface DropFolderOutcome {
  file: string;
  /** 'waiting': left for a later tick (still being written, or a sync is running). */
  status: 'imported' | 'failed' | 'waiting';
  movedTo: string | null;
  report: string | null;
  result: ImportResult | null;
}

const IGNORED = /^(\.|~\$)|\.(report\.txt|tmp|part|crdownload|partial)$/i;

function freeName(dir: string, name: string, now: Date): string {
  const target = join(dir, name);
  try {
    statSync(target);
  } catch {
    return target;
  }
  const ext = extname(name);
  const stem = name.slice(0, name.length - ext.length);
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return join(dir, `${stem}.${stamp}${ext}`);
}

function moveWithReport(dir: string, sub: 'imported' | 'failed', file: string, report: string, now: Date) {
  const targetDir = join(dir, sub);
  mkdirSync(targetDir, { recursive: true });
  const target = freeName(targetDir, file, now);
  renameSync(join(dir, file), target);
  const reportPath = `${target}.report.txt`;
  writeFileSync(reportPath, `${report}\n`);
  return { movedTo: target, report: reportPath };
}

/** One pass over the drop folder. Files are imported one at a time, oldest first. */
export async function importDropFolder(
  deps: ImportDeps,
  dir: string,
  opts: DropFolderOptions = {},
): Promise<DropFolderOutcome[]> {
  const now = deps.now?.() ?? new Date();
  const minAgeMs = opts.minAgeMs ?? 10_000;
  mkdirSync(dir, { recursive: true });
  const files = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && !IGNORED.test(e.name))
    .map((e) => ({ name: e.name, mtime: statSync(join(dir, e.name)).mtimeMs }))
    .sort((a, b) => a.mtime - b.mtime || a.name.localeCompare(b.name));
  const outcomes: DropFolderOutcome[] = [];
  for (const f of files) {
    if (now.getTime() - f.mtime < minAgeMs) {
      outcomes.push({ file: f.name, status: 'waiting', movedTo: null, report: null, result: null });
      continue;
    }
    let result: ImportResult;
    try {
      result = await importExportFile(deps, join(dir, f.name), {
        requestedBy: opts.requestedBy ?? 'drop-folder',
        reason: `drop folder: ${f.name}`,
      });
    } catch (err) {
      if (err instanceof SyncAlreadyRunningError) {
        deps.log.info({ file: f.name }, 'drop folder: a sync is running; the file waits for the next tick');
        outcomes.push({ file: f.name, status: 'waiting', movedTo: null, report: null, result: null });
        break;
      }
      const message = toError(err).message;
      const moved = moveWithReport(dir, 'failed', f.name, `Import of ${f.name}: FAILED\n  ${message}`, now);
      outcomes.push({ file: f.name, status: 'failed', ...moved, result: null });
      continue;
    }
    const ok = result.status === 'succeeded';
    const moved = moveWithReport(dir, ok ? 'imported' : 'failed', f.name, renderImportSummary(result), now);
    deps.log.info(
      { file: f.name, runId: result.runId, status: result.status, movedTo: moved.movedTo },
      'drop folder: file imported',
    );
    outcomes.push({ file: f.name, status: ok ? 'imported' : 'failed', ...moved, result });
  }
  return outcomes;
}

export interface DropFolderWatcher {
  /** Runs a pass now (after the one in flight, if any). */
  tick(): Promise<DropFolderOutcome[]>;
  /** Stops ticking and waits for the pass in flight. */
  stop(): Promise<void>;
}

/** Polls the drop folder every `intervalMs` (default 30 s) until stopped; a failing pass is logged, not thrown. */
export function startImportDropFolder(options: {
  deps: ImportDeps;
  dir: string;
  intervalMs?: number;
  folder?: DropFolderOptions;
}): DropFolderWatcher {
  const { deps, dir } = options;
  const interval = options.intervalMs ?? 30_000;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<DropFolderOutcome[]> = Promise.resolve([]);
  const pass = (): Promise<DropFolderOutcome[]> => {
    running = running
      .catch(() => [])
      .then(() =>
        importDropFolder(deps, dir, options.folder).catch((err) => {
          deps.log.error({ err: toError(err), dir }, 'drop folder pass failed');
          return [];
        }),
      );
    return running;
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      void pass().finally(schedule);
    }, interval);
    timer.unref();
  };
  deps.log.info({ dir, intervalMs: interval }, 'drop folder watched');
  schedule();
  return {
    tick: pass,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running.catch(() => undefined);
    },
  };
}
