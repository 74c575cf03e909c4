/*
 * The database side of export imports (the bulk path). Each table an export feeds gets its own connection and
 * transaction (a TargetSession), so the tables load in parallel:
 *   lock the table → read what it holds (key, and the content hash of rows an export wrote) → COPY the new rows
 *   straight in while the file is read → COPY the other rows into a temporary staging table → one merge statement.
 * The import commits its sessions together at the end, or rolls them all back.
 *
 * Merge rules (one set-based statement per table):
 * - a new key is inserted (source 'export', source_date = the snapshot date);
 * - an existing row changes only where the export carries a value (a blank cell never erases) that differs, and
 *   only if the export is not older than the row ("as of": source_date, else the day of updated_at, and never before
 *   a deletion); an older export may still fill a value the row lacks;
 * - changed values get one change_history row each, field_sources says which values came from which source;
 * - a deleted row comes back only when the export is at least as new as its deletion.
 */
import { createReadStream } from 'node:fs';
import { hostname } from 'node:os';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Knex } from 'knex';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { SyncAlreadyRunningError } from '../errors.js';
import type { StreamCounts, StreamOutcome } from './runs.js';

export type ExportTable = 'pelaku_usaha' | 'proyek' | 'proyek_lokasi' | 'perizinan';
export type ColumnType = 'text' | 'date' | 'numeric' | 'integer';

/** A table an export writes: the key it is matched on and the columns the export carries. */
export interface ExportTargetSpec {
  table: ExportTable;
  /** Column matched on; for proyek_lokasi, id_proyek (the export's location is the project's main location). */
  key: string;
  /** proyek_lokasi: matched to the project's main live location, else `${id_proyek}#L1` (the normalizer's rule). */
  location?: boolean;
  /** Columns the export carries (key excluded), in the order the import sends them. */
  columns: ReadonlyArray<{ name: string; type: ColumnType }>;
}

/** The order import sessions lock tables: the order the API path writes them, so no lock cycle with a push. */
export const LOCK_ORDER: readonly ExportTable[] = ['pelaku_usaha', 'proyek', 'proyek_lokasi', 'perizinan'];

export interface ExportWriteContext {
  runId: number;
  /** The export's snapshot date, 'YYYY-MM-DD'. */
  snapshotDate: string;
}

export interface TargetMergeCounts {
  inserted: number;
  updated: number;
  unchanged: number;
  /** Rows that differ but are older than what is stored (nothing overwritten). */
  older: number;
  /** Distinct keys merged. */
  keys: number;
  /** change_history rows written. */
  history: number;
}

const q = (ident: string) => `"${ident.replace(/"/g, '""')}"`;

/** COPY text format of one value: \N for null; backslash, tab and line breaks escaped. */
export function copyText(v: string | null): string {
  if (v === null) return '\\N';
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 92 || c === 9 || c === 10 || c === 13) {
      return v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
    }
  }
  return v;
}

/** A value of COPY text output: \N → null, escapes undone. */
export function unescapeCopy(v: string): string | null {
  if (v === '\\N') return null;
  if (!v.includes('\\')) return v;
  return v.replace(/\\(.)/g, (_, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : c));
}

/** The column the target rows are keyed on in the table (id_proyek_lokasi for locations). */
function tableKey(spec: ExportTargetSpec): string {
  return spec.location ? 'id_proyek_lokasi' : spec.key;
}

/** Columns of the direct COPY, in the order the import writes a new row. */
export function insertColumns(spec: ExportTargetSpec): string[] {
  const data = [spec.key, ...spec.columns.map((c) => c.name)];
  const cols = spec.location ? ['id_proyek_lokasi', ...data] : data;
  return [...cols, 'content_hash', 'source', 'source_date', 'first_run_id', 'last_run_id'];
}

/** Suffix of a location an export creates: `${id_proyek}#L1`, the id normalize/ gives a location OSS sent without one. */
export const LOCATION_SUFFIX = '#L1';

const PG_TYPE: Record<ColumnType, string> = { text: 'text', date: 'date', numeric: 'numeric', integer: 'integer' };

function mergeSql(spec: ExportTargetSpec, staging: string): string {
  const t = q(spec.table);
  const key = q(spec.key);
  const tk = q(tableKey(spec));
  const cols = spec.columns.map((c) => c.name).filter((c) => c !== spec.key);
  const asOf = `greatest(coalesce(t.source_date, (t.updated_at at time zone 'Asia/Jakarta')::date),
                         (t.deleted_at at time zone 'Asia/Jakarta')::date)`;
  const resolve = spec.location
    ? `loc as (
         select distinct on (l.id_proyek) l.id_proyek, l.id_proyek_lokasi
           from proyek_lokasi l join s0 on s0.id_proyek = l.id_proyek
          where l.deleted_at is null
          order by l.id_proyek, coalesce(l.status_lokasi = '01', false) desc, l.id_proyek_lokasi
       ),
       s as (
         select s0.*, coalesce(loc.id_proyek_lokasi, s0.id_proyek || '${LOCATION_SUFFIX}') as id_proyek_lokasi
           from s0 left join loc on loc.id_proyek = s0.id_proyek
       ),`
    : 's as (select * from s0),';
  const changed = cols.map(
    (c) => `(j.${q(c)} is not null and j.${q(c)} is distinct from j.${q(`o_${c}`)}
             and (not j.was_deleted or j.as_of <= j.snap) and (j.as_of <= j.snap or j.${q(`o_${c}`)} is null)) as ${q(`c_${c}`)},
            (j.${q(c)} is not null and j.${q(c)} is distinct from j.${q(`o_${c}`)}) as ${q(`d_${c}`)}`,
  );
  const anyChanged = cols.map((c) => `c.${q(`c_${c}`)}`).join(' or ') || 'false';
  const anyDiff = cols.map((c) => `c.${q(`d_${c}`)}`).join(' or ') || 'false';
  const allApplied = cols.map((c) => `(d.${q(`c_${c}`)} or not d.${q(`d_${c}`)})`).join(' and ') || 'true';
  const insertCols = spec.location ? ['id_proyek_lokasi', spec.key, ...cols] : [spec.key, ...cols];
  return `
    with s0 as (select distinct on (${key}) * from ${staging} order by ${key}, row_no desc),
    ${resolve}
    j as (
      select s.*, t.${tk} is not null as found, coalesce(t.deleted_at is not null, false) as was_deleted,
             ${asOf} as as_of, $2::date as snap, t.source as t_source, t.field_sources as t_fs,
             ${cols.map((c) => `t.${q(c)} as ${q(`o_${c}`)}`).join(', ')}
        from s left join ${t} t on t.${tk} = s.${tk}
    ),
    c as (select j.*, ${changed.join(',\n')} from j),
    d as (
      select c.*, case
        when not c.found then 'insert'
        when c.was_deleted and c.as_of <= c.snap then 'update'
        when not c.was_deleted and (${anyChanged}) then 'update'
        when c.was_deleted or ${anyDiff} then 'older'
        else 'unchanged' end as action,
        array_remove(array[${cols.map((c) => `case when ${q(`c_${c}`)} then '${c}' end`).join(', ')}]::text[], null) as changed_cols
        from c
    ),
    ins as (
      insert into ${t} (${insertCols.map(q).join(', ')}, content_hash, source, source_date, first_run_id, last_run_id)
      select ${insertCols.map((c) => `d.${q(c)}`).join(', ')}, d.h, 'export', $2::date, $1, $1 from d where d.action = 'insert'
      on conflict (${tk}) do nothing
      returning 1
    ),
    hist as (
      insert into change_history (entity_type, entity_id, field, old_value, new_value, run_id)
      select '${spec.table}', d.${tk}, f.field, f.old_value, f.new_value, $1
        from d cross join lateral (values ${cols
          .map((c) => `('${c}', to_jsonb(d.${q(`o_${c}`)}), to_jsonb(d.${q(c)}), d.${q(`c_${c}`)})`)
          .join(', ')}) f(field, old_value, new_value, is_changed)
       where d.action = 'update' and f.is_changed
      returning 1
    ),
    upd as (
      update ${t} t set
        ${cols.map((c) => `${q(c)} = case when d.${q(`c_${c}`)} then d.${q(c)} else t.${q(c)} end`).join(',\n        ')},
        -- The export's content hash only when every value it carries is now stored; after a partial write (an older
        -- snapshot filling gaps) the row must not look equal to this export's content next time.
        content_hash = case when ${allApplied} then d.h else t.content_hash end,
        source = 'export', source_date = greatest(d.as_of, d.snap),
        field_sources = export_merged_field_sources(d.t_fs, d.t_source || '@' || d.as_of::text, d.changed_cols,
                                                    'export@' || d.snap::text, 'export@' || greatest(d.as_of, d.snap)::text),
        last_run_id = $1, updated_at = now(), deleted_at = null, deleted_run_id = null
        from d where d.action = 'update' and t.${tk} = d.${tk}
      returning 1
    )
    select (select count(*) from ins)::int as inserted, (select count(*) from upd)::int as updated,
           (select count(*) from d where action = 'unchanged')::int as unchanged,
           (select count(*) from d where action = 'older')::int as older,
           (select count(*) from d where action = 'insert')::int - (select count(*) from ins)::int as lost,
           (select count(*) from d)::int as keys, (select count(*) from hist)::int as history`;
}

/** Where the COPY of a table's rows stands (errors are kept until the import asks). */
export interface CopySink {
  /** Writes text; resolves when the stream can take more. */
  write(text: string): Promise<void>;
  /** Ends the COPY; resolves with the number of rows loaded. */
  end(): Promise<number>;
  /** Abandons the COPY (the server discards it), so the connection can roll back. */
  abort(): void;
}

/** Resolves on `event`, rejects on 'error', and leaves no listener behind. */
function settle(stream: Writable, event: 'drain' | 'finish'): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      stream.off(event, onEvent);
      stream.off('error', onError);
    };
    const onEvent = () => {
      done();
      resolve();
    };
    const onError = (err: Error) => {
      done();
      reject(err);
    };
    stream.on(event, onEvent);
    stream.on('error', onError);
  });
}

function copySink(stream: Writable & { rowCount: number }): CopySink {
  let failed: Error | null = null;
  let ended = false;
  stream.on('error', (err: Error) => {
    failed = err;
  });
  return {
    async write(text) {
      if (failed) throw failed;
      if (!stream.write(text)) await settle(stream, 'drain');
    },
    async end() {
      if (failed) throw failed;
      const finished = settle(stream, 'finish');
      stream.end();
      await finished;
      ended = true;
      return stream.rowCount;
    },
    abort() {
      if (!ended && !stream.destroyed) stream.destroy(new Error('import abandoned'));
    },
  };
}

/** One table's connection and transaction during an import. */
export class TargetSession {
  private constructor(
    readonly spec: ExportTargetSpec,
    readonly client: pg.Client,
    private readonly ctx: ExportWriteContext,
  ) {}

  /** Connects and begins; the transaction stays open until commit() or rollback(). */
  static async open(databaseUrl: string, spec: ExportTargetSpec, ctx: ExportWriteContext): Promise<TargetSession> {
    const client = new pg.Client({ connectionString: databaseUrl, application_name: `oss-sync import ${spec.table}` });
    await client.connect();
    client.on('error', () => {
      // A dropped connection fails the statement in flight, which ends the import.
    });
    try {
      await client.query('begin');
      await client.query(`set local work_mem = '64MB'`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    return new TargetSession(spec, client, ctx);
  }

  /** Locks the table against other writers (readers go on) until the end of the import. */
  async lock(timeoutMs: number): Promise<void> {
    await this.client.query(`set local lock_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
    await this.client.query(`lock table ${q(this.spec.table)} in share row exclusive mode`);
    await this.client.query('set local lock_timeout = 0');
  }

  /**
   * Streams what the table holds, as COPY text lines "key<TAB>hash": per key (for locations: per project) the content
   * hash when an export wrote the live row, else \N.
   */
  async readKnown(onChunk: (chunk: Buffer) => void): Promise<void> {
    const tk = this.spec.location ? 'id_proyek' : this.spec.key;
    const sql = `copy (select ${q(tk)}, case when source = 'export' and deleted_at is null then content_hash end
                         from ${q(this.spec.table)}) to stdout`;
    const stream = this.client.query(copyTo(sql));
    for await (const chunk of stream as AsyncIterable<Buffer>) onChunk(chunk);
  }

  /** Starts the direct COPY of new rows (insertColumns order). */
  startInserts(): CopySink {
    const sql = `copy ${q(this.spec.table)} (${insertColumns(this.spec).map(q).join(', ')}) from stdin`;
    return copySink(this.client.query(copyFrom(sql)));
  }

  /** Meta columns that end each direct-COPY line (content hash, source, snapshot, run ids). */
  metaSuffix(contentHash: string): string {
    return `\t${contentHash}\texport\t${this.ctx.snapshotDate}\t${this.ctx.runId}\t${this.ctx.runId}\n`;
  }

  /**
   * Loads a spool of rows to merge (lines: row_no, content hash, key, columns…) into a staging table and merges it
   * in one statement.
   */
  async merge(spoolPath: string): Promise<TargetMergeCounts> {
    const staging = q(`stage_${this.spec.table}`);
    const cols = this.spec.columns.filter((c) => c.name !== this.spec.key);
    await this.client.query(
      `create temp table ${staging} (row_no bigint, h text, ${q(this.spec.key)} text, ${cols
        .map((c) => `${q(c.name)} ${PG_TYPE[c.type]}`)
        .join(', ')}) on commit drop`,
    );
    await pipeline(createReadStream(spoolPath), this.client.query(copyFrom(`copy ${staging} from stdin`)));
    await this.client.query(`analyze ${staging}`);
    const r = await this.client.query(mergeSql(this.spec, staging), [this.ctx.runId, this.ctx.snapshotDate]);
    const row = r.rows[0] as TargetMergeCounts & { lost: number };
    if (row.lost > 0) throw new Error(`import: ${row.lost} ${this.spec.table} rows appeared during the merge`);
    return {
      inserted: row.inserted,
      updated: row.updated,
      unchanged: row.unchanged,
      older: row.older,
      keys: row.keys,
      history: row.history,
    };
  }

  async commit(): Promise<void> {
    await this.client.query('commit');
  }

  async rollback(): Promise<void> {
    await this.client.query('rollback').catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}

/** NIBs an import inserted into pelaku_usaha ("first seen in an export") go to the inqueryNIB queue. */
export async function queueNewExportNibs(client: pg.Client, runId: number, reason: string): Promise<number> {
  const r = await client.query(
    `insert into nib_queue (nib, reason)
     select nib, $2 from pelaku_usaha where first_run_id = $1 and source = 'export' and nib ~ '^[0-9]{13}$'
     on conflict (nib) do nothing`,
    [runId, reason],
  );
  return r.rowCount ?? 0;
}

/**
 * Quarantines rejected export rows from a spool (lines: entity_id, location, payload, payload_hash, issues as
 * COPY text, the last four JSON). The same row rejected again is not stored twice. Returns rows written.
 */
export async function quarantineExportRows(
  client: pg.Client,
  stream: string,
  spoolPath: string,
  runId: number,
): Promise<number> {
  await client.query(
    `create temp table stage_quarantine (entity_id text, location jsonb, payload jsonb, payload_hash text, issues jsonb)
     on commit drop`,
  );
  await pipeline(createReadStream(spoolPath), client.query(copyFrom('copy stage_quarantine from stdin')));
  const r = await client.query(
    `insert into quarantine (stream, source, entity_id, location, payload, payload_hash, issues, first_run_id)
     select $1, 'export', entity_id, location, payload, payload_hash, issues, $2 from stage_quarantine
     on conflict (stream, payload_hash) do nothing`,
    [stream, runId],
  );
  return r.rowCount ?? 0;
}

/** Closes open quarantine entries of records this import stored valid. */
export async function resolveExportQuarantine(
  client: pg.Client,
  stream: string,
  spec: ExportTargetSpec,
  runId: number,
): Promise<number> {
  const r = await client.query(
    `update quarantine qu set resolved_at = now(), resolved_run_id = $2
      where qu.stream = $1 and qu.resolved_at is null
        and exists (select 1 from ${q(spec.table)} t where t.${q(spec.key)} = qu.entity_id and t.last_run_id = $2)`,
    [stream, runId],
  );
  return r.rowCount ?? 0;
}

/** What an import run records about its file in sync_runs.scope.import. */
export interface ImportRunInfo {
  file: string;
  path: string;
  format: string;
  bytes: number;
  sha256: string | null;
  export_type: string | null;
  sheet: string | null;
  snapshot_date: string | null;
  snapshot_from: string | null;
}

const UNIQUE_VIOLATION = '23505';

/** Starts an import run (trigger 'import'); the one-running-run index refuses it while a sync runs. */
export async function createImportRun(
  db: Knex,
  run: { requestedBy: string | null; reason: string | null; info: ImportRunInfo },
): Promise<number> {
  try {
    const [row] = await db('sync_runs')
      .insert({
        trigger: 'import',
        requested_by: run.requestedBy,
        reason: run.reason,
        scope: JSON.stringify({ streams: [], full: false, dryRun: false, import: run.info }),
        host: hostname(),
        pid: process.pid,
      })
      .returning('id');
    return Number(row.id);
  } catch (err) {
    if ((err as { code?: string }).code === UNIQUE_VIOLATION) {
      const running = await db('sync_runs').where({ status: 'running' }).first('id');
      throw new SyncAlreadyRunningError(running ? String(running.id) : null);
    }
    throw err;
  }
}

/** Ends an import run with its counts (per table, in the StreamCounts shape `status` reads) and file details. */
export async function finishImportRun(
  db: Knex,
  runId: number,
  status: 'succeeded' | 'failed',
  outcomes: Record<string, StreamOutcome>,
  info: ImportRunInfo,
  error: string | null,
): Promise<void> {
  const counts: Record<string, StreamCounts> = Object.fromEntries(
    Object.entries(outcomes).map(([k, v]) => [k, v.counts]),
  );
  await db('sync_runs')
    .where({ id: runId })
    .update({
      status,
      finished_at: db.fn.now(),
      heartbeat_at: db.fn.now(),
      streams: JSON.stringify(outcomes),
      counts: JSON.stringify(counts),
      scope: JSON.stringify({ streams: [], full: false, dryRun: false, import: info }),
      error,
    });
}

/** Earlier successful imports of the same file content (by sha256), newest first. */
export async function earlierImportsOf(db: Knex, sha256: string, exceptRunId: number): Promise<number[]> {
  const rows = await db('sync_runs')
    .where({ trigger: 'import', status: 'succeeded' })
    .whereRaw(`scope->'import'->>'sha256' = ?`, [sha256])
    .whereNot({ id: exceptRunId })
    .orderBy('id', 'desc')
    .limit(5)
    .pluck('id');
  return rows.map(Number);
}
