/*
 * Peluang kemitraan as the office uses it, on a planted world in the test's own database: large businesses (UB) of
 * Kabupaten Rembang and outside it, and UMKM with matching and non-matching KBLIs, in and out of the region,
 * already partnered or not, inactive, medium scale, or with findings. The list holds exactly the eligible UMKM per
 * UB, ranked by distance (computed here from the planted coordinates), unknown distance last, the same kecamatan
 * first among equals; marking a UMKM siap moves it to the top and records who, when, and an event; the xlsx opens in
 * exceljs; csv and table output; bad arguments and a broken supply-chain map exit 2.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchmakingCommand } from '../../src/cli/matchmaking.js';
import { loadConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import { loadReference } from '../../src/reference.js';
import { loadSupplyChainMap, MATCHMAKING_HEADERS, parseSupplyChainMap } from '../../src/report/matchmaking.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { silentLog } from '../helpers/sync.js';

let t: TestDatabase;
let rt: Parameters<typeof matchmakingCommand>[0];
const dir = mkdtempSync(join(tmpdir(), 'oss-sync-matchmaking-'));

interface Place {
  daerah: string;
  lat: number | null;
  lng: number | null;
}

interface Planted {
  nib: string;
  nama: string;
  /** Where each project location is (the first also gives the domicile unless `domicile` says otherwise). */
  places: Place[];
}

let serial = 0;
const nextNib = () => `91${String(++serial).padStart(11, '0')}`;
const META = { content_hash: 'planted', source: 'simulator' };
const kecOf = (daerah: string) => (daerah.length >= 6 ? daerah.slice(0, 6) : null);

/** A pelaku_usaha with one project per KBLI, each at the given places. */
async function plant(opts: {
  nama: string;
  skala: string;
  kbli: string[];
  places: Place[];
  domicile?: string;
  status?: string;
  deleted?: boolean;
  deletedProject?: boolean;
}): Promise<Planted> {
  const nib = nextNib();
  const domicile = opts.domicile ?? opts.places[0]?.daerah ?? '3317102025';
  await t.db('pelaku_usaha').insert({
    nib,
    nama_perseroan: opts.nama,
    skala_usaha: opts.skala,
    status_nib: opts.status ?? '01',
    perseroan_daerah_id: domicile,
    kd_kecamatan: kecOf(domicile),
    deleted_at: opts.deleted ? new Date() : null,
    ...META,
  });
  for (const [i, kbli] of opts.kbli.entries()) {
    const id = `R-2026${nib}${i}`;
    await t.db('proyek').insert({
      id_proyek: id,
      nib,
      kbli,
      skala_usaha: opts.skala,
      deleted_at: opts.deletedProject && i === 0 ? new Date() : null,
      ...META,
    });
    for (const [j, p] of opts.places.entries()) {
      await t.db('proyek_lokasi').insert({
        id_proyek_lokasi: `${id}-L${j}`,
        id_proyek: id,
        nib,
        proyek_daerah_id: p.daerah,
        kd_kecamatan: kecOf(p.daerah),
        lat: p.lat,
        lng: p.lng,
        ...META,
      });
    }
  }
  return { nib, nama: opts.nama, places: opts.places };
}

let partnership = 0;
async function partner(ub: Planted, umkm: Planted, kbliUb: string, deleted = false): Promise<void> {
  await t.db('kemitraan').insert({
    id_kemitraan: `K-20260101${String(++partnership).padStart(6, '0')}`,
    nib_ub: ub.nib,
    nama_ub: ub.nama,
    kbli_ub: kbliUb,
    nib_umkm: umkm.nib,
    nama_umkm: umkm.nama,
    status_kemitraan: '03',
    deleted_at: deleted ? new Date() : null,
    ...META,
  });
}

async function finding(entityType: string, entityId: string, severity: string, status: string): Promise<void> {
  const now = new Date();
  await t.db('findings').insert({
    rule_code: `PLANTED_${severity.toUpperCase()}`,
    severity,
    entity_type: entityType,
    entity_id: entityId,
    status,
    message: 'temuan tanam',
    evidence: {},
    evidence_hash: `${entityId}-${severity}-${status}`,
    first_seen_at: now,
    last_seen_at: now,
    status_changed_at: now,
  });
}

/** The great-circle distance in km between two planted places, computed independently of the SQL. */
function haversine(a: Place, b: Place): number {
  const rad = (d: number) => (d * Math.PI) / 180;
  const [lat1, lng1, lat2, lng2] = [a.lat, a.lng, b.lat, b.lng].map((v) => rad(v as number)) as number[];
  const h = Math.sin((lat2! - lat1!) / 2) ** 2 + Math.cos(lat1!) * Math.cos(lat2!) * Math.sin((lng2! - lng1!) / 2) ** 2;
  return 2 * 6371.0088 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The nearest pair of places with coordinates (UB places in the region only), or null. */
function nearest(ub: Planted, umkm: Planted): number | null {
  const ds = ub.places
    .filter((p) => p.daerah.startsWith('3317') && p.lat !== null)
    .flatMap((a) => umkm.places.filter((b) => b.lat !== null).map((b) => haversine(a, b)));
  return ds.length ? Math.min(...ds) : null;
}

async function run(...words: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await matchmakingCommand(rt, words, {
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
  });
  return { code, stdout, stderr };
}

/** The csv as a spreadsheet reads it: rows of cells. */
const csvRows = (text: string, delimiter = ';'): string[][] =>
  parse(text, { delimiter, bom: true, relaxQuotes: false });

// The world. Rembang: Tasikagung (Kec. Rembang) 3317102025, Sarang 3317052023, Lasem 3317142005, Kragan
// 3317122012, Kaliori 3317092001, Sluke 3317132010, Gunem 3317032001, Sale 3317042001; outside: Blora 3316…, Jepara 3320….
const at = (daerah: string, lat: number | null, lng: number | null): Place => ({ daerah, lat, lng });

let fishUb: Planted;
let cementUb: Planted;
let saltUb: Planted;
let outsideUb: Planted;
/** The eligible UMKM of each UB; the rest are planted to be left out. */
const eligible: Record<string, Planted[]> = {};
let sarang: Planted;
let tasik: Planted;
let kragan: Planted;
let teri: Planted;
let kapur: Planted;
let formulaName: Planted;

beforeAll(async () => {
  t = await createTestDatabase('matchmaking');
  rt = { db: t.db, config: loadConfig({ DATABASE_URL: t.url, OSS_KD_DAERAH: '3317' }), log: silentLog };

  fishUb = await plant({
    nama: 'PT SAMUDRA REMBANG LESTARI',
    skala: '04',
    kbli: ['10213'],
    places: [at('3317102025', -6.7, 111.35)],
  });
  cementUb = await plant({
    nama: 'PT SEMEN GUNEM INDONESIA',
    skala: '04',
    kbli: ['23941'],
    places: [at('3317032001', -6.86, 111.47)],
  });
  // A UB only through its partnership (its NIB says Menengah; its project KBLI, warehousing, is in no chain).
  saltUb = await plant({
    nama: 'PT GARAM NUSANTARA',
    skala: '03',
    kbli: ['52101'],
    places: [at('3317092001', -6.72, 111.26)],
  });
  // A fish processor with projects outside the region only: not a UB of Rembang.
  outsideUb = await plant({
    nama: 'PT IKAN BLORA',
    skala: '04',
    kbli: ['10213'],
    places: [at('3316012001', -6.97, 111.41)],
  });

  // Eligible for the fish processor.
  tasik = await plant({
    nama: 'UD RAJUNGAN TASIK',
    skala: '02',
    kbli: ['03112'],
    places: [at('3317102025', -6.705, 111.355)],
  });
  sarang = await plant({
    nama: 'KUB NELAYAN SARANG',
    skala: '01',
    kbli: ['03111'],
    places: [at('3317052023', -6.735, 111.66)],
  });
  // Domiciled in Blora, fishing from Kragan: a project location in the region is enough.
  const fromBlora = await plant({
    nama: 'NELAYAN BLORA DI KRAGAN',
    skala: '01',
    kbli: ['03111'],
    domicile: '3316012001',
    places: [at('3317122012', -6.715, 111.54)],
  });
  const withdrawnPartner = await plant({
    nama: 'NELAYAN MITRA DITARIK',
    skala: '01',
    kbli: ['03111'],
    places: [at('3317142005', -6.695, 111.43)],
  });
  formulaName = await plant({
    nama: '=SUM(1+1) NELAYAN KALIORI',
    skala: '01',
    kbli: ['03251'],
    places: [at('3317092001', -6.73, 111.27)],
  });
  const warningOnly = await plant({
    nama: 'NELAYAN SLUKE',
    skala: '01',
    kbli: ['03111'],
    places: [at('3317132010', -6.71, 111.49)],
  });
  const dismissedError = await plant({
    nama: 'NELAYAN LASEM',
    skala: '02',
    kbli: ['03221'],
    places: [at('3317142005', -6.69, 111.445)],
  });
  // No coordinates: unknown distance, last; the one in the UB's kecamatan before the other.
  kragan = await plant({
    nama: 'KUB MINA KRAGAN',
    skala: '01',
    kbli: ['03111'],
    places: [at('3317122012', null, null)],
  });
  teri = await plant({ nama: 'UD TERI TASIK', skala: '01', kbli: ['03111'], places: [at('3317102025', null, null)] });

  // Left out for the fish processor: each fails one condition.
  await plant({ nama: 'NELAYAN JEPARA', skala: '01', kbli: ['03111'], places: [at('3320012001', -6.59, 110.67)] });
  const partnered = await plant({
    nama: 'NELAYAN SUDAH MITRA',
    skala: '01',
    kbli: ['03111'],
    places: [at('3317052023', -6.73, 111.65)],
  });
  await plant({
    nama: 'NELAYAN NIB DICABUT',
    skala: '01',
    kbli: ['03111'],
    status: '06',
    places: [at('3317052023', -6.73, 111.64)],
  });
  await plant({
    nama: 'NELAYAN BELUM AKTIF',
    skala: '01',
    kbli: ['03111'],
    status: '02',
    places: [at('3317052023', -6.73, 111.63)],
  });
  await plant({ nama: 'UD MENENGAH', skala: '03', kbli: ['03111'], places: [at('3317102025', -6.7, 111.36)] });
  const errorOnNib = await plant({
    nama: 'NELAYAN TEMUAN NIB',
    skala: '01',
    kbli: ['03111'],
    places: [at('3317102025', -6.7, 111.351)],
  });
  const errorOnProject = await plant({
    nama: 'NELAYAN TEMUAN PROYEK',
    skala: '01',
    kbli: ['03112'],
    places: [at('3317102025', -6.701, 111.351)],
  });
  await plant({ nama: 'TOKO KELONTONG', skala: '01', kbli: ['47112'], places: [at('3317102025', -6.7, 111.352)] });
  await plant({
    nama: 'NELAYAN DIHAPUS',
    skala: '01',
    kbli: ['03111'],
    deleted: true,
    places: [at('3317102025', -6.7, 111.353)],
  });
  await plant({
    nama: 'NELAYAN PROYEK DITARIK',
    skala: '01',
    kbli: ['03111', '47112'],
    deletedProject: true,
    places: [at('3317102025', -6.7, 111.354)],
  });
  // A batik maker: modern retail would take it, and the region has no modern retailer in this world.
  await plant({ nama: 'BATIK LASEM SEKAR', skala: '01', kbli: ['13134'], places: [at('3317142005', -6.69, 111.44)] });

  await partner(fishUb, partnered, '10213');
  await partner(fishUb, withdrawnPartner, '10213', true);
  await finding('pelaku_usaha', errorOnNib.nib, 'error', 'open');
  await finding('proyek', `R-2026${errorOnProject.nib}0`, 'error', 'confirmed');
  await finding('pelaku_usaha', warningOnly.nib, 'warning', 'open');
  await finding('pelaku_usaha', dismissedError.nib, 'error', 'dismissed');

  // The cement plant: a limestone quarry and a trucker.
  kapur = await plant({
    nama: 'CV KAPUR GUNEM',
    skala: '02',
    kbli: ['08102'],
    places: [at('3317032001', -6.87, 111.48)],
  });
  const truck = await plant({
    nama: 'UD ANGKUTAN SALE',
    skala: '01',
    kbli: ['49431'],
    places: [at('3317042001', -6.9, 111.53)],
  });

  // The salt company's KBLI comes from its partnership's kbli_ub.
  const saltPartner = await plant({
    nama: 'PETAMBAK MITRA',
    skala: '01',
    kbli: ['08930'],
    places: [at('3317092001', -6.725, 111.262)],
  });
  await partner(saltUb, saltPartner, '10774');
  const saltFarmer = await plant({
    nama: 'PETAMBAK GARAM KALIORI',
    skala: '01',
    kbli: ['08930'],
    places: [at('3317092001', -6.725, 111.255)],
  });

  eligible[fishUb.nib] = [
    tasik,
    sarang,
    fromBlora,
    withdrawnPartner,
    formulaName,
    warningOnly,
    dismissedError,
    kragan,
    teri,
  ];
  eligible[cementUb.nib] = [kapur, truck];
  eligible[saltUb.nib] = [saltFarmer];
});

afterAll(async () => {
  await t?.drop();
});

/** The expected order of a UB's list without markings: by distance, unknown last, the UB's kecamatan first. */
function expectedOrder(ub: Planted): string[] {
  const ubKec = ub.places.map((p) => kecOf(p.daerah));
  return [...(eligible[ub.nib] ?? [])]
    .map((u) => ({ u, d: nearest(ub, u), same: u.places.some((p) => ubKec.includes(kecOf(p.daerah))) }))
    .sort(
      (a, b) =>
        (a.d ?? Number.POSITIVE_INFINITY) - (b.d ?? Number.POSITIVE_INFINITY) || Number(b.same) - Number(a.same),
    )
    .map((x) => x.u.nib);
}

describe('oss-sync matchmaking', () => {
  it('lists exactly the eligible UMKM per UB of the region, ranked by distance', async () => {
    const ran = await run('--format', 'csv');
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    const [header, ...rows] = csvRows(ran.stdout);
    expect(header).toEqual([...MATCHMAKING_HEADERS]);
    const col = (name: string) => MATCHMAKING_HEADERS.indexOf(name);
    const listed: Record<string, string[]> = {};
    for (const r of rows) {
      const ub = r[col('NIB UB')] as string;
      listed[ub] = [...(listed[ub] ?? []), r[col('NIB')] as string];
    }
    // Every UB of the region with candidates, none from outside it; within each, exactly the eligible, in order.
    expect(Object.keys(listed).sort()).toEqual([fishUb.nib, cementUb.nib, saltUb.nib].sort());
    expect(listed[outsideUb.nib]).toBeUndefined();
    for (const ub of [fishUb, cementUb, saltUb]) expect(listed[ub.nib], ub.nama).toEqual(expectedOrder(ub));
    // UBs by name; ranks restart per UB.
    expect([...new Set(rows.map((r) => r[col('UB')]))]).toEqual([
      'PT GARAM NUSANTARA',
      'PT SAMUDRA REMBANG LESTARI',
      'PT SEMEN GUNEM INDONESIA',
    ]);
    const fish = rows.filter((r) => r[col('NIB UB')] === fishUb.nib);
    expect(fish.map((r) => r[col('No')])).toEqual(fish.map((_, i) => String(i + 1)));
    // The distance shown is the haversine distance of the nearest project locations (one decimal, comma).
    for (const r of fish) {
      const umkm = eligible[fishUb.nib]?.find((u) => u.nib === r[col('NIB')]) as Planted;
      const d = nearest(fishUb, umkm);
      expect(r[col('Jarak (km)')], umkm.nama).toBe(d === null ? '' : String(Math.round(d * 10) / 10).replace('.', ','));
    }
    // The unknown distances come last, the one in the UB's kecamatan (Rembang) before the one in Kragan.
    expect(fish.slice(-2).map((r) => r[col('NIB')])).toEqual([teri.nib, kragan.nib]);
  });

  it('says why each UMKM matches, in Indonesian', async () => {
    const ran = await run('--ub', fishUb.nib, '--format', 'csv');
    const [header, ...rows] = csvRows(ran.stdout);
    const cell = (nib: string, name: string) =>
      rows.find((r) => r[header!.indexOf('NIB')] === nib)?.[header!.indexOf(name)];
    const km = String(Math.round((nearest(fishUb, tasik) as number) * 10) / 10).replace('.', ',');
    expect(cell(tasik.nib, 'Alasan')).toBe(
      `KBLI 03112 Penangkapan Crustacea di Laut memasok 10213 Industri Pembekuan Ikan; ${km} km; Kec. Rembang, sekecamatan dengan UB; kesiapan belum dinilai`,
    );
    expect(cell(kragan.nib, 'Alasan')).toBe(
      'KBLI 03111 Penangkapan Pisces/Ikan Bersirip di Laut memasok 10213 Industri Pembekuan Ikan; jarak belum diketahui (tanpa koordinat); Kec. Kragan; kesiapan belum dinilai',
    );
    expect(cell(sarang.nib, 'Judul KBLI')).toBe(loadReference().kbli['03111']);
    expect(cell(sarang.nib, 'Kecamatan')).toBe('Sarang');
    expect(cell(sarang.nib, 'Skala')).toBe('01 Mikro');
    // A name that is a formula to a spreadsheet stays text.
    expect(cell(formulaName.nib, 'UMKM')).toBe("'=SUM(1+1) NELAYAN KALIORI");
    // Only the fish processor's list.
    expect(new Set(rows.map((r) => r[header!.indexOf('NIB UB')]))).toEqual(new Set([fishUb.nib]));
  });

  it('marking a UMKM siap records who and when, appends an event, and ranks it first', async () => {
    const first = await run(
      'mark',
      sarang.nib,
      '--belum-siap',
      '--by',
      'Sri Wahyuni',
      '--note',
      'belum punya cold box',
    );
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(
      new RegExp(
        `^UMKM ${sarang.nib} \\(KUB NELAYAN SARANG\\) dicatat belum siap bermitra oleh Sri Wahyuni, \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} WIB: "belum punya cold box"\\.\n$`,
      ),
    );
    const second = await run('mark', sarang.nib, '--siap', '--by', 'Budi Santoso', '--note', 'cold box sudah ada');
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('(sebelumnya: belum siap bermitra, dicatat oleh Sri Wahyuni)');

    const row = await t.db('umkm_readiness').where({ nib: sarang.nib }).first();
    expect(row).toMatchObject({ status: 'siap', note: 'cold box sudah ada', marked_by: 'Budi Santoso' });
    expect(row.marked_at).toBeInstanceOf(Date);
    const events = await t.db('umkm_readiness_events').where({ nib: sarang.nib }).orderBy('id');
    expect(events.map((e) => [e.from_status, e.to_status, e.marked_by, e.note])).toEqual([
      [null, 'belum_siap', 'Sri Wahyuni', 'belum punya cold box'],
      ['belum_siap', 'siap', 'Budi Santoso', 'cold box sudah ada'],
    ]);
    expect(events[1].marked_at).toEqual(row.marked_at);
    await expect(t.db('umkm_readiness_events').where({ nib: sarang.nib }).del()).rejects.toThrow(/append-only/);

    expect((await run('mark', tasik.nib, '--belum-siap', '--by', 'Sri Wahyuni')).code).toBe(0);
    expect((await run('mark', kapur.nib, '--siap', '--by', 'Sri Wahyuni')).code).toBe(0);

    const ran = await run('--ub', fishUb.nib, '--format', 'csv');
    const [header, ...rows] = csvRows(ran.stdout);
    const nibs = rows.map((r) => r[header!.indexOf('NIB')]);
    // Siap first; belum siap keeps its place by distance among the rest.
    expect(nibs).toEqual([sarang.nib, ...expectedOrder(fishUb).filter((n) => n !== sarang.nib)]);
    const top = rows[0] as string[];
    expect(top[header!.indexOf('Status Kesiapan')]).toBe('Siap bermitra');
    expect(top[header!.indexOf('Dicatat Oleh')]).toBe('Budi Santoso');
    expect(top[header!.indexOf('Catatan')]).toBe('cold box sudah ada');
    expect(top[header!.indexOf('Tanggal')]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(top[header!.indexOf('Alasan')]).toMatch(
      /; Kec\. Sarang; siap bermitra \(dicatat oleh Budi Santoso, \d{4}-\d{2}-\d{2} \d{2}:\d{2} WIB: cold box sudah ada\)$/,
    );
    expect(rows[1]?.[header!.indexOf('Status Kesiapan')]).toBe('Belum siap');

    // The analyst sees the current judgement, with its history counted, and nothing of the base tables.
    const seen = await t.db.transaction(async (trx) => {
      await trx.raw('set local role oss_analyst');
      return (await trx.raw('select * from analytics.kesiapan_umkm order by nib')).rows;
    });
    expect(seen.find((r: { nib: string }) => r.nib === sarang.nib)).toMatchObject({
      nama: 'KUB NELAYAN SARANG',
      kecamatan: 'Sarang',
      status_kesiapan: 'siap',
      dicatat_oleh: 'Budi Santoso',
      jumlah_pencatatan: 2,
    });
    expect(seen).toHaveLength(3);
  });

  it('exports the ready list as the xlsx for the ministry and the large businesses', async () => {
    const file = join(dir, 'siap.xlsx');
    const ran = await run('--siap-saja', '--format', 'xlsx', '--output', file);
    expect(ran.code).toBe(0);
    expect(ran.stderr).toBe(`2 UMKM untuk 2 usaha besar ditulis ke ${file}\n`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Peluang Kemitraan', 'Keterangan', 'Rantai Pasok']);
    const ws = wb.getWorksheet('Peluang Kemitraan') as ExcelJS.Worksheet;
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual([...MATCHMAKING_HEADERS]);
    expect(ws.rowCount).toBe(3);
    const value = (r: number, name: string) => ws.getRow(r).getCell(MATCHMAKING_HEADERS.indexOf(name) + 1).value;
    expect([value(2, 'UB'), value(2, 'UMKM'), value(2, 'NIB'), value(2, 'No')]).toEqual([
      'PT SAMUDRA REMBANG LESTARI',
      'KUB NELAYAN SARANG',
      sarang.nib,
      1,
    ]);
    expect(value(2, 'Jarak (km)')).toBe(Math.round((nearest(fishUb, sarang) as number) * 10) / 10);
    expect(value(2, 'Tanggal')).toBeInstanceOf(Date);
    expect(value(2, 'KBLI')).toBe('03111');
    expect(value(2, 'Status Kesiapan')).toBe('Siap bermitra');
    expect([value(3, 'UB'), value(3, 'UMKM'), value(3, 'Dicatat Oleh')]).toEqual([
      'PT SEMEN GUNEM INDONESIA',
      'CV KAPUR GUNEM',
      'Sri Wahyuni',
    ]);
    expect(String(value(3, 'Alasan'))).toMatch(
      /^KBLI 08102 Penggalian Batu Kapur\/Gamping memasok 23941 Industri Semen; \d+,\d km; Kec\. Gunem, sekecamatan dengan UB; siap bermitra/,
    );
    const chains = wb.getWorksheet('Rantai Pasok') as ExcelJS.Worksheet;
    expect(chains.rowCount).toBe(1 + loadSupplyChainMap().chains.length);
    const about = wb.getWorksheet('Keterangan') as ExcelJS.Worksheet;
    expect(about.getColumn(2).values).toContain('hanya UMKM yang dicatat siap bermitra');
    expect(about.getColumn(2).values).toContain('Kabupaten Rembang (3317)');
  });

  it('prints a table per UB and writes csv with a comma on request', async () => {
    const ran = await run();
    expect(ran.code).toBe(0);
    const out = ran.stdout;
    expect(out).toMatch(/^Peluang kemitraan, Kabupaten Rembang \(3317\): 12 UMKM untuk 3 usaha besar\n/);
    expect(out).toContain(`PT SAMUDRA REMBANG LESTARI · NIB ${fishUb.nib} · Kec. Rembang: 9 UMKM`);
    expect(out).toContain(`PT SEMEN GUNEM INDONESIA · NIB ${cementUb.nib} · Kec. Gunem: 2 UMKM`);
    // The fish processor's rows in the ranked order.
    const block = out.slice(out.indexOf('PT SAMUDRA'), out.indexOf('PT SEMEN'));
    const order = [sarang.nib, ...expectedOrder(fishUb).filter((n) => n !== sarang.nib)];
    const positions = order.map((nib) => block.indexOf(nib));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(out).toContain('oss-sync matchmaking mark NIB --siap|--belum-siap --by NAMA');

    const none = await run('--ub', saltUb.nib, '--siap-saja');
    expect(none.stdout).toBe(
      `Tidak ada UMKM siap bermitra untuk UB ${saltUb.nib} di Kabupaten Rembang (3317) yang memenuhi syarat peluang kemitraan.\n`,
    );

    const file = join(dir, 'daftar.csv');
    const comma = await run('--format', 'csv', '--delimiter', ',', '--output', file, '--ub', cementUb.nib);
    expect(comma.code).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith(`\uFEFF${MATCHMAKING_HEADERS.join(',')}\r\n`)).toBe(true);
    expect(text).toContain(`,${kapur.nib},02 Kecil,08102,Penggalian Batu Kapur/Gamping,Gunem,`);
  });

  it('refuses bad arguments with exit 2 and a reason', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--ub', '123'], /--ub harus NIB 13 digit, bukan "123"/],
      [
        ['--ub', outsideUb.nib],
        new RegExp(`NIB ${outsideUb.nib} bukan usaha besar dengan proyek di Kabupaten Rembang`),
      ],
      [['--format', 'pdf'], /nilai 'pdf' tidak sah untuk '--format <format>': pilihan table, csv, xlsx/],
      [['stray'], /terlalu banyak argumen/],
      [['--bogus'], /opsi tidak dikenal '--bogus'/],
      [['mark'], /argumen 'nib' wajib diisi/],
      [['mark', sarang.nib, '--by', 'Sri'], /mark perlu --siap atau --belum-siap/],
      [['mark', sarang.nib, '--siap', '--belum-siap', '--by', 'Sri'], /pilih salah satu: --siap atau --belum-siap/],
      [['mark', sarang.nib, '--siap'], /mark perlu --by NAMA/],
      [['mark', sarang.nib, '--siap', '--by', '  '], /mark perlu --by NAMA/],
      [['mark', '12345', '--siap', '--by', 'Sri'], /"12345" bukan NIB \(13 digit\)/],
      [['mark', '9999999999999', '--siap', '--by', 'Sri'], /NIB 9999999999999 tidak ada di data tersinkron/],
      [['mark', sarang.nib, '--siap', '--by', 'Sri', '--format', 'csv'], /opsi tidak dikenal '--format'/],
    ];
    for (const [words, message] of cases) {
      const ran = await run(...words);
      expect(ran.code, words.join(' ')).toBe(2);
      expect(ran.stderr, words.join(' ')).toMatch(/^oss-sync matchmaking: galat: /);
      expect(ran.stderr, words.join(' ')).toMatch(message);
      expect(ran.stdout).toBe('');
    }
    // Nothing was recorded by the refused markings.
    expect(await t.db('umkm_readiness_events').where({ nib: sarang.nib }).count({ n: '*' })).toEqual([{ n: 2 }]);
  });

  it('a mistyped supply-chain map is refused, naming the entry at fault', () => {
    const map = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'config', 'supply-chains.json'), 'utf8'));
    const titles = loadReference().kbli;
    expect(parseSupplyChainMap(map, 'peta', titles).chains.map((c) => c.id)).toEqual([
      'ikan',
      'garam',
      'semen',
      'ritel',
    ]);
    const broken = structuredClone(map);
    broken.chains[2].mitra_kbli[1] = '0810x';
    broken.chains[1].hubungan = 'pasok';
    broken.chains[3].partner_kbli = ['10794'];
    const problems = (() => {
      try {
        parseSupplyChainMap(broken, 'peta', titles);
        return [];
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as ConfigError).problems;
      }
    })();
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^peta: chains\[2\] \(semen\) → mitra_kbli\[1\]: harus kode KBLI 5 digit atau awalan/),
        expect.stringMatching(
          /^peta: chains\[1\] \(garam\) → hubungan: harus salah satu dari memasok, menjual_melalui/,
        ),
        expect.stringMatching(/^peta: chains\[3\] \(ritel\).*partner_kbli/),
      ]),
    );
    const typo = structuredClone(map);
    typo.chains[0].mitra_kbli.push('03119');
    typo.chains.push({ ...typo.chains[1] });
    expect(() => parseSupplyChainMap(typo, 'peta', titles)).toThrow(ConfigError);
    try {
      parseSupplyChainMap(typo, 'peta', titles);
    } catch (err) {
      expect((err as ConfigError).problems).toEqual([
        'peta: chains[0] (ikan) → mitra_kbli[4]: KBLI 03119 tidak ada di config/reference/kbli.json; bila kodenya benar, tambahkan judulnya di kbli_judul',
        'peta: chains[4] (garam): id sama dengan chains[1]',
      ]);
    }
  });
});
