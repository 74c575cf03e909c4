/*
 * The finished-data filter of the analytics views (rows last written by a live run are hidden) and what the planner
 * makes of it. After a first full sync one run wrote every row; a filter the planner estimates at ~1 row there turns
 * every join or aggregate over the views into nested loops (minutes at 100,000 partnerships). The estimate of each
 * view must stay near its real size, and the filter must hide exactly what it hid before: rows of a running run with
 * a fresh heartbeat, not those of a run whose lease has lapsed.
 */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { down, up } from '../../migrations/20261204001000_analytics_live_filter.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { makeDeps, sync } from '../helpers/sync.js';

/** Each view with the finished-data filter, its base table and the key that names one of its rows. */
const FILTERED = [
  { view: 'pelaku_usaha', table: 'pelaku_usaha', key: 'nib' },
  { view: 'proyek', table: 'proyek', key: 'id_proyek' },
  { view: 'proyek_lokasi', table: 'proyek_lokasi', key: 'id_proyek_lokasi' },
  { view: 'perizinan', table: 'perizinan', key: 'id_izin' },
  { view: 'kemitraan', table: 'kemitraan', key: 'id_kemitraan' },
  { view: 'kemitraan_realisasi', table: 'kemitraan_realisasi', key: "id_kemitraan || '/' || tahun || '/' || triwulan" },
] as const;

/** Rows the planner expects `select * from analytics.<view>` to return. */
async function estimatedRows(db: Knex, view: string): Promise<number> {
  const r = await db.raw(`explain (format json) select * from analytics.${view}`);
  return r.rows[0]['QUERY PLAN'][0].Plan['Plan Rows'];
}

/** Each analytics view's definition, with its comment and its columns' comments. */
async function analyticsViews(db: Knex): Promise<Array<{ name: string; def: string; comments: string[] }>> {
  const r = await db.raw(`
    select c.relname as name, pg_get_viewdef(c.oid) as def,
           array(select coalesce(a.attname, '') || ': ' || d.description
                   from pg_description d left join pg_attribute a on a.attrelid = d.objoid and a.attnum = d.objsubid
                  where d.objoid = c.oid and d.classoid = 'pg_class'::regclass order by d.objsubid) as comments
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'analytics' and c.relkind = 'v'
     order by c.relname`);
  return r.rows;
}

async function keysOf(db: Knex, relation: string, key: string): Promise<string[]> {
  const r = await db.raw(`select ${key} as key from ${relation} order by 1`);
  return r.rows.map((row: { key: string }) => row.key);
}

describe('the finished-data filter of the analytics views', () => {
  let t: TestDatabase;
  let sim: RunningSimulator;
  let syncRunId: number;

  beforeAll(async () => {
    t = await createTestDatabase('analytics_plan');
    sim = await startSimulator({
      seed: 83,
      size: 'tiny',
      now: new Date('2026-11-20T03:00:00Z'),
      faults: { quota: null },
    });
    const result = await sync(await makeDeps(t, sim.url));
    expect(result.status).toBe('succeeded');
    syncRunId = result.runId;
    // What autovacuum does soon after a first sync: statistics in which one run wrote every row.
    await t.db.raw('analyze');
  });
  afterAll(async () => {
    await sim?.stop();
    await t?.drop();
  });

  it('is a world where one finished run wrote every row', async () => {
    for (const { table } of FILTERED) {
      const runs = await t.db(table).distinct('last_run_id').pluck('last_run_id');
      expect({ table, runs: runs.map(Number) }).toEqual({ table, runs: [syncRunId] });
    }
  });

  it.each(FILTERED)('estimates analytics.$view at no less than half its real row count', async ({ view }) => {
    const [{ n }] = (await t.db.raw(`select count(*)::int as n from analytics.${view}`)).rows;
    expect(n).toBeGreaterThan(10);
    expect(await estimatedRows(t.db, view)).toBeGreaterThanOrEqual(n / 2);
  });

  it.each(FILTERED)(
    'hides the rows of analytics.$view last written by a live run, and shows them once its lease lapses',
    async ({ view, table, key }) => {
      const all = await keysOf(t.db, `analytics.${view}`, key);
      await t.db
        .transaction(async (trx) => {
          const [live] = await trx('sync_runs')
            .insert({ trigger: 'manual', status: 'running', requested_by: 'test', heartbeat_at: trx.fn.now() })
            .returning('id');
          const written = all.slice(0, 3);
          await trx.raw(`update ${table} set last_run_id = ? where ${key} = any(?)`, [live.id, written]);
          // A row no run claims (an import before run tracking, a hand fix) is finished data too.
          await trx.raw(`update ${table} set last_run_id = null where ${key} = any(?)`, [all.slice(3, 4)]);

          expect(await keysOf(trx, `analytics.${view}`, key)).toEqual(all.filter((k) => !written.includes(k)));

          await trx('sync_runs')
            .where({ id: live.id })
            .update({ heartbeat_at: trx.raw(`now() - interval '31 seconds'`) });
          expect(await keysOf(trx, `analytics.${view}`, key)).toEqual(all);

          await trx('sync_runs').where({ id: live.id }).update({ status: 'failed', heartbeat_at: trx.fn.now() });
          expect(await keysOf(trx, `analytics.${view}`, key)).toEqual(all);
          throw new RolledBack();
        })
        .catch((err: unknown) => {
          if (!(err instanceof RolledBack)) throw err;
        });
    },
  );

  it("filters by the live runs' ids as an array; its down migration restores the anti-join, comments unchanged", async () => {
    const before = await analyticsViews(t.db);
    const filtered = before.filter((v) => FILTERED.some((f) => f.view === v.name));
    expect(filtered.map((v) => v.name)).toHaveLength(FILTERED.length);
    for (const v of filtered) {
      expect(v.def).toMatch(/<> ALL \(ARRAY\( SELECT sr\.id\s+FROM sync_runs sr\s+WHERE sync_run_live\(/);
      expect(v.def).not.toMatch(/EXISTS/);
      expect(v.comments.length).toBeGreaterThan(1);
    }

    await t.db.transaction(async (trx) => {
      await down(trx);
      const old = await analyticsViews(trx);
      for (const v of old.filter((o) => FILTERED.some((f) => f.view === o.name))) {
        expect(v.def).toMatch(
          /WHERE \(\(sr\.id = \w+\.last_run_id\) AND sync_run_live\(sr\.status, sr\.heartbeat_at\)\)/,
        );
        expect(v.def).not.toMatch(/ARRAY/);
      }
      expect(old.map((v) => ({ name: v.name, comments: v.comments }))).toEqual(
        before.map((v) => ({ name: v.name, comments: v.comments })),
      );
      await up(trx);
    });
    expect(await analyticsViews(t.db)).toEqual(before);
  });
});

class RolledBack extends Error {}
