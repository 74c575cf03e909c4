/*
 * Findings follow every write, whoever wrote it and whenever it committed: the database logs each change
 * (entity_changes), and evaluatePending covers everything logged and not yet covered by a completed evaluation.
 * - a write whose own evaluation never ran (a push run, a crash) is covered by the next evaluation of any run;
 * - a transaction that commits after an evaluation started is covered by the next one;
 * - an evaluation that fails leaves the log, and the next one ends where a full evaluation would;
 * - unchanged re-writes through the store log nothing;
 * - every write path (storeBusinesses, storePartnerships, mergeRows, a COPY, a soft delete) changes exactly the
 *   findings it should, with no run id involved, and leaves what a full evaluation would.
 */

import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Knex } from 'knex';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Business, Partnership } from '../../src/domain/records.js';
import { recordNibsNotFound, storeBusinesses } from '../../src/store/businesses.js';
import { mergeRows } from '../../src/store/merge.js';
import { markSeen, markUnseenPartnershipsDeleted, storePartnerships } from '../../src/store/partnerships.js';
import { PERIZINAN } from '../../src/store/tables.js';
import { validateBusinesses, validatePartnerships } from '../../src/validate/index.js';
import { evaluatePending } from '../../src/verification/evaluate.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

const NOW = new Date('2024-07-15T03:00:00Z');
const UB = '8120000000011';
const UMKM = '8120000000012';
const K1 = 'K-202401050930001230011';
const PII = { piiKey: 'test-pii-key' };

let t: TestDatabase;

function businessDoc(nib: string, over: Record<string, unknown> = {}) {
  return {
    nib,
    tgl_pengajuan_nib: '2022-03-01',
    tgl_terbit_nib: '2022-03-01',
    tgl_perubahan_nib: '2024-01-01',
    jenis_pelaku_usaha: '01',
    jenis_perseroan: '02',
    nama_perseroan: `CV USAHA ${nib.slice(-2)}`,
    status_penanaman_modal: '02',
    flag_umk: 'Y',
    skala_usaha: '02',
    npwp_perseroan: `00${nib.slice(0, 14)}`,
    perseroan_daerah_id: '3317142008',
    persen_pma: 0,
    status_nib: '01',
    pemegang_saham: [],
    penanggung_jwb: [],
    data_proyek: [],
    data_checklist: [],
    ...over,
  };
}

function partnershipDoc(id: string, over: Record<string, unknown> = {}) {
  return {
    id_kemitraan: id,
    nib_ub: UB,
    nama_ub: 'CV USAHA 11',
    nib_umkm: UMKM,
    nama_umkm: 'CV USAHA 12',
    kbli_ub: '10213',
    kbli_umkm: '03111',
    skala_usaha_umkm: '02',
    pola_kemitraan: '02',
    nilai_kemitraan: '100000000',
    status_kemitraan: '05',
    tgl_kesepakatan: '2024-01-05',
    tgl_mulai: '2024-01-10',
    tgl_berakhir: '2024-06-30',
    tgl_pengajuan: '2024-01-05 09:30:00',
    tgl_perubahan: '2024-01-05 09:30:00',
    kd_daerah_pelaksanaan: '3317142008',
    realisasi: [],
    ...over,
  };
}

async function newRun(trigger: 'manual' | 'push' = 'manual'): Promise<number> {
  const [run] = await t.db('sync_runs').insert({ trigger, status: 'succeeded' }).returning('id');
  return Number(run.id);
}

async function writeBusinesses(db: Knex, runId: number, docs: unknown[]) {
  const { valid } = validateBusinesses(docs, PII);
  return db.transaction((trx) =>
    storeBusinesses(trx, valid as Array<{ record: Business; raw: unknown }>, { runId, source: 'inqueryNIB' }),
  );
}

async function writePartnerships(db: Knex, runId: number, docs: unknown[]) {
  const { valid } = validatePartnerships(docs, PII);
  return db.transaction((trx) =>
    storePartnerships(trx, valid as Array<{ record: Partnership; raw: unknown }>, { runId, source: 'listKemitraan' }),
  );
}

const logged = async () => Number((await t.db('entity_changes').count({ n: '*' }))[0]?.n);

/** (rule, entity, status, evidence_hash) of every finding. */
const state = async (db: Knex = t.db) =>
  (
    await db('findings')
      .orderBy(['rule_code', 'entity_type', 'entity_id'])
      .select('rule_code', 'entity_type', 'entity_id', 'status', 'evidence_hash')
  ).map((r) => `${r.rule_code} ${r.entity_type} ${r.entity_id} ${r.status} ${r.evidence_hash}`);

/** What a full evaluation would leave, computed in a transaction that is rolled back. */
async function fullState(): Promise<string[]> {
  let out: string[] = [];
  await t.db
    .transaction(async (trx) => {
      await evaluatePending(trx, { runId: null, now: NOW, kdDaerah: '3317', all: true, force: true });
      out = await state(trx);
      throw new Error('rollback');
    })
    .catch((err: Error) => {
      if (err.message !== 'rollback') throw err;
    });
  return out;
}

const status = async (rule: string, entityId: string) =>
  (await t.db('findings').where({ rule_code: rule, entity_id: entityId }).first('status'))?.status as
    | string
    | undefined;

beforeAll(async () => {
  t = await createTestDatabase('evaluation_pending');
});
afterAll(async () => {
  await t?.drop();
});
beforeEach(async () => {
  await t.db.raw(`truncate findings, finding_events, finding_runs, finding_evaluations, kemitraan, kemitraan_realisasi,
    pelaku_usaha, pemegang_saham, penanggung_jawab, proyek, proyek_lokasi, proyek_produk, perizinan, nib_not_found,
    nib_queue, raw_records, change_history, entity_changes, quarantine, sync_runs cascade`);
  const run = await newRun();
  await writeBusinesses(t.db, run, [businessDoc(UB, { skala_usaha: '04', flag_umk: 'N' }), businessDoc(UMKM)]);
  await writePartnerships(t.db, run, [partnershipDoc(K1)]);
  await evaluatePending(t.db, { runId: run, now: NOW, kdDaerah: '3317' });
});

describe('evaluatePending', () => {
  it('covers a write whose own evaluation never ran (a push run), in the next evaluation of another run', async () => {
    // A push run stores the UMKM as a large business; its evaluation never happens (the process stops).
    await writeBusinesses(t.db, await newRun('push'), [businessDoc(UMKM, { skala_usaha: '04', flag_umk: 'N' })]);
    // The next sync changes an unrelated business and evaluates.
    const next = await newRun();
    await writeBusinesses(t.db, next, [businessDoc('8120000000013')]);
    const r = await evaluatePending(t.db, { runId: next, now: NOW, kdDaerah: '3317' });
    expect(r.scopeSizes).not.toBe('all');
    expect(await status('PARTNER_NOT_UMKM', K1)).toBe('open');
    expect(await state()).toEqual(await fullState());
  });

  it('covers a transaction that committed after an evaluation started', async () => {
    const late = await t.db.transaction();
    try {
      await late('pelaku_usaha')
        .where({ nib: UMKM })
        .update({ skala_usaha: '04', flag_umk: 'N', updated_at: late.fn.now() });
      // An evaluation runs (and finishes) while the write is still open; it cannot see it.
      await evaluatePending(t.db, { runId: null, now: NOW, kdDaerah: '3317' });
      await late.commit();
    } catch (err) {
      await late.rollback();
      throw err;
    }
    expect(await status('PARTNER_NOT_UMKM', K1)).toBeUndefined();
    await evaluatePending(t.db, { runId: null, now: NOW, kdDaerah: '3317' });
    expect(await status('PARTNER_NOT_UMKM', K1)).toBe('open');
  });

  it('an evaluation that fails leaves the log; the next one ends where a full evaluation would', async () => {
    await writePartnerships(t.db, await newRun(), [
      partnershipDoc(K1, { nilai_kemitraan: '0', tgl_perubahan: '2024-02-01 10:00:00' }),
    ]);
    await writeBusinesses(t.db, await newRun(), [businessDoc(UMKM, { skala_usaha: '04', flag_umk: 'N' })]);
    const pending = await logged();
    expect(pending).toBeGreaterThan(0);
    await expect(
      evaluatePending(t.db, {
        runId: null,
        now: NOW,
        kdDaerah: '3317',
        onStep: (step) => {
          if (step === 'resolve') throw new Error('connection lost');
        },
      }),
    ).rejects.toThrow('connection lost');
    expect(await logged()).toBe(pending);
    expect(await status('VALUE_IMPLAUSIBLE', K1)).toBeUndefined();

    const r = await evaluatePending(t.db, { runId: null, now: NOW, kdDaerah: '3317' });
    expect(r.changes).toBe(pending);
    expect(await logged()).toBe(0);
    expect(await status('VALUE_IMPLAUSIBLE', K1)).toBe('open');
    expect(await status('PARTNER_NOT_UMKM', K1)).toBe('open');
    expect(await state()).toEqual(await fullState());
  });

  it('logs nothing for unchanged re-writes and bookkeeping-only updates', async () => {
    expect(await logged()).toBe(0);
    const run = await newRun();
    await writeBusinesses(t.db, run, [businessDoc(UB, { skala_usaha: '04', flag_umk: 'N' }), businessDoc(UMKM)]);
    await writePartnerships(t.db, run, [partnershipDoc(K1)]);
    await t.db.transaction((trx) =>
      recordNibsNotFound(trx, [{ nib: '8129999999999', keterangan: 'Data NIB tidak ditemukan' }], {
        runId: run,
        source: 'inqueryNIB',
      }),
    );
    const afterInsert = await logged();
    expect(afterInsert).toBe(1);
    // Re-checked and still unknown: only last_checked_at and run_id change.
    await t.db.transaction((trx) =>
      recordNibsNotFound(trx, [{ nib: '8129999999999', keterangan: 'Data NIB tidak ditemukan' }], {
        runId: run,
        source: 'inqueryNIB',
      }),
    );
    await t
      .db('kemitraan')
      .where({ id_kemitraan: K1 })
      .update({ last_run_id: run, updated_at: t.db.fn.now(), source: 'push' });
    expect(await logged()).toBe(afterInsert);
  });
});

/** The findings an evaluation added or changed, as (rule entity status) lines. */
function difference(before: string[], after: string[]): string[] {
  const was = new Set(before.map((l) => l.split(' ').slice(0, 4).join(' ')));
  return after.map((l) => l.split(' ').slice(0, 4).join(' ')).filter((l) => !was.has(l));
}

const pending = () => evaluatePending(t.db, { runId: null, now: NOW, kdDaerah: '3317' });

describe('every write path is followed', () => {
  it('storeBusinesses: a UMKM that grows into a large business', async () => {
    const before = await state();
    await writeBusinesses(t.db, await newRun(), [businessDoc(UMKM, { skala_usaha: '04', flag_umk: 'N' })]);
    const r = await pending();
    expect(r.scopeByRule).toMatchObject({ PARTNER_NOT_UMKM: 1, KBLI_INVALID: 0, DATE_INCONSISTENT: 'all' });
    expect(difference(before, await state())).toEqual([`PARTNER_NOT_UMKM kemitraan ${K1} open`]);
    expect(await state()).toEqual(await fullState());
  });

  it('mergeRows: a licence with a status outside the PIA table', async () => {
    const before = await state();
    const run = await newRun();
    await mergeRows(
      t.db,
      PERIZINAN,
      [
        {
          id_izin: 'I-202203020900001230011',
          nib: UB,
          id_proyek: null,
          jenis_izin: '04',
          kd_izin: null,
          kd_daerah: '3317000000',
          nama_izin: 'Sertifikat Standar',
          instansi: null,
          kewenangan: null,
          flag_checklist: null,
          kd_status: '58',
          uraian_status: 'Izin terbit/SS terverifikasi',
          no_izin: null,
          tgl_izin: '2022-04-01',
        },
      ],
      { runId: run, source: 'checkLicenseStatus' },
    );
    await pending();
    expect(difference(before, await state())).toEqual([
      'LICENCE_STATUS_UNKNOWN perizinan I-202203020900001230011 open',
    ]);
    expect(await state()).toEqual(await fullState());
  });

  it('a COPY: a second agreement with the same parties and pattern, then its soft delete', async () => {
    const before = await state();
    const K2 = 'K-202403010930001230012';
    const client = new pg.Client({ connectionString: t.url });
    await client.connect();
    try {
      const line = [K2, UB, UMKM, '02', '05', '2024-03-01', '2024-12-31', '3317142008', 'copied', 'test'].join('\t');
      await pipeline(
        Readable.from([`${line}\n`]),
        client.query(
          copyFrom(`copy kemitraan (id_kemitraan, nib_ub, nib_umkm, pola_kemitraan, status_kemitraan, tgl_mulai,
                     tgl_berakhir, kd_daerah_pelaksanaan, content_hash, source) from stdin`),
        ),
      );
    } finally {
      await client.end();
    }
    await pending();
    expect(difference(before, await state()).sort()).toEqual([
      `DUPLICATE_PARTNERSHIP kemitraan ${K1} open`,
      `DUPLICATE_PARTNERSHIP kemitraan ${K2} open`,
    ]);
    expect(await state()).toEqual(await fullState());

    // A complete listing no longer holds K2: the store marks it deleted, and both duplicates resolve.
    const run = await newRun();
    await t.db.transaction(async (trx) => {
      await markSeen(trx, run, 'kemitraan', [K1]);
      expect(await markUnseenPartnershipsDeleted(trx, { runId: run, source: 'listKemitraan' })).toEqual([K2]);
    });
    const r = await pending();
    expect(r.counts.DUPLICATE_PARTNERSHIP).toMatchObject({ resolved: 2, open: 0 });
    expect(await state()).toEqual(await fullState());
  });

  it('storePartnerships: an agreement moved from UB A to UB B re-evaluates A', async () => {
    const UB_B = '8120000000014';
    const run = await newRun();
    await writeBusinesses(t.db, run, [
      businessDoc(UB, { skala_usaha: '04', flag_umk: 'N', data_dni: [{ kd_dni: '65' }] }),
      businessDoc(UB_B, { skala_usaha: '04', flag_umk: 'N' }),
    ]);
    await writePartnerships(t.db, run, [
      partnershipDoc(K1, { status_kemitraan: '03', tgl_berakhir: '2025-06-30', tgl_perubahan: '2024-02-01 10:00:00' }),
    ]);
    await pending();
    expect(await status('REQUIRED_PARTNERSHIP_MISSING', UB)).toBeUndefined();

    await writePartnerships(t.db, await newRun(), [
      partnershipDoc(K1, {
        nib_ub: UB_B,
        status_kemitraan: '03',
        tgl_berakhir: '2025-06-30',
        tgl_perubahan: '2024-03-01 10:00:00',
      }),
    ]);
    const r = await pending();
    expect(r.scopeSizes).not.toBe('all');
    // The old and the new UB are both reached through the agreement's change.
    expect((r.scopeSizes as Record<string, number>).pelaku_usaha).toBeGreaterThanOrEqual(2);
    expect(await status('REQUIRED_PARTNERSHIP_MISSING', UB)).toBe('open');
    expect(await state()).toEqual(await fullState());
  });
});
