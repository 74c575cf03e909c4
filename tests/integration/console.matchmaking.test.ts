/*
 * The console's Peluang kemitraan page over HTTP, as a browser without JavaScript uses it, on the sandbox world served
 * by a real `serve` with a planted fish processor of Kabupaten Rembang and UMKM around it (eligible ones near, far,
 * without coordinates and with a hostile name; left-out ones outside the region, already partnered, medium scale or
 * with an open error finding). The page lists exactly the rows of `oss-sync matchmaking`, in its order, across pages;
 * a verifier's marking is recorded under the signed-in user (with an event and an audit row) and ranks the UMKM
 * first; a viewer sees no forms and a viewer's forged post is refused with nothing written; the xlsx and csv are the
 * CLI's for the same filters.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchmakingCommand } from '../../src/cli/matchmaking.js';
import { loadConfig } from '../../src/config.js';
import { fmtDecimal } from '../../src/domain/format.js';
import { loadSupplyChainMap, MATCHMAKING_HEADERS } from '../../src/report/matchmaking.js';
import { type ConsoleWorld, startConsoleWorld } from '../helpers/browser.js';
import { type ConsoleClient, signInUsers, textOf } from '../helpers/consoleClient.js';
import { silentLog } from '../helpers/sync.js';

// ---------------------------------------------------------------------------------------------------------------
// The planted world (the approach of tests/integration/matchmaking.test.ts): businesses with one project per KBLI.

interface Place {
  daerah: string;
  lat: number | null;
  lng: number | null;
}
interface Planted {
  nib: string;
  nama: string;
}

let world: ConsoleWorld;
let serial = 0;
/** Planted NIBs start with 77: the sandbox world has none (checked before planting). */
const nextNib = () => `77${String(++serial).padStart(11, '0')}`;
const META = { content_hash: 'planted', source: 'simulator' };
const kecOf = (daerah: string) => (daerah.length >= 6 ? daerah.slice(0, 6) : null);
const at = (daerah: string, lat: number | null, lng: number | null): Place => ({ daerah, lat, lng });

async function plant(opts: { nama: string; skala: string; kbli: string[]; places: Place[]; status?: string }) {
  const nib = nextNib();
  const domicile = opts.places[0]?.daerah ?? '3317102025';
  await world.db('pelaku_usaha').insert({
    nib,
    nama_perseroan: opts.nama,
    skala_usaha: opts.skala,
    status_nib: opts.status ?? '01',
    perseroan_daerah_id: domicile,
    kd_kecamatan: kecOf(domicile),
    ...META,
  });
  for (const [i, kbli] of opts.kbli.entries()) {
    const id = `R-2026${nib}${i}`;
    await world.db('proyek').insert({ id_proyek: id, nib, kbli, skala_usaha: opts.skala, ...META });
    for (const [j, p] of opts.places.entries()) {
      await world.db('proyek_lokasi').insert({
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
  return { nib, nama: opts.nama };
}

/** The great-circle distance in km, computed independently of the SQL. */
function haversine(a: Place, b: Place): number {
  const rad = (d: number) => (d * Math.PI) / 180;
  const [lat1, lng1, lat2, lng2] = [a.lat, a.lng, b.lat, b.lng].map((v) => rad(v as number)) as number[];
  const h = Math.sin((lat2! - lat1!) / 2) ** 2 + Math.cos(lat1!) * Math.cos(lat2!) * Math.sin((lng2! - lng1!) / 2) ** 2;
  return 2 * 6371.0088 * Math.asin(Math.min(1, Math.sqrt(h)));
}

const UB_PLACE = at('3317102025', -6.7, 111.35);
const NEAR_PLACE = at('3317102025', -6.705, 111.355);
const FAR_PLACE = at('3317052023', -6.735, 111.66);
/** Enough eligible UMKM that the planted UB's list runs past one page. */
const CROWD = 55;

let ub: Planted;
let near: Planted;
let far: Planted;
let noCoords: Planted;
let hostile: Planted;
const leftOut: Planted[] = [];

let admin: ConsoleClient;
let vera: ConsoleClient;
let budi: ConsoleClient;
let rt: Parameters<typeof matchmakingCommand>[0];

async function cliRun(...words: string[]) {
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
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return stdout;
}

/** The CLI's list as [NIB UB, No, NIB UMKM] rows. */
async function cliRows(...words: string[]): Promise<string[][]> {
  const csv = await cliRun('--format', 'csv', ...words);
  const lines = csv.trim().split('\r\n').slice(1);
  const col = (name: string) => MATCHMAKING_HEADERS.indexOf(name);
  // The three columns are plain digits: the first cells of a line, split before any quoted text.
  return lines.map((l) => {
    const cells = l.split(';');
    return [cells[col('NIB UB')]!, cells[col('No')]!, cells[col('NIB')]!];
  });
}

/** The page's list as [NIB UB, No, NIB UMKM] rows, in page order, through every page. */
async function pageRows(c: ConsoleClient, query: string): Promise<string[][]> {
  const out: string[][] = [];
  let path: string | null = `/peluang-kemitraan${query}`;
  while (path) {
    const page = await c.get(path);
    expect(page.status, path).toBe(200);
    let ubNib = '';
    const re =
      /id="ub-(\d{13})"|<td data-label="No" class="num"><div>([\d.]+)<\/div><\/td><td data-label="UMKM"><div><strong>[\s\S]*?href="\/pelaku-usaha\/(\d{13})"/g;
    for (const m of page.html.matchAll(re)) {
      if (m[1]) ubNib = m[1];
      else out.push([ubNib, m[2]!.replace(/\./g, ''), m[3]!]);
    }
    const next = /<a rel="next" href="([^"]+)"/.exec(page.html);
    path = next ? next[1]!.replace(/&amp;/g, '&') : null;
  }
  return out;
}

/** One UMKM's row of a UB's list (its markup), on whichever page it is. */
async function findRow(
  c: ConsoleClient,
  ubNib: string,
  nib: string,
): Promise<{ html: string; text: string; page: number }> {
  for (let page = 1; page < 20; page++) {
    const res = await c.get(`/peluang-kemitraan?ub=${ubNib}&halaman=${page}`);
    const at = res.html.indexOf(`href="/pelaku-usaha/${nib}"`);
    if (at >= 0) {
      const start = res.html.lastIndexOf('<tr>', at);
      const html = res.html.slice(start, res.html.indexOf('</tr>', at) + 5);
      return { html, text: textOf(html), page };
    }
    if (!res.html.includes('rel="next"')) break;
  }
  throw new Error(`no row of ${nib} in the list of ${ubNib}`);
}

beforeAll(async () => {
  world = await startConsoleWorld('peluang');
  rt = {
    db: world.db,
    config: loadConfig({ DATABASE_URL: world.env.DATABASE_URL!, TZ: 'Asia/Jakarta' }),
    log: silentLog,
  };
  expect(await world.db('pelaku_usaha').where('nib', 'like', '77%').count({ n: '*' })).toEqual([{ n: 0 }]);

  ub = await plant({ nama: 'PT UJI PERIKANAN REMBANG', skala: '04', kbli: ['10213'], places: [UB_PLACE] });
  near = await plant({ nama: 'UD UJI RAJUNGAN DEKAT', skala: '02', kbli: ['03112'], places: [NEAR_PLACE] });
  far = await plant({ nama: 'KUB UJI NELAYAN JAUH', skala: '01', kbli: ['03111'], places: [FAR_PLACE] });
  noCoords = await plant({
    nama: 'UD UJI TANPA KOORDINAT',
    skala: '01',
    kbli: ['03111'],
    places: [at('3317122012', null, null)],
  });
  hostile = await plant({
    nama: 'UD <i>UJI</i> & "KUTIP"',
    skala: '01',
    kbli: ['03111'],
    places: [at('3317142005', -6.69, 111.44)],
  });
  for (let i = 1; i <= CROWD; i++) {
    await plant({
      nama: `UD UJI NELAYAN ${String(i).padStart(2, '0')}`,
      skala: '01',
      kbli: ['03111'],
      places: [at('3317052023', -6.72 - i / 1000, 111.6)],
    });
  }
  leftOut.push(
    await plant({
      nama: 'UJI NELAYAN JEPARA',
      skala: '01',
      kbli: ['03111'],
      places: [at('3320012001', -6.59, 110.67)],
    }),
    await plant({ nama: 'UJI MENENGAH', skala: '03', kbli: ['03111'], places: [NEAR_PLACE] }),
    await plant({ nama: 'UJI NIB DICABUT', skala: '01', kbli: ['03111'], status: '06', places: [NEAR_PLACE] }),
  );
  const partnered = await plant({ nama: 'UJI SUDAH MITRA', skala: '01', kbli: ['03111'], places: [NEAR_PLACE] });
  leftOut.push(partnered);
  await world.db('kemitraan').insert({
    id_kemitraan: 'K-20260101770001',
    nib_ub: ub.nib,
    nama_ub: ub.nama,
    kbli_ub: '10213',
    nib_umkm: partnered.nib,
    nama_umkm: partnered.nama,
    status_kemitraan: '03',
    ...META,
  });
  const flagged = await plant({ nama: 'UJI TEMUAN ERROR', skala: '01', kbli: ['03111'], places: [NEAR_PLACE] });
  leftOut.push(flagged);
  const now = new Date();
  await world.db('findings').insert({
    rule_code: 'PLANTED_ERROR',
    severity: 'error',
    entity_type: 'pelaku_usaha',
    entity_id: flagged.nib,
    status: 'open',
    message: 'temuan tanam',
    evidence: {},
    evidence_hash: `${flagged.nib}-error`,
    first_seen_at: now,
    last_seen_at: now,
    status_changed_at: now,
  });

  ({ admin, vera, budi } = await signInUsers(world, ['admin', 'vera', 'budi'], { tokenFrom: '/peluang-kemitraan' }));
});
afterAll(async () => {
  await world?.stop();
});

const readinessCount = async () => ({
  current: Number((await world.db('umkm_readiness').count({ n: '*' }).first())?.n),
  events: Number((await world.db('umkm_readiness_events').count({ n: '*' }).first())?.n),
  audit: Number((await world.db('web_audit').where({ action: 'matchmaking.mark' }).count({ n: '*' }).first())?.n),
});

describe('the list', () => {
  it('lists exactly the rows of `oss-sync matchmaking`, in its order, across pages', async () => {
    const cli = await cliRows();
    expect(cli.length).toBeGreaterThan(50 + CROWD);
    const page = await pageRows(budi, '');
    expect(page).toEqual(cli);
    // Only one UB's list: the same as --ub; it runs past the first page.
    const mine = await pageRows(budi, `?ub=${ub.nib}`);
    expect(mine).toEqual(await cliRows('--ub', ub.nib));
    expect(mine.length).toBeGreaterThan(50);
    const nibs = mine.map((r) => r[2]);
    for (const p of [near, far, noCoords, hostile]) expect(nibs, p.nama).toContain(p.nib);
    for (const p of leftOut) expect(nibs, p.nama).not.toContain(p.nib);
  });

  it('shows the kecamatan, the id-ID distance ("-" when unknown), KBLI with title, and the reason', async () => {
    const page = await budi.get(`/peluang-kemitraan?ub=${ub.nib}`);
    const row = async (p: Planted) => (await findRow(budi, ub.nib, p.nib)).text;
    const km = `${fmtDecimal(haversine(UB_PLACE, NEAR_PLACE), 1)} km`;
    expect(km).toMatch(/^0,\d km$/);
    expect(await row(near)).toContain(
      `UD UJI RAJUNGAN DEKAT NIB ${near.nib} 02 Kecil 03112 Penangkapan Crustacea di Laut Rembang ${km} KBLI 03112 Penangkapan Crustacea di Laut memasok 10213 Industri Pembekuan Ikan; ${km}; Kec. Rembang, sekecamatan dengan UB; kesiapan belum dinilai Belum dinilai`,
    );
    expect(await row(far)).toContain(`Sarang ${fmtDecimal(haversine(UB_PLACE, FAR_PLACE), 1)} km`);
    expect(await row(noCoords)).toContain('Kragan - KBLI 03111');
    expect(await row(noCoords)).toContain('jarak belum diketahui (tanpa koordinat)');
    expect(page.text).toContain(`PT UJI PERIKANAN REMBANG NIB ${ub.nib} · Kec. Rembang · UMKM 1–50 dari`);
    // A business name is text, never markup.
    const named = await findRow(budi, ub.nib, hostile.nib);
    expect(named.html).toContain('<strong>UD &lt;i&gt;UJI&lt;/i&gt; &amp; &quot;KUTIP&quot;</strong>');
    expect(named.html).not.toContain('<i>UJI</i>');
    // The second page continues the UB's list.
    const second = await budi.get(`/peluang-kemitraan?ub=${ub.nib}&halaman=2`);
    expect(second.text).toMatch(/PT UJI PERIKANAN REMBANG NIB \d{13} · Kec\. Rembang · UMKM 51–\d+ dari \d+/);
  });

  it('explains how candidates are chosen and shows the supply-chain map', async () => {
    const page = await budi.get('/peluang-kemitraan');
    expect(page.text).toContain('Cara kandidat dipilih dan diurutkan');
    expect(page.text).toContain('NIB aktif (01 Aktif, 03 Diizinkan Usaha, 04 Diizinkan Beroperasi)');
    expect(page.text).toContain('skala 01 Mikro, 02 Kecil');
    expect(page.html).toContain('href="/peluang-kemitraan/rantai-pasok"');
    // The UB table: the planted UB with its candidate count.
    const count = (await cliRows('--ub', ub.nib)).length;
    expect(page.text).toContain(`PT UJI PERIKANAN REMBANG ${ub.nib} Rembang ${count} 0`);
    const chains = await budi.get('/peluang-kemitraan/rantai-pasok');
    expect(chains.status).toBe(200);
    for (const c of loadSupplyChainMap().chains) {
      expect(chains.text).toContain(c.nama);
      expect(chains.text).toContain(textOf(c.why));
    }
    expect(chains.text).toContain('10213 Industri Pembekuan Ikan');
    expect(chains.text).toContain('UMKM menjual produknya melalui UB');
  });

  it('ignores filter values it does not understand, with a note, never a 500', async () => {
    const bad = await budi.get('/peluang-kemitraan?ub=123&siap=ya&halaman=-1');
    expect(bad.status).toBe(200);
    expect(bad.text).toContain('Nilai filter tidak dikenal dan diabaikan: usaha besar (UB), hanya yang siap, halaman.');
    const outside = await budi.get(`/peluang-kemitraan?ub=${near.nib}`);
    expect(outside.status).toBe(200);
    expect(outside.text).toContain(
      `NIB ${near.nib} bukan usaha besar dengan proyek di Kabupaten Rembang (3317); yang ditampilkan semua usaha besar.`,
    );
    expect(await pageRows(budi, '?halaman=9999')).toEqual(
      (await cliRows()).slice(-((await cliRows()).length % 50 || 50)),
    );
    const download = await budi.get(`/peluang-kemitraan/undangan.xlsx?ub=${near.nib}`);
    expect(download.status).toBe(404);
    expect(download.text).toContain(`NIB ${near.nib} bukan usaha besar dengan proyek di Kabupaten Rembang`);
  });
});

describe('marking readiness', () => {
  it('a viewer sees no marking forms, and a viewer’s forged post is refused with nothing written', async () => {
    const page = await budi.get(`/peluang-kemitraan?ub=${ub.nib}`);
    expect(page.html).not.toContain('action="/peluang-kemitraan/kesiapan"');
    expect(page.text).not.toContain('Catat kesiapan');
    const before = await readinessCount();
    const forged = await budi.post('/peluang-kemitraan/kesiapan', { nib: far.nib, status: 'siap', catatan: 'palsu' });
    expect(forged.status).toBe(403);
    expect(forged.text).toContain('dibutuhkan peran Verifikator');
    // A verifier's post without the form's CSRF token is refused too.
    const noToken = await vera.post('/peluang-kemitraan/kesiapan', { nib: far.nib, status: 'siap' }, { token: null });
    expect(noToken.status).toBe(403);
    expect(await readinessCount()).toEqual(before);
    expect(await world.db('umkm_readiness').where({ nib: far.nib }).first()).toBeUndefined();
  });

  it('marking as vera records vera (never a typed-in name) and ranks the UMKM first, keeping the filters', async () => {
    const form = await findRow(vera, ub.nib, far.nib);
    expect(form.html).toContain(`<input type="hidden" name="nib" value="${far.nib}">`);
    expect(form.text).toContain('Catat kesiapan');
    expect(form.text).toContain('Belum dinilai');
    const back = `/peluang-kemitraan?ub=${ub.nib}`;
    const before = await readinessCount();
    const res = await vera.post('/peluang-kemitraan/kesiapan', {
      nib: far.nib,
      status: 'siap',
      catatan: 'sudah punya cold box',
      kembali: back,
      by: 'Orang Lain',
      marked_by: 'Orang Lain',
    });
    expect(res.status).toBe(303);
    expect(res.location).toBe(back);
    const row = await world.db('umkm_readiness').where({ nib: far.nib }).first();
    expect(row).toMatchObject({ status: 'siap', note: 'sudah punya cold box', marked_by: 'vera' });
    const events = await world.db('umkm_readiness_events').where({ nib: far.nib }).orderBy('id');
    expect(events.map((e) => [e.from_status, e.to_status, e.marked_by, e.note])).toEqual([
      [null, 'siap', 'vera', 'sudah punya cold box'],
    ]);
    const audit = await world.db('web_audit').where({ action: 'matchmaking.mark', target: far.nib });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ username: 'vera', detail: { status: 'siap' } });
    expect(await readinessCount()).toEqual({
      current: before.current + 1,
      events: before.events + 1,
      audit: before.audit + 1,
    });

    const after = await vera.get(back);
    expect(after.text).toContain(`UMKM KUB UJI NELAYAN JAUH (NIB ${far.nib}) dicatat siap bermitra oleh vera.`);
    const rows = await pageRows(vera, `?ub=${ub.nib}`);
    expect(rows[0]).toEqual([ub.nib, '1', far.nib]);
    expect(rows).toEqual(await cliRows('--ub', ub.nib));
    const top = await findRow(vera, ub.nib, far.nib);
    expect(top.page).toBe(1);
    expect(top.text).toMatch(
      /^1 KUB UJI NELAYAN JAUH .* Siap bermitra oleh Vera Lestari \(vera\), \d{4}-\d{2}-\d{2} \d{2}:\d{2} WIB “sudah punya cold box” Riwayat pencatatan \(1\) Siap bermitra · Vera Lestari \(vera\) · \d{4}-\d{2}-\d{2} \d{2}:\d{2} WIB · “sudah punya cold box”/,
    );

    // A second judgement: the history shows both, oldest first; the UMKM falls back to its place by distance.
    const again = await admin.post('/peluang-kemitraan/kesiapan', {
      nib: far.nib,
      status: 'belum_siap',
      catatan: 'cold box rusak',
      kembali: `/peluang-kemitraan?ub=${ub.nib}&siap=1`,
    });
    expect(again.location).toBe(`/peluang-kemitraan?ub=${ub.nib}&siap=1`);
    const flash = await admin.get(again.location!);
    expect(flash.text).toContain(
      `UMKM KUB UJI NELAYAN JAUH (NIB ${far.nib}) dicatat belum siap bermitra oleh admin (sebelumnya: siap bermitra, dicatat oleh vera).`,
    );
    const back2 = await findRow(admin, ub.nib, far.nib);
    expect(back2.text).toMatch(
      /Belum siap oleh Ani Admin Kantor \(admin\), [^“]+ WIB “cold box rusak” Riwayat pencatatan \(2\) Siap bermitra · Vera Lestari \(vera\) · [^·]+ WIB · “sudah punya cold box” Siap bermitra → Belum siap · Ani Admin Kantor \(admin\) · [^·]+ WIB · “cold box rusak”/,
    );
    expect(await pageRows(admin, `?ub=${ub.nib}`)).toEqual(await cliRows('--ub', ub.nib));
  });

  it('refuses a bad NIB, an unknown NIB or a bad status with a message, writing nothing; returns only to this page', async () => {
    const before = await readinessCount();
    const cases: Array<[Record<string, string>, string]> = [
      [{ nib: '123', status: 'siap' }, '"123" bukan NIB (13 digit); tidak ada yang dicatat.'],
      [{ nib: '7799999999999', status: 'siap' }, 'NIB 7799999999999 tidak ada di data tersinkron (pelaku usaha)'],
      [{ nib: near.nib, status: 'hebat' }, 'Pilih "Siap bermitra" atau "Belum siap"; tidak ada yang dicatat.'],
    ];
    for (const [fields, message] of cases) {
      const res = await vera.post('/peluang-kemitraan/kesiapan', { ...fields, kembali: 'https://contoh.example/' });
      expect(res.status).toBe(303);
      expect(res.location).toBe('/peluang-kemitraan');
      expect((await vera.get('/peluang-kemitraan')).text).toContain(message);
    }
    expect(await readinessCount()).toEqual(before);
  });
});

describe('the invitation list', () => {
  it('downloads the xlsx the CLI writes for the same filters', async () => {
    await vera.post('/peluang-kemitraan/kesiapan', { nib: near.nib, status: 'siap', catatan: 'siap pasok rajungan' });
    const res = await budi.get(`/peluang-kemitraan/undangan.xlsx?siap=1&ub=${ub.nib}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="peluang-kemitraan-3317-\d{8}\.xlsx"$/,
    );
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.bytes as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Peluang Kemitraan', 'Keterangan', 'Rantai Pasok']);
    const ws = wb.getWorksheet('Peluang Kemitraan')!;
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual([...MATCHMAKING_HEADERS]);
    const value = (r: number, name: string) => ws.getRow(r).getCell(MATCHMAKING_HEADERS.indexOf(name) + 1).value;
    expect(ws.rowCount).toBe(2);
    expect([value(2, 'No'), value(2, 'UB'), value(2, 'UMKM'), value(2, 'NIB'), value(2, 'Dicatat Oleh')]).toEqual([
      1,
      'PT UJI PERIKANAN REMBANG',
      'UD UJI RAJUNGAN DEKAT',
      near.nib,
      'vera',
    ]);
    expect(value(2, 'Status Kesiapan')).toBe('Siap bermitra');
    const about = wb.getWorksheet('Keterangan')!;
    expect(about.getColumn(2).values).toContain('hanya UMKM yang dicatat siap bermitra');
    expect(about.getColumn(2).values).toContain(ub.nib);
    expect(about.getColumn(2).values).toContain('Kabupaten Rembang (3317)');

    // Every UB, every readiness: the same rows as the CLI's xlsx.
    const all = await budi.get('/peluang-kemitraan/undangan.xlsx');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(all.bytes as unknown as ArrayBuffer);
    const sheet = book.getWorksheet('Peluang Kemitraan')!;
    const listed: string[][] = [];
    sheet.eachRow((r, i) => {
      if (i > 1) listed.push([String(r.getCell(3).value), String(r.getCell(1).value), String(r.getCell(5).value)]);
    });
    expect(listed).toEqual(await cliRows());
  });

  it('downloads the csv as the CLI writes it to a file', async () => {
    const res = await budi.get(`/peluang-kemitraan/undangan.csv?ub=${ub.nib}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="peluang-kemitraan-3317-\d{8}\.csv"$/,
    );
    const cli = await cliRun('--format', 'csv', '--ub', ub.nib);
    expect(res.html).toBe(`\uFEFF${cli}`);
  });
});
