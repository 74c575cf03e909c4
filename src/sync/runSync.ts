import type { RunStatus, RunTrigger, StreamName } from '../domain/glossary.js';
import { STREAMS } from '../domain/glossary.js';
import { OssAuthError, toError } from '../errors.js';
import {
  acquireRunLock,
  createRun,
  emptyCounts,
  failInterruptedRuns,
  finishRun,
  type StreamOutcome,
  saveRunProgress,
} from '../store/runs.js';
import { changedInRun, type EvaluationReport, evaluateFindingsReport } from '../verification/evaluate.js';
import type { StreamProgress, StreamRun, SyncDeps } from './context.js';
import { syncLicenceStatuses } from './streams/izin.js';
import { syncPartnerships } from './streams/kemitraan.js';
import { syncBusinesses } from './streams/nib.js';

export interface SyncRequest {
  trigger: RunTrigger;
  requestedBy: string | null;
  reason: string | null;
  /** Streams to run; all when empty. They always run in pipeline order: kemitraan, nib, izin. */
  streams: StreamName[];
  full: boolean;
  dryRun: boolean;
  /** Called with the run id as soon as the run row exists (HTTP answers 202 with it). */
  onStarted?: (runId: number) => void;
  onProgress?: (p: StreamProgress) => void;
}

export interface SyncResult {
  runId: number;
  status: Exclude<RunStatus, 'running'>;
  streams: Partial<Record<StreamName, StreamOutcome>>;
  startedAt: Date;
  finishedAt: Date;
  /** The discrepancy evaluation that followed the streams (absent in a dry run or when nothing was synced). */
  findings?: EvaluationReport | { error: string };
}

const STREAM_FUNCTIONS: Record<StreamName, (deps: SyncDeps, run: StreamRun) => Promise<string | undefined>> = {
  // kemitraan first: it queues the NIBs of partnership parties for the nib stream.
  kemitraan: syncPartnerships,
  nib: syncBusinesses,
  izin: syncLicenceStatuses,
};

/** How often a running sync saves its per-stream progress to sync_runs. */
const PROGRESS_SAVE_MS = 2_000;

/**
 * One sync run under the deployment-wide lock: runs the requested streams, each to its own outcome, and ends
 * succeeded (all streams did), partial (some failed; their checkpoints hold what was stored) or failed.
 */
export async function runSync(deps: SyncDeps, req: SyncRequest): Promise<SyncResult> {
  const { db } = deps;
  const lock = await acquireRunLock(deps.databaseUrl, db);
  try {
    const interrupted = await failInterruptedRuns(db);
    if (interrupted.length) deps.log.warn({ runs: interrupted }, 'closed runs left running by a stopped process');
    const streams = STREAMS.filter((s) => req.streams.length === 0 || req.streams.includes(s));
    const startedAt = deps.now();
    const runId = await createRun(db, {
      trigger: req.trigger,
      requestedBy: req.requestedBy,
      reason: req.reason,
      scope: { streams, full: req.full, dryRun: req.dryRun },
    });
    req.onStarted?.(runId);
    const log = deps.log.child({ runId });
    log.info(
      { trigger: req.trigger, streams, full: req.full, dryRun: req.dryRun, by: req.requestedBy },
      'sync started',
    );

    const outcomes: Partial<Record<StreamName, StreamOutcome>> = {};
    for (const s of streams) outcomes[s] = { status: 'skipped', counts: emptyCounts() };
    let lastSave = 0;
    const save = async (force = false) => {
      if (!force && Date.now() - lastSave < PROGRESS_SAVE_MS) return;
      lastSave = Date.now();
      await saveRunProgress(db, runId, outcomes as Record<string, StreamOutcome>).catch((err) =>
        log.warn({ err }, 'could not save run progress'),
      );
    };

    let fatal: Error | null = null;
    for (const stream of streams) {
      const outcome: StreamOutcome = { status: 'running', counts: emptyCounts() };
      outcomes[stream] = outcome;
      if (fatal || deps.signal?.aborted) {
        outcome.status = 'skipped';
        outcome.note = fatal ? 'not run: an earlier stream failed on a fatal error' : 'not run: shutting down';
        continue;
      }
      const streamRun: StreamRun = {
        runId,
        full: req.full,
        dryRun: req.dryRun,
        startedAt,
        counts: outcome.counts,
        log,
        progress: (phase, total) => {
          req.onProgress?.({ stream, phase, counts: outcome.counts, ...(total === undefined ? {} : { total }) });
          void save();
        },
      };
      const streamStarted = Date.now();
      try {
        const note = await STREAM_FUNCTIONS[stream](deps, streamRun);
        outcome.status = 'succeeded';
        if (note) outcome.note = note;
        log.info({ stream, ...outcome.counts, note }, 'stream finished');
      } catch (err) {
        const e = toError(err);
        outcome.status = 'failed';
        outcome.error = e.message;
        log.error({ stream, err: e, ...outcome.counts }, 'stream failed');
        // A refused key fails every later request too: stop here.
        if (err instanceof OssAuthError) fatal = e;
      }
      outcome.durationMs = Date.now() - streamStarted;
      await save(true);
    }

    const ran = Object.values(outcomes).filter((o) => o.status !== 'skipped');
    // Findings follow the data: what the run changed and what depends on it, the whole region after --full.
    let findings: SyncResult['findings'];
    if (!req.dryRun && ran.some((o) => o.status === 'succeeded')) {
      try {
        req.onProgress?.({ stream: 'findings', phase: 'evaluating', counts: emptyCounts() });
        findings = await evaluateFindingsReport(db, {
          runId,
          scope: req.full || (await changedMany(db, runId)) ? 'all' : await changedInRun(db, runId),
          now: deps.now(),
          kdDaerah: deps.config.oss.kdDaerah,
        });
      } catch (err) {
        // The data is stored; `oss-sync discrepancies evaluate` catches the findings up.
        findings = { error: toError(err).message };
        log.error({ err }, 'discrepancy evaluation failed; run `oss-sync discrepancies evaluate` to catch up');
      }
    }
    const failed = ran.filter((o) => o.status === 'failed').length;
    const status: SyncResult['status'] =
      fatal || (failed > 0 && failed === ran.length)
        ? 'failed'
        : failed > 0 || deps.signal?.aborted
          ? 'partial'
          : 'succeeded';
    const error = fatal?.message ?? (failed ? ran.flatMap((o) => (o.error ? [o.error] : [])).join('; ') : null);
    await finishRun(db, runId, status, outcomes as Record<string, StreamOutcome>, error, findingTotals(findings));
    const finishedAt = deps.now();
    log.info({ status, durationMs: finishedAt.getTime() - startedAt.getTime() }, 'sync finished');
    return { runId, status, streams: outcomes, startedAt, finishedAt, ...(findings ? { findings } : {}) };
  } finally {
    await lock.release();
  }
}

/**
 * Above this many changed entities a region-wide evaluation (set-based, no id lists) is cheaper than an incremental
 * one, whose scope would carry every id through Node (a first sync changes the whole region).
 */
const INCREMENTAL_EVALUATION_LIMIT = 20_000;

async function changedMany(db: SyncDeps['db'], runId: number): Promise<boolean> {
  const r = await db.raw(
    `select (select count(*) from kemitraan where last_run_id = ? or deleted_run_id = ?)
          + (select count(*) from pelaku_usaha where last_run_id = ?)
          + (select count(*) from perizinan where last_run_id = ?) as n`,
    [runId, runId, runId, runId],
  );
  return Number(r.rows[0].n) > INCREMENTAL_EVALUATION_LIMIT;
}

/** New, resolved and reopened findings of an evaluation, summed over rules, for sync_runs.counts.findings. */
function findingTotals(findings: SyncResult['findings']): Record<string, number> | undefined {
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
