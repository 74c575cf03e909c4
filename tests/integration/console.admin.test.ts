/*
 * The console's admin pages over HTTP, as a browser without JavaScript uses them, on the sandbox world served by a
 * real `serve`: Sinkronisasi (runs, one run, live progress, the trigger and its one-at-a-time rule), Karantina,
 * Impor (an upload through the same import as the CLI, and files refused with nothing written) and Pengguna
 * (accounts, roles, disabling, passwords, the audit trail). Only an admin may open any of them.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fmtId } from '../../src/domain/format.js';
import { humanTime } from '../../src/domain/wib.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { tryRunLock } from '../../src/store/runs.js';
import { verifyPassword } from '../../src/web/passwords.js';
import { type ConsoleWorld, startConsoleWorld } from '../helpers/browser.js';
import { cli } from '../helpers/cli.js';
import { ConsoleClient, signIn, signInUsers } from '../helpers/consoleClient.js';
import type { TestDatabase } from '../helpers/db.js';
import type { ServeProcess } from '../helpers/serveEntry.js';
import { rowVersions } from '../helpers/sync.js';

/** post() reads its CSRF token from Sinkronisasi (a refusal page has the sign-out form too). */
const ADMIN_PAGES = { tokenFrom: '/sinkronisasi' };

const TZ = 'Asia/Jakarta';
let world: ConsoleWorld;
let t: TestDatabase;
let admin: ConsoleClient;
let vera: ConsoleClient;
let budi: ConsoleClient;
let exportsDir: string;

const runCount = async () => Number((await world.db('sync_runs').count({ n: '*' }).first())?.n);

beforeAll(async () => {
  world = await startConsoleWorld('admin');
  t = { url: world.env.DATABASE_URL!, db: world.db, drop: async () => undefined };
  ({ admin, vera, budi } = await signInUsers(world, ['admin', 'vera', 'budi'], ADMIN_PAGES));
  exportsDir = await mkdtemp(join(tmpdir(), 'oss-sync-admin-exports-'));
  // The sandbox world as OSS dashboard exports (the simulator writes them, on the world's own anchor).
  const written = await cli(['simulate', '--write-exports', exportsDir], world.env);
  expect(written.code, written.stderr).toBe(0);
});
afterAll(async () => {
  await world?.stop();
  if (exportsDir) await rm(exportsDir, { recursive: true, force: true });
});

describe('roles', () => {
  const PAGES = ['/sinkronisasi', '/sinkronisasi/1', '/sinkronisasi/1/progres', '/karantina', '/impor', '/pengguna'];

  it.each(['vera', 'budi'])(
    '%s (not an admin) is refused every admin page and action, and nothing changes',
    async (who) => {
      const c = who === 'vera' ? vera : budi;
      for (const path of PAGES) {
        const res = await c.get(path);
        expect(res.status, path).toBe(403);
        expect(res.text).toMatch(/Tidak berwenang.*dibutuhkan peran Admin/);
      }
      const runs = await runCount();
      const users = await world.db('web_users').count({ n: '*' }).first();
      expect((await c.post('/sinkronisasi', { stream: 'kemitraan' })).status).toBe(403);
      expect(
        (await c.post('/pengguna', { username: 'penyusup', role: 'admin', password: 'rahasia-sekali-123' })).status,
      ).toBe(403);
      expect((await c.post('/pengguna/admin/status', { aktif: '0' })).status).toBe(403);
      const csv = readFileSync(join(exportsDir, 'DP Proyek.csv'));
      const form = new FormData();
      form.append('berkas', new Blob([new Uint8Array(csv)]), 'DP Proyek.csv');
      const token = await c.token('/impor');
      const up = await c.request(`/impor?_csrf=${encodeURIComponent(token)}`, { method: 'POST', body: form });
      expect(up.status).toBe(403);
      expect(await runCount()).toBe(runs);
      expect(await world.db('web_users').count({ n: '*' }).first()).toEqual(users);
      expect((await world.db('web_users').where({ username: 'admin' }).first()).disabled_at).toBeNull();
    },
  );

  it('sends someone not signed in to the login page, and refuses a post without the CSRF token', async () => {
    const anon = new ConsoleClient(world.url);
    const res = await anon.get('/sinkronisasi');
    expect(res.status).toBe(303);
    expect(res.location).toBe('/masuk?next=%2Fsinkronisasi');
    const runs = await runCount();
    const forged = await admin.post('/sinkronisasi', { stream: 'kemitraan' }, { token: null });
    expect(forged.status).toBe(403);
    expect(forged.text).toMatch(/Formulir tidak sah/);
    const noToken = await admin.post(
      '/pengguna',
      { username: 'tanpa-token', role: 'viewer', password: 'rahasia-sekali-123' },
      { token: null },
    );
    expect(noToken.status).toBe(403);
    expect(await runCount()).toBe(runs);
    expect(await world.db('web_users').where({ username: 'tanpa-token' })).toEqual([]);
  });
});

describe('Sinkronisasi', () => {
  it('lists the runs with their Indonesian status, trigger, who asked and the counts of each stream', async () => {
    const run = await world.db('sync_runs').orderBy('id').first();
    const page = await admin.get('/sinkronisasi');
    expect(page.status).toBe(200);
    expect(page.text).toContain(`#${run.id} berhasil manual ${run.requested_by} ${humanTime(run.started_at, TZ)}`);
    for (const [stream, label] of [
      ['kemitraan', 'Kemitraan'],
      ['nib', 'NIB (pelaku usaha)'],
      ['izin', 'Perizinan'],
    ] as const) {
      const c = run.counts[stream];
      // What was read, then every count that is not zero.
      const shown = [
        `${fmtId(c.fetched)} dibaca`,
        ...(
          [
            ['inserted', 'baru'],
            ['updated', 'berubah'],
            ['unchanged', 'tetap'],
            ['rejected', 'ditolak'],
            ['deleted', 'dihapus'],
          ] as const
        )
          .filter(([k]) => c[k] > 0)
          .map(([k, label]) => `${fmtId(c[k])} ${label}`),
      ];
      expect(page.text).toContain(`${label} : ${shown.join(', ')}`);
    }
    const filtered = await admin.get('/sinkronisasi?pemicu=import');
    expect(filtered.text).toContain('Tidak ada run yang cocok dengan filter ini.');
    const bad = await admin.get('/sinkronisasi?status=selesai&halaman=-4');
    expect(bad.status).toBe(200);
    expect(bad.text).toContain('Filter status tidak dikenal, jadi diabaikan.');
    expect(bad.text).toContain(`#${run.id} berhasil`);
  });

  it('shows one run: its streams, the findings it saw and the records it quarantined; an unknown run is a 404', async () => {
    const run = await world.db('sync_runs').orderBy('id').first();
    const page = await admin.get(`/sinkronisasi/${run.id}`);
    expect(page.status).toBe(200);
    const seen = await world.db('finding_runs').where({ run_id: run.id }).pluck('finding_id');
    expect(seen.length).toBeGreaterThan(0);
    for (const id of seen.slice(0, 50)) expect(page.html).toContain(`href="/temuan/${id}"`);
    expect(page.text).toContain(`${fmtId(run.counts.findings.new)} baru`);
    const quarantined = await world.db('quarantine').where({ first_run_id: run.id });
    for (const q of quarantined) expect(page.text).toContain(q.entity_id);
    expect((await admin.get('/sinkronisasi/999999')).status).toBe(404);
    const junk = await admin.get('/sinkronisasi/1%3Cscript%3E');
    expect(junk.status).toBe(404);
    expect(junk.html).not.toContain('<script>');
    expect((await admin.get('/sinkronisasi/999999/progres')).status).toBe(404);
  });

  it('shows the open quarantine with the reason of each field, filtered by stream, and no full identity number', async () => {
    const open = await world.db('quarantine').whereNull('resolved_at').orderBy('id', 'desc');
    expect(open.length).toBeGreaterThan(0);
    const page = await admin.get('/karantina');
    expect(page.status).toBe(200);
    for (const q of open.slice(0, 25)) {
      expect(page.text).toContain(q.entity_id);
      for (const issue of q.issues) expect(page.text).toContain(issue.message);
    }
    // The payloads hold masked NIKs only, and the page shows reasons, never a payload.
    expect(page.html).not.toMatch(/(?<!\d)\d{16}(?!\d)/);
    const stream = open[0].stream as string;
    const one = await admin.get(`/karantina?aliran=${encodeURIComponent(stream)}`);
    const others = open.filter((q) => q.stream !== stream);
    for (const q of others) expect(one.text).not.toContain(q.entity_id);
    expect((await admin.get('/karantina?aliran=tidak-ada')).text).toContain('Aliran tidak dikenal');
  });

  describe('the trigger', () => {
    let sim: RunningSimulator;
    let slow: ServeProcess;
    let client: ConsoleClient;

    beforeAll(async () => {
      // The sandbox world in this process (same seed, size and anchor), so a test can slow its answers down.
      const anchor = JSON.parse(readFileSync(join(world.env.OSS_SYNC_DATA_DIR!, 'sandbox.json'), 'utf8')).anchor;
      sim = await startSimulator({
        seed: 1,
        size: 'tiny',
        kdDaerah: '3317',
        now: new Date(anchor),
        userKey: 'sandbox-key',
        faults: { quota: null },
      });
      slow = await world.serve({ OSS_BASE_URL: sim.url, OSS_USER_KEY: 'sandbox-key', OSS_RATE_LIMIT_RPS: '1000' });
      client = await signIn(slow.url, 'admin', world.users.admin.password, ADMIN_PAGES);
    });
    afterAll(async () => {
      sim.control.setFaults({ latencyMs: 0 });
      await slow?.stop();
      await sim?.stop();
    });

    it('starts a sync under the signed-in admin, refuses a second one while it runs, and shows it finish', async () => {
      sim.control.setFaults({ latencyMs: 2_000 });
      const started = await client.post('/sinkronisasi', {
        stream: ['kemitraan', 'nib'],
        full: '1',
        reason: 'cek setelah rapat',
        // A typed-in name is never who asked: the signed-in user is.
        by: 'orang-lain',
      });
      expect(started.status, started.text).toBe(303);
      const id = Number(/^\/sinkronisasi\/(\d+)$/.exec(started.location ?? '')?.[1]);
      const row = await world.db('sync_runs').where({ id }).first();
      expect(row).toMatchObject({
        trigger: 'manual',
        requested_by: 'admin',
        reason: 'cek setelah rapat',
        status: 'running',
      });
      expect(row.scope).toMatchObject({ streams: ['kemitraan', 'nib'], full: true, dryRun: false });
      const audit = await world.db('web_audit').where({ action: 'sync.trigger' }).orderBy('id', 'desc').first();
      expect(audit).toMatchObject({ username: 'admin', target: `run:${id}` });

      const runs = await runCount();
      const second = await client.post('/sinkronisasi', { stream: 'izin' });
      expect(second.status).toBe(409);
      expect(second.text).toContain(
        `Sinkronisasi #${id} sedang berjalan (dimulai ${humanTime(row.started_at, TZ)}). Tunggu sampai selesai.`,
      );
      // The refusal is a POST's page: it must not poll and reload (a reload posts the form again).
      expect(second.html).not.toContain('data-live-run');
      // The one-at-a-time rule is the deployment's: the other serve refuses too, and so does an upload.
      const elsewhere = await admin.post('/sinkronisasi', {});
      expect(elsewhere.status).toBe(409);
      expect(elsewhere.text).toContain(`Sinkronisasi #${id} sedang berjalan`);
      const upload = await admin.upload('DP Proyek.csv', readFileSync(join(exportsDir, 'DP Proyek.csv')));
      expect(upload.status).toBe(409);
      expect(upload.text).toContain(`Sinkronisasi #${id} sedang berjalan`);
      expect(upload.text).toContain('Tidak ada yang ditulis.');
      expect(await runCount()).toBe(runs);

      const detail = await client.get(`/sinkronisasi/${id}`);
      expect(detail.html).toContain(`data-live-run="${id}"`);
      expect(detail.text).toContain('Diminta oleh admin');
      const live = await client.request(`/sinkronisasi/${id}/progres`, { headers: { accept: 'application/json' } });
      expect(JSON.parse(live.html)).toMatchObject({ status: 'running', text: expect.stringMatching(/^Kemitraan/) });
      const list = await client.get('/sinkronisasi');
      expect(list.text).toContain(`Sedang berjalan: #${id}`);
      expect(list.html).toContain(`data-live-run="${id}"`);

      sim.control.setFaults({ latencyMs: 0 });
      let progress = { status: 'running', text: '' };
      for (let i = 0; i < 240 && progress.status === 'running'; i++) {
        await new Promise((r) => setTimeout(r, 500));
        progress = JSON.parse((await client.get(`/sinkronisasi/${id}/progres`)).html);
      }
      expect(progress.status).toBe('succeeded');
      const done = await world.db('sync_runs').where({ id }).first();
      expect(progress.text).toContain(`Kemitraan: ${fmtId(done.counts.kemitraan.fetched)} dibaca`);
      const finished = await client.get(`/sinkronisasi/${id}`);
      expect(finished.html).not.toContain('data-live-run');
      expect(finished.text).toContain('Status berhasil');
      expect(finished.text).toContain('Cakupan Kemitraan, NIB (pelaku usaha) · penuh (daftar ulang)');
    });

    it('refuses while another process holds the deployment, and an unknown stream', async () => {
      for (let i = 0; i < 240 && (await world.db('sync_runs').where({ status: 'running' })).length > 0; i++) {
        await new Promise((r) => setTimeout(r, 500));
      }
      const lock = await tryRunLock(t.url);
      expect(lock).not.toBeNull();
      try {
        const runs = await runCount();
        const res = await client.post('/sinkronisasi', {});
        expect(res.status).toBe(409);
        expect(res.text).toContain('Sinkronisasi lain sedang berjalan di deployment ini. Tunggu sampai selesai.');
        expect(await runCount()).toBe(runs);
      } finally {
        await lock?.release();
      }
      const bad = await client.post('/sinkronisasi', { stream: ['kemitraan', 'semua'] });
      expect(bad.status).toBe(400);
      expect(bad.text).toContain('Aliran tidak dikenal: semua.');
      const long = await client.post('/sinkronisasi', { reason: 'x'.repeat(501) });
      expect(long.status).toBe(400);
    });
  });
});

describe('Impor', () => {
  const spoolDirs = () => readdirSync(tmpdir()).filter((n) => n.startsWith('oss-sync-unggah-'));

  it('imports an uploaded DP Proyek csv as the CLI does and shows its report', async () => {
    const before = spoolDirs();
    const res = await admin.upload('DP Proyek.csv', readFileSync(join(exportsDir, 'DP Proyek.csv')));
    expect(res.status, res.text.slice(0, 2000)).toBe(200);
    const run = await world.db('sync_runs').where({ trigger: 'import' }).orderBy('id', 'desc').first();
    expect(run).toMatchObject({ status: 'succeeded', requested_by: 'admin' });
    expect(run.scope.import).toMatchObject({ file: 'DP Proyek.csv', export_type: 'dp_proyek', format: 'csv' });
    const proyek = run.counts.proyek;
    expect(res.text).toContain(`Hasil impor: DP Proyek.csv berhasil`);
    expect(res.text).toContain(`Run #${run.id}`);
    expect(res.text).toContain(`Jenis ekspor DP Proyek`);
    expect(res.text).toContain(`Proyek proyek ${fmtId(proyek.inserted)} ${fmtId(proyek.updated)}`);
    expect(res.text).toContain(`Kosong (dilewati) ${fmtId(proyek.fetched)} `);
    // Rejected rows: in quarantine with their row, and the report's examples name those rows.
    const rejected = await world.db('quarantine').where({ first_run_id: run.id });
    expect(rejected.length).toBe(proyek.rejected);
    const rows = rejected.map((q) => fmtId(q.location.row));
    const shown = [...res.text.matchAll(/baris ([\d.]+): "/g)].map((m) => m[1]);
    expect(shown.length > 0).toBe(rejected.length > 0);
    for (const row of shown) expect(rows).toContain(row);
    if (rejected.length) expect(res.text).toContain(`${fmtId(rejected.length)} baris ditolak`);
    const audit = await world.db('web_audit').where({ action: 'import.upload' }).orderBy('id', 'desc').first();
    expect(audit).toMatchObject({ username: 'admin', target: `run:${run.id}` });
    expect(spoolDirs()).toEqual(before);
    // The recent imports list it, and the run's own page names the file.
    expect((await admin.get('/impor')).text).toContain(`#${run.id} berhasil DP Proyek.csv DP Proyek admin`);
    expect((await admin.get(`/sinkronisasi/${run.id}`)).text).toContain(
      'Nama berkas DP Proyek.csv Jenis ekspor DP Proyek',
    );
  });

  it.each([
    ['junk.xlsx', randomBytes(4096), 'bukan berkas Excel (xlsx) yang sah'],
    ['tool.exe', randomBytes(4096), 'hanya ekspor dasbor OSS berformat .xlsx atau .csv'],
    ['kosong.csv', Buffer.alloc(0), 'kosong'],
    ['biner.csv', Buffer.concat([Buffer.from('Nib,Nama\n'), Buffer.from([0, 1, 2, 3])]), 'bukan berkas teks (csv)'],
    ['zip-lain.xlsx', Buffer.concat([Buffer.from('PK\x03\x04'), randomBytes(2048)]), 'Berkas ditolak: zip-lain.xlsx'],
    ['daftar.csv', Buffer.from('nama,umur\nAni,30\n'), 'is not a known OSS export'],
  ])('refuses %s with nothing written', async (name, content, message) => {
    const before = { rows: await rowVersions(t), runs: await runCount(), spools: spoolDirs() };
    const res = await admin.upload(name, content);
    expect(res.status, res.text.slice(0, 1500)).toBe(422);
    expect(res.text).toContain(message);
    expect(res.text).toMatch(/Tidak ada yang ditulis/);
    expect(await rowVersions(t)).toEqual(before.rows);
    expect(await runCount()).toBe(before.runs);
    expect(spoolDirs()).toEqual(before.spools);
  });

  it('refuses a file over the upload limit, and a snapshot date that is no date', async () => {
    const small = await world.serve({ WEB_UPLOAD_MAX_BYTES: '4096' });
    try {
      const c = await signIn(small.url, 'admin', world.users.admin.password, ADMIN_PAGES);
      const runs = await runCount();
      const big = await c.upload('DP Proyek.csv', readFileSync(join(exportsDir, 'DP Proyek.csv')));
      expect(big.status).toBe(413);
      expect(big.text).toMatch(/terlalu besar/);
      expect(await runCount()).toBe(runs);
    } finally {
      await small.stop();
    }
    const bad = await admin.upload('DP Proyek.csv', readFileSync(join(exportsDir, 'DP Proyek.csv')), {
      snapshot: '2026-02-30',
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Tanggal snapshot "2026-02-30" bukan tanggal yang sah');
  });
});

describe('Pengguna', () => {
  it('adds an account with a checked password, under the signed-in admin', async () => {
    const weak = await admin.post('/pengguna', {
      username: 'sari',
      full_name: 'Sari Wulandari',
      role: 'verifier',
      password: 'pendek',
    });
    expect(weak.status).toBe(400);
    expect(weak.text).toContain('Kata sandi minimal 10 karakter');
    expect(weak.html).toContain('value="Sari Wulandari"');
    expect(await world.db('web_users').where({ username: 'sari' })).toEqual([]);
    const badName = await admin.post('/pengguna', {
      username: 'sari wulan',
      role: 'viewer',
      password: 'sandi-sari-2026',
    });
    expect(badName.status).toBe(400);
    expect(badName.text).toContain('Nama pengguna "sari wulan" tidak sah');

    const ok = await admin.post('/pengguna', {
      username: 'sari',
      full_name: 'Sari Wulandari',
      role: 'verifier',
      password: 'sandi-sari-2026',
    });
    expect(ok.status).toBe(303);
    const row = await world.db('web_users').where({ username: 'sari' }).first();
    expect(row).toMatchObject({
      full_name: 'Sari Wulandari',
      role: 'verifier',
      created_by: 'admin',
      disabled_at: null,
    });
    expect(await verifyPassword('sandi-sari-2026', row.password_hash)).toBe(true);
    const page = await admin.get('/pengguna');
    expect(page.text).toContain('Pengguna sari (Verifikator) dibuat');
    expect(page.text).toContain('sari Sari Wulandari Verifikator aktif');
    expect(page.text).toContain('admin pengguna ditambahkan sari peran: verifier; nama: Sari Wulandari');
    expect(page.html).not.toContain('sandi-sari-2026');

    const dup = await admin.post('/pengguna', { username: 'SARI', role: 'viewer', password: 'sandi-lain-2026' });
    expect(dup.status).toBe(409);
    expect(dup.text).toContain('Nama pengguna "SARI" sudah dipakai oleh akun "sari"');
  });

  it('changes a role, disables (ending the sessions) and enables, and sets a password; each change is audited', async () => {
    const sari = await signIn(world.url, 'sari', 'sandi-sari-2026', ADMIN_PAGES);
    // Signed in: a verifier is refused an admin page (someone signed out would be sent to the login page).
    expect((await sari.get('/sinkronisasi')).status).toBe(403);

    expect((await admin.post('/pengguna/sari/peran', { role: 'admin' })).status).toBe(303);
    expect((await world.db('web_users').where({ username: 'sari' }).first()).role).toBe('admin');
    expect((await sari.get('/pengguna')).status).toBe(200);
    expect(await world.db('web_audit').where({ action: 'user.role', target: 'sari' }).first()).toMatchObject({
      username: 'admin',
      detail: { from: 'verifier', to: 'admin' },
    });

    expect((await admin.post('/pengguna/sari/status', { aktif: '0' })).status).toBe(303);
    expect((await world.db('web_users').where({ username: 'sari' }).first()).disabled_at).not.toBeNull();
    const out = await sari.get('/pengguna');
    expect(out.status).toBe(303);
    expect(out.location).toMatch(/^\/masuk/);
    expect((await admin.get('/pengguna')).text).toContain('Pengguna sari dinonaktifkan; semua sesinya diakhiri.');

    expect((await admin.post('/pengguna/sari/status', { aktif: '1' })).status).toBe(303);
    expect((await world.db('web_users').where({ username: 'sari' }).first()).disabled_at).toBeNull();

    const weak = await admin.post('/pengguna/sari/sandi', { password: 'abc' });
    expect(weak.status).toBe(400);
    expect((await admin.post('/pengguna/sari/sandi', { password: 'sandi-baru-sari-99' })).status).toBe(303);
    const row = await world.db('web_users').where({ username: 'sari' }).first();
    expect(await verifyPassword('sandi-baru-sari-99', row.password_hash)).toBe(true);
    await signIn(world.url, 'sari', 'sandi-baru-sari-99', ADMIN_PAGES);

    const actions = await world.db('web_audit').where({ target: 'sari' }).orderBy('id').pluck('action');
    expect(actions).toEqual(['user.add', 'user.role', 'user.disable', 'user.enable', 'user.passwd']);
    const by = await world.db('web_audit').where({ target: 'sari' }).distinct().pluck('username');
    expect(by).toEqual(['admin']);
    expect((await admin.post('/pengguna/tidak-ada/peran', { role: 'viewer' })).status).toBe(404);
  });

  it('keeps an admin from disabling or demoting their own account', async () => {
    const off = await admin.post('/pengguna/admin/status', { aktif: '0' });
    expect(off.status).toBe(409);
    expect(off.text).toContain('Anda tidak dapat menonaktifkan akun Anda sendiri');
    const down = await admin.post('/pengguna/ADMIN/peran', { role: 'viewer' });
    expect(down.status).toBe(409);
    expect(down.text).toContain('Anda tidak dapat mengubah peran akun Anda sendiri');
    const row = await world.db('web_users').where({ username: 'admin' }).first();
    expect(row).toMatchObject({ role: 'admin', disabled_at: null });
    expect((await admin.get('/pengguna')).status).toBe(200);
    // The page offers no such buttons for one's own row.
    expect((await admin.get('/pengguna')).html).not.toContain('action="/pengguna/admin/status"');
  });
});
