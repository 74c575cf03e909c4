/*
 * The push stream: applies accepted receiveNIB pushes from the inbox to the OSS tables, through the same store path
 * as the nib stream (storeBusinesses for valid documents, quarantine for rejected ones). Each batch is one
 * transaction holding one 'push' run (the write lifecycle's runInTransaction); each item has its own savepoint, so a
 * failing item is rolled back alone, keeps its error and attempt count, and is retried with backoff. Replicas claim
 * items with SKIP LOCKED and never apply one twice at once. Findings follow once the batch is committed.
 */
import { toError } from '../../errors.js';
import { enqueueNibs, storeBusinesses } from '../../store/businesses.js';
import { claimDueInboxItems, type InboxItem, markInboxApplied, markInboxFailed } from '../../store/inbox.js';
import { quarantineRejections } from '../../store/quarantine.js';
import { emptyCounts, type StreamCounts } from '../../store/runs.js';
import { type LifecycleDeps, runInTransaction } from '../lifecycle.js';

export interface PushBatchOutcome {
  runId: number;
  applied: number;
  failed: number;
  counts: StreamCounts;
}

/** Called for each item whose apply failed (metrics). */
export interface PushApplyHooks {
  onItemFailed?: () => void;
}

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

/** Applies one batch of due inbox items as one push run; null when none was due. */
export async function applyPushBatch(
  deps: LifecycleDeps,
  batchSize: number,
  hooks: PushApplyHooks = {},
): Promise<PushBatchOutcome | null> {
  const { log } = deps;
  const counts = emptyCounts();
  let applied = 0;
  let failed = 0;
  let claimed: InboxItem[] = [];
  const result = await runInTransaction(
    deps,
    {
      trigger: 'push',
      requestedBy: 'oss-push',
      reason: 'receiveNIB: pushed NIB documents from the inbox',
      scope: { streams: ['nib'], full: false, dryRun: false, source: 'receiveNIB' },
    },
    async (trx, run) => {
      claimed = await claimDueInboxItems(trx, batchSize);
      if (claimed.length === 0) return null;
      const ctx = { runId: run.id, source: 'receiveNIB' };
      const appliedIds: number[] = [];
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
          appliedIds.push(item.id);
        } catch (err) {
          const message = conciseError(err);
          errors.push(`inbox ${item.id}: ${message}`);
          run.log.warn(
            { inboxId: item.id, nib: item.nib, attempt: item.attempts + 1, error: message },
            'push could not be applied; it stays in the inbox',
          );
          hooks.onItemFailed?.();
          await markInboxFailed(trx, item, message);
        }
      }
      await markInboxApplied(trx, appliedIds, run.id);
      applied = appliedIds.length;
      failed = claimed.length - applied;
      const error = errors.length ? errors.join('; ').slice(0, 2000) : null;
      return {
        reason: `receiveNIB: ${claimed.length} pushed NIB document${claimed.length === 1 ? '' : 's'} from the inbox`,
        status: failed === 0 ? 'succeeded' : applied > 0 ? 'partial' : 'failed',
        streams: {
          push: {
            status: failed === 0 ? 'succeeded' : 'failed',
            counts,
            ...(error ? { error } : {}),
            note: `${applied} applied, ${failed} failed`,
          },
        },
        error,
      };
    },
  ).catch(async (err: unknown) => {
    // The batch transaction itself failed (database trouble): count the attempt on every claimed item if we can.
    const message = conciseError(err);
    log.error({ error: message, items: claimed.map((i) => i.id) }, 'push batch failed; the items stay in the inbox');
    for (const item of claimed) {
      hooks.onItemFailed?.();
      await markInboxFailed(deps.db, item, `batch failed: ${message}`).catch(() => undefined);
    }
    return null;
  });
  if (!result) return null;
  log.info({ runId: result.runId, applied, failed, ...counts }, 'pushes applied');
  return { runId: result.runId, applied, failed, counts };
}
