/*
 * The web console's accounts (web_users), sessions (web_sessions), failed logins (web_login_failures, for the login
 * rate limit) and audit trail (web_audit). User names are unique and looked up case-insensitively (the unique index
 * is on lower(username)); they are stored as first typed. Every time comes from the database clock (now()), so
 * expiry and idle checks agree across processes and cannot be skewed by one machine's clock.
 */
import type { Knex } from 'knex';

/** What an account may do: viewer reads; verifier also acts on findings; admin also syncs, imports, manages users. */
export type Role = 'viewer' | 'verifier' | 'admin';
export const ROLES: readonly Role[] = ['viewer', 'verifier', 'admin'];

/** What an account name may be: letters, digits and . _ @ - (no spaces, no ':' which marks `cli:` actors). */
export const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export const isRole = (v: unknown): v is Role => typeof v === 'string' && (ROLES as readonly string[]).includes(v);

/** A console account as the rest of the app sees it (never its password hash). */
export interface WebUser {
  id: number;
  username: string;
  fullName: string | null;
  role: Role;
  disabledAt: Date | null;
  createdAt: Date;
  lastLoginAt: Date | null;
  /** False for an account that signs in only through the single-sign-on proxy. */
  hasPassword: boolean;
}

/** The name is taken (compared case-insensitively); `existing` is the account's name as stored, when known. */
export class UserExistsError extends Error {
  readonly code = 'USER_EXISTS';
  readonly username: string;
  readonly existing: string | null;
  constructor(username: string, options?: { cause?: unknown; existing?: string }) {
    super(`user "${username}" already exists`, options);
    this.name = 'UserExistsError';
    this.username = username;
    this.existing = options?.existing ?? null;
  }
}

const UNIQUE_VIOLATION = '23505';

interface WebUserRow {
  id: number;
  username: string;
  full_name: string | null;
  role: Role;
  password_hash: string | null;
  disabled_at: Date | null;
  created_at: Date;
  last_login_at: Date | null;
}

const USER_COLUMNS = [
  'id',
  'username',
  'full_name',
  'role',
  'password_hash',
  'disabled_at',
  'created_at',
  'last_login_at',
];

const toUser = (r: WebUserRow): WebUser => ({
  id: Number(r.id),
  username: r.username,
  fullName: r.full_name,
  role: r.role,
  disabledAt: r.disabled_at,
  createdAt: r.created_at,
  lastLoginAt: r.last_login_at,
  hasPassword: r.password_hash !== null,
});

const byName = (username: string) => (q: Knex.QueryBuilder) => q.whereRaw('lower(username) = lower(?)', [username]);

export interface NewUser {
  username: string;
  fullName?: string | null;
  role: Role;
  /** null: the account signs in only through the single-sign-on proxy. */
  passwordHash: string | null;
  /** Who created it ('cli:ana', a console admin's name, 'sandbox'). */
  createdBy: string;
}

/** Creates an account; throws UserExistsError when the name is taken in any letter case. */
export async function createUser(db: Knex, user: NewUser): Promise<WebUser> {
  try {
    const [row] = await db('web_users')
      .insert({
        username: user.username,
        full_name: user.fullName ?? null,
        role: user.role,
        password_hash: user.passwordHash,
        password_changed_at: user.passwordHash === null ? null : db.fn.now(),
        created_by: user.createdBy,
      })
      .returning(USER_COLUMNS);
    return toUser(row as WebUserRow);
  } catch (err) {
    if ((err as { code?: string }).code === UNIQUE_VIOLATION) throw new UserExistsError(user.username, { cause: err });
    throw err;
  }
}

/** The account of that name (any letter case) with its password hash, or null. */
export async function findUser(
  db: Knex,
  username: string,
): Promise<(WebUser & { passwordHash: string | null }) | null> {
  const row: WebUserRow | undefined = await db('web_users').select(USER_COLUMNS).modify(byName(username)).first();
  return row ? { ...toUser(row), passwordHash: row.password_hash } : null;
}

/** Every account, by name. */
export async function listUsers(db: Knex): Promise<WebUser[]> {
  const rows: WebUserRow[] = await db('web_users').select(USER_COLUMNS).orderByRaw('lower(username), id');
  return rows.map(toUser);
}

/** How many accounts exist (disabled ones included). */
export async function countUsers(db: Knex): Promise<number> {
  const row = await db('web_users').count<{ n: string }>({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/**
 * Updates one account and, when `endSessions`, ends its open sessions (except `keepTokenHash`, the session of a user
 * changing their own password) in the same statement. True when the account exists.
 */
async function updateUser(
  db: Knex,
  username: string,
  set: string,
  bindings: Knex.RawBinding[],
  endSessions: { keepTokenHash: string | null } | null,
): Promise<boolean> {
  const sessions = endSessions
    ? `, ended as (
         update web_sessions set ended_at = now()
          where user_id in (select id from changed) and ended_at is null and token_hash is distinct from ?)`
    : '';
  const r = await db.raw(
    `with changed as (
       update web_users set ${set}, updated_at = now() where lower(username) = lower(?) returning id)${sessions}
     select count(*)::int as n from changed`,
    [...bindings, username, ...(endSessions ? [endSessions.keepTokenHash] : [])],
  );
  return r.rows[0].n > 0;
}

/**
 * Sets a new password hash; ends every other open session of the account (all of them, unless `keepTokenHash`
 * names the session the change was made from). False when there is no such account.
 */
export function setPassword(db: Knex, username: string, hash: string, keepTokenHash?: string): Promise<boolean> {
  return updateUser(db, username, 'password_hash = ?, password_changed_at = now()', [hash], {
    keepTokenHash: keepTokenHash ?? null,
  });
}

/** Changes the role; open sessions carry on with the new role (loadSession reads it on every request). */
export function setRole(db: Knex, username: string, role: Role): Promise<boolean> {
  return updateUser(db, username, 'role = ?', [role], null);
}

/** Disables the account (it keeps the first time it was disabled) and ends all its sessions. */
export function disableUser(db: Knex, username: string): Promise<boolean> {
  return updateUser(db, username, 'disabled_at = coalesce(disabled_at, now())', [], { keepTokenHash: null });
}

/** Enables a disabled account. */
export function enableUser(db: Knex, username: string): Promise<boolean> {
  return updateUser(db, username, 'disabled_at = null', [], null);
}

/** Records a successful login. */
export async function markLogin(db: Knex, userId: number): Promise<void> {
  await db('web_users').where({ id: userId }).update({ last_login_at: db.fn.now() });
}

// Sessions ------------------------------------------------------------------------------------------------------

export interface NewSession {
  userId: number;
  /** SHA-256 of the cookie's token (never the token itself). */
  tokenHash: string;
  /** Checked by loadSession; taken here too so both calls are given the same settings. */
  idleMinutes: number;
  /** The absolute lifetime: the session ends this many hours after it starts, however active. */
  maxHours: number;
  address: string | null;
  userAgent: string | null;
}

export async function createSession(db: Knex, s: NewSession): Promise<void> {
  await db('web_sessions').insert({
    token_hash: s.tokenHash,
    user_id: s.userId,
    expires_at: db.raw(`now() + ? * interval '1 hour'`, [s.maxHours]),
    address: s.address,
    user_agent: s.userAgent,
  });
}

export interface LoadedSession {
  user: WebUser;
  createdAt: Date;
  lastSeenAt: Date;
}

/** The live session of that token hash, or null when it ended, expired, sat idle too long, or its user is disabled. */
export async function loadSession(db: Knex, tokenHash: string, idleMinutes: number): Promise<LoadedSession | null> {
  const r = await db.raw(
    `select u.id, u.username, u.full_name, u.role, u.password_hash, u.disabled_at, u.created_at, u.last_login_at,
            s.created_at as session_created_at, s.last_seen_at as session_last_seen_at
       from web_sessions s join web_users u on u.id = s.user_id
      where s.token_hash = ? and s.ended_at is null and s.expires_at > now()
        and s.last_seen_at > now() - ? * interval '1 minute' and u.disabled_at is null`,
    [tokenHash, idleMinutes],
  );
  const row = r.rows[0] as (WebUserRow & { session_created_at: Date; session_last_seen_at: Date }) | undefined;
  return row ? { user: toUser(row), createdAt: row.session_created_at, lastSeenAt: row.session_last_seen_at } : null;
}

/** Marks the session active now; written at most every 30 s so each request does not rewrite the row. */
export async function touchSession(db: Knex, tokenHash: string): Promise<void> {
  await db.raw(
    `update web_sessions set last_seen_at = now()
      where token_hash = ? and ended_at is null and last_seen_at < now() - interval '30 seconds'`,
    [tokenHash],
  );
}

/** Ends the session (logout). */
export async function endSession(db: Knex, tokenHash: string): Promise<void> {
  await db('web_sessions').where({ token_hash: tokenHash }).whereNull('ended_at').update({ ended_at: db.fn.now() });
}

// Failed logins -------------------------------------------------------------------------------------------------

export async function recordLoginFailure(db: Knex, username: string, address: string): Promise<void> {
  await db('web_login_failures').insert({ username, address });
}

/** Failed logins within the last `windowMinutes`: for that account (any letter case) and from that address. */
export async function recentLoginFailures(
  db: Knex,
  username: string,
  address: string,
  windowMinutes: number,
): Promise<{ account: number; address: number }> {
  const r = await db.raw(
    `select (select count(*) from web_login_failures
              where lower(username) = lower(?) and at > now() - ? * interval '1 minute')::int as account,
            (select count(*) from web_login_failures
              where address = ? and at > now() - ? * interval '1 minute')::int as address`,
    [username, windowMinutes, address, windowMinutes],
  );
  return { account: r.rows[0].account, address: r.rows[0].address };
}

/** Forgets the account's failed logins (after a successful one). */
export async function clearLoginFailures(db: Knex, username: string): Promise<void> {
  await db('web_login_failures').whereRaw('lower(username) = lower(?)', [username]).delete();
}

// Audit ---------------------------------------------------------------------------------------------------------

export interface AuditEntry {
  /** Who acted: a console user name, or `cli:<os user>` for the command line. */
  username: string;
  /** What was done, dotted: 'user.add', 'finding.transition', 'sync.trigger' … */
  action: string;
  target?: string | null;
  detail?: Record<string, unknown>;
  address?: string | null;
}

export interface AuditRow {
  id: number;
  at: Date;
  username: string;
  action: string;
  target: string | null;
  detail: Record<string, unknown>;
  address: string | null;
}

export async function recordAudit(db: Knex, e: AuditEntry): Promise<void> {
  await db('web_audit').insert({
    username: e.username,
    action: e.action,
    target: e.target ?? null,
    detail: JSON.stringify(e.detail ?? {}),
    address: e.address ?? null,
  });
}

/** The newest audit rows first. */
export async function listAudit(db: Knex, opts: { limit: number }): Promise<AuditRow[]> {
  const rows = await db('web_audit')
    .select('id', 'at', 'username', 'action', 'target', 'detail', 'address')
    .orderBy([
      { column: 'at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(opts.limit);
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}
