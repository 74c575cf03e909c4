import type { Knex } from 'knex';
import type { Business, LicenceStatus, ListedNib } from '../domain/records.js';
import { contentHash, type MergeCounts, markMissingChildrenDeleted, mergeRows, type WriteContext } from './merge.js';
import { resolveQuarantined } from './quarantine.js';
import {
  PELAKU_USAHA,
  PEMEGANG_SAHAM,
  PENANGGUNG_JAWAB,
  PERIZINAN,
  PROYEK,
  PROYEK_LOKASI,
  PROYEK_PRODUK,
  type TableSpec,
} from './tables.js';

/**
 * Stores validated NIB documents: the pelaku_usaha row and, for new or changed NIBs, its shareholders, persons in
 * charge, projects with locations and products, and licences (children missing from the new document are marked
 * deleted). The stored NIBs leave the queue in the same transaction.
 */
export async function storeBusinesses(
  trx: Knex.Transaction,
  items: ReadonlyArray<{ record: Business; raw: unknown }>,
  ctx: WriteContext,
): Promise<MergeCounts & { changedNibs: string[] }> {
  const raws = new Map(items.map((i) => [i.record.nib, i.raw]));
  const records = items.map((i) => i.record);
  const merged = await mergeRows(trx, PELAKU_USAHA, records, ctx, {
    hashOf: (r) => contentHash(r),
    rawOf: (r) => raws.get(r.nib),
  });
  const changed = new Set(merged.changedKeys);
  const fresh = records.filter((r) => changed.has(r.nib));
  if (fresh.length > 0) {
    // Projects and licences carry their own ids, which an export or a push may have stored before the NIB: always
    // merged, never blindly inserted.
    const projects = fresh.flatMap((b) => b.projects);
    const children: Array<[TableSpec<never>, unknown[]]> = [
      [PEMEGANG_SAHAM as TableSpec<never>, fresh.flatMap((b) => b.shareholders)],
      [PENANGGUNG_JAWAB as TableSpec<never>, fresh.flatMap((b) => b.persons)],
      [PROYEK as TableSpec<never>, projects],
      [PROYEK_LOKASI as TableSpec<never>, projects.flatMap((p) => p.locations)],
      [PROYEK_PRODUK as TableSpec<never>, projects.flatMap((p) => p.products)],
      [PERIZINAN as TableSpec<never>, fresh.flatMap((b) => b.licences)],
    ];
    for (const [spec, rows] of children) {
      await mergeRows(trx, spec, rows as never[], ctx);
      await markMissingChildrenDeleted(trx, spec, 'nib', merged.updatedKeys, rows as never[], ctx);
    }
  }
  const all = records.map((r) => r.nib);
  await resolveQuarantined(trx, 'nib', all, ctx);
  await dequeueNibs(trx, all);
  await trx('nib_not_found').whereIn('nib', all).delete();
  return { ...merged, changedNibs: merged.changedKeys };
}

/** Queues listed NIBs that are new, or changed since they were stored. Returns how many were queued. */
export async function enqueueListedNibs(trx: Knex.Transaction, listed: readonly ListedNib[]): Promise<number> {
  if (listed.length === 0) return 0;
  const r = await trx.raw(
    `insert into nib_queue (nib, reason)
     select l.nib, 'listNIB' from json_to_recordset(?::json) as l(nib text, tgl_perubahan_nib date)
      where l.nib ~ '^[0-9]{13}$'
        and not exists (select 1 from pelaku_usaha p where p.nib = l.nib and p.tgl_perubahan_nib >= l.tgl_perubahan_nib)
     on conflict (nib) do nothing`,
    [JSON.stringify(listed.map((l) => ({ nib: l.nib, tgl_perubahan_nib: l.tgl_perubahan_nib })))],
  );
  return r.rowCount ?? 0;
}

/** Queues NIBs from other channels (pushes, exports) unless already stored with an equal or newer change date. */
export async function enqueueNibs(
  db: Knex | Knex.Transaction,
  nibs: readonly string[],
  reason: string,
): Promise<number> {
  if (nibs.length === 0) return 0;
  const r = await db.raw(
    `insert into nib_queue (nib, reason) select distinct n, ? from unnest(?::text[]) n
      where n ~ '^[0-9]{13}$' on conflict (nib) do nothing`,
    [reason, [...nibs]],
  );
  return r.rowCount ?? 0;
}

/** The next queued NIBs after `afterNib` (keyset order): a drain visits each once, even those that stay queued. */
export async function nextQueuedNibs(db: Knex, limit: number, afterNib: string | null): Promise<string[]> {
  const q = db('nib_queue').orderBy('nib').limit(limit);
  if (afterNib !== null) q.where('nib', '>', afterNib);
  return q.pluck('nib');
}

export async function queueSize(db: Knex): Promise<number> {
  const r = await db('nib_queue').count<{ n: string }[]>({ n: '*' });
  return Number(r[0]?.n ?? 0);
}

export async function dequeueNibs(trx: Knex.Transaction, nibs: readonly string[]): Promise<void> {
  if (nibs.length)
    await trx('nib_queue')
      .whereIn('nib', [...nibs])
      .delete();
}

/** Records NIBs OSS does not know ("Data NIB tidak ditemukan") and takes them off the queue. */
export async function recordNibsNotFound(
  trx: Knex.Transaction,
  items: ReadonlyArray<{ nib: string; keterangan: string }>,
  ctx: WriteContext,
): Promise<void> {
  if (items.length === 0) return;
  await trx.raw(
    `insert into nib_not_found (nib, keterangan, run_id)
     select nib, keterangan, ? from json_to_recordset(?::json) as x(nib text, keterangan text)
     on conflict (nib) do update set last_checked_at = now(), keterangan = excluded.keterangan, run_id = excluded.run_id`,
    [ctx.runId, JSON.stringify(items)],
  );
  await dequeueNibs(
    trx,
    items.map((i) => i.nib),
  );
}

/** Keeps the error of a NIB whose inquiry failed, so `status` shows it and the next run retries it. */
export async function recordQueueFailure(db: Knex, nib: string, error: string): Promise<void> {
  await db('nib_queue')
    .where({ nib })
    .update({ attempts: db.raw('attempts + 1'), last_error: error.slice(0, 500) });
}

/** Licences the izin stream polls: not deleted and not in a final status. */
export async function licencesToPoll(db: Knex, finalStatuses: readonly string[]): Promise<string[]> {
  return db('perizinan')
    .whereNull('deleted_at')
    .where((q) => q.whereNull('kd_status').orWhereNotIn('kd_status', [...finalStatuses]))
    .orderBy('id_izin')
    .pluck('id_izin');
}

/** Applies checkLicenseStatus answers: only changed statuses are written, each with its history. */
export async function storeLicenceStatuses(
  trx: Knex.Transaction,
  statuses: readonly LicenceStatus[],
  ctx: WriteContext,
): Promise<MergeCounts> {
  if (statuses.length === 0) return { inserted: 0, updated: 0, unchanged: 0 };
  const r = await trx.raw(
    `with s as (
       select * from json_to_recordset(?::json) as s(id_izin text, kd_status text, uraian_status text)
     ), changed as (
       select s.*, t.kd_status as old_kd_status, t.uraian_status as old_uraian_status
         from s join perizinan t using (id_izin)
        where (t.kd_status, t.uraian_status) is distinct from (s.kd_status, s.uraian_status)
     ), hist as (
       insert into change_history (entity_type, entity_id, field, old_value, new_value, run_id)
       select 'perizinan', id_izin, f.field, f.old_value, f.new_value, ? from changed
        cross join lateral (values ('kd_status', to_jsonb(old_kd_status), to_jsonb(kd_status)),
                                   ('uraian_status', to_jsonb(old_uraian_status), to_jsonb(uraian_status))) f(field, old_value, new_value)
        where f.old_value is distinct from f.new_value
     ), up as (
       update perizinan t set kd_status = c.kd_status, uraian_status = c.uraian_status, status_checked_at = now(),
              source = ?, last_run_id = ?, updated_at = now()
         from changed c where t.id_izin = c.id_izin
       returning 1
     )
     select (select count(*) from up)::int as updated`,
    [
      JSON.stringify(
        statuses.map((s) => ({ id_izin: s.id_izin, kd_status: s.kd_status, uraian_status: s.uraian_status })),
      ),
      ctx.runId,
      ctx.source,
      ctx.runId,
    ],
  );
  const updated = r.rows[0].updated as number;
  await resolveQuarantined(
    trx,
    'izin',
    statuses.map((s) => s.id_izin),
    ctx,
  );
  return { inserted: 0, updated, unchanged: statuses.length - updated };
}
