/*
 * Laporan in real Chromium, as budi (a viewer) uses it on the simulator world: opened from the menu, it shows the
 * last complete quarter's report in the console's layout, every chart an image (role img, named) with its table; the
 * form chooses a kecamatan or a range of days; the PDF download is a real download of a PDF; a range without dates is
 * refused with a message; axe-core finds no serious violation; nothing overflows a 390 px phone, a table unfolded
 * included. Screenshots: console-laporan and console-laporan-mobile.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDateTime } from '../../src/domain/wib.js';
import { lastCompleteQuarter } from '../../src/report/partnershipReport.js';
import {
  type ConsoleWorld,
  consoleErrors,
  expectNoHorizontalOverflow,
  expectNoSeriousA11yViolations,
  newPage,
  screenshot,
  startConsoleWorld,
} from '../helpers/browser.js';

let world: ConsoleWorld;
let page: Page;
let downloads: string;
const period = lastCompleteQuarter(localDateTime(new Date(), 'Asia/Jakarta').slice(0, 10));

beforeAll(async () => {
  world = await startConsoleWorld('laporan');
  downloads = mkdtempSync(join(tmpdir(), 'oss-sync-laporan-'));
  page = await newPage(world, { user: 'budi' });
});
afterAll(async () => {
  await world?.stop();
  if (downloads) rmSync(downloads, { recursive: true, force: true });
});

/** The chart blocks of the page: each a heading, one SVG image and the table of its numbers. */
const chartBlocks = (p: Page) => p.locator('.report-chart');

describe('Laporan in Chromium', () => {
  it('opens from the menu on the last complete quarter, in the console layout', async () => {
    await page.goto('/');
    await page.getByRole('navigation', { name: 'Menu utama' }).getByRole('link', { name: 'Laporan' }).click();
    await page.waitForURL((u) => u.pathname === '/laporan');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Laporan kemitraan');
    expect(await page.getByLabel('Periode', { exact: true }).inputValue()).toBe(period.key);
    const summary = page.locator('#ringkasan');
    await expect.poll(() => summary.textContent()).toContain(period.label);
    for (const title of ['Berapa yang riil', 'Rantai pasok', 'Temuan dalam periode']) {
      expect(await page.getByRole('heading', { level: 2, name: title }).count()).toBe(1);
    }
    expect(consoleErrors(page)).toEqual([]);
  });

  it('draws every chart as an SVG image with a name, and puts the table of its numbers with it', async () => {
    const blocks = chartBlocks(page);
    const n = await blocks.count();
    expect(n).toBeGreaterThanOrEqual(8);
    for (let i = 0; i < n; i++) {
      const b = blocks.nth(i);
      const images = b.getByRole('img');
      expect(await images.count()).toBe(1);
      expect(await images.evaluate((el) => el.tagName.toLowerCase())).toBe('svg');
      expect(await images.getAttribute('aria-label')).toMatch(/^(Diagram (batang|donat|aliran)|Peta titik): /);
      const title = (await b.getByRole('heading', { level: 3 }).textContent())!;
      // Its numbers: a table (or the note that the period has none), in the same block.
      const tables = await b.getByRole('table').count();
      const empty = await b.getByText('Tidak ada data untuk periode ini.').count();
      expect(tables + empty, `the table of "${title}"`).toBe(1);
      if (tables) expect(await b.getByRole('table').getByRole('row').count()).toBeGreaterThan(1);
    }
    expect(await page.getByRole('img', { name: /^Peta titik: / }).isVisible()).toBe(true);
    expect(await page.getByRole('img', { name: /^Diagram aliran: / }).count()).toBeGreaterThan(0);
  });

  it('passes axe-core with no serious violation, and leaves a screenshot', async () => {
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, 'laporan');
  });

  it("downloads the PDF as a real download: the CLI's file name, a PDF inside", async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Unduh PDF' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`laporan-kemitraan-3317-${period.key}.pdf`);
    const file = join(downloads, download.suggestedFilename());
    await download.saveAs(file);
    const pdf = readFileSync(file);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(10_000);
    // The page is still there to go on with.
    expect(new URL(page.url()).pathname).toBe('/laporan');
  });

  it('chooses a kecamatan with the form, and keeps the choice in the downloads', async () => {
    await page.getByLabel('Kecamatan', { exact: true }).selectOption({ label: 'Lasem' });
    await Promise.all([
      page.waitForURL((u) => u.searchParams.get('kecamatan') === '331714'),
      page.getByRole('button', { name: 'Tampilkan laporan' }).click(),
    ]);
    expect(await page.locator('#ringkasan').textContent()).toContain('Kecamatan Lasem');
    expect(await page.getByRole('link', { name: 'Unduh xlsx' }).getAttribute('href')).toBe(
      `/laporan/unduh?format=xlsx&periode=${period.key}&kecamatan=331714`,
    );
  });

  it('refuses a range without dates with a message, the form kept (400)', async () => {
    await page.getByLabel('Periode', { exact: true }).selectOption('rentang');
    const [response] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/laporan'),
      page.getByRole('button', { name: 'Tampilkan laporan' }).click(),
    ]);
    expect(response.status()).toBe(400);
    expect(await page.getByRole('alert').textContent()).toContain('isi tanggal dari dan tanggal sampai');
    expect(await page.getByLabel('Periode', { exact: true }).inputValue()).toBe('rentang');
    expect(await chartBlocks(page).count()).toBe(0);
    await expectNoSeriousA11yViolations(page);
  });

  it('fits a 390 px phone, a long table unfolded too, and leaves a screenshot', async () => {
    const phone = await newPage(world, { user: 'budi', mobile: true });
    await phone.goto(`/laporan?periode=${period.key}`);
    await expectNoHorizontalOverflow(phone);
    await screenshot(phone, 'laporan-mobile');
    const folded = phone.locator('details.report-table').first();
    expect(await folded.count()).toBe(1);
    await folded.locator('summary').tap();
    await expect.poll(() => folded.getAttribute('open')).toBe('');
    expect(await folded.getByRole('table').isVisible()).toBe(true);
    await expectNoHorizontalOverflow(phone);
    await expectNoSeriousA11yViolations(phone);
    expect(consoleErrors(phone)).toEqual([]);
    await phone.context().close();
  });
});
