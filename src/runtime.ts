import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config.js';
import { OssSyncError } from './errors.js';
import type { Logger } from './logger.js';
import { createOssClient, loadFeedMapping, type OssClient } from './oss/index.js';
import { createDb, type Db, migrate, pendingMigrations, readPiiKey } from './store/db.js';
import { startEmbeddedPostgres } from './store/embedded.js';

/** The key the in-process simulator accepts in sandbox mode. */
const SANDBOX_KEY = 'sandbox-key';

/** Everything a command needs, opened from the configuration, and how to close it. */
export interface Runtime {
  config: Config;
  log: Logger;
  db: Db;
  databaseUrl: string;
  /** True when DATABASE_URL was unset and an embedded Postgres serves this process. */
  embedded: boolean;
  /** Present in sandbox mode (no OSS_BASE_URL): the simulator serving the OSS API on loopback. */
  sandbox: { url: string; manifestPath: string } | null;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** 'auto' applies pending migrations (embedded database only, unless forced); 'require' refuses to go on. */
  migrations: 'auto' | 'apply' | 'require' | 'ignore';
}

/** Opens the database (DATABASE_URL, or the embedded fallback) and checks or applies migrations. */
export async function openRuntime(config: Config, log: Logger, opts: OpenOptions): Promise<Runtime> {
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch((err) => log.warn({ err }, 'error while closing'));
  };
  try {
    let databaseUrl = config.database.url;
    const embedded = databaseUrl === null;
    if (databaseUrl === null) {
      const pg = await startEmbeddedPostgres(join(config.database.dataDir, 'postgres'), log);
      closers.push(() => pg.stop());
      databaseUrl = pg.url;
    }
    const db = createDb(databaseUrl);
    closers.push(() => db.destroy());
    const mode = opts.migrations === 'auto' ? (embedded ? 'apply' : 'require') : opts.migrations;
    if (mode === 'apply') {
      const applied = await migrate(db);
      if (applied.length) log.info({ applied }, 'migrations applied');
    } else if (mode === 'require') {
      const pending = await pendingMigrations(db);
      if (pending.length) {
        throw new OssSyncError(
          'MIGRATIONS_PENDING',
          `the database has ${pending.length} pending migrations (${pending.join(', ')}): run \`oss-sync migrate\` first`,
        );
      }
    }
    return { config, log, db, databaseUrl, embedded, sandbox: null, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * The OSS client: against OSS_BASE_URL, or in sandbox mode against the built-in simulator started on loopback
 * (its world anchored to the first sandbox run, so later runs see the same world).
 */
export async function openOss(runtime: Runtime): Promise<{ oss: OssClient; piiKey: string }> {
  const { config, log } = runtime;
  let ossConfig = config.oss;
  if (config.oss.baseUrl === null) {
    const { startSimulator } = await import('./simulator/index.js');
    mkdirSync(config.database.dataDir, { recursive: true });
    const anchorFile = join(config.database.dataDir, 'sandbox.json');
    let anchor: string;
    try {
      anchor = JSON.parse(readFileSync(anchorFile, 'utf8')).anchor;
    } catch {
      anchor = new Date().toISOString();
      writeFileSync(anchorFile, JSON.stringify({ anchor, note: 'the sandbox world is generated as of this instant' }));
    }
    const manifestPath = join(config.database.dataDir, 'sandbox-manifest.json');
    const sim = await startSimulator({
      seed: config.simulator.seed,
      size: config.simulator.size,
      kdDaerah: config.oss.kdDaerah,
      now: new Date(anchor),
      userKey: SANDBOX_KEY,
      manifestPath,
      faults: { quota: null },
    });
    const previousClose = runtime.close;
    runtime.close = async () => {
      await sim.stop();
      await previousClose();
    };
    runtime.sandbox = { url: sim.url, manifestPath };
    const banner = [
      '',
      '  ######################################################################',
      '  #  SANDBOX MODE: OSS_BASE_URL is not set.                            #',
      '  #  oss-sync is syncing from its built-in OSS SIMULATOR, not real OSS. #',
      '  #  The data below is synthetic (Kabupaten Rembang, seeded world).     #',
      '  ######################################################################',
      '',
    ].join('\n');
    process.stderr.write(`${banner}\n`);
    log.warn(
      { simulatorUrl: sim.url, size: config.simulator.size, seed: config.simulator.seed },
      'SANDBOX MODE: syncing from the built-in OSS simulator, not real OSS',
    );
    ossConfig = {
      ...config.oss,
      baseUrl: sim.url,
      userKey: SANDBOX_KEY,
      rateLimitRps: Math.max(config.oss.rateLimitRps, 200),
    };
  }
  const oss = createOssClient({ config: ossConfig, log, mapping: loadFeedMapping() });
  return { oss, piiKey: await readPiiKey(runtime.db) };
}
