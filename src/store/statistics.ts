import type { Knex } from 'knex';

/**
 * ANALYZEs those of `tables` whose planner statistics are stale: more rows written since their last analyze than
 * `500 + factor × the rows they held then`. A bulk load is read back seconds later (the sync's lookups, the findings
 * evaluation), long before autovacuum (when it runs at all) gets to it, and a planner that takes a 100,000-row table
 * for empty picks plans that scan it whole for every batch. Returns the tables analyzed. Allowed inside a transaction.
 */
export async function analyzeStale(
  db: Knex | Knex.Transaction,
  tables: readonly string[],
  factor = 0.1,
): Promise<string[]> {
  if (tables.length === 0) return [];
  const r = await db.raw(
    `select s.relname as t
       from pg_stat_user_tables s join pg_class c on c.oid = s.relid
      where s.schemaname = current_schema() and s.relname = any(?::text[])
        and s.n_mod_since_analyze > 500 + ? * greatest(c.reltuples, 0)`,
    [[...tables], factor],
  );
  const stale = (r.rows as Array<{ t: string }>).map((row) => row.t);
  if (stale.length > 0) await db.raw(`analyze ${stale.map((t) => `"${t.replace(/"/g, '""')}"`).join(', ')}`);
  return stale;
}
