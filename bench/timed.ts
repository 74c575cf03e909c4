import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..');
/** The built CLI the benchmarks measure (`npm run bench` builds it first). */
export const CLI = join(ROOT, 'dist', 'src', 'main.js');

export interface Timed {
  seconds: number;
  rssMb: number;
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node CLI ...args` under /usr/bin/time: wall seconds, peak RSS (MB) and output. Logs at warn. */
export function timedCli(args: string[], env: Record<string, string>): Promise<Timed> {
  if (!existsSync(CLI)) return Promise.reject(new Error(`${CLI} is missing: run \`npm run build\` first`));
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('/usr/bin/time', ['-f', 'BENCH_MAXRSS_KB=%M', process.execPath, CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({
        seconds: (performance.now() - started) / 1000,
        rssMb: Math.round(Number(/BENCH_MAXRSS_KB=(\d+)/.exec(stderr)?.[1] ?? 0) / 1024),
        code: code ?? -1,
        stdout,
        stderr,
      });
    });
  });
}
