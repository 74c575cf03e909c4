/*
 * Reads of the deployment's operational state, for people and monitors: what the database holds, the queue and
 * quarantine, the last runs, the Prometheus gauges, the schedule's catch-up state. Every query the CLI, the HTTP
 * server and the metrics need lives here, so no SQL is written outside store/.
 */
import type { Knex } from 'knex';
import { STREAMS } from '../domain/glossary.js';
import { LEASE_SECONDS } from './runs.js';

/** What the OSS tables hold now (the end of the sync summary). */
export interface DatabaseTotals {
  kemitraan: number;
  kemitraan_deleted: number;
  pelaku_usaha: number;
  proyek: number;
  perizinan: number;
  quarantined: number;
  nib_not_found: number;
  nib_queue: number;
  nib_queue_failing: number;
}

export async function databaseTotals(db: Knex): Promise<DatabaseTotals> {
  const r = await db.raw(`
    select (select count(*) from kemitraan where deleted_at is null)::int as kemitraan,
           (select count(*) from kemitraan where deleted_at is not null)::int as kemitraan_deleted,
           (select count(*) from pelaku_usaha where deleted_at is null)::int as pelaku_usaha,
           (select count(*) from proyek where deleted_at is null)::int as proyek,
           (select count(*) from perizinan where deleted_at is null)::int as perizinan,
           (select count(*) from quarantine where resolved_at is null)::int as quarantined,
           (select count(*) from nib_not_found)::int as nib_not_found,
           (select count(*) from nib_queue)::int as nib_queue,
           (select count(*) from nib_queue where attempts > 0)::int as nib_queue_failing`);
  return r.rows[0];
}

export interface QuarantineReason {
  stream: string;
  path: string;
  expected: string;
  n: number;
  example: string | null;
}

/** The most frequent reasons open quarantine records were rejected for, with an example id each. */
export async function topQuarantineReasons(db: Knex, limit = 8): Promise<QuarantineReason[]> {
  const r = await db.raw(
    `select stream, i->>'path' as path, i->>'expected' as expected, count(*)::int as n, min(entity_id) as example
       from quarantine, jsonb_array_elements(issues) i where resolved_at is null
      group by 1, 2, 3 order by n desc, path limit ?`,
    [limit],
  );
  return r.rows;
}

/** Answers within the timeout, or throws. */
export async function pingDatabase(db: Knex, timeoutMs = 3_000): Promise<void> {
  await db.raw('select 1').timeout(timeoutMs, { cancel: true });
}

export interface LastRuns {
  last: {
    id: number;
    trigger: string;
    status: string;
    started_at: Date;
    finished_at: Date | null;
    error: string | null;
  } | null;
  lastSuccessAt: Date | null;
}

/** The latest sync or import (push batches excluded) and when one last succeeded. */
export async function lastRuns(db: Knex): Promise<LastRuns> {
  const last = await db('sync_runs')
    .whereNot({ trigger: 'push' })
    .orderBy('id', 'desc')
    .first('id', 'trigger', 'status', 'started_at', 'finished_at', 'error');
  const success = await db('sync_runs')
    .where({ status: 'succeeded' })
    .whereNot({ trigger: 'push' })
    .max({ at: 'finished_at' })
    .first();
  return { last: last ? { ...last, id: Number(last.id) } : null, lastSuccessAt: success?.at ?? null };
}

/** The values behind the database-backed Prometheus gauges. */
export interface GaugeSnapshot {
  /** Live running runs (a run whose process is gone is not counted). */
  running: number;
  quarantineByStream: Array<{ stream: string; n: number }>;
  inbox: { pending: number; failing: number };
  lastSuccessByStream: Array<{ stream: string; ts: number }>;
  openFindingsByRule: Array<{ rule: string; n: number }>;
}

export async function gaugeSnapshot(db: Knex): Promise<GaugeSnapshot> {
  const [running, quarantine, inbox, success, findings] = await Promise.all([
    db.raw(
      `select count(*)::int as n from sync_runs
        where status = 'running' and heartbeat_at >= now() - make_interval(secs => ?)`,
      [LEASE_SECONDS],
    ),
    db.raw(`select stream, count(*)::int as n from quarantine where resolved_at is null group by stream`),
    db.raw(
      `select count(*) filter (where status = 'pending')::int as pending,
              count(*) filter (where status = 'pending' and attempts > 0)::int as failing
         from push_inbox`,
    ),
    db.raw(
      `select s.key as stream, extract(epoch from max(r.finished_at))::float8 as ts
         from sync_runs r cross join lateral jsonb_each(r.streams) s
        where r.finished_at is not null and s.value->>'status' = 'succeeded'
          and coalesce(r.scope->>'dryRun', 'false') <> 'true'
        group by 1`,
    ),
    db.raw(
      `select rule_code as rule, count(*)::int as n from findings
        where status not in ('dismissed', 'resolved') group by 1`,
    ),
  ]);
  return {
    running: running.rows[0].n,
    quarantineByStream: quarantine.rows,
    inbox: inbox.rows[0],
    lastSuccessByStream: success.rows,
    openFindingsByRule: findings.rows,
  };
}

/** The app_settings key holding the schedule's next expected run. */
const SCHEDULE_STATE_KEY = 'schedule_next_run';

export interface ScheduleState {
  /** When the next scheduled run is expected. */
  nextRunAt: Date;
  cron: string;
  timezone: string;
}

export async function readScheduleState(db: Knex): Promise<ScheduleState | null> {
  const row = await db('app_settings').where({ key: SCHEDULE_STATE_KEY }).first('value');
  if (!row) return null;
  try {
    const v = JSON.parse(row.value as string);
    const nextRunAt = new Date(v.nextRunAt);
    if (Number.isNaN(nextRunAt.getTime())) return null;
    return { nextRunAt, cron: String(v.cron ?? ''), timezone: String(v.timezone ?? '') };
  } catch {
    return null;
  }
}

export async function writeScheduleState(db: Knex, state: ScheduleState): Promise<void> {
  const value = JSON.stringify({
    nextRunAt: state.nextRunAt.toISOString(),
    cron: state.cron,
    timezone: state.timezone,
  });
  await db('app_settings').insert({ key: SCHEDULE_STATE_KEY, value }).onConflict('key').merge();
}

/** When the latest succeeded, non-dry run that covered every stream started (any trigger but push), or null. */
export async function lastCompleteSuccessStart(db: Knex): Promise<Date | null> {
  const r = await db.raw(
    `select max(started_at) as at from sync_runs
      where status = 'succeeded' and trigger <> 'push'
        and coalesce(scope->>'dryRun', 'false') <> 'true'
        and coalesce(scope->'streams', '[]'::jsonb) @> ?::jsonb`,
    [JSON.stringify(STREAMS)],
  );
  const at = r.rows[0]?.at;
  return at ? new Date(at) : null;
}

/**
 * A per-installation secret kept in app_settings (the first caller's random `candidate` wins): the key that signs the console's
 * cookies, so a restart or a second serve process keeps every session's cookies valid.
 */
export async function installationSecret(db: Knex, key: string, candidate: string): Promise<string> {
  await db.raw('insert into app_settings (key, value) values (?, ?) on conflict (key) do nothing', [key, candidate]);
  const r = await db.raw('select value from app_settings where key = ?', [key]);
  return r.rows[0].value as string;
}
