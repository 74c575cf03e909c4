/*
 * The push inbox loop of `serve`: drains due inbox items batch by batch through the push stream
 * (src/sync/streams/push.ts), polls for retries and items of a stopped process, and prunes old items once a day.
 */
import { toError } from '../errors.js';
import type { Metrics } from '../metrics.js';
import { hasDueInboxItems, pruneInbox } from '../store/inbox.js';
import type { LifecycleDeps } from '../sync/lifecycle.js';
import { applyPushBatch, type PushBatchOutcome } from '../sync/streams/push.js';

export interface InboxWorkerOptions {
  /** The write lifecycle's dependencies (db, log, clock, region and rules for the evaluation after each batch). */
  deps: LifecycleDeps;
  metrics?: Metrics;
  /** How often due items (retries, items of a stopped process) are looked for. */
  pollMs?: number;
  batchSize?: number;
  /** Applied and rejected items older than this are deleted (pending items never are). */
  retentionDays?: number;
}

export type BatchOutcome = PushBatchOutcome;

export interface InboxWorker {
  /** Asks for a drain now (after a push was stored). */
  kick(): void;
  /** Applies due items until none is left; returns the batches. */
  drain(): Promise<BatchOutcome[]>;
  stop(): Promise<void>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function startInboxWorker(opts: InboxWorkerOptions): InboxWorker {
  const { metrics } = opts;
  const db = opts.deps.db;
  const log = opts.deps.log.child({ component: 'push-inbox' });
  const deps: LifecycleDeps = { ...opts.deps, log, ...(metrics ? { observer: metrics } : {}) };
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
        const batch = await applyPushBatch(deps, batchSize, { onItemFailed: () => metrics?.pushApplyFailed() });
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
