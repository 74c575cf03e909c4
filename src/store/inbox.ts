import { hostname } from 'node:os';
import type { Knex } from 'knex';
import type { Business, Rejection } from '../domain/records.js';
import type { StreamOutcome } from './runs.js';

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
  rejectReason: string | null;
  tokenOk: boolean;
  bodyBytes: number;
  /** The redacted JSON body, or null when the body was not JSON. */
  payload: unknown;
  /** A digit-masked prefix of a body that was not JSON. */
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
  reject_reason: string | null;
  token_ok: boolean;
  body_bytes: number;
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
      reject_reason: item.rejectReason,
      token_ok: item.tokenOk,
      body_bytes: item.bodyBytes,
      // jsonb through node-pg: stringify ourselves (a JS array would be sent as a PG array).
      payload: item.payload === undefined || item.payload === null ? null : JSON.stringify(item.payload),
      body_text: item.bodyText,
      validated: item.validated === null ? null : JSON.stringify(item.validated),
    })
    .returning('id');
  return Number(row.id);
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

export async function getInboxItem(db: Knex, id: number): Promise<InboxRow | undefined> {
  return db('push_inbox').where({ id }).first();
}

/** Deletes applied and rejected items older than `days` (pending items are never pruned). Returns how many. */
export async function pruneInbox(db: Knex, days: number): Promise<number> {
  return db('push_inbox')
    .whereIn('status', ['applied', 'rejected'])
    .where('received_at', '<', db.raw(`now() - ? * interval '1 day'`, [days]))
    .delete();
}

/**
 * Writes the run row of a batch of pushes inside the transaction that applies them. It is written finished (never
 * 'running'), so applying pushes does not take the one-active-sync slot and is visible only once committed.
 */
export async function insertPushRun(trx: Knex.Transaction, items: number): Promise<number> {
  const [row] = await trx('sync_runs')
    .insert({
      trigger: 'push',
      requested_by: 'oss-push',
      reason: `receiveNIB: ${items} pushed NIB document${items === 1 ? '' : 's'} from the inbox`,
      scope: JSON.stringify({ streams: ['nib'], full: false, dryRun: false, source: 'receiveNIB' }),
      status: 'succeeded',
      host: hostname(),
      pid: process.pid,
    })
    .returning('id');
  return Number(row.id);
}

/** Ends a push run inside its transaction, with the wall-clock end time. */
export async function finishPushRun(
  trx: Knex.Transaction,
  runId: number,
  status: 'succeeded' | 'partial' | 'failed',
  streams: Record<string, StreamOutcome>,
  error: string | null,
): Promise<void> {
  const counts = Object.fromEntries(Object.entries(streams).map(([k, v]) => [k, v.counts]));
  await trx('sync_runs')
    .where({ id: runId })
    .update({
      status,
      finished_at: trx.raw('clock_timestamp()'),
      heartbeat_at: trx.raw('clock_timestamp()'),
      streams: JSON.stringify(streams),
      counts: JSON.stringify(counts),
      error,
    });
}
