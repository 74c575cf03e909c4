/*
 * Missed-run catch-up. `serve` records in app_settings when it expects the next scheduled run; a tick that passes
 * while no process runs leaves that instant in the past. On start, one catch-up run is due when that instant has
 * passed and no complete sync succeeded since: once, however many ticks were missed.
 */
import type { ScheduleState } from '../store/state.js';

export type { ScheduleState };

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
