/*
 * The database side of export imports (the bulk path). Each table an export feeds gets its own connection and
 * transaction (a TargetSession), so the tables load in parallel:
 *   lock the table → read what it holds (key, and the content hash of rows an export wrote) → COPY the new rows
 *   straight in while the file is read → COPY the other rows into a temporary staging table → one merge statement.
 * The import fences and commits its sessions together at the end, or rolls them all back.
 *
 * The importer hands this module records keyed by column name; the COPY text of each line (direct inserts, staging
 * rows, quarantine rows) is written here, in the column order of the table's spec.
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
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Knex } from 'knex';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import type { ValidationIssue } from '../domain/records.js';
import { RunLeaseLostError } from '../errors.js';
import { contentHash } from './merge.js';

export type ExportTable = 'pelaku_usaha' | 'proyek' | 'proyek_lokasi' | 'perizinan';
export type ColumnType = 'text' | 'date' | 'numeric' | 'integer';

/** The columns an export may write, per table, with their types; `key` is the column a record is matched on. */
export const EXPORT_COLUMNS: Readonly<
  Record<ExportTable, { key: string; location?: true; columns: Readonly<Record<string, ColumnType>> }>
> = {
  pelaku_usaha: {
    key: 'nib',
    columns: {
      nib: 'text',
      nama_perseroan: 'text',
      tgl_terbit_nib: 'date',
      status_penanaman_modal: 'text',
      jenis_perseroan: 'text',
      skala_usaha: 'text',
      alamat_perseroan: 'text',
      kelurahan_perseroan: 'text',
      perseroan_daerah_id: 'text',
      kd_kecamatan: 'text',
    },
  },
  proyek: {
    key: 'id_proyek',
    columns: {
      id_proyek: 'text',
      nib: 'text',
      jenis_proyek: 'text',
      skala_resiko: 'text',
      nama_kegiatan: 'text',
      skala_usaha: 'text',
      kbli: 'text',
      sektor: 'text',
      luas_tanah: 'numeric',
      satuan_luas_tanah: 'text',
      jumlah_investasi: 'numeric',
      tgl_pengajuan_proyek: 'date',
      jumlah_tki: 'integer',
    },
  },
  // An export describes a project's main location: matched by id_proyek (see ExportTargetSpec.location).
  proyek_lokasi: {
    key: 'id_proyek',
    location: true,
    columns: { id_proyek: 'text', nib: 'text', alamat_usaha: 'text', proyek_daerah_id: 'text', kd_kecamatan: 'text' },
  },
  perizinan: {
    key: 'id_izin',
    columns: {
      id_izin: 'text',
      nib: 'text',
      id_proyek: 'text',
      tgl_izin: 'date',
      jenis_izin: 'text',
      nama_izin: 'text',
      kewenangan: 'text',
      kd_status: 'text',
      uraian_status: 'text',
    },
  },
};

/** The order import sessions lock tables: the order the API path writes them, so no lock cycle with a push. */
export const LOCK_ORDER: readonly ExportTable[] = ['pelaku_usaha', 'proyek', 'proyek_lokasi', 'perizinan'];

/** A table an export writes: the key it is matched on and the columns the export carries. */
export interface ExportTargetSpec {
  table: ExportTable;
  /** Column matched on; for proyek_lokasi, id_proyek (the export's location is the project's main location). */
  key: string;
  /** proyek_lokasi: matched to the project's main live location, else `${id_proyek}#L1` (the normalizer's rule). */
  location?: boolean;
  /** Columns the export carries (key excluded), in the table's column order. */
  columns: ReadonlyArray<{ name: string; type: ColumnType }>;
}

/** One record of an export for one table: column name → its normalized text (null: no value). */
export type ExportRecord = Readonly<Record<string, string | null>>;

/** The spec of a table for the columns an export carries; throws for a column the table has not. */
export function exportTarget(table: ExportTable, columns: Iterable<string>): ExportTargetSpec {
  const def = EXPORT_COLUMNS[table];
  if (!def) throw new Error(`export: "${table}" is not a table an export can write`);
  const carried = new Set(columns);
  for (const c of carried) {
    if (!Object.hasOwn(def.columns, c)) throw new Error(`export: table ${table} has no column "${c}" an export writes`);
  }
  if (!carried.has(def.key)) throw new Error(`export: nothing fills the key ${table}.${def.key}`);
  return {
    table,
    key: def.key,
    ...(def.location ? { location: true } : {}),
    columns: Object.entries(def.columns)
      .filter(([name]) => name !== def.key && carried.has(name))
      .map(([name, type]) => ({ name, type })),
  };
}

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
function copyText(v: string | null | undefined): string {
  if (v === null || v === undefined) return '\\N';
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

/** Columns of the direct COPY, in the order insertLine writes them. */
function insertColumns(spec: ExportTargetSpec): string[] {
  const data = [spec.key, ...spec.columns.map((c) => c.name)];
  const cols = spec.location ? ['id_proyek_lokasi', ...data] : data;
  return [...cols, 'content_hash', 'source', 'source_date', 'first_run_id', 'last_run_id'];
}

/** The key and data columns of a record as COPY text (key first, then the spec's columns). */
function dataText(spec: ExportTargetSpec, record: ExportRecord): string {
  let line = copyText(record[spec.key]);
  for (const c of spec.columns) line += `\t${copyText(record[c.name])}`;
  return line;
}

/** Suffix of a location an export creates: `${id_proyek}#L1`, the id normalize/ gives a location OSS sent without one. */
const LOCATION_SUFFIX = '#L1';

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

/** Buffered text is sent to the direct COPY in pieces of about this size. */
const FLUSH_CHARS = 64 * 1024;

/** One table's connection and transaction during an import. */
export class TargetSession {
  private copy: (Writable & { rowCount: number }) | null = null;
  private copyFailed: Error | null = null;
  private copyEnded = false;
  private pending: string[] = [];
  private pendingChars = 0;
  private readonly metaTail: string;
  /** Records queued for the direct COPY. */
  queued = 0;

  private constructor(
    readonly spec: ExportTargetSpec,
    private readonly client: pg.Client,
    private readonly ctx: ExportWriteContext,
  ) {
    this.metaTail = `\texport\t${ctx.snapshotDate}\t${ctx.runId}\t${ctx.runId}\n`;
  }

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
   * hash when an export wrote the live row, else \N. Keys are COPY text (unescapeCopy decodes one).
   */
  async readKnown(onChunk: (chunk: Buffer) => void): Promise<void> {
    const tk = this.spec.location ? 'id_proyek' : this.spec.key;
    const sql = `copy (select ${q(tk)}, case when source = 'export' and deleted_at is null then content_hash end
                         from ${q(this.spec.table)}) to stdout`;
    const stream = this.client.query(copyTo(sql));
    for await (const chunk of stream as AsyncIterable<Buffer>) onChunk(chunk);
  }

  /** Queues a record with a new key for the direct COPY (sent by flush). */
  insert(record: ExportRecord, hash: string): void {
    const data = dataText(this.spec, record);
    const line = this.spec.location
      ? `${copyText(`${record[this.spec.key]}${LOCATION_SUFFIX}`)}\t${data}\t${hash}${this.metaTail}`
      : `${data}\t${hash}${this.metaTail}`;
    this.pending.push(line);
    this.pendingChars += line.length;
    this.queued++;
  }

  /** Sends the queued records to the direct COPY once there are enough (all of them with `force`). */
  async flush(force = false): Promise<void> {
    if (this.pending.length === 0 || (!force && this.pendingChars < FLUSH_CHARS)) return;
    const text = this.pending.join('');
    this.pending = [];
    this.pendingChars = 0;
    const copy = this.startCopy();
    if (this.copyFailed) throw this.copyFailed;
    if (!copy.write(text)) await settle(copy, 'drain');
  }

  private startCopy(): Writable & { rowCount: number } {
    if (this.copy) return this.copy;
    const sql = `copy ${q(this.spec.table)} (${insertColumns(this.spec).map(q).join(', ')}) from stdin`;
    const copy = this.client.query(copyFrom(sql));
    copy.on('error', (err: Error) => {
      this.copyFailed = err;
    });
    this.copy = copy;
    return copy;
  }

  /** Ends the direct COPY; throws unless the database loaded every record queued. */
  async endInserts(): Promise<void> {
    await this.flush(true);
    if (!this.copy) return;
    if (this.copyFailed) throw this.copyFailed;
    const finished = settle(this.copy, 'finish');
    this.copy.end();
    await finished;
    this.copyEnded = true;
    if (this.copy.rowCount !== this.queued) {
      throw new Error(`import: ${this.spec.table}: ${this.copy.rowCount} rows copied, ${this.queued} sent`);
    }
  }

  /** A staging line of a record for merge(): row number, content hash, key, columns. */
  stagingLine(rowNumber: number, hash: string, record: ExportRecord): string {
    return `${rowNumber}\t${hash}\t${dataText(this.spec, record)}\n`;
  }

  /** Loads a file of staging lines into a temporary table and merges it in one statement. */
  async merge(stagingPath: string): Promise<TargetMergeCounts> {
    const staging = q(`stage_${this.spec.table}`);
    await this.client.query(
      `create temp table ${staging} (row_no bigint, h text, ${q(this.spec.key)} text, ${this.spec.columns
        .map((c) => `${q(c.name)} ${PG_TYPE[c.type]}`)
        .join(', ')}) on commit drop`,
    );
    await pipeline(createReadStream(stagingPath), this.client.query(copyFrom(`copy ${staging} from stdin`)));
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

  /** NIBs this import inserted into pelaku_usaha ("first seen in an export") go to the inqueryNIB queue. */
  async queueNewNibs(reason: string): Promise<number> {
    const r = await this.client.query(
      `insert into nib_queue (nib, reason)
       select nib, $2 from pelaku_usaha where first_run_id = $1 and source = 'export' and nib ~ '^[0-9]{13}$'
       on conflict (nib) do nothing`,
      [this.ctx.runId, reason],
    );
    return r.rowCount ?? 0;
  }

  /**
   * Quarantines rejected rows from a file of quarantineLine()s. The same row rejected again is not stored twice.
   * Returns the entries written.
   */
  async quarantine(stream: string, linesPath: string): Promise<number> {
    await this.client.query(
      `create temp table stage_quarantine (entity_id text, location jsonb, payload jsonb, payload_hash text, issues jsonb)
       on commit drop`,
    );
    await pipeline(createReadStream(linesPath), this.client.query(copyFrom('copy stage_quarantine from stdin')));
    const r = await this.client.query(
      `insert into quarantine (stream, source, entity_id, location, payload, payload_hash, issues, first_run_id)
       select $1, 'export', entity_id, location, payload, payload_hash, issues, $2 from stage_quarantine
       on conflict (stream, payload_hash) do nothing`,
      [stream, this.ctx.runId],
    );
    return r.rowCount ?? 0;
  }

  /** Closes open quarantine entries of records this import stored valid. */
  async resolveQuarantine(stream: string): Promise<number> {
    const r = await this.client.query(
      `update quarantine qu set resolved_at = now(), resolved_run_id = $2
        where qu.stream = $1 and qu.resolved_at is null
          and exists (select 1 from ${q(this.spec.table)} t where t.${q(this.spec.key)} = qu.entity_id and t.last_run_id = $2)`,
      [stream, this.ctx.runId],
    );
    return r.rowCount ?? 0;
  }

  /**
   * The run's fence (the check fenceRun makes for a knex transaction): holds the run row FOR SHARE until this
   * session commits, so nobody can close the run meanwhile; throws RunLeaseLostError when it was closed already.
   */
  async fence(): Promise<void> {
    const r = await this.client.query('select status from sync_runs where id = $1 for share', [this.ctx.runId]);
    if (r.rows[0]?.status !== 'running') throw new RunLeaseLostError(this.ctx.runId);
  }

  async commit(): Promise<void> {
    await this.client.query('commit');
  }

  /** Abandons the COPY in flight (the server discards it) and rolls back. */
  async rollback(): Promise<void> {
    if (this.copy && !this.copyEnded && !this.copy.destroyed) this.copy.destroy(new Error('import abandoned'));
    await this.client.query('rollback').catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}

/** Where a rejected export row is: file, sheet (xlsx), row (csv: line) and the column of its first problem. */
export interface ExportRowLocation {
  file: string;
  sheet: string | null;
  row: number;
  column: string | null;
}

/** A quarantine line of a rejected export row (payload: its cells by header). */
export function quarantineLine(
  entityId: string | null,
  location: ExportRowLocation,
  payload: Readonly<Record<string, string>>,
  issues: readonly ValidationIssue[],
): string {
  // The same hash as the API path's quarantine: entity id and payload.
  const hash = contentHash([entityId, payload]);
  return `${copyText(entityId)}\t${copyText(JSON.stringify(location))}\t${copyText(JSON.stringify(payload))}\t${hash}\t${copyText(JSON.stringify(issues))}\n`;
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
