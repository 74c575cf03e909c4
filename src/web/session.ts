/*
 * Who is asking: the console's session cookie (a random token; the database keeps only its SHA-256), or, behind a
 * single-sign-on proxy, the user name the proxy put in AUTH_PROXY_HEADER (honoured only with TRUST_PROXY, and
 * only for an enabled account that exists here). Sessions end after WEB_SESSION_IDLE_MINUTES without a request and
 * after WEB_SESSION_MAX_HOURS in any case; both are checked against the database clock.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../store/db.js';
import {
  createSession,
  endSession,
  findUser,
  loadSession,
  type Role,
  touchSession,
  type WebUser,
} from '../store/users.js';

export const SESSION_COOKIE = 'oss_sync_session';

export interface SessionSettings {
  idleMinutes: number;
  maxHours: number;
  /** Lower-cased header name, or null. */
  authProxyHeader: string | null;
  trustProxy: boolean;
}

/** The signed-in user of a request, and how they signed in. */
export interface Viewer {
  user: WebUser;
  /** null when the user came through the single-sign-on proxy (nothing to sign out of here). */
  tokenHash: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    viewer: Viewer | null;
  }
}

const RANK: Readonly<Record<Role, number>> = { viewer: 0, verifier: 1, admin: 2 };

/** Whether `role` may do what `needed` may. */
export const roleAllows = (role: Role, needed: Role): boolean => RANK[role] >= RANK[needed];

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** Whether the browser talks to us over HTTPS (directly, or through a trusted proxy that says so). */
export const overHttps = (req: FastifyRequest): boolean => req.protocol === 'https';

export function cookieOptions(req: FastifyRequest, maxAgeSeconds?: number) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: overHttps(req),
    ...(maxAgeSeconds === undefined ? {} : { maxAge: maxAgeSeconds }),
  };
}

/** Reads the viewer of a request (null: not signed in) and keeps the session alive. */
export async function resolveViewer(db: Db, req: FastifyRequest, s: SessionSettings): Promise<Viewer | null> {
  if (s.authProxyHeader && s.trustProxy) {
    const name = req.headers[s.authProxyHeader];
    if (typeof name === 'string' && name.trim() !== '') {
      const user = await findUser(db, name.trim());
      if (user && !user.disabledAt) {
        const { passwordHash: _omit, ...plain } = user;
        return { user: plain, tokenHash: null };
      }
      return null;
    }
  }
  const token = req.cookies[SESSION_COOKIE];
  if (!token || token.length > 200) return null;
  const tokenHash = hashToken(token);
  const session = await loadSession(db, tokenHash, s.idleMinutes);
  if (!session) return null;
  await touchSession(db, tokenHash);
  return { user: session.user, tokenHash };
}

/** Starts a session for `user` and sets its cookie. */
export async function startSession(
  db: Db,
  req: FastifyRequest,
  reply: FastifyReply,
  user: WebUser,
  s: SessionSettings,
): Promise<void> {
  const token = randomBytes(32).toString('base64url');
  await createSession(db, {
    userId: user.id,
    tokenHash: hashToken(token),
    idleMinutes: s.idleMinutes,
    maxHours: s.maxHours,
    address: req.ip,
    userAgent: (req.headers['user-agent'] ?? '').slice(0, 300),
  });
  reply.setCookie(SESSION_COOKIE, token, cookieOptions(req, s.maxHours * 3600));
}

/** Ends the request's session (if any) and clears its cookie. */
export async function stopSession(db: Db, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (req.viewer?.tokenHash) await endSession(db, req.viewer.tokenHash);
  reply.clearCookie(SESSION_COOKIE, cookieOptions(req));
}
