import { minWib, toWibDate } from '../../domain/wib.js';
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
import { addCounts, type StreamRun, type SyncDeps } from '../context.js';
import { wireField as field, walkListing } from '../keysetPager.js';
import { SilenceWatch, sortAnswers } from '../lookups.js';

const STREAM = 'nib';
/** NIBs inquired per transaction. */
const CHUNK = 100;
/** Chunks in a row in which no NIB got any answer (each failed after its retries): OSS is then unreachable. */

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
      await run.transaction(async (trx) => {
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

/**
 * Inquires every queued NIB, a chunk at a time. Each chunk stores the answers it got, whatever happened to its other
 * NIBs: a NIB whose inquiry failed after its retries stays queued with its error for the next run, and the drain
 * goes on. A refused key stops it (after storing the chunk); so does an OSS that answers nothing at all, judged
 * unreachable after UNREACHABLE_CHUNKS chunks in a row without a single answer, or when no NIB of the drain got one.
 */
async function drainQueue(deps: SyncDeps, run: StreamRun): Promise<string | undefined> {
  const { db, oss } = deps;
  const ctx = { runId: run.runId, source: 'inqueryNIB' };
  // A keyset walk over the queue: a dry run rolls back its dequeues and failed NIBs stay queued for the next run,
  // so the walk (not the queue's emptiness) decides when the drain is done.
  let after: string | null = null;
  let failed = 0;
  const watch = new SilenceWatch('NIBs inquired', 'they stay queued for the next run');
  const total = await queueSize(db);
  run.progress('inquiring NIBs', total);
  for (;;) {
    if (deps.signal?.aborted) return 'stopped by shutdown';
    const nibs = await nextQueuedNibs(db, CHUNK, after);
    if (nibs.length === 0) break;
    after = nibs.at(-1) ?? after;
    const answers = await Promise.allSettled(nibs.map((nib) => oss.inqueryNib(nib)));
    run.counts.requests += nibs.length;
    const { found, notFound, failures, refused } = sortAnswers(nibs, answers, watch);
    failed += failures.length;
    if (failures.length > 0) {
      run.log.warn(
        { stream: STREAM, failed: failures.length, of: nibs.length, nib: failures[0]?.key, error: failures[0]?.error },
        'inqueryNIB failed for some NIBs; they stay queued',
      );
    }
    run.counts.fetched += found.length;
    const { valid, rejected } = validateBusinesses(found, { piiKey: deps.piiKey });
    run.counts.rejected += rejected.length;
    await run.transaction(async (trx) => {
      addCounts(run.counts, await storeBusinesses(trx, valid, ctx));
      await quarantineRejections(trx, STREAM, rejected, ctx, () => ({ method: 'inqueryNIB' }));
      // A rejected NIB is kept in quarantine; asking again would return the same document.
      await dequeueNibs(
        trx,
        rejected.flatMap((r) => (r.entity_id ? [r.entity_id] : [])),
      );
      await recordNibsNotFound(
        trx,
        notFound.map((n) => ({ nib: n.key, keterangan: n.keterangan })),
        ctx,
      );
      for (const f of failures) await recordQueueFailure(trx, f.key, f.error);
    });
    run.progress('inquiring NIBs', total);
    if (refused) throw refused;
    watch.checkChunk();
  }
  // A drain that asked and never got an answer has failed, however few chunks it had.
  watch.checkEnd();
  return failed ? `${failed} NIBs could not be read and stay queued for the next run` : undefined;
}
