/*
 * Pengguna (admin): the console's accounts, adding one, changing a role, disabling and enabling, setting a new
 * password, and the recent audit trail. Each change and its audit row (under the signed-in admin) commit together,
 * as the CLI's `oss-sync users` does. An admin cannot disable or demote their own account, so the console always
 * keeps at least the admin who is using it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { changeWithAudit } from '../../store/operations.js';
import {
  createUser,
  disableUser,
  enableUser,
  findUser,
  isRole,
  listAudit,
  listUsers,
  ROLES,
  type Role,
  setPassword,
  setRole,
  USERNAME,
  UserExistsError,
  type WebUser,
} from '../../store/users.js';
import { dataTable, selectField, textField, timeText } from '../components.js';
import {
  actorOf,
  type ConsoleDeps,
  csrfField,
  type Flash,
  redirect,
  requireRole,
  sendPage,
  setFlash,
} from '../context.js';
import { type HtmlValue, html, type SafeHtml } from '../html.js';
import { ROLE_LABELS } from '../layout.js';
import { hashPassword, passwordProblem } from '../passwords.js';

const AUDIT_ROWS = 50;

const ACTION_LABELS: Readonly<Record<string, string>> = {
  login: 'masuk',
  logout: 'keluar',
  'user.add': 'pengguna ditambahkan',
  'user.role': 'peran diubah',
  'user.disable': 'pengguna dinonaktifkan',
  'user.enable': 'pengguna diaktifkan',
  'user.passwd': 'kata sandi disetel',
  'sync.trigger': 'sinkronisasi dijalankan',
  'import.upload': 'ekspor diunggah',
};

const roleOptions = ROLES.map((r) => ({ value: r, label: `${ROLE_LABELS[r]} (${r})` }));

const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The keys of audit details as people read them. */
const DETAIL_LABELS: Readonly<Record<string, string>> = {
  role: 'peran',
  fullName: 'nama',
  from: 'dari',
  to: 'menjadi',
  streams: 'aliran',
  full: 'penuh',
  dryRun: 'uji coba',
  reason: 'alasan',
  file: 'berkas',
  status: 'status',
  runId: 'run',
  bytes: 'bita',
  rows: 'baris',
  rejected: 'ditolak',
  outcome: 'hasil',
  ids: 'temuan',
  note: 'catatan',
};

function detailValue(v: unknown): string {
  if (typeof v === 'boolean') return v ? 'ya' : 'tidak';
  if (Array.isArray(v)) return v.length ? v.map(String).join(', ') : 'semua';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** The detail of an audit row as "key: value" text (never a password: none is ever recorded). */
function detailText(detail: Record<string, unknown>): string {
  return Object.entries(detail ?? {})
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `${DETAIL_LABELS[k] ?? k}: ${detailValue(v)}`)
    .join('; ');
}

interface AddInput {
  username: string;
  fullName: string;
  role: string;
}

function addForm(reply: FastifyReply, input: AddInput): SafeHtml {
  return html`<section aria-labelledby="tambah"><h2 id="tambah">Tambah pengguna</h2>
<form method="post" action="/pengguna" class="filters">
  ${csrfField(reply)}
  ${textField({ name: 'username', label: 'Nama pengguna', value: input.username, required: true, autocomplete: 'off' })}
  ${textField({ name: 'full_name', label: 'Nama lengkap', value: input.fullName })}
  ${selectField({ name: 'role', label: 'Peran', options: roleOptions, selected: input.role || 'viewer' })}
  ${textField({ name: 'password', label: 'Kata sandi awal (minimal 10 karakter)', type: 'password', required: true, autocomplete: 'new-password' })}
  <div class="actions"><button type="submit">Tambah</button></div>
</form>
<p class="hint">Pembaca hanya membaca; Verifikator juga menindaklanjuti temuan; Admin juga menjalankan sinkronisasi, mengimpor ekspor dan mengelola pengguna.</p>
</section>`;
}

function actionsCell(reply: FastifyReply, u: WebUser, self: boolean): HtmlValue {
  const path = `/pengguna/${encodeURIComponent(u.username)}`;
  const password = html`<form method="post" action="${path}/sandi" class="actions">
  ${csrfField(reply)}
  ${textField({ name: 'password', label: `Kata sandi baru untuk ${u.username}`, type: 'password', required: true, autocomplete: 'new-password' })}
  <button type="submit" class="secondary">Setel kata sandi</button>
</form>`;
  if (self) {
    return html`<p class="hint">Akun Anda sendiri: peran dan status tidak dapat Anda ubah sendiri (minta admin lain).</p>${password}`;
  }
  return html`<form method="post" action="${path}/peran" class="actions">
  ${csrfField(reply)}
  ${selectField({ name: 'role', label: `Peran ${u.username}`, options: roleOptions, selected: u.role })}
  <button type="submit" class="secondary">Ubah peran</button>
</form>
<form method="post" action="${path}/status" class="actions"${u.disabledAt ? '' : html` data-confirm="Nonaktifkan ${u.username}? Semua sesinya diakhiri."`}>
  ${csrfField(reply)}
  <input type="hidden" name="aktif" value="${u.disabledAt ? '1' : '0'}">
  <button type="submit" class="${u.disabledAt ? 'secondary' : 'danger'}">${u.disabledAt ? 'Aktifkan' : 'Nonaktifkan'}</button>
</form>
${password}`;
}

/** Runs a change and its audit row (under the signed-in admin) in one transaction. */
async function audited(
  deps: ConsoleDeps,
  req: FastifyRequest,
  entry: { action: string; target: string; detail?: Record<string, unknown> },
  change: Parameters<typeof changeWithAudit>[2],
): Promise<boolean> {
  const by = actorOf(req);
  const done = await changeWithAudit(deps.db, { username: by, ...entry, address: req.ip }, change);
  if (done) req.log.info({ by, ...entry }, 'console account changed');
  return done;
}

export async function userPages(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const admin = { preHandler: requireRole(deps, 'admin') };
  const tz = deps.config.sync.timezone;

  async function page(
    req: FastifyRequest,
    reply: FastifyReply,
    opts: { status?: number; flash?: Flash; input?: AddInput } = {},
  ) {
    const me = req.viewer!.user.username;
    const [users, audit] = await Promise.all([listUsers(deps.db), listAudit(deps.db, { limit: AUDIT_ROWS })]);
    const body = html`
${dataTable({
  caption: 'Akun konsol',
  columns: [
    { label: 'Nama pengguna' },
    { label: 'Nama' },
    { label: 'Peran' },
    { label: 'Status' },
    { label: 'Terakhir masuk' },
    { label: 'Tindakan' },
  ],
  rows: users.map((u) => [
    html`<strong>${u.username}</strong>${sameName(u.username, me) ? ' (Anda)' : ''}`,
    u.fullName ?? '-',
    ROLE_LABELS[u.role],
    u.disabledAt
      ? html`nonaktif sejak ${timeText(u.disabledAt, tz)}`
      : u.hasPassword
        ? 'aktif'
        : 'aktif (hanya lewat SSO)',
    timeText(u.lastLoginAt, tz),
    actionsCell(reply, u, sameName(u.username, me)),
  ]),
  empty: 'Belum ada pengguna.',
})}
${addForm(reply, opts.input ?? { username: '', fullName: '', role: 'viewer' })}
<h2>Catatan audit terbaru</h2>
${dataTable({
  caption: `${AUDIT_ROWS} tindakan terakhir di konsol dan lewat oss-sync users`,
  columns: [
    { label: 'Waktu' },
    { label: 'Oleh' },
    { label: 'Tindakan' },
    { label: 'Sasaran' },
    { label: 'Rincian' },
    { label: 'Alamat' },
  ],
  rows: audit.map((a) => [
    timeText(a.at, tz),
    a.username,
    ACTION_LABELS[a.action] ?? a.action,
    a.target ?? '-',
    detailText(a.detail) || '-',
    a.address ?? '-',
  ]),
  empty: 'Belum ada catatan audit.',
})}`;
    return sendPage(req, reply, deps, {
      title: 'Pengguna',
      active: 'pengguna',
      body,
      ...(opts.status ? { status: opts.status } : {}),
      ...(opts.flash ? { flash: opts.flash } : {}),
    });
  }

  const notFound = (req: FastifyRequest, reply: FastifyReply, name: string) =>
    page(req, reply, { status: 404, flash: { kind: 'error', text: `Pengguna "${name}" tidak ada.` } });
  const fail = (req: FastifyRequest, reply: FastifyReply, status: number, text: string) =>
    page(req, reply, { status, flash: { kind: 'error', text } });
  const field = (body: unknown, key: string) => {
    const v = (body as Record<string, unknown> | undefined)?.[key];
    return typeof v === 'string' ? v : '';
  };

  app.get('/pengguna', admin, (req, reply) => page(req, reply));

  app.post('/pengguna', admin, async (req, reply) => {
    const input: AddInput = {
      username: field(req.body, 'username').trim(),
      fullName: field(req.body, 'full_name').trim(),
      role: field(req.body, 'role'),
    };
    const password = field(req.body, 'password');
    const refuse = (status: number, text: string) =>
      page(req, reply, { status, flash: { kind: 'error', text }, input });
    if (!USERNAME.test(input.username)) {
      return refuse(
        400,
        `Nama pengguna "${input.username}" tidak sah: 1–64 karakter, huruf, angka, titik, garis bawah, @ atau -, diawali huruf atau angka.`,
      );
    }
    if (!isRole(input.role)) return refuse(400, 'Pilih peran: Pembaca, Verifikator atau Admin.');
    if (input.fullName.length > 200) return refuse(400, 'Nama lengkap terlalu panjang: paling banyak 200 karakter.');
    const weak = passwordProblem(password);
    if (weak) return refuse(400, `${weak}.`);
    const taken = await findUser(deps.db, input.username);
    const takenText = (existing: string | null) =>
      `Nama pengguna "${input.username}" sudah dipakai${existing ? ` oleh akun "${existing}"` : ''} (huruf besar dan kecil tidak dibedakan).`;
    if (taken) return refuse(409, takenText(taken.username));
    const role: Role = input.role;
    const hash = await hashPassword(password);
    try {
      await audited(
        deps,
        req,
        { action: 'user.add', target: input.username, detail: { role, fullName: input.fullName || null } },
        async (trx) => {
          await createUser(trx, {
            username: input.username,
            fullName: input.fullName || null,
            role,
            passwordHash: hash,
            createdBy: actorOf(req),
          });
          return true;
        },
      );
    } catch (err) {
      if (err instanceof UserExistsError) return refuse(409, takenText(null));
      throw err;
    }
    setFlash(reply, 'ok', `Pengguna ${input.username} (${ROLE_LABELS[role]}) dibuat; ia bisa masuk ke konsol.`);
    return redirect(reply, '/pengguna');
  });

  app.post<{ Params: { name: string } }>('/pengguna/:name/peran', admin, async (req, reply) => {
    const user = await findUser(deps.db, req.params.name);
    if (!user) return notFound(req, reply, req.params.name);
    const role = field(req.body, 'role');
    if (!isRole(role)) return fail(req, reply, 400, 'Pilih peran: Pembaca, Verifikator atau Admin.');
    if (sameName(user.username, actorOf(req)) && role !== user.role) {
      return fail(req, reply, 409, 'Anda tidak dapat mengubah peran akun Anda sendiri: minta admin lain melakukannya.');
    }
    if (role === user.role) {
      setFlash(reply, 'info', `Peran ${user.username} sudah ${ROLE_LABELS[role]}.`);
      return redirect(reply, '/pengguna');
    }
    await audited(
      deps,
      req,
      { action: 'user.role', target: user.username, detail: { from: user.role, to: role } },
      (trx) => setRole(trx, user.username, role),
    );
    setFlash(reply, 'ok', `Peran ${user.username} diubah dari ${ROLE_LABELS[user.role]} menjadi ${ROLE_LABELS[role]}.`);
    return redirect(reply, '/pengguna');
  });

  app.post<{ Params: { name: string } }>('/pengguna/:name/status', admin, async (req, reply) => {
    const user = await findUser(deps.db, req.params.name);
    if (!user) return notFound(req, reply, req.params.name);
    const active = field(req.body, 'aktif');
    if (active !== '0' && active !== '1')
      return fail(req, reply, 400, 'Permintaan tidak lengkap: aktif harus 0 atau 1.');
    if (active === '0') {
      if (sameName(user.username, actorOf(req))) {
        return fail(
          req,
          reply,
          409,
          'Anda tidak dapat menonaktifkan akun Anda sendiri: minta admin lain melakukannya.',
        );
      }
      if (user.disabledAt) {
        setFlash(reply, 'info', `Pengguna ${user.username} sudah nonaktif.`);
        return redirect(reply, '/pengguna');
      }
      await audited(deps, req, { action: 'user.disable', target: user.username }, (trx) =>
        disableUser(trx, user.username),
      );
      setFlash(reply, 'ok', `Pengguna ${user.username} dinonaktifkan; semua sesinya diakhiri.`);
      return redirect(reply, '/pengguna');
    }
    if (!user.disabledAt) {
      setFlash(reply, 'info', `Pengguna ${user.username} sudah aktif.`);
      return redirect(reply, '/pengguna');
    }
    await audited(deps, req, { action: 'user.enable', target: user.username }, (trx) => enableUser(trx, user.username));
    setFlash(reply, 'ok', `Pengguna ${user.username} diaktifkan kembali.`);
    return redirect(reply, '/pengguna');
  });

  app.post<{ Params: { name: string } }>('/pengguna/:name/sandi', admin, async (req, reply) => {
    const user = await findUser(deps.db, req.params.name);
    if (!user) return notFound(req, reply, req.params.name);
    const password = field(req.body, 'password');
    const weak = passwordProblem(password);
    if (weak) return fail(req, reply, 400, `Kata sandi ${user.username} tidak diganti: ${weak.toLowerCase()}.`);
    const hash = await hashPassword(password);
    const self = sameName(user.username, actorOf(req));
    // Changing one's own password keeps the session it was changed from; every other session of the account ends.
    const keep = self ? (req.viewer?.tokenHash ?? undefined) : undefined;
    await audited(deps, req, { action: 'user.passwd', target: user.username }, (trx) =>
      setPassword(trx, user.username, hash, keep),
    );
    setFlash(
      reply,
      'ok',
      self
        ? 'Kata sandi Anda diganti; sesi Anda yang lain diakhiri.'
        : `Kata sandi ${user.username} diganti; sesi yang masih terbuka diakhiri.`,
    );
    return redirect(reply, '/pengguna');
  });
}
