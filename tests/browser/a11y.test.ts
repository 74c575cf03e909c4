/*
 * Every console page passes axe-core without serious or critical violations, and the pages a verifier opens on a
 * field visit (the queue, a finding, a partnership, a NIB page) fit a 390 px phone without sideways scrolling.
 * Each page leaves a desktop (1280 wide) and a phone screenshot: .ci/out/console-halaman-<page>.png and -mobile.png
 * (the area tests write their own, named after what they show).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ConsoleWorld,
  expectNoHorizontalOverflow,
  expectNoSeriousA11yViolations,
  newPage,
  screenshot,
  startConsoleWorld,
} from '../helpers/browser.js';

let world: ConsoleWorld;
let desktop: Page;
let phone: Page;
/** The records the detail pages show: a partnership with realisations and a finding, its UMKM's NIB, a finding. */
let sample: { kemitraan: string; nib: string; finding: number };

beforeAll(async () => {
  world = await startConsoleWorld('a11y');
  const k = await world.db.raw(`
    select k.id_kemitraan, coalesce(pu.nib, k.nib_ub) as nib
      from kemitraan k
      left join pelaku_usaha pu on pu.nib = k.nib_umkm
     where k.deleted_at is null
       and exists (select 1 from kemitraan_realisasi r where r.id_kemitraan = k.id_kemitraan)
       and exists (select 1 from findings f where f.entity_type = 'kemitraan' and f.entity_id = k.id_kemitraan)
     order by (pu.nib is null), k.id_kemitraan
     limit 1`);
  const f = await world.db('findings').where({ status: 'open' }).orderBy('id').first('id');
  expect(k.rows[0], 'a partnership with realisations and a finding').toBeDefined();
  expect(f, 'an open finding').toBeDefined();
  sample = { kemitraan: k.rows[0].id_kemitraan, nib: k.rows[0].nib, finding: Number(f.id) };
  desktop = await newPage(world, { user: 'admin' });
  phone = await newPage(world, { user: 'admin', mobile: true });
});
afterAll(async () => {
  await world?.stop();
});

interface PageSpec {
  name: string;
  url: () => string;
  /** Checked for sideways scrolling at 390 × 844. */
  phone?: boolean;
  /** Opened without signing in. */
  anonymous?: boolean;
}

const PAGES: PageSpec[] = [
  { name: 'masuk', url: () => '/masuk', anonymous: true },
  { name: 'beranda', url: () => '/' },
  { name: 'kemitraan', url: () => '/kemitraan' },
  { name: 'kemitraan-detail', url: () => `/kemitraan/${encodeURIComponent(sample.kemitraan)}`, phone: true },
  { name: 'pelaku-usaha', url: () => '/pelaku-usaha' },
  { name: 'pelaku-usaha-detail', url: () => `/pelaku-usaha/${sample.nib}`, phone: true },
  { name: 'temuan', url: () => '/temuan', phone: true },
  { name: 'temuan-detail', url: () => `/temuan/${sample.finding}`, phone: true },
  { name: 'sinkronisasi', url: () => '/sinkronisasi' },
  { name: 'impor', url: () => '/impor' },
  { name: 'pengguna', url: () => '/pengguna' },
];

/** Opens `spec` on `page` (or on a fresh signed-out page); the page to look at. */
async function open(spec: PageSpec, page: Page, mobile: boolean): Promise<Page> {
  const target = spec.anonymous ? await newPage(world, { mobile }) : page;
  const res = await target.goto(spec.url());
  expect(res?.status(), `${spec.name}: ${spec.url()}`).toBe(200);
  expect(new URL(target.url()).pathname, `${spec.name} opened without a redirect`).toBe(spec.url().split('?')[0]);
  return target;
}

describe('accessibility of every page (axe-core, desktop 1280 wide)', () => {
  it.each(PAGES.map((p) => [p.name, p] as const))('%s', async (_name, spec) => {
    const page = await open(spec, desktop, false);
    await screenshot(page, `halaman-${spec.name}`);
    await expectNoSeriousA11yViolations(page);
    if (spec.anonymous) await page.context().close();
  });
});

describe('on a phone (390 × 844, touch)', () => {
  it.each(PAGES.map((p) => [p.name, p] as const))('%s', async (_name, spec) => {
    const page = await open(spec, phone, true);
    await screenshot(page, `halaman-${spec.name}-mobile`);
    if (spec.phone) await expectNoHorizontalOverflow(page);
    if (spec.anonymous) await page.context().close();
  });
});
