/*
 * The verification queue (Temuan) in real Chromium on the simulator world, as a verifier works it: filter the queue
 * by kecamatan and rule, open a finding and move it open → in_review → confirmed with a note (the events name the
 * signed-in verifier), an illegal move and a stale page answered in Indonesian, bulk actions with select-all and a
 * bulk dismiss with a note, the field-visit xlsx of a filter (read back with exceljs), and the queue and a finding at
 * 390 × 844 with the move to in_review by tap. Screenshots: console-temuan, console-temuan-detail, -mobile.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transitionFinding } from '../../src/verification/lifecycle.js';
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
let downloads: string;

beforeAll(async () => {
  world = await startConsoleWorld('temuan');
  downloads = mkdtempSync(join(tmpdir(), 'oss-sync-temuan-xlsx-'));
});
afterAll(async () => {
  await world?.stop();
  if (downloads) rmSync(downloads, { recursive: true, force: true });
});

const ACTIVE = ['open', 'in_review', 'confirmed'];

interface FindingFacts {
  id: number;
  rule_code: string;
  kd_kecamatan: string;
  kecamatan: string;
  status: string;
}

/** Open findings placed in a kecamatan, oldest id first, that no other test of this file has used yet. */
const used = new Set<number>();
async function openFindings(n: number, where: Record<string, unknown> = {}): Promise<FindingFacts[]> {
  const rows = (await world
    .db('findings as f')
    .join('ref_kecamatan as k', 'k.kd_kecamatan', 'f.kd_kecamatan')
    .where({ 'f.status': 'open', ...where })
    .whereNotIn('f.id', [...used])
    .orderBy('f.id')
    .limit(n)
    .select('f.id', 'f.rule_code', 'f.kd_kecamatan', 'k.nama as kecamatan', 'f.status')) as FindingFacts[];
  expect(rows, 'open findings of the simulator world').toHaveLength(n);
  for (const r of rows) used.add(Number(r.id));
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

const statusOf = async (id: number) => (await world.db('findings').where({ id }).first('status')).status as string;

/** Clicks a submit button and waits for the page the post redirects to (post/redirect/get). */
async function submit(page: Page, button: Locator): Promise<void> {
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'GET' && r.request().resourceType() === 'document'),
    button.click(),
  ]);
  await page.waitForLoadState('domcontentloaded');
}

async function flashText(page: Page): Promise<string> {
  return ((await page.getByRole('alert').or(page.getByRole('status')).first().textContent()) ?? '').trim();
}

/** The finding ids of the queue rows on the page (their "#12" links), in order. */
async function rowIds(page: Page): Promise<number[]> {
  const links = await page
    .getByRole('table')
    .getByRole('link', { name: /^#\d+$/ })
    .allTextContents();
  return links.map((t) => Number(t.slice(1)));
}

describe('the queue on a desktop, as vera (verifier)', () => {
  it('filters by kecamatan and rule, opens a finding and moves it open → in_review → confirmed with a note', async () => {
    const [target] = (await openFindings(1)) as [FindingFacts];
    const page = await newPage(world, { user: 'vera' });
    await page.goto('/temuan');
    await page.getByRole('combobox', { name: /^Kecamatan/ }).selectOption(target.kd_kecamatan);
    await page.getByRole('combobox', { name: /^Aturan/ }).selectOption(target.rule_code);
    await Promise.all([
      page.waitForURL((u) => u.searchParams.get('aturan') === target.rule_code),
      page.getByRole('button', { name: 'Terapkan' }).click(),
    ]);
    const expected = (
      await world
        .db('findings')
        .where({ rule_code: target.rule_code, kd_kecamatan: target.kd_kecamatan })
        .whereIn('status', ACTIVE)
        .orderBy('id')
        .pluck('id')
    ).map(Number);
    expect((await rowIds(page)).sort((a, b) => a - b)).toEqual(expected);
    const main = (await page.getByRole('main').textContent()) ?? '';
    expect(main).toContain(target.kecamatan);
    expect(main).toContain(`dari ${expected.length}`);
    await screenshot(page, 'temuan');
    await expectNoSeriousA11yViolations(page);

    await Promise.all([
      page.waitForURL(`**/temuan/${target.id}`),
      page.getByRole('link', { name: `#${target.id}`, exact: true }).click(),
    ]);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(`Temuan #${target.id}`);
    // The lifecycle's only move from open, and the evidence as tables, not JSON.
    expect(await page.getByRole('button', { name: /^Konfirmasi/ }).count()).toBe(0);
    expect(await page.getByRole('region', { name: 'Bukti' }).textContent()).not.toMatch(/[{}]/);

    await submit(page, page.getByRole('button', { name: 'Periksa (Sedang diperiksa)' }));
    expect(await flashText(page)).toBe(`Temuan #${target.id} dipindahkan dari Terbuka ke Sedang diperiksa.`);
    // From in_review: confirm, dismiss (its note is required) or hand back.
    expect(await page.getByLabel(/^Catatan/).getAttribute('required')).not.toBeNull();
    expect(await page.getByLabel('Catatan (wajib untuk menolak)').count()).toBe(1);
    expect(
      await page.getByText('Catatan wajib diisi untuk menolak temuan; untuk tindakan lain boleh kosong.').count(),
    ).toBe(1);
    const note = 'Dicek ke lokasi 5 Desember: UMKM memang tidak memenuhi syarat';
    await page.getByLabel(/^Catatan/).fill(note);
    await submit(page, page.getByRole('button', { name: 'Konfirmasi (masalah nyata)' }));
    expect(await flashText(page)).toBe(`Temuan #${target.id} dipindahkan dari Sedang diperiksa ke Terkonfirmasi.`);
    await screenshot(page, 'temuan-detail');
    await expectNoSeriousA11yViolations(page);

    const events = await world
      .db('finding_events')
      .where({ finding_id: target.id, kind: 'transition' })
      .orderBy('id')
      .select('from_status', 'to_status', 'actor', 'note');
    expect(events).toEqual([
      { from_status: 'open', to_status: 'in_review', actor: 'vera', note: null },
      { from_status: 'in_review', to_status: 'confirmed', actor: 'vera', note },
    ]);
    expect(await world.db('findings').where({ id: target.id }).first('status', 'verified_by', 'note')).toEqual({
      status: 'confirmed',
      verified_by: 'vera',
      note,
    });
    // The history on the page shows the verifier and the note.
    const history = (await page.getByRole('region', { name: 'Riwayat' }).textContent()) ?? '';
    expect(history).toContain('Sedang diperiksa → Terkonfirmasi');
    expect(history).toContain(note);
    expect(consoleErrors(page)).toEqual([]);
    await page.context().close();
  });

  it('an illegal move (a forged post, a stale page) is refused with an Indonesian message and changes nothing', async () => {
    const [forged, stale] = (await openFindings(2)) as [FindingFacts, FindingFacts];
    const page = await newPage(world, { user: 'vera' });
    await page.goto(`/temuan/${forged.id}`);
    const token = await page.locator('input[name="_csrf"]').first().inputValue();
    const res = await page.request.post(`/temuan/${forged.id}/status`, {
      form: { _csrf: token, status: 'dismissed', catatan: 'langsung ditolak' },
      maxRedirects: 0,
    });
    expect(res.status()).toBe(303);
    await page.goto(`/temuan/${forged.id}`);
    expect(await flashText(page)).toBe(
      `Temuan #${forged.id} tidak dapat dipindahkan dari Terbuka ke Ditolak (bukan masalah): periksa dulu (Sedang diperiksa).`,
    );
    expect(await statusOf(forged.id)).toBe('open');

    // Someone else moves the finding while this page is open: the page's button is stale.
    await page.goto(`/temuan/${stale.id}`);
    await transitionFinding(world.db, stale.id, { to: 'in_review', by: 'admin' });
    await submit(page, page.getByRole('button', { name: 'Periksa (Sedang diperiksa)' }));
    expect(await flashText(page)).toBe(`Temuan #${stale.id} sudah berstatus Sedang diperiksa.`);
    // The page now offers the moves from in_review; dismissing without a note is refused by the server too.
    const token2 = await page.locator('input[name="_csrf"]').first().inputValue();
    await page.request.post(`/temuan/${stale.id}/status`, {
      form: { _csrf: token2, status: 'dismissed', catatan: '  ' },
      maxRedirects: 0,
    });
    await page.goto(`/temuan/${stale.id}`);
    expect(await flashText(page)).toBe('Catatan wajib diisi untuk menolak temuan.');
    expect(await statusOf(stale.id)).toBe('in_review');
    const events = await world
      .db('finding_events')
      .whereIn('finding_id', [forged.id, stale.id])
      .where({ actor: 'vera' });
    expect(events).toEqual([]);
    await page.context().close();
  });

  it('assigns a finding to oneself ("Ditugaskan ke"), and the queue filters by assignee', async () => {
    const [target] = (await openFindings(1)) as [FindingFacts];
    const page = await newPage(world, { user: 'vera' });
    await page.goto(`/temuan/${target.id}`);
    await page.getByRole('combobox', { name: /^Ditugaskan ke/ }).selectOption({ label: 'Saya sendiri (vera)' });
    await submit(page, page.getByRole('button', { name: 'Simpan penugasan' }));
    expect(await flashText(page)).toBe(`Temuan #${target.id} ditugaskan ke vera.`);
    expect(await world.db('findings').where({ id: target.id }).first('status', 'assigned_to')).toEqual({
      status: 'open',
      assigned_to: 'vera',
    });
    const event = await world.db('finding_events').where({ finding_id: target.id, kind: 'assigned' }).first();
    expect(event).toMatchObject({ actor: 'vera', from_status: 'open', to_status: 'open', note: 'Ditugaskan ke vera' });

    await page.goto('/temuan');
    await page.getByRole('combobox', { name: /^Ditugaskan ke/ }).selectOption({ label: 'Saya' });
    await Promise.all([
      page.waitForURL((u) => u.searchParams.has('ditugaskan')),
      page.getByRole('button', { name: 'Terapkan' }).click(),
    ]);
    const mine = (await world.db('findings').where({ assigned_to: 'vera' }).whereIn('status', ACTIVE).pluck('id')).map(
      Number,
    );
    expect((await rowIds(page)).sort((a, b) => a - b)).toEqual(mine.sort((a, b) => a - b));
    expect(mine).toContain(target.id);
    await page.context().close();
  });

  it('bulk: selected open findings → in review, then all of them dismissed at once with a note', async () => {
    const picked = await openFindings(3, { 'f.entity_type': 'kemitraan' });
    const page = await newPage(world, { user: 'vera' });
    await page.goto('/temuan?status=open&jenis=kemitraan');
    for (const f of picked) await page.getByLabel(`Pilih temuan #${f.id}`).check();
    await page.getByLabel('Tindakan', { exact: true }).selectOption('in_review');
    await submit(page, page.getByRole('button', { name: 'Jalankan' }));
    expect(await flashText(page)).toBe('3 temuan dipindahkan ke Sedang diperiksa.');
    // Back on the same filter: the moved findings left the "open" list.
    expect(new URL(page.url()).search).toBe('?status=open&jenis=kemitraan');
    const left = await rowIds(page);
    for (const f of picked) expect(left).not.toContain(f.id);
    for (const f of picked) expect(await statusOf(f.id)).toBe('in_review');

    // Everything in review (these three and any other), selected with "Pilih semua".
    await page.goto('/temuan?status=in_review');
    const inReview = (await world.db('findings').where({ status: 'in_review' }).orderBy('id').pluck('id')).map(Number);
    expect((await rowIds(page)).sort((a, b) => a - b)).toEqual(inReview);
    await page.getByLabel('Pilih semua di halaman ini').check();
    for (const id of inReview) expect(await page.getByLabel(`Pilih temuan #${id}`).isChecked()).toBe(true);
    await page.getByLabel('Tindakan', { exact: true }).selectOption('dismissed');
    await submit(page, page.getByRole('button', { name: 'Jalankan' }));
    expect(await flashText(page)).toBe('Catatan wajib diisi untuk menolak temuan; tidak ada temuan yang dipindahkan.');
    for (const id of inReview) expect(await statusOf(id)).toBe('in_review');

    const note = 'Kunjungan lapangan: data OSS sudah benar';
    await page.getByLabel('Pilih semua di halaman ini').check();
    await page.getByLabel('Tindakan', { exact: true }).selectOption('dismissed');
    await page.getByLabel('Catatan').fill(note);
    await submit(page, page.getByRole('button', { name: 'Jalankan' }));
    expect(await flashText(page)).toBe(`${inReview.length} temuan dipindahkan ke Ditolak (bukan masalah).`);
    const rows = await world
      .db('findings')
      .whereIn('id', inReview)
      .orderBy('id')
      .select('id', 'status', 'verified_by', 'note');
    expect(rows.map((r) => ({ ...r, id: Number(r.id) }))).toEqual(
      inReview.map((id) => ({ id, status: 'dismissed', verified_by: 'vera', note })),
    );
    const events = await world
      .db('finding_events')
      .whereIn('finding_id', inReview)
      .where({ to_status: 'dismissed' })
      .select('from_status', 'actor', 'note');
    expect(events).toHaveLength(inReview.length);
    expect(events.every((e) => e.from_status === 'in_review' && e.actor === 'vera' && e.note === note)).toBe(true);
    const audit = await world.db('web_audit').where({ action: 'finding.bulk', username: 'vera' }).orderBy('id');
    expect(audit).toHaveLength(2);
    expect(audit[1].detail).toMatchObject({ action: 'dismissed', note });
    expect([...audit[1].detail.done].sort((a: number, b: number) => a - b)).toEqual(inReview);
    await page.context().close();
  });

  it('the field-visit xlsx of the current filter opens in exceljs with exactly the filtered findings', async () => {
    const busiest = await world
      .db('findings')
      .whereNotNull('kd_kecamatan')
      .groupBy('kd_kecamatan')
      .orderByRaw('count(*) desc, kd_kecamatan')
      .first('kd_kecamatan');
    const page = await newPage(world, { user: 'budi' });
    await page.goto('/temuan');
    await page.getByRole('combobox', { name: /^Status/ }).selectOption('semua');
    await page.getByRole('combobox', { name: /^Kecamatan/ }).selectOption(busiest.kd_kecamatan);
    await Promise.all([
      page.waitForURL((u) => u.searchParams.get('kecamatan') === busiest.kd_kecamatan),
      page.getByRole('button', { name: 'Terapkan' }).click(),
    ]);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Unduh xlsx (kunjungan lapangan)' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^temuan-3317-\d{8}\.xlsx$/);
    const file = join(downloads, download.suggestedFilename());
    await download.saveAs(file);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const sheet = wb.getWorksheet('Temuan')!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    const idColumn = header.indexOf('ID Temuan') + 1;
    expect(idColumn).toBeGreaterThan(0);
    const fromXlsx: number[] = [];
    sheet.eachRow((row, n) => {
      if (n > 1) fromXlsx.push(Number(row.getCell(idColumn).value));
    });
    const fromDb = (
      await world.db('findings').where({ kd_kecamatan: busiest.kd_kecamatan }).orderBy('id').pluck('id')
    ).map(Number);
    expect(fromDb.length).toBeGreaterThan(1);
    expect(fromXlsx.sort((a, b) => a - b)).toEqual(fromDb);
    // The queue on the page shows the same findings.
    expect((await rowIds(page)).sort((a, b) => a - b)).toEqual(fromDb);
    // A viewer reads and downloads, but has nothing to act with.
    expect(await page.getByRole('button', { name: 'Jalankan' }).count()).toBe(0);
    expect(await page.getByRole('checkbox').count()).toBe(0);
    await page.context().close();
  });
});

describe('on a phone (390 × 844, touch), as vera', () => {
  it('the queue and a finding fit the screen, and the move to in review works by tap', async () => {
    const [target] = (await openFindings(1)) as [FindingFacts];
    const phone = await newPage(world, { user: 'vera', mobile: true });
    await phone.goto('/temuan');
    await expectNoHorizontalOverflow(phone);
    await screenshot(phone, 'temuan-mobile');

    await phone.goto(`/temuan/${target.id}`);
    await expectNoHorizontalOverflow(phone);
    const button = phone.getByRole('button', { name: 'Periksa (Sedang diperiksa)' });
    const box = (await button.boundingBox())!;
    // Full width of its card and tap-sized.
    expect(box.height).toBeGreaterThanOrEqual(44);
    expect(box.width).toBeGreaterThan(300);
    await Promise.all([
      phone.waitForResponse((r) => r.request().method() === 'GET' && r.request().resourceType() === 'document'),
      button.tap(),
    ]);
    await phone.waitForLoadState('domcontentloaded');
    expect(await flashText(phone)).toBe(`Temuan #${target.id} dipindahkan dari Terbuka ke Sedang diperiksa.`);
    expect(await statusOf(target.id)).toBe('in_review');
    await expectNoHorizontalOverflow(phone);
    await screenshot(phone, 'temuan-detail-mobile');
    const event = await world
      .db('finding_events')
      .where({ finding_id: target.id, kind: 'transition' })
      .first('actor', 'to_status');
    expect(event).toEqual({ actor: 'vera', to_status: 'in_review' });
    await phone.context().close();
  });
});
