/*
 * sync_runs: one row per write run (a sync, a push batch, an import). Only src/sync/lifecycle.ts calls the writers
 * below; readers (status, HTTP, metrics) use the read functions at the end.
 *
 * Liveness: a running run's process refreshes heartbeat_at every few seconds. A run is live while its heartbeat is
 * younger than the lease (sync_run_live() in SQL, the same rule in every reader), or while its process is known
 * alive on this host. A run whose holder lost the run lock but still heartbeats is alive: nobody else takes over.
 */
import { hostname } from 'node:os';
import type { Knex } from 'knex';
import pg from 'pg';
import type { RunStatus, RunTrigger, StreamName } from '../domain/glossary.js';
import { RunLeaseLostError, SyncAlreadyRunningError } from '../errors.js';

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
  /** Wall time the stream's requests waited for the shared OSS rate budget, in milliseconds. */
  rateWaitMs?: number;
}

/** What a run covers; `import` and `source` describe an import's file and a push batch's channel. */
export interface RunScope {
  streams: StreamName[] | string[];
  full: boolean;
  dryRun: boolean;
  [extra: string]: unknown;
}

export interface NewRun {
  trigger: RunTrigger;
  requestedBy: string | null;
  reason: string | null;
  scope: RunScope;
}

export type FinishedStatus = Exclude<RunStatus, 'running'>;

export interface RunRow {
  id: number;
  trigger: RunTrigger;
  requested_by: string | null;
  reason: string | null;
  scope: RunScope;
  status: RunStatus;
  started_at: Date;
  finished_at: Date | null;
  heartbeat_at: Date;
  counts: Record<string, StreamCounts>;
  streams: Record<string, StreamOutcome>;
  error: string | null;
  host: string | null;
  pid: number | null;
}

/** How often a running run refreshes its heartbeat. */
export const HEARTBEAT_MS = 5_000;
/** A running run whose heartbeat is older than this is dead (same value as sync_run_live() in SQL). */
export const LEASE_SECONDS = 30;

const UNIQUE_VIOLATION = '23505';

const countsOf = (streams: Record<string, StreamOutcome>, findings?: Record<string, number>) => {
  const counts: Record<string, unknown> = Object.fromEntries(Object.entries(streams).map(([k, v]) => [k, v.counts]));
  if (findings) counts.findings = findings;
  return JSON.stringify(counts);
};

/** Starts a running run row; the partial unique index refuses a second running row. */
export async function insertRunningRun(db: Knex, run: NewRun): Promise<number> {
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

/**
 * Writes a run row inside the caller's transaction, already finished: a push batch's run is visible only once its
 * data is committed, and never takes the one-running-run slot.
 */
export async function insertFinishedRun(trx: Knex.Transaction, run: NewRun): Promise<number> {
  const [row] = await trx('sync_runs')
    .insert({
      trigger: run.trigger,
      requested_by: run.requestedBy,
      reason: run.reason,
      scope: JSON.stringify(run.scope),
      status: 'succeeded',
      host: hostname(),
      pid: process.pid,
    })
    .returning('id');
  return Number(row.id);
}

/** Saves per-stream progress while a run goes on and refreshes its heartbeat; false when the run is no longer ours. */
export async function saveRunProgress(db: Knex, id: number, streams: Record<string, StreamOutcome>): Promise<boolean> {
  const n = await db('sync_runs')
    .where({ id, status: 'running' })
    .update({ streams: JSON.stringify(streams), counts: countsOf(streams), heartbeat_at: db.fn.now() });
  return n > 0;
}

/** Refreshes a running run's heartbeat; false when the run was closed by someone else (its lease is lost). */
export async function heartbeatRun(db: Knex, id: number): Promise<boolean> {
  const n = await db('sync_runs').where({ id, status: 'running' }).update({ heartbeat_at: db.fn.now() });
  return n > 0;
}

/**
 * The fence of a write transaction: holds the run row (FOR SHARE, so nobody can close it before this transaction
 * commits) and throws RunLeaseLostError when the run was closed meanwhile. Called before every batch commits.
 */
export async function fenceRun(trx: Knex.Transaction, id: number): Promise<void> {
  const row = await trx('sync_runs').where({ id }).forShare().first('status');
  if (row?.status !== 'running') throw new RunLeaseLostError(id);
}

/**
 * Records the end of a run: its status, per-stream outcomes, error and finding totals. With `onlyIfRunning`, a run
 * another process already closed keeps that record (false is returned).
 */
export async function finishRun(
  db: Knex | Knex.Transaction,
  id: number,
  end: {
    status: FinishedStatus;
    streams: Record<string, StreamOutcome>;
    error: string | null;
    findings?: Record<string, number>;
    scope?: RunScope;
    reason?: string;
  },
  opts: { onlyIfRunning?: boolean } = {},
): Promise<boolean> {
  const n = await db('sync_runs')
    .where(opts.onlyIfRunning ? { id, status: 'running' } : { id })
    .update({
      status: end.status,
      finished_at: db.raw('clock_timestamp()'),
      heartbeat_at: db.raw('clock_timestamp()'),
      streams: JSON.stringify(end.streams),
      counts: countsOf(end.streams, end.findings),
      error: end.error,
      ...(end.scope ? { scope: JSON.stringify(end.scope) } : {}),
      ...(end.reason ? { reason: end.reason } : {}),
    });
  return n > 0;
}

/** Adds the finding totals of the evaluation that followed a finished run (push batches evaluate after commit). */
export async function recordRunFindings(db: Knex, id: number, findings: Record<string, number>): Promise<void> {
  await db.raw(`update sync_runs set counts = counts || jsonb_build_object('findings', ?::jsonb) where id = ?`, [
    JSON.stringify(findings),
    id,
  ]);
}

/** Marks one run failed with `reason` if it is still running; true when it was. */
export async function closeRunningRun(db: Knex, id: number, reason: string): Promise<boolean> {
  const n = await db('sync_runs')
    .where({ id, status: 'running' })
    .update({ status: 'failed', finished_at: db.fn.now(), error: reason });
  return n > 0;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Closes running runs whose process is gone: the heartbeat is older than the lease, or the process ran on this host
 * and no longer exists. Returns the closed ids and the run that is still alive, if any. Call it while holding the
 * run lock, so no new run can appear meanwhile.
 */
export async function closeDeadRuns(db: Knex): Promise<{ closed: number[]; live: number | null }> {
  const running: Array<{ id: number; host: string | null; pid: number | null; stale: boolean }> = (
    await db.raw(
      `select id, host, pid, heartbeat_at < now() - make_interval(secs => ?) as stale
         from sync_runs where status = 'running'`,
      [LEASE_SECONDS],
    )
  ).rows;
  const here = hostname();
  const dead = running.filter(
    (r) => r.stale || (r.host === here && r.pid !== null && r.pid !== process.pid && !processAlive(r.pid)),
  );
  const closed: number[] = [];
  if (dead.length) {
    const rows = await db('sync_runs')
      .whereIn(
        'id',
        dead.map((r) => r.id),
      )
      .where({ status: 'running' })
      .update({ status: 'failed', finished_at: db.fn.now(), error: 'interrupted: the process running it stopped' })
      .returning('id');
    closed.push(...rows.map((r: { id: number }) => Number(r.id)));
  }
  const live = running.find((r) => !dead.includes(r));
  return { closed, live: live ? Number(live.id) : null };
}

/** The id of the live running run, if any (a dead one is not reported as running). */
export async function runningRunId(db: Knex): Promise<string | null> {
  const r = await db.raw(
    `select id from sync_runs where status = 'running' and heartbeat_at >= now() - make_interval(secs => ?) limit 1`,
    [LEASE_SECONDS],
  );
  return r.rows[0] ? String(r.rows[0].id) : null;
}

/** Session-level advisory lock key shared by every oss-sync process on the database. */
const RUN_LOCK_KEY = 0x0055_5359; // "OSS Y"

/** The deployment-wide write lock, held on a dedicated connection. */
export interface RunLock {
  /** Called once when the lock connection is lost (terminated backend, network): the lock is gone with it. */
  onLost(listener: (err: Error) => void): void;
  /** Releases the lock; never throws (a lost connection has released it already). */
  release(): Promise<void>;
}

/** Takes the advisory lock on a new connection; null when another process holds it. */
export async function tryRunLock(databaseUrl: string): Promise<RunLock | null> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'oss-sync run lock' });
  await client.connect();
  let lost = false;
  const listeners: Array<(err: Error) => void> = [];
  const lose = (err: Error) => {
    if (lost) return;
    lost = true;
    for (const l of listeners) l(err);
  };
  client.on('error', (err) => lose(err));
  client.on('end', () => lose(new Error('the run lock connection closed')));
  const res = await client.query('select pg_try_advisory_lock($1) as ok', [RUN_LOCK_KEY]).catch(async (err) => {
    await client.end().catch(() => undefined);
    throw err;
  });
  if (!res.rows[0].ok) {
    lost = true;
    await client.end().catch(() => undefined);
    return null;
  }
  return {
    onLost(listener) {
      listeners.push(listener);
    },
    async release() {
      if (lost) return;
      lost = true;
      await client.query('select pg_advisory_unlock($1)', [RUN_LOCK_KEY]).catch(() => undefined);
      await client.end().catch(() => undefined);
    },
  };
}

export async function getRun(db: Knex, id: number): Promise<RunRow | undefined> {
  return db('sync_runs').where({ id }).first();
}

/** The newest runs, optionally filtered. */
export async function listRuns(
  db: Knex,
  opts: { limit?: number; trigger?: string; status?: string } = {},
): Promise<RunRow[]> {
  return db('sync_runs')
    .modify((q) => {
      if (opts.trigger) q.where({ trigger: opts.trigger });
      if (opts.status) q.where({ status: opts.status });
    })
    .orderBy('id', 'desc')
    .limit(opts.limit ?? 10);
}
