/*
 * Beranda in real Chromium, as budi (a viewer) sees it on the simulator world: the tiles carry the database's figures
 * in id-ID form, every chart is an image with its numbers in a table beside it, the page reads the same without
 * JavaScript, it passes axe-core, and it fits a 390 px phone. Screenshots: console-beranda (the README's) and
 * console-beranda-mobile.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fmtId } from '../../src/domain/format.js';
import { fmtRupiahShort } from '../../src/report/charts.js';
import {
  type ConsoleWorld,
  consoleErrors,
  expectNoHorizontalOverflow,
  expectNoSeriousA11yViolations,
  login,
  newPage,
  openBrowser,
  screenshot,
  startConsoleWorld,
} from '../helpers/browser.js';

const CHARTS = [
  'Per status kemitraan',
  'Per pola kemitraan',
  'Per kecamatan',
  'Temuan aktif per tingkat',
  'Temuan aktif per aturan',
];

let world: ConsoleWorld;
let page: Page;

beforeAll(async () => {
  world = await startConsoleWorld('home');
  page = await newPage(world, { user: 'budi' });
});
afterAll(async () => {
  await world?.stop();
});

/** The quarter the page shows (its period select), as tahun and triwulan. */
async function shownQuarter(p: Page): Promise<{ tahun: number; triwulan: number }> {
  const value = await p.getByLabel('Periode').inputValue();
  const m = /^(\d{4})-Q([1-4])$/.exec(value);
  expect(m, `periode ${value}`).not.toBeNull();
  return { tahun: Number(m![1]), triwulan: Number(m![2]) };
}

/** The tiles' figures as the database has them for a quarter, formatted as the page must show them. */
async function expectedTiles(q: { tahun: number; triwulan: number }) {
  const r = await world.db.raw(
    `select (select count(*) from analytics.kemitraan where deleted_at is null)::int as registered,
            (select coalesce(sum(nilai_kemitraan), 0) from analytics.kemitraan where deleted_at is null)::float8 as value,
            (select count(*) from analytics.kemitraan where deleted_at is null and status_kemitraan = '03')::int as running,
            (select count(*) from analytics.kemitraan k where k.deleted_at is null and k.status_kemitraan = '03'
                and exists (select 1 from analytics.kemitraan_realisasi r where r.id_kemitraan = k.id_kemitraan
                              and r.tahun = ? and r.triwulan = ? and r.deleted_at is null))::int as realised,
            (select count(distinct id_mitra_umkm) from analytics.kemitraan where deleted_at is null)::int as umkm,
            (select count(*) from analytics.discrepancies where status in ('open', 'in_review', 'confirmed'))::int as active`,
    [q.tahun, q.triwulan],
  );
  const x = r.rows[0];
  return {
    'Kemitraan terdaftar': fmtId(x.registered),
    'Kemitraan berjalan (03)': fmtId(x.running),
    realised: fmtId(x.realised),
    'Mitra UMKM': fmtId(x.umkm),
    'Temuan aktif': fmtId(x.active),
    value: `Nilai ${fmtRupiahShort(x.value, 2)}`,
  };
}

/** The big figure of the tile labelled `label`. */
const tileValue = (p: Page, label: string | RegExp) =>
  p
    .locator('.tile')
    .filter({ has: p.locator('.label', { hasText: label }) })
    .locator('.value');

async function expectFigures(p: Page): Promise<void> {
  const q = await shownQuarter(p);
  const e = await expectedTiles(q);
  for (const label of ['Kemitraan terdaftar', 'Kemitraan berjalan (03)', 'Mitra UMKM', 'Temuan aktif'] as const) {
    await expect.poll(() => tileValue(p, label).textContent(), { message: label }).toBe(e[label]);
  }
  expect(await tileValue(p, /^Berjalan dengan realisasi Triwulan/).textContent()).toBe(e.realised);
  expect(await p.locator('.tile', { hasText: 'Kemitraan terdaftar' }).locator('.hint').first().textContent()).toBe(
    e.value,
  );
  for (const heading of CHARTS) {
    const card = p
      .locator('section.card')
      .filter({ has: p.getByRole('heading', { level: 3, name: heading, exact: true }) });
    const chart = card.getByRole('img');
    await expect.poll(() => chart.count(), { message: `${heading}: one chart` }).toBe(1);
    expect(await chart.getAttribute('aria-label')).toMatch(/^Diagram (batang|donat): /);
    expect(await card.getByRole('table').count(), `${heading}: its table`).toBe(1);
    expect(await card.getByRole('row').count(), `${heading}: rows`).toBeGreaterThan(1);
  }
}

describe('Beranda in Chromium', () => {
  it('shows budi the database figures in id-ID form, each chart with its table, without console errors', async () => {
    await page.goto('/');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Beranda');
    await expectFigures(page);
    // The rendered bars have length: a chart of SSR's first animation frame would draw every bar 0 px wide.
    const bars = await page
      .locator('section.card', { hasText: 'Per pola kemitraan' })
      .locator('svg path[fill="#0b5394"]')
      .evaluateAll((paths) => paths.map((p) => (p as SVGGraphicsElement).getBBox().width));
    expect(bars.filter((w) => w > 1).length).toBeGreaterThan(0);
    await expectNoSeriousA11yViolations(page);
    // Each table fits beside its chart (1280 wide).
    await expectNoHorizontalOverflow(page);
    expect(consoleErrors(page)).toEqual([]);
  });

  it('chooses another quarter through the period form', async () => {
    await page.goto('/');
    const options = await page
      .getByLabel('Periode')
      .locator('option')
      .evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value));
    expect(options).toHaveLength(8);
    await page.getByLabel('Periode').selectOption(options[1]!);
    await page.getByRole('button', { name: 'Tampilkan' }).click();
    await page.waitForURL(`**/?periode=${options[1]}`);
    expect(await page.getByLabel('Periode').inputValue()).toBe(options[1]);
    await expectFigures(page);
    await expectNoHorizontalOverflow(page);
    // The README's picture: the last complete quarter, whose realisation has been reported.
    expect(consoleErrors(page)).toEqual([]);
    await screenshot(page, 'beranda');
  });

  it('reads the same without JavaScript', async () => {
    const browser = await openBrowser();
    const context = await browser.newContext({ baseURL: world.url, javaScriptEnabled: false, locale: 'id-ID' });
    const plain = await context.newPage();
    try {
      await login(plain, world, 'budi');
      await plain.goto('/');
      await expectFigures(plain);
    } finally {
      await context.close();
    }
  });

  it('fits a 390 px phone without sideways scrolling', async () => {
    const phone = await newPage(world, { user: 'budi', mobile: true });
    await phone.goto('/');
    await expectFigures(phone);
    await expectNoHorizontalOverflow(phone);
    await expectNoSeriousA11yViolations(phone);
    expect(consoleErrors(phone)).toEqual([]);
    await screenshot(phone, 'beranda-mobile');
  });
});
