/*
 * `oss-sync db url`: the connection string (DATABASE_URL with its password masked; the embedded server's in full:
 * it listens on loopback only and its password is a documented constant). `oss-sync db psql [-- PSQL ARGS]`: psql
 * on it, starting the embedded server when none runs.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Config, maskUrl } from '../config.js';
import type { Runtime } from '../runtime.js';
import { EMBEDDED_PASSWORD } from '../store/embedded.js';
import type { Invocation } from './program.js';
import { UsageError } from './usage.js';

/** The port the embedded server of the data directory listens on: the running one's, else the configured one. */
function embeddedPort(config: Config): number {
  try {
    const lines = readFileSync(join(config.database.dataDir, 'postgres', 'pg', 'postmaster.pid'), 'utf8').split('\n');
    const port = Number(lines[3]);
    if (Number.isInteger(port) && port > 0) return port;
  } catch {
    // No server has run there yet: it will start on the configured port.
  }
  return config.database.embeddedPort;
}

export async function dbUrlCommand(config: Config): Promise<number> {
  const url =
    config.database.url === null
      ? `postgres://postgres:${EMBEDDED_PASSWORD}@127.0.0.1:${embeddedPort(config)}/oss_sync`
      : maskUrl(config.database.url);
  process.stdout.write(`${url}\n`);
  return 0;
}

/** psql must be on PATH: say how to get it instead of failing to spawn. */
export function assertPsqlInstalled(): void {
  const probe = spawnSync('psql', ['--version'], { stdio: 'ignore' });
  if (probe.error) {
    throw new UsageError(
      'psql is not installed: install the PostgreSQL client (Debian/Ubuntu: apt-get install postgresql-client), ' +
        'or connect any client to the string `oss-sync db url` prints',
    );
  }
}

export async function dbPsqlCommand(rt: Runtime, inv: Invocation): Promise<number> {
  const child = spawn('psql', [rt.databaseUrl, ...inv.passThrough], { stdio: 'inherit' });
  // psql handles Ctrl-C itself (it cancels the query); this process only waits for it.
  const ignore = () => undefined;
  process.on('SIGINT', ignore);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
  } finally {
    process.off('SIGINT', ignore);
  }
}
