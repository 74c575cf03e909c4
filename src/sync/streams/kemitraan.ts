import { minWib, toWibDateTime, wibMinusMinutes } from '../../domain/wib.js';
import { DeleteGuardError } from '../../errors.js';
import { readCheckpoint, writeCheckpoint } from '../../store/checkpoints.js';
import {
  clearSeen,
  countSeen,
  countUnseenPartnerships,
  markSeen,
  markUnseenPartnershipsDeleted,
  storePartnerships,
} from '../../store/partnerships.js';
import { type QuarantineLocation, quarantineRejections } from '../../store/quarantine.js';
import { analyzeStale } from '../../store/statistics.js';
import { KEMITRAAN } from '../../store/tables.js';
import { recordWireHashes } from '../../store/wireHashes.js';
import { addCounts, type StreamRun, type SyncDeps } from '../context.js';
import { wireField as field, walkListing } from '../keysetPager.js';
import { type Listed, skipUnchanged, validateListed, wireSeed } from '../wireSkip.js';

const STREAM = 'kemitraan';
/** Records stored per transaction: several OSS pages, so a commit costs little per record. */
const BATCH_RECORDS = 2_000;
/** The tables a batch's lookups read. */
const LOOKED_UP = ['kemitraan', 'kemitraan_realisasi', 'wire_hashes', 'pelaku_usaha', 'nib_not_found'];
/** The fields the keyset pager reads of a record that is not parsed yet. */
const PAGER_FIELDS = ['id_kemitraan', 'tgl_perubahan'] as const;

/**
 * The kemitraan stream: walks listKemitraan from the checkpoint (minus a lookback), stores each batch with its
 * checkpoint in one transaction, and after a complete, clean full listing marks vanished agreements deleted.
 */
export async function syncPartnerships(deps: SyncDeps, run: StreamRun): Promise<string | undefined> {
  const { config, db, oss } = deps;
  const checkpoint = await readCheckpoint(db, STREAM);
  const runStart = toWibDateTime(run.startedAt);
  const since = run.full || !checkpoint?.since ? null : wibMinusMinutes(checkpoint.since, config.sync.lookbackMinutes);
  run.log.info({ stream: STREAM, since, full: run.full, checkpoint: checkpoint?.since ?? null }, 'stream started');

  const ctx = { runId: run.runId, source: 'listKemitraan' };
  // The latest request, to say where a rejected record came from.
  let request: QuarantineLocation = {};
  let totalData = 0;
  // Records of a full listing that carry no id: they count toward its completeness, but protect no stored agreement.
  let withoutId = 0;
  // Records wait for their batch as listed (mostly unparsed); the batch skips the unchanged ones, then parses,
  // validates and stores the rest.
  let buffer: Listed[] = [];
  let cursor: string | null = since;
  const seed = wireSeed(STREAM, deps.piiKey);

  const flush = async (nextCursor: string | null) => {
    const items = buffer;
    buffer = [];
    await run.transaction(async (trx) => {
      // A first load's lookups must not be planned on the statistics of empty tables (doubling: a few analyzes).
      await analyzeStale(trx, LOOKED_UP, 1);
      const sorted = await skipUnchanged(trx, KEMITRAAN, items, seed, (r) => field(r, 'id_kemitraan'));
      const { valid, rejected, rejectedAt: locations, wireHashes } = validateListed(sorted.rest, deps.piiKey);
      run.counts.rejected += rejected.length;
      withoutId += rejected.filter((r) => !r.entity_id).length;
      const stored = await storePartnerships(trx, valid, ctx, sorted.unchanged);
      addCounts(run.counts, stored);
      await recordWireHashes(trx, KEMITRAAN, wireHashes);
      await quarantineRejections(trx, STREAM, rejected, ctx, (_r, i) => locations[i] ?? {});
      if (run.full) {
        const ids = [
          ...sorted.unchanged,
          ...valid.map((v) => v.record.id_kemitraan),
          ...rejected.flatMap((r) => (r.entity_id ? [r.entity_id] : [])),
        ];
        await markSeen(trx, run.runId, STREAM, ids);
      }
      // Never past the run's start: OSS may still stamp records with the current second.
      if (nextCursor !== null) await writeCheckpoint(trx, STREAM, { since: minWib(nextCursor, runStart) }, run.runId);
    });
  };

  const pages = walkListing({
    since,
    pageSize: config.oss.pageSize,
    maxPageSize: config.oss.maxPageSize,
    fetchPage: async (s, halaman, pageSize) => {
      request = { method: 'listKemitraan', tgl_perubahan_mulai: s, halaman, jumlah_per_halaman: pageSize };
      const res = await oss.listKemitraan({
        kdDaerah: config.oss.kdDaerah,
        since: s,
        page: halaman,
        pageSize,
        unparsedWith: PAGER_FIELDS,
      });
      return { records: res.records, totalData: res.totalData, pageSize: res.pageSize };
    },
    tsOf: (r) => field(r, 'tgl_perubahan'),
    idOf: (r) => field(r, 'id_kemitraan'),
  });

  // One batch is stored while the next is fetched and validated: OSS and Postgres work at the same time.
  let storing: Promise<void> = Promise.resolve();
  let storeError: unknown = null;
  const storeInBackground = async (nextCursor: string | null) => {
    await storing;
    if (storeError) throw storeError;
    storing = flush(nextCursor).catch((err: unknown) => {
      storeError = err;
    });
  };
  for await (const batch of pages) {
    if (storeError) break;
    run.counts.requests += batch.requests;
    run.counts.fetched += batch.records.length;
    totalData = batch.totalData;
    for (const record of batch.records) buffer.push({ record, at: request });
    cursor = batch.cursor;
    if (buffer.length >= BATCH_RECORDS) await storeInBackground(cursor);
    run.progress('listing', run.full ? totalData : undefined);
    if (deps.signal?.aborted) break;
  }
  await storing;
  if (storeError) throw storeError;
  await flush(cursor);
  if (deps.signal?.aborted) return 'stopped by shutdown after committing its last batch';

  if (run.full) {
    try {
      return await markVanished(deps, run, totalData, withoutId);
    } finally {
      await clearSeen(db, run.runId);
    }
  }
  return undefined;
}

/**
 * After a full listing read to its end: soft-delete agreements it no longer holds, unless that is implausibly many.
 * The listing is complete when the records it returned (with an id, or without one) reach the total OSS announced;
 * a record with an id, valid or not, protects that agreement; one without an id protects nothing.
 */
async function markVanished(
  deps: SyncDeps,
  run: StreamRun,
  totalData: number,
  withoutId: number,
): Promise<string | undefined> {
  const { db, config } = deps;
  if (run.dryRun) return 'dry run: deletions are not computed';
  const seen = await countSeen(db, run.runId, STREAM);
  const judged = `listing read to its end: ${seen} records with an id${withoutId ? ` and ${withoutId} without one` : ''} of ${totalData} announced`;
  if (seen + withoutId < totalData) return `${judged}; incomplete, so no agreement was marked deleted`;
  const { unseen, active } = await countUnseenPartnerships(db, run.runId);
  if (unseen === 0) return `${judged}; complete, no agreement withdrawn`;
  const share = unseen / Math.max(active, 1);
  if (share > config.sync.deleteGuardRatio) {
    throw new DeleteGuardError(
      `delete guard: the complete listing lacks ${unseen} of ${active} stored agreements (${(share * 100).toFixed(1)}% > ` +
        `${(config.sync.deleteGuardRatio * 100).toFixed(1)}%); none were marked deleted. If OSS really withdrew them, ` +
        `rerun with a higher DELETE_GUARD_RATIO (e.g. ${Math.min(1, Math.ceil(share * 10) / 10)}).`,
    );
  }
  const deleted = await run.transaction((trx) =>
    markUnseenPartnershipsDeleted(trx, { runId: run.runId, source: 'listKemitraan' }),
  );
  run.counts.deleted += deleted.length;
  run.log.info({ stream: STREAM, deleted: deleted.length }, 'withdrawn agreements marked deleted');
  return `${judged}; complete, ${deleted.length} withdrawn agreements marked deleted`;
}
