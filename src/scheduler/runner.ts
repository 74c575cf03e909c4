/*
 * The one door through which `serve` starts syncs (cron ticks, the catch-up run and POST /syncs). It keeps the run
 * of this process, its live progress and the AbortController that shutdown uses. The deployment-wide guard
 * (advisory lock + unique running row) stays in runSync: this door only answers faster when the run is local.
 */
import type { StreamName } from '../domain/glossary.js';
import { SyncAlreadyRunningError, toError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { failInterruptedRuns, type StreamCounts } from '../store/runs.js';
import type { SyncDeps } from '../sync/context.js';
import { runSync, type SyncResult } from '../sync/runSync.js';

/** What a caller of the runner asks for (runSync's request without the hooks). */
export interface RunRequest {
  trigger: 'schedule' | 'manual';
  requestedBy: string | null;
  reason: string | null;
  streams: StreamName[];
  full: boolean;
  dryRun: boolean;
}

export interface StartedRun {
  runId: number;
  /** Settles when the run has ended: its result, or null when it ended on an error (logged). Never rejects. */
  done: Promise<SyncResult | null>;
}

/** Live, in-memory progress of a stream of the run in this process (fresher than the row saved every 2 s). */
export interface LiveStreamProgress {
  phase: string;
  total: number | null;
  counts: StreamCounts;
}

export interface ActiveRun {
  runId: number | null;
  trigger: RunRequest['trigger'];
  dryRun: boolean;
  startedAt: Date;
  progress: Record<string, LiveStreamProgress>;
}

/** `serve` is shutting down: no new run starts. */
export class RunnerStoppedError extends Error {
  constructor() {
    super('oss-sync is shutting down: no new sync starts');
  }
}

export interface SyncRunner {
  /**
   * Starts a run and resolves as soon as its row exists (with the run id). Rejects with SyncAlreadyRunningError when
   * a run is going on in this process or, through the database guard, in another one; RunnerStoppedError when
   * shutting down.
   */
  start(req: RunRequest): Promise<StartedRun>;
  active(): ActiveRun | null;
  /**
   * Stops for shutdown: no new run, the running one is aborted (its streams stop after committing their current
   * batch). Waits at most `timeoutMs`; past that the run row is closed as interrupted so nothing stays 'running'.
   */
  stop(timeoutMs: number): Promise<{ stoppedRunId: number | null; timedOut: boolean }>;
}

export interface RunnerOptions {
  /** Sync dependencies; the runner adds its own abort signal. */
  deps: Omit<SyncDeps, 'signal'>;
  log: Logger;
  metrics?: Metrics;
}

export function createSyncRunner({ deps, log, metrics }: RunnerOptions): SyncRunner {
  const controller = new AbortController();
  let current: (ActiveRun & { settled: Promise<unknown> }) | null = null;
  let stopping = false;

  return {
    async start(req) {
      if (stopping) throw new RunnerStoppedError();
      if (current) throw new SyncAlreadyRunningError(current.runId === null ? null : String(current.runId));
      let resolveStarted: (id: number) => void = () => undefined;
      const started = new Promise<number>((resolve) => {
        resolveStarted = resolve;
      });
      const active: ActiveRun & { settled: Promise<unknown> } = {
        runId: null,
        trigger: req.trigger,
        dryRun: req.dryRun,
        startedAt: new Date(),
        progress: {},
        settled: Promise.resolve(),
      };
      current = active;
      const run = runSync(
        { ...deps, signal: controller.signal },
        {
          ...req,
          onStarted: (runId) => {
            active.runId = runId;
            resolveStarted(runId);
          },
          onProgress: (p) => {
            active.progress[p.stream] = { phase: p.phase, total: p.total ?? null, counts: { ...p.counts } };
            if (!req.dryRun && active.runId !== null) metrics?.trackRecords(active.runId, p.stream, p.counts);
          },
        },
      );
      const settled = run.then(
        (result) => {
          if (!req.dryRun) {
            for (const [stream, outcome] of Object.entries(result.streams)) {
              if (outcome) metrics?.trackRecords(result.runId, stream, outcome.counts);
            }
          }
          metrics?.forgetRun(result.runId);
          metrics?.runFinished({
            trigger: req.trigger,
            status: result.status,
            durationSeconds: (result.finishedAt.getTime() - result.startedAt.getTime()) / 1000,
          });
          return result;
        },
        (err: unknown) => {
          if (active.runId !== null) {
            log.error({ err: toError(err), runId: active.runId }, 'sync ended on an error');
            metrics?.forgetRun(active.runId);
            metrics?.runFinished({
              trigger: req.trigger,
              status: 'failed',
              durationSeconds: (Date.now() - active.startedAt.getTime()) / 1000,
            });
          }
          throw err;
        },
      );
      active.settled = settled.then(
        () => undefined,
        () => undefined,
      );
      void active.settled.then(() => {
        if (current === active) current = null;
      });
      // The row exists (onStarted) or runSync failed before creating it (lock held elsewhere, database down).
      const runId = await Promise.race([
        started,
        settled.then(() => {
          throw new Error('the sync ended before its run row was created');
        }),
      ]);
      return {
        runId,
        done: settled.then(
          (r) => r,
          () => null,
        ),
      };
    },

    active() {
      if (!current) return null;
      const { settled: _settled, ...view } = current;
      return view;
    },

    async stop(timeoutMs) {
      stopping = true;
      controller.abort();
      const run = current;
      if (!run) return { stoppedRunId: null, timedOut: false };
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        run.settled.then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        // Our runSync still holds the deployment lock, so the only running row is ours.
        const closed = await failInterruptedRuns(deps.db).catch((err) => {
          log.error({ err }, 'could not close the interrupted run');
          return [] as number[];
        });
        log.warn(
          { runId: run.runId, closed, timeoutMs },
          'the running sync did not stop in time: closed as interrupted',
        );
      }
      return { stoppedRunId: run.runId, timedOut };
    },
  };
}
