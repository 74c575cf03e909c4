/*
 * The watched drop folder (IMPORT_DIR): at start and then every tick, each csv/xlsx file that has stopped changing
 * is moved to `processing/`, imported in a child process of its own (childImport.ts: a file that exhausts memory
 * ends that process, never serve), and then moved to `imported/` or `failed/` with `<file>.report.txt` beside it.
 * A file waits (goes back) while a sync holds the run lock or when serve stops; anything else that ends an import
 * (a refused file, a failed run, a crashed import process) sends it to `failed/`. A file found in `processing/` at
 * start was being imported when serve died: it goes to `failed/` too, so a file that kills serve cannot do it again.
 */
import { type Dirent, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { toError } from '../errors.js';
import type { Logger } from '../logger.js';
import { DEFAULT_WORKER_HEAP_MB, importInChildProcess } from './childImport.js';
import type { ImportDeps, ImportResult } from './importFile.js';
import type { ImportLimits } from './limits.js';
import { renderImportSummary } from './summary.js';

export interface DropFolderOptions {
  /** A file is taken once unmodified for this long (it may still be being copied in). Default 10 s. */
  minAgeMs?: number;
  requestedBy?: string;
  /** Heap of each import process in MB (IMPORT_WORKER_HEAP_MB). Default 256. */
  workerHeapMb?: number;
  /** What a file may hold (IMPORT_MAX_*); defaults apply to what is left out. */
  limits?: Partial<ImportLimits>;
  /** Aborted when serve stops: the import in flight is stopped and its file waits for the next start. */
  signal?: AbortSignal;
}

export interface DropFolderOutcome {
  file: string;
  /** 'waiting': left for a later tick (still being written, a sync is running, serve is stopping). */
  status: 'imported' | 'failed' | 'waiting';
  movedTo: string | null;
  report: string | null;
  result: ImportResult | null;
}

const IGNORED = /^(\.|~\$)|\.(report\.txt|tmp|part|crdownload|partial)$/i;
const PROCESSING = 'processing';

/** Entries already logged as skipped, per folder, so each is logged once (again if it goes and comes back). */
const reportedSkips = new Map<string, Set<string>>();

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

function moveWithReport(
  from: string,
  dir: string,
  sub: 'imported' | 'failed',
  file: string,
  report: string,
  now: Date,
) {
  const targetDir = join(dir, sub);
  mkdirSync(targetDir, { recursive: true });
  const target = freeName(targetDir, file, now);
  renameSync(from, target);
  const reportPath = `${target}.report.txt`;
  writeFileSync(reportPath, `${report}\n`);
  return { movedTo: target, report: reportPath };
}

/** Why an entry of the folder is not imported, for the entries worth a log line (null: import it, or ignore quietly). */
function skipReason(entry: Dirent): string | null {
  if (entry.isSymbolicLink()) {
    return 'a symbolic link: only regular files are imported, so a link cannot bring in a file from elsewhere';
  }
  if (entry.isFile() || entry.isDirectory()) return null;
  return 'not a regular file (a device, socket or pipe)';
}

function logSkips(log: Logger, dir: string, entries: Dirent[]): void {
  const key = resolve(dir);
  const seen = reportedSkips.get(key) ?? new Set<string>();
  const now = new Set<string>();
  for (const e of entries) {
    if (IGNORED.test(e.name)) continue;
    const reason = skipReason(e);
    if (reason === null) continue;
    now.add(e.name);
    if (!seen.has(e.name)) log.warn({ file: e.name, reason, dir }, 'drop folder: file skipped');
  }
  reportedSkips.set(key, now);
}

/** A file left in processing/ by a serve that died while importing it. */
function failInterrupted(deps: ImportDeps, dir: string, now: Date): DropFolderOutcome[] {
  const processing = join(dir, PROCESSING);
  let names: string[];
  try {
    names = readdirSync(processing);
  } catch {
    return [];
  }
  const out: DropFolderOutcome[] = [];
  for (const name of names) {
    if (IGNORED.test(name)) continue;
    const report =
      `Import of ${name}: FAILED\n  serve stopped abruptly while importing this file (it crashed or was killed); ` +
      'the file is not retried automatically in case it was the cause. Nothing of it was committed. ' +
      'Move it back into the folder to try again.';
    try {
      const moved = moveWithReport(join(processing, name), dir, 'failed', name, report, now);
      deps.log.warn({ file: name, movedTo: moved.movedTo }, 'drop folder: an import interrupted by a crash, failed');
      out.push({ file: name, status: 'failed', ...moved, result: null });
    } catch (err) {
      deps.log.error({ err: toError(err), file: name }, 'drop folder: could not move an interrupted file');
    }
  }
  return out;
}

/** One pass over the drop folder. Files are imported one at a time, oldest first, each in its own process. */
export async function importDropFolder(
  deps: ImportDeps,
  dir: string,
  opts: DropFolderOptions = {},
): Promise<DropFolderOutcome[]> {
  const now = deps.now?.() ?? new Date();
  const minAgeMs = opts.minAgeMs ?? 10_000;
  mkdirSync(dir, { recursive: true });
  const entries = readdirSync(dir, { withFileTypes: true });
  logSkips(deps.log, dir, entries);
  const files = entries
    .filter((e) => e.isFile() && !IGNORED.test(e.name))
    .flatMap((e) => {
      try {
        return [{ name: e.name, mtime: statSync(join(dir, e.name)).mtimeMs }];
      } catch {
        return [];
      }
    })
    .sort((a, b) => a.mtime - b.mtime || a.name.localeCompare(b.name));
  const outcomes: DropFolderOutcome[] = [];
  const waiting = (file: string): DropFolderOutcome => ({
    file,
    status: 'waiting',
    movedTo: null,
    report: null,
    result: null,
  });
  for (const f of files) {
    if (opts.signal?.aborted || now.getTime() - f.mtime < minAgeMs) {
      outcomes.push(waiting(f.name));
      continue;
    }
    const processing = join(dir, PROCESSING, f.name);
    try {
      mkdirSync(join(dir, PROCESSING), { recursive: true });
      renameSync(join(dir, f.name), processing);
    } catch (err) {
      // Gone meanwhile (taken by someone else, or deleted): nothing to import.
      deps.log.warn({ err: toError(err), file: f.name }, 'drop folder: file could not be taken');
      continue;
    }
    const child = await importInChildProcess(
      opts.limits ? ({ ...deps, limits: opts.limits } as ImportDeps) : deps,
      processing,
      { requestedBy: opts.requestedBy ?? 'drop-folder', reason: `drop folder: ${f.name}` },
      { heapMb: opts.workerHeapMb ?? DEFAULT_WORKER_HEAP_MB, ...(opts.signal ? { signal: opts.signal } : {}) },
    );
    const done = deps.now?.() ?? new Date();
    if (child.kind === 'busy' || child.kind === 'stopped') {
      // Back where it was (under a new name should a file of the same name have been dropped meanwhile).
      renameSync(processing, freeName(dir, f.name, done));
      deps.log.info(
        { file: f.name },
        child.kind === 'busy'
          ? 'drop folder: a sync is running; the file waits for the next tick'
          : 'drop folder: stopping; the file waits for the next start',
      );
      outcomes.push(waiting(f.name));
      break;
    }
    if (child.kind === 'crashed') {
      const report = `Import of ${f.name}: FAILED (the import process crashed)\n  ${child.message}`;
      const moved = moveWithReport(processing, dir, 'failed', f.name, report, done);
      deps.log.error({ file: f.name, reason: child.message, movedTo: moved.movedTo }, 'drop folder: import crashed');
      outcomes.push({ file: f.name, status: 'failed', ...moved, result: null });
      continue;
    }
    const result = child.result;
    const ok = result.status === 'succeeded';
    const moved = moveWithReport(
      processing,
      dir,
      ok ? 'imported' : 'failed',
      f.name,
      renderImportSummary(result),
      done,
    );
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
  /** Stops ticking, stops the import in flight (its file waits for the next start) and waits for the pass. */
  stop(): Promise<void>;
}

/**
 * Watches the drop folder: a pass at once (files dropped while serve was down), then every `intervalMs` (default
 * 30 s) until stopped; a failing pass is logged, not thrown.
 */
export function startImportDropFolder(options: {
  deps: ImportDeps;
  dir: string;
  intervalMs?: number;
  folder?: DropFolderOptions;
}): DropFolderWatcher {
  const { deps, dir } = options;
  const interval = options.intervalMs ?? 30_000;
  const stopping = new AbortController();
  const folder: DropFolderOptions = { ...options.folder, signal: stopping.signal };
  let timer: NodeJS.Timeout | null = null;
  mkdirSync(dir, { recursive: true });
  failInterrupted(deps, dir, deps.now?.() ?? new Date());
  let running: Promise<DropFolderOutcome[]> = Promise.resolve([]);
  const pass = (): Promise<DropFolderOutcome[]> => {
    running = running
      .catch(() => [])
      .then(() =>
        stopping.signal.aborted
          ? []
          : importDropFolder(deps, dir, folder).catch((err) => {
              deps.log.error({ err: toError(err), dir }, 'drop folder pass failed');
              return [];
            }),
      );
    return running;
  };
  const schedule = () => {
    if (stopping.signal.aborted) return;
    timer = setTimeout(() => {
      void pass().finally(schedule);
    }, interval);
    timer.unref();
  };
  deps.log.info({ dir, intervalMs: interval }, 'drop folder watched');
  void pass().finally(schedule);
  return {
    tick: pass,
    async stop() {
      stopping.abort();
      if (timer) clearTimeout(timer);
      await running.catch(() => undefined);
    },
  };
}
