/*
 * The admin pages in Chromium, on the sandbox world, as the office's IT staff use them:
 * - Impor: an admin uploads the DP Proyek csv the simulator writes and reads the import report, whose counts are the
 *   database's; a junk file named .xlsx and a .exe are refused with nothing written;
 * - Sinkronisasi: an admin starts a sync (the simulator slowed down so it keeps running), a second start while it
 *   runs is refused with the Indonesian message, and the run's page follows it live until it has finished;
 * - Pengguna: an admin adds an account through the form;
 * - a verifier and a viewer get 403 on every one of these pages; each page passes axe and fits a phone.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fmtId } from '../../src/domain/format.js';
import { humanTime } from '../../src/domain/wib.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { verifyPassword } from '../../src/web/passwords.js';
import {
  type ConsoleWorld,
  expectNoHorizontalOverflow,
  expectNoSeriousA11yViolations,
  newPage,
  screenshot,
  startConsoleWorld,
} from '../helpers/browser.js';
import { cli } from '../helpers/cli.js';
import { rowVersions } from '../helpers/sync.js';

let world: ConsoleWorld;
let page: Page;
let dir: string;

beforeAll(async () => {
  world = await startConsoleWorld('admin');
  dir = mkdtempSync(join(tmpdir(), 'oss-sync-admin-browser-'));
  const written = await cli(['simulate', '--write-exports', dir], world.env);
  expect(written.code, written.stderr).toBe(0);
  page = await newPage(world, { user: 'admin' });
});
afterAll(async () => {
  await world?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const text = async (p: Page, selector = 'main') =>
  ((await p.locator(selector).first().textContent()) ?? '').replace(/\s+/g, ' ').trim();
/** A table row's cells, each trimmed, joined by one space. */
const cellsOf = async (row: ReturnType<Page['locator']>) =>
  (await row.locator('td').allTextContents()).map((c) => c.replace(/\s+/g, ' ').trim()).join(' ');
const database = () => ({ url: world.env.DATABASE_URL!, db: world.db, drop: async () => undefined });
const runCount = async () => Number((await world.db('sync_runs').count({ n: '*' }).first())?.n);

/** Chooses `path` in the upload form and submits it; the page then shows the answer. */
async function upload(p: Page, path: string) {
  await p.goto('/impor');
  await p.getByLabel(/^Berkas ekspor/).setInputFiles(path);
  const [res] = await Promise.all([
    p.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/impor'),
    p.getByRole('button', { name: 'Unggah dan impor' }).click(),
  ]);
  await p.waitForLoadState('load');
  return res;
}

describe('Impor', () => {
  it('an admin uploads a DP Proyek csv and reads the report, with the counts the database holds', async () => {
    const res = await upload(page, join(dir, 'DP Proyek.csv'));
    expect(res.status()).toBe(200);
    const run = await world.db('sync_runs').where({ trigger: 'import' }).orderBy('id', 'desc').first();
    expect(run).toMatchObject({ status: 'succeeded', requested_by: 'admin' });
    await expect(page.getByRole('heading', { name: /^Hasil impor: DP Proyek\.csv/ }).count()).resolves.toBe(1);
    await expect(page.getByRole('status').first().textContent()).resolves.toContain(
      `Berkas "DP Proyek.csv" diimpor sebagai run #${run.id}: ${fmtId(run.counts.proyek.fetched)} baris dibaca`,
    );
    // The rows table: read, new, changed, unchanged … as the run recorded them.
    const rowCells = await page.locator('h3:text-is("Baris") + table tbody td').allTextContents();
    expect(rowCells[0]).toBe(fmtId(run.counts.proyek.fetched));
    expect(rowCells[5]).toBe(fmtId(run.counts.proyek.rejected));
    const tables = (await page.locator('h3:text-is("Per tabel") + table tbody tr').allInnerTexts()).map((r) =>
      r.replace(/\s+/g, ' ').trim(),
    );
    for (const [table, c] of Object.entries(run.counts as Record<string, { inserted: number; updated: number }>)) {
      if (table === 'findings') continue;
      expect(tables.find((r) => r.includes(table))).toContain(`${table} ${fmtId(c.inserted)} ${fmtId(c.updated)}`);
    }
    const proyek = await world.db('proyek').where({ last_run_id: run.id }).count({ n: '*' }).first();
    expect(Number(proyek?.n)).toBe(run.counts.proyek.inserted + run.counts.proyek.updated);
    if (run.counts.proyek.rejected > 0) {
      const q = await world.db('quarantine').where({ first_run_id: run.id }).first();
      await expect(text(page)).resolves.toContain(`baris ${fmtId(q.location.row)}:`);
    }
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, 'impor');
    const phone = await newPage(world, { user: 'admin', mobile: true });
    await upload(phone, join(dir, 'DP Proyek.csv'));
    await expectNoHorizontalOverflow(phone);
    await screenshot(phone, 'impor-mobile');
  });

  it('refuses a junk file named .xlsx and a .exe, with nothing written', async () => {
    const junk = join(dir, 'laporan.xlsx');
    const exe = join(dir, 'pembaruan.exe');
    writeFileSync(junk, randomBytes(20_000));
    writeFileSync(exe, randomBytes(20_000));
    const before = { rows: await rowVersions(database()), runs: await runCount() };
    const refused = await upload(page, junk);
    expect(refused.status()).toBe(422);
    await expect(page.getByRole('alert').textContent()).resolves.toContain(
      'Berkas "laporan.xlsx" bukan berkas Excel (xlsx) yang sah',
    );
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Tidak ada yang ditulis.');
    const wrongType = await upload(page, exe);
    expect(wrongType.status()).toBe(422);
    await expect(page.getByRole('alert').textContent()).resolves.toContain(
      'Berkas "pembaruan.exe" ditolak: hanya ekspor dasbor OSS berformat .xlsx atau .csv',
    );
    expect(await rowVersions(database())).toEqual(before.rows);
    expect(await runCount()).toBe(before.runs);
  });
});

describe('Sinkronisasi', () => {
  let sim: RunningSimulator;
  let slowWorld: ConsoleWorld;

  beforeAll(async () => {
    // The sandbox world in this process (same seed, size and anchor), so the test can slow its answers down.
    const anchor = JSON.parse(readFileSync(join(world.env.OSS_SYNC_DATA_DIR!, 'sandbox.json'), 'utf8')).anchor;
    sim = await startSimulator({
      seed: 1,
      size: 'tiny',
      kdDaerah: '3317',
      now: new Date(anchor),
      userKey: 'sandbox-key',
      faults: { quota: null },
    });
    const slow = await world.serve({ OSS_BASE_URL: sim.url, OSS_USER_KEY: 'sandbox-key', OSS_RATE_LIMIT_RPS: '1000' });
    slowWorld = { ...world, url: slow.url, server: slow };
  });
  afterAll(async () => {
    sim?.control.setFaults({ latencyMs: 0 });
    await sim?.stop();
  });

  it('an admin starts a sync, a second start while it runs is refused, and the page follows it to the end', async () => {
    const p = await newPage(slowWorld, { user: 'admin' });
    sim.control.setFaults({ latencyMs: 2_000 });
    await p.goto('/sinkronisasi');
    await p.getByLabel('Kemitraan', { exact: true }).check();
    await p.getByLabel('NIB (pelaku usaha)').check();
    await p.getByLabel(/Penuh:/).check();
    await p.getByLabel('Alasan (opsional)').fill('periksa data minggu ini');
    await p.getByRole('button', { name: 'Mulai sinkronisasi' }).click();
    await p.waitForURL(/\/sinkronisasi\/\d+$/);
    const id = Number(new URL(p.url()).pathname.split('/').pop());
    const row = await world.db('sync_runs').where({ id }).first();
    expect(row).toMatchObject({ trigger: 'manual', requested_by: 'admin', reason: 'periksa data minggu ini' });
    await expect(p.getByRole('status').first().textContent()).resolves.toContain(`Sinkronisasi #${id} dimulai.`);
    await expect(p.locator(`[data-live-run="${id}"]`).count()).resolves.toBe(1);

    const again = await newPage(slowWorld, { user: 'admin' });
    await again.goto('/sinkronisasi');
    await again.getByLabel('Perizinan').check();
    const [refused] = await Promise.all([
      again.waitForResponse((r) => r.request().method() === 'POST'),
      again.getByRole('button', { name: 'Mulai sinkronisasi' }).click(),
    ]);
    expect(refused.status()).toBe(409);
    await expect(again.getByRole('alert').textContent()).resolves.toBe(
      `Sinkronisasi #${id} sedang berjalan (dimulai ${humanTime(row.started_at, 'Asia/Jakarta')}). Tunggu sampai selesai.`,
    );
    expect(await world.db('sync_runs').where({ status: 'running' }).pluck('id')).toEqual([id]);
    // The refusal's page does not poll (a reload of a POST's page would post the form again).
    await expect(again.locator('[data-live-run]').count()).resolves.toBe(0);
    await expect(text(again, 'section[aria-labelledby="berjalan"]')).resolves.toContain(`Sedang berjalan: #${id}`);
    await expectNoSeriousA11yViolations(again);

    // The answers come quickly again: console.js sees the run end and reloads its page.
    sim.control.setFaults({ latencyMs: 0 });
    await p.locator('[data-live-run]').waitFor({ state: 'detached', timeout: 90_000 });
    const done = await world.db('sync_runs').where({ id }).first();
    expect(done.status).toBe('succeeded');
    await expect(text(p, 'section[aria-labelledby="ringkas"] dt:text-is("Status") + dd')).resolves.toBe('berhasil');
    const kemitraan = await cellsOf(p.locator('table tbody tr', { hasText: 'Kemitraan' }).first());
    expect(kemitraan).toContain(
      `Kemitraan berhasil ${fmtId(done.counts.kemitraan.fetched)} ${fmtId(done.counts.kemitraan.inserted)}`,
    );
    await expectNoSeriousA11yViolations(p);
    await screenshot(p, 'sinkronisasi-detail');

    // Nothing else started meanwhile: the refused trigger stays refused.
    expect(await world.db('sync_runs').where('id', '>', id).pluck('id')).toEqual([]);
    await p.goto('/sinkronisasi');
    await expect(cellsOf(p.locator('table tbody tr').first())).resolves.toContain(`#${id} berhasil manual admin`);
    await expectNoSeriousA11yViolations(p);
    await screenshot(p, 'sinkronisasi');
    const phone = await newPage(world, { user: 'admin', mobile: true });
    for (const path of ['/sinkronisasi', `/sinkronisasi/${id}`, '/karantina']) {
      await phone.goto(path);
      await expectNoHorizontalOverflow(phone);
    }
    await screenshot(phone, 'sinkronisasi-mobile');
  });

  it('the quarantine shows the reasons per field', async () => {
    const open = await world.db('quarantine').whereNull('resolved_at').orderBy('id', 'desc').first();
    await page.goto('/sinkronisasi');
    await page.getByRole('link', { name: /^Karantina/ }).click();
    await page.waitForURL(/\/karantina$/);
    const row = await cellsOf(page.locator('tbody tr', { hasText: open.entity_id }));
    expect(row).toContain(`${open.issues[0].path}: ${open.issues[0].message}`);
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, 'karantina');
  });
});

describe('Pengguna', () => {
  it('an admin adds an account through the form', async () => {
    await page.goto('/pengguna');
    const add = page.getByRole('region', { name: 'Tambah pengguna' });
    await add.getByLabel('Nama pengguna').fill('rina');
    await add.getByLabel('Nama lengkap').fill('Rina Kartika');
    await add.getByLabel('Peran').selectOption('verifier');
    await add.getByLabel(/^Kata sandi awal/).fill('Rina#Lapangan2026');
    await add.getByRole('button', { name: 'Tambah' }).click();
    await page.waitForLoadState('load');
    await expect(page.getByRole('status').first().textContent()).resolves.toContain(
      'Pengguna rina (Verifikator) dibuat',
    );
    const row = await world.db('web_users').where({ username: 'rina' }).first();
    expect(row).toMatchObject({ full_name: 'Rina Kartika', role: 'verifier', created_by: 'admin' });
    expect(await verifyPassword('Rina#Lapangan2026', row.password_hash)).toBe(true);
    const audit = await world.db('web_audit').where({ action: 'user.add', target: 'rina' }).first();
    expect(audit.username).toBe('admin');
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, 'pengguna');
    const phone = await newPage(world, { user: 'admin', mobile: true });
    await phone.goto('/pengguna');
    await expectNoHorizontalOverflow(phone);
    await screenshot(phone, 'pengguna-mobile');
  });
});

describe('roles', () => {
  it.each(['vera', 'budi'])('%s gets 403 on every admin page', async (user) => {
    const p = await newPage(world, { user });
    for (const path of ['/sinkronisasi', '/sinkronisasi/1', '/karantina', '/impor', '/pengguna']) {
      const res = await p.goto(path);
      expect(res?.status(), path).toBe(403);
      await expect(p.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Tidak berwenang');
    }
    // The menu does not offer them either.
    await expect(
      p.getByRole('navigation', { name: 'Menu utama' }).getByRole('link', { name: 'Sinkronisasi' }).count(),
    ).resolves.toBe(0);
  });
});
