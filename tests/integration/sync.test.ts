import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { dataFingerprint, makeDeps, rowVersions, sync } from '../helpers/sync.js';

/** Every test world is generated as of this instant, so two simulators with one seed serve the same world. */
const WORLD_NOW = new Date('2026-11-20T03:00:00Z');

function start(seed: number, faults: Parameters<typeof startSimulator>[0]['faults'] = {}) {
  return startSimulator({ seed, size: 'tiny', now: WORLD_NOW, faults: { quota: null, ...faults } });
}

const worldIds = (sim: RunningSimulator) =>
  sim.world
    .listKemitraan({ kdDaerah: '3317', sinceSec: null, offset: 0, limit: 10_000_000 })
    .records.map((r) => r.id_kemitraan);

const invalidIds = (sim: RunningSimulator, stream: string) =>
  sim.manifest.invalid.filter((i) => i.stream === stream).map((i) => i.entity_id);

async function storedIds(t: TestDatabase, where = 'deleted_at is null'): Promise<string[]> {
  return (await t.db.raw(`select id_kemitraan from kemitraan where ${where} order by 1`)).rows.map(
    (r: { id_kemitraan: string }) => r.id_kemitraan,
  );
}

const sorted = (xs: Iterable<string | null>) => [...xs].filter((x): x is string => x !== null).sort();

describe('a full sync of the simulator world', () => {
  let t: TestDatabase;
  let sim: RunningSimulator;
  beforeAll(async () => {
    t = await createTestDatabase('sync_full');
    sim = await start(11);
  });
  afterAll(async () => {
    await sim.stop();
    await t.drop();
  });

  it('stores every valid record and quarantines every invalid one, per the manifest', async () => {
    const deps = await makeDeps(t, sim.url);
    const result = await sync(deps);
    expect(result.status).toBe('succeeded');

    const invalid = invalidIds(sim, 'kemitraan');
    expect(invalid.length).toBeGreaterThan(0);
    expect(await storedIds(t)).toEqual(sorted(worldIds(sim).filter((id) => !invalid.includes(id))));

    const quarantined = await t
      .db('quarantine')
      .whereNull('resolved_at')
      .select('stream', 'entity_id', 'issues', 'payload');
    expect(sorted(quarantined.filter((q) => q.stream === 'kemitraan').map((q) => q.entity_id))).toEqual(
      sorted(invalid),
    );
    expect(sorted(quarantined.filter((q) => q.stream === 'nib').map((q) => q.entity_id))).toEqual(
      sorted(invalidIds(sim, 'nib')),
    );
    for (const q of quarantined) {
      expect(q.issues.length).toBeGreaterThan(0);
      expect(q.issues[0]).toEqual(expect.objectContaining({ path: expect.any(String), expected: expect.any(String) }));
    }

    // Every business referenced by a stored partnership was inquired: stored, quarantined or known missing.
    const unresolved = await t.db.raw(`
      select distinct n from kemitraan k cross join lateral (values (k.nib_ub), (k.nib_umkm)) v(n)
       where n ~ '^[0-9]{13}$' and not exists (select 1 from pelaku_usaha p where p.nib = n)
         and not exists (select 1 from nib_not_found f where f.nib = n)
         and not exists (select 1 from quarantine q where q.stream = 'nib' and q.entity_id = n)`);
    expect(unresolved.rows).toEqual([]);
    const notFound = await t.db('nib_not_found').pluck('nib');
    for (const nib of notFound) expect(sim.world.getBusiness(nib)).toBeUndefined();
    expect(await t.db('nib_queue').count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  it('keeps no full NIK anywhere in the database', async () => {
    const niks = sim.world
      .listKemitraan({ kdDaerah: '3317', sinceSec: null, offset: 0, limit: 1_000_000 })
      .records.map((r) => r.nik_umkm)
      .filter((n): n is string => typeof n === 'string' && /^\d{16}$/.test(n));
    expect(niks.length).toBeGreaterThan(0);
    const dump = await t.db.raw(`
      select string_agg(x, ' ') as all from (
        select payload::text as x from raw_records union all select payload::text from quarantine
        union all select to_jsonb(k)::text from kemitraan k union all select to_jsonb(p)::text from pemegang_saham p
        union all select to_jsonb(j)::text from penanggung_jawab j union all select coalesce(new_value::text, '') from change_history) s`);
    for (const nik of niks) expect(dump.rows[0].all).not.toContain(nik);
  });

  it('writes no row on a second run with no upstream change, and asks only what it must', async () => {
    const deps = await makeDeps(t, sim.url);
    const before = await rowVersions(t);
    sim.control.resetStats();
    const result = await sync(deps);
    expect(result.status).toBe('succeeded');
    expect(await rowVersions(t)).toEqual(before);
    const stats = sim.control.stats();
    const pollable = await t
      .db('perizinan')
      .whereNull('deleted_at')
      .whereNotIn('kd_status', ['50', '57', '90', '93'])
      .count({ n: '*' });
    expect(stats.byMethod).toEqual({
      listKemitraan: 1,
      listNIB: result.streams.nib?.counts.requests ? stats.byMethod.listNIB : 0,
      ...(Number(pollable[0]?.n) > 0 ? { checkLicenseStatus: Number(pollable[0]?.n) } : {}),
    });
    expect(stats.byMethod.inqueryNIB ?? 0).toBe(0);
    expect(stats.byMethod.listNIB).toBeLessThanOrEqual(3);
  });

  it('applies exactly the upstream changes on an incremental run', async () => {
    const m = sim.control.mutate({ partnerships: 8, businesses: 4, licences: 3, fixPlanted: 0, changePlanted: 0 });
    const deps = await makeDeps(t, sim.url);
    const result = await sync(deps);
    expect(result.status).toBe('succeeded');
    const changed = async (type: string) =>
      sorted(
        (await t.db('change_history').where({ run_id: result.runId, entity_type: type }).distinct('entity_id')).map(
          (r) => r.entity_id,
        ),
      );
    expect(await changed('kemitraan')).toEqual(sorted(m.changedPartnerships));
    expect(await changed('pelaku_usaha')).toEqual(sorted(m.changedNibs));
    expect(await changed('perizinan')).toEqual(sorted(m.changedLicences));
    for (const id of m.changedPartnerships) {
      const world = sim.world.getPartnership(id)!;
      const row = await t.db('kemitraan').where({ id_kemitraan: id }).first();
      expect([row.status_kemitraan, Number(row.nilai_kemitraan), row.tgl_berakhir]).toEqual([
        world.status_kemitraan,
        Number(world.nilai_kemitraan),
        world.tgl_berakhir === '' ? null : world.tgl_berakhir,
      ]);
    }
    for (const id of m.changedLicences) {
      const row = await t.db('perizinan').where({ id_izin: id }).first();
      expect(row.kd_status).toBe(sim.world.getLicence(id)!.kd_status);
    }
  });

  it('skips a record whose wire text it stored, but not one changed here since, nor one deleted', async () => {
    const stored = await storedIds(t);
    expect(await t.db('wire_hashes').where({ entity_type: 'kemitraan' }).count({ n: '*' })).toEqual([
      { n: stored.length },
    ]);
    // Another writer changes one agreement; another is marked deleted: the same OSS text must repair both.
    const [edited, gone] = stored as [string, string];
    const original = await t.db('kemitraan').where({ id_kemitraan: edited }).first();
    await t.db('kemitraan').where({ id_kemitraan: edited }).update({ nama_ub: 'DIUBAH DI SINI', content_hash: 'x' });
    await t.db('kemitraan').where({ id_kemitraan: gone }).update({ deleted_at: new Date() });
    const result = await sync(await makeDeps(t, sim.url), { full: true, streams: ['kemitraan'] });
    expect(result.status).toBe('succeeded');
    const counts = result.streams.kemitraan?.counts;
    expect([counts?.inserted, counts?.updated]).toEqual([0, 2]);
    expect(counts?.unchanged).toBe(stored.length - 2);
    const repaired = await t.db('kemitraan').where({ id_kemitraan: edited }).first();
    expect([repaired.nama_ub, repaired.content_hash]).toEqual([original.nama_ub, original.content_hash]);
    expect(await t.db('kemitraan').where({ id_kemitraan: gone }).whereNull('deleted_at').count({ n: '*' })).toEqual([
      { n: 1 },
    ]);
  });
});

describe('paging under drift and same-timestamp batches', () => {
  let t: TestDatabase;
  let sim: RunningSimulator;
  beforeAll(async () => {
    t = await createTestDatabase('sync_drift');
    sim = await start(12, { drift: { movesPerPage: 1 } });
  });
  afterAll(async () => {
    await sim.stop();
    await t.drop();
  });

  it('loses no record when records move while the sync pages and a batch outgrows a page', async () => {
    expect(Math.max(...sim.manifest.batches.kemitraan.map((b) => b.count))).toBeGreaterThan(50);
    // Pages of 50 and no larger: the batch must be read by page number while the simulator moves records.
    const deps = await makeDeps(t, sim.url, { OSS_PAGE_SIZE: '50', OSS_MAX_PAGE_SIZE: '50' });
    const result = await sync(deps, { streams: ['kemitraan'] });
    expect(result.streams.kemitraan?.error).toBeUndefined();
    expect(result.status).toBe('succeeded');
    const invalid = invalidIds(sim, 'kemitraan');
    expect(await storedIds(t)).toEqual(sorted(worldIds(sim).filter((id) => !invalid.includes(id))));
    // The drift really happened: records were moved while the listing was paged.
    expect(sim.control.stats().driftMoves).toBeGreaterThan(0);
  });
});

describe('withdrawn agreements', () => {
  let t: TestDatabase;
  let sim: RunningSimulator;
  beforeAll(async () => {
    t = await createTestDatabase('sync_deletes');
    sim = await start(13);
    const result = await sync(await makeDeps(t, sim.url), { streams: ['kemitraan'] });
    expect(result.status).toBe('succeeded');
  });
  afterAll(async () => {
    await sim.stop();
    await t.drop();
  });

  it('are marked deleted only after a complete listing, never hard-deleted', async () => {
    const active = await storedIds(t);
    const gone = sim.control.withdraw(active.slice(3, 6));
    expect(gone).toHaveLength(3);
    const deps = await makeDeps(t, sim.url);

    await sync(deps, { streams: ['kemitraan'] });
    expect(await storedIds(t, 'deleted_at is not null')).toEqual([]);

    const full = await sync(deps, { streams: ['kemitraan'], full: true });
    expect(full.status).toBe('succeeded');
    expect(full.streams.kemitraan?.counts.deleted).toBe(3);
    expect(await storedIds(t, 'deleted_at is not null')).toEqual(sorted(gone));
    expect(await t.db('kemitraan').count({ n: '*' })).toEqual([{ n: active.length }]);
    const history = await t.db('change_history').where({ run_id: full.runId, field: 'deleted_at' }).pluck('entity_id');
    expect(sorted(history)).toEqual(sorted(gone));
  });

  it('refuses to mark most of the region deleted when a listing comes back mostly empty', async () => {
    const before = await storedIds(t, 'deleted_at is not null');
    sim.control.withdrawFraction(0.6);
    const full = await sync(await makeDeps(t, sim.url), { streams: ['kemitraan'], full: true });
    expect(full.status).toBe('failed');
    expect(full.streams.kemitraan?.error).toMatch(
      /delete guard: the complete listing lacks \d+ of \d+ stored agreements/,
    );
    expect(await storedIds(t, 'deleted_at is not null')).toEqual(before);
  });
});

describe('faults', () => {
  let clean: TestDatabase;
  let faulty: TestDatabase;
  const sims: RunningSimulator[] = [];
  beforeAll(async () => {
    clean = await createTestDatabase('sync_clean');
    faulty = await createTestDatabase('sync_faulty');
  });
  afterEach(async () => {
    while (sims.length) await sims.pop()!.stop();
  });
  afterAll(async () => {
    await clean.drop();
    await faulty.drop();
  });

  it('complete with nothing lost under 429s, 5xx, body errors, resets, timeouts and real-payload quirks', async () => {
    const ok = await start(14);
    sims.push(ok);
    expect((await sync(await makeDeps(clean, ok.url))).status).toBe('succeeded');

    const bad = await start(14, {
      errorRate: 0.12,
      timeoutRate: 0.05,
      bodyErrorRate: 0.05,
      resetRate: 0.03,
      hangRate: 0.01,
      quota: { rps: 150, burst: 20 },
      // Numbers as numbers, "" for null, kode as a string, misspelled wrappers, "tipe_dokumen " and extra fields.
      quirks: true,
    });
    sims.push(bad);
    const result = await sync(await makeDeps(faulty, bad.url, { OSS_TIMEOUT_MS: '400', OSS_MAX_RETRIES: '12' }));
    expect(result.status).toBe('succeeded');
    const stats = bad.control.stats();
    expect(stats.rateLimited).toBeGreaterThan(0);
    expect(
      (stats.byHttpStatus['500'] ?? 0) + (stats.byHttpStatus['502'] ?? 0) + (stats.byHttpStatus['503'] ?? 0),
    ).toBeGreaterThan(0);
    expect(await dataFingerprint(faulty)).toEqual(await dataFingerprint(clean));
  });
});
