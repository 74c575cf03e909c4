import { minWib, toWibDate } from '../../domain/wib.js';
import { OssAuthError, OssUnavailableError } from '../../errors.js';
import { OssMethodMissingError } from '../../oss/index.js';
import {
  dequeueNibs,
  enqueueListedNibs,
  nextQueuedNibs,
  queueSize,
  recordNibsNotFound,
  recordQueueFailure,
  storeBusinesses,
} from '../../store/businesses.js';
import { readCheckpoint, writeCheckpoint } from '../../store/checkpoints.js';
import { quarantineRejections } from '../../store/quarantine.js';
import { validateBusinesses, validateListedNibs } from '../../validate/index.js';
import { addCounts, inTransaction, type StreamRun, type SyncDeps } from '../context.js';
import { wireField as field, walkListing } from '../keysetPager.js';

const STREAM = 'nib';
/** NIBs inquired per transaction. */
const CHUNK = 100;

/**
 * The nib stream: discovers NIBs (listNIB from the checkpoint date; the kemitraan stream queues partnership
 * parties; pushes and exports queue theirs), then drains the queue with inqueryNIB. A NIB leaves the queue in the
 * transaction that stores its answer, so the queue is this phase's checkpoint.
 */
export async function syncBusinesses(deps: SyncDeps, run: StreamRun): Promise<string | undefined> {
  const notes: string[] = [];
  const listNote = await discoverListedNibs(deps, run);
  if (listNote) notes.push(listNote);
  if (deps.signal?.aborted) return 'stopped by shutdown';
  const drainNote = await drainQueue(deps, run);
  if (drainNote) notes.push(drainNote);
  return notes.length ? notes.join('; ') : undefined;
}

async function discoverListedNibs(deps: SyncDeps, run: StreamRun): Promise<string | undefined> {
  const { config, db, oss } = deps;
  const checkpoint = await readCheckpoint(db, STREAM);
  // Day resolution, inclusive: the checkpoint day is listed again, which covers clock skew within the day.
  const since = run.full ? null : (checkpoint?.since ?? null);
  const runDay = toWibDate(run.startedAt);
  run.progress('listing NIBs');
  const pages = walkListing({
    since,
    pageSize: config.oss.pageSize,
    maxPageSize: config.oss.maxPageSize,
    fetchPage: async (s, halaman, pageSize) => {
      const res = await oss.listNib({ kdDaerah: config.oss.kdDaerah, since: s, page: halaman, pageSize });
      return { records: res.records, totalData: res.totalData, pageSize: res.pageSize };
    },
    tsOf: (r) => field(r, 'tgl_perubahan_nib'),
    idOf: (r) => field(r, 'nib'),
  });
  const ctx = { runId: run.runId, source: 'listNIB' };
  try {
    for await (const batch of pages) {
      run.counts.requests += batch.requests;
      const { valid, rejected } = validateListedNibs(batch.records);
      run.counts.rejected += rejected.length;
      await inTransaction(db, run.dryRun, async (trx) => {
        await enqueueListedNibs(
          trx,
          valid.map((v) => v.record),
        );
        await quarantineRejections(trx, 'listNIB', rejected, ctx, () => ({ method: 'listNIB' }));
        if (batch.cursor !== null) {
          await writeCheckpoint(trx, STREAM, { since: minWib(batch.cursor, runDay) }, run.runId);
        }
      });
      if (deps.signal?.aborted) break;
    }
  } catch (err) {
    // A deployment whose OSS has no regional list still works from parties, pushes and exports.
    if (err instanceof OssMethodMissingError) {
      return 'listNIB is not available on this OSS: NIBs come from partnerships, pushes and exports only';
    }
    throw err;
  }
  return undefined;
}

async function drainQueue(deps: SyncDeps, run: StreamRun): Promise<string | undefined> {
  const { db, oss } = deps;
  const ctx = { runId: run.runId, source: 'inqueryNIB' };
  // A keyset walk over the queue: a dry run rolls back its dequeues and failed NIBs stay queued for the next run,
  // so the walk (not the queue's emptiness) decides when the drain is done.
  let after: string | null = null;
  let failures = 0;
  const total = await queueSize(db);
  run.progress('inquiring NIBs', total);
  for (;;) {
    if (deps.signal?.aborted) return 'stopped by shutdown';
    const nibs = await nextQueuedNibs(db, CHUNK, after);
    if (nibs.length === 0) break;
    after = nibs.at(-1) ?? after;
    const answers = await Promise.allSettled(nibs.map((nib) => oss.inqueryNib(nib)));
    run.counts.requests += nibs.length;
    const found: unknown[] = [];
    const notFound: Array<{ nib: string; keterangan: string }> = [];
    for (const [i, answer] of answers.entries()) {
      const nib = nibs[i]!;
      if (answer.status === 'fulfilled') {
        if (answer.value.found) found.push(answer.value.data);
        else notFound.push({ nib, keterangan: answer.value.keterangan });
        continue;
      }
      const err = answer.reason;
      if (err instanceof OssAuthError || err instanceof OssUnavailableError) throw err;
      failures += 1;
      run.log.warn({ stream: STREAM, nib, err }, 'inqueryNIB failed for one NIB; it stays queued');
      if (!run.dryRun) await recordQueueFailure(db, nib, err instanceof Error ? err.message : String(err));
    }
    run.counts.fetched += found.length;
    const { valid, rejected } = validateBusinesses(found, { piiKey: deps.piiKey });
    run.counts.rejected += rejected.length;
    await inTransaction(db, run.dryRun, async (trx) => {
      addCounts(run.counts, await storeBusinesses(trx, valid, ctx));
      await quarantineRejections(trx, STREAM, rejected, ctx, () => ({ method: 'inqueryNIB' }));
      // A rejected NIB is kept in quarantine; asking again would return the same document.
      await dequeueNibs(
        trx,
        rejected.flatMap((r) => (r.entity_id ? [r.entity_id] : [])),
      );
      await recordNibsNotFound(trx, notFound, ctx);
    });
    run.progress('inquiring NIBs', total);
  }
  return failures ? `${failures} NIBs could not be read and stay queued for the next run` : undefined;
}
