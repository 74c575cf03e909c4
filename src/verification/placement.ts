/*
 * Placement: the region code and kecamatan of each candidate finding (the table eval_cand), per entity type:
 * - a partnership: its kd_daerah_pelaksanaan;
 * - a business: its domicile when it is in the region, else its first in-region project location;
 * - a project: its in-region (main) location, else its business's domicile;
 * - a licence: its own desa-level code, else its project's location.
 * Each entity type's statement names the tables it reads: a change to one of them re-evaluates that type's findings
 * (src/verification/scope.ts), so a finding's kecamatan follows its data like its evidence does.
 */
import type { Knex } from 'knex';
import type { EntityType } from '../domain/glossary.js';
import { ENTITY_TYPES } from '../domain/glossary.js';
import type { ReadTable } from '../rules/index.js';
import { lit } from '../rules/sql.js';

export interface Placement {
  reads: readonly ReadTable[];
  sql(region: string): string;
}

const inRegion = (region: string, col: string) => `(left(${col}, ${region.length}) = ${lit(region)})`;

/** The main location of each project in `projects` (a select of id_proyek): in the region first, then status 01. */
const mainLocation = (region: string, projects: string) => `
  select distinct on (l.id_proyek) l.id_proyek, l.proyek_daerah_id
    from proyek_lokasi l
   where l.deleted_at is null and l.proyek_daerah_id is not null and l.id_proyek in (${projects})
   order by l.id_proyek, ${inRegion(region, 'l.proyek_daerah_id')} desc, (l.status_lokasi = '01') desc, l.id_proyek_lokasi`;

export const PLACEMENT: Readonly<Record<EntityType, Placement>> = {
  kemitraan: {
    reads: ['kemitraan'],
    sql: () => `
      update eval_cand c set kd_daerah = k.kd_daerah_pelaksanaan
        from kemitraan k where c.entity_type = 'kemitraan' and k.id_kemitraan = c.entity_id`,
  },
  pelaku_usaha: {
    reads: ['pelaku_usaha', 'proyek_lokasi'],
    sql: (region) => `
      with loc as (
        select distinct on (l.nib) l.nib, l.proyek_daerah_id
          from proyek_lokasi l
         where l.deleted_at is null and ${inRegion(region, 'l.proyek_daerah_id')}
           and l.nib in (select c.entity_id from eval_cand c where c.entity_type = 'pelaku_usaha')
         order by l.nib, (l.status_lokasi = '01') desc, l.id_proyek_lokasi
      )
      update eval_cand c
         set kd_daerah = coalesce(case when ${inRegion(region, 'p.perseroan_daerah_id')} then p.perseroan_daerah_id end,
                                  n.proyek_daerah_id, p.perseroan_daerah_id)
        from pelaku_usaha p left join loc n on n.nib = p.nib
       where c.entity_type = 'pelaku_usaha' and p.nib = c.entity_id`,
  },
  proyek: {
    reads: ['proyek', 'proyek_lokasi', 'pelaku_usaha'],
    sql: (region) => `
      with loc as (${mainLocation(region, `select c.entity_id from eval_cand c where c.entity_type = 'proyek'`)})
      update eval_cand c set kd_daerah = coalesce(lo.proyek_daerah_id, p.perseroan_daerah_id)
        from proyek pr left join loc lo on lo.id_proyek = pr.id_proyek left join pelaku_usaha p on p.nib = pr.nib
       where c.entity_type = 'proyek' and pr.id_proyek = c.entity_id`,
  },
  perizinan: {
    reads: ['perizinan', 'proyek_lokasi'],
    sql: (region) => `
      with loc as (${mainLocation(
        region,
        `select z.id_proyek from eval_cand c join perizinan z on z.id_izin = c.entity_id where c.entity_type = 'perizinan'`,
      )})
      update eval_cand c
         set kd_daerah = coalesce(case when z.kd_daerah ~ '^[0-9]{10}$' and substr(z.kd_daerah, 5, 2) <> '00'
                                       then z.kd_daerah end, lo.proyek_daerah_id, z.kd_daerah)
        from perizinan z left join loc lo on lo.id_proyek = z.id_proyek
       where c.entity_type = 'perizinan' and z.id_izin = c.entity_id`,
  },
};

/** Places every candidate of eval_cand: kd_daerah per entity type, then the kecamatan of desa-level codes. */
export async function placeCandidates(trx: Knex.Transaction, region: string): Promise<void> {
  for (const type of ENTITY_TYPES) await trx.raw(PLACEMENT[type].sql(region));
  await trx.raw(`
    update eval_cand set kd_kecamatan = left(kd_daerah, 6)
     where kd_daerah ~ '^[0-9]{10}$' and substr(kd_daerah, 5, 2) <> '00'`);
}
