/*
 * The Kemitraan and Pelaku usaha pages in Chromium, on the sandbox world, as a viewer uses them:
 * - a partnership's detail shows its realisation (the database's values, id-ID), the chart, and a change made through
 *   the product: the simulator changes the agreement's value and one quarter's realisation, `oss-sync sync` stores
 *   it, and the history names the field, old → new and the run;
 * - a NIB page shows identity numbers masked only: none of the world's full NIKs/NPWPs, no 16-digit number at all;
 * - the list's filters, search and paging agree with the database; unknown ids answer an Indonesian 404;
 * - at 390 px a partnership and a NIB page do not scroll sideways.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fmtId, fmtRupiah } from '../../src/domain/format.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import {
  type ConsoleWorld,
  expectNoHorizontalOverflow,
  expectNoSeriousA11yViolations,
  newPage,
  screenshot,
  startConsoleWorld,
} from '../helpers/browser.js';
import { cli } from '../helpers/cli.js';

let world: ConsoleWorld;
let sim: RunningSimulator;
let page: Page;

beforeAll(async () => {
  world = await startConsoleWorld('browse');
  // The sandbox world the console was synced from, in this process: same seed (the default, 1), size and anchor.
  const anchor = JSON.parse(readFileSync(join(world.env.OSS_SYNC_DATA_DIR!, 'sandbox.json'), 'utf8')).anchor as string;
  sim = await startSimulator({
    seed: 1,
    size: 'tiny',
    kdDaerah: '3317',
    now: new Date(anchor),
    userKey: 'sandbox-key',
    faults: { quota: null },
  });
  page = await newPage(world, { user: 'budi' });
});
afterAll(async () => {
  await sim?.stop();
  await world?.stop();
});

/** The text of the body rows of a table (by its caption) or of the tables of a section (by its heading). */
async function rowTexts(p: Page, name: string, by: 'table' | 'region' = 'table'): Promise<string[]> {
  const rows = p.getByRole(by, { name, exact: true }).locator('tbody tr');
  return (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
}

describe('a partnership', () => {
  it('shows its realisation as the database holds it, a chart, and a change made through the product', async () => {
    const k = (
      await world.db.raw(`
        select k.id_kemitraan, k.nilai_kemitraan::float8 as nilai from kemitraan k
         where k.deleted_at is null and k.status_kemitraan = '03'
           and (select count(*) from kemitraan_realisasi r where r.id_kemitraan = k.id_kemitraan) >= 2
         order by k.id_kemitraan limit 1`)
    ).rows[0] as { id_kemitraan: string; nilai: number };
    expect(k, 'a running partnership with realisations').toBeDefined();
    const wire = sim.world.getPartnership(k.id_kemitraan);
    expect(Number(wire?.nilai_kemitraan), 'the simulator here is the sandbox world').toBe(k.nilai);
    const changedValue = k.nilai + 12_345_000;
    const firstQuarter = wire!.realisasi[0]!;
    const oldRealisation = Number(firstQuarter.nilai_realisasi);
    sim.world.updatePartnership(k.id_kemitraan, (r) => {
      r.nilai_kemitraan = String(changedValue);
      r.realisasi[0]!.nilai_realisasi = String(oldRealisation + 250_000);
    });
    const synced = await cli(['sync'], { ...world.env, OSS_BASE_URL: sim.url, OSS_USER_KEY: 'sandbox-key' });
    expect(synced.code, synced.stderr).toBe(0);
    const run = await world.db('sync_runs').orderBy('id', 'desc').first('id', 'trigger');

    const res = await page.goto(`/kemitraan/${encodeURIComponent(k.id_kemitraan)}`);
    expect(res?.status()).toBe(200);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(`Kemitraan ${k.id_kemitraan}`);

    const stored = await world
      .db('kemitraan_realisasi')
      .where({ id_kemitraan: k.id_kemitraan })
      .whereNull('deleted_at')
      .orderBy(['tahun', 'triwulan'])
      .select('tahun', 'triwulan', world.db.raw('nilai_realisasi::float8 as nilai'));
    const rows = await rowTexts(page, 'Realisasi per triwulan', 'region');
    const roman = ['I', 'II', 'III', 'IV'];
    expect(rows.slice(0, stored.length).map((r) => r.split(' ').slice(0, 3).join(' '))).toEqual(
      stored.map((s: { tahun: number; triwulan: number }) => `TW ${roman[s.triwulan - 1]} ${s.tahun}`),
    );
    for (const [i, s] of stored.entries()) expect(rows[i]).toContain(fmtRupiah((s as { nilai: number }).nilai));
    expect(rows[0]).toContain(fmtRupiah(oldRealisation + 250_000));
    const total = stored.reduce((a: number, s: { nilai: number }) => a + s.nilai, 0);
    expect(rows.at(-1)).toContain(`Total ${fmtRupiah(total)}`);
    await expect(page.getByRole('region', { name: 'Realisasi per triwulan' }).textContent()).resolves.toContain(
      `Total realisasi ${fmtId(stored.length)} triwulan ${fmtRupiah(total)}`,
    );
    await expect(page.getByRole('region', { name: 'Perjanjian' }).textContent()).resolves.toContain(
      `Nilai kemitraan${fmtRupiah(changedValue)}`,
    );

    const chart = page.locator('.chart svg[role="img"]');
    await expect(chart.count()).resolves.toBe(1);
    await expect(chart.getAttribute('aria-label')).resolves.toContain('Nilai realisasi per triwulan');

    const history = await rowTexts(page, 'Riwayat perubahan', 'region');
    const valueChange = history.find((h) => h.includes('Nilai kemitraan'));
    expect(valueChange).toContain(`${fmtRupiah(k.nilai)} → ${fmtRupiah(changedValue)}`);
    expect(valueChange).toContain(`Run #${fmtId(run.id)}`);
    expect(valueChange).toContain('sinkronisasi manual');
    expect(valueChange).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2} WIB/);
    const realisationChange = history.find((h) => h.includes('Nilai realisasi'));
    expect(realisationChange).toContain(
      `Realisasi TW ${roman[Number(firstQuarter.triwulan) - 1]} ${Number(firstQuarter.tahun)}`,
    );
    expect(realisationChange).toContain(`${fmtRupiah(oldRealisation)} → ${fmtRupiah(oldRealisation + 250_000)}`);
    const runLink = page.getByRole('link', { name: `Run #${fmtId(run.id)}` }).first();
    await expect(runLink.getAttribute('href')).resolves.toBe(`/sinkronisasi/${run.id}`);

    // The parties link to their NIB pages.
    const ubNib = (await world.db('kemitraan').where({ id_kemitraan: k.id_kemitraan }).first('nib_ub')).nib_ub;
    await expect(
      page.getByRole('region', { name: 'Usaha besar (UB)' }).getByRole('link', { name: ubNib }).getAttribute('href'),
    ).resolves.toBe(`/pelaku-usaha/${ubNib}`);
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, 'kemitraan-detail');

    const phone = await newPage(world, { user: 'budi', mobile: true });
    await phone.goto(`/kemitraan/${encodeURIComponent(k.id_kemitraan)}`);
    await expectNoHorizontalOverflow(phone);
    await screenshot(phone, 'kemitraan-detail-mobile');
  });

  it('an unknown id is an Indonesian 404', async () => {
    const res = await page.goto('/kemitraan/K-TIDAK-ADA');
    expect(res?.status()).toBe(404);
    await expect(page.locator('main').textContent()).resolves.toContain('Tidak ada kemitraan dengan ID K-TIDAK-ADA');
    const nib = await page.goto('/pelaku-usaha/9999999999999');
    expect(nib?.status()).toBe(404);
    await expect(page.locator('h1').textContent()).resolves.toBe('NIB tidak ditemukan');
  });
});

describe('a NIB page', () => {
  it('shows identity numbers masked only, and the masked forms the database holds', async () => {
    // Every full identity number of the world (every value of 15-16 digits): NIKs of partners, shareholders, persons
    // in charge and project leads, NPWPs.
    const full = new Set<string>();
    const collect = (value: unknown) => {
      for (const m of JSON.stringify(value).matchAll(/"(\d{15,16})"/g)) full.add(m[1]!);
    };
    for (const k of sim.world.allPartnerships()) collect(k);
    for (const doc of sim.world.allBusinesses()) collect(doc);
    expect(full.size).toBeGreaterThan(100);

    const nib = (
      await world.db.raw(`
        select p.nib from pelaku_usaha p
         where exists (select 1 from pemegang_saham s where s.nib = p.nib and s.no_identitas_masked is not null)
           and exists (select 1 from penanggung_jawab j where j.nib = p.nib and j.no_identitas_masked is not null)
           and exists (select 1 from kemitraan k where k.nib_ub = p.nib)
         order by p.nib limit 1`)
    ).rows[0].nib as string;
    const res = await page.goto(`/pelaku-usaha/${nib}`);
    expect(res?.status()).toBe(200);
    const text = (await page.locator('body').textContent()) ?? '';
    const markup = await page.content();
    for (const n of full) {
      expect(text.includes(n) || markup.includes(n), 'a full identity number is on the page').toBe(false);
    }
    expect(text).not.toMatch(/(?<!\d)\d{16}(?!\d)/);
    expect(markup).not.toMatch(/(?<!\d)\d{16}(?!\d)/);
    const masked = [
      ...(await world
        .db('pemegang_saham')
        .where({ nib })
        .whereNotNull('no_identitas_masked')
        .pluck('no_identitas_masked')),
      ...(await world
        .db('penanggung_jawab')
        .where({ nib })
        .whereNotNull('no_identitas_masked')
        .pluck('no_identitas_masked')),
    ];
    expect(masked.length).toBeGreaterThan(0);
    const people = [
      ...(await rowTexts(page, 'Pemegang saham', 'region')),
      ...(await rowTexts(page, 'Penanggung jawab', 'region')),
    ].join('\n');
    for (const m of masked) expect(people).toContain(m);
    const npwp = await page.getByRole('region', { name: 'Identitas' }).textContent();
    expect(npwp).toMatch(/NPWP\s*\d{4}\*+\d{4}/);
    await expectNoSeriousA11yViolations(page);

    const phone = await newPage(world, { user: 'budi', mobile: true });
    await phone.goto(`/pelaku-usaha/${nib}`);
    await expectNoHorizontalOverflow(phone);
    await screenshot(phone, 'pelaku-usaha-detail-mobile');
  });
});

describe('the lists', () => {
  /** The count above a list ("1.042 kemitraan cocok."). */
  async function captionCount(p: Page): Promise<number> {
    const caption = (await p.locator('#jumlah').textContent()) ?? '';
    const m = /^([\d.]+) \w+( usaha)? cocok/.exec(caption);
    expect(m, caption).not.toBeNull();
    return Number(m![1]!.replace(/\./g, ''));
  }

  it('Kemitraan: paging, filters and search agree with the database', async () => {
    await page.goto('/kemitraan');
    const active = Number((await world.db('kemitraan').whereNull('deleted_at').count({ n: '*' }))[0]!.n);
    expect(active).toBeGreaterThan(50);
    await expect(captionCount(page)).resolves.toBe(active);
    await expect(page.locator('table.data tbody tr').count()).resolves.toBe(50);
    const order = await world.db.raw(
      `select id_kemitraan from kemitraan where deleted_at is null
        order by tgl_perubahan desc nulls last, id_kemitraan desc offset 50 limit 50`,
    );
    await page.getByRole('link', { name: 'Berikutnya ›' }).click();
    await expect(page.getByRole('navigation', { name: 'Halaman' }).textContent()).resolves.toContain(
      `51–${Math.min(100, active)} dari ${fmtId(active)}`,
    );
    const pageTwo = await page.locator('table.data tbody tr td:first-child a').allInnerTexts();
    expect(pageTwo).toEqual(order.rows.map((r: { id_kemitraan: string }) => r.id_kemitraan));

    await page.goto('/kemitraan');
    await page.getByLabel('Pola').selectOption('06');
    await page.getByLabel('Status').selectOption('03');
    await page.getByRole('button', { name: 'Terapkan' }).click();
    await page.waitForURL(/pola=06/);
    const filtered = Number(
      (
        await world
          .db('kemitraan')
          .whereNull('deleted_at')
          .where({ pola_kemitraan: '06', status_kemitraan: '03' })
          .count({ n: '*' })
      )[0]!.n,
    );
    expect(filtered).toBeGreaterThan(0);
    await expect(captionCount(page)).resolves.toBe(filtered);
    const statuses = await page.locator('td[data-label="Status"]').allInnerTexts();
    expect(new Set(statuses)).toEqual(new Set(['03 Berjalan']));

    const name = (await world.db('kemitraan').whereNull('deleted_at').whereNotNull('nib_ub').first('nama_ub'))
      .nama_ub as string;
    const word = name.split(' ').at(-1)!;
    await page.goto('/kemitraan');
    await page.getByLabel('Cari (nama UB/UMKM, NIB, ID kemitraan)').fill(word.toLowerCase());
    await page.getByRole('button', { name: 'Terapkan' }).click();
    await page.waitForURL(/q=/);
    const matching = Number(
      (
        await world.db.raw(
          'select count(*)::int as n from kemitraan where deleted_at is null and (nama_ub ilike ? or nama_umkm ilike ?)',
          [`%${word}%`, `%${word}%`],
        )
      ).rows[0].n,
    );
    await expect(captionCount(page)).resolves.toBe(matching);
    await page.goto('/kemitraan?pola=06');
    await screenshot(page, 'kemitraan');
    await expectNoSeriousA11yViolations(page);

    // A value that is not a filter is left out with a note, never an error page.
    const bad = await page.goto('/kemitraan?pola=77&tahun=dua&halaman=-3');
    expect(bad?.status()).toBe(200);
    await expect(page.locator('.flash').textContent()).resolves.toContain('diabaikan: pola, tahun, halaman');
    await expect(captionCount(page)).resolves.toBe(active);
  });

  it('Pelaku usaha: search and filters agree with the database', async () => {
    await page.goto('/pelaku-usaha');
    const all = Number((await world.db('pelaku_usaha').whereNull('deleted_at').count({ n: '*' }))[0]!.n);
    await expect(captionCount(page)).resolves.toBe(all);
    await page.getByLabel('Skala usaha').selectOption('04');
    await page.getByRole('button', { name: 'Terapkan' }).click();
    await page.waitForURL(/skala=04/);
    const large = await world
      .db('pelaku_usaha')
      .whereNull('deleted_at')
      .where({ skala_usaha: '04' })
      .orderBy('nib')
      .pluck('nib');
    await expect(captionCount(page)).resolves.toBe(large.length);
    expect(large.length).toBeLessThanOrEqual(50);
    const shown = await page.locator('td[data-label="NIB"] a').allInnerTexts();
    expect([...shown].sort()).toEqual(large.slice(0, 50));
    await screenshot(page, 'pelaku-usaha');
    await expectNoSeriousA11yViolations(page);

    await page.goto('/pelaku-usaha');
    await page.getByLabel('Cari (NIB atau nama)').fill(large[0]!);
    await page.getByRole('button', { name: 'Terapkan' }).click();
    await page.waitForURL(/q=/);
    await expect(page.locator('td[data-label="NIB"] a').allInnerTexts()).resolves.toEqual([large[0]]);
  });
});
