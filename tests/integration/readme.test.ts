/*
 * Every query the README gives analysts runs as they would run it: as the read-only role oss_analyst, on a database
 * synced from the simulator world. The per-rule examples each find their planted case, and the partners per large
 * business count partners without a NIB too.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { makeDeps, sync } from '../helpers/sync.js';

const WORLD_NOW = new Date('2026-11-20T03:00:00Z');
const README = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');

/** The statements of the ```sql blocks of a README section, each with the comment line above it. */
function queriesOf(heading: string): Array<{ label: string; sql: string }> {
  const start = README.indexOf(`${heading}\n`);
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const rest = README.slice(start + heading.length);
  const end = rest.search(/\n#{2,4} /);
  const section = end < 0 ? rest : rest.slice(0, end);
  const out: Array<{ label: string; sql: string }> = [];
  for (const block of section.matchAll(/```sql\n([\s\S]*?)```/g)) {
    let label = '';
    let sql: string[] = [];
    for (const line of (block[1] ?? '').split('\n')) {
      if (line.startsWith('--') && sql.length === 0)
        label = label ? `${label} ${line.slice(2).trim()}` : line.slice(2).trim();
      else if (line.trim()) sql.push(line);
      if (line.trim().endsWith(';')) {
        out.push({ label, sql: sql.join('\n') });
        label = '';
        sql = [];
      }
    }
  }
  return out;
}

describe('the README queries, as oss_analyst', () => {
  let t: TestDatabase;
  let sim: RunningSimulator;
  beforeAll(async () => {
    t = await createTestDatabase('readme');
    sim = await startSimulator({ seed: 71, size: 'tiny', now: WORLD_NOW, faults: { quota: null } });
    expect((await sync(await makeDeps(t, sim.url))).status).toBe('succeeded');
  });
  afterAll(async () => {
    await sim.stop();
    await t.drop();
  });

  const asAnalyst = (sql: string) =>
    t.db.transaction(async (trx) => {
      await trx.raw('set local role oss_analyst');
      return (await trx.raw(sql.replace(/\?/g, '\\?'))).rows as Array<Record<string, unknown>>;
    });

  it('every query of "Analyst queries" runs', async () => {
    const queries = queriesOf('## Analyst queries');
    expect(queries.length).toBeGreaterThanOrEqual(4);
    for (const q of queries) await expect(asAnalyst(q.sql), q.label).resolves.toBeInstanceOf(Array);
  });

  it('the partners per large business count the partners who have only a NIK', async () => {
    const q = queriesOf('## Analyst queries').find((x) => x.label.startsWith('Which large businesses partner'));
    expect(q).toBeDefined();
    const rows = await asAnalyst(q!.sql);
    const total = rows.reduce((n, r) => n + Number(r.umkm), 0);
    // Independently: distinct partners per UB, by NIB or by NIK hash, from the base tables.
    const expected = await t.db.raw(`
      select coalesce(sum(n), 0)::int as n from (
        select nama_ub, count(distinct coalesce(nib_umkm, 'nik:' || nik_umkm_hash)) as n
          from kemitraan where deleted_at is null group by nama_ub) x`);
    expect(total).toBe(expected.rows[0].n);
    const nikOnly = await t.db('kemitraan').whereNull('nib_umkm').whereNotNull('nik_umkm_hash').count({ n: '*' });
    expect(Number(nikOnly[0]?.n)).toBeGreaterThan(0);
  });

  it('each per-rule example query runs and finds its planted case', async () => {
    const queries = queriesOf('#### Example queries, one per rule');
    expect(queries.length).toBeGreaterThanOrEqual(20);
    const empty: string[] = [];
    for (const q of queries) {
      const rows = await asAnalyst(q.sql);
      // Aggregates over nothing still return one row of nulls: count as found only a row with a value.
      const found = rows.some((r) => Object.values(r).some((v) => v !== null && v !== 0 && v !== '0'));
      if (!found) empty.push(q.label);
    }
    expect(empty).toEqual([]);
  });
});
