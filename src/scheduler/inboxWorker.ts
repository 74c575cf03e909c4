/*
 * Applies accepted pushes from the inbox to the OSS tables, through the same store path as the nib stream
 * (storeBusinesses for valid documents, quarantine for rejected ones). Each batch is one transaction holding one
 * 'push' run row; each item has its own savepoint, so a failing item is rolled back alone, keeps its error and
 * attempt count, and is retried with backoff. Replicas claim items with SKIP LOCKED and never apply one twice at once.
 */
import { toError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { enqueueNibs, storeBusinesses } from '../store/businesses.js';
import type { Db } from '../store/db.js';
import {
  claimDueInboxItems,
  finishPushRun,
  hasDueInboxItems,
  type InboxItem,
  insertPushRun,
  markInboxApplied,
  markInboxFailed,
  pruneInbox,
} from '../store/inbox.js';
import { quarantineRejections } from '../store/quarantine.js';
import { emptyCounts, type StreamCounts } from '../store/runs.js';

export interface InboxWorkerOptions {
  db: Db;
  log: Logger;
  metrics?: Metrics;
  /** How often due items (retries, items of a stopped process) are looked for. */
  pollMs?: number;
  batchSize?: number;
  /** Applied and rejected items older than this are deleted (pending items never are). */
  retentionDays?: number;
}

export interface BatchOutcome {
  runId: number;
  applied: number;
  failed: number;
  counts: StreamCounts;
}

export interface InboxWorker {
  /** Asks for a drain now (after a push was stored). */
  kick(): void;
  /** Applies due items until none is left; returns the batches. */
  drain(): Promise<BatchOutcome[]>;
  stop(): Promise<void>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * A short error text for the inbox and the logs. knex prefixes database errors with the whole statement and its
 * bound values (here: a normalized document), so only the database's own message and SQLSTATE are kept.
 */
export function conciseError(err: unknown): string {
  const e = toError(err);
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && e.message.includes(' - ')) {
    return `${e.message.slice(e.message.lastIndexOf(' - ') + 3)} (SQLSTATE ${code})`;
  }
  return e.message;
}

/** Applies one batch of due items; null when none was due. */
export async function applyInboxBatch(
  db: Db,
  log: Logger,
  batchSize: number,
  metrics?: Metrics,
): Promise<BatchOutcome | null> {
  let claimed: InboxItem[] = [];
  const startedAt = Date.now();
  try {
    const outcome = await db.transaction(async (trx) => {
      claimed = await claimDueInboxItems(trx, batchSize);
      if (claimed.length === 0) return null;
      const runId = await insertPushRun(trx, claimed.length);
      const ctx = { runId, source: 'receiveNIB' };
      const counts = emptyCounts();
      const applied: number[] = [];
      const errors: string[] = [];
      for (const item of claimed) {
        try {
          const itemCounts = await trx.transaction(async (sp) => {
            const { valid, rejected } = item.validated;
            const merged = await storeBusinesses(sp, valid, ctx);
            await quarantineRejections(sp, 'nib', rejected, ctx, () => ({ method: 'receiveNIB', inbox_id: item.id }));
            // A document we could not accept is asked for again by the next pull (inqueryNIB).
            await enqueueNibs(
              sp,
              rejected.flatMap((r) => (r.entity_id ? [r.entity_id] : [])),
              'receiveNIB',
            );
            return { fetched: valid.length + rejected.length, rejected: rejected.length, ...merged };
          });
          counts.fetched += itemCounts.fetched;
          counts.rejected += itemCounts.rejected;
          counts.inserted += itemCounts.inserted;
          counts.updated += itemCounts.updated;
          counts.unchanged += itemCounts.unchanged;
          applied.push(item.id);
        } catch (err) {
          const message = conciseError(err);
          errors.push(`inbox ${item.id}: ${message}`);
          log.warn(
            { inboxId: item.id, nib: item.nib, attempt: item.attempts + 1, error: message },
            'push could not be applied; it stays in the inbox',
          );
          metrics?.pushApplyFailed();
          await markInboxFailed(trx, item, message);
        }
      }
      await markInboxApplied(trx, applied, runId);
      const failed = claimed.length - applied.length;
      const status = failed === 0 ? 'succeeded' : applied.length > 0 ? 'partial' : 'failed';
      const error = errors.length ? errors.join('; ').slice(0, 2000) : null;
      await finishPushRun(
        trx,
        runId,
        status,
        {
          push: {
            status: failed === 0 ? 'succeeded' : 'failed',
            counts,
            ...(error ? { error } : {}),
            note: `${applied.length} applied, ${failed} failed`,
          },
        },
        error,
      );
      return { runId, applied: applied.length, failed, counts, status };
    });
    if (!outcome) return null;
    log.info(
      { runId: outcome.runId, applied: outcome.applied, failed: outcome.failed, ...outcome.counts },
      'pushes applied',
    );
    metrics?.trackRecords(outcome.runId, 'push', outcome.counts);
    metrics?.forgetRun(outcome.runId);
    metrics?.runFinished({ trigger: 'push', status: outcome.status, durationSeconds: (Date.now() - startedAt) / 1000 });
    return { runId: outcome.runId, applied: outcome.applied, failed: outcome.failed, counts: outcome.counts };
  } catch (err) {
    // The batch transaction itself failed (database trouble): count the attempt on every claimed item if we can.
    const message = conciseError(err);
    log.error({ error: message, items: claimed.map((i) => i.id) }, 'push batch failed; the items stay in the inbox');
    for (const item of claimed) {
      metrics?.pushApplyFailed();
      await markInboxFailed(db, item, `batch failed: ${message}`).catch(() => undefined);
    }
    return null;
  }
}

export function startInboxWorker(opts: InboxWorkerOptions): InboxWorker {
  const { db, metrics } = opts;
  const log = opts.log.child({ component: 'push-inbox' });
  const pollMs = opts.pollMs ?? 3_000;
  const batchSize = opts.batchSize ?? 50;
  const retentionDays = opts.retentionDays ?? 180;
  let stopped = false;
  let running: Promise<BatchOutcome[]> | null = null;
  let again = false;
  let lastPrune = 0;

  const drainLoop = async (): Promise<BatchOutcome[]> => {
    const out: BatchOutcome[] = [];
    do {
      again = false;
      for (;;) {
        if (stopped) return out;
        const batch = await applyInboxBatch(db, log, batchSize, metrics);
        if (!batch) break;
        out.push(batch);
        // Only failures left in this batch: wait for their retry time instead of spinning.
        if (batch.applied === 0) break;
      }
    } while (again && !stopped);
    if (Date.now() - lastPrune > DAY_MS) {
      lastPrune = Date.now();
      const pruned = await pruneInbox(db, retentionDays).catch((err) => {
        log.warn({ err }, 'could not prune the inbox');
        return 0;
      });
      if (pruned) log.info({ pruned, retentionDays }, 'old inbox items pruned');
    }
    return out;
  };

  const drain = (): Promise<BatchOutcome[]> => {
    if (running) {
      again = true;
      return running;
    }
    running = drainLoop()
      .catch((err) => {
        log.error({ err: toError(err) }, 'inbox drain failed');
        return [] as BatchOutcome[];
      })
      .finally(() => {
        running = null;
      });
    return running;
  };

  const poll = async () => {
    if (stopped || running) return;
    try {
      if (await hasDueInboxItems(db)) await drain();
    } catch (err) {
      log.warn({ err: toError(err) }, 'inbox poll failed');
    }
  };
  const timer = setInterval(() => void poll(), pollMs);
  timer.unref();
  void poll();

  return {
    kick() {
      if (!stopped) void drain();
    },
    drain,
    async stop() {
      stopped = true;
      clearInterval(timer);
      if (running) await running;
    },
  };
}
