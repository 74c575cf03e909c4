/*
 * COPY text format (https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.2) for batches sent from
 * memory: a value per column, the same as json_populate_recordset would make of the value's JSON, at a fraction of
 * the server's parse cost.
 */
import type { Knex } from 'knex';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** A string as a COPY text field: backslash, tab and line breaks escaped. */
export function copyText(v: string): string {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 92 || c === 9 || c === 10 || c === 13) {
      return v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
    }
  }
  return v;
}

function arrayElement(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (Array.isArray(v)) return arrayLiteral(v);
  const s = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return `"${s.replace(/[\\"]/g, '\\$&')}"`;
}

function arrayLiteral(values: readonly unknown[]): string {
  return `{${values.map(arrayElement).join(',')}}`;
}

/**
 * One value as a COPY text field: \N for null, undefined and numbers JSON cannot hold (as JSON.stringify would make
 * them null); arrays as array literals; other objects as their JSON.
 */
export function copyValue(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  switch (typeof v) {
    case 'string':
      return copyText(v);
    case 'number':
      return Number.isFinite(v) ? String(v) : '\\N';
    case 'boolean':
      return v ? 't' : 'f';
    case 'bigint':
      return String(v);
    default:
      if (v instanceof Date) return v.toISOString();
      return copyText(Array.isArray(v) ? arrayLiteral(v) : JSON.stringify(v));
  }
}

/** COPY `lines` (each ending in \n) into `table (columns)` on the transaction's own connection. */
export async function copyLines(
  trx: Knex.Transaction,
  table: string,
  columns: readonly string[],
  lines: string,
): Promise<void> {
  if (lines === '') return;
  const client = trx.client as {
    acquireConnection(): Promise<pg.Client>;
    releaseConnection(c: pg.Client): Promise<void>;
  };
  const conn = await client.acquireConnection();
  try {
    const stream = conn.query(copyFrom(`copy ${table} (${columns.join(', ')}) from stdin`));
    await new Promise<void>((resolve, reject) => {
      stream.on('finish', resolve);
      stream.on('error', reject);
      stream.end(lines);
    });
  } finally {
    await client.releaseConnection(conn);
  }
}
