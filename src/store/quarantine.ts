import type { Knex } from 'knex';
import type { Rejection } from '../domain/records.js';
import { contentHash, type WriteContext } from './merge.js';

/** Where a rejected record came from, e.g. { method: 'listKemitraan', page: 3 } or { file, sheet, row }. */
export type QuarantineLocation = Record<string, string | number | null>;

/**
 * Keeps rejected records with their (redacted) raw payload, every issue and the run. The same payload rejected
 * again is not stored twice. Returns how many new rows were written.
 */
export async function quarantineRejections(
  db: Knex | Knex.Transaction,
  stream: string,
  rejections: readonly Rejection[],
  ctx: WriteContext,
  location: (r: Rejection, index: number) => QuarantineLocation = () => ({}),
): Promise<number> {
  if (rejections.length === 0) return 0;
  const rows = rejections.map((r, i) => ({
    entity_id: r.entity_id,
    location: location(r, i),
    payload: r.raw ?? null,
    payload_hash: contentHash([r.entity_id, r.raw ?? null]),
    issues: r.issues,
  }));
  const result = await db.raw(
    `insert into quarantine (stream, source, entity_id, location, payload, payload_hash, issues, first_run_id)
     select ?, ?, r.entity_id, r.location, coalesce(r.payload, 'null'::jsonb), r.payload_hash, r.issues, ?
       from json_to_recordset(?::json) as r(entity_id text, location jsonb, payload jsonb, payload_hash text, issues jsonb)
     on conflict (stream, payload_hash) do nothing`,
    [stream, ctx.source, ctx.runId, JSON.stringify(rows)],
  );
  return result.rowCount ?? 0;
}

/** Closes open quarantine entries of records that have now arrived valid. Returns how many were closed. */
export async function resolveQuarantined(
  db: Knex | Knex.Transaction,
  stream: string,
  entityIds: readonly string[],
  ctx: WriteContext,
): Promise<number> {
  if (entityIds.length === 0) return 0;
  const result = await db.raw(
    `update quarantine set resolved_at = now(), resolved_run_id = ?
      where stream = ? and resolved_at is null and entity_id = any(?::text[])`,
    [ctx.runId, stream, [...entityIds]],
  );
  return result.rowCount ?? 0;
}
