import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RULES } from '../../src/rules/index.js';
import {
  generateWorld,
  type RunningSimulator,
  runSimulatorCommand,
  type SimKemitraan,
  type SimulatorWorld,
  startSimulator,
} from '../../src/simulator/index.js';

/** Every world here is generated as of this instant (2026-11-20 10:00 WIB). */
const NOW = new Date('2026-11-20T03:00:00Z');
const NOW_WIB = '2026-11-20 10:00:00';

/** The rule codes of shared/contracts/discrepancy-rules.md. */
/** The engine's rule table is the project's copy of the catalogue. */
const RULE_CODES = RULES.map((r) => r.code);
// The shared contract beside the checkout (developers' machines and CI have it).
const CATALOGUE = join(import.meta.dirname, '..', '..', '..', 'shared', 'contracts', 'discrepancy-rules.md');

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are probed freely
type Loose = Record<string, any>;

interface Answer {
  status: number;
  headers: Headers;
  json: Loose | undefined;
  text: string;
}

async function call(
  sim: { url: string },
  method: string,
  body: unknown,
  key = 'sandbox-key',
  signal?: AbortSignal,
): Promise<Answer> {
  const res = await fetch(`${sim.url}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', user_key: key },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
  const text = await res.text();
  let json: Loose | undefined;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}

const listKemitraan = (sim: { url: string }, params: Record<string, unknown>) =>
  call(sim, 'listKemitraan', { LISTKEMITRAAN: { kd_daerah: '3317', ...params } });
const listNib = (sim: { url: string }, params: Record<string, unknown>) =>
  call(sim, 'listNIB', { LISTNIB: { kd_daerah: '3317', ...params } });

const key = (r: { tgl_perubahan: string; id_kemitraan: string }) => `${r.tgl_perubahan}|${r.id_kemitraan}`;
const allOf = (w: SimulatorWorld, kd = '3317') =>
  w.listKemitraan({ kdDaerah: kd, sinceSec: null, offset: 0, limit: 10_000_000 }).records;

/** Reads every listKemitraan page over HTTP by halaman only (what a naive client does). */
async function walk(sim: { url: string }, perPage: number, since?: string): Promise<SimKemitraan[]> {
  const out: SimKemitraan[] = [];
  for (let halaman = 1; ; halaman++) {
    const a = await listKemitraan(sim, {
      halaman,
      jumlah_per_halaman: perPage,
      ...(since ? { tgl_perubahan_mulai: since } : {}),
    });
    const page = a.json?.responlistKemitraan;
    out.push(...page.dataKemitraan);
    if (halaman >= page.meta.total_halaman) return out;
  }
}

describe('generateWorld', () => {
  const world = generateWorld({ seed: 1, size: 'tiny', now: NOW });

  it('is deterministic: the same seed gives the same world, another seed another one', () => {
    const again = generateWorld({ seed: 1, size: 'tiny', now: NOW });
    expect(JSON.stringify([...again.allPartnerships()])).toBe(JSON.stringify([...world.allPartnerships()]));
    expect(JSON.stringify([...again.allBusinesses()])).toBe(JSON.stringify([...world.allBusinesses()]));
    expect(again.manifest).toEqual(world.manifest);
    const other = generateWorld({ seed: 2, size: 'tiny', now: NOW });
    expect(JSON.stringify([...other.allPartnerships()])).not.toBe(JSON.stringify([...world.allPartnerships()]));
  });

  it('plants at least one case for every rule of the catalogue, on entities that exist', () => {
    if (existsSync(CATALOGUE)) {
      const documented = [...readFileSync(CATALOGUE, 'utf8').matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
      expect([...documented].sort()).toEqual([...RULE_CODES].sort());
    }
    const planted = new Set(world.manifest.planted.map((p) => p.rule));
    for (const code of RULE_CODES) expect(planted, code).toContain(code);
    const projects = new Set([...world.allBusinesses()].flatMap((b) => b.data_proyek.map((p) => p.id_proyek)));
    for (const p of [...world.manifest.planted, ...world.manifest.controls]) {
      if (p.entity_type === 'kemitraan') expect(world.getPartnership(p.entity_id), p.entity_id).toBeDefined();
      if (p.entity_type === 'pelaku_usaha') expect(world.getBusiness(p.entity_id), p.entity_id).toBeDefined();
      if (p.entity_type === 'perizinan') expect(world.getLicence(p.entity_id), p.entity_id).toBeDefined();
      if (p.entity_type === 'proyek') expect(projects.has(p.entity_id), p.entity_id).toBe(true);
    }
    expect(world.manifest.controls.length).toBeGreaterThanOrEqual(10);
    const notFound = world.manifest.planted.find((p) => p.rule === 'PARTNER_NIB_NOT_FOUND');
    expect(world.getBusiness(world.getPartnership(notFound!.entity_id)!.nib_umkm)).toBeUndefined();
  });

  it('contains the structurally invalid records of the validation contract', () => {
    const reasons = world.manifest.invalid.map((i) => i.reason).join(' | ');
    for (const what of [
      'satu miliar',
      '-02-30',
      'status_kemitraan is "7"',
      'pola_kemitraan is "55"',
      'triwulan "5"',
      '31-13-2023',
    ]) {
      expect(reasons).toContain(what);
    }
    const byId = (id: string | null) => world.getPartnership(id ?? '')!;
    const k = world.manifest.invalid.filter((i) => i.stream === 'kemitraan').map((i) => byId(i.entity_id));
    expect(k.map((r) => r.nilai_kemitraan)).toContain('satu miliar');
    expect(k.map((r) => r.status_kemitraan)).toContain('7');
    expect(k.map((r) => r.pola_kemitraan)).toContain('55');
    expect(k.flatMap((r) => r.realisasi.map((x) => x.triwulan))).toContain('5');
    const nib = world.manifest.invalid.find((i) => i.stream === 'nib')!.entity_id!;
    expect(world.getBusiness(nib)?.tgl_terbit_nib).toBe('31-13-2023');
    const listed = world
      .listNib({ kdDaerah: '3317', sinceDay: null, offset: 0, limit: 100_000 })
      .items.map((i) => i.nib);
    expect(listed).toContain(nib);
  });

  it('keeps non-planted records well-formed: ids, NIKs, region codes, dates', () => {
    const special = new Set([
      ...world.manifest.planted.map((p) => p.entity_id),
      ...world.manifest.invalid.map((p) => p.entity_id),
    ]);
    const today = NOW_WIB.slice(0, 10);
    for (const r of world.allPartnerships()) {
      if (special.has(r.id_kemitraan)) continue;
      expect(r.id_kemitraan).toMatch(/^K-\d{21}$/);
      const idDate = `${r.id_kemitraan.slice(2, 6)}-${r.id_kemitraan.slice(6, 8)}-${r.id_kemitraan.slice(8, 10)}`;
      expect(idDate).toBe(r.tgl_pengajuan.slice(0, 10));
      expect(r.tgl_perubahan <= NOW_WIB && r.tgl_pengajuan <= r.tgl_perubahan).toBe(true);
      expect(r.tgl_mulai <= today && r.tgl_kesepakatan <= r.tgl_mulai).toBe(true);
      if (r.nib_umkm === '') {
        expect(r.nik_umkm).toMatch(/^33\d{14}$/);
        const day = Number(r.nik_umkm.slice(6, 8));
        const month = Number(r.nik_umkm.slice(8, 10));
        expect(month >= 1 && month <= 12 && ((day >= 1 && day <= 31) || (day >= 41 && day <= 71))).toBe(true);
      } else expect(r.nib_umkm).toMatch(/^\d{13}$/);
      expect(r.kd_daerah_pelaksanaan).toMatch(/^33\d{4}[12]\d{3}$/);
      expect(r.kbli_umkm).toMatch(/^\d{5}$/);
      if (r.status_kemitraan === '03') expect(r.tgl_berakhir === '' || r.tgl_berakhir > today).toBe(true);
    }
    for (const b of world.allBusinesses()) {
      expect(b.nib).toMatch(/^\d{13}$/);
      for (const p of b.data_proyek) {
        expect(`${p.id_proyek.slice(2, 6)}-${p.id_proyek.slice(6, 8)}-${p.id_proyek.slice(8, 10)}`).toBe(
          b.tgl_pengajuan_nib,
        );
        const [lat, lng] = p.data_lokasi_proyek[0]!.data_lokasi_proyek[0]!.lat_lng.split(',').map(Number);
        if (p.data_lokasi_proyek[0]!.proyek_daerah_id.startsWith('3317') && !special.has(p.id_proyek)) {
          expect(lat! >= -7.05 && lat! <= -6.55 && lng! >= 111 && lng! <= 111.8, p.id_proyek).toBe(true);
        }
      }
    }
  });

  it('has same-second partnership batches and NIB days larger than a page (500 from size small)', () => {
    const tinyBatch = world.manifest.batches.kemitraan[0]!;
    expect(tinyBatch.count).toBeGreaterThan(100);
    expect(allOf(world).filter((r) => r.tgl_perubahan === tinyBatch.tgl_perubahan).length).toBe(tinyBatch.count);
    const small = generateWorld({ seed: 1, size: 'small', now: NOW });
    const batch = small.manifest.batches.kemitraan[0]!;
    expect(batch.count).toBeGreaterThan(500);
    expect(allOf(small).filter((r) => r.tgl_perubahan === batch.tgl_perubahan).length).toBe(batch.count);
    const day = small.manifest.batches.nib[0]!;
    expect(day.count).toBeGreaterThan(500);
    const items = small.listNib({ kdDaerah: '3317', sinceDay: null, offset: 0, limit: 100_000 }).items;
    expect(items.filter((i) => i.tgl_perubahan_nib === day.tgl_perubahan_nib).length).toBeGreaterThanOrEqual(day.count);
    expect(small.manifest.counts.partnerships).toBeGreaterThanOrEqual(1_000);
  });

  it('generates the huge world lazily and reads a page in its middle', () => {
    const huge = generateWorld({ seed: 9, size: 'huge', now: NOW });
    expect(huge.manifest.counts.partnerships).toBeGreaterThanOrEqual(1_000_000);
    const ratio = huge.manifest.counts.businesses / huge.manifest.counts.partnerships;
    expect(ratio > 0.3 && ratio < 0.6).toBe(true);
    const { total, records } = huge.listKemitraan({ kdDaerah: '3317', sinceSec: null, offset: 600_000, limit: 500 });
    expect(total).toBe(huge.manifest.counts.partnershipsInRegion);
    expect(records).toHaveLength(500);
    for (let i = 1; i < records.length; i++) expect(key(records[i - 1]!) < key(records[i]!)).toBe(true);
    const r = records[250]!;
    expect(huge.getPartnership(r.id_kemitraan)).toEqual(r);
    if (r.nib_umkm) expect(huge.getBusiness(r.nib_umkm)?.nama_perseroan).toBe(r.nama_umkm);
    expect(huge.getBusiness(r.nib_ub)?.skala_usaha).toBe('04');
    const nibs = huge.listNib({ kdDaerah: '3317', sinceDay: null, offset: 200_000, limit: 500 });
    expect(nibs.items).toHaveLength(500);
    expect(huge.getBusiness(nibs.items[0]!.nib)?.nib).toBe(nibs.items[0]!.nib);
  });

  it('mutates between runs: changes move to the end, planted cases get fixed, withdrawn ones vanish', () => {
    const w = generateWorld({ seed: 5, size: 'tiny', now: NOW });
    const before = generateWorld({ seed: 5, size: 'tiny', now: NOW });
    const m0 = w.manifest.planted.length;
    const result = w.mutate({
      partnerships: 5,
      businesses: 3,
      licences: 2,
      fixPlanted: 2,
      changePlanted: 2,
      withdraw: 2,
    });
    expect(result.changedPartnerships.length).toBeGreaterThanOrEqual(5);
    expect(result.changedNibs.length).toBeGreaterThanOrEqual(3);
    expect(result.fixed).toHaveLength(2);
    expect(result.evidenceChanged).toHaveLength(2);
    expect(result.withdrawn).toHaveLength(2);
    expect(w.manifest.planted).toHaveLength(m0 - 2);
    expect(w.manifest.fixed).toEqual(result.fixed);
    for (const f of result.fixed) expect(w.manifest.planted).not.toContainEqual(f);
    const listing = allOf(w);
    const tail = listing.slice(-result.changedPartnerships.length).map((r) => r.id_kemitraan);
    for (const id of result.changedPartnerships) {
      expect(w.getPartnership(id)!.tgl_perubahan > NOW_WIB).toBe(true);
      expect(tail).toContain(id);
    }
    for (const nib of result.changedNibs)
      expect(w.getBusiness(nib)!.tgl_perubahan_nib >= NOW_WIB.slice(0, 10)).toBe(true);
    for (const id of result.withdrawn) {
      expect(w.getPartnership(id)).toBeUndefined();
      expect(listing.map((r) => r.id_kemitraan)).not.toContain(id);
    }
    expect(result.changedLicences.length).toBeGreaterThan(0);
    for (const id of result.changedLicences)
      expect(w.getLicence(id)!.kd_status).not.toBe(before.getLicence(id)!.kd_status);
    expect(w.withdrawFraction(0.6).length).toBeGreaterThan(listing.length * 0.4);
  });
});

describe('the OSS simulator over HTTP', () => {
  let sim: RunningSimulator;
  const dir = mkdtempSync(join(tmpdir(), 'oss-sim-'));
  const manifestPath = join(dir, 'manifest.json');

  beforeAll(async () => {
    sim = await startSimulator({ seed: 3, size: 'tiny', now: NOW, faults: { quota: null }, manifestPath });
  });
  afterAll(async () => {
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers listKemitraan in the contract envelope with paging meta', async () => {
    const a = await listKemitraan(sim, { halaman: 1, jumlah_per_halaman: 25 });
    expect(a.status).toBe(200);
    const body = a.json!.responlistKemitraan;
    expect(body).toMatchObject({ kode: 200, keterangan: 'Sukses' });
    const total = sim.manifest.counts.partnershipsInRegion;
    expect(body.meta).toEqual({
      halaman: 1,
      jumlah_per_halaman: 25,
      total_data: total,
      total_halaman: Math.ceil(total / 25),
    });
    expect(body.dataKemitraan).toHaveLength(25);
    expect(Object.keys(body.dataKemitraan[0]).sort()).toEqual(
      [
        'id_kemitraan',
        'nib_ub',
        'nama_ub',
        'id_proyek_ub',
        'kbli_ub',
        'nib_umkm',
        'nama_umkm',
        'kbli_umkm',
        'nik_umkm',
        'skala_usaha_umkm',
        'pola_kemitraan',
        'objek_kemitraan',
        'volume',
        'satuan',
        'periode_volume',
        'nilai_kemitraan',
        'tgl_kesepakatan',
        'tgl_mulai',
        'tgl_berakhir',
        'kd_daerah_pelaksanaan',
        'no_dokumen',
        'url_dokumen',
        'status_kemitraan',
        'tgl_pengajuan',
        'tgl_perubahan',
        'realisasi',
      ].sort(),
    );
    const beyond = await listKemitraan(sim, { halaman: body.meta.total_halaman + 1, jumlah_per_halaman: 25 });
    expect(beyond.json!.responlistKemitraan).toMatchObject({ kode: 200, dataKemitraan: [] });
  });

  it('pages through every partnership of the region once, ordered by (tgl_perubahan, id_kemitraan)', async () => {
    const records = await walk(sim, 37);
    const ids = records.map((r) => r.id_kemitraan);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(allOf(sim.world).map((r) => r.id_kemitraan));
    for (let i = 1; i < records.length; i++) expect(key(records[i - 1]!) < key(records[i]!)).toBe(true);
    const batch = sim.manifest.batches.kemitraan[0]!;
    expect(records.filter((r) => r.tgl_perubahan === batch.tgl_perubahan).length).toBeGreaterThan(100);
  });

  it('filters by an inclusive tgl_perubahan_mulai at second resolution', async () => {
    const all = allOf(sim.world);
    const pivot = all[40]!.tgl_perubahan;
    const from = await walk(sim, 500, pivot);
    expect(from[0]!.tgl_perubahan).toBe(pivot);
    expect(from.map((r) => r.id_kemitraan)).toEqual(
      all.filter((r) => r.tgl_perubahan >= pivot).map((r) => r.id_kemitraan),
    );
    const later = new Date(`${pivot.replace(' ', 'T')}+07:00`).getTime() + 1000;
    const next = new Date(later + 7 * 3600_000).toISOString().replace('T', ' ').slice(0, 19);
    const after = await walk(sim, 500, next);
    expect(after.every((r) => r.tgl_perubahan > pivot)).toBe(true);
    expect(after.length).toBe(all.filter((r) => r.tgl_perubahan > pivot).length);
  });

  it('filters partnerships by region prefix', async () => {
    const province = await listKemitraan(sim, { kd_daerah: '33', jumlah_per_halaman: 1 });
    const pati = await listKemitraan(sim, { kd_daerah: '3318', jumlah_per_halaman: 500 });
    expect(province.json!.responlistKemitraan.meta.total_data).toBe(sim.manifest.counts.partnerships);
    expect(pati.json!.responlistKemitraan.dataKemitraan.length).toBeGreaterThan(0);
    for (const r of pati.json!.responlistKemitraan.dataKemitraan) expect(r.kd_daerah_pelaksanaan).toMatch(/^3318/);
    expect((await listKemitraan(sim, { kd_daerah: '3201' })).json!.responlistKemitraan.meta.total_data).toBe(0);
  });

  it('serves listNIB ordered by (tgl_perubahan_nib, nib), inclusive by day, by domicile or project location', async () => {
    const first = await listNib(sim, { halaman: 1, jumlah_per_halaman: 500 });
    const body = first.json!.responlistNIB;
    expect(body).toMatchObject({ kode: 200, keterangan: 'Sukses' });
    expect(body.meta.total_data).toBe(sim.manifest.counts.businessesInRegion);
    const items: Array<{ nib: string; tgl_perubahan_nib: string }> = body.dataNIB;
    for (let i = 1; i < items.length; i++) {
      expect(
        `${items[i - 1]!.tgl_perubahan_nib}|${items[i - 1]!.nib}` < `${items[i]!.tgl_perubahan_nib}|${items[i]!.nib}`,
      ).toBe(true);
    }
    const day = items[60]!.tgl_perubahan_nib;
    const since = (await listNib(sim, { tgl_perubahan_mulai: day, jumlah_per_halaman: 500 })).json!.responlistNIB;
    expect(since.dataNIB[0].tgl_perubahan_nib).toBe(day);
    expect(since.meta.total_data).toBe(items.filter((i) => i.tgl_perubahan_nib >= day).length);
    const retail = sim.world.ubs.retail[0]!;
    expect(sim.world.getBusiness(retail.nib)!.perseroan_daerah_id).not.toMatch(/^3317/);
    expect(items.map((i) => i.nib)).toContain(retail.nib);
  });

  it('answers inqueryNIB with the dataNIB document, or kode 400 "Data NIB tidak ditemukan"', async () => {
    const nib = sim.world.ubs.fish[0]!.nib;
    const found = (await call(sim, 'inqueryNIB', { INQUERYNIB: { nib } })).json!.responinqueryNIB;
    expect(found).toMatchObject({ kode: 200, keterangan: 'Sukses', dataNIB: { nib, skala_usaha: '04' } });
    expect(found.dataNIB.data_proyek[0].data_lokasi_proyek[0].data_lokasi_proyek[0].lat_lng).toMatch(
      /^-6\.\d+,111\.\d+$/,
    );
    expect(found.dataNIB.data_checklist.length).toBeGreaterThan(0);
    const missing = await call(sim, 'inqueryNIB', { INQUERYNIB: { nib: '1234567890123' } });
    expect(missing.status).toBe(200);
    expect(missing.json).toEqual({
      responinqueryNIB: { kode: 400, keterangan: 'Data NIB tidak ditemukan', dataNIB: [] },
    });
  });

  it('answers checkLicenseStatus with dataIZIN, or kode 400 for an unknown id_izin', async () => {
    const planted = sim.manifest.planted.find((p) => p.rule === 'LICENCE_STATUS_UNKNOWN')!;
    const a = (await call(sim, 'checkLicenseStatus', { CHECKLICENSESTATUS: { id_izin: planted.entity_id } })).json!;
    expect(a.responcheckLicenseStatus).toMatchObject({
      kode: 200,
      dataIZIN: { id_izin: planted.entity_id, kd_status: '58' },
    });
    const none = (await call(sim, 'checkLicenseStatus', { CHECKLICENSESTATUS: { id_izin: 'I-000' } })).json!;
    expect(none.responcheckLicenseStatus).toMatchObject({ kode: 400, keterangan: 'Data izin tidak ditemukan' });
  });

  it('answers bad parameters with kode 400', async () => {
    for (const params of [
      { jumlah_per_halaman: 501 },
      { halaman: 0 },
      { kd_daerah: '331' },
      { tgl_perubahan_mulai: '2024-13-01 00:00:00' },
    ]) {
      const a = await listKemitraan(sim, params);
      expect(a.status).toBe(200);
      expect(a.json!.responlistKemitraan.kode, JSON.stringify(params)).toBe(400);
    }
    expect((await call(sim, 'listNIB', { WRONG: {} })).json!.responlistNIB.kode).toBe(400);
    expect((await call(sim, 'inqueryNIB', '{not json')).json!.responinqueryNIB.kode).toBe(400);
    expect((await call(sim, 'unknownMethod', {})).status).toBe(404);
  });

  it('answers HTTP 401 to a wrong key, and to the old key after rotation', async () => {
    const wrong = await call(sim, 'listKemitraan', { LISTKEMITRAAN: { kd_daerah: '3317' } }, 'not-the-key');
    expect(wrong.status).toBe(401);
    expect(wrong.json!.responlistKemitraan).toMatchObject({ kode: 401 });
    sim.control.rotateKey('rotated-key');
    try {
      expect((await call(sim, 'listNIB', { LISTNIB: { kd_daerah: '3317' } })).status).toBe(401);
      expect((await call(sim, 'listNIB', { LISTNIB: { kd_daerah: '3317' } }, 'rotated-key')).status).toBe(200);
    } finally {
      sim.control.rotateKey('sandbox-key');
    }
  });

  it('answers HTTP 429 with Retry-After past the quota', async () => {
    sim.control.setFaults({ quota: { rps: 0.5, burst: 2 } });
    try {
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await listNib(sim, {}));
      const limited = answers.filter((a) => a.status === 429);
      expect(limited.length).toBeGreaterThan(0);
      expect(Number(limited[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(sim.control.stats().rateLimited).toBeGreaterThan(0);
    } finally {
      sim.control.setFaults({ quota: null });
    }
  });

  it('injects 5xx, 504, body errors, resets and hangs', async () => {
    try {
      sim.control.setFaults({ errorRate: 1 });
      expect([500, 502, 503]).toContain((await listNib(sim, {})).status);
      sim.control.setFaults({ errorRate: 0, timeoutRate: 1 });
      const timeout = await listNib(sim, {});
      expect([timeout.status, timeout.json!.responlistNIB.kode]).toEqual([504, 504]);
      sim.control.setFaults({ timeoutRate: 0, bodyErrorRate: 1 });
      const body = await call(sim, 'inqueryNIB', { INQUERYNIB: { nib: sim.world.ubs.fish[0]!.nib } });
      expect(body.status).toBe(200);
      expect(body.json!.responinqueryNIB).toMatchObject({
        kode: 500,
        keterangan: 'Proses Payload Data Di Sistem OSS Gagal',
      });
      sim.control.setFaults({ bodyErrorRate: 0, resetRate: 1 });
      await expect(listNib(sim, {})).rejects.toThrow();
      sim.control.setFaults({ resetRate: 0, hangRate: 1 });
      await expect(
        call(sim, 'listNIB', { LISTNIB: { kd_daerah: '3317' } }, 'sandbox-key', AbortSignal.timeout(300)),
      ).rejects.toThrow();
      const faults = sim.control.stats().faults;
      expect(faults).toMatchObject({ error: 1, timeout: 1, bodyError: 1, reset: 1, hang: 1 });
    } finally {
      sim.control.setFaults({ errorRate: 0, timeoutRate: 0, bodyErrorRate: 0, resetRate: 0, hangRate: 0 });
    }
  });

  it('reproduces real payload quirks when asked', async () => {
    sim.control.setFaults({ quirks: true });
    try {
      const seen = new Set<string>();
      const nib = sim.world.ubs.retail[0]!.nib;
      const izin = sim.world.getBusiness(nib)!.data_checklist[0]!.id_izin;
      for (let i = 0; i < 16; i++) {
        const a = (await call(sim, 'inqueryNIB', { INQUERYNIB: { nib } })).json!.responinqueryNIB;
        if (typeof a.kode === 'string') seen.add('kode as string');
        if ('tipe_dokumen ' in a.dataNIB) seen.add('tipe_dokumen with a space');
        if (typeof a.dataNIB.total_modal_dasar === 'number') seen.add('numbers as numbers');
        const b = (await call(sim, 'checkLicenseStatus', { CHECKLICENSESTATUS: { id_izin: izin } })).json!;
        if ('responcheckStatusLicense' in b) seen.add('misspelled wrapper');
      }
      expect([...seen].sort()).toEqual([
        'kode as string',
        'misspelled wrapper',
        'numbers as numbers',
        'tipe_dokumen with a space',
      ]);
      const k = (await listKemitraan(sim, { jumlah_per_halaman: 5 })).json!.responlistKemitraan;
      expect(k.dataKemitraan[0]).toHaveProperty('keterangan_tambahan');
      expect(k.dataKemitraan[0].kbli_umkm).toMatch(/^\d{5}$/);
    } finally {
      sim.control.setFaults({ quirks: false });
    }
  });

  it('counts requests by method, HTTP status and body kode', async () => {
    sim.control.resetStats();
    await listNib(sim, {});
    await call(sim, 'inqueryNIB', { INQUERYNIB: { nib: '0000000000000' } });
    await call(sim, 'listNIB', {}, 'bad-key');
    const s = sim.control.stats();
    expect(s.requests).toBe(3);
    expect(s.byMethod).toEqual({ listNIB: 2, inqueryNIB: 1 });
    expect(s.byHttpStatus).toEqual({ 200: 2, 401: 1 });
    expect(s.byBodyKode).toEqual({ 200: 1, 400: 1, 401: 1 });
    expect(s.unauthorized).toBe(1);
  });

  it('writes the manifest to manifestPath', () => {
    expect(JSON.parse(readFileSync(manifestPath, 'utf8'))).toEqual(JSON.parse(JSON.stringify(sim.manifest)));
  });
});

describe('paging drift', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({
      seed: 4,
      size: 'tiny',
      now: NOW,
      faults: { quota: null, drift: { movesPerPage: 3 } },
    });
  });
  afterAll(() => sim.stop());

  it('moves records to a new tgl_perubahan while a client pages, so halaman-only paging skips some', async () => {
    const total = sim.manifest.counts.partnershipsInRegion;
    const naive = await walk(sim, 20);
    expect(sim.control.stats().driftMoves).toBeGreaterThan(0);
    const moved = allOf(sim.world).filter((r) => r.tgl_perubahan > NOW_WIB);
    expect(moved.length).toBeGreaterThan(0);
    expect(new Set(naive.map((r) => r.id_kemitraan)).size).toBeLessThan(total);
    expect(allOf(sim.world)).toHaveLength(total);
  });
});

describe('page cache and prewarm', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ seed: 6, size: 'tiny', now: NOW, faults: { quota: null }, prewarm: { pageSize: 50 } });
  });
  afterAll(() => sim.stop());

  it('pre-renders the listing, and serves changes as soon as they happen', async () => {
    const total = sim.manifest.counts.partnershipsInRegion;
    expect(await sim.control.prewarmed()).toBe(Math.ceil(total / 50));
    const before = await walk(sim, 50);
    expect(before.map((r) => r.id_kemitraan)).toEqual(allOf(sim.world).map((r) => r.id_kemitraan));
    const m = sim.control.mutate({
      partnerships: 3,
      businesses: 0,
      licences: 0,
      fixPlanted: 0,
      changePlanted: 0,
      withdraw: 2,
    });
    const after = await walk(sim, 50);
    expect(after).toHaveLength(total - 2);
    const tail = after.slice(-3).map((r) => r.id_kemitraan);
    expect([...tail].sort()).toEqual([...m.changedPartnerships].sort());
    for (const id of m.withdrawn) expect(after.map((r) => r.id_kemitraan)).not.toContain(id);
  });
});

describe('runSimulatorCommand', () => {
  it('serves until stopped and logs where', async () => {
    const lines: Array<{ obj: Loose; msg: string }> = [];
    const log = { info: (obj: Loose, msg: string) => lines.push({ obj, msg }) };
    const stop = new AbortController();
    const dir = mkdtempSync(join(tmpdir(), 'oss-sim-cli-'));
    const manifestPath = join(dir, 'm.json');
    const running = runSimulatorCommand(
      { port: 0, seed: 2, size: 'tiny', manifestPath, quotaRps: null, signal: stop.signal },
      log as never,
    );
    for (let i = 0; i < 200 && lines.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const url = lines[0]!.obj.url as string;
    expect((await listNib({ url }, {})).json!.responlistNIB.kode).toBe(200);
    expect(JSON.parse(readFileSync(manifestPath, 'utf8')).seed).toBe(2);
    stop.abort();
    await running;
    expect(lines.map((l) => l.msg)).toEqual([
      'OSS simulator listening (synthetic data, not real OSS)',
      'OSS simulator stopped',
    ]);
    await expect(listNib({ url }, {})).rejects.toThrow();
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('the simulator as a fake', () => {
  it('imports nothing from the importer it stands in for (its own headers, codes and formats)', () => {
    const dir = join(import.meta.dirname, '..', '..', 'src', 'simulator');
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(10);
    const offending = files.filter((f) => /from '(\.\.\/)+import\//.test(readFileSync(join(dir, f), 'utf8')));
    expect(offending).toEqual([]);
  });
});
