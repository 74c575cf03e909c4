/*
 * `oss-sync serve [--migrate] [--shutdown-timeout SECONDS]`: the container's main process. It composes the HTTP
 * server (health, metrics, manual triggers, push receiver), the cron schedule with its missed-run catch-up, and the
 * inbox worker, over one OSS client (one rate budget) and one pool. SIGTERM/SIGINT stop it gracefully.
 */
import type { Config } from '../config.js';
import { OssSyncError } from '../errors.js';
import { buildServer } from '../http/server.js';
import { startImportDropFolder } from '../import/index.js';
import type { Logger } from '../logger.js';
import { createMetrics } from '../metrics.js';
import type { Runtime } from '../runtime.js';
import { startInboxWorker } from '../scheduler/inboxWorker.js';
import { createSyncRunner } from '../scheduler/runner.js';
import { startSchedule } from '../scheduler/schedule.js';
import { type Db, migrate, pendingMigrations } from '../store/db.js';
import type { Invocation } from './program.js';
import { UsageError } from './usage.js';

/** Default wait for a running sync to commit its batch and stop; Docker's default stop grace is 10 s. */
const DEFAULT_SHUTDOWN_TIMEOUT_S = 8;
/** Bound on closing the HTTP server (in-flight requests finish; idle keep-alive connections are closed). */
const SERVER_CLOSE_TIMEOUT_MS = 3_000;

/** Signals that stop `serve`; exported for tests. */
export const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

export async function serveCommand(rt: Runtime, inv: Invocation): Promise<number> {
  const values = inv.opts as { migrate?: boolean; shutdownTimeout?: string };
  const shutdownTimeoutS =
    values.shutdownTimeout === undefined ? DEFAULT_SHUTDOWN_TIMEOUT_S : Number(values.shutdownTimeout);
  if (!Number.isFinite(shutdownTimeoutS) || shutdownTimeoutS < 0 || shutdownTimeoutS > 3600) {
    throw new UsageError(
      `--shutdown-timeout must be a number of seconds from 0 to 3600, got "${values.shutdownTimeout}"`,
    );
  }
  const { config, db } = rt;
  const log = rt.log.child({ component: 'serve' });
  await ensureMigrations(rt, values.migrate === true, log);

  const deps = await rt.syncDeps();
  const { piiKey } = deps;
  const metrics = createMetrics({ db, ossStats: () => deps.oss.stats(), log });
  const runner = createSyncRunner({ deps, log, metrics });
  const inbox = startInboxWorker({ deps: rt.lifecycle(), metrics });
  let stopping = false;
  const stop = new AbortController();
  const server = await buildServer({
    config,
    db,
    log: rt.log,
    metrics,
    runner,
    piiKey,
    isStopping: () => stopping,
    onPushAccepted: () => inbox.kick(),
    importDeps: rt.importDeps(metrics),
    stopSignal: stop.signal,
  });

  // Wait for a stop signal from here on: one arriving during start-up still stops cleanly.
  const signal = waitForStopSignal(log);
  try {
    const address = await server.listen({ port: config.http.port, host: config.http.host });
    const port = server.server.address();
    log.info(
      { address, port: typeof port === 'object' && port ? port.port : config.http.port, ...describe(config) },
      'serve listening',
    );
  } catch (err) {
    signal.dispose();
    await inbox.stop();
    await server.close().catch(() => undefined);
    throw err;
  }
  const schedule = await startSchedule({
    cron: config.sync.cron,
    timezone: config.sync.timezone,
    runner,
    db,
    log: rt.log,
  });
  // IMPORT_DIR: dashboard exports dropped there are imported on the next tick, then moved to imported/ or failed/.
  const dropFolder = config.importDir
    ? startImportDropFolder({
        deps: rt.importDeps(metrics),
        dir: config.importDir,
        folder: { limits: config.imports.limits, workerHeapMb: config.imports.workerHeapMb },
      })
    : null;

  const received = await signal.promise;
  stopping = true;
  stop.abort();
  log.info(
    { signal: received, shutdownTimeoutS },
    'stopping: no new runs; the running sync stops after its current batch',
  );
  await schedule.stop();
  await dropFolder?.stop();
  const { stoppedRunId, timedOut } = await runner.stop(shutdownTimeoutS * 1000);
  if (stoppedRunId !== null) log.info({ runId: stoppedRunId, timedOut }, 'running sync stopped');
  await schedule.catchUp;
  await inbox.stop();
  await withTimeout(server.close(), SERVER_CLOSE_TIMEOUT_MS).catch((err) =>
    log.warn({ err }, 'HTTP server did not close cleanly'),
  );
  signal.dispose();
  log.info('serve stopped');
  // The caller closes the pool next. Should a stray handle (a request still waiting on OSS) keep the process alive
  // after that, it ends anyway; the timer is unref'd, so it never delays a clean exit.
  setTimeout(() => process.exit(), 5_000).unref();
  return 0;
}

/**
 * Pending migrations: applied with --migrate (and always on the embedded database, like the other commands);
 * otherwise `serve` refuses to start.
 */
async function ensureMigrations(rt: Runtime, allowMigrate: boolean, log: Logger): Promise<void> {
  const pending = await pendingMigrations(rt.db);
  if (pending.length === 0) return;
  if (!allowMigrate && !rt.embedded) {
    throw new OssSyncError(
      'MIGRATIONS_PENDING',
      `the database has ${pending.length} pending migrations (${pending.join(', ')}): run \`oss-sync migrate\` first, or start with \`oss-sync serve --migrate\``,
    );
  }
  const applied = await migrateWithRetry(rt.db, log);
  log.info({ applied }, 'migrations applied');
}

/** Another replica migrating at the same moment holds knex's migration lock: wait for it. */
async function migrateWithRetry(db: Db, log: Logger): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await migrate(db);
    } catch (err) {
      const locked = /already locked/i.test((err as Error)?.message ?? '');
      if (!locked || attempt >= 30) throw err;
      log.info({ attempt }, 'migrations are being applied by another process; waiting');
      await new Promise((r) => setTimeout(r, 2_000));
      if ((await pendingMigrations(db)).length === 0) return [];
    }
  }
}

function waitForStopSignal(log: Logger): { promise: Promise<string>; dispose(): void } {
  let resolveSignal: (s: string) => void = () => undefined;
  let received: string | null = null;
  const promise = new Promise<string>((resolve) => {
    resolveSignal = resolve;
  });
  const onSignal = (sig: NodeJS.Signals) => {
    if (received) {
      log.warn({ signal: sig }, 'second stop signal: exiting now');
      process.exit(1);
    }
    received = sig;
    resolveSignal(sig);
  };
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  return {
    promise,
    dispose: () => {
      for (const s of STOP_SIGNALS) process.off(s, onSignal);
    },
  };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function describe(config: Config) {
  return {
    cron: config.sync.cron,
    timezone: config.sync.timezone,
    manualTriggers: config.http.adminToken ? 'on' : 'off (ADMIN_TOKEN not set)',
    pushReceiver: config.push.username ? 'on' : 'off (OSS_PUSH_USERNAME/OSS_PUSH_PASSWORD not set)',
    oss: config.oss.baseUrl ?? 'sandbox simulator',
  };
}
