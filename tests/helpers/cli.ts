/*
 * Runs the real command line (`node bin/oss-sync.js …`, from the TypeScript sources) as a child process, as a user
 * or a cron job would, with only the given environment.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'oss-sync.js');

export interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** The child, as soon as it is spawned (to kill it). */
  onSpawn?: (child: ChildProcess) => void;
  /** Every complete stderr line (JSON log lines with LOG_LEVEL=info), as it arrives. */
  onLine?: (line: string, child: ChildProcess) => void;
}

export function cli(args: string[], env: Record<string, string>, opts: CliOptions = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/root',
        LOG_LEVEL: 'info',
        OSS_SYNC_FROM_SOURCE: '1',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
      partial += d;
      let i = partial.indexOf('\n');
      while (i >= 0) {
        opts.onLine?.(partial.slice(0, i), child);
        partial = partial.slice(i + 1);
        i = partial.indexOf('\n');
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    opts.onSpawn?.(child);
  });
}

/** The parsed JSON log line, or null for any other line. */
export function logLine(line: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(line);
    return v && typeof v === 'object' ? v : null;
  } catch {
    return null;
  }
}
