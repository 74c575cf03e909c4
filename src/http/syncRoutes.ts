/*
 * Manual triggers and run views: POST /syncs (bearer ADMIN_TOKEN), GET /syncs, GET /syncs/:id.
 * With no ADMIN_TOKEN the write route answers 403 with a body saying so (the read routes stay on).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { STREAMS } from '../domain/glossary.js';
import { SyncAlreadyRunningError } from '../errors.js';
import { RunnerStoppedError, type SyncRunner } from '../scheduler/runner.js';
import { runView } from '../scheduler/runView.js';
import type { Db } from '../store/db.js';
import { getRun, listRuns, type RunRow } from '../store/runs.js';
import { bearerMatches } from './auth.js';
import { type ApiError, zodFieldErrors } from './errors.js';

export interface SyncRouteDeps {
  db: Db;
  runner: SyncRunner;
  adminToken: string | null;
  isStopping: () => boolean;
}

const streamName = z.enum(STREAMS, { error: `must be one of ${STREAMS.join(', ')}` });

/** The body of POST /syncs. Unknown fields are refused so a typo (`dryrun`) is not silently ignored. */
export const triggerBodySchema = z.strictObject(
  {
    stream: z
      .union([streamName, z.array(streamName).min(1, { error: 'must name at least one stream' })], {
        error: `must be one of ${STREAMS.join(', ')}, or a list of them`,
      })
      .optional(),
    full: z.boolean({ error: 'must be true or false' }).optional(),
    dry_run: z.boolean({ error: 'must be true or false' }).optional(),
    by: z
      .string({
        error: (iss) => (iss.input === undefined ? 'is required: who asks for this sync' : 'must be a string'),
      })
      .trim()
      .min(1, { error: 'is required: who asks for this sync' })
      .max(100, { error: 'must be at most 100 characters' }),
    reason: z
      .string({ error: 'must be a string' })
      .trim()
      .max(500, { error: 'must be at most 500 characters' })
      .optional(),
  },
  { error: (iss) => (iss.code === 'invalid_type' ? 'the body must be a JSON object' : undefined) },
);

export type TriggerBody = z.infer<typeof triggerBodySchema>;

const listQuerySchema = z.strictObject({
  limit: z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(1, { error: 'must be at least 1' })
    .max(200, { error: 'must be at most 200' })
    .optional(),
  trigger: z
    .enum(['schedule', 'manual', 'push', 'import'], { error: 'must be one of schedule, manual, push, import' })
    .optional(),
  status: z
    .enum(['running', 'succeeded', 'partial', 'failed'], {
      error: 'must be one of running, succeeded, partial, failed',
    })
    .optional(),
});

function fail(reply: FastifyReply, code: number, body: ApiError) {
  return reply.code(code).send(body);
}

export async function syncRoutes(app: FastifyInstance, deps: SyncRouteDeps): Promise<void> {
  const { db, runner, adminToken } = deps;

  app.post('/syncs', async (req, reply) => {
    if (adminToken === null) {
      return fail(reply, 403, {
        error: 'write_routes_off',
        message:
          'Manual triggers over HTTP are off because ADMIN_TOKEN is not set. Set ADMIN_TOKEN (or ADMIN_TOKEN_FILE) and restart, or use `oss-sync sync` on the command line.',
      });
    }
    if (!bearerMatches(req.headers.authorization, adminToken)) {
      reply.header('www-authenticate', 'Bearer realm="oss-sync"');
      return fail(reply, 401, {
        error: 'unauthorized',
        message: 'Send the header "Authorization: Bearer <ADMIN_TOKEN>".',
      });
    }
    const parsed = triggerBodySchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      const fields = zodFieldErrors(parsed.error);
      return fail(reply, 400, {
        error: 'invalid_request',
        message: fields.map((f) => `${f.field}: ${f.message}`).join('; '),
        fields,
      });
    }
    if (deps.isStopping())
      return fail(reply, 503, { error: 'shutting_down', message: 'oss-sync is shutting down; try again shortly.' });
    const body = parsed.data;
    const streams =
      body.stream === undefined ? [] : Array.isArray(body.stream) ? [...new Set(body.stream)] : [body.stream];
    try {
      const { runId } = await runner.start({
        trigger: 'manual',
        requestedBy: body.by,
        reason: body.reason && body.reason !== '' ? body.reason : null,
        streams,
        full: body.full ?? false,
        dryRun: body.dry_run ?? false,
      });
      req.log.info(
        { runId, by: body.by, streams, full: body.full ?? false, dryRun: body.dry_run ?? false },
        'manual sync started over HTTP',
      );
      return reply
        .code(202)
        .header('location', `/syncs/${runId}`)
        .send({ id: runId, status: 'running', url: `/syncs/${runId}` });
    } catch (err) {
      if (err instanceof SyncAlreadyRunningError) {
        return fail(reply, 409, {
          error: 'sync_already_running',
          message: `${err.message}. Only one sync runs at a time in the whole deployment; try again when it has finished.`,
          running_run_id: err.runningRunId === null ? null : Number(err.runningRunId),
        });
      }
      if (err instanceof RunnerStoppedError) return fail(reply, 503, { error: 'shutting_down', message: err.message });
      throw err;
    }
  });

  app.get('/syncs', async (req, reply) => {
    const parsed = listQuerySchema.safeParse(req.query ?? {});
    if (!parsed.success) {
      const fields = zodFieldErrors(parsed.error);
      return fail(reply, 400, {
        error: 'invalid_request',
        message: fields.map((f) => `${f.field}: ${f.message}`).join('; '),
        fields,
      });
    }
    const { limit = 20, trigger, status } = parsed.data;
    const rows: RunRow[] = await listRuns(db, {
      limit,
      ...(trigger ? { trigger } : {}),
      ...(status ? { status } : {}),
    });
    const live = runner.active();
    return { runs: rows.map((r) => runView(r, live)) };
  });

  app.get<{ Params: { id: string } }>('/syncs/:id', async (req, reply) => {
    const id = Number(req.params.id);
    if (!/^\d{1,15}$/.test(req.params.id) || !Number.isSafeInteger(id)) {
      return fail(reply, 400, {
        error: 'invalid_request',
        message: 'id: must be a run number',
        fields: [{ field: 'id', message: 'must be a run number' }],
      });
    }
    const row = await getRun(db, id);
    if (!row) return fail(reply, 404, { error: 'not_found', message: `There is no sync run ${id}.` });
    return runView(row, runner.active());
  });
}
