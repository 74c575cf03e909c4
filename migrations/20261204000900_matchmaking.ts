import type { Knex } from 'knex';

/*
 * Peluang kemitraan (issue 13, point 2): the office's curation of local UMKM for the matchmaking forums.
 * - umkm_readiness: one row per UMKM NIB the office has judged, 'siap' (ready to partner) or 'belum_siap', with
 *   a note, who marked it and when (the CLI's --by, the console's signed-in user);
 * - umkm_readiness_events: every marking, append-only (a trigger refuses update and delete), so the history of a
 *   judgement survives the next one;
 * - analytics.kesiapan_umkm: the current judgement per NIB with the business's name and kecamatan, commented in
 *   Indonesian and English and granted to oss_analyst like the other analytics views. Neither table is visible to
 *   the analyst role.
 * (No question marks in the SQL or the comments: knex would take them for bind parameters.)
 */

const sqlText = (s: string) => `'${s.replace(/'/g, "''")}'`;

const VIEW_COMMENT =
  'Kesiapan bermitra UMKM menurut penilaian kantor (siap atau belum siap) untuk forum kemitraan, dengan catatan, pencatat dan waktunya; riwayatnya tersimpan di tabel umkm_readiness_events / Readiness of UMKM to partner as judged by the office (ready or not yet) for the matchmaking forums, with the note, who marked it and when; its history is kept in umkm_readiness_events';

const COLUMN_COMMENTS: Readonly<Record<string, string>> = {
  nib: 'NIB UMKM (Nomor Induk Berusaha, 13 digit) / NIB of the UMKM (13 digits)',
  nama: 'Nama pelaku usaha dari NIB-nya; null bila dokumen NIB belum tersimpan / Business name from its NIB; null while no NIB document is stored',
  skala_usaha:
    'Skala usaha saat ini (01 Mikro, 02 Kecil, 03 Menengah, 04 Besar; label_skala_usaha) / Current business scale (label_skala_usaha)',
  status_nib: 'Status NIB saat ini (label_status_nib) / Current NIB status (label_status_nib)',
  kd_kecamatan: 'Kode kecamatan domisili pelaku usaha (6 digit) / Kecamatan code of the business domicile (6 digits)',
  kecamatan: 'Nama kecamatan domisili / Kecamatan name of the domicile',
  status_kesiapan:
    'Penilaian terakhir: siap (siap bermitra) atau belum_siap / Latest judgement: siap (ready to partner) or belum_siap (not yet)',
  catatan: 'Catatan kantor pada penilaian terakhir / The office note on the latest judgement',
  dicatat_oleh:
    'Petugas yang mencatat penilaian terakhir (CLI --by atau pengguna konsol) / Officer who recorded the latest judgement (CLI --by or the console user)',
  dicatat_pada: 'Waktu penilaian terakhir dicatat / When the latest judgement was recorded',
  pertama_dicatat_pada: 'Waktu penilaian pertama untuk NIB ini / When this NIB was first judged',
  jumlah_pencatatan:
    'Berapa kali kesiapan NIB ini dicatat (termasuk yang terakhir) / How many times this NIB was judged (the latest included)',
};

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table umkm_readiness (
      nib text primary key check (nib ~ '^[0-9]{13}$'),
      status text not null check (status in ('siap', 'belum_siap')),
      note text,
      marked_by text not null check (btrim(marked_by) <> ''),
      marked_at timestamptz not null default now()
    );

    create table umkm_readiness_events (
      id bigserial primary key,
      nib text not null,
      from_status text,
      to_status text not null check (to_status in ('siap', 'belum_siap')),
      note text,
      marked_by text not null,
      marked_at timestamptz not null default now()
    );
    create index umkm_readiness_events_nib on umkm_readiness_events (nib, id);

    create function umkm_readiness_events_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'umkm_readiness_events is append-only: the history of readiness markings cannot be changed';
    end $$;
    create trigger umkm_readiness_events_append_only before update or delete on umkm_readiness_events
      for each row execute function umkm_readiness_events_append_only();

    create view analytics.kesiapan_umkm as
      select r.nib, p.nama, p.skala_usaha, p.status_nib, p.kd_kecamatan, p.kecamatan,
             r.status as status_kesiapan, r.note as catatan, r.marked_by as dicatat_oleh, r.marked_at as dicatat_pada,
             e.pertama as pertama_dicatat_pada, coalesce(e.n, 0)::int as jumlah_pencatatan
        from public.umkm_readiness r
        left join analytics.pelaku_usaha p on p.nib = r.nib
        left join (
               select ev.nib, min(ev.marked_at) as pertama, count(*) as n
                 from public.umkm_readiness_events ev group by ev.nib
             ) e on e.nib = r.nib;

    grant select on analytics.kesiapan_umkm to oss_analyst;
  `);

  const statements = [`comment on view analytics.kesiapan_umkm is ${sqlText(VIEW_COMMENT)};`];
  const columns = await knex.raw(`
    select a.attname as col from pg_attribute a
     where a.attrelid = 'analytics.kesiapan_umkm'::regclass and a.attnum > 0 and not a.attisdropped
     order by a.attnum`);
  const missing: string[] = [];
  for (const { col } of columns.rows as Array<{ col: string }>) {
    const text = COLUMN_COMMENTS[col];
    if (text) statements.push(`comment on column analytics.kesiapan_umkm.${col} is ${sqlText(text)};`);
    else missing.push(col);
  }
  if (missing.length) throw new Error(`analytics.kesiapan_umkm columns without a comment: ${missing.join(', ')}`);
  if (statements.some((s) => s.includes('?'))) throw new Error('a comment contains a question mark (a knex binding)');
  await knex.raw(statements.join('\n'));
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop view if exists analytics.kesiapan_umkm;
    drop table if exists umkm_readiness_events, umkm_readiness;
    drop function if exists umkm_readiness_events_append_only();
  `);
}
