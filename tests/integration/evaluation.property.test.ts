/*
 * Property: after any sequence of changes to the stored world, the findings an incremental evaluation
 * (evaluatePending) leaves are those a full evaluation would leave: same (rule, entity, status, evidence hash,
 * placement). The world is the simulator's 'tiny' Rembang, stored through the store functions the sync uses; the
 * changes are the simulator's own (mutate: partnerships, NIB documents, licence statuses, fixed and changed planted
 * cases, withdrawals, written back through storePartnerships, storeBusinesses, storeLicenceStatuses and the
 * soft delete of a complete listing) and direct edits that flip a rule (a KBLI, a scale, a NIB status, a moved
 * partner, a deleted partnership, a shared NPWP or identity, realisations zeroed, a licence deleted or moved to
 * another project, a NIB found or not found). Each run starts from the committed base world inside a transaction that is rolled back; the full
 * evaluation runs in a savepoint that is rolled back too.
 */
import fc from 'fast-check';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Business, LicenceStatus, Partnership } from '../../src/domain/records.js';
import { createLogger } from '../../src/logger.js';
import { generateWorld, type SimulatorWorld } from '../../src/simulator/index.js';
import { recordNibsNotFound, storeBusinesses, storeLicenceStatuses } from '../../src/store/businesses.js';
import { insertInboxItem } from '../../src/store/inbox.js';
import { markSeen, markUnseenPartnershipsDeleted, storePartnerships } from '../../src/store/partnerships.js';
import { applyPushBatch } from '../../src/sync/streams/push.js';
import { validateBusinesses, validateLicenceStatuses, validatePartnerships } from '../../src/validate/index.js';
import { evaluatePending } from '../../src/verification/evaluate.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

const SEED = 21;
const NOW = new Date('2026-11-20T03:00:00Z');
const PII = { piiKey: 'test-pii-key' };
const KD = '3317';

let t: TestDatabase;

const world = (): SimulatorWorld =>
  generateWorld({ seed: SEED, size: 'tiny', kdDaerah: KD, now: NOW, clock: () => NOW });

async function newRun(db: Knex): Promise<number> {
  const [run] = await db('sync_runs').insert({ trigger: 'manual', status: 'succeeded' }).returning('id');
  return Number(run.id);
}

async function storePartnershipDocs(db: Knex, runId: number, docs: unknown[]): Promise<void> {
  const { valid } = validatePartnerships(docs, PII);
  if (valid.length === 0) return;
  await db.transaction((trx) =>
    storePartnerships(trx, valid as Array<{ record: Partnership; raw: unknown }>, { runId, source: 'listKemitraan' }),
  );
}

async function storeBusinessDocs(db: Knex, runId: number, docs: unknown[]): Promise<void> {
  const { valid } = validateBusinesses(docs, PII);
  if (valid.length === 0) return;
  await db.transaction((trx) =>
    storeBusinesses(trx, valid as Array<{ record: Business; raw: unknown }>, { runId, source: 'inqueryNIB' }),
  );
}

/** The world as a first full sync stores it: agreements, NIB documents, and the party NIBs OSS does not know. */
async function storeWorld(db: Knex, w: SimulatorWorld): Promise<void> {
  const runId = await newRun(db);
  await storePartnershipDocs(db, runId, [...w.allPartnerships()]);
  await storeBusinessDocs(db, runId, [...w.allBusinesses()]);
  await db.transaction(async (trx) => {
    const unknown = await trx.raw(`
      select distinct v.nib from kemitraan k cross join lateral (values (k.nib_ub), (k.nib_umkm)) v(nib)
       where v.nib ~ '^[0-9]{13}$' and not exists (select 1 from pelaku_usaha p where p.nib = v.nib)`);
    const items = (unknown.rows as Array<{ nib: string }>).map((r) => ({
      nib: r.nib,
      keterangan: 'Data NIB tidak ditemukan',
    }));
    await recordNibsNotFound(trx, items, { runId, source: 'inqueryNIB' });
  });
}

type Step =
  | {
      kind: 'mutate';
      seed: number;
      partnerships: number;
      businesses: number;
      licences: number;
      fixPlanted: number;
      changePlanted: number;
      withdraw: number;
    }
  | { kind: 'kbli'; pick: number; value: string; project: boolean }
  | { kind: 'skala'; pick: number; value: string }
  | { kind: 'status_nib'; pick: number; value: string }
  | { kind: 'status_kemitraan'; pick: number; value: string }
  | { kind: 'move'; pick: number; to: number; side: 'nib_ub' | 'nib_umkm' }
  | { kind: 'delete_partnership'; pick: number }
  | { kind: 'share_npwp'; pick: number; to: number }
  | { kind: 'share_identity'; pick: number; to: number }
  | { kind: 'zero_realisation'; pick: number }
  | { kind: 'delete_licence'; pick: number }
  | { kind: 'move_licence'; pick: number; to: number }
  | { kind: 'not_found'; pick: number }
  | { kind: 'push'; pick: number; skala: string; status: string };

const pick = fc.nat({ max: 10_000 });
const STEP: fc.Arbitrary<Step> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('mutate' as const),
      seed: fc.nat({ max: 1_000_000 }),
      partnerships: fc.nat({ max: 6 }),
      businesses: fc.nat({ max: 3 }),
      licences: fc.nat({ max: 2 }),
      fixPlanted: fc.nat({ max: 2 }),
      changePlanted: fc.nat({ max: 2 }),
      withdraw: fc.nat({ max: 1 }),
    }),
    weight: 3,
  },
  fc.record({
    kind: fc.constant('kbli' as const),
    pick,
    value: fc.constantFrom('3111', '03111', '10213', '47111', '99999'),
    project: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('skala' as const), pick, value: fc.constantFrom('01', '02', '03', '04') }),
  fc.record({ kind: fc.constant('status_nib' as const), pick, value: fc.constantFrom('01', '05', '06') }),
  fc.record({ kind: fc.constant('status_kemitraan' as const), pick, value: fc.constantFrom('02', '03', '05', '06') }),
  fc.record({
    kind: fc.constant('move' as const),
    pick,
    to: pick,
    side: fc.constantFrom('nib_ub' as const, 'nib_umkm' as const),
  }),
  fc.record({ kind: fc.constant('delete_partnership' as const), pick }),
  fc.record({ kind: fc.constant('share_npwp' as const), pick, to: pick }),
  fc.record({ kind: fc.constant('share_identity' as const), pick, to: pick }),
  fc.record({ kind: fc.constant('zero_realisation' as const), pick }),
  fc.record({ kind: fc.constant('delete_licence' as const), pick }),
  fc.record({ kind: fc.constant('move_licence' as const), pick, to: pick }),
  fc.record({ kind: fc.constant('not_found' as const), pick }),
  // A receiveNIB push of a stored business's document, applied by the push stream (its own run and evaluation).
  fc.record({
    kind: fc.constant('push' as const),
    pick,
    skala: fc.constantFrom('01', '02', '04'),
    status: fc.constantFrom('01', '05'),
  }),
);

/** The key of the n-th row (mod the row count) of a table, in key order; null when it is empty. */
async function nth(db: Knex, table: string, key: string, n: number, where = 'true'): Promise<string | null> {
  const r = await db.raw(
    `select ${key} as k from ${table} where ${where} order by ${key}
      offset ? % greatest(1, (select count(*) from ${table} where ${where})) limit 1`,
    [n],
  );
  return (r.rows[0]?.k as string | undefined) ?? null;
}

async function apply(db: Knex, w: SimulatorWorld, step: Step): Promise<void> {
  switch (step.kind) {
    case 'mutate': {
      const { kind: _, ...opts } = step;
      const change = w.mutate(opts);
      const runId = await newRun(db);
      await storePartnershipDocs(
        db,
        runId,
        change.changedPartnerships.map((id) => w.getPartnership(id)).filter((p) => p !== undefined),
      );
      await storeBusinessDocs(
        db,
        runId,
        change.changedNibs.map((nib) => w.getBusiness(nib)).filter((b) => b !== undefined),
      );
      const statuses = validateLicenceStatuses(
        change.changedLicences.map((id) => w.getLicence(id)).filter((l) => l !== undefined),
      ).valid.map((v) => v.record as LicenceStatus);
      await db.transaction((trx) => storeLicenceStatuses(trx, statuses, { runId, source: 'checkLicenseStatus' }));
      if (change.withdrawn.length > 0) {
        // A complete listing that no longer holds the withdrawn agreements.
        await db.transaction(async (trx) => {
          const kept = await trx('kemitraan').whereNotIn('id_kemitraan', change.withdrawn).pluck('id_kemitraan');
          await markSeen(trx, runId, 'kemitraan', kept);
          await markUnseenPartnershipsDeleted(trx, { runId, source: 'listKemitraan' });
        });
      }
      return;
    }
    case 'kbli': {
      if (step.project) {
        const id = await nth(db, 'proyek', 'id_proyek', step.pick);
        if (id) await db('proyek').where({ id_proyek: id }).update({ kbli: step.value });
      } else {
        const id = await nth(db, 'kemitraan', 'id_kemitraan', step.pick);
        if (id) await db('kemitraan').where({ id_kemitraan: id }).update({ kbli_umkm: step.value });
      }
      return;
    }
    case 'skala':
    case 'status_nib': {
      const nib = await nth(db, 'pelaku_usaha', 'nib', step.pick);
      const column = step.kind === 'skala' ? 'skala_usaha' : 'status_nib';
      if (nib)
        await db('pelaku_usaha')
          .where({ nib })
          .update({ [column]: step.value });
      return;
    }
    case 'status_kemitraan': {
      const id = await nth(db, 'kemitraan', 'id_kemitraan', step.pick);
      if (id) await db('kemitraan').where({ id_kemitraan: id }).update({ status_kemitraan: step.value });
      return;
    }
    case 'move': {
      const id = await nth(db, 'kemitraan', 'id_kemitraan', step.pick);
      const nib = await nth(db, 'pelaku_usaha', 'nib', step.to);
      if (id && nib)
        await db('kemitraan')
          .where({ id_kemitraan: id })
          .update({ [step.side]: nib });
      return;
    }
    case 'delete_partnership': {
      const id = await nth(db, 'kemitraan', 'id_kemitraan', step.pick, 'deleted_at is null');
      if (id) await db('kemitraan').where({ id_kemitraan: id }).update({ deleted_at: db.fn.now() });
      return;
    }
    case 'share_npwp': {
      const a = await nth(db, 'pelaku_usaha', 'nib', step.pick);
      const b = await nth(db, 'pelaku_usaha', 'nib', step.to);
      if (a && b) {
        await db('pelaku_usaha')
          .where({ nib: a })
          .update({ npwp_hash: db('pelaku_usaha').where({ nib: b }).select('npwp_hash') });
      }
      return;
    }
    case 'share_identity': {
      // The UMKM of an agreement gets a shareholder with the identity of one of its UB's people.
      const id = await nth(db, 'kemitraan', 'id_kemitraan', step.pick, 'nib_umkm is not null');
      if (!id) return;
      await db.raw(
        `update pemegang_saham s set no_identitas_hash = coalesce(
           (select j.no_identitas_hash from penanggung_jawab j join kemitraan k on k.nib_ub = j.nib
             where k.id_kemitraan = ? order by j.seq limit 1), s.no_identitas_hash)
          where (s.nib, s.seq) = (select s2.nib, s2.seq from pemegang_saham s2 join kemitraan k on k.nib_umkm = s2.nib
                                   where k.id_kemitraan = ? order by s2.seq offset ? % 3 limit 1)`,
        [id, id, step.to],
      );
      return;
    }
    case 'zero_realisation': {
      const id = await nth(db, 'kemitraan_realisasi', 'id_kemitraan', step.pick);
      if (id)
        await db('kemitraan_realisasi').where({ id_kemitraan: id }).update({ nilai_realisasi: 0, volume_realisasi: 0 });
      return;
    }
    case 'delete_licence': {
      const id = await nth(db, 'perizinan', 'id_izin', step.pick, 'deleted_at is null');
      if (id) await db('perizinan').where({ id_izin: id }).update({ deleted_at: db.fn.now() });
      return;
    }
    case 'move_licence': {
      // A licence recorded under another project: the project it left may now lack it.
      const id = await nth(db, 'perizinan', 'id_izin', step.pick, "jenis_izin in ('02', '04')");
      const project = await nth(db, 'proyek', 'id_proyek', step.to);
      if (id && project) await db('perizinan').where({ id_izin: id }).update({ id_proyek: project });
      return;
    }
    case 'push': {
      const nib = await nth(db, 'pelaku_usaha', 'nib', step.pick);
      const doc = nib ? w.getBusiness(nib) : undefined;
      if (!nib || !doc) return;
      const pushed = { ...doc, skala_usaha: step.skala, status_nib: step.status };
      await insertInboxItem(db, {
        method: 'receiveNIB',
        remoteAddr: '127.0.0.1',
        nib,
        status: 'pending',
        rejectReason: null,
        tokenOk: true,
        bodyBytes: 1,
        payload: null,
        bodyText: null,
        validated: validateBusinesses([pushed], PII),
      });
      const log = createLogger('silent');
      await applyPushBatch({ db: db as Knex, databaseUrl: t.url, log, now: () => NOW, kdDaerah: KD }, 10);
      return;
    }
    case 'not_found': {
      // A party NIB OSS says it does not know, or one it knows again.
      const nib = await nth(db, 'kemitraan', 'nib_umkm', step.pick, 'nib_umkm is not null');
      if (!nib) return;
      const deleted = await db('nib_not_found').where({ nib }).delete();
      if (deleted === 0) await db('nib_not_found').insert({ nib, keterangan: 'Data NIB tidak ditemukan' });
      return;
    }
  }
}

/** What a verifier would see of every finding, in a stable order. */
async function findings(db: Knex): Promise<string[]> {
  const rows = await db('findings')
    .orderBy(['rule_code', 'entity_type', 'entity_id'])
    .select('rule_code', 'entity_type', 'entity_id', 'status', 'evidence_hash', 'kd_daerah', 'kd_kecamatan');
  return rows.map((r) => Object.values(r).join(' '));
}

class Rollback extends Error {}

async function rolledBack(db: Knex, fn: (trx: Knex.Transaction) => Promise<void>): Promise<void> {
  await db
    .transaction(async (trx) => {
      await fn(trx);
      throw new Rollback();
    })
    .catch((err: unknown) => {
      if (!(err instanceof Rollback)) throw err;
    });
}

beforeAll(async () => {
  t = await createTestDatabase('evaluation_property');
  await storeWorld(t.db, world());
  await evaluatePending(t.db, { runId: null, now: NOW, kdDaerah: KD, all: true });
});
afterAll(async () => {
  await t?.drop();
});

describe('incremental evaluation', () => {
  it('after every step, leaves the findings a full evaluation would', async () => {
    const base = await findings(t.db);
    expect(base.length).toBeGreaterThan(20);
    await fc.assert(
      fc.asyncProperty(fc.array(STEP, { minLength: 1, maxLength: 5 }), async (steps) => {
        const w = world();
        await rolledBack(t.db, async (trx) => {
          for (const step of steps) {
            await apply(trx, w, step);
            // Forced: the property is about scope, not about the resolve guard holding a large change back.
            await evaluatePending(trx, { runId: null, now: NOW, kdDaerah: KD, force: true });
            const incremental = await findings(trx);
            let full: string[] = [];
            await rolledBack(trx, async (sp) => {
              await evaluatePending(sp, { runId: null, now: NOW, kdDaerah: KD, all: true, force: true });
              full = await findings(sp);
            });
            expect(incremental, JSON.stringify(step)).toEqual(full);
          }
        });
      }),
      { numRuns: 20 },
    );
  });
});
