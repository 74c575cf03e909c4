import type { Knex } from 'knex';

/*
 * A rejected push keeps only a summary (size, digest, a masked prefix), so the digest and the reason, as a label,
 * get their own columns: body_sha256 (of the bytes received; null when the body was not read) and reject_code
 * (token, malformed, too_large, too_deep, outside_region). Earlier rows keep null in both.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table push_inbox add column body_sha256 bytea, add column reject_code text;
    comment on column push_inbox.body_sha256 is 'sha256 of the push body as received; null when the body was not read (too large).';
    comment on column push_inbox.reject_code is 'Why a push was not applied: token, malformed, too_large, too_deep or outside_region; null when accepted.';
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table push_inbox drop column body_sha256, drop column reject_code;');
}
