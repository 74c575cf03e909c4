import type { Knex } from 'knex';

/*
 * The finished-data filter of the analytics views of 20261129000100 (rewritten by 20261204000200): rows last written
 * by a live run are hidden. As NOT EXISTS (select 1 from sync_runs sr where sr.id = X.last_run_id and live) the
 * planner estimates 1 surviving row whenever one run wrote most rows (every first full sync), and joins and
 * aggregates over the views become nested loops: a per-UB aggregate over analytics.kemitraan at 100,000
 * partnerships ran for minutes. The filter becomes the form of 20261204000800: the live runs' ids as an array,
 * computed once per query (an initplan), and coalesce(X.last_run_id, 0) <> all (that array). The rows are the same:
 * a null last_run_id becomes 0, which no run has, and a run whose lease lapsed is not in the array. The coalesce
 * also keeps the estimate: the expression has no statistics, so the planner assumes ~95 % of rows pass; on the bare
 * column, whose statistics say one value, it estimates 1 row again. The views are rewritten from their own
 * definitions (pg_get_viewdef), so their columns, grants and comments stay as they are.
 */

/** The views of 20261129000100 that carry the filter, each exactly once, with the alias of the filtered table. */
const ALIASES: Readonly<Record<string, string>> = {
  pelaku_usaha: 'p',
  proyek: 'pr',
  proyek_lokasi: 'l',
  perizinan: 'z',
  kemitraan: 'm',
  kemitraan_realisasi: 'r',
};
const VIEWS = Object.keys(ALIASES);

/** The anti-join as pg_get_viewdef prints it; the group is the alias of the filtered table. */
const ANTI_JOIN =
  /\(NOT \(EXISTS \( SELECT 1\s+FROM (?:public\.)?sync_runs sr\s+WHERE \(\(sr\.id = (\w+)\.last_run_id\) AND (?:public\.)?sync_run_live\(sr\.status, sr\.heartbeat_at\)\)\)\)\)/g;

/**
 * The array form as pg_get_viewdef prints it; the group is the alias of the filtered table, which Postgres 18 leaves
 * out in a view over one table.
 */
const NOT_LIVE =
  /\(COALESCE\((?:(\w+)\.)?last_run_id, \(0\)::bigint\) <> ALL \(ARRAY\( SELECT sr\.id\s+FROM (?:public\.)?sync_runs sr\s+WHERE (?:public\.)?sync_run_live\(sr\.status, sr\.heartbeat_at\)\)\)\)/g;

/** Any anti-join on sync_runs left in an analytics view after `up`. */
const ANY_ANTI_JOIN = /EXISTS \( SELECT 1\s+FROM (?:public\.)?sync_runs sr/;

const notLive = (alias: string) =>
  `(coalesce(${alias}.last_run_id, 0) <> all (array(select sr.id from public.sync_runs sr where public.sync_run_live(sr.status, sr.heartbeat_at))))`;

const antiJoin = (alias: string) =>
  `(not (exists (select 1 from public.sync_runs sr where sr.id = ${alias}.last_run_id and public.sync_run_live(sr.status, sr.heartbeat_at))))`;

async function viewDefinitions(knex: Knex): Promise<Map<string, string>> {
  const r = await knex.raw(`
    select c.relname as name, pg_get_viewdef(c.oid) as def
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'analytics' and c.relkind = 'v'`);
  return new Map(r.rows.map((v: { name: string; def: string }) => [v.name, v.def]));
}

/** Replaces the one occurrence of `from` in each of VIEWS; refuses a view where it is missing or repeated. */
async function rewrite(knex: Knex, from: RegExp, to: (alias: string) => string): Promise<void> {
  const defs = await viewDefinitions(knex);
  for (const view of VIEWS) {
    const def = defs.get(view);
    if (def === undefined) throw new Error(`analytics.${view} does not exist`);
    const found = def.match(from)?.length ?? 0;
    if (found !== 1)
      throw new Error(`analytics.${view}: expected its finished-data filter once, found ${found} in:\n${def}`);
    const next = def.replace(from, (_match, alias: string | undefined) => to(alias ?? ALIASES[view]!));
    await knex.raw(`create or replace view analytics.${view} as ${next}`);
  }
}

export async function up(knex: Knex): Promise<void> {
  await rewrite(knex, ANTI_JOIN, notLive);
  const left = [...(await viewDefinitions(knex))].filter(([, def]) => ANY_ANTI_JOIN.test(def)).map(([name]) => name);
  if (left.length > 0) throw new Error(`analytics views still filter live runs with an anti-join: ${left.join(', ')}`);
}

export async function down(knex: Knex): Promise<void> {
  await rewrite(knex, NOT_LIVE, antiJoin);
}
