/*
 * The composition root: builds every dependency once from the configuration (logger, database, rule settings,
 * feed mapping, OSS client) and hands them down. Commands get a Runtime and never change it; what it opened, it
 * closes. The OSS client (and in sandbox mode the simulator behind it) is opened on first use only, so commands
 * that never call OSS (status, discrepancies) never start a simulator.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config.js';
import { OssSyncError } from './errors.js';
import type { ImportDeps } from './import/index.js';
import type { Logger } from './logger.js';
import { createOssClient, loadFeedMapping, type OssClient } from './oss/index.js';
import { createDb, type Db, migrate, pendingMigrations, readPiiKey } from './store/db.js';
import { startEmbeddedPostgres } from './store/embedded.js';
import type { SyncDeps } from './sync/context.js';
import type { LifecycleDeps, RuleSettings, RunObserver } from './sync/lifecycle.js';
import { loadRuleConfig, loadRuleReference } from './verification/config.js';

/** The key the in-process simulator accepts in sandbox mode. */
const SANDBOX_KEY = 'sandbox-key';

/** Present in sandbox mode (no OSS_BASE_URL): the simulator serving the OSS API on loopback. */
export interface Sandbox {
  readonly url: string;
  readonly manifestPath: string;
}

/** Everything a command needs, built once, and how to close it. */
export interface Runtime {
  readonly config: Config;
  readonly log: Logger;
  readonly db: Db;
  readonly databaseUrl: string;
  /** True when DATABASE_URL was unset and an embedded Postgres serves this process. */
  readonly embedded: boolean;
  /** The per-installation key NIKs are hashed with. */
  readonly piiKey: string;
  readonly rules: RuleSettings;
  readonly now: () => Date;
  /** The OSS client (in sandbox mode with its simulator), opened on first call. */
  oss(): Promise<{ client: OssClient; sandbox: Sandbox | null }>;
  /** What the write lifecycle needs (push batches). */
  lifecycle(observer?: RunObserver): LifecycleDeps;
  /** What an import needs: the write lifecycle and the limits of one file (IMPORT_MAX_*). */
  importDeps(observer?: RunObserver): ImportDeps;
  /** What a sync needs; opens the OSS client. */
  syncDeps(observer?: RunObserver): Promise<SyncDeps>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** 'auto' applies pending migrations (embedded database only, unless forced); 'require' refuses to go on. */
  migrations: 'auto' | 'apply' | 'require' | 'ignore';
}

/** Opens the database (DATABASE_URL, or the embedded fallback), checks or applies migrations, builds the rest. */
export async function openRuntime(config: Config, log: Logger, opts: OpenOptions): Promise<Runtime> {
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const c of closers.splice(0).reverse()) await c().catch((err) => log.warn({ err }, 'error while closing'));
  };
  try {
    let databaseUrl = config.database.url;
    const embedded = databaseUrl === null;
    if (databaseUrl === null) {
      const pg = await startEmbeddedPostgres(join(config.database.dataDir, 'postgres'), log, {
        port: config.database.embeddedPort,
      });
      closers.push(() => pg.stop());
      databaseUrl = pg.url;
    }
    const db = createDb(databaseUrl, 6, log);
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
    // A fresh database before `migrate` has no key yet: commands that need it run after migrations.
    const piiKey = mode === 'ignore' ? await readPiiKey(db).catch(() => '') : await readPiiKey(db);
    const rules: RuleSettings = { config: loadRuleConfig(), reference: loadRuleReference() };
    const now = () => new Date();
    let oss: Promise<{ client: OssClient; sandbox: Sandbox | null }> | null = null;
    const lifecycle = (observer?: RunObserver): LifecycleDeps => ({
      db,
      databaseUrl,
      log,
      now,
      kdDaerah: config.oss.kdDaerah,
      rules,
      ...(observer ? { observer } : {}),
    });
    const rt: Runtime = {
      config,
      log,
      db,
      databaseUrl,
      embedded,
      piiKey,
      rules,
      now,
      oss() {
        oss ??= openOss(config, log, closers);
        return oss;
      },
      lifecycle,
      importDeps: (observer) => ({ ...lifecycle(observer), limits: config.imports.limits }),
      async syncDeps(observer) {
        const { client } = await rt.oss();
        return { ...lifecycle(observer), config, oss: client, piiKey: rt.piiKey || (await readPiiKey(db)) };
      },
      close,
    };
    return Object.freeze(rt);
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * The OSS client: against OSS_BASE_URL, or in sandbox mode against the built-in simulator started on loopback
 * (its world anchored to the first sandbox run, so later runs see the same world).
 */
async function openOss(
  config: Config,
  log: Logger,
  closers: Array<() => Promise<void>>,
): Promise<{ client: OssClient; sandbox: Sandbox | null }> {
  const mapping = loadFeedMapping();
  if (config.oss.baseUrl !== null)
    return { client: createOssClient({ config: config.oss, log, mapping }), sandbox: null };
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
  closers.push(() => sim.stop());
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
  log.info(
    { simulatorUrl: sim.url, size: config.simulator.size, seed: config.simulator.seed },
    'sandbox mode: syncing from the built-in OSS simulator, not real OSS',
  );
  const client = createOssClient({
    config: {
      ...config.oss,
      baseUrl: sim.url,
      userKey: SANDBOX_KEY,
      rateLimitRps: Math.max(config.oss.rateLimitRps, 200),
    },
    log,
    mapping,
  });
  return { client, sandbox: { url: sim.url, manifestPath } };
}
