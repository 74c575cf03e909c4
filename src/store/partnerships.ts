import type { Knex } from 'knex';
import type { Partnership, PartnershipRealisation } from '../domain/records.js';
import {
  contentHash,
  insertNewRows,
  type MergeCounts,
  markMissingChildrenDeleted,
  mergeRows,
  type WriteContext,
} from './merge.js';
import { resolveQuarantined } from './quarantine.js';
import { KEMITRAAN, KEMITRAAN_REALISASI } from './tables.js';

export interface StoredPage extends MergeCounts {
  changedIds: string[];
}

/**
 * Stores validated partnerships with their realisation rows. Unchanged agreements (same content hash, children
 * included) are not touched; the NIBs of new or changed agreements' parties are queued for inqueryNIB.
 * `unchangedIds`: agreements the caller already knows unchanged (their wire text was stored before); they count as
 * unchanged and, like every agreement seen valid, resolve their quarantined versions.
 */
export async function storePartnerships(
  trx: Knex.Transaction,
  items: ReadonlyArray<{ record: Partnership; raw: unknown }>,
  ctx: WriteContext,
  unchangedIds: readonly string[] = [],
): Promise<StoredPage> {
  const raws = new Map(items.map((i) => [i.record.id_kemitraan, i.raw]));
  const records = items.map((i) => i.record);
  const merged = await mergeRows(trx, KEMITRAAN, records, ctx, {
    hashOf: (r) => contentHash(r),
    rawOf: (r) => raws.get(r.id_kemitraan),
  });
  if (merged.changedKeys.length > 0) {
    // Realisation keys start with id_kemitraan, so under a new agreement none can exist yet: a plain insert.
    // Those of changed agreements are merged.
    const updated = new Set(merged.updatedKeys);
    const changed = new Set(merged.changedKeys);
    const ofNew: PartnershipRealisation[] = [];
    const ofUpdated: PartnershipRealisation[] = [];
    for (const r of records) {
      if (!changed.has(r.id_kemitraan)) continue;
      (updated.has(r.id_kemitraan) ? ofUpdated : ofNew).push(...r.realisasi);
    }
    await insertNewRows(trx, KEMITRAAN_REALISASI, ofNew, ctx);
    await mergeRows(trx, KEMITRAAN_REALISASI, ofUpdated, ctx);
    await markMissingChildrenDeleted(trx, KEMITRAAN_REALISASI, 'id_kemitraan', merged.updatedKeys, ofUpdated, ctx);
    await enqueuePartyNibs(trx, merged.changedKeys);
  }
  await resolveQuarantined(trx, 'kemitraan', [...unchangedIds, ...records.map((r) => r.id_kemitraan)], ctx);
  return { ...merged, unchanged: merged.unchanged + unchangedIds.length, changedIds: merged.changedKeys };
}

/** Queues well-formed party NIBs that are neither stored nor known to be missing in OSS. */
async function enqueuePartyNibs(trx: Knex.Transaction, idKemitraan: readonly string[]): Promise<void> {
  await trx.raw(
    `insert into nib_queue (nib, reason)
     select distinct v.nib, 'kemitraan party'
       from kemitraan k cross join lateral (values (k.nib_ub), (k.nib_umkm)) v(nib)
      where k.id_kemitraan = any(?::text[]) and v.nib ~ '^[0-9]{13}$'
        and not exists (select 1 from pelaku_usaha p where p.nib = v.nib)
        and not exists (select 1 from nib_not_found f where f.nib = v.nib)
     on conflict (nib) do nothing`,
    [[...idKemitraan]],
  );
}

/** Records the ids a complete listing saw (full runs only), for deleted-record detection at its end. */
export async function markSeen(
  trx: Knex.Transaction,
  runId: number,
  entityType: string,
  ids: readonly string[],
): Promise<void> {
  if (ids.length === 0) return;
  await trx.raw(
    `insert into sync_seen (run_id, entity_type, entity_id) select ?, ?, unnest(?::text[]) on conflict do nothing`,
    [runId, entityType, [...ids]],
  );
}

/** How many distinct ids a full listing has seen so far. */
export async function countSeen(db: Knex, runId: number, entityType: string): Promise<number> {
  const [r] = await db('sync_seen').where({ run_id: runId, entity_type: entityType }).count({ n: '*' });
  return Number(r?.n ?? 0);
}

/** How many active partnerships a complete listing did not see, out of how many active ones. */
export async function countUnseenPartnerships(db: Knex, runId: number): Promise<{ unseen: number; active: number }> {
  // The seen set was just filled: without fresh statistics the planner takes it for empty and nested-loops over it.
  await db.raw('analyze sync_seen');
  const r = await db.raw(
    `select count(*) filter (where s.entity_id is null)::int as unseen, count(*)::int as active
       from kemitraan k left join sync_seen s on s.run_id = ? and s.entity_type = 'kemitraan' and s.entity_id = k.id_kemitraan
      where k.deleted_at is null`,
    [runId],
  );
  return r.rows[0];
}

/** Soft-deletes active partnerships the complete listing did not see, with a history row each. */
export async function markUnseenPartnershipsDeleted(trx: Knex.Transaction, ctx: WriteContext): Promise<string[]> {
  const r = await trx.raw(
    `with gone as (
       update kemitraan k set deleted_at = now(), deleted_run_id = ?, last_run_id = ?
        where k.deleted_at is null
          and not exists (select 1 from sync_seen s where s.run_id = ? and s.entity_type = 'kemitraan' and s.entity_id = k.id_kemitraan)
       returning k.id_kemitraan, k.deleted_at
     ), hist as (
       insert into change_history (entity_type, entity_id, field, old_value, new_value, run_id)
       select 'kemitraan', id_kemitraan, 'deleted_at', 'null'::jsonb, to_jsonb(deleted_at), ? from gone
     )
     select coalesce(array_agg(id_kemitraan), '{}') as ids from gone`,
    [ctx.runId, ctx.runId, ctx.runId, ctx.runId],
  );
  return r.rows[0].ids;
}

export async function clearSeen(db: Knex, runId: number): Promise<void> {
  await db('sync_seen').where({ run_id: runId }).delete();
}
