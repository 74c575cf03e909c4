import type { Knex } from 'knex';
import type { Business, Rejection } from '../domain/records.js';

/** What a push became at receipt: waiting to be applied, or rejected (kept for audit, never applied). */
export type InboxStatus = 'pending' | 'applied' | 'rejected';

/** The normalized content of a push, computed at receipt so the inbox never holds a full NIK. */
export interface InboxValidated {
  valid: Array<{ record: Business; raw: unknown }>;
  rejected: Rejection[];
}

export interface NewInboxItem {
  method: string;
  remoteAddr: string | null;
  nib: string | null;
  status: Exclude<InboxStatus, 'applied'>;
  /** Why it was rejected, as a label (token, malformed, too_large, too_deep, outside_region); absent: null. */
  rejectCode?: string | null;
  rejectReason: string | null;
  tokenOk: boolean;
  bodyBytes: number;
  /** sha256 of the bytes received; absent or null when the body was not read. */
  bodySha256?: Buffer | null;
  /** The redacted JSON body of an accepted push; null for a rejected one (only its summary is kept). */
  payload: unknown;
  /** A digit-masked prefix of a rejected body. */
  bodyText: string | null;
  validated: InboxValidated | null;
}

export interface InboxItem {
  id: number;
  nib: string | null;
  received_at: Date;
  attempts: number;
  validated: InboxValidated;
}

export interface InboxRow extends InboxItem {
  method: string;
  status: InboxStatus;
  reject_code: string | null;
  reject_reason: string | null;
  token_ok: boolean;
  body_bytes: number;
  body_sha256: Buffer | null;
  payload: unknown;
  body_text: string | null;
  last_error: string | null;
  last_attempt_at: Date | null;
  next_attempt_at: Date;
  applied_at: Date | null;
  run_id: number | null;
}

/** Keeps one received push; returns its id. Called before the push is answered. */
export async function insertInboxItem(db: Knex, item: NewInboxItem): Promise<number> {
  const [row] = await db('push_inbox')
    .insert({
      method: item.method,
      remote_addr: item.remoteAddr,
      nib: item.nib,
      status: item.status,
      reject_code: item.rejectCode ?? null,
      reject_reason: item.rejectReason,
      token_ok: item.tokenOk,
      body_bytes: item.bodyBytes,
      body_sha256: item.bodySha256 ?? null,
      // jsonb through node-pg: stringify ourselves (a JS array would be sent as a PG array).
      payload: item.payload === undefined || item.payload === null ? null : JSON.stringify(item.payload),
      body_text: item.bodyText,
      validated: item.validated === null ? null : JSON.stringify(item.validated),
    })
    .returning('id');
  return Number(row.id);
}

/**
 * True when we already know the NIB: a stored business (pulled, pushed or imported from an export), a NIB waiting
 * in the queue, or a party of a partnership.
 */
export async function isKnownNib(db: Knex, nib: string): Promise<boolean> {
  const r = await db.raw(
    `select exists (select 1 from pelaku_usaha where nib = :nib)
         or exists (select 1 from nib_queue where nib = :nib)
         or exists (select 1 from kemitraan where nib_ub = :nib)
         or exists (select 1 from kemitraan where nib_umkm = :nib) as known`,
    { nib },
  );
  return r.rows[0].known === true;
}

/**
 * Locks up to `limit` pending items whose retry time has come, oldest first. Other processes skip the locked ones,
 * so replicas never apply the same item twice at once.
 */
export async function claimDueInboxItems(trx: Knex.Transaction, limit: number): Promise<InboxItem[]> {
  const r = await trx.raw(
    `select id, nib, received_at, attempts, validated from push_inbox
      where status = 'pending' and next_attempt_at <= now()
      order by id limit ? for update skip locked`,
    [limit],
  );
  return r.rows as InboxItem[];
}

/** True when at least one pending item is due (cheap poll). */
export async function hasDueInboxItems(db: Knex): Promise<boolean> {
  const r = await db.raw(
    `select exists (select 1 from push_inbox where status = 'pending' and next_attempt_at <= now()) as due`,
  );
  return r.rows[0].due === true;
}

export async function markInboxApplied(trx: Knex.Transaction, ids: readonly number[], runId: number): Promise<void> {
  if (ids.length === 0) return;
  await trx('push_inbox')
    .whereIn('id', [...ids])
    .update({
      status: 'applied',
      applied_at: trx.fn.now(),
      run_id: runId,
      last_attempt_at: trx.fn.now(),
      last_error: null,
    });
}

/** Delay before retry number `attempts` (1 = after the first failure): doubling from 2 s, at most 15 min. */
export function inboxRetryDelayMs(attempts: number): number {
  const base = 2_000;
  const cap = 15 * 60_000;
  return Math.min(cap, base * 2 ** Math.max(0, Math.min(attempts - 1, 20)));
}

/** Counts a failed attempt on an item: it stays pending, with its error, until the retry time. */
export async function markInboxFailed(
  db: Knex | Knex.Transaction,
  item: Pick<InboxItem, 'id' | 'attempts'>,
  error: string,
): Promise<void> {
  const attempts = item.attempts + 1;
  await db('push_inbox')
    .where({ id: item.id, status: 'pending' })
    .update({
      attempts,
      last_error: error.slice(0, 1000),
      last_attempt_at: db.fn.now(),
      next_attempt_at: db.raw(`now() + ? * interval '1 millisecond'`, [inboxRetryDelayMs(attempts)]),
    });
}

export interface InboxBacklog {
  pending: number;
  /** Pending items that failed at least once. */
  failing: number;
  rejected: number;
  applied: number;
}

export async function inboxBacklog(db: Knex): Promise<InboxBacklog> {
  const r = await db.raw(`
    select count(*) filter (where status = 'pending')::int as pending,
           count(*) filter (where status = 'pending' and attempts > 0)::int as failing,
           count(*) filter (where status = 'rejected')::int as rejected,
           count(*) filter (where status = 'applied')::int as applied
      from push_inbox`);
  return r.rows[0] as InboxBacklog;
}

/** Deletes applied and rejected items older than `days` (pending items are never pruned). Returns how many. */
export async function pruneInbox(db: Knex, days: number): Promise<number> {
  return db('push_inbox')
    .whereIn('status', ['applied', 'rejected'])
    .where('received_at', '<', db.raw(`now() - ? * interval '1 day'`, [days]))
    .delete();
}
