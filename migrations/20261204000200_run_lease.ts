import type { Knex } from 'knex';

/*
 * Run leases: a running run is live only while its process refreshes heartbeat_at (every 5 s; the lease is 30 s,
 * the same as LEASE_SECONDS in src/store/runs.ts). The analytics views hid every row written by a run whose status
 * said 'running', so a killed sync hid its data until the next sync closed the row; they now hide rows of live runs
 * only. The views are rewritten from their own definitions (pg_get_viewdef), so their columns stay exactly as they are.
 */

const RUNNING = `(sr.status = 'running'::text)`;
const LIVE = `public.sync_run_live(sr.status, sr.heartbeat_at)`;

async function analyticsViews(knex: Knex): Promise<Array<{ name: string; def: string }>> {
  const r = await knex.raw(`
    select c.relname as name, pg_get_viewdef(c.oid) as def
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'analytics' and c.relkind = 'v'
     order by c.oid`);
  return r.rows;
}

async function rewrite(knex: Knex, from: string, to: string): Promise<void> {
  for (const v of await analyticsViews(knex)) {
    if (!v.def.includes(from)) continue;
    await knex.raw(`create or replace view analytics.${v.name} as ${v.def.split(from).join(to)}`);
  }
}

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create function public.sync_run_live(status text, heartbeat_at timestamptz) returns boolean
      language sql stable parallel safe
      as $$ select status = 'running' and heartbeat_at >= now() - interval '30 seconds' $$;
    grant execute on function public.sync_run_live(text, timestamptz) to public;`);
  await rewrite(knex, RUNNING, LIVE);
}

export async function down(knex: Knex): Promise<void> {
  await rewrite(knex, `${LIVE.replace('public.', '')}`, RUNNING);
  await rewrite(knex, LIVE, RUNNING);
  await knex.raw('drop function if exists public.sync_run_live(text, timestamptz)');
}
