import type { Knex } from 'knex';
import type { TableSpec } from './tables.js';

const q = (ident: string) => `"${ident.replace(/"/g, '""')}"`;

/**
 * The wire hashes of the given ids whose entity row is live (a deleted row must come back through the full path) and
 * still holds the content it was stored with from that text (no other writer changed it since). Single-column keys.
 */
export async function liveWireHashes<T>(
  db: Knex | Knex.Transaction,
  spec: TableSpec<T>,
  ids: readonly string[],
): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const key = q(String(spec.key[0]));
  const r = await db.raw(
    `select w.entity_id as id, w.wire_hash as h
       from wire_hashes w join ${q(spec.table)} t on t.${key} = w.entity_id and t.deleted_at is null and t.content_hash = w.content_hash
      where w.entity_type = ? and w.entity_id = any(?::text[])`,
    [spec.entityType, [...ids]],
  );
  return new Map((r.rows as Array<{ id: string; h: string }>).map((row) => [row.id, row.h]));
}

/**
 * Records the wire hash each entity was just stored or confirmed from, with the content the row holds now; rows
 * already holding both are not touched. Single-column keys.
 */
export async function recordWireHashes<T>(
  db: Knex | Knex.Transaction,
  spec: TableSpec<T>,
  hashes: ReadonlyMap<string, string>,
): Promise<void> {
  if (hashes.size === 0) return;
  const key = q(String(spec.key[0]));
  await db.raw(
    `insert into wire_hashes (entity_type, entity_id, wire_hash, content_hash)
     select ?, u.id, u.h, t.content_hash
       from unnest(?::text[], ?::text[]) as u(id, h) join ${q(spec.table)} t on t.${key} = u.id
     on conflict (entity_id, entity_type) do update set wire_hash = excluded.wire_hash, content_hash = excluded.content_hash
      where (wire_hashes.wire_hash, wire_hashes.content_hash) is distinct from (excluded.wire_hash, excluded.content_hash)`,
    [spec.entityType, [...hashes.keys()], [...hashes.values()]],
  );
}
