import type { Knex } from 'knex';

/*
 * Raw payloads are written once and read rarely: lz4 compresses them several times faster than the default pglz.
 * Servers built without lz4 keep pglz.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    do $$ begin
      alter table raw_records alter column payload set compression lz4;
      alter table quarantine alter column payload set compression lz4;
    exception when feature_not_supported or invalid_parameter_value then
      raise notice 'lz4 is not available on this server: raw payloads stay pglz-compressed';
    end $$;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table raw_records alter column payload set compression default;
    alter table quarantine alter column payload set compression default;
  `);
}
