/*
 * Beranda over HTTP, as a browser without JavaScript reads it, on the sandbox world synced by the real CLI and served
 * by a real `serve`: every tile and table figure equals an independent count over the analytics views (analytics.
 * kemitraan, analytics.kemitraan_realisasi, analytics.discrepancies) for the quarter shown; the period select; the
 * health of the sync (last run, stale warning, a run going on); figures that follow the data when a run changes it;
 * labels with markup shown as text in tables and charts.
 */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLA_KEMITRAAN, STATUS_KEMITRAAN } from '../../src/domain/codes.js';
import { fmtDecimal, fmtId, fmtRupiah } from '../../src/domain/format.js';
import { humanTime } from '../../src/domain/wib.js';
import { fmtRupiahShort } from '../../src/report/charts.js';
import { SEVERITY_LABELS } from '../../src/verification/summary.js';
import { type ConsoleWorld, startConsoleWorld } from '../helpers/browser.js';
import { ConsoleClient, textOf as pageText, signInUsers } from '../helpers/consoleClient.js';

const TZ = 'Asia/Jakarta';
const ACTIVE = ['open', 'in_review', 'confirmed'];
const ROMAN = ['I', 'II', 'III', 'IV'];

/** The text a person reads, with no space before , ; . ) (a closing tag leaves one). */
const textOf = (html: string) => pageText(html, { tightPunctuation: true });

interface Tile {
  value: string;
  hints: string[];
}

/** The tiles of the page by label: the big figure and the lines under it. */
function tilesOf(html: string): Map<string, Tile> {
  const block = /<div class="tiles">([\s\S]*?)\n<\/div>/.exec(html)?.[1] ?? '';
  const out = new Map<string, Tile>();
  for (const part of block.split('<div class="tile">').slice(1)) {
    const value = /<div class="value">([\s\S]*?)<\/div>/.exec(part)![1]!;
    const label = /<div class="label">([\s\S]*?)<\/div>/.exec(part)![1]!;
    const hints = [...part.matchAll(/<div class="hint">([\s\S]*?)<\/div>/g)].map((m) => textOf(m[1]!));
    out.set(textOf(label), { value: textOf(value), hints });
  }
  return out;
}

/** The card under heading `h3`: its chart (the svg) and its table's body rows as cell texts. */
function card(html: string, h3: string): { svg: string | null; rows: string[][]; html: string } {
  const start = html.indexOf(`<h3>${h3}</h3>`);
  expect(start, `a card "${h3}"`).toBeGreaterThan(-1);
  const section = html.slice(start, html.indexOf('</section>', start));
  const svg = /<svg[\s\S]*?<\/svg>/.exec(section)?.[0] ?? null;
  const tbody = /<tbody>([\s\S]*?)<\/tbody>/.exec(section)?.[1] ?? '';
  const rows = [...tbody.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) =>
    [...r[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => textOf(c[1]!)),
  );
  return { svg, rows, html: section };
}

/** The facts (dt → dd) of a card. */
function factsOf(section: string): Map<string, string> {
  return new Map(
    [...section.matchAll(/<dt>([\s\S]*?)<\/dt><dd>([\s\S]*?)<\/dd>/g)].map((m) => [textOf(m[1]!), textOf(m[2]!)]),
  );
}

const pct = (part: number, whole: number) => (whole > 0 ? `${fmtDecimal((part / whole) * 100, 1)}%` : '0%');
const label = (labels: Record<string, string>, code: string | null, none: string) =>
  code === null ? none : labels[code] ? `${code} ${labels[code]}` : code;

let world: ConsoleWorld;
let budi: ConsoleClient;
let admin: ConsoleClient;

beforeAll(async () => {
  world = await startConsoleWorld('home');
  ({ budi, admin } = await signInUsers(world, ['budi', 'admin']));
});
afterAll(async () => {
  await world?.stop();
});

/** The figures the Beranda must show for tahun/triwulan, counted independently over the analytics views. */
async function expected(tahun: number, triwulan: number) {
  const db = world.db;
  const one = async (sql: string, bindings: readonly Knex.RawBinding[] = []) => (await db.raw(sql, bindings)).rows[0];
  const realisedWhere = `k.deleted_at is null and k.status_kemitraan = '03' and exists (
      select 1 from analytics.kemitraan_realisasi r
       where r.id_kemitraan = k.id_kemitraan and r.tahun = ? and r.triwulan = ? and r.deleted_at is null)`;
  const totals = await one(
    `select count(*)::int as registered, coalesce(sum(nilai_kemitraan), 0)::float8 as registered_value,
            count(*) filter (where status_kemitraan = '03')::int as running,
            coalesce(sum(nilai_kemitraan) filter (where status_kemitraan = '03'), 0)::float8 as running_value,
            count(distinct id_mitra_umkm)::int as umkm,
            count(distinct id_mitra_umkm) filter (where status_kemitraan = '03')::int as umkm_running
       from analytics.kemitraan where deleted_at is null`,
  );
  const realised = await one(
    `select count(*)::int as n, coalesce(sum(k.nilai_kemitraan), 0)::float8 as agreed
       from analytics.kemitraan k where ${realisedWhere}`,
    [tahun, triwulan],
  );
  const realisedValue = await one(
    `select coalesce(sum(r.nilai_realisasi), 0)::float8 as v
       from analytics.kemitraan_realisasi r join analytics.kemitraan k on k.id_kemitraan = r.id_kemitraan
      where r.tahun = ? and r.triwulan = ? and r.deleted_at is null and k.deleted_at is null
        and k.status_kemitraan = '03'`,
    [tahun, triwulan],
  );
  const groups = async (column: string) =>
    (
      await db.raw(
        `select k.${column} as code, max(k.kecamatan) as name, count(*)::int as registered,
                count(*) filter (where k.status_kemitraan = '03')::int as running,
                count(*) filter (where ${realisedWhere})::int as realised,
                coalesce(sum(k.nilai_kemitraan), 0)::float8 as value
           from analytics.kemitraan k where k.deleted_at is null
          group by 1 order by registered desc, code`,
        [tahun, triwulan],
      )
    ).rows as Array<{
      code: string | null;
      name: string | null;
      registered: number;
      running: number;
      realised: number;
      value: number;
    }>;
  const findings = await one(
    `select count(*)::int as active, count(*) filter (where severity = 'error')::int as errors
       from analytics.discrepancies where status = any(?)`,
    [ACTIVE],
  );
  const severities = (
    await db.raw(
      `select severity, count(*)::int as active, count(*) filter (where status = 'open')::int as open
         from analytics.discrepancies where status = any(?) group by 1
        order by array_position(array['error', 'warning', 'info'], severity)`,
      [ACTIVE],
    )
  ).rows as Array<{ severity: string; active: number; open: number }>;
  const rules = (
    await db.raw(
      `select rule_code, max(rule_title) as title, severity, count(*)::int as active
         from analytics.discrepancies where status = any(?) group by rule_code, severity
        order by active desc, rule_code`,
      [ACTIVE],
    )
  ).rows as Array<{ rule_code: string; title: string; severity: string; active: number }>;
  return {
    totals,
    realised: { n: realised.n as number, agreed: realised.agreed as number, value: realisedValue.v as number },
    pola: await groups('pola_kemitraan'),
    kecamatan: await groups('kd_kecamatan'),
    status: await groups('status_kemitraan'),
    findings,
    severities,
    rules,
  };
}

/** The quarter with the most realisation rows of running partnerships (the most to check). */
async function busiestQuarter(): Promise<{ tahun: number; triwulan: number }> {
  const r = await world.db.raw(
    `select r.tahun, r.triwulan from analytics.kemitraan_realisasi r
       join analytics.kemitraan k on k.id_kemitraan = r.id_kemitraan and k.status_kemitraan = '03'
      where r.deleted_at is null group by 1, 2 order by count(*) desc, 1 desc, 2 desc limit 1`,
  );
  expect(r.rows[0], 'the sandbox world has realisation rows').toBeDefined();
  return r.rows[0];
}

/** Checks every tile and table of a Beranda page against the independent counts. */
async function expectTrueFigures(html: string, tahun: number, triwulan: number): Promise<void> {
  const e = await expected(tahun, triwulan);
  const q = `Triwulan ${ROMAN[triwulan - 1]} ${tahun}`;
  expect(textOf(html)).toContain(`Ringkasan ${q}`);

  const tiles = tilesOf(html);
  expect([...tiles.keys()]).toEqual([
    'Kemitraan terdaftar',
    'Kemitraan berjalan (03)',
    `Berjalan dengan realisasi ${q}`,
    'Mitra UMKM',
    'Temuan aktif',
  ]);
  const t = e.totals;
  expect(tiles.get('Kemitraan terdaftar')).toEqual({
    value: fmtId(t.registered),
    hints: [`Nilai ${fmtRupiahShort(t.registered_value, 2)}`],
  });
  expect(tiles.get('Kemitraan berjalan (03)')).toEqual({
    value: fmtId(t.running),
    hints: [`Nilai ${fmtRupiahShort(t.running_value, 2)}`, `${pct(t.running, t.registered)} dari yang terdaftar`],
  });
  expect(tiles.get(`Berjalan dengan realisasi ${q}`)).toEqual({
    value: fmtId(e.realised.n),
    hints: [
      `Nilai kesepakatan ${fmtRupiahShort(e.realised.agreed, 2)}`,
      `Realisasi ${fmtRupiahShort(e.realised.value, 2)}`,
      `${pct(e.realised.n, t.running)} dari yang berjalan`,
    ],
  });
  // The exact amounts are there too, on hover.
  expect(html).toContain(`title="${fmtRupiah(t.registered_value)}"`);
  expect(html).toContain(`title="${fmtRupiah(e.realised.value)}"`);
  expect(tiles.get('Mitra UMKM')).toEqual({
    value: fmtId(t.umkm),
    hints: [`${fmtId(t.umkm_running)} dalam kemitraan berjalan`],
  });
  expect(tiles.get('Temuan aktif')).toEqual({
    value: fmtId(e.findings.active),
    hints: [`${fmtId(e.findings.errors)} berat`, 'Buka antrean temuan'],
  });

  const pola = card(html, 'Per pola kemitraan');
  expect(e.pola.length).toBeLessThanOrEqual(15);
  expect(pola.rows).toEqual(
    e.pola.map((g) => [
      label(POLA_KEMITRAAN, g.code, 'Tanpa pola'),
      fmtId(g.registered),
      fmtId(g.running),
      fmtId(g.realised),
    ]),
  );
  const kecamatan = card(html, 'Per kecamatan');
  expect(e.kecamatan.length).toBeLessThanOrEqual(15);
  expect(kecamatan.rows).toEqual(
    e.kecamatan.map((g) => [
      g.code === null ? 'Tanpa kecamatan' : `${g.name ?? g.code} (${g.code})`,
      fmtId(g.registered),
      fmtId(g.running),
      fmtId(g.realised),
    ]),
  );
  const status = card(html, 'Per status kemitraan');
  expect(status.rows).toEqual(
    e.status.map((g) => [
      label(STATUS_KEMITRAAN, g.code, 'Tanpa status'),
      fmtId(g.registered),
      pct(g.registered, t.registered),
      fmtRupiah(g.value),
    ]),
  );
  const severity = card(html, 'Temuan aktif per tingkat');
  expect(severity.rows).toEqual(
    e.severities.map((s) => [SEVERITY_LABELS[s.severity] ?? s.severity, fmtId(s.active), fmtId(s.open)]),
  );
  const rules = card(html, 'Temuan aktif per aturan');
  const shown = e.rules.length > 10 ? e.rules.slice(0, 9) : e.rules;
  const rest = e.rules.slice(shown.length);
  expect(rules.rows).toEqual([
    ...shown.map((r) => [`${r.rule_code} ${r.title}`, SEVERITY_LABELS[r.severity] ?? r.severity, fmtId(r.active)]),
    ...(rest.length
      ? [[`Lainnya (${fmtId(rest.length)} aturan lain)`, '-', fmtId(rest.reduce((a, r) => a + r.active, 0))]]
      : []),
  ]);

  // Each chart is drawn beside its table, described in words with the same figures.
  for (const c of [pola, kecamatan, status, severity, rules]) {
    expect(c.svg).toMatch(/^<svg role="img" aria-label="Diagram (batang|donat): /);
    expect(c.html).toMatch(/<div class="chart"><svg[\s\S]*<\/svg><div><table class="data/);
  }
  expect(pola.svg).toContain(
    `${label(POLA_KEMITRAAN, e.pola[0]!.code, 'Tanpa pola')}: Terdaftar ${fmtId(e.pola[0]!.registered)}`,
  );
  expect(status.svg).toContain(`Total ${fmtId(t.registered)}.`);
}

describe('Beranda', () => {
  it('shows the current quarter by default, every figure equal to a count over the analytics views', async () => {
    const page = await budi.request('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    // The quarter is the one the page chose (this quarter in WIB): read from its period select.
    const selected = /<option value="(\d{4})-Q([1-4])" selected>/.exec(page.html);
    expect(selected).not.toBeNull();
    const now = new Date(new Date().toLocaleString('en-US', { timeZone: TZ }));
    expect(Number(selected![1])).toBe(now.getFullYear());
    await expectTrueFigures(page.html, Number(selected![1]), Number(selected![2]));
    expect(textOf(page.html)).toContain('angka realisasi triwulan berjalan masih bertambah');
    // Eight recent quarters to choose from, newest first.
    expect([...page.html.matchAll(/<option value="(\d{4}-Q\d)"/g)]).toHaveLength(8);
  });

  it('shows the quarter asked for with ?periode, with its realisation', async () => {
    const { tahun, triwulan } = await busiestQuarter();
    const page = await budi.request(`/?periode=${tahun}-Q${triwulan}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain(
      `<option value="${tahun}-Q${triwulan}" selected>Triwulan ${ROMAN[triwulan - 1]} ${tahun}</option>`,
    );
    await expectTrueFigures(page.html, tahun, triwulan);
    const realised = tilesOf(page.html).get(`Berjalan dengan realisasi Triwulan ${ROMAN[triwulan - 1]} ${tahun}`)!;
    expect(realised.value).not.toBe('0');
  });

  it('offers an older quarter asked for in the select, and refuses a period that is not one with a message', async () => {
    const old = await budi.request('/?periode=2019-Q2');
    expect(old.html).toContain('<option value="2019-Q2" selected>Triwulan II 2019</option>');
    await expectTrueFigures(old.html, 2019, 2);

    for (const bad of ['2026-Q5', 'kemarin', '1999-Q1', '%3Cscript%3E']) {
      const page = await budi.request(`/?periode=${bad}`);
      expect(page.status, bad).toBe(200);
      const flash = /<div class="flash flash-error" role="alert">([\s\S]*?)<\/div>/.exec(page.html);
      expect(flash, bad).not.toBeNull();
      expect(textOf(flash![1]!)).toMatch(
        /^Periode ".*" tidak dikenal \(tulis seperti \d{4}-Q[1-4]\); yang ditampilkan Triwulan/,
      );
      expect(page.html).not.toContain('<script>');
    }
  });

  it('is for signed-in users: without a session the browser is sent to the login form', async () => {
    const anonymous = new ConsoleClient(world.url);
    const res = await anonymous.request('/');
    expect(res.status).toBe(303);
    expect(res.location).toBe('/masuk?next=%2F');
  });

  it('shows the last sync with its counts and health, and links Sinkronisasi for an admin only', async () => {
    const run = (await world.db('sync_runs').whereNot({ trigger: 'push' }).orderBy('id', 'desc').first())!;
    const page = await budi.request('/');
    const last = card(page.html, 'Run terakhir');
    const f = factsOf(last.html);
    expect(f.get('Run')).toBe(`#${run.id} · manual${run.requested_by ? ` oleh ${run.requested_by}` : ''}`);
    expect(f.get('Status')).toBe('berhasil');
    expect(f.get('Mulai')).toBe(humanTime(run.started_at, TZ));
    expect(f.get('Selesai')).toBe(humanTime(run.finished_at, TZ));
    const counts = run.counts as Record<string, Record<string, number>>;
    expect(last.rows.map((r) => r[0])).toEqual(['Kemitraan', 'NIB (pelaku usaha)', 'Perizinan']);
    expect(last.rows[0]).toEqual([
      'Kemitraan',
      ...['fetched', 'inserted', 'updated', 'unchanged', 'rejected', 'deleted'].map((k) =>
        fmtId(counts.kemitraan![k] ?? 0),
      ),
    ]);

    const health = factsOf(card(page.html, 'Kesehatan').html);
    expect(health.get('Sinkronisasi lengkap terakhir berhasil')).toContain(
      `${humanTime(run.finished_at, TZ)} (#${run.id}`,
    );
    expect(health.get('Sedang berjalan')).toBe('tidak');
    const q = await world.db.raw(
      `select (select count(*) from quarantine where resolved_at is null)::int as q, (select count(*) from nib_queue)::int as n`,
    );
    expect(health.get('Karantina')).toBe(`${fmtId(q.rows[0].q)} rekaman ditolak menunggu perbaikan`);
    expect(health.get('Antrean NIB')).toMatch(new RegExp(`^${fmtId(q.rows[0].n)} NIB menunggu inqueryNIB`));
    // A sync that just succeeded: no warning.
    expect(page.html).not.toContain('Data mungkin sudah usang');
    expect(page.html).not.toContain('href="/sinkronisasi"');
    expect((await admin.request('/')).html).toContain('href="/sinkronisasi"');
  });

  it('warns when no complete sync succeeded for two days, and says when a run is going on', async () => {
    const db = world.db;
    const shifted = await db('sync_runs')
      .whereNot({ trigger: 'push' })
      .update({
        started_at: db.raw(`started_at - interval '3 days'`),
        finished_at: db.raw(`finished_at - interval '3 days'`),
      })
      .returning('id');
    try {
      const stale = await budi.request('/');
      const alert = /<div class="flash flash-error" role="alert">([\s\S]*?)<\/div>/.exec(stale.html);
      expect(alert).not.toBeNull();
      expect(textOf(alert![1]!)).toMatch(
        /^Data mungkin sudah usang\. Sinkronisasi lengkap terakhir yang berhasil selesai .+ WIB \(3 hari yang lalu\)\. Tidak ada sinkronisasi lengkap yang berhasil dalam 2 hari terakhir/,
      );
      expect(textOf(alert![1]!)).toContain('Hubungi admin kantor.');
      expect((await admin.request('/')).html).toMatch(
        /role="alert">[\s\S]*?Periksa <a href="\/sinkronisasi">Sinkronisasi<\/a>/,
      );

      // A run going on (heartbeating now): a notice, and "Sedang berjalan" names it.
      const [{ id }] = await db('sync_runs')
        .insert({
          trigger: 'schedule',
          status: 'running',
          requested_by: 'scheduler',
          scope: JSON.stringify({ streams: ['kemitraan'], full: false, dryRun: false }),
        })
        .returning('id');
      try {
        const running = await budi.request('/');
        const notice = /<div class="flash flash-info" role="status">([\s\S]*?)<\/div>/.exec(running.html);
        expect(textOf(notice![1]!)).toMatch(
          new RegExp(
            `^Sinkronisasi #${id} \\(jadwal\\) sedang berjalan sejak .+ WIB; datanya dihitung setelah selesai\\.$`,
          ),
        );
        expect(factsOf(card(running.html, 'Kesehatan').html).get('Sedang berjalan')).toMatch(
          new RegExp(`^ya, #${id} sejak `),
        );
        expect(factsOf(card(running.html, 'Run terakhir').html).get('Status')).toBe('berjalan');
        // Its process stops heartbeating: the run is shown as stopped, not as running.
        await db('sync_runs')
          .where({ id })
          .update({ heartbeat_at: db.raw(`now() - interval '5 minutes'`) });
        const dead = await budi.request('/');
        expect(factsOf(card(dead.html, 'Run terakhir').html).get('Status')).toBe(
          'terhenti (prosesnya tidak aktif lagi)',
        );
        expect(factsOf(card(dead.html, 'Kesehatan').html).get('Sedang berjalan')).toBe('tidak');
      } finally {
        await db('sync_runs').where({ id }).delete();
      }
    } finally {
      await db('sync_runs')
        .whereIn(
          'id',
          shifted.map((r: { id: number }) => r.id),
        )
        .update({
          started_at: db.raw(`started_at + interval '3 days'`),
          finished_at: db.raw(`finished_at + interval '3 days'`),
        });
    }
  });

  it('follows the data: rows of a live run are not counted until it finishes, like the analytics views', async () => {
    const db = world.db;
    const { tahun, triwulan } = await busiestQuarter();
    const path = `/?periode=${tahun}-Q${triwulan}`;
    const before = tilesOf((await budi.request(path)).html).get('Kemitraan terdaftar')!.value;
    // A run writes ten running partnerships and their realisation; until it ends, nobody sees them.
    const [{ id }] = await db('sync_runs')
      .insert({
        trigger: 'manual',
        status: 'running',
        requested_by: 'test',
        scope: JSON.stringify({ streams: ['kemitraan'], full: false, dryRun: false }),
      })
      .returning('id');
    const ids: string[] = (
      await db('kemitraan').where({ status_kemitraan: '03' }).whereNull('deleted_at').orderBy('id_kemitraan').limit(10)
    ).map((r: { id_kemitraan: string }) => r.id_kemitraan);
    const previous = await db('kemitraan').whereIn('id_kemitraan', ids).select('id_kemitraan', 'last_run_id');
    await db('kemitraan').whereIn('id_kemitraan', ids).update({ last_run_id: id });
    try {
      const during = await budi.request(path);
      expect(tilesOf(during.html).get('Kemitraan terdaftar')!.value).toBe(
        fmtId(Number(before.replace(/\./g, '')) - 10),
      );
      await expectTrueFigures(during.html, tahun, triwulan);

      await db('sync_runs').where({ id }).update({ status: 'succeeded', finished_at: db.fn.now() });
      const after = await budi.request(path);
      expect(tilesOf(after.html).get('Kemitraan terdaftar')!.value).toBe(before);
      await expectTrueFigures(after.html, tahun, triwulan);
    } finally {
      for (const p of previous)
        await db('kemitraan').where({ id_kemitraan: p.id_kemitraan }).update({ last_run_id: p.last_run_id });
      await db('sync_runs').where({ id }).delete();
    }
  });

  it('shows a rule title with markup as text, in the table and in the chart', async () => {
    const db = world.db;
    const top = await db('findings')
      .whereIn('status', ACTIVE)
      .groupBy('rule_code')
      .orderByRaw('count(*) desc, rule_code')
      .first('rule_code');
    const original = (await db('finding_rules').where({ rule_code: top.rule_code }).first('title')).title;
    const hostile = '<script>alert("temuan")</script> & <b>tebal</b>';
    await db('finding_rules').where({ rule_code: top.rule_code }).update({ title: hostile });
    try {
      const page = await budi.request('/');
      expect(page.html).not.toContain('<script>alert');
      expect(page.html).not.toContain('<b>tebal');
      const rules = card(page.html, 'Temuan aktif per aturan');
      expect(rules.rows[0]![0]).toBe(`${top.rule_code} ${hostile}`);
      expect(rules.svg).toContain(
        '&lt;script&gt;alert(&quot;temuan&quot;)&lt;/script&gt; &amp; &lt;b&gt;tebal&lt;/b&gt;',
      );
    } finally {
      await db('finding_rules').where({ rule_code: top.rule_code }).update({ title: original });
    }
  });
});
