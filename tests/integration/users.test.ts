/*
 * `oss-sync users …` as the office's IT staff run it, against a real database: accounts, roles, passwords from stdin
 * or a hidden terminal prompt, sessions ended on disable and on a password change, the audit trail; and the first
 * admin a sandbox sync creates for the web console.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clearLoginFailures,
  createSession,
  createUser,
  endSession,
  listAudit,
  loadSession,
  markLogin,
  recentLoginFailures,
  recordAudit,
  recordLoginFailure,
  setPassword,
  touchSession,
} from '../../src/store/users.js';
import { verifyPassword } from '../../src/web/passwords.js';
import { cli, type Ran } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'oss-sync.js');
const ACTOR = `cli:${userInfo().username}`;

/** The CLI with `input` written to its stdin (cli() gives the child no stdin, as cron does). */
function cliWithStdin(args: string[], env: Record<string, string>, input: string): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', OSS_SYNC_FROM_SOURCE: '1', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.end(input);
  });
}

/**
 * The CLI on a pseudo-terminal (`script`), typing `answers` one by one, each after a password prompt appears, as a
 * person would; returns everything the terminal showed.
 */
function onTerminal(args: string[], env: Record<string, string>, answers: string[]): Promise<Ran> {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, BIN, ...args].map(quote).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qefc', command, '/dev/null'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', OSS_SYNC_FROM_SOURCE: '1', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    let typed = 0;
    const onOutput = (d: Buffer) => {
      screen += d;
      const prompts = screen.match(/sandi: /g)?.length ?? 0;
      while (typed < prompts && typed < answers.length) child.stdin.write(answers[typed++]);
    };
    child.stdout.on('data', onOutput);
    child.stderr.on('data', onOutput);
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout: screen, stderr: '' }));
  });
}

describe('oss-sync users', () => {
  let t: TestDatabase;
  let env: Record<string, string>;
  const seen: string[] = [];
  const run = async (args: string[], input?: string) => {
    const ran = input === undefined ? await cli(args, env) : await cliWithStdin(args, env, input);
    seen.push(ran.stdout, ran.stderr);
    return ran;
  };
  const PASSWORDS = ['rahasia-kantor-1', 'kopi-gayo-pagi-hari', 'Jalan-Pemuda-17', 'tanpa-ulangan-99'];

  beforeAll(async () => {
    t = await createTestDatabase('users');
    // LOG_LEVEL debug: the most a log could ever say, and still no password in it.
    env = { DATABASE_URL: t.url, LOG_LEVEL: 'debug' };
  });
  afterAll(async () => {
    await t.drop();
  });

  it('adds an account from --password-stdin and lists it', async () => {
    const added = await run(
      ['users', 'add', 'ana', '--role', 'verifier', '--full-name', 'Ana Verifikator', '--password-stdin'],
      `${PASSWORDS[0]}\n`,
    );
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toBe('Pengguna ana (verifier) dibuat; ia bisa masuk ke konsol web.\n');
    const row = await t.db('web_users').where({ username: 'ana' }).first();
    expect(row.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyPassword(PASSWORDS[0] as string, row.password_hash)).toBe(true);

    const list = await run(['users', 'list']);
    expect(list.code).toBe(0);
    const lines = list.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^username\s+nama\s+peran\s+status\s+terakhir masuk \(WIB\)$/);
    expect(lines[2]).toMatch(/^ana\s+Ana Verifikator\s+verifier\s+aktif\s+-$/);

    const json = JSON.parse((await run(['users', 'list', '--json'])).stdout);
    expect(json).toEqual([
      expect.objectContaining({ username: 'ana', fullName: 'Ana Verifikator', role: 'verifier', active: true }),
    ]);
  });

  it('refuses a name already taken in another letter case, with exit 1 and a clear message', async () => {
    const dup = await run(['users', 'add', 'ANA', '--role', 'viewer', '--password-stdin'], `${PASSWORDS[1]}\n`);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/nama pengguna "ANA" sudah dipakai oleh akun "ana" \(huruf besar dan kecil/);
    expect(Number((await t.db('web_users').count({ n: '*' }).first())?.n)).toBe(1);
  });

  it.each([
    [['users', 'add', 'budi', '--role', 'superuser', '--password-stdin'], /peran "superuser" tidak dikenal/],
    [['users', 'add', 'budi', '--password-stdin'], /--role wajib diisi: viewer, verifier atau admin/],
    [
      ['users', 'add', 'budi santoso', '--role', 'viewer', '--password-stdin'],
      /nama pengguna "budi santoso" tidak sah/,
    ],
    [['users', 'role', 'ana', 'boss'], /peran "boss" tidak dikenal: pilih viewer, verifier atau admin/],
    [['users', 'add', 'budi', '--role', 'viewer', '--password', 'x'], /unknown option '--password'/],
    [['users', 'role', 'ana'], /missing required argument 'role'/],
  ])('exits 2 on a usage error: %j', async (args, message) => {
    const ran = await run(args, `${PASSWORDS[1]}\n`);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(message);
    expect(await t.db('web_users').whereRaw("lower(username) like 'budi%'")).toEqual([]);
  });

  it('off a terminal without --password-stdin it says to use --password-stdin, and changes nothing', async () => {
    const ran = await run(['users', 'add', 'budi', '--role', 'viewer']);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(/stdin bukan terminal.*--password-stdin/);
    expect(await t.db('web_users').where({ username: 'budi' })).toEqual([]);
  });

  it('refuses a weak password in Indonesian', async () => {
    const ran = await run(['users', 'add', 'budi', '--role', 'viewer', '--password-stdin'], 'pendek\n');
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(/Kata sandi minimal 10 karakter/);
    const empty = await run(['users', 'add', 'budi', '--role', 'viewer', '--password-stdin'], '');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/stdin kosong/);
    expect(await t.db('web_users').where({ username: 'budi' })).toEqual([]);
  });

  it('on a terminal asks twice without echoing; two different answers change nothing', async () => {
    const ok = await onTerminal(['users', 'add', 'citra', '--role', 'viewer'], env, [
      `${PASSWORDS[2]}\r`,
      `${PASSWORDS[2]}\r`,
    ]);
    seen.push(ok.stdout);
    expect(ok.code, ok.stdout).toBe(0);
    expect(ok.stdout).toMatch(
      /Kata sandi: \r?\n([^\n]*\n)*Ulangi kata sandi: \r?\n([^\n]*\n)*Pengguna citra \(viewer\) dibuat/,
    );
    const row = await t.db('web_users').where({ username: 'citra' }).first();
    expect(await verifyPassword(PASSWORDS[2] as string, row.password_hash)).toBe(true);

    const mismatch = await onTerminal(['users', 'passwd', 'citra'], env, [`${PASSWORDS[3]}\r`, 'sesuatu-yang-lain\r']);
    seen.push(mismatch.stdout);
    expect(mismatch.code).toBe(2);
    expect(mismatch.stdout).toMatch(/kedua kata sandi tidak sama/);
    const after = await t.db('web_users').where({ username: 'citra' }).first();
    expect(after.password_hash).toBe(row.password_hash);
  });

  it('passwd sets the new password and ends the open sessions', async () => {
    const ana = await t.db('web_users').where({ username: 'ana' }).first();
    const settings = { idleMinutes: 60, maxHours: 12, address: '10.0.0.5', userAgent: 'Firefox' };
    await createSession(t.db, { ...settings, userId: Number(ana.id), tokenHash: 'sesi-laptop' });
    await createSession(t.db, { ...settings, userId: Number(ana.id), tokenHash: 'sesi-ponsel' });
    expect(await loadSession(t.db, 'sesi-laptop', 60)).toMatchObject({ user: { username: 'ana', role: 'verifier' } });

    const ran = await run(['users', 'passwd', 'Ana', '--password-stdin'], `${PASSWORDS[1]}\r\n`);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toBe('Kata sandi ana diganti; sesi yang masih terbuka diakhiri.\n');
    const row = await t.db('web_users').where({ username: 'ana' }).first();
    expect(await verifyPassword(PASSWORDS[1] as string, row.password_hash)).toBe(true);
    expect(await verifyPassword(PASSWORDS[0] as string, row.password_hash)).toBe(false);
    expect(await loadSession(t.db, 'sesi-laptop', 60)).toBeNull();
    expect(await loadSession(t.db, 'sesi-ponsel', 60)).toBeNull();

    const missing = await run(['users', 'passwd', 'dodi', '--password-stdin'], `${PASSWORDS[1]}\n`);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/pengguna "dodi" tidak ada/);
  });

  it('disable ends every session and the list says nonaktif; enable brings the account back', async () => {
    const ana = await t.db('web_users').where({ username: 'ana' }).first();
    await createSession(t.db, {
      userId: Number(ana.id),
      tokenHash: 'sesi-kantor',
      idleMinutes: 60,
      maxHours: 12,
      address: null,
      userAgent: null,
    });
    expect(await loadSession(t.db, 'sesi-kantor', 60)).not.toBeNull();

    const off = await run(['users', 'disable', 'ana']);
    expect(off.code).toBe(0);
    expect(off.stdout).toBe('Pengguna ana dinonaktifkan; semua sesinya diakhiri.\n');
    expect(await loadSession(t.db, 'sesi-kantor', 60)).toBeNull();
    const ended = await t.db('web_sessions').where({ token_hash: 'sesi-kantor' }).first();
    expect(ended.ended_at).toBeInstanceOf(Date);
    expect((await run(['users', 'list'])).stdout).toMatch(/^ana\s+Ana Verifikator\s+verifier\s+nonaktif\s+-$/m);
    expect((await run(['users', 'disable', 'ana'])).stdout).toBe('Pengguna ana sudah nonaktif.\n');

    const on = await run(['users', 'enable', 'ana']);
    expect(on.code).toBe(0);
    expect(on.stdout).toBe('Pengguna ana diaktifkan kembali.\n');
    expect((await run(['users', 'list'])).stdout).toMatch(/^ana\s+Ana Verifikator\s+verifier\s+aktif\s+-$/m);
    // An ended session stays ended.
    expect(await loadSession(t.db, 'sesi-kantor', 60)).toBeNull();
  });

  it('role changes the role', async () => {
    const ran = await run(['users', 'role', 'ana', 'admin']);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toBe('Peran ana diubah dari verifier menjadi admin.\n');
    expect((await run(['users', 'list'])).stdout).toMatch(/^ana\s+Ana Verifikator\s+admin\s+aktif/m);
    expect((await run(['users', 'role', 'nobody', 'viewer'])).code).toBe(1);
  });

  it('records every change in the audit trail under cli:<os user>', async () => {
    const rows = await t.db('web_audit').orderBy('id').select('username', 'action', 'target', 'detail');
    expect(rows).toEqual([
      { username: ACTOR, action: 'user.add', target: 'ana', detail: { role: 'verifier', fullName: 'Ana Verifikator' } },
      { username: ACTOR, action: 'user.add', target: 'citra', detail: { role: 'viewer', fullName: null } },
      { username: ACTOR, action: 'user.passwd', target: 'ana', detail: {} },
      { username: ACTOR, action: 'user.disable', target: 'ana', detail: {} },
      { username: ACTOR, action: 'user.enable', target: 'ana', detail: {} },
      { username: ACTOR, action: 'user.role', target: 'ana', detail: { from: 'verifier', to: 'admin' } },
    ]);
  });

  it('never shows a password: not on stdout, not on stderr, not in the logs', () => {
    const everything = seen.join('\n');
    expect(everything).toMatch(/"level":/);
    for (const p of PASSWORDS) expect(everything).not.toContain(p);
    expect(everything).not.toContain('sesuatu-yang-lain');
    expect(everything).not.toContain('pendek');
  });
});

describe('sessions, failed logins and the audit trail in the store', () => {
  let t: TestDatabase;
  let userId: number;
  const session = (tokenHash: string) => ({
    userId,
    tokenHash,
    idleMinutes: 60,
    maxHours: 12,
    address: '10.0.0.7',
    userAgent: 'Chromium',
  });
  /** Moves a session's clock columns back, as if time had passed (the store reads only the database clock). */
  const age = (tokenHash: string, set: Record<string, string>) =>
    t
      .db('web_sessions')
      .where({ token_hash: tokenHash })
      .update(Object.fromEntries(Object.entries(set).map(([k, v]) => [k, t.db.raw(`now() - interval '${v}'`)])));

  beforeAll(async () => {
    t = await createTestDatabase('users_store');
    userId = (await createUser(t.db, { username: 'Dewi', role: 'viewer', passwordHash: null, createdBy: 'test' })).id;
  });
  afterAll(async () => {
    await t.drop();
  });

  it('a session lives until it sits idle too long, passes its absolute lifetime, or is ended', async () => {
    await createSession(t.db, session('aktif'));
    const live = await loadSession(t.db, 'aktif', 60);
    expect(live?.user).toMatchObject({ username: 'Dewi', role: 'viewer', hasPassword: false, disabledAt: null });

    await createSession(t.db, session('diam'));
    await age('diam', { last_seen_at: '61 minutes' });
    expect(await loadSession(t.db, 'diam', 60)).toBeNull();
    expect(await loadSession(t.db, 'diam', 120)).not.toBeNull();

    await createSession(t.db, session('kedaluwarsa'));
    await t
      .db('web_sessions')
      .where({ token_hash: 'kedaluwarsa' })
      .update({ expires_at: t.db.raw('now()') });
    expect(await loadSession(t.db, 'kedaluwarsa', 60)).toBeNull();

    await endSession(t.db, 'aktif');
    expect(await loadSession(t.db, 'aktif', 60)).toBeNull();
    expect(await loadSession(t.db, 'tidak-ada', 60)).toBeNull();
  });

  it('touchSession writes last_seen_at only when it is older than 30 seconds', async () => {
    await createSession(t.db, session('sentuh'));
    await age('sentuh', { last_seen_at: '10 seconds' });
    const before = (await t.db('web_sessions').where({ token_hash: 'sentuh' }).first()).last_seen_at;
    await touchSession(t.db, 'sentuh');
    expect((await t.db('web_sessions').where({ token_hash: 'sentuh' }).first()).last_seen_at).toEqual(before);
    await age('sentuh', { last_seen_at: '45 minutes' });
    await touchSession(t.db, 'sentuh');
    // Touched now: still alive with a 1-minute idle limit.
    expect(await loadSession(t.db, 'sentuh', 1)).not.toBeNull();
  });

  it('setPassword can keep the session the change was made from', async () => {
    await createSession(t.db, session('ini'));
    await createSession(t.db, session('lain'));
    expect(await setPassword(t.db, 'dewi', 'scrypt$hash', 'ini')).toBe(true);
    expect(await loadSession(t.db, 'ini', 60)).not.toBeNull();
    expect(await loadSession(t.db, 'lain', 60)).toBeNull();
    expect(await setPassword(t.db, 'tidak-ada', 'scrypt$hash')).toBe(false);
  });

  it('counts failed logins per account (any letter case) and per address within the window', async () => {
    await recordLoginFailure(t.db, 'dewi', '10.0.0.7');
    await recordLoginFailure(t.db, 'DEWI', '10.0.0.8');
    await recordLoginFailure(t.db, 'eko', '10.0.0.7');
    await t
      .db('web_login_failures')
      .insert({ username: 'dewi', address: '10.0.0.7', at: t.db.raw(`now() - interval '20 minutes'`) });
    expect(await recentLoginFailures(t.db, 'Dewi', '10.0.0.7', 15)).toEqual({ account: 2, address: 2 });
    expect(await recentLoginFailures(t.db, 'Dewi', '10.0.0.7', 30)).toEqual({ account: 3, address: 3 });
    await clearLoginFailures(t.db, 'dewi');
    expect(await recentLoginFailures(t.db, 'dewi', '10.0.0.7', 30)).toEqual({ account: 0, address: 1 });
  });

  it('markLogin sets the last login; the audit trail lists the newest first', async () => {
    await markLogin(t.db, userId);
    expect((await t.db('web_users').where({ id: userId }).first()).last_login_at).toBeInstanceOf(Date);
    await recordAudit(t.db, { username: 'Dewi', action: 'login', address: '10.0.0.7' });
    await recordAudit(t.db, {
      username: 'Dewi',
      action: 'finding.transition',
      target: '42',
      detail: { to: 'in_review' },
    });
    const rows = await listAudit(t.db, { limit: 1 });
    expect(rows).toEqual([
      expect.objectContaining({
        username: 'Dewi',
        action: 'finding.transition',
        target: '42',
        detail: { to: 'in_review' },
      }),
    ]);
  });
});

describe('the sandbox first admin', () => {
  let t: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    t = await createTestDatabase('users_sandbox');
    dir = mkdtempSync(join(tmpdir(), 'oss-sync-users-'));
  });
  afterAll(async () => {
    await t.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a sandbox sync creates admin, keeps its password in a mode-600 file and says how to open the console', async () => {
    // No OSS_BASE_URL: sandbox mode, the built-in simulator.
    const env = { DATABASE_URL: t.url, OSS_SYNC_DATA_DIR: join(dir, 'data'), SIMULATOR_SIZE: 'tiny' };
    const first = await cli(['sync', '--stream', 'kemitraan'], env);
    expect(first.code, first.stderr).toBe(0);
    const file = join(dir, 'data', 'console-admin.txt');
    const hint =
      /Konsol web: jalankan `npx oss-sync serve` lalu buka http:\/\/127\.0\.0\.1:8080 — masuk sebagai admin, kata sandi (\S+) \(tersimpan di (.+)\)\.\n$/;
    const [, password, shownFile] = hint.exec(first.stdout) ?? [];
    expect(password, first.stdout).toMatch(/^[A-Za-z0-9_-]{12,}$/);
    expect(shownFile).toBe(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toContain(`password: ${password}`);
    const admin = await t.db('web_users').where({ username: 'admin' }).first();
    expect(admin.role).toBe('admin');
    expect(await verifyPassword(password as string, admin.password_hash)).toBe(true);
    // The password is for the person at the terminal, not for the logs.
    const logs = first.stderr.split('\n').filter((l) => l.startsWith('{'));
    expect(logs.length).toBeGreaterThan(0);
    expect(first.stderr).not.toContain(password);

    const second = await cli(['sync', '--stream', 'kemitraan', '--json'], env);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout).console).toEqual({
      url: 'http://127.0.0.1:8080',
      username: 'admin',
      password: null,
      passwordFile: file,
      created: false,
    });
    expect(await t.db('web_users').select('username')).toEqual([{ username: 'admin' }]);
    const text = await cli(['sync', '--stream', 'kemitraan'], env);
    expect(text.stdout).toMatch(/masuk sebagai admin, kata sandinya tersimpan di .*console-admin\.txt\.\n$/);
    expect(text.stdout).not.toContain(password);

    // Once the admin has chosen a password of their own, the file is stale: no hint points at it any more.
    const passwd = await cliWithStdin(['users', 'passwd', 'admin', '--password-stdin'], env, 'pilihan-admin-sendiri\n');
    expect(passwd.code, passwd.stderr).toBe(0);
    const after = await cli(['sync', '--stream', 'kemitraan'], env);
    expect(after.code).toBe(0);
    expect(after.stdout).not.toMatch(/Konsol web/);
  });
});
