/*
 * Peluang kemitraan in real Chromium on the simulator world with a planted fish processor of Kabupaten Rembang and
 * three fishing UMKM at known distances: vera (a verifier) marks the farthest one "siap bermitra" through its row's
 * form, and it moves to the top of its UB's list with the badge and her name; budi (a viewer) sees no forms; the page
 * passes axe-core and fits a 390 px phone, where the marking form opens by tap with full-width buttons.
 * Screenshots: console-peluang-kemitraan and console-peluang-kemitraan-mobile.
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

interface Place {
  daerah: string;
  lat: number | null;
  lng: number | null;
}

let serial = 0;
/** Planted NIBs start with 77: the sandbox world has none (checked before planting). */
const nextNib = () => `77${String(++serial).padStart(11, '0')}`;
const META = { content_hash: 'planted', source: 'simulator' };

/** A pelaku_usaha with one project (its KBLI) at one place, as tests/integration/matchmaking.test.ts plants them. */
async function plant(nama: string, skala: string, kbli: string, p: Place): Promise<string> {
  const nib = nextNib();
  const kec = p.daerah.slice(0, 6);
  await world.db('pelaku_usaha').insert({
    nib,
    nama_perseroan: nama,
    skala_usaha: skala,
    status_nib: '01',
    perseroan_daerah_id: p.daerah,
    kd_kecamatan: kec,
    ...META,
  });
  const id = `R-2026${nib}0`;
  await world.db('proyek').insert({ id_proyek: id, nib, kbli, skala_usaha: skala, ...META });
  await world.db('proyek_lokasi').insert({
    id_proyek_lokasi: `${id}-L0`,
    id_proyek: id,
    nib,
    proyek_daerah_id: p.daerah,
    kd_kecamatan: kec,
    lat: p.lat,
    lng: p.lng,
    ...META,
  });
  return nib;
}

const UB_NAME = 'PT UJI PERIKANAN REMBANG';
let ubNib: string;
let farNib: string;
const FAR = 'KUB UJI NELAYAN SARANG';

beforeAll(async () => {
  world = await startConsoleWorld('peluang');
  expect(await world.db('pelaku_usaha').where('nib', 'like', '77%').count({ n: '*' })).toEqual([{ n: 0 }]);
  // A fish freezer in Tasikagung (Kec. Rembang) with no partner of its own; fishermen 0,8, 11 and 34 km away.
  ubNib = await plant(UB_NAME, '04', '10213', { daerah: '3317102025', lat: -6.7, lng: 111.35 });
  await plant('UD UJI RAJUNGAN TASIK', '02', '03112', { daerah: '3317102025', lat: -6.705, lng: 111.355 });
  await plant('UD UJI NELAYAN LASEM', '01', '03111', { daerah: '3317142005', lat: -6.69, lng: 111.45 });
  farNib = await plant(FAR, '01', '03111', { daerah: '3317052023', lat: -6.735, lng: 111.66 });
});
afterAll(async () => {
  await world?.stop();
});

/** The UB's section of the list and its body rows. */
const ubSection = (page: Page) => page.getByRole('region', { name: UB_NAME, exact: true });
const bodyRows = (page: Page) =>
  ubSection(page)
    .getByRole('row')
    .filter({ has: page.getByRole('cell') });
const rowOf = (page: Page, nib: string): Locator => bodyRows(page).filter({ hasText: nib });

/** Goes through the UB's pages (from the current one) until the UMKM's row shows; returns the row. */
async function findRow(page: Page, nib: string): Promise<Locator> {
  for (let i = 0; i < 20; i++) {
    const row = rowOf(page, nib);
    if ((await row.count()) > 0) return row;
    const next = page.getByRole('link', { name: 'Berikutnya ›' });
    expect(await next.count(), `the row of ${nib}`).toBe(1);
    await Promise.all([page.waitForURL(/halaman=/), next.click()]);
  }
  throw new Error(`no row of ${nib}`);
}

/** The text as a person reads it: cells and lines apart (textContent runs them together), white space collapsed. */
// biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what this asserts
const textOf = async (l: Locator) => (await l.innerText()).replace(/\s+/g, ' ').trim();

/** Clicks a submit button and waits for the page the post redirects to (post/redirect/get). */
async function submit(page: Page, button: Locator): Promise<void> {
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'GET' && r.request().resourceType() === 'document'),
    button.click(),
  ]);
  await page.waitForLoadState('domcontentloaded');
}

describe('Peluang kemitraan in Chromium', () => {
  it('vera marks a UMKM siap bermitra: it moves to the top of its UB with the badge and her name', async () => {
    const page = await newPage(world, { user: 'vera' });
    await page.goto('/peluang-kemitraan');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Peluang kemitraan');
    await page.getByLabel('Usaha besar (UB)').selectOption(ubNib);
    await submit(page, page.getByRole('button', { name: 'Terapkan' }));
    expect(new URL(page.url()).searchParams.get('ub')).toBe(ubNib);

    // By distance: the farthest is not first, and not yet judged.
    const names = () => bodyRows(page).locator('strong').allTextContents();
    expect((await names())[0]).not.toBe(FAR);
    const far = await findRow(page, farNib);
    expect(await textOf(far)).toContain('Belum dinilai');
    await far.getByText('Catat kesiapan', { exact: true }).click();
    await far.getByLabel(`Catatan untuk ${FAR} (boleh kosong)`).fill('kapal dan cold box siap');
    await submit(page, far.getByRole('button', { name: 'Siap bermitra', exact: true }));

    expect(new URL(page.url()).searchParams.get('ub')).toBe(ubNib);
    expect(await page.getByRole('status').first().textContent()).toContain(
      `UMKM ${FAR} (NIB ${farNib}) dicatat siap bermitra oleh vera.`,
    );
    const top = bodyRows(page).first();
    const text = await textOf(top);
    expect(text).toMatch(new RegExp(`^1 ${FAR} NIB ${farNib} `));
    expect(text).toContain('Siap bermitra');
    expect(text).toContain('oleh Vera Lestari (vera)');
    expect(text).toContain('“kapal dan cold box siap”');
    // The history opens on demand.
    await top.getByText('Riwayat pencatatan (1)').click();
    await expect.poll(() => top.getByRole('listitem').first().isVisible()).toBe(true);
    expect(await textOf(top.getByRole('listitem').first())).toMatch(
      /^Siap bermitra · Vera Lestari \(vera\) · \d{4}-\d{2}-\d{2} \d{2}:\d{2} WIB · “kapal dan cold box siap”$/,
    );
    const stored = await world.db('umkm_readiness').where({ nib: farNib }).first();
    expect(stored).toMatchObject({ status: 'siap', marked_by: 'vera', note: 'kapal dan cold box siap' });

    // Only the ready: the filter keeps the UB.
    await page.getByLabel('Hanya yang siap bermitra').check();
    await submit(page, page.getByRole('button', { name: 'Terapkan' }));
    expect(await names()).toEqual([FAR]);
    await page.goto(`/peluang-kemitraan?ub=${ubNib}`);
    await expectNoSeriousA11yViolations(page);
    await expectNoHorizontalOverflow(page);
    await screenshot(page, 'peluang-kemitraan');
    expect(consoleErrors(page)).toEqual([]);
  });

  it('budi (a viewer) reads the list and its map without any marking form', async () => {
    const page = await newPage(world, { user: 'budi' });
    await page.goto(`/peluang-kemitraan?ub=${ubNib}`);
    expect(await page.getByText('Catat kesiapan').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Siap bermitra' }).count()).toBe(0);
    expect(await textOf(rowOf(page, farNib))).toContain('Siap bermitra');
    await expectNoSeriousA11yViolations(page);
    // Every UB of the region, with its candidates and ready UMKM counted.
    await page.goto('/peluang-kemitraan');
    const ubRow = page
      .getByRole('region', { name: 'Usaha besar di wilayah' })
      .getByRole('row')
      .filter({ hasText: ubNib });
    expect(await textOf(ubRow)).toMatch(new RegExp(`^${UB_NAME} ${ubNib} Rembang \\d+ 1$`));
    await expectNoSeriousA11yViolations(page);
    await page.getByText('Cara kandidat dipilih dan diurutkan').click();
    await page.getByRole('link', { name: 'peta rantai pasok' }).first().click();
    await page.waitForLoadState('domcontentloaded');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Peta rantai pasok');
    expect(await textOf(page.getByRole('table'))).toContain('10213 Industri Pembekuan Ikan');
    await expectNoSeriousA11yViolations(page);
  });

  it('fits a 390 px phone: cards, and the marking form by tap with full-width buttons', async () => {
    const phone = await newPage(world, { user: 'vera', mobile: true });
    await phone.goto(`/peluang-kemitraan?ub=${ubNib}`);
    await expectNoHorizontalOverflow(phone);
    const row = rowOf(phone, farNib);
    await row.getByText('Catat kesiapan', { exact: true }).tap();
    const button = row.getByRole('button', { name: 'Belum siap', exact: true });
    await expect.poll(() => button.isVisible()).toBe(true);
    const box = await button.boundingBox();
    const cell = await row.getByLabel(`Catatan untuk ${FAR} (boleh kosong)`).boundingBox();
    expect(box && cell && Math.abs(box.width - cell.width) < 2, 'the button is as wide as the note field').toBe(true);
    expect(box!.height).toBeGreaterThanOrEqual(44);
    await expectNoHorizontalOverflow(phone);
    await expectNoSeriousA11yViolations(phone);
    await screenshot(phone, 'peluang-kemitraan-mobile');
    await button.tap();
    await phone.waitForLoadState('domcontentloaded');
    await expect
      .poll(async () => (await world.db('umkm_readiness').where({ nib: farNib }).first())?.status)
      .toBe('belum_siap');
  });
});
