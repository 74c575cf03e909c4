/*
 * What every console page shares: its dependencies, the role guard, the CSRF field of its forms, one-shot flash
 * messages after a redirect, and sending a page in the layout.
 */
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { Config } from '../config.js';
import type { ImportDeps } from '../import/importFile.js';
import type { Logger } from '../logger.js';
import type { SyncRunner } from '../scheduler/runner.js';
import type { Db } from '../store/db.js';
import { type Role, recordAudit } from '../store/users.js';
import { html, type SafeHtml } from './html.js';
import { type NavKey, ROLE_LABELS, renderLayout } from './layout.js';
import { roleAllows } from './session.js';

export interface ConsoleDeps {
  config: Config;
  db: Db;
  log: Logger;
  runner: SyncRunner;
  /** The import of an uploaded export (null: uploads are off in this process). */
  importDeps: ImportDeps | null;
  isStopping: () => boolean;
  /** Aborted when serve begins to stop: an upload's import process is stopped with it. */
  stopSignal: AbortSignal;
  now: () => Date;
}

export const FLASH_COOKIE = 'oss_sync_flash';

export type FlashKind = 'ok' | 'error' | 'info';
export interface Flash {
  kind: FlashKind;
  text: string;
}

/** Shows `text` on the next page this browser loads (the redirect target of a form post). */
export function setFlash(reply: FastifyReply, kind: FlashKind, text: string): void {
  reply.setCookie(FLASH_COOKIE, JSON.stringify({ kind, text: text.slice(0, 1500) }), {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    signed: true,
    secure: reply.request.protocol === 'https',
    maxAge: 120,
  });
}

function takeFlash(req: FastifyRequest, reply: FastifyReply): Flash | null {
  const raw = req.cookies[FLASH_COOKIE];
  if (!raw) return null;
  reply.clearCookie(FLASH_COOKIE, { path: '/' });
  const unsigned = req.unsignCookie(raw);
  if (!unsigned.valid || unsigned.value === null) return null;
  try {
    const f = JSON.parse(unsigned.value) as Flash;
    return typeof f.text === 'string' && ['ok', 'error', 'info'].includes(f.kind) ? f : null;
  } catch {
    return null;
  }
}

/** A 303 to `url` (the answer to every successful form post). */
export const redirect = (reply: FastifyReply, url: string) => reply.code(303).header('location', url).send();

const csrfTokens = new WeakMap<FastifyReply, string>();

/** The hidden CSRF field of a form on this page (one token per response). */
export function csrfField(reply: FastifyReply): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${csrfToken(reply)}">`;
}

export function csrfToken(reply: FastifyReply): string {
  let token = csrfTokens.get(reply);
  if (!token) {
    token = reply.generateCsrf({ secure: reply.request.protocol === 'https' });
    csrfTokens.set(reply, token);
  }
  return token;
}

export interface PageView {
  title: string;
  active?: NavKey;
  body: SafeHtml;
  status?: number;
  /** A flash to show now (a form re-rendered with its error), besides any from the redirect. */
  flash?: Flash;
}

/** Sends `view` inside the console's layout. */
export function sendPage(req: FastifyRequest, reply: FastifyReply, deps: ConsoleDeps, view: PageView) {
  const flashes = [takeFlash(req, reply), view.flash ?? null].filter((f): f is Flash => f !== null);
  const page = renderLayout({
    title: view.title,
    active: view.active ?? null,
    user: req.viewer?.user ?? null,
    signOut: req.viewer?.tokenHash ? csrfField(reply) : null,
    flashes,
    region: deps.config.oss.kdDaerah,
    body: view.body,
  });
  return reply
    .code(view.status ?? 200)
    .type('text/html; charset=utf-8')
    .send(page.value);
}

/** Requires a signed-in user with at least `role`: otherwise the login page (GET) or a refusal. */
export function requireRole(deps: ConsoleDeps, role: Role): preHandlerAsyncHookHandler {
  return async (req, reply) => {
    const viewer = req.viewer;
    if (!viewer) {
      if (req.method === 'GET') {
        return redirect(reply, `/masuk?next=${encodeURIComponent(req.url)}`);
      }
      return sendPage(req, reply, deps, {
        title: 'Sesi berakhir',
        status: 401,
        body: html`<p>Sesi Anda telah berakhir atau Anda belum masuk. Tindakan ini tidak dijalankan.</p>
          <p><a class="button" href="/masuk">Masuk lagi</a></p>`,
      });
    }
    if (!roleAllows(viewer.user.role, role)) {
      return sendPage(req, reply, deps, {
        title: 'Tidak berwenang',
        status: 403,
        body: html`<p>Akun <strong>${viewer.user.username}</strong> (peran ${ROLE_LABELS[viewer.user.role]}) tidak
          berwenang untuk ini: dibutuhkan peran ${ROLE_LABELS[role]}. Hubungi admin kantor bila Anda memerlukannya.</p>`,
      });
    }
  };
}

/** The signed-in user's name: every action is recorded under it, never under a typed-in name. */
export function actorOf(req: FastifyRequest): string {
  if (!req.viewer) throw new Error('actorOf called on a request without a signed-in user');
  return req.viewer.user.username;
}

/** Records a console action under the signed-in user in web_audit. */
export async function audit(
  deps: ConsoleDeps,
  req: FastifyRequest,
  action: string,
  target: string | null,
  detail: Record<string, unknown> = {},
): Promise<void> {
  await recordAudit(deps.db, { username: actorOf(req), action, target, detail, address: req.ip });
}
