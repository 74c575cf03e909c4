/*
 * Missed-run catch-up. `serve` records in app_settings when it expects the next scheduled run; a tick that passes
 * while no process runs leaves that instant in the past. On start, one catch-up run is due when that instant has
 * passed and no complete sync succeeded since: once, however many ticks were missed.
 */
import { STREAMS } from '../domain/glossary.js';
import type { Db } from '../store/db.js';

/** The app_settings key holding the schedule's next expected run. */
export const SCHEDULE_STATE_KEY = 'schedule_next_run';

export interface ScheduleState {
  /** When the next scheduled run is expected. */
  nextRunAt: Date;
  cron: string;
  timezone: string;
}

/**
 * Pure decision: the expected instant of a scheduled run that did not happen, or null. `lastCompleteSuccessStart`
 * is when the latest succeeded, non-dry, all-streams run started.
 */
export function missedScheduledRun(
  state: ScheduleState | null,
  now: Date,
  lastCompleteSuccessStart: Date | null,
): Date | null {
  if (!state) return null;
  if (state.nextRunAt.getTime() > now.getTime()) return null;
  if (lastCompleteSuccessStart && lastCompleteSuccessStart.getTime() >= state.nextRunAt.getTime()) return null;
  return state.nextRunAt;
}

export async function readScheduleState(db: Db): Promise<ScheduleState | null> {
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

export async function writeScheduleState(db: Db, state: ScheduleState): Promise<void> {
  const value = JSON.stringify({
    nextRunAt: state.nextRunAt.toISOString(),
    cron: state.cron,
    timezone: state.timezone,
  });
  await db('app_settings').insert({ key: SCHEDULE_STATE_KEY, value }).onConflict('key').merge();
}

/** When the latest succeeded, non-dry run that covered every stream started (any trigger but push), or null. */
export async function lastCompleteSuccessStart(db: Db): Promise<Date | null> {
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
