import type { Knex } from 'knex';

/*
 * The analyst contract (interfaces.md): schema `analytics`, read by the role `oss_analyst`.
 * Views show only data whose last write belongs to a finished run, and never a full NIK or identity number
 * (the base tables hold only hashes and masked forms). Change these views only with a new migration.
 */

const FINISHED = (alias: string) =>
  `not exists (select 1 from public.sync_runs sr where sr.id = ${alias}.last_run_id and sr.status = 'running')`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table ref_kecamatan (kd_kecamatan text primary key, nama text not null);
    create table ref_kbli (kbli text primary key, judul text not null);

    create schema analytics;

    create view analytics.pelaku_usaha as
      select p.nib, p.nama_perseroan as nama, p.skala_usaha, p.flag_umk, p.status_penanaman_modal, p.status_nib,
             p.perseroan_daerah_id as kd_daerah, k.nama as kecamatan, p.kd_kecamatan, p.tgl_pengajuan_nib,
             p.tgl_terbit_nib, p.tgl_perubahan_nib, p.oss_id, p.jenis_pelaku_usaha, p.jenis_perseroan,
             p.npwp_perseroan, p.alamat_perseroan, p.kelurahan_perseroan, p.total_modal_dasar,
             p.total_modal_ditempatkan, p.persen_pma, p.kd_dni, p.source, p.updated_at, p.deleted_at
        from public.pelaku_usaha p
        left join public.ref_kecamatan k on k.kd_kecamatan = p.kd_kecamatan
       where ${FINISHED('p')};

    create view analytics.proyek as
      select pr.id_proyek, pr.nib, pr.kbli, kb.judul as judul_kbli, pr.skala_usaha, pr.skala_resiko,
             pr.jumlah_investasi, loc.proyek_daerah_id as kd_daerah, k.nama as kecamatan, loc.kd_kecamatan,
             pr.uraian_usaha, pr.nama_kegiatan, pr.tgl_pengajuan_proyek, pr.jumlah_tki_l, pr.jumlah_tki_p,
             pr.source, pr.updated_at, pr.deleted_at
        from public.proyek pr
        left join lateral (
          select l.proyek_daerah_id, l.kd_kecamatan from public.proyek_lokasi l
           where l.id_proyek = pr.id_proyek and l.deleted_at is null
           order by (l.status_lokasi = '01') desc, l.id_proyek_lokasi limit 1
        ) loc on true
        left join public.ref_kecamatan k on k.kd_kecamatan = loc.kd_kecamatan
        left join public.ref_kbli kb on kb.kbli = pr.kbli
       where ${FINISHED('pr')};

    create view analytics.proyek_lokasi as
      select l.id_proyek_lokasi, l.id_proyek, l.nib, l.proyek_daerah_id as kd_daerah, k.nama as kecamatan,
             l.alamat_usaha, l.status_lokasi, l.lat, l.lng, l.deleted_at
        from public.proyek_lokasi l
        left join public.ref_kecamatan k on k.kd_kecamatan = l.kd_kecamatan
       where ${FINISHED('l')};

    create view analytics.perizinan as
      select z.id_izin, z.id_proyek, z.nib, z.jenis_izin, z.kd_izin, z.nama_izin, z.kd_status, z.uraian_status,
             z.kd_daerah, z.kewenangan, z.flag_checklist, z.no_izin, z.tgl_izin, z.status_checked_at, z.source,
             z.updated_at, z.deleted_at
        from public.perizinan z
       where ${FINISHED('z')};

    create view analytics.kemitraan as
      select m.id_kemitraan, m.nib_ub, m.nama_ub, m.nib_umkm, m.nama_umkm, m.nik_umkm_masked, m.skala_usaha_umkm,
             m.pola_kemitraan, m.status_kemitraan, m.nilai_kemitraan, m.tgl_kesepakatan, m.tgl_mulai, m.tgl_berakhir,
             m.kd_daerah_pelaksanaan, k.nama as kecamatan, m.kd_kecamatan, m.kbli_ub, m.kbli_umkm, m.id_proyek_ub,
             m.objek_kemitraan, m.volume, m.satuan, m.periode_volume, m.no_dokumen, m.url_dokumen, m.tgl_pengajuan,
             m.tgl_perubahan, m.source, m.updated_at, m.deleted_at
        from public.kemitraan m
        left join public.ref_kecamatan k on k.kd_kecamatan = m.kd_kecamatan
       where ${FINISHED('m')};

    create view analytics.kemitraan_realisasi as
      select r.id_kemitraan, r.tahun, r.triwulan, r.nilai_realisasi, r.volume_realisasi, r.satuan, r.sumber, r.deleted_at
        from public.kemitraan_realisasi r
       where ${FINISHED('r')};

    create view analytics.sync_runs as
      select id, trigger, requested_by, reason, scope, status, started_at, finished_at, counts, streams, error
        from public.sync_runs;

    create view analytics.quarantine as
      select id, stream, source, entity_id, location, issues, payload, first_run_id, first_seen_at, resolved_at
        from public.quarantine;

    create view analytics.change_history as
      select id, entity_type, entity_id, field, old_value, new_value, run_id, changed_at
        from public.change_history;

    do $$ begin
      if not exists (select 1 from pg_roles where rolname = 'oss_analyst') then
        create role oss_analyst nologin;
      end if;
    end $$;
    grant usage on schema analytics to oss_analyst;
    grant select on all tables in schema analytics to oss_analyst;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop schema if exists analytics cascade;
    drop table if exists ref_kecamatan, ref_kbli;
  `);
}
