import { closeSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** An append-only temporary file written in 1 MB pieces (rows waiting for a COPY after the file is read). */
export class Spool {
  private fd: number | null;
  private parts: string[] = [];
  private size = 0;
  /** Lines written (kept by the caller's writes). */
  lines = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }

  write(text: string): void {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= 1 << 20) this.flush();
  }

  private flush(): void {
    if (this.parts.length === 0 || this.fd === null) return;
    writeSync(this.fd, this.parts.join(''));
    this.parts = [];
    this.size = 0;
  }

  close(): void {
    this.flush();
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** Spool directories are named `oss-sync-import-<pid>-XXXXXX`: the pid says whether their process is gone. */
const PREFIX = 'oss-sync-import-';
/** A directory left by a process that is gone is removed once it is this old (a day). */
const STALE_MS = 24 * 60 * 60 * 1000;
const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/** This process's live spool directories, removed when it exits or is stopped by a signal. */
const live = new Set<string>();

function removeLive(): void {
  for (const dir of live) rmSync(dir, { recursive: true, force: true });
  live.clear();
}

/**
 * A stop signal with no other handler would end the process without 'exit' handlers: remove the directories, then
 * die of the same signal. When the process handles the signal itself (serve), it stops in its own way and the
 * directories go with the import's dispose().
 */
function onStopSignal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) return;
  removeLive();
  for (const s of STOP_SIGNALS) process.off(s, onStopSignal);
  process.kill(process.pid, signal);
}

function track(dir: string): void {
  if (live.size === 0) {
    process.on('exit', removeLive);
    for (const s of STOP_SIGNALS) process.on(s, onStopSignal);
  }
  live.add(dir);
}

function untrack(dir: string): void {
  live.delete(dir);
  if (live.size === 0) {
    process.off('exit', removeLive);
    for (const s of STOP_SIGNALS) process.off(s, onStopSignal);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface SweptDirectory {
  dir: string;
  bytes: number;
}

function sizeOf(path: string): number {
  try {
    const st = statSync(path);
    if (!st.isDirectory()) return st.size;
    return readdirSync(path).reduce((s, name) => s + sizeOf(join(path, name)), 0);
  } catch {
    return 0;
  }
}

/**
 * Removes spool directories left in `base` by imports that were killed: those whose process is gone and that are
 * older than a day, or (with `pid`) every one of that process, which the caller knows has ended. Directories named
 * without a pid (older versions) go by age alone.
 */
export function sweepSpoolDirectories(base = tmpdir(), opts: { pid?: number; now?: number } = {}): SweptDirectory[] {
  const now = opts.now ?? Date.now();
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return [];
  }
  const swept: SweptDirectory[] = [];
  for (const name of names) {
    if (!name.startsWith(PREFIX)) continue;
    const m = /^(\d+)-/.exec(name.slice(PREFIX.length));
    const pid = m ? Number(m[1]) : null;
    const dir = join(base, name);
    if (live.has(dir)) continue;
    let take: boolean;
    if (opts.pid !== undefined) take = pid === opts.pid;
    else {
      let mtime: number;
      try {
        mtime = statSync(dir).mtimeMs;
      } catch {
        continue;
      }
      take = now - mtime > STALE_MS && (pid === null || (pid !== process.pid && !processAlive(pid)));
    }
    if (!take) continue;
    const bytes = sizeOf(dir);
    rmSync(dir, { recursive: true, force: true });
    swept.push({ dir, bytes });
  }
  return swept;
}

/**
 * A private temporary directory for one import's spools, removed by dispose(), when the process exits, or when a
 * stop signal ends it. Stale directories of killed imports are swept first (`swept` lists them).
 */
export function spoolDirectory(base = tmpdir()): { dir: string; swept: SweptDirectory[]; dispose(): void } {
  const swept = sweepSpoolDirectories(base);
  const dir = mkdtempSync(join(base, `${PREFIX}${process.pid}-`));
  track(dir);
  return {
    dir,
    swept,
    dispose: () => {
      untrack(dir);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
