import type { Knex } from 'knex';

/*
 * The hash of each stored record's exact wire text (with the normalizer's version, the feed mapping and the NIK key
 * folded in): a re-sync that receives the same text again skips parsing, normalizing and validating it. Bookkeeping
 * only: no rule reads it, so it has no change-log trigger, and a row here never stands for data on its own (the
 * lookup joins the live entity row, still holding the content it was normalized to).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table wire_hashes (
      entity_type text not null,
      entity_id text not null,
      wire_hash text not null,
      -- The entity row's content hash when the wire hash was recorded: a row another writer changed since is not skipped.
      content_hash text not null,
      primary key (entity_id, entity_type)
    );
    comment on table wire_hashes is 'Hash of the wire text each stored record was last normalized from; lets a re-sync skip unchanged records before parsing them.';
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table if exists wire_hashes');
}
