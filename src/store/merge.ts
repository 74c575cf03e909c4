import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { copyLines, copyText, copyValue } from './copy.js';
import { META_COLUMNS, type TableSpec } from './tables.js';

/** Who is writing: the run and the channel the data came from (list, inquery, push, export). */
export interface WriteContext {
  runId: number;
  source: string;
}

export interface MergeCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

export interface MergeResult extends MergeCounts {
  /** Keys (joined with '|') of the rows inserted or updated. */
  changedKeys: string[];
  /** Keys of the rows that existed and were updated (a subset of changedKeys). */
  updatedKeys: string[];
  historyRows: number;
}

export interface MergeOptions<T> {
  /**
   * Content hash of a row. Parents pass one that covers their children; without it Postgres hashes the row's data
   * columns itself (md5 of the typed row), which costs Node nothing.
   */
  hashOf?: (row: T) => string;
  /** Raw payload per row, stored in raw_records when the row is new or changed. */
  rawOf?: (row: T) => unknown;
}

/** Stable sha1 of a JSON value (object key order as produced by the normalizers, which is fixed). */
export function contentHash(value: unknown): string {
  return createHash('sha1').update(JSON.stringify(value)).digest('hex');
}

const q = (ident: string) => `"${ident.replace(/"/g, '""')}"`;

/** SQL for the '|'-joined key of a row alias, matching keyOf() below. */
export function keySql(spec: TableSpec, alias: string): string {
  return spec.key.length === 1
    ? `${alias}.${q(spec.key[0]!)}::text`
    : `concat_ws('|', ${spec.key.map((k) => `${alias}.${q(k)}`).join(', ')})`;
}

export function keyOf<T>(spec: TableSpec<T>, row: T): string {
  return spec.key.map((k) => String(row[k])).join('|');
}

const statementCache = new Map<string, string>();

/** md5 of a row's data columns, as Postgres types print them: the default content hash. */
function rowHashSql(spec: TableSpec, alias: string): string {
  return `md5(row(${spec.columns.map((c) => `${alias}.${q(c)}`).join(', ')})::text)`;
}

/** The staging tables of a batch: temp, dropped at commit, emptied before each use within one transaction. */
function stagingName(spec: TableSpec): string {
  return q(`stage_${spec.table}`);
}
const RAW_STAGING = 'stage_raw_records';

/** Creates (or empties) the staging table of `spec` and COPYs the rows in, their content hash when given. */
async function stageRows(
  trx: Knex.Transaction,
  spec: TableSpec,
  rows: readonly Record<string, unknown>[],
  withHash: boolean,
): Promise<void> {
  const stage = stagingName(spec);
  const cols = [...spec.columns, 'content_hash'].map(q);
  await trx.raw(
    `create temp table if not exists ${stage} on commit drop as select ${cols.join(', ')} from ${q(spec.table)} with no data;
     truncate ${stage}`,
  );
  const copied = withHash ? cols : cols.slice(0, -1);
  let lines = '';
  for (const row of rows) {
    let line = copyValue(row[String(spec.columns[0])]);
    for (let i = 1; i < spec.columns.length; i++) line += `\t${copyValue(row[String(spec.columns[i])])}`;
    if (withHash) line += `\t${copyValue(row.content_hash)}`;
    lines += `${line}\n`;
  }
  await copyLines(trx, stage, copied, lines);
}

/** Stages raw payloads (entity id, content hash, payload JSON) for the merge's raw_records insert. */
async function stageRaw(
  trx: Knex.Transaction,
  raws: ReadonlyArray<{ entity_id: string; content_hash: string; payload: unknown }>,
): Promise<void> {
  await trx.raw(
    `create temp table if not exists ${RAW_STAGING} (entity_id text, content_hash text, payload json) on commit drop;
     truncate ${RAW_STAGING}`,
  );
  let lines = '';
  for (const r of raws) {
    lines += `${copyText(r.entity_id)}\t${copyText(r.content_hash)}\t${copyText(JSON.stringify(r.payload ?? null))}\n`;
  }
  await copyLines(trx, RAW_STAGING, ['entity_id', 'content_hash', 'payload'], lines);
}

/** Runs `work` in `db` when it is a transaction, else in a new one (staging tables live in one). */
function inTransaction<R>(db: Knex | Knex.Transaction, work: (trx: Knex.Transaction) => Promise<R>): Promise<R> {
  return (db as Knex.Transaction).isTransaction ? work(db as Knex.Transaction) : (db as Knex).transaction(work);
}

function mergeSql(spec: TableSpec): string {
  const cached = statementCache.get(spec.table);
  if (cached) return cached;
  const t = q(spec.table);
  const cols = spec.columns.map(q);
  const join = spec.key.map((k) => `t.${q(k)} = s.${q(k)}`).join(' and ');
  const joinC = spec.key.map((k) => `t.${q(k)} = c.${q(k)}`).join(' and ');
  const firstKey = q(spec.key[0]!);
  const sql = `
    with p as (
      select * from ${stagingName(spec)}
    ),
    s as (
      select ${cols.join(', ')}, coalesce(p.content_hash, ${rowHashSql(spec, 'p')}) as content_hash from p
    ),
    changed as (
      select s.* from s left join ${t} t on ${join}
       where t.${firstKey} is null or t.content_hash is distinct from s.content_hash or t.deleted_at is not null
    ),
    raw as (
      insert into raw_records (entity_type, entity_id, content_hash, payload, source, run_id)
      select ?, r.entity_id, r.content_hash, r.payload, ?, ?
        from ${RAW_STAGING} r
        join changed c on ${keySql(spec, 'c')} = r.entity_id and c.content_hash = r.content_hash
      on conflict do nothing
      returning 1
    ),
    hist as (
      insert into change_history (entity_type, entity_id, field, old_value, new_value, run_id)
      select ?, ${keySql(spec, 'c')}, n.key, to_jsonb(t) -> n.key, n.value, ?
        from changed c join ${t} t on ${joinC}
        cross join lateral jsonb_each(to_jsonb(c) - ?::text[]) n
       where (to_jsonb(t) -> n.key) is distinct from n.value
      returning 1
    ),
    up as (
      insert into ${t} (${cols.join(', ')}, content_hash, source, first_run_id, last_run_id)
      select ${cols.join(', ')}, content_hash, ?, ?, ? from changed
      on conflict (${spec.key.map(q).join(', ')}) do update set
        ${cols.map((c) => `${c} = excluded.${c}`).join(', ')},
        content_hash = excluded.content_hash, source = excluded.source, last_run_id = excluded.last_run_id,
        updated_at = now(), deleted_at = null, deleted_run_id = null
      returning ${keySql(spec, t)} as entity_id, (xmax = 0) as inserted
    )
    select (select count(*) from up where inserted)::int as inserted,
           (select count(*) from up where not inserted)::int as updated,
           (select count(*) from hist)::int as history,
           coalesce((select array_agg(entity_id) from up), '{}') as changed_keys,
           coalesce((select array_agg(entity_id) from up where not inserted), '{}') as updated_keys`;
  statementCache.set(spec.table, sql);
  return sql;
}

/**
 * Merges a batch into an entity table in one statement: rows whose content hash is unchanged are not touched;
 * changed rows get one change_history row per changed field and their raw payload stored; deleted rows come back.
 */
export async function mergeRows<T>(
  db: Knex | Knex.Transaction,
  spec: TableSpec<T>,
  rows: readonly T[],
  ctx: WriteContext,
  opts: MergeOptions<T> = {},
): Promise<MergeResult> {
  if (rows.length === 0)
    return { inserted: 0, updated: 0, unchanged: 0, changedKeys: [], updatedKeys: [], historyRows: 0 };
  // Last occurrence wins: a page may repeat a key, and one statement cannot update a row twice.
  const byKey = new Map<string, T>();
  for (const row of rows) byKey.set(keyOf(spec, row), row);
  const hashes = new Map<string, string>();
  if (opts.hashOf) for (const [key, row] of byKey) hashes.set(key, opts.hashOf(row));
  // Rows whose stored hash already matches are left out before anything is serialized: an unchanged batch costs
  // one indexed lookup. (The statement below compares hashes again, so this is only a shortcut.)
  const candidates =
    opts.hashOf && spec.key.length === 1 ? await withoutUnchanged(db, spec as TableSpec, hashes) : [...byKey.keys()];
  if (candidates.length === 0) {
    return { inserted: 0, updated: 0, unchanged: byKey.size, changedKeys: [], updatedKeys: [], historyRows: 0 };
  }
  const picked: Array<Record<string, unknown>> = [];
  const raws: Array<{ entity_id: string; content_hash: string; payload: unknown }> = [];
  for (const key of candidates) {
    const row = byKey.get(key) as T;
    const data: Record<string, unknown> = row as Record<string, unknown>;
    const hash = hashes.get(key);
    if (hash !== undefined) {
      if (opts.rawOf) raws.push({ entity_id: key, content_hash: hash, payload: opts.rawOf(row) });
    }
    picked.push(hash === undefined ? data : { ...data, content_hash: hash });
  }
  const result = await inTransaction(db, async (trx) => {
    await stageRows(trx, spec as TableSpec, picked, opts.hashOf !== undefined);
    await stageRaw(trx, raws);
    return trx.raw(mergeSql(spec as TableSpec), [
      spec.entityType,
      ctx.source,
      ctx.runId,
      spec.entityType,
      ctx.runId,
      [...META_COLUMNS],
      ctx.source,
      ctx.runId,
      ctx.runId,
    ]);
  });
  const r = result.rows[0] as {
    inserted: number;
    updated: number;
    history: number;
    changed_keys: string[];
    updated_keys: string[];
  };
  return {
    inserted: r.inserted,
    updated: r.updated,
    unchanged: byKey.size - r.inserted - r.updated,
    changedKeys: r.changed_keys,
    updatedKeys: r.updated_keys,
    historyRows: r.history,
  };
}

/** Keys whose stored row is missing, deleted or has another content hash. */
async function withoutUnchanged(
  db: Knex | Knex.Transaction,
  spec: TableSpec,
  hashes: Map<string, string>,
): Promise<string[]> {
  const key = q(spec.key[0]!);
  const stored = await db.raw(
    `select ${key}::text as k, content_hash as h from ${q(spec.table)} where ${key} = any(?::text[]) and deleted_at is null`,
    [[...hashes.keys()]],
  );
  const same = new Set<string>();
  for (const r of stored.rows as Array<{ k: string; h: string }>) if (hashes.get(r.k) === r.h) same.add(r.k);
  return [...hashes.keys()].filter((k) => !same.has(k));
}

/**
 * Inserts rows that cannot exist yet (the children of parents this batch inserted): no comparison, no history.
 * Returns how many were inserted.
 */
export async function insertNewRows<T>(
  db: Knex | Knex.Transaction,
  spec: TableSpec<T>,
  rows: readonly T[],
  ctx: WriteContext,
): Promise<number> {
  if (rows.length === 0) return 0;
  const cols = spec.columns.map(q).join(', ');
  return inTransaction(db, async (trx) => {
    await stageRows(trx, spec as TableSpec, rows as readonly Record<string, unknown>[], false);
    const result = await trx.raw(
      `insert into ${q(spec.table)} (${cols}, content_hash, source, first_run_id, last_run_id)
       select ${cols}, ${rowHashSql(spec as TableSpec, 'p')}, ?, ?, ? from ${stagingName(spec as TableSpec)} p
       on conflict do nothing`,
      [ctx.source, ctx.runId, ctx.runId],
    );
    return result.rowCount ?? 0;
  });
}

/**
 * For child tables replaced as a whole per parent: marks deleted the rows of the given (updated) parents that the
 * new batch no longer holds. Returns how many were marked. New parents have no children to retire: pass only the
 * parents that existed before.
 */
export async function markMissingChildrenDeleted<T>(
  db: Knex | Knex.Transaction,
  spec: TableSpec<T>,
  parentColumn: string,
  parentKeys: readonly string[],
  keptRows: readonly T[],
  ctx: WriteContext,
): Promise<number> {
  if (parentKeys.length === 0) return 0;
  const kept = keptRows.map((r) => keyOf(spec, r));
  const result = await db.raw(
    `update ${q(spec.table)} t set deleted_at = now(), deleted_run_id = ?, last_run_id = ?
      where t.${q(parentColumn)} = any(?::text[]) and t.deleted_at is null
        and ${keySql(spec as TableSpec, 't')} not in (select unnest(?::text[]))`,
    [ctx.runId, ctx.runId, [...parentKeys], kept],
  );
  return result.rowCount ?? 0;
}
