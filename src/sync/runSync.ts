import type { RunTrigger, StreamName } from '../domain/glossary.js';
import { STREAMS } from '../domain/glossary.js';
import { OssAuthError, OssUnavailableError, toError } from '../errors.js';
import { emptyCounts, type StreamOutcome } from '../store/runs.js';
import type { StreamProgress, StreamRun, SyncDeps } from './context.js';
import { inTransaction } from './context.js';
import { type RunEnd, type RunResult, runExclusive } from './lifecycle.js';
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

export interface SyncResult extends RunResult {
  streams: Partial<Record<StreamName, StreamOutcome>>;
}

const STREAM_FUNCTIONS: Record<StreamName, (deps: SyncDeps, run: StreamRun) => Promise<string | undefined>> = {
  // kemitraan first: it queues the NIBs of partnership parties for the nib stream.
  kemitraan: syncPartnerships,
  nib: syncBusinesses,
  izin: syncLicenceStatuses,
};

/**
 * One sync run through the write lifecycle: runs the requested streams, each to its own outcome, and ends
 * succeeded (all streams did), partial (some did; the checkpoints of the others hold what was stored) or failed
 * (none did). A refused key or an unreachable OSS stops the streams after it: they could not get an answer either.
 */
export async function runSync(deps: SyncDeps, req: SyncRequest): Promise<SyncResult> {
  const streams = STREAMS.filter((s) => req.streams.length === 0 || req.streams.includes(s));
  const result = await runExclusive(
    { ...deps, kdDaerah: deps.config.oss.kdDaerah },
    {
      trigger: req.trigger,
      requestedBy: req.requestedBy,
      reason: req.reason,
      scope: { streams, full: req.full, dryRun: req.dryRun },
    },
    (run) => runStreams(deps, req, streams, run),
    req.onStarted ? { onStarted: req.onStarted } : {},
  );
  return result as SyncResult;
}

async function runStreams(
  deps: SyncDeps,
  req: SyncRequest,
  streams: StreamName[],
  run: Parameters<Parameters<typeof runExclusive>[2]>[0],
): Promise<RunEnd> {
  const { log } = run;
  const stopped = () => deps.signal?.aborted === true || run.signal.aborted;
  const outcomes: Partial<Record<StreamName, StreamOutcome>> = {};
  for (const s of streams) outcomes[s] = { status: 'skipped', counts: emptyCounts() };
  const all = outcomes as Record<string, StreamOutcome>;

  let fatal: Error | null = null;
  for (const stream of streams) {
    const outcome: StreamOutcome = { status: 'running', counts: emptyCounts() };
    outcomes[stream] = outcome;
    if (fatal || stopped()) {
      outcome.status = 'skipped';
      outcome.note = fatal
        ? `not run: ${fatal instanceof OssAuthError ? 'OSS refused the key' : 'OSS could not be reached'} in an earlier stream`
        : 'not run: shutting down';
      continue;
    }
    const report = (phase: string, total?: number) =>
      req.onProgress?.({ stream, phase, counts: outcome.counts, ...(total === undefined ? {} : { total }) });
    const streamRun: StreamRun = {
      runId: run.id,
      full: req.full,
      dryRun: req.dryRun,
      startedAt: run.startedAt,
      counts: outcome.counts,
      log,
      progress: (phase, total) => {
        report(phase, total);
        void run.saveProgress(all);
      },
      transaction: (work) => inTransaction(deps.db, req.dryRun, work, run.fence),
    };
    const streamStarted = Date.now();
    const waitBefore = deps.oss.stats().rateWaitWallMs;
    try {
      const note = await STREAM_FUNCTIONS[stream](
        { ...deps, signal: combinedSignal(deps.signal, run.signal) },
        streamRun,
      );
      outcome.status = 'succeeded';
      if (note) outcome.note = note;
      log.info({ stream, ...outcome.counts, note }, 'stream finished');
    } catch (err) {
      const e = toError(err);
      outcome.status = 'failed';
      outcome.error = e.message;
      log.error({ stream, err: e, ...outcome.counts }, 'stream failed');
      // A refused key, or an OSS that never answers, fails every later request too: stop here.
      if (err instanceof OssAuthError || err instanceof OssUnavailableError) fatal = e;
    }
    outcome.durationMs = Date.now() - streamStarted;
    outcome.rateWaitMs = deps.oss.stats().rateWaitWallMs - waitBefore;
    // The last word on a stream's counts: live views (GET /syncs, metrics) must not keep a count from mid-stream.
    report('finished');
    await run.saveProgress(all, true);
  }

  const ran = Object.values(all).filter((o) => o.status !== 'skipped');
  const succeeded = ran.filter((o) => o.status === 'succeeded').length;
  const failed = ran.filter((o) => o.status === 'failed').length;
  const skipped = streams.length - ran.length;
  const status: RunEnd['status'] =
    succeeded === 0 ? 'failed' : failed > 0 || skipped > 0 || stopped() ? 'partial' : 'succeeded';
  const errors = ran.flatMap((o) => (o.error ? [o.error] : []));
  return { status, streams: all, error: errors.length ? errors.join('; ') : null, dryRun: req.dryRun };
}

function combinedSignal(a: AbortSignal | undefined, b: AbortSignal): AbortSignal {
  return a ? AbortSignal.any([a, b]) : b;
}
