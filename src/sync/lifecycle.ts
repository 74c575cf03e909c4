/*
 * The write lifecycle: the one module that opens, keeps and closes sync_runs. Every path that writes OSS data goes
 * through it: the sync streams and imports with runExclusive (the deployment-wide lock, a heartbeat, a fence before
 * each batch commits), push batches with runInTransaction (the run row written and finished inside the batch's own
 * transaction). After the data is written, findings are evaluated over everything changed since the last completed
 * evaluation, whoever wrote it, so a crash between a write and its evaluation is caught up by the next run.
 */
import type { Knex } from 'knex';
import type { RunStatus, RunTrigger } from '../domain/glossary.js';
import { RunLeaseLostError, SyncAlreadyRunningError, toError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { RuleConfig, RuleReference } from '../rules/index.js';
import type { Db } from '../store/db.js';
import {
  closeDeadRuns,
  closeRunningRun,
  fenceRun,
  finishRun,
  HEARTBEAT_MS,
  heartbeatRun,
  insertFinishedRun,
  insertRunningRun,
  type RunLock,
  type RunScope,
  recordRunFindings,
  runningRunId,
  type StreamCounts,
  type StreamOutcome,
  saveRunProgress,
  tryRunLock,
} from '../store/runs.js';
import { type EvaluationReport, evaluatePending } from '../verification/evaluate.js';

/** Rule thresholds and reference data, loaded once by the composition root. */
export interface RuleSettings {
  config: RuleConfig;
  reference: RuleReference;
}

/** Whoever watches runs end (the Prometheus metrics of `serve`). */
export interface RunObserver {
  runFinished(e: { trigger: string; status: string; durationSeconds: number }): void;
  trackRecords(runId: number, stream: string, counts: Readonly<StreamCounts>): void;
  forgetRun(runId: number): void;
}

export interface LifecycleDeps {
  db: Db;
  /** The connection string of `db`, for the dedicated run-lock connection. */
  databaseUrl: string;
  log: Logger;
  now: () => Date;
  /** What the evaluation after a run needs: the region and the rule settings built once at start. */
  kdDaerah: string;
  rules?: RuleSettings;
  observer?: RunObserver;
}

export interface RunRequest {
  trigger: RunTrigger;
  requestedBy: string | null;
  reason: string | null;
  scope: RunScope;
}

/** A run in progress, as its work sees it. */
export interface ActiveRun {
  id: number;
  startedAt: Date;
  log: Logger;
  /** Aborted when the run lost its lease (another process closed it): stop writing. */
  signal: AbortSignal;
  /** Call inside each write transaction, last, before it commits: throws RunLeaseLostError when the run is not ours. */
  fence(trx: Knex.Transaction): Promise<void>;
  /** Saves live per-stream outcomes (GET /syncs/:id, status); throttled, never throws. */
  saveProgress(streams: Record<string, StreamOutcome>, force?: boolean): Promise<void>;
}

/** What the work of a run ends with. */
export interface RunEnd {
  status: Exclude<RunStatus, 'running'>;
  streams: Record<string, StreamOutcome>;
  error: string | null;
  /** A dry run rolled its writes back: nothing to evaluate. */
  dryRun?: boolean;
  /** Replaces the run's scope on finish (an import records its file's details once they are known). */
  scope?: RunScope;
  /** Replaces the run's reason on finish (a push batch says how many documents it held). */
  reason?: string;
}

export interface RunResult extends RunEnd {
  runId: number;
  startedAt: Date;
  finishedAt: Date;
  /** The evaluation that followed the run's writes (absent in a dry run), or why it failed. */
  findings?: EvaluationReport | { error: string };
}

/** Rolls back a transactional run that found nothing to do. */
class NothingToDo extends Error {}

/** How often a running run saves its per-stream progress at most. */
const PROGRESS_SAVE_MS = 2_000;

/**
 * Runs `work` as the deployment's one write run: takes the run lock, closes runs whose process is gone (never a live
 * one: a run that still heartbeats keeps its slot even if its holder lost the lock connection), writes the running
 * row, heartbeats, evaluates findings after the work, and finishes the row. Throws SyncAlreadyRunningError when
 * another live run holds the deployment.
 */
export async function runExclusive(
  deps: LifecycleDeps,
  req: RunRequest,
  work: (run: ActiveRun) => Promise<RunEnd>,
  hooks: { onStarted?: (runId: number) => void } = {},
): Promise<RunResult> {
  const { db } = deps;
  const held: HeldLock = { lock: await acquireLock(deps), closed: false };
  const lease = new AbortController();
  let heartbeat: NodeJS.Timeout | undefined;
  try {
    const startedAt = deps.now();
    const runId = await insertRunningRun(db, req);
    hooks.onStarted?.(runId);
    const log = deps.log.child({ runId });
    log.info({ trigger: req.trigger, by: req.requestedBy, scope: req.scope }, 'run started');
    const loseLease = (why: string) => {
      if (lease.signal.aborted) return;
      log.error({ why }, 'run lease lost: stopping after the current batch');
      lease.abort(new RunLeaseLostError(runId));
    };
    // The lock connection may drop (a terminated backend, a network blip): take the lock again, unless another
    // process has it, in which case this run stops; a live run keeps its heartbeat, so nobody marks it dead meanwhile.
    held.lock.onLost(() => void relock(deps, held, loseLease));
    heartbeat = setInterval(() => {
      heartbeatRun(db, runId).then(
        (ours) => {
          if (!ours) loseLease('the run row was closed by another process');
        },
        (err) => log.warn({ err: toError(err) }, 'run heartbeat failed'),
      );
    }, HEARTBEAT_MS);
    heartbeat.unref();

    let lastSave = 0;
    const run: ActiveRun = {
      id: runId,
      startedAt,
      log,
      signal: lease.signal,
      fence: (trx) => fenceRun(trx, runId),
      async saveProgress(streams, force = false) {
        if (!force && Date.now() - lastSave < PROGRESS_SAVE_MS) return;
        lastSave = Date.now();
        // A dry run's counts are what it would have written: not records anyone stored.
        if (!req.scope.dryRun) {
          for (const [stream, o] of Object.entries(streams)) deps.observer?.trackRecords(runId, stream, o.counts);
        }
        await saveRunProgress(db, runId, streams).catch((err) =>
          log.warn({ err: toError(err) }, 'could not save run progress'),
        );
      },
    };

    let end: RunEnd;
    try {
      end = await work(run);
    } catch (err) {
      const e = toError(err);
      log.error({ err: e }, 'run failed');
      end = { status: 'failed', streams: {}, error: e.message };
    }
    if (lease.signal.aborted && end.status === 'succeeded') {
      end = { ...end, status: 'partial', error: end.error ?? toError(lease.signal.reason).message };
    }
    // The heartbeat goes on through the evaluation: the run still holds the deployment, and every reader (a 409's
    // running_run_id, /metrics, status) must keep seeing it live until its row is finished.
    const findings = end.dryRun ? undefined : await evaluateAfter(deps, runId, log);
    const finishedAt = deps.now();
    // A run closed by another process (its lease lost, seen by the heartbeat or by a fence) keeps that record.
    const totals = findingTotals(findings);
    clearInterval(heartbeat);
    await finishRun(db, runId, { ...end, ...(totals ? { findings: totals } : {}) }, { onlyIfRunning: true });
    report(deps, req, runId, end, startedAt, finishedAt);
    log.info({ status: end.status, durationMs: finishedAt.getTime() - startedAt.getTime() }, 'run finished');
    return { ...end, runId, startedAt, finishedAt, ...(findings ? { findings } : {}) };
  } finally {
    clearInterval(heartbeat);
    held.closed = true;
    await held.lock.release();
  }
}

/**
 * Runs `work` in one transaction that also writes its run row, finished, when it commits (a push batch: its run is
 * visible only with its data and never takes the one-running-run slot). `work` returns null when it found nothing
 * to do: then no run row is written. Findings are evaluated after the commit.
 */
export async function runInTransaction(
  deps: LifecycleDeps,
  req: RunRequest,
  work: (trx: Knex.Transaction, run: { id: number; log: Logger }) => Promise<RunEnd | null>,
): Promise<RunResult | null> {
  const startedAt = deps.now();
  const box: { done?: { runId: number; end: RunEnd } } = {};
  try {
    await deps.db.transaction(async (trx) => {
      const runId = await insertFinishedRun(trx, req);
      const end = await work(trx, { id: runId, log: deps.log.child({ runId }) });
      if (!end) throw new NothingToDo();
      await finishRun(trx, runId, end);
      box.done = { runId, end };
    });
  } catch (err) {
    if (!(err instanceof NothingToDo)) throw err;
  }
  if (!box.done) return null;
  const { runId, end } = box.done;
  const log = deps.log.child({ runId });
  // The run is over once its data is committed (its row says so); the evaluation follows it.
  const finishedAt = deps.now();
  report(deps, req, runId, end, startedAt, finishedAt);
  const findings = end.dryRun ? undefined : await evaluateAfter(deps, runId, log);
  const totals = findingTotals(findings);
  if (totals) await recordRunFindings(deps.db, runId, totals).catch(() => undefined);
  return { ...end, runId, startedAt, finishedAt, ...(findings ? { findings } : {}) };
}

async function acquireLock(deps: LifecycleDeps): Promise<RunLock> {
  const lock = await tryRunLock(deps.databaseUrl);
  if (!lock) throw new SyncAlreadyRunningError(await runningRunId(deps.db));
  try {
    const { closed, live } = await closeDeadRuns(deps.db);
    if (closed.length) deps.log.warn({ runs: closed }, 'closed runs left running by a stopped process');
    // Its holder lost the lock connection but is alive and heartbeating: the deployment is still its.
    if (live !== null) throw new SyncAlreadyRunningError(String(live));
    return lock;
  } catch (err) {
    await lock.release();
    throw err;
  }
}

/**
 * Closes a run of this process that could not finish (shutdown timed out), only while it is still running: a run
 * that finished meanwhile keeps its own outcome. Its changes stay logged, so the next run evaluates them.
 */
export async function abandonRun(db: Db, runId: number, reason: string): Promise<boolean> {
  return closeRunningRun(db, runId, reason);
}

/** The run lock of a run; replaced when its connection drops and the lock is taken again. */
interface HeldLock {
  lock: RunLock;
  closed: boolean;
}

/** Takes the run lock again after its connection dropped; a few tries, then the run stops. */
async function relock(deps: LifecycleDeps, held: HeldLock, lose: (why: string) => void): Promise<void> {
  for (let attempt = 1; attempt <= 5; attempt++) {
    await new Promise((r) => setTimeout(r, 500 * attempt).unref());
    if (held.closed) return;
    try {
      const again = await tryRunLock(deps.databaseUrl);
      if (!again) return lose('another process took the run lock after its connection dropped');
      // The run ended while the lock was being taken again.
      if (held.closed) return await again.release();
      held.lock = again;
      again.onLost(() => void relock(deps, held, lose));
      deps.log.warn({ attempt }, 'run lock connection dropped; lock taken again');
      return;
    } catch (err) {
      deps.log.warn({ err: toError(err), attempt }, 'could not take the run lock again yet');
    }
  }
  lose('the run lock could not be taken again after its connection dropped');
}

/** Findings after a run's writes: everything changed since the last completed evaluation. Never throws. */
async function evaluateAfter(
  deps: LifecycleDeps,
  runId: number,
  log: Logger,
): Promise<EvaluationReport | { error: string }> {
  try {
    log.info('findings evaluation started');
    return await evaluatePending(deps.db, {
      runId,
      now: deps.now(),
      kdDaerah: deps.kdDaerah,
      ...(deps.rules ? { config: deps.rules.config, reference: deps.rules.reference } : {}),
    });
  } catch (err) {
    // The data is stored and its changes stay logged: the next run's evaluation catches the findings up.
    log.error({ err: toError(err) }, 'discrepancy evaluation failed; the next run catches it up');
    return { error: toError(err).message };
  }
}

/** New, resolved and reopened findings of an evaluation, summed over rules, for sync_runs.counts.findings. */
function findingTotals(findings: RunResult['findings']): Record<string, number> | undefined {
  if (!findings || 'error' in findings) return undefined;
  const t = { new: 0, resolved: 0, reopened: 0, open: 0 };
  for (const c of Object.values(findings.counts)) {
    t.new += c.new;
    t.resolved += c.resolved;
    t.reopened += c.reopened;
    t.open += c.open;
  }
  return t;
}

function report(deps: LifecycleDeps, req: RunRequest, runId: number, end: RunEnd, startedAt: Date, finishedAt: Date) {
  const o = deps.observer;
  if (!o) return;
  if (!end.dryRun) for (const [stream, s] of Object.entries(end.streams)) o.trackRecords(runId, stream, s.counts);
  o.forgetRun(runId);
  o.runFinished({
    trigger: req.trigger,
    status: end.status,
    durationSeconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
  });
}
