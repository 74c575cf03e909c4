/*
 * The one door through which `serve` starts syncs (cron ticks, the catch-up run and POST /syncs). It keeps the run
 * of this process, its live progress and the AbortController that shutdown uses. The deployment-wide guard
 * (advisory lock + unique running row) stays in runSync: this door only answers faster when the run is local.
 */
import type { StreamName } from '../domain/glossary.js';
import { SyncAlreadyRunningError, toError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { runningRunId, type StreamCounts } from '../store/runs.js';
import type { SyncDeps } from '../sync/context.js';
import { abandonRun } from '../sync/lifecycle.js';
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
  let current: (ActiveRun & { settled: Promise<unknown>; rowId: Promise<number | null> }) | null = null;
  let stopping = false;

  return {
    async start(req) {
      if (stopping) throw new RunnerStoppedError();
      if (current) {
        // A run of this process is starting: answer with its id once its row exists, never with an unknown run.
        const id = current.runId ?? (await current.rowId);
        throw new SyncAlreadyRunningError(id === null ? await runningRunId(deps.db) : String(id));
      }
      let resolveStarted: (id: number) => void = () => undefined;
      const started = new Promise<number>((resolve) => {
        resolveStarted = resolve;
      });
      const active: ActiveRun & { settled: Promise<unknown>; rowId: Promise<number | null> } = {
        runId: null,
        trigger: req.trigger,
        dryRun: req.dryRun,
        startedAt: new Date(),
        progress: {},
        settled: Promise.resolve(),
        rowId: started,
      };
      current = active;
      const run = runSync(
        { ...deps, signal: controller.signal, ...(metrics ? { observer: metrics } : {}) },
        {
          ...req,
          onStarted: (runId) => {
            active.runId = runId;
            resolveStarted(runId);
          },
          onProgress: (p) => {
            active.progress[p.stream] = { phase: p.phase, total: p.total ?? null, counts: { ...p.counts } };
          },
        },
      );
      const settled = run.catch((err: unknown) => {
        if (active.runId !== null) log.error({ err: toError(err), runId: active.runId }, 'sync ended on an error');
        throw err;
      });
      active.settled = settled.then(
        () => undefined,
        () => undefined,
      );
      active.rowId = Promise.race([started, active.settled.then(() => null)]);
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
      const { settled: _settled, rowId: _rowId, ...view } = current;
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
      if (timedOut && run.runId !== null) {
        // Only this run's row, and only while it is still running: a run that finished meanwhile keeps its outcome.
        const closed = await abandonRun(deps.db, run.runId, 'interrupted: serve stopped before the run finished').catch(
          (err: unknown) => {
            log.error({ err: toError(err) }, 'could not close the interrupted run');
            return false;
          },
        );
        log.warn({ runId: run.runId, closed, timeoutMs }, 'the running sync did not stop in time');
      }
      return { stoppedRunId: run.runId, timedOut };
    },
  };
}
