/*
 * The read side of the console's Kemitraan and Pelaku usaha pages (src/store/browse.ts) on a synced simulator world:
 * every filter, search and page agrees with the database; counts stop at the cap; a partnership's history shows a
 * change the simulator made and the next sync stored, with its run; identity numbers leave the store masked only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import {
  businessFamilies,
  businessFindings,
  businessPartnerships,
  COUNT_CAP,
  getBusiness,
  getPartnership,
  listBusinesses,
  listPartnerships,
  nibStatus,
  type PartnershipFilter,
  partnershipFindings,
  partnershipHistory,
  partnershipRealisation,
  partnershipUbs,
  periodBounds,
} from '../../src/store/browse.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { makeDeps, sync } from '../helpers/sync.js';

const WORLD_NOW = new Date('2026-11-20T03:00:00Z');
const PAGE = { page: 1, pageSize: 50 };

let t: TestDatabase;
let sim: RunningSimulator;

beforeAll(async () => {
  t = await createTestDatabase('console_browse');
  sim = await startSimulator({ seed: 23, size: 'tiny', kdDaerah: '3317', now: WORLD_NOW, faults: { quota: null } });
  await sync(await makeDeps(t, sim.url));
});
afterAll(async () => {
  await sim?.stop();
  await t?.drop();
});

/** Every id a filter yields, through every page. */
async function allIds(filter: Omit<PartnershipFilter, 'page' | 'pageSize'>): Promise<string[]> {
  const ids: string[] = [];
  for (let page = 1; ; page++) {
    const r = await listPartnerships(t.db, { ...filter, page, pageSize: 25 });
    ids.push(...r.rows.map((x) => x.id_kemitraan));
    if (r.rows.length < 25) return ids;
  }
}

const sqlIds = async (where: string, bindings: unknown[] = []) =>
  (await t.db.raw(`select id_kemitraan from kemitraan k where ${where} order by 1`, bindings as never)).rows.map(
    (r: { id_kemitraan: string }) => r.id_kemitraan,
  ) as string[];

describe('the Kemitraan list', () => {
  it('counts and pages every active partnership, newest change first, each once', async () => {
    const first = await listPartnerships(t.db, PAGE);
    const active = await sqlIds('deleted_at is null');
    expect(active.length).toBeGreaterThan(50);
    expect(first).toMatchObject({ total: active.length, atLeast: false });
    expect(first.rows).toHaveLength(50);
    const ids = await allIds({});
    expect(ids).toHaveLength(active.length);
    expect([...ids].sort()).toEqual(active);
    const stamps = first.rows.map((r) => r.tgl_perubahan?.getTime() ?? 0);
    expect(stamps).toEqual([...stamps].sort((a, b) => b - a));
  });

  it('filters by pola, status, kecamatan and UB as the database says', async () => {
    const row = (
      await t.db.raw(`select pola_kemitraan, status_kemitraan, kd_kecamatan, nib_ub from kemitraan
                       where deleted_at is null group by 1, 2, 3, 4 order by count(*) desc limit 1`)
    ).rows[0];
    const expected = await sqlIds(
      'deleted_at is null and pola_kemitraan = ? and status_kemitraan = ? and kd_kecamatan = ? and nib_ub = ?',
      [row.pola_kemitraan, row.status_kemitraan, row.kd_kecamatan, row.nib_ub],
    );
    expect(expected.length).toBeGreaterThan(0);
    const filter = {
      pola: row.pola_kemitraan,
      status: row.status_kemitraan,
      kdKecamatan: row.kd_kecamatan,
      nibUb: row.nib_ub,
    };
    expect((await allIds(filter)).sort()).toEqual(expected);
    expect((await listPartnerships(t.db, { ...PAGE, ...filter })).total).toBe(expected.length);
  });

  it('searches names (any case, substring), NIBs of either party and ids', async () => {
    const k = (
      await t.db.raw(
        `select id_kemitraan, nama_umkm, nib_ub from kemitraan where deleted_at is null and nib_umkm is null order by 1 limit 1`,
      )
    ).rows[0];
    const part = String(k.nama_umkm).split(' ')[0]!.toLowerCase();
    expect((await allIds({ q: part })).sort()).toEqual(
      await sqlIds('deleted_at is null and (nama_ub ilike ? or nama_umkm ilike ?)', [`%${part}%`, `%${part}%`]),
    );
    expect((await allIds({ q: k.nib_ub })).sort()).toEqual(
      await sqlIds('deleted_at is null and (nib_ub = ? or nib_umkm = ?)', [k.nib_ub, k.nib_ub]),
    );
    expect(await allIds({ q: String(k.id_kemitraan).toLowerCase() })).toEqual([k.id_kemitraan]);
    // LIKE's own wildcards are text in a search.
    expect(await allIds({ q: '%' })).toEqual(
      await sqlIds(`deleted_at is null and (nama_ub like '%\\%%' or nama_umkm like '%\\%%')`),
    );
  });

  it('filters a period by start date, or by running during it', async () => {
    const [from, to] = periodBounds(2025, 3);
    expect([from, to]).toEqual(['2025-07-01', '2025-10-01']);
    expect(periodBounds(2025, 4)).toEqual(['2025-10-01', '2026-01-01']);
    expect((await allIds({ tahun: 2025, triwulan: 3 })).sort()).toEqual(
      await sqlIds('deleted_at is null and tgl_mulai >= ? and tgl_mulai < ?', [from, to]),
    );
    const running = await sqlIds(
      'deleted_at is null and tgl_mulai < ? and (tgl_berakhir is null or tgl_berakhir >= ?)',
      [to, from],
    );
    expect(running.length).toBeGreaterThan(0);
    expect((await allIds({ tahun: 2025, triwulan: 3, periodMode: 'berjalan' })).sort()).toEqual(running);
  });

  it('sorts by value and by name', async () => {
    const byValue = (await listPartnerships(t.db, { ...PAGE, sort: 'nilai' })).rows.map((r) => r.nilai_kemitraan ?? -1);
    expect(byValue).toEqual([...byValue].sort((a, b) => b - a));
    const byName = (await listPartnerships(t.db, { ...PAGE, sort: 'nama' })).rows.map((r) => r.nama_ub ?? '');
    expect(byName).toEqual([...byName].sort());
  });

  it('shows the latest realised quarter of each partnership', async () => {
    const rows = (await listPartnerships(t.db, { ...PAGE, pageSize: 200 })).rows;
    const withReal = rows.find((r) => r.realisasi_tahun !== null);
    expect(withReal).toBeDefined();
    const latest = (
      await t.db.raw(
        `select tahun, triwulan, nilai_realisasi::float8 as nilai from kemitraan_realisasi
          where id_kemitraan = ? and deleted_at is null order by tahun desc, triwulan desc limit 1`,
        [withReal!.id_kemitraan],
      )
    ).rows[0];
    expect(withReal).toMatchObject({
      realisasi_tahun: latest.tahun,
      realisasi_triwulan: latest.triwulan,
      realisasi_nilai: latest.nilai,
    });
  });

  it('lists every UB named by a partnership', async () => {
    const ubs = await partnershipUbs(t.db);
    const expected = (await t.db.raw('select distinct nib_ub from kemitraan where nib_ub is not null order by 1')).rows;
    expect(ubs.map((u) => u.nib).sort()).toEqual(expected.map((r: { nib_ub: string }) => r.nib_ub));
    expect(ubs.every((u) => u.nama)).toBe(true);
  });
});

describe('one partnership', () => {
  it('has its parties, agreement and realisation; an UMKM without a NIB is shown by its masked NIK only', async () => {
    const id = (
      await t.db.raw(
        `select k.id_kemitraan from kemitraan k where k.nib_umkm is null and k.nik_umkm_masked is not null
            and exists (select 1 from kemitraan_realisasi r where r.id_kemitraan = k.id_kemitraan) order by 1 limit 1`,
      )
    ).rows[0].id_kemitraan as string;
    const k = await getPartnership(t.db, id);
    expect(k).not.toBeNull();
    expect(k!.nik_umkm_masked).toMatch(/^\d{4}\*{8}\d{4}$/);
    expect(JSON.stringify(k)).not.toMatch(/(?<!\d)\d{16}(?!\d)/);
    expect(k).not.toHaveProperty('nik_umkm_hash');
    expect(k!.ub?.stored).toBe(true);
    const wire = sim.world.getPartnership(id)!;
    expect(k!.nilai_kemitraan).toBe(Number(wire.nilai_kemitraan));
    const realisation = await partnershipRealisation(t.db, id);
    expect(realisation.map((r) => [r.tahun, r.triwulan, r.nilai_realisasi])).toEqual(
      wire.realisasi.map((r) => [Number(r.tahun), Number(r.triwulan), Number(r.nilai_realisasi)]),
    );
    expect(await getPartnership(t.db, 'K-TIDAK-ADA')).toBeNull();
  });

  it('lists its findings, and those computed from it', async () => {
    const f = (await t.db.raw(`select entity_id from findings where entity_type = 'kemitraan' order by id limit 1`))
      .rows[0];
    const found = await partnershipFindings(t.db, f.entity_id);
    const expected = (
      await t.db.raw(
        `select id from findings where (entity_type = 'kemitraan' and entity_id = ?) or ? = any(related) order by id`,
        [f.entity_id, `kemitraan:${f.entity_id}`],
      )
    ).rows.map((r: { id: number }) => r.id);
    expect(found.map((x) => x.id).sort((a, b) => a - b)).toEqual(expected);
    expect(found[0]!.rule_title).toBeTruthy();
  });

  it('shows a change the simulator made, as the next sync stored it: field, old and new value, and the run', async () => {
    const id = (
      await t.db.raw(
        `select k.id_kemitraan from kemitraan k where k.deleted_at is null and k.status_kemitraan = '03'
            and (select count(*) from kemitraan_realisasi r where r.id_kemitraan = k.id_kemitraan) >= 2 order by 1 limit 1`,
      )
    ).rows[0].id_kemitraan as string;
    expect((await partnershipHistory(t.db, id)).rows).toEqual([]);
    const before = sim.world.getPartnership(id)!;
    const oldValue = Number(before.nilai_kemitraan);
    const oldReal = Number(before.realisasi[0]!.nilai_realisasi);
    expect(
      sim.world.updatePartnership(id, (r) => {
        r.nilai_kemitraan = String(oldValue + 12_345_000);
        r.realisasi[0]!.nilai_realisasi = String(oldReal + 1_000);
      }),
    ).toBe(true);
    const result = await sync(await makeDeps(t, sim.url));
    const history = await partnershipHistory(t.db, id);
    expect(history.more).toBe(false);
    const byField = new Map(history.rows.map((h) => [h.field, h]));
    expect(byField.get('nilai_kemitraan')).toMatchObject({
      entity_type: 'kemitraan',
      entity_id: id,
      old_value: oldValue,
      new_value: oldValue + 12_345_000,
      run_id: result.runId,
      run_trigger: 'manual',
    });
    const q = before.realisasi[0]!;
    expect(byField.get('nilai_realisasi')).toMatchObject({
      entity_type: 'kemitraan_realisasi',
      entity_id: `${id}|${Number(q.tahun)}|${Number(q.triwulan)}`,
      old_value: oldReal,
      new_value: oldReal + 1_000,
      run_id: result.runId,
    });
    expect(byField.has('tgl_perubahan')).toBe(true);
    // Newest first.
    const times = history.rows.map((h) => h.changed_at.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });
});

describe('the Pelaku usaha pages', () => {
  it('list, search and filter as the database says', async () => {
    const all = await listBusinesses(t.db, { ...PAGE, pageSize: 1000 });
    const n = Number((await t.db('pelaku_usaha').whereNull('deleted_at').count({ n: '*' }))[0]!.n);
    expect(all).toMatchObject({ total: n, atLeast: false });
    const names = all.rows.map((r) => r.nama_perseroan ?? '');
    expect(names).toEqual([...names].sort());
    const b = all.rows.find((r) => r.as_ub > 0)!;
    expect(b.as_ub).toBe(
      Number((await t.db('kemitraan').where({ nib_ub: b.nib }).whereNull('deleted_at').count({ n: '*' }))[0]!.n),
    );
    expect((await listBusinesses(t.db, { ...PAGE, q: b.nib })).rows.map((r) => r.nib)).toEqual([b.nib]);
    const word = String(b.nama_perseroan).split(' ').at(-1)!.toLowerCase();
    const byName = await listBusinesses(t.db, { ...PAGE, pageSize: 1000, q: word });
    const expected = await t
      .db('pelaku_usaha')
      .whereNull('deleted_at')
      .whereILike('nama_perseroan', `%${word}%`)
      .pluck('nib');
    expect(byName.rows.map((r) => r.nib).sort()).toEqual(expected.sort());
    const filtered = await listBusinesses(t.db, { ...PAGE, pageSize: 1000, skala: '01', statusNib: '01' });
    const filteredExpected = await t
      .db('pelaku_usaha')
      .whereNull('deleted_at')
      .where({ skala_usaha: '01', status_nib: '01' })
      .pluck('nib');
    expect(filtered.rows.map((r) => r.nib).sort()).toEqual(filteredExpected.sort());
  });

  it('one NIB: identity with a masked NPWP, masked identity numbers of its people, projects, licences, partnerships', async () => {
    const nibs = await t.db('pelaku_usaha').orderBy('nib').pluck('nib');
    for (const nib of nibs) {
      const b = await getBusiness(t.db, nib);
      const f = await businessFamilies(t.db, nib);
      const text = JSON.stringify({ b, f });
      expect(text, nib).not.toMatch(/(?<!\d)\d{16}(?!\d)/);
      expect(text).not.toContain('hash');
      expect(b!.npwp_masked ?? '').not.toMatch(/\d{5}/);
    }
    const ub = (await t.db.raw('select nib_ub from kemitraan group by 1 order by count(*) desc limit 1')).rows[0]
      .nib_ub;
    const f = await businessFamilies(t.db, ub);
    expect(f.projects.length).toBeGreaterThan(0);
    expect(f.personsInCharge.every((p) => p.no_identitas_masked === null || p.no_identitas_masked.includes('*'))).toBe(
      true,
    );
    const asUb = await businessPartnerships(t.db, ub, 'ub', 10);
    const count = Number(
      (await t.db('kemitraan').where({ nib_ub: ub }).whereNull('deleted_at').count({ n: '*' }))[0]!.n,
    );
    expect(asUb).toMatchObject({ total: count, atLeast: false });
    expect(asUb.rows).toHaveLength(Math.min(10, count));
  });

  it('findings of a NIB include those on its partnerships, projects and licences', async () => {
    const f = (
      await t.db.raw(`select k.nib_ub, f.id from findings f join kemitraan k on k.id_kemitraan = f.entity_id
                       where f.entity_type = 'kemitraan' order by f.id limit 1`)
    ).rows[0];
    expect((await businessFindings(t.db, f.nib_ub)).map((x) => x.id)).toContain(f.id);
    const p = (
      await t.db.raw(`select pr.nib, f.id from findings f join proyek pr on pr.id_proyek = f.entity_id
                       where f.entity_type = 'proyek' order by f.id limit 1`)
    ).rows[0];
    if (p) expect((await businessFindings(t.db, p.nib)).map((x) => x.id)).toContain(p.id);
  });

  it('a NIB OSS does not know, or one still queued, has a status instead of a document', async () => {
    const missing = (await t.db('nib_not_found').first('nib'))?.nib as string | undefined;
    expect(missing).toBeDefined();
    expect(await getBusiness(t.db, missing!)).toBeNull();
    expect((await nibStatus(t.db, missing!)).notFound?.keterangan).toBeTruthy();
    await t.db('nib_queue').insert({ nib: '8120000000017', reason: 'kemitraan party' });
    expect(await nibStatus(t.db, '8120000000017')).toMatchObject({
      notFound: null,
      queued: { reason: 'kemitraan party' },
    });
    expect(await nibStatus(t.db, '8120000000025')).toEqual({ notFound: null, queued: null });
  });
});

describe('counts at scale', () => {
  it('stop at the cap and say so', async () => {
    // Planted in this file's own database: copies of one partnership past the cap.
    await t.db.raw(
      `insert into kemitraan (id_kemitraan, nib_ub, nama_ub, pola_kemitraan, status_kemitraan, content_hash, source)
       select 'K-CAP-' || g, '8120000000999', 'PT BATAS HITUNG', '99', '01', 'x', 'test' from generate_series(1, ?) g`,
      [COUNT_CAP + 5],
    );
    const r = await listPartnerships(t.db, { ...PAGE, pola: '99' });
    expect(r).toMatchObject({ total: COUNT_CAP, atLeast: true });
    expect(r.rows).toHaveLength(50);
    const asUb = await businessPartnerships(t.db, '8120000000999', 'ub', 5);
    expect(asUb).toMatchObject({ total: COUNT_CAP, atLeast: true });
  });
});
