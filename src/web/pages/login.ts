/*
 * Masuk and Keluar. A wrong password and an unknown account read the same, and cost the same time (a dummy hash is
 * verified). Failed logins are counted in the database per account and per address: past the limit the form refuses
 * for the rest of the window, whatever the password.
 */
import type { FastifyInstance } from 'fastify';
import {
  clearLoginFailures,
  findUser,
  markLogin,
  recentLoginFailures,
  recordAudit,
  recordLoginFailure,
} from '../../store/users.js';
import { type ConsoleDeps, csrfField, redirect, sendPage } from '../context.js';
import { html } from '../html.js';
import { DUMMY_HASH, verifyPassword } from '../passwords.js';
import { type SessionSettings, startSession, stopSession } from '../session.js';

/** Failed logins allowed within LOGIN_WINDOW_MINUTES: per account, and per address (an office shares one NAT). */
export const LOGIN_LIMITS = { account: 5, address: 30 } as const;
export const LOGIN_WINDOW_MINUTES = 15;

/** Only a path on this site: `next` never sends the browser elsewhere. */
function safeNext(next: unknown): string {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\')
    ? next
    : '/';
}

export async function loginPages(app: FastifyInstance, deps: ConsoleDeps, settings: SessionSettings): Promise<void> {
  const form = (reply: Parameters<typeof csrfField>[0], next: string, username = '') => html`
<form method="post" action="/masuk" class="login">
  ${csrfField(reply)}
  <input type="hidden" name="next" value="${next}">
  <label class="field"><span>Nama pengguna</span><input name="username" autocomplete="username" required value="${username}" autofocus></label>
  <label class="field"><span>Kata sandi</span><input name="password" type="password" autocomplete="current-password" required></label>
  <button type="submit">Masuk</button>
</form>
<p class="hint">Belum punya akun? Minta admin kantor membuatkannya (<code>oss-sync users add</code>).</p>`;

  app.get<{ Querystring: { next?: string } }>('/masuk', async (req, reply) => {
    const next = safeNext(req.query.next);
    if (req.viewer) return redirect(reply, next);
    return sendPage(req, reply, deps, { title: 'Masuk', body: form(reply, next) });
  });

  app.post<{ Body: { username?: string; password?: string; next?: string } }>('/masuk', async (req, reply) => {
    const username = String(req.body?.username ?? '')
      .trim()
      .slice(0, 100);
    const password = String(req.body?.password ?? '');
    const next = safeNext(req.body?.next);
    const refuse = (status: number, text: string) =>
      sendPage(req, reply, deps, {
        title: 'Masuk',
        status,
        flash: { kind: 'error', text },
        body: form(reply, next, username),
      });
    if (username === '' || password === '') return refuse(400, 'Isi nama pengguna dan kata sandi.');

    const failures = await recentLoginFailures(deps.db, username, req.ip, LOGIN_WINDOW_MINUTES);
    if (failures.account >= LOGIN_LIMITS.account || failures.address >= LOGIN_LIMITS.address) {
      req.log.warn(
        { username, address: req.ip, accountFailures: failures.account, addressFailures: failures.address },
        'console login refused: too many failures',
      );
      reply.header('retry-after', String(LOGIN_WINDOW_MINUTES * 60));
      return refuse(
        429,
        `Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam ${LOGIN_WINDOW_MINUTES} menit, atau minta admin mengatur ulang kata sandi.`,
      );
    }
    const user = await findUser(deps.db, username);
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok || user.disabledAt || !user.passwordHash) {
      await recordLoginFailure(deps.db, username, req.ip);
      req.log.info({ username, address: req.ip }, 'console login failed');
      return refuse(401, 'Nama pengguna atau kata sandi salah, atau akun dinonaktifkan.');
    }
    const { passwordHash: _omit, ...plain } = user;
    await startSession(deps.db, req, reply, plain, settings);
    await clearLoginFailures(deps.db, username);
    await markLogin(deps.db, user.id);
    await recordAudit(deps.db, { username: user.username, action: 'login', target: null, address: req.ip });
    req.log.info({ username: user.username, role: user.role }, 'console login');
    return redirect(reply, next);
  });

  app.post('/keluar', async (req, reply) => {
    if (req.viewer) {
      await recordAudit(deps.db, {
        username: req.viewer.user.username,
        action: 'logout',
        target: null,
        address: req.ip,
      });
    }
    await stopSession(deps.db, req, reply);
    return redirect(reply, '/masuk');
  });
}
