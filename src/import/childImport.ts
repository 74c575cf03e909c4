/*
 * Running one import in a child process (worker.ts) with its own heap limit. Whatever the file does to that process
 * (exhausts its heap, crashes it), the caller gets an outcome to report, and the child's spool directory is removed.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ImportDeps, ImportOptions, ImportProgress, ImportResult } from './importFile.js';
import { sweepSpoolDirectories } from './spool.js';

/** What the parent sends the import process: everything of ImportDeps that survives a structured clone. */
export interface WorkerRequest {
  path: string;
  options: Omit<ImportOptions, 'onProgress'>;
  deps: Record<string, unknown>;
  nowOffsetMs: number;
  logLevel: string;
  logBindings: Record<string, unknown>;
  /** Methods of the caller's run observer, called back over IPC (the metrics of serve). */
  observerMethods: string[];
  progress: boolean;
}

export type WorkerReply =
  | { type: 'result'; result: ImportResult }
  | { type: 'busy'; message: string }
  | { type: 'failed'; message: string }
  | { type: 'progress'; progress: ImportProgress }
  | { type: 'observer'; method: string; args: unknown[] };

export type ChildImportOutcome =
  | { kind: 'result'; result: ImportResult }
  /** A sync holds the run lock: try again later. */
  | { kind: 'busy'; message: string }
  /** The process ended without a result: why, in words for the report. */
  | { kind: 'crashed'; message: string }
  /** Stopped by the caller (serve shutting down). */
  | { kind: 'stopped' };

export interface ChildImportOptions {
  /** The child's V8 heap limit (--max-old-space-size). */
  heapMb: number;
  /** Aborting kills the child (SIGTERM): the outcome is 'stopped'. */
  signal?: AbortSignal;
}

/** Default heap of the import process: what the container gives serve itself. */
export const DEFAULT_WORKER_HEAP_MB = 256;

const here = fileURLToPath(import.meta.url);
/** worker.ts beside this file when running from the sources (through tsx), worker.js when compiled. */
const WORKER = join(dirname(here), `worker${extname(here)}`);
const FROM_SOURCE = extname(here) === '.ts';
/** Output kept to explain a crash (the last lines say "heap out of memory" and the like). */
const TAIL_CHARS = 4096;

function loaderArgs(): string[] {
  if (!FROM_SOURCE) return [];
  return ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href];
}

/** Data of the deps that can cross to the child (the pool, logger and clock are rebuilt there). */
function cloneableDeps(deps: ImportDeps): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(deps)) {
    if (key === 'db' || key === 'log' || key === 'now' || key === 'observer' || typeof value === 'function') continue;
    try {
      out[key] = structuredClone(value);
    } catch {
      // Not data (a handle or a class with methods): the child goes without it, as a caller that left it out.
    }
  }
  return out;
}

function methodsOf(obj: unknown): string[] {
  const names = new Set<string>();
  for (let p = obj; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const name of Object.getOwnPropertyNames(p)) {
      if (name !== 'constructor' && typeof (obj as Record<string, unknown>)[name] === 'function') names.add(name);
    }
  }
  return [...names];
}

/** V8's own words when a heap limit ends a process (its FATAL line comes before a native stack of any length). */
const OUT_OF_MEMORY = /heap out of memory|Reached heap limit|Allocation failed/i;

function crashMessage(
  code: number | null,
  signal: NodeJS.Signals | null,
  tail: string,
  heapMb: number,
  outOfMemory: boolean,
): string {
  const lastLine =
    tail
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .at(-1) ?? '';
  if (outOfMemory) {
    return (
      `the import process ran out of memory (its heap limit is ${heapMb} MB, IMPORT_WORKER_HEAP_MB) and ended ` +
      'before finishing; nothing was committed. A genuine export this large needs more memory or a csv export.'
    );
  }
  if (signal === 'SIGKILL') {
    return (
      'the import process was killed (SIGKILL) before finishing, by the system when memory ran out (the ' +
      "container's memory limit) or by a person; nothing was committed."
    );
  }
  return (
    `the import process ended ${signal ? `on signal ${signal}` : `with exit code ${code}`} before finishing; ` +
    `nothing was committed.${lastLine ? ` Its last output: ${lastLine.slice(0, 500)}` : ''}`
  );
}

/** Imports one file in a child process; never throws for what happens in the child. */
export function importInChildProcess(
  deps: ImportDeps,
  path: string,
  options: ImportOptions,
  child: ChildImportOptions,
): Promise<ChildImportOutcome> {
  const { onProgress, ...plainOptions } = options;
  const request: WorkerRequest = {
    path,
    options: plainOptions,
    deps: cloneableDeps(deps),
    nowOffsetMs: deps.now ? deps.now().getTime() - Date.now() : 0,
    logLevel: deps.log.level,
    logBindings: deps.log.bindings(),
    observerMethods: deps.observer ? methodsOf(deps.observer) : [],
    progress: onProgress !== undefined,
  };
  return new Promise((resolve) => {
    let proc: ChildProcess;
    try {
      proc = fork(WORKER, [], {
        execArgv: [...loaderArgs(), `--max-old-space-size=${child.heapMb}`],
        serialization: 'advanced',
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        // Its own process group: a Ctrl-C meant for serve reaches it only through serve's stop, as 'stopped'.
        detached: true,
      });
    } catch (err) {
      resolve({ kind: 'crashed', message: `the import process could not start: ${(err as Error).message}` });
      return;
    }
    let tail = '';
    // Seen anywhere in the output, not only in its tail: a long native stack trace can push V8's FATAL line out of it.
    let outOfMemory = false;
    const keep = (chunk: Buffer) => {
      process.stderr.write(chunk);
      const text = chunk.toString('utf8');
      if (!outOfMemory && OUT_OF_MEMORY.test(tail.slice(-64) + text)) outOfMemory = true;
      tail = (tail + text).slice(-TAIL_CHARS);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    let reply: ChildImportOutcome | null = null;
    let stopped = false;
    const onAbort = () => {
      stopped = true;
      proc.kill('SIGTERM');
    };
    child.signal?.addEventListener('abort', onAbort, { once: true });
    if (child.signal?.aborted) onAbort();
    proc.on('message', (m: WorkerReply) => {
      switch (m.type) {
        case 'result':
          reply = { kind: 'result', result: m.result };
          break;
        case 'busy':
          reply = { kind: 'busy', message: m.message };
          break;
        case 'failed':
          reply = { kind: 'crashed', message: `the import process failed: ${m.message}` };
          break;
        case 'progress':
          onProgress?.(m.progress);
          break;
        case 'observer':
          (deps.observer as unknown as Record<string, (...args: unknown[]) => void> | undefined)?.[m.method]?.(
            ...m.args,
          );
          break;
      }
    });
    proc.on('error', (err) => {
      tail += `\n${err.message}`;
    });
    proc.once('spawn', () => proc.send(request));
    proc.once('close', (code, signal) => {
      child.signal?.removeEventListener('abort', onAbort);
      if (proc.pid !== undefined) sweepSpoolDirectories(deps.tmpDir ?? tmpdir(), { pid: proc.pid });
      if (reply) resolve(reply);
      else if (stopped) resolve({ kind: 'stopped' });
      else resolve({ kind: 'crashed', message: crashMessage(code, signal, tail, child.heapMb, outOfMemory) });
    });
  });
}
