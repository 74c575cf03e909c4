import { hostname } from 'node:os';
import type { Knex } from 'knex';
import pg from 'pg';
import type { RunStatus, RunTrigger, StreamName } from '../domain/glossary.js';
import { SyncAlreadyRunningError } from '../errors.js';

/** Counts of one stream in one run. */
export interface StreamCounts {
  fetched: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  deleted: number;
  requests: number;
}

export const emptyCounts = (): StreamCounts => ({
  fetched: 0,
  inserted: 0,
  updated: 0,
  unchanged: 0,
  rejected: 0,
  deleted: 0,
  requests: 0,
});

/** Outcome of one stream: its status, counts and, when it failed, why. */
export interface StreamOutcome {
  status: 'succeeded' | 'failed' | 'skipped' | 'running';
  counts: StreamCounts;
  error?: string;
  note?: string;
  /** How long the stream ran, in milliseconds. */
  durationMs?: number;
}

export interface RunScope {
  streams: StreamName[];
  full: boolean;
  dryRun: boolean;
}

export interface NewRun {
  trigger: RunTrigger;
  requestedBy: string | null;
  reason: string | null;
  scope: RunScope;
}

export interface RunRow {
  id: number;
  trigger: RunTrigger;
  requested_by: string | null;
  reason: string | null;
  scope: RunScope;
  status: RunStatus;
  started_at: Date;
  finished_at: Date | null;
  counts: Record<string, StreamCounts>;
  streams: Record<string, StreamOutcome>;
  error: string | null;
}

const UNIQUE_VIOLATION = '23505';

/** Starts a run row; the partial unique index refuses a second running row. */
export async function createRun(db: Knex, run: NewRun): Promise<number> {
  try {
    const [row] = await db('sync_runs')
      .insert({
        trigger: run.trigger,
        requested_by: run.requestedBy,
        reason: run.reason,
        scope: JSON.stringify(run.scope),
        host: hostname(),
        pid: process.pid,
      })
      .returning('id');
    return Number(row.id);
  } catch (err) {
    if ((err as { code?: string }).code === UNIQUE_VIOLATION) throw new SyncAlreadyRunningError(await runningRunId(db));
    throw err;
  }
}

export async function runningRunId(db: Knex): Promise<string | null> {
  const row = await db('sync_runs').where({ status: 'running' }).first('id');
  return row ? String(row.id) : null;
}

/** Saves per-stream progress while a run goes on (GET /syncs/:id and `status` read it). */
export async function saveRunProgress(db: Knex, id: number, streams: Record<string, StreamOutcome>): Promise<void> {
  const counts = Object.fromEntries(Object.entries(streams).map(([k, v]) => [k, v.counts]));
  await db('sync_runs')
    .where({ id })
    .update({ streams: JSON.stringify(streams), counts: JSON.stringify(counts), heartbeat_at: db.fn.now() });
}

export async function finishRun(
  db: Knex,
  id: number,
  status: Exclude<RunStatus, 'running'>,
  streams: Record<string, StreamOutcome>,
  error: string | null,
  findings?: Record<string, number>,
): Promise<void> {
  const counts: Record<string, unknown> = Object.fromEntries(Object.entries(streams).map(([k, v]) => [k, v.counts]));
  if (findings) counts.findings = findings;
  await db('sync_runs')
    .where({ id })
    .update({
      status,
      finished_at: db.fn.now(),
      streams: JSON.stringify(streams),
      counts: JSON.stringify(counts),
      error,
    });
}

/**
 * Closes runs left 'running' by a process that died. Call only while holding the run lock: then no live process
 * owns them.
 */
export async function failInterruptedRuns(db: Knex): Promise<number[]> {
  const rows = await db('sync_runs')
    .where({ status: 'running' })
    .update({ status: 'failed', finished_at: db.fn.now(), error: 'interrupted: the process running it stopped' })
    .returning('id');
  return rows.map((r: { id: number }) => Number(r.id));
}

export async function getRun(db: Knex, id: number): Promise<RunRow | undefined> {
  return db('sync_runs').where({ id }).first();
}

export async function listRuns(db: Knex, limit = 10): Promise<RunRow[]> {
  return db('sync_runs').orderBy('id', 'desc').limit(limit);
}

/** Session-level advisory lock key shared by every oss-sync process on the database. */
const RUN_LOCK_KEY = 0x0055_5359; // "OSS Y"

/** Holds the deployment-wide sync lock on a dedicated connection until release(). */
export interface RunLock {
  release(): Promise<void>;
}

/**
 * Takes the deployment-wide sync lock, or throws SyncAlreadyRunningError. A crashed holder's lock disappears with
 * its connection, so it never blocks the next run.
 */
export async function acquireRunLock(databaseUrl: string, db: Knex): Promise<RunLock> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'oss-sync run lock' });
  await client.connect();
  const res = await client.query('select pg_try_advisory_lock($1) as ok', [RUN_LOCK_KEY]);
  if (!res.rows[0].ok) {
    await client.end();
    throw new SyncAlreadyRunningError(await runningRunId(db));
  }
  client.on('error', () => {
    // The lock connection dropped; the lock is gone with it. The run's own writes will surface the database error.
  });
  return {
    async release() {
      try {
        await client.query('select pg_advisory_unlock($1)', [RUN_LOCK_KEY]);
      } finally {
        await client.end().catch(() => undefined);
      }
    },
  };
}
