/*
 * Incremental evaluation: what a change re-evaluates (the scope derived from the change log and the tables each rule
 * reads), time-based rules without any change, deleted rows, the resolve guard, idempotent re-evaluation, and the
 * change log the database writes. Each test seeds its own small world in a transaction and rolls it back.
 */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluatePending } from '../../src/verification/evaluate.js';
import { transitionFinding } from '../../src/verification/lifecycle.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

const NOW = new Date('2024-07-15T03:00:00Z');
const UB = '8120000000001';
const UB2 = '8120000000005';
const UMKM = '8120000000002';
const K1 = 'K-202401050930001230001';
const K2 = 'K-202402050930001230002';
const META = { content_hash: 'fixture', source: 'test' };

let t: TestDatabase;

const insert = (db: Knex, table: string, rows: Array<Record<string, unknown>>) =>
  db(table).insert(rows.map((r) => ({ ...META, ...r })));

const business = (nib: string, over: Record<string, unknown> = {}) => ({
  nib,
  nama_perseroan: `USAHA ${nib.slice(-2)}`,
  jenis_pelaku_usaha: '01',
  status_penanaman_modal: '02',
  skala_usaha: '02',
  flag_umk: 'Y',
  status_nib: '01',
  persen_pma: 0,
  npwp_hash: `npwp-${nib}`,
  perseroan_daerah_id: '3317142008',
  kd_dni: [],
  ...over,
});

const partnership = (id: string, over: Record<string, unknown> = {}) => ({
  id_kemitraan: id,
  nib_ub: UB,
  nama_ub: 'USAHA 01',
  nib_umkm: UMKM,
  nama_umkm: 'USAHA 02',
  skala_usaha_umkm: '02',
  pola_kemitraan: '02',
  nilai_kemitraan: 100_000_000,
  status_kemitraan: '05',
  tgl_mulai: '2024-01-10',
  tgl_berakhir: '2024-06-30',
  kd_daerah_pelaksanaan: '3317142008',
  kd_kecamatan: '331714',
  tgl_perubahan: '2024-01-05T02:30:00.000Z',
  ...over,
});

async function seed(db: Knex): Promise<void> {
  await insert(db, 'pelaku_usaha', [
    business(UB, { skala_usaha: '04', flag_umk: 'N' }),
    business(UB2, { skala_usaha: '04', flag_umk: 'N' }),
    business(UMKM),
  ]);
  await insert(db, 'kemitraan', [partnership(K1)]);
}

class Rollback extends Error {}

async function inWorld(fn: (db: Knex) => Promise<void>): Promise<void> {
  try {
    await t.db.transaction(async (trx) => {
      await seed(trx);
      await fn(trx);
      throw new Rollback();
    });
  } catch (err) {
    if (!(err instanceof Rollback)) throw err;
  }
}

/** evaluatePending: what changed since the last evaluation, or everything with 'all'. */
const evaluate = (db: Knex, scope: 'all' | 'pending', opts: { now?: Date; force?: boolean; runId?: number } = {}) =>
  evaluatePending(db, {
    runId: opts.runId ?? null,
    now: opts.now ?? NOW,
    kdDaerah: '3317',
    all: scope === 'all',
    force: opts.force === true,
  });

/** A write the change log does not see (triggers off for it): outside every logged change's reach. */
async function unlogged(db: Knex, write: () => Promise<unknown>): Promise<void> {
  await db.raw('set local session_replication_role = replica');
  await write();
  await db.raw('set local session_replication_role = origin');
}

const statuses = async (db: Knex, rule: string) =>
  Object.fromEntries(
    (await db('findings').where({ rule_code: rule }).select('entity_id', 'status')).map((r) => [r.entity_id, r.status]),
  );

beforeAll(async () => {
  t = await createTestDatabase('rules_scope');
});
afterAll(async () => {
  await t?.drop();
});

describe('incremental evaluation', () => {
  it('a changed NIB re-evaluates the partnerships that reference it, and only the scope is evaluated', async () => {
    await inWorld(async (db) => {
      await evaluate(db, 'all');
      await unlogged(db, () => db('pelaku_usaha').where({ nib: UMKM }).update({ skala_usaha: '04' }));
      // A scope that does not reach the UMKM leaves its partnership alone.
      await db('pelaku_usaha').where({ nib: UB2 }).update({ nama_perseroan: 'USAHA 05 BARU' });
      const other = await evaluate(db, 'pending');
      expect(other.counts.PARTNER_NOT_UMKM?.new).toBe(0);
      await db('pelaku_usaha').where({ nib: UMKM }).update({ flag_umk: 'N' });
      const r = await evaluate(db, 'pending');
      expect(r.scopeSizes).toMatchObject({ kemitraan: 1, pelaku_usaha: 2 });
      expect(await statuses(db, 'PARTNER_NOT_UMKM')).toEqual({ [K1]: 'open' });
    });
  });

  it("resolves a peer's finding when the change breaks the link (NPWP peers, duplicate partnerships)", async () => {
    await inWorld(async (db) => {
      await db('pelaku_usaha')
        .where({ nib: UB2 })
        .update({ npwp_hash: `npwp-${UB}` });
      await insert(db, 'kemitraan', [partnership(K2, { tgl_mulai: '2024-03-01', tgl_berakhir: '2024-12-31' })]);
      await evaluate(db, 'all');
      expect(await statuses(db, 'NPWP_MULTI_NIB')).toEqual({ [UB]: 'open', [UB2]: 'open' });
      expect(await statuses(db, 'DUPLICATE_PARTNERSHIP')).toEqual({ [K1]: 'open', [K2]: 'open' });

      await db('pelaku_usaha').where({ nib: UB2 }).update({ npwp_hash: 'npwp-new' });
      await db('kemitraan').where({ id_kemitraan: K2 }).update({ pola_kemitraan: '06' });
      await evaluate(db, 'pending');
      expect(await statuses(db, 'NPWP_MULTI_NIB')).toEqual({ [UB]: 'resolved', [UB2]: 'resolved' });
      expect(await statuses(db, 'DUPLICATE_PARTNERSHIP')).toEqual({ [K1]: 'resolved', [K2]: 'resolved' });
    });
  });

  it('re-evaluates the previous UB of a partnership (its required partnership may now be missing)', async () => {
    await inWorld(async (db) => {
      await db('pelaku_usaha')
        .where({ nib: UB })
        .update({ kd_dni: ['65'] });
      await db('kemitraan').where({ id_kemitraan: K1 }).update({ status_kemitraan: '03', tgl_berakhir: '2025-06-30' });
      await evaluate(db, 'all');
      expect(await statuses(db, 'REQUIRED_PARTNERSHIP_MISSING')).toEqual({});
      // The agreement moves to another UB; the store records the old value in change_history.
      await db('kemitraan').where({ id_kemitraan: K1 }).update({ nib_ub: UB2 });
      await db('change_history').insert({
        entity_type: 'kemitraan',
        entity_id: K1,
        field: 'nib_ub',
        old_value: JSON.stringify(UB),
        new_value: JSON.stringify(UB2),
      });
      // REQUIRED_PARTNERSHIP_MISSING is time-based (12-month grace), so it is evaluated region-wide anyway;
      // the scope must still contain the old UB for the data rules that read it.
      const r = await evaluate(db, 'pending');
      expect(r.scopeSizes).toMatchObject({ pelaku_usaha: 2 });
      expect(await statuses(db, 'REQUIRED_PARTNERSHIP_MISSING')).toEqual({ [UB]: 'open' });
    });
  });

  it('time-based rules fire and resolve as days pass, with nothing changed', async () => {
    await inWorld(async (db) => {
      await db('kemitraan').where({ id_kemitraan: K1 }).update({ status_kemitraan: '03', tgl_berakhir: '2024-07-20' });
      await evaluate(db, 'all');
      expect(await statuses(db, 'EXPIRED_STILL_ACTIVE')).toEqual({});
      const later = new Date('2024-07-25T03:00:00Z');
      expect((await evaluate(db, 'pending', { now: later })).counts.EXPIRED_STILL_ACTIVE?.new).toBe(1);
      // OSS extends the agreement: the next (empty) evaluation resolves it.
      await db('kemitraan').where({ id_kemitraan: K1 }).update({ tgl_berakhir: '2024-12-31' });
      expect((await evaluate(db, 'pending', { now: later })).counts.EXPIRED_STILL_ACTIVE?.resolved).toBe(1);
    });
  });

  it('resolves the findings of deleted rows, but never auto-resolves a dismissed finding', async () => {
    await inWorld(async (db) => {
      await db('kemitraan').where({ id_kemitraan: K1 }).update({ nilai_kemitraan: 0 });
      await insert(db, 'kemitraan', [partnership(K2, { nilai_kemitraan: 0, pola_kemitraan: '06' })]);
      await evaluate(db, 'all');
      const k2 = await db('findings').where({ rule_code: 'VALUE_IMPLAUSIBLE', entity_id: K2 }).first('id');
      await transitionFinding(db, Number(k2.id), { to: 'in_review', by: 'Agus' });
      await transitionFinding(db, Number(k2.id), { to: 'dismissed', by: 'Agus', note: 'nilai diisi kemudian' });
      await db('kemitraan').whereIn('id_kemitraan', [K1, K2]).update({ deleted_at: db.fn.now() });
      await evaluate(db, 'pending');
      expect(await statuses(db, 'VALUE_IMPLAUSIBLE')).toEqual({ [K1]: 'resolved', [K2]: 'dismissed' });
    });
  });

  it('re-evaluating unchanged data writes no event and duplicates nothing', async () => {
    await inWorld(async (db) => {
      await db('pelaku_usaha').where({ nib: UMKM }).update({ skala_usaha: '04', flag_umk: 'N' });
      await evaluate(db, 'all');
      const before = await db('findings')
        .orderBy('id')
        .select('id', 'rule_code', 'entity_id', 'status', 'evidence_hash');
      const events = await db('finding_events').count({ n: '*' });
      const again = await evaluate(db, 'all');
      expect(Object.values(again.counts).every((c) => c.new + c.resolved + c.reopened === 0)).toBe(true);
      expect(
        await db('findings').orderBy('id').select('id', 'rule_code', 'entity_id', 'status', 'evidence_hash'),
      ).toEqual(before);
      expect(await db('finding_events').count({ n: '*' })).toEqual(events);
    });
  });

  it('the resolve guard refuses to resolve an implausible share at once, unless forced', async () => {
    await inWorld(async (db) => {
      const ids = Array.from({ length: 60 }, (_, i) => `K-2024020509300012300${String(i + 10).padStart(2, '0')}`);
      await insert(
        db,
        'kemitraan',
        ids.map((id, i) =>
          partnership(id, { nilai_kemitraan: 0, nib_umkm: `81200000010${String(i).padStart(2, '0')}` }),
        ),
      );
      await evaluate(db, 'all');
      expect(Object.keys(await statuses(db, 'VALUE_IMPLAUSIBLE'))).toHaveLength(60);
      await db('kemitraan').whereIn('id_kemitraan', ids).update({ nilai_kemitraan: 5_000_000 });
      const guarded = await evaluate(db, 'all');
      expect(guarded.guard).toMatchObject({ blocked: true, wouldResolve: 60, active: 60 });
      expect(guarded.counts.VALUE_IMPLAUSIBLE).toMatchObject({ resolved: 0, open: 60 });
      const forced = await evaluate(db, 'all', { force: true });
      expect(forced.guard.blocked).toBe(false);
      expect(forced.counts.VALUE_IMPLAUSIBLE).toMatchObject({ resolved: 60, open: 0 });
    });
  });

  it('evaluatePending covers what was written, from the change log the database keeps', async () => {
    await inWorld(async (db) => {
      await evaluate(db, 'all');
      const [run] = await db('sync_runs').insert({ trigger: 'manual', status: 'succeeded' }).returning('id');
      const runId = Number(run.id);
      await db('kemitraan').where({ id_kemitraan: K1 }).update({ nilai_kemitraan: 0, last_run_id: runId });
      await insert(db, 'perizinan', [{ id_izin: 'I-1', nib: UB2, last_run_id: runId }]);
      await db('nib_not_found').insert({ nib: '8129999999999', run_id: runId });
      const logged = await db('entity_changes').orderBy('seq').select('tbl', 'keys');
      // The old and new versions of K1 carry the same keys: one entry.
      expect(logged.map((e) => e.tbl)).toEqual(['kemitraan', 'perizinan', 'nib_not_found']);
      expect(logged[0]?.keys).toMatchObject({ id_kemitraan: K1, nib_ub: UB, nib_umkm: UMKM, pola: '02' });
      const r = await evaluate(db, 'pending', { runId });
      expect(r.changes).toBe(3);
      expect(r.scopeSizes).toMatchObject({ kemitraan: 1, perizinan: 1 });
      expect(await statuses(db, 'VALUE_IMPLAUSIBLE')).toEqual({ [K1]: 'open' });
      expect(Number((await db('entity_changes').count({ n: '*' }))[0]?.n)).toBe(0);
    });
  });
  it('evaluates each rule only for what the tables it reads reach', async () => {
    await inWorld(async (db) => {
      await insert(db, 'kemitraan', [partnership(K2, { pola_kemitraan: '06' })]);
      await evaluate(db, 'all');
      await db('pelaku_usaha').where({ nib: UMKM }).update({ skala_usaha: '04', flag_umk: 'N' });
      const r = await evaluate(db, 'pending');
      // Rules reading the business see both of its agreements; rules reading only kemitraan see none of them.
      expect(r.scopeByRule).toMatchObject({
        PARTNER_NOT_UMKM: 2,
        UB_NOT_LARGE: 2,
        KBLI_INVALID: 0,
        PATTERN_KBLI_MISMATCH: 0,
        DUPLICATE_PARTNERSHIP: 0,
        NPWP_FORMAT: 2,
        EXPIRED_STILL_ACTIVE: 'all',
      });
      expect(await statuses(db, 'PARTNER_NOT_UMKM')).toEqual({ [K1]: 'open', [K2]: 'open' });
    });
  });

  it('goes region-wide above the incremental limit, and consumes what it saw', async () => {
    await inWorld(async (db) => {
      await evaluate(db, 'all');
      await db('kemitraan').where({ id_kemitraan: K1 }).update({ nilai_kemitraan: 0 });
      await db('pelaku_usaha').whereIn('nib', [UB, UB2]).update({ flag_umk: 'Y' });
      const r = await evaluatePending(db, { runId: null, now: NOW, kdDaerah: '3317', maxIncremental: 2 });
      expect(r).toMatchObject({ scopeSizes: 'all', changes: 3 });
      expect(await statuses(db, 'VALUE_IMPLAUSIBLE')).toEqual({ [K1]: 'open' });
      expect(await statuses(db, 'FLAG_UMK_VS_SCALE')).toEqual({ [UB]: 'open', [UB2]: 'open' });
      expect(Number((await db('entity_changes').count({ n: '*' }))[0]?.n)).toBe(0);
    });
  });
});
