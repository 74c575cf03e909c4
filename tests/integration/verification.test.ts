/*
 * The verification workflow as a verifier uses it: `oss-sync discrepancies …` in-process (discrepanciesCommand)
 * over a real Postgres, asserting what is printed and the exit codes: evaluate, list with filters, show, verify
 * (legal and illegal moves), auto-resolve and reopen after data changes, the append-only audit history, the CSV and
 * xlsx exports, and the analyst views.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { discrepanciesCommand } from '../../src/cli/discrepancies.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { openRuntime, type Runtime } from '../../src/runtime.js';
import { EXPORT_HEADERS } from '../../src/verification/findingsExport.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

const UB = '8120000000001';
const UMKM = '8120000000002';
const K1 = 'K-202401050930001230001';
const K2 = 'K-202301100800001230002';
const IZIN = 'I-202203020900001230001';
const META = { content_hash: 'fixture', source: 'test' };

let t: TestDatabase;
let rt: Runtime;
let dir: string;

const insert = (db: Knex, table: string, rows: Array<Record<string, unknown>>) =>
  db(table).insert(rows.map((r) => ({ ...META, ...r })));

async function seed(db: Knex): Promise<void> {
  const business = (nib: string, over: Record<string, unknown>) => ({
    nib,
    jenis_pelaku_usaha: '01',
    status_penanaman_modal: '02',
    status_nib: '01',
    persen_pma: 0,
    npwp_hash: `npwp-${nib}`,
    tgl_pengajuan_nib: '2022-03-01',
    tgl_terbit_nib: '2022-03-01',
    ...over,
  });
  await insert(db, 'pelaku_usaha', [
    business(UB, {
      nama_perseroan: 'PT SAMUDRA REMBANG LESTARI',
      skala_usaha: '04',
      flag_umk: 'N',
      perseroan_daerah_id: '3317102025',
      kd_kecamatan: '331710',
    }),
    // The planted problem: the "UMKM" is a large business in OSS.
    business(UMKM, {
      nama_perseroan: 'CV MINA JAYA',
      skala_usaha: '04',
      flag_umk: 'N',
      perseroan_daerah_id: '3317142008',
      kd_kecamatan: '331714',
    }),
  ]);
  const partnership = (id: string, over: Record<string, unknown>) => ({
    id_kemitraan: id,
    nib_ub: UB,
    nama_ub: 'PT Samudra Rembang Lestari',
    kbli_ub: '10213',
    nib_umkm: UMKM,
    nama_umkm: 'CV Mina Jaya',
    kbli_umkm: '03111',
    skala_usaha_umkm: '04',
    pola_kemitraan: '06',
    nilai_kemitraan: 500_000_000,
    status_kemitraan: '05',
    tgl_perubahan: '2024-01-05T02:30:00.000Z',
    ...over,
  });
  await insert(db, 'kemitraan', [
    partnership(K1, {
      tgl_mulai: '2024-01-10',
      tgl_berakhir: '2026-01-09',
      kd_daerah_pelaksanaan: '3317142008',
      kd_kecamatan: '331714',
      tgl_pengajuan: '2024-01-05T02:30:00.000Z',
    }),
    // Expired but still "Berjalan", carried out in Sarang.
    partnership(K2, {
      nib_umkm: null,
      nama_umkm: 'Kelompok Nelayan Sarang',
      nik_umkm_hash: 'nik-x',
      nik_umkm_masked: '3317********0007',
      nik_umkm_province: '33',
      skala_usaha_umkm: '01',
      pola_kemitraan: '02',
      status_kemitraan: '03',
      tgl_mulai: '2023-01-10',
      tgl_berakhir: '2023-12-31',
      kd_daerah_pelaksanaan: '3317052023',
      kd_kecamatan: '331705',
      tgl_pengajuan: '2023-01-10T01:00:00.000Z',
    }),
  ]);
  await insert(db, 'kemitraan_realisasi', [
    { id_kemitraan: K2, tahun: 2023, triwulan: 1, nilai_realisasi: 10_000_000 },
  ]);
  await insert(db, 'perizinan', [
    {
      id_izin: IZIN,
      nib: UB,
      jenis_izin: '04',
      kd_status: '58',
      uraian_status: 'Izin terbit/SS terverifikasi',
      kd_daerah: '3317102025',
      nama_izin: 'Sertifikat Standar Industri',
      tgl_izin: '2022-04-01',
    },
  ]);
}

/** Runs `oss-sync discrepancies …` in-process; returns the exit code and what it printed. */
async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const so = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  const se = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  });
  try {
    const code = await discrepanciesCommand(rt, args);
    return { code, out, err };
  } finally {
    so.mockRestore();
    se.mockRestore();
  }
}

async function idOf(rule: string, entityId: string): Promise<number> {
  const row = await t.db('findings').where({ rule_code: rule, entity_id: entityId }).first('id');
  expect(row, `${rule} ${entityId}`).toBeDefined();
  return Number(row.id);
}

const statusOf = async (id: number) => (await t.db('findings').where({ id }).first('status')).status as string;
const touch = (table: string, where: Record<string, unknown>, set: Record<string, unknown>) =>
  t
    .db(table)
    .where(where)
    .update({ ...set, updated_at: t.db.fn.now() });

beforeAll(async () => {
  t = await createTestDatabase('verification');
  dir = mkdtempSync(join(tmpdir(), 'oss-sync-verification-'));
  await seed(t.db);
  rt = await openRuntime(loadConfig({ DATABASE_URL: t.url }), createLogger('silent'), { migrations: 'require' });
});
afterAll(async () => {
  await rt?.close();
  rmSync(dir, { recursive: true, force: true });
  await t?.drop();
});

describe('oss-sync discrepancies, as a verifier uses it', () => {
  it('evaluate --all raises the planted findings and prints the summary per rule', async () => {
    const r = await cli('evaluate', '--all');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Dievaluasi: seluruh wilayah.');
    expect(r.out).toMatch(/Temuan: 3 baru, 0 selesai, 0 dibuka lagi; 3 aktif/);
    expect(r.out).toMatch(/PARTNER_NOT_UMKM\s+1\s+0\s+0\s+1/);
    expect(r.out).toMatch(/EXPIRED_STILL_ACTIVE\s+1/);
    expect(r.out).toMatch(/LICENCE_STATUS_UNKNOWN\s+1/);
  });

  it('list prints a readable table and filters by rule, severity, kecamatan (code or name) and entity', async () => {
    const all = await cli('list');
    expect(all.code).toBe(0);
    expect(all.out).toMatch(/^3 temuan \(open, in_review, confirmed\)/);
    expect(all.out).toMatch(/id\s+tingkat\s+aturan\s+status\s+entitas\s+kecamatan\s+pesan/);
    expect(all.out).toContain(`kemitraan ${K1}`);
    // Off a terminal nothing is cut (on one, the message column fits its width).
    expect(all.out).toContain('Mitra UMKM (NIB 8120000000002, CV MINA JAYA) tercatat berskala Besar (04) di OSS');

    const lasem = await cli('list', '--kecamatan', 'Lasem');
    expect(lasem.out).toMatch(/^1 temuan/);
    expect(lasem.out).toContain('PARTNER_NOT_UMKM');
    expect(lasem.out).toContain('Lasem (331714)');
    expect((await cli('list', '--kecamatan', '331705')).out).toContain('EXPIRED_STILL_ACTIVE');
    expect((await cli('list', '--kecamatan', 'kec. sarang')).out).toContain(K2);
    const info = await cli('list', '--severity', 'info');
    expect(info.out).toContain('LICENCE_STATUS_UNKNOWN');
    expect(info.out).not.toContain('PARTNER_NOT_UMKM');
    const partnerships = await cli('list', '--entity', 'kemitraan');
    expect(partnerships.out).toMatch(/^2 temuan/);
    expect((await cli('list', '--entity', IZIN)).out).toMatch(/^1 temuan/);
    expect((await cli('list', '--rule', 'partner_not_umkm,EXPIRED_STILL_ACTIVE')).out).toMatch(/^2 temuan/);
    expect((await cli('list', '--status', 'dismissed')).out).toContain('Tidak ada temuan (dismissed) yang cocok.');
  });

  it('rejects unknown filters with a clear message and exit 2', async () => {
    const kec = await cli('list', '--kecamatan', 'Atlantis');
    expect(kec.code).toBe(2);
    expect(kec.err).toContain('tidak ada kecamatan "Atlantis"');
    expect(kec.err).toContain('Lasem');
    expect((await cli('list', '--rule', 'NOT_A_RULE')).err).toContain("nilai 'NOT_A_RULE' tidak sah untuk '--rule");
    expect((await cli('list', '--status', 'closed')).code).toBe(2);
    expect((await cli('list', '--frobnicate')).code).toBe(2);
    expect((await cli('frobnicate')).err).toContain("perintah tidak dikenal 'frobnicate'");
    expect((await cli('show')).err).toContain("argumen 'id' wajib diisi");
    expect((await cli('export', '--format', 'pdf')).err).toContain("nilai 'pdf' tidak sah untuk '--format");
  });

  it('show prints the message, evidence, related record and history', async () => {
    const id = await idOf('PARTNER_NOT_UMKM', K1);
    const r = await cli('show', String(id));
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Temuan #${id} · PARTNER_NOT_UMKM — Mitra UMKM bukan UMKM`);
    expect(r.out).toContain('status:    open (Terbuka)');
    expect(r.out).toContain('wilayah:   3317142008 (Kecamatan Lasem)');
    expect(r.out).toContain('skala_usaha_oss: 04');
    expect(r.out).toContain('Data terkait (analytics.kemitraan):');
    expect(r.out).toContain('nama_umkm: CV Mina Jaya');
    expect(r.out).toMatch(/detected\s+-\s+open\s+system/);
    expect(r.out).toContain(`verify ${id} --status in_review`);
    const missing = await cli('show', '999999');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('temuan #999999 tidak ada');
  });

  it('verify moves a finding open → in_review → confirmed, refusing illegal moves with a clear error', async () => {
    const id = await idOf('PARTNER_NOT_UMKM', K1);
    const skip = await cli('verify', String(id), '--status', 'confirmed', '--by', 'Budi');
    expect(skip.code).toBe(2);
    expect(skip.err).toContain(
      `temuan #${id} tidak bisa dipindah ke confirmed: dari open (Terbuka) hanya boleh ke in_review`,
    );
    expect((await cli('verify', String(id), '--status', 'resolved', '--by', 'Budi')).err).toContain(
      "nilai 'resolved' tidak sah untuk '--status",
    );
    expect((await cli('verify', String(id), '--status', 'in_review')).err).toContain('verify perlu --by NAMA');
    expect(await statusOf(id)).toBe('open');

    const review = await cli(
      'verify',
      String(id),
      '--status',
      'in_review',
      '--by',
      'Sri Wahyuni',
      '--note',
      'dijadwalkan kunjungan',
    );
    expect(review.code).toBe(0);
    expect(review.out).toContain(
      `Temuan #${id}: open → in_review (Sedang diperiksa) oleh Sri Wahyuni — "dijadwalkan kunjungan".`,
    );
    const again = await cli('verify', String(id), '--status', 'in_review', '--by', 'Sri Wahyuni');
    expect(again.err).toContain('statusnya sudah in_review');
    const confirm = await cli(
      'verify',
      String(id),
      '--status',
      'confirmed',
      '--by',
      'Sri Wahyuni',
      '--note',
      'UMKM ternyata usaha besar',
    );
    expect(confirm.code).toBe(0);
    expect(await statusOf(id)).toBe('confirmed');
    expect((await cli('verify', '999999', '--status', 'in_review', '--by', 'X')).code).toBe(2);

    const show = await cli('show', String(id));
    expect(show.out).toContain('status:    confirmed (Terkonfirmasi) · oleh Sri Wahyuni');
    expect(show.out).toMatch(/transition\s+open\s+in_review\s+Sri Wahyuni\s+-\s+dijadwalkan kunjungan/);
    expect(show.out).toMatch(/transition\s+in_review\s+confirmed\s+Sri Wahyuni\s+-\s+UMKM ternyata usaha besar/);
  });

  it('a confirmed finding resolves when the rule stops firing and reopens when it fires again', async () => {
    const id = await idOf('PARTNER_NOT_UMKM', K1);
    await touch('pelaku_usaha', { nib: UMKM }, { skala_usaha: '02', flag_umk: 'Y' });
    await touch('kemitraan', { id_kemitraan: K1 }, { skala_usaha_umkm: '02' });
    const fixed = await cli('evaluate');
    expect(fixed.code).toBe(0);
    expect(fixed.out).toMatch(
      /Dievaluasi: perubahan sejak evaluasi terakhir, .* \(\d+ pelaku_usaha, \d+ proyek, \d+ perizinan, \d+ kemitraan\)/,
    );
    expect(fixed.out).toMatch(/1 selesai/);
    expect(await statusOf(id)).toBe('resolved');
    const verifyResolved = await cli('verify', String(id), '--status', 'in_review', '--by', 'Sri Wahyuni');
    expect(verifyResolved.code).toBe(2);
    expect(verifyResolved.err).toContain('temuan sudah selesai otomatis');

    await touch('pelaku_usaha', { nib: UMKM }, { skala_usaha: '04', flag_umk: 'N' });
    const back = await cli('evaluate');
    expect(back.out).toMatch(/1 dibuka lagi/);
    expect(await statusOf(id)).toBe('open');
    const events = await t
      .db('finding_events')
      .where({ finding_id: id })
      .orderBy('id')
      .select('kind', 'from_status', 'to_status', 'actor');
    expect(events).toEqual([
      { kind: 'detected', from_status: null, to_status: 'open', actor: 'system' },
      { kind: 'transition', from_status: 'open', to_status: 'in_review', actor: 'Sri Wahyuni' },
      { kind: 'transition', from_status: 'in_review', to_status: 'confirmed', actor: 'Sri Wahyuni' },
      { kind: 'resolved', from_status: 'confirmed', to_status: 'resolved', actor: 'system' },
      { kind: 'reopened', from_status: 'resolved', to_status: 'open', actor: 'system' },
    ]);
  });

  it('a dismissed finding stays dismissed while its evidence is unchanged and reopens when it changes', async () => {
    const id = await idOf('PARTNER_NOT_UMKM', K1);
    await cli('verify', String(id), '--status', 'in_review', '--by', 'Agus');
    const noNote = await cli('verify', String(id), '--status', 'dismissed', '--by', 'Agus');
    expect(noNote.code).toBe(2);
    expect(noNote.err).toContain('perlu catatan alasannya');
    expect(
      (
        await cli(
          'verify',
          String(id),
          '--status',
          'dismissed',
          '--by',
          'Agus',
          '--note',
          'skala di OSS belum diperbarui',
        )
      ).code,
    ).toBe(0);

    const same = await cli('evaluate', '--all');
    expect(same.out).toMatch(/0 baru, 0 selesai, 0 dibuka lagi/);
    expect(await statusOf(id)).toBe('dismissed');
    expect((await cli('list')).out).not.toContain(`kemitraan ${K1}`);
    expect((await cli('list', '--status', 'dismissed')).out).toContain(`kemitraan ${K1}`);

    // The compared values change (the declared scale in the agreement): the finding comes back to the queue.
    await touch('kemitraan', { id_kemitraan: K1 }, { skala_usaha_umkm: '03' });
    const changed = await cli('evaluate');
    expect(changed.out).toMatch(/1 dibuka lagi/);
    expect(await statusOf(id)).toBe('open');
    const last = await t.db('finding_events').where({ finding_id: id }).orderBy('id', 'desc').first();
    expect(last).toMatchObject({
      kind: 'reopened',
      from_status: 'dismissed',
      to_status: 'open',
      note: 'Bukti berubah sejak temuan ditolak; temuan dibuka kembali.',
    });
  });

  it('keeps the audit history append-only', async () => {
    await expect(t.db('finding_events').update({ actor: 'someone else' })).rejects.toThrow(/append-only/);
    await expect(t.db('finding_events').delete()).rejects.toThrow(/append-only/);
  });

  it('exports CSV with Indonesian headers', async () => {
    const r = await cli('export', '--format', 'csv', '--status', 'all');
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\r\n');
    expect(lines[0]).toBe(EXPORT_HEADERS.join(';'));
    expect(lines[0]).toContain('Kode Aturan;Aturan;Status');
    expect(lines).toHaveLength(4);
    expect(r.out).toContain('LICENCE_STATUS_UNKNOWN');
  });

  it('exports xlsx that opens with exceljs and holds the expected rows', async () => {
    const file = join(dir, 'temuan.xlsx');
    const r = await cli('export', '--format', 'xlsx', '--output', file, '--kecamatan', 'Lasem,Sarang');
    expect(r.code).toBe(0);
    expect(r.err).toContain(`2 temuan ditulis ke ${file}`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const ws = wb.getWorksheet('Temuan');
    expect(ws).toBeDefined();
    const sheet = ws as ExcelJS.Worksheet;
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual([...EXPORT_HEADERS]);
    expect(sheet.actualRowCount).toBe(3);
    const col = (name: string) => EXPORT_HEADERS.indexOf(name) + 1;
    const rows = [2, 3].map((i) => sheet.getRow(i));
    const byRule = new Map(rows.map((row) => [String(row.getCell(col('Kode Aturan')).value), row]));
    const partner = byRule.get('PARTNER_NOT_UMKM');
    expect(partner?.getCell(col('ID Entitas')).value).toBe(K1);
    expect(partner?.getCell(col('Kecamatan')).value).toBe('Lasem');
    expect(partner?.getCell(col('Status')).value).toBe('Terbuka');
    expect(partner?.getCell(col('Tingkat')).value).toBe('Berat');
    expect(String(partner?.getCell(col('Pesan')).value)).toContain('tercatat berskala Besar (04) di OSS');
    expect(String(partner?.getCell(col('Bukti')).value)).toContain('skala_usaha_oss: 04');
    expect(byRule.get('EXPIRED_STILL_ACTIVE')?.getCell(col('Kecamatan')).value).toBe('Sarang');
    const summary = wb.getWorksheet('Ringkasan');
    expect(summary?.getRow(1).getCell(1).value).toBe('Kode Aturan');
  });

  it('shows the findings to analysts through analytics views, with no identity number', async () => {
    const rows = await t.db.transaction(async (trx) => {
      await trx.raw('set local role oss_analyst');
      const list = await trx('analytics.discrepancies').orderBy('id');
      const counts = await trx('analytics.discrepancy_counts');
      const events = await trx('analytics.discrepancy_events');
      return { list, counts, events };
    });
    expect(Object.keys(rows.list[0] ?? {})).toEqual(
      expect.arrayContaining([
        'id',
        'rule_code',
        'severity',
        'entity_type',
        'entity_id',
        'kd_daerah',
        'kecamatan',
        'status',
        'message',
        'evidence',
        'first_seen_at',
        'last_seen_at',
        'verified_by',
        'note',
      ]),
    );
    expect(rows.list.find((r: { rule_code: string }) => r.rule_code === 'EXPIRED_STILL_ACTIVE')).toMatchObject({
      kecamatan: 'Sarang',
      entity_id: K2,
      rule_title: 'Kemitraan kedaluwarsa masih berstatus Berjalan',
    });
    expect(rows.counts.reduce((a: number, r: { findings: number }) => a + r.findings, 0)).toBe(rows.list.length);
    expect(rows.events.length).toBeGreaterThan(rows.list.length);
    expect(JSON.stringify(rows.list)).not.toContain('nik-x');
  });
});
