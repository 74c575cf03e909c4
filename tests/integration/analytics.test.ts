// The analyst views are a contract: after a deliberate change (with its migration), accept it with `-u` and commit
// the updated tests/fixtures/analytics-columns.txt.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

interface ColumnRow {
  table_name: string;
  column_name: string;
  ordinal_position: number;
  data_type: string;
  udt_name: string;
}

/** One line per column, grouped by view: what an analyst's query or dashboard is written against. */
function columnListing(rows: readonly ColumnRow[]): string {
  const lines: string[] = [];
  let view = '';
  for (const r of rows) {
    if (r.table_name !== view) {
      view = r.table_name;
      lines.push(`analytics.${view}`);
    }
    // Arrays and domain/enum types say little in data_type alone ("ARRAY"): the element type is in udt_name.
    const type =
      r.data_type === 'ARRAY' || r.data_type === 'USER-DEFINED' ? `${r.data_type} ${r.udt_name}` : r.data_type;
    lines.push(`  ${r.ordinal_position} ${r.column_name} ${type}`);
  }
  return `${lines.join('\n')}\n`;
}

describe('analyst schema', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('analytics');
  });
  afterAll(async () => {
    await t.drop();
  });

  /** Runs one statement as oss_analyst; the SQLSTATE it failed with, or null. */
  async function asAnalyst(sql: string): Promise<string | null> {
    try {
      await t.db.transaction(async (trx) => {
        await trx.raw('set local role oss_analyst');
        await trx.raw(sql);
      });
      return null;
    } catch (err) {
      return (err as { code?: string }).code ?? String(err);
    }
  }

  async function analyticsViews(): Promise<string[]> {
    return t
      .db('information_schema.views')
      .where({ table_schema: 'analytics' })
      .orderBy('table_name')
      .pluck('table_name');
  }

  it('keeps the columns analysts depend on (a change here is deliberate: update the snapshot with the migration)', async () => {
    const rows: ColumnRow[] = await t
      .db('information_schema.columns')
      .where({ table_schema: 'analytics' })
      .select('table_name', 'column_name', 'ordinal_position', 'data_type', 'udt_name')
      .orderBy([{ column: 'table_name' }, { column: 'ordinal_position' }]);
    const relations = await t.db('information_schema.tables').where({ table_schema: 'analytics' }).select('table_type');
    expect(relations.length).toBeGreaterThan(0);
    // The schema holds views only: a table there would be data analysts could see outside the finished-run filter.
    expect(new Set(relations.map((r: { table_type: string }) => r.table_type))).toEqual(new Set(['VIEW']));
    await expect(columnListing(rows)).toMatchFileSnapshot('../fixtures/analytics-columns.txt');
  });

  it('shows no identity number except in masked or hashed form', async () => {
    const rows: Array<Pick<ColumnRow, 'table_name' | 'column_name'>> = await t
      .db('information_schema.columns')
      .where({ table_schema: 'analytics' })
      .select('table_name', 'column_name');
    const exposed = rows
      .map((r) => `${r.table_name}.${r.column_name}`)
      .filter((c) => /\.(nik|no_identitas|identitas)/.test(c) && !/_(masked|hash)$/.test(c));
    expect(exposed).toEqual([]);
  });

  it('lets oss_analyst read every analytics view', async () => {
    const views = await analyticsViews();
    expect(views.length).toBeGreaterThan(0);
    const refused: Array<{ view: string; sqlstate: string }> = [];
    for (const view of views) {
      const sqlstate = await asAnalyst(`select * from analytics.${view} limit 1`);
      if (sqlstate !== null) refused.push({ view, sqlstate });
    }
    expect(refused).toEqual([]);
  });

  it('refuses oss_analyst every table of the public schema (insufficient_privilege)', async () => {
    const tables: string[] = await t
      .db('information_schema.tables')
      .where({ table_schema: 'public' })
      .orderBy('table_name')
      .pluck('table_name');
    expect(tables).toEqual(expect.arrayContaining(['kemitraan', 'pelaku_usaha', 'sync_runs']));
    const outcomes = [];
    for (const table of tables)
      outcomes.push({ table, sqlstate: await asAnalyst(`select 1 from public."${table}" limit 1`) });
    expect(outcomes.filter((o) => o.sqlstate !== '42501')).toEqual([]);
  });
});
