/*
 * The HTTP side of `serve` (fastify): health and readiness, Prometheus metrics, manual triggers and run views, the
 * OSS push receiver, and the web console (src/web) under /. Everything it needs is passed in; it reads no environment.
 */
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, LogController } from 'fastify';
import type { Config } from '../config.js';
import type { ImportDeps } from '../import/importFile.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { SyncRunner } from '../scheduler/runner.js';
import { type Db, databaseUnavailable, pendingMigrations } from '../store/db.js';
import { lastRuns, pingDatabase } from '../store/state.js';
import { notFoundPage, registerConsole, setSecurityHeaders } from '../web/index.js';
import type { ApiError } from './errors.js';
import { pushRoutes } from './pushRoutes.js';
import { syncRoutes } from './syncRoutes.js';

export interface HttpDeps {
  config: Config;
  db: Db;
  log: Logger;
  metrics: Metrics;
  runner: SyncRunner;
  piiKey: string;
  /** True once shutdown began: /readyz fails and no new sync starts. */
  isStopping: () => boolean;
  /** An accepted push was stored. */
  onPushAccepted: () => void;
  /** What an upload in the web console imports with; null: uploads are off. */
  importDeps?: ImportDeps | null;
  /** Aborted when serve begins to stop (uploads in progress stop their import). */
  stopSignal?: AbortSignal;
  now?: () => Date;
}

/** Body limit of the admin routes (a trigger body is a few hundred bytes). */
const ADMIN_BODY_LIMIT = 64 * 1024;

export interface Readiness {
  ready: boolean;
  checks: {
    database: { ok: boolean; error?: string };
    migrations: { ok: boolean; pending: string[]; error?: string };
    shutting_down: boolean;
  };
  last_run: {
    id: number;
    trigger: string;
    status: string;
    started_at: Date;
    finished_at: Date | null;
    error: string | null;
  } | null;
  last_success_at: Date | null;
}

/**
 * Ready when the database answers and every migration is applied (and not shutting down). The last run is reported
 * but does not decide readiness: OSS being down must not take the push receiver out of service.
 */
export async function readiness(db: Db, stopping: boolean): Promise<Readiness> {
  const out: Readiness = {
    ready: false,
    checks: { database: { ok: false }, migrations: { ok: false, pending: [] }, shutting_down: stopping },
    last_run: null,
    last_success_at: null,
  };
  try {
    await pingDatabase(db);
    out.checks.database = { ok: true };
  } catch (err) {
    out.checks.database = { ok: false, error: (err as Error).message };
    out.checks.migrations = { ok: false, pending: [], error: 'database unreachable' };
    return out;
  }
  try {
    const pending = await pendingMigrations(db);
    out.checks.migrations = { ok: pending.length === 0, pending };
  } catch (err) {
    out.checks.migrations = { ok: false, pending: [], error: (err as Error).message };
  }
  try {
    const runs = await lastRuns(db);
    out.last_run = runs.last;
    out.last_success_at = runs.lastSuccessAt;
  } catch {
    // sync_runs missing (fresh database): migrations are then pending and already reported.
  }
  out.ready = out.checks.database.ok && out.checks.migrations.ok && !stopping;
  return out;
}

export async function buildServer(deps: HttpDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // Typed as fastify's base logger so the instance keeps the default type parameters.
    loggerInstance: deps.log.child({ component: 'http' }) as FastifyBaseLogger,
    // The replacement of the deprecated top-level disableRequestLogging (FSTDEP023).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: ADMIN_BODY_LIMIT,
    // Closing the server also closes idle keep-alive connections, so shutdown is not held up by them.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    // Behind a reverse proxy (TRUST_PROXY): the client address and https come from X-Forwarded-For/-Proto.
    trustProxy: deps.config.web.trustProxy,
  });

  app.setErrorHandler(async (err: FastifyError, req, reply) => {
    const down = databaseUnavailable(err, deps.config.database.url);
    if (down) {
      req.log.warn({ url: req.url, method: req.method, error: down.message }, 'request failed: database unavailable');
      return reply
        .code(503)
        .header('retry-after', '30')
        .send({ error: 'database_unavailable', message: down.message } satisfies ApiError);
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) req.log.error({ err, url: req.url, method: req.method }, 'request failed');
    const body: ApiError =
      status === 500
        ? { error: 'internal_error', message: 'The request failed on the server; see the logs.' }
        : {
            error:
              err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY'
                ? 'invalid_request'
                : (err.code ?? 'error').toLowerCase(),
            message: err.message,
          };
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler(async (req, reply) => {
    if (!(req.headers.accept ?? '').includes('text/html')) {
      return reply.code(404).send({ error: 'not_found', message: `No route ${req.method} ${req.url}` });
    }
    // A browser gets the console's 404 page, with the console's security headers.
    setSecurityHeaders(reply);
    return reply.code(404).type('text/html; charset=utf-8').send(notFoundPage(req.url));
  });

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_req, reply) => {
    const r = await readiness(deps.db, deps.isStopping());
    return reply.code(r.ready ? 200 : 503).send({ status: r.ready ? 'ready' : 'not_ready', ...r });
  });

  app.get('/metrics', async (_req, reply) => {
    const { contentType, body } = await deps.metrics.render();
    return reply.header('content-type', contentType).send(body);
  });

  await app.register(async (scope) =>
    syncRoutes(scope, {
      db: deps.db,
      runner: deps.runner,
      adminToken: deps.config.http.adminToken,
      isStopping: deps.isStopping,
    }),
  );

  const { username, password } = deps.config.push;
  await app.register(async (scope) =>
    pushRoutes(scope, {
      db: deps.db,
      log: deps.log,
      metrics: deps.metrics,
      credentials: username && password ? { username, password } : null,
      piiKey: deps.piiKey,
      kdDaerah: deps.config.oss.kdDaerah,
      now: deps.now ?? (() => new Date()),
      onAccepted: deps.onPushAccepted,
    }),
  );

  await registerConsole(app, {
    config: deps.config,
    db: deps.db,
    log: deps.log.child({ component: 'console' }),
    runner: deps.runner,
    importDeps: deps.importDeps ?? null,
    isStopping: deps.isStopping,
    stopSignal: deps.stopSignal ?? new AbortController().signal,
    now: deps.now ?? (() => new Date()),
  });

  // Writes and pushes are logged by their routes; every other request only at debug (probes and scrapes are many).
  app.addHook('onResponse', async (req, reply) => {
    req.log.debug(
      { method: req.method, url: req.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
  });
  return app;
}
