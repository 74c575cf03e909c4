import type { Knex } from 'knex';

/*
 * analytics.kemitraan gains id_mitra_umkm: one identity per UMKM partner, whether it has a NIB (the NIB) or only a
 * NIK (individual fishermen, salt farmers: 'nik:' and the start of the NIK's keyed hash, never the NIK). Counting
 * partners by nib_umkm missed every partner without a NIB. Appended at the end, so existing columns stay as they are.
 */

const AFTER = '    m.deleted_at\n   FROM';
const WITH = `    m.deleted_at,\n    COALESCE(m.nib_umkm, 'nik:' || left(m.nik_umkm_hash, 16)) AS id_mitra_umkm\n   FROM`;

async function viewDef(knex: Knex): Promise<string> {
  const r = await knex.raw(`select pg_get_viewdef('analytics.kemitraan'::regclass) as def`);
  return r.rows[0].def as string;
}

export async function up(knex: Knex): Promise<void> {
  const def = await viewDef(knex);
  if (!def.includes(AFTER)) throw new Error('analytics.kemitraan is not the view this migration extends');
  await knex.raw(`create or replace view analytics.kemitraan as ${def.replace(AFTER, WITH)}`);
  await knex.raw(
    `comment on column analytics.kemitraan.id_mitra_umkm is 'Identitas mitra UMKM: NIB, atau nik: + awal hash NIK bila tanpa NIB / UMKM partner identity: the NIB, or nik: + the start of the NIK hash'`,
  );
}

export async function down(knex: Knex): Promise<void> {
  const def = await viewDef(knex);
  await knex.raw('drop view analytics.kemitraan cascade');
  await knex.raw(`create view analytics.kemitraan as ${def.replace(/,\n\s+COALESCE\(m\.nib_umkm[^\n]*\n/, '\n')}`);
}
