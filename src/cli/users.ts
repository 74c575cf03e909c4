/*
 * `oss-sync users …`: the web console's accounts, for the office's IT staff (messages in Indonesian).
 *   add NAME --role viewer|verifier|admin [--full-name TEXT] [--password-stdin]
 *   list [--json]
 *   passwd NAME [--password-stdin]
 *   disable NAME          also ends every open session of the account
 *   enable NAME
 *   role NAME ROLE
 * The password comes from one line of stdin (--password-stdin) or, on a terminal, from a prompt with hidden echo; it
 * is never printed or logged. Every change is written to the audit trail under `cli:<os user>`. Exit 0 ok, 1 the
 * change could not be made (name taken, no such account), 2 a usage error (bad name, role or password), 130 when
 * the prompt is cancelled with Ctrl-C.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Knex } from 'knex';
import { table } from '../domain/format.js';
import { humanTime, zoneLabel } from '../domain/wib.js';
import type { Runtime } from '../runtime.js';
import {
  countUsers,
  createUser,
  disableUser,
  enableUser,
  findUser,
  isRole,
  listUsers,
  ROLES,
  type Role,
  recordAudit,
  setPassword,
  setRole,
  USERNAME,
  UserExistsError,
  type WebUser,
} from '../store/users.js';
import { hashPassword, passwordProblem, verifyPassword } from '../web/passwords.js';
import type { Invocation } from './program.js';
import { currentUser, optionalString, UsageError } from './usage.js';

/** The account does not exist. */
class UserNotFoundError extends Error {}

/** The password prompt was cancelled (Ctrl-C). */
class PromptCancelledError extends Error {}

/** `oss-sync users …`; returns the exit code. */
export async function usersCommand(rt: Runtime, inv: Invocation): Promise<number> {
  try {
    switch (inv.path) {
      case 'users add':
        return await addCommand(rt, inv);
      case 'users list':
        return await listCommand(rt, inv);
      case 'users passwd':
        return await passwdCommand(rt, inv);
      case 'users disable':
        return await disableCommand(rt, inv);
      case 'users enable':
        return await enableCommand(rt, inv);
      case 'users role':
        return await roleCommand(rt, inv);
      default:
        throw new UsageError(`perintah tidak dikenal "${inv.path}" (lihat oss-sync users --help)`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`oss-sync users: galat: ${err.message}\n`);
      return 2;
    }
    if (err instanceof UserExistsError) {
      const holder = err.existing && err.existing !== err.username ? ` oleh akun "${err.existing}"` : '';
      process.stderr.write(
        `oss-sync users: galat: nama pengguna "${err.username}" sudah dipakai${holder} ` +
          '(huruf besar dan kecil tidak dibedakan); lihat `oss-sync users list`\n',
      );
      return 1;
    }
    if (err instanceof UserNotFoundError) {
      process.stderr.write(`oss-sync users: galat: ${err.message}; lihat \`oss-sync users list\`\n`);
      return 1;
    }
    if (err instanceof PromptCancelledError) {
      process.stderr.write('oss-sync users: dibatalkan, tidak ada yang diubah\n');
      return 130;
    }
    throw err;
  }
}

/** A command-line mistake, pointing at the command's help. */
const argumentError = (inv: Invocation, message: string) =>
  new UsageError(`${message} (lihat oss-sync ${inv.path} --help)`);

function usernameArg(inv: Invocation): string {
  const name = inv.args[0] ?? '';
  if (!USERNAME.test(name)) {
    throw argumentError(
      inv,
      `nama pengguna "${name}" tidak sah: 1–64 karakter, huruf, angka, titik, garis bawah, @ atau -, ` +
        'diawali huruf atau angka',
    );
  }
  return name;
}

const roleChoices = `${ROLES.slice(0, -1).join(', ')} atau ${ROLES.at(-1)}`;

function roleValue(inv: Invocation, value: unknown): Role {
  if (value === undefined) throw argumentError(inv, `--role wajib diisi: ${roleChoices}`);
  if (!isRole(value)) throw argumentError(inv, `peran "${String(value)}" tidak dikenal: pilih ${roleChoices}`);
  return value;
}

/** The account, or UserNotFoundError. */
async function existingUser(rt: Runtime, username: string) {
  const user = await findUser(rt.db, username);
  if (!user) throw new UserNotFoundError(`pengguna "${username}" tidak ada`);
  return user;
}

/**
 * Makes one change and its audit row (under `cli:<os user>`) in one transaction, then logs it: the action, the
 * account and the detail, never a password or its hash.
 */
async function audited<T>(
  rt: Runtime,
  entry: { action: string; target: string; detail?: Record<string, unknown> },
  change: (trx: Knex.Transaction, by: string) => Promise<T>,
): Promise<T> {
  const by = `cli:${await currentUser()}`;
  const result = await rt.db.transaction(async (trx) => {
    const out = await change(trx, by);
    await recordAudit(trx, { username: by, ...entry });
    return out;
  });
  rt.log.info({ by, ...entry }, 'console account changed');
  return result;
}

async function addCommand(rt: Runtime, inv: Invocation): Promise<number> {
  const username = usernameArg(inv);
  const role = roleValue(inv, inv.opts.role);
  const fullName = optionalString(inv.opts.fullName);
  // Refuse a taken name before asking for a password (the insert still guards against a race).
  const taken = await findUser(rt.db, username);
  if (taken) throw new UserExistsError(username, { existing: taken.username });
  const passwordHash = await hashPassword(await newPassword(inv.opts.passwordStdin === true));
  const user = await audited(rt, { action: 'user.add', target: username, detail: { role, fullName } }, (trx, by) =>
    createUser(trx, { username, fullName, role, passwordHash, createdBy: by }),
  );
  process.stdout.write(`Pengguna ${user.username} (${user.role}) dibuat; ia bisa masuk ke konsol web.\n`);
  return 0;
}

async function listCommand(rt: Runtime, inv: Invocation): Promise<number> {
  const users = await listUsers(rt.db);
  if (inv.opts.json) {
    const out = users.map((u) => ({
      username: u.username,
      fullName: u.fullName,
      role: u.role,
      active: u.disabledAt === null,
      hasPassword: u.hasPassword,
      createdAt: u.createdAt.toISOString(),
      disabledAt: u.disabledAt?.toISOString() ?? null,
      lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
    }));
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  if (users.length === 0) {
    process.stdout.write('Belum ada pengguna konsol web. Tambahkan: oss-sync users add NAMA --role admin\n');
    return 0;
  }
  const tz = rt.config.sync.timezone;
  const status = (u: WebUser) => (u.disabledAt ? 'nonaktif' : 'aktif');
  process.stdout.write(
    `${table(
      ['username', 'nama', 'peran', 'status', `terakhir masuk (${zoneLabel(tz)})`],
      users.map((u) => [u.username, u.fullName, u.role, status(u), u.lastLoginAt ? humanTime(u.lastLoginAt, tz) : '-']),
    )}\n`,
  );
  return 0;
}

async function passwdCommand(rt: Runtime, inv: Invocation): Promise<number> {
  const user = await existingUser(rt, usernameArg(inv));
  const hash = await hashPassword(await newPassword(inv.opts.passwordStdin === true));
  await audited(rt, { action: 'user.passwd', target: user.username }, (trx) => setPassword(trx, user.username, hash));
  process.stdout.write(`Kata sandi ${user.username} diganti; sesi yang masih terbuka diakhiri.\n`);
  return 0;
}

async function disableCommand(rt: Runtime, inv: Invocation): Promise<number> {
  const user = await existingUser(rt, usernameArg(inv));
  if (user.disabledAt) {
    process.stdout.write(`Pengguna ${user.username} sudah nonaktif.\n`);
    return 0;
  }
  await audited(rt, { action: 'user.disable', target: user.username }, (trx) => disableUser(trx, user.username));
  process.stdout.write(`Pengguna ${user.username} dinonaktifkan; semua sesinya diakhiri.\n`);
  return 0;
}

async function enableCommand(rt: Runtime, inv: Invocation): Promise<number> {
  const user = await existingUser(rt, usernameArg(inv));
  if (!user.disabledAt) {
    process.stdout.write(`Pengguna ${user.username} sudah aktif.\n`);
    return 0;
  }
  await audited(rt, { action: 'user.enable', target: user.username }, (trx) => enableUser(trx, user.username));
  process.stdout.write(`Pengguna ${user.username} diaktifkan kembali.\n`);
  return 0;
}

async function roleCommand(rt: Runtime, inv: Invocation): Promise<number> {
  const username = usernameArg(inv);
  const role = roleValue(inv, inv.args[1]);
  const user = await existingUser(rt, username);
  if (user.role === role) {
    process.stdout.write(`Peran ${user.username} sudah ${role}.\n`);
    return 0;
  }
  await audited(rt, { action: 'user.role', target: user.username, detail: { from: user.role, to: role } }, (trx) =>
    setRole(trx, user.username, role),
  );
  process.stdout.write(`Peran ${user.username} diubah dari ${user.role} menjadi ${role}.\n`);
  return 0;
}

// Passwords -----------------------------------------------------------------------------------------------------

/** The new password: one line of stdin, or typed twice at a prompt; refused when too weak. */
async function newPassword(fromStdin: boolean): Promise<string> {
  if (!fromStdin && !process.stdin.isTTY) {
    throw new UsageError(
      'stdin bukan terminal, jadi kata sandi tidak bisa ditanyakan: kirim lewat --password-stdin ' +
        `(mis. printf '%s\\n' "$KATA_SANDI" | oss-sync users … --password-stdin)`,
    );
  }
  const password = fromStdin ? await readStdinLine() : await promptHidden('Kata sandi: ');
  if (password === null) throw new UsageError('--password-stdin: stdin kosong, tidak ada kata sandi yang dibaca');
  const problem = passwordProblem(password);
  if (problem) throw new UsageError(problem);
  if (!fromStdin && (await promptHidden('Ulangi kata sandi: ')) !== password) {
    throw new UsageError('kedua kata sandi tidak sama, tidak ada yang diubah');
  }
  return password;
}

/** The first line of stdin without its line ending, or null when stdin is empty. */
async function readStdinLine(): Promise<string | null> {
  const chunks: Buffer[] = [];
  let seen = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    seen += chunk.length;
    if (chunk.includes(0x0a) || seen > 64 * 1024) break;
  }
  process.stdin.destroy();
  if (chunks.length === 0) return null;
  const text = Buffer.concat(chunks).toString('utf8');
  const end = text.indexOf('\n');
  return (end >= 0 ? text.slice(0, end) : text).replace(/\r$/, '');
}

/** Asks on the terminal (stdin raw, prompt on stderr) without echoing what is typed. */
function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  // Raw mode before the prompt: whatever is typed once the prompt shows is never echoed.
  stdin.setRawMode(true);
  process.stderr.write(question);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (err: Error | null) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish(null);
        if (ch === '\u0003') return finish(new PromptCancelledError());
        if (ch === '\u0004') {
          if (value === '') return finish(new PromptCancelledError());
          continue;
        }
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        // An escape sequence (arrow keys …): drop the rest of it.
        else if (ch === '\u001b') break;
        else if (ch >= ' ') value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

// The sandbox's first admin -------------------------------------------------------------------------------------

/** How to reach the console after a sandbox sync (the `console` object of `sync --json`). */
export interface ConsoleHint {
  url: string;
  username: string;
  /** Set when this run created the account; otherwise it is in `passwordFile`. */
  password: string | null;
  passwordFile: string;
  created: boolean;
}

const SANDBOX_ADMIN = 'admin';
const ADMIN_FILE = 'console-admin.txt';

/**
 * In sandbox mode (no OSS_BASE_URL), with no console account yet: creates `admin` with a random password and writes
 * it to <OSS_SYNC_DATA_DIR>/console-admin.txt (mode 600). Returns how to open the console: with the password when
 * this call created the account, else pointing at the file while its password still opens `admin`; null when there
 * is nothing to say (not a sandbox, or no such file, or its password was changed since). `create: false` (a dry
 * run) never creates the account.
 */
export async function ensureSandboxAdmin(rt: Runtime, opts: { create?: boolean } = {}): Promise<ConsoleHint | null> {
  if (rt.config.oss.baseUrl !== null) return null;
  const file = join(rt.config.database.dataDir, ADMIN_FILE);
  const url = `http://127.0.0.1:${rt.config.http.port || 8080}`;
  if (opts.create !== false && (await countUsers(rt.db)) === 0) {
    const password = randomBytes(9).toString('base64url');
    const passwordHash = await hashPassword(password);
    try {
      await rt.db.transaction(async (trx) => {
        await createUser(trx, {
          username: SANDBOX_ADMIN,
          fullName: 'Admin sandbox',
          role: 'admin',
          passwordHash,
          createdBy: 'sandbox',
        });
        await recordAudit(trx, {
          username: 'sandbox',
          action: 'user.add',
          target: SANDBOX_ADMIN,
          detail: { role: 'admin', reason: 'the first console account of the sandbox' },
        });
        // Written before the commit: when the file cannot be written, no account exists whose password nobody has.
        mkdirSync(rt.config.database.dataDir, { recursive: true });
        writeFileSync(
          file,
          '# Admin pertama konsol web oss-sync (sandbox). Ganti kata sandinya: npx oss-sync users passwd admin\n' +
            `username: ${SANDBOX_ADMIN}\npassword: ${password}\n`,
          { mode: 0o600 },
        );
        chmodSync(file, 0o600);
      });
      rt.log.info({ username: SANDBOX_ADMIN, file }, 'sandbox console admin created');
      return { url, username: SANDBOX_ADMIN, password, passwordFile: file, created: true };
    } catch (err) {
      // A sync running at the same time created it first: fall through to the hint.
      if (!(err instanceof UserExistsError)) throw err;
    }
  }
  return (await fileStillValid(rt, file))
    ? { url, username: SANDBOX_ADMIN, password: null, passwordFile: file, created: false }
    : null;
}

/** Whether the password in the file still opens the admin account (not after `users passwd admin` or a new database). */
async function fileStillValid(rt: Runtime, file: string): Promise<boolean> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return false;
  }
  const password = /^password: (.+)$/m.exec(text)?.[1];
  const admin = await findUser(rt.db, SANDBOX_ADMIN);
  if (!password || !admin?.passwordHash || admin.disabledAt) return false;
  return verifyPassword(password, admin.passwordHash);
}

/** The summary's last line: how to open the console, in Indonesian. */
export function consoleHintLine(hint: ConsoleHint): string {
  const rel = relative(process.cwd(), hint.passwordFile);
  const shown = rel && !rel.startsWith(`..${sep}`) && rel !== '..' ? rel : hint.passwordFile;
  const login = hint.password
    ? `kata sandi ${hint.password} (tersimpan di ${shown})`
    : `kata sandinya tersimpan di ${shown}`;
  return `Konsol web: jalankan \`npx oss-sync serve\` lalu buka ${hint.url} — masuk sebagai ${hint.username}, ${login}.`;
}
