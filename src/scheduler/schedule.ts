/*
 * The scheduled syncs of `serve`: node-cron on SYNC_CRON in TZ, without overlap (a tick while a run is going on is
 * skipped), and one catch-up run on start when a scheduled run was missed while no process was running.
 */
import cron, { type Logger as CronLogger, type ScheduledTask } from 'node-cron';
import { SyncAlreadyRunningError, toError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Db } from '../store/db.js';
import { lastCompleteSuccessStart, readScheduleState, writeScheduleState } from '../store/state.js';
import { missedScheduledRun } from './catchUp.js';
import { RunnerStoppedError, type RunRequest, type SyncRunner } from './runner.js';

export interface ScheduleOptions {
  cron: string;
  timezone: string;
  runner: SyncRunner;
  db: Db;
  log: Logger;
  now?: () => Date;
}

export interface Schedule {
  /** When the next tick fires. */
  nextRun(): Date | null;
  /** Settles when the start-up catch-up check (and its run, if one was due) is over. */
  readonly catchUp: Promise<void>;
  /** Stops scheduling; does not wait for a running sync (the runner's stop() does). */
  stop(): Promise<void>;
}

export async function startSchedule(opts: ScheduleOptions): Promise<Schedule> {
  const { runner, db, timezone } = opts;
  const expression = opts.cron;
  const now = opts.now ?? (() => new Date());
  const log = opts.log.child({ component: 'scheduler' });
  let stopping = false;

  const saveNextRun = async (task: ScheduledTask) => {
    const nextRunAt = task.getNextRun();
    if (!nextRunAt || stopping) return;
    await writeScheduleState(db, { nextRunAt, cron: expression, timezone }).catch((err) =>
      log.warn({ err }, 'could not save the schedule state (missed-run catch-up may repeat a run)'),
    );
  };

  /** Runs one scheduled (or catch-up) sync to its end. Returns true when it ran here. */
  const runOnce = async (reason: string): Promise<boolean> => {
    const req: RunRequest = {
      trigger: 'schedule',
      requestedBy: 'schedule',
      reason,
      streams: [],
      full: false,
      dryRun: false,
    };
    try {
      const { runId, done } = await runner.start(req);
      log.info({ runId, reason }, 'scheduled sync started');
      await done;
      return true;
    } catch (err) {
      if (err instanceof SyncAlreadyRunningError) {
        log.info({ runningRunId: err.runningRunId }, 'scheduled sync skipped: another sync is running');
      } else if (!(err instanceof RunnerStoppedError)) {
        log.error({ err: toError(err) }, 'scheduled sync could not start');
      }
      return false;
    }
  };

  const task = cron.createTask(
    expression,
    async () => {
      if (stopping) return;
      // The next expected run is recorded only once this one has run here: a tick lost to a crash stays "missed".
      if (await runOnce(`SYNC_CRON "${expression}" (${timezone})`)) await saveNextRun(task);
    },
    { timezone, noOverlap: true, name: 'oss-sync schedule', logger: cronLogger(log) },
  );
  task.on('execution:overlap', () => log.info('schedule tick skipped: the previous scheduled sync is still running'));
  await task.start();

  const catchUp = (async () => {
    try {
      const [state, lastSuccess] = await Promise.all([readScheduleState(db), lastCompleteSuccessStart(db)]);
      const missed = missedScheduledRun(state, now(), lastSuccess);
      if (!state) await saveNextRun(task);
      if (!missed) return;
      log.info(
        { missed: missed.toISOString(), lastSuccess: lastSuccess?.toISOString() ?? null },
        'a scheduled sync was missed: catching up once',
      );
      if (await runOnce(`catch-up: the scheduled run of ${missed.toISOString()} did not happen`))
        await saveNextRun(task);
    } catch (err) {
      log.error({ err: toError(err) }, 'missed-run check failed');
    }
  })();

  log.info({ cron: expression, timezone, nextRun: task.getNextRun()?.toISOString() ?? null }, 'schedule started');
  return {
    nextRun: () => task.getNextRun(),
    catchUp,
    async stop() {
      stopping = true;
      await task.stop();
      await task.destroy();
    },
  };
}

/** node-cron's own warnings through pino (node20-notes P20). */
function cronLogger(log: Logger): CronLogger {
  return {
    info: (message) => log.debug({ source: 'node-cron' }, message),
    warn: (message) => log.debug({ source: 'node-cron' }, message),
    error: (message, err) =>
      log.error({ source: 'node-cron', err: err ?? (message instanceof Error ? message : undefined) }, String(message)),
    debug: (message) => log.debug({ source: 'node-cron' }, String(message)),
  };
}
