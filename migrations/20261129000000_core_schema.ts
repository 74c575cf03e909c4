import type { Knex } from 'knex';

/*
 * Core schema: runs, checkpoints, quarantine, raw payloads, change history, the normalized OSS tables and the
 * NIB discovery queue. Every entity table carries the same bookkeeping columns (see META below).
 */

const META = `
  content_hash text not null,
  source text not null,
  first_run_id bigint,
  last_run_id bigint,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz,
  deleted_run_id bigint`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table app_settings (key text primary key, value text not null);
    -- Key for hashing NIKs: random per installation, so hashes cannot be matched across databases.
    insert into app_settings values ('pii_hash_key', md5(random()::text || clock_timestamp()::text) || md5(random()::text));

    create table sync_runs (
      id bigserial primary key,
      trigger text not null check (trigger in ('schedule', 'manual', 'push', 'import')),
      requested_by text,
      reason text,
      scope jsonb not null default '{}',
      status text not null default 'running' check (status in ('running', 'succeeded', 'partial', 'failed')),
      started_at timestamptz not null default now(),
      finished_at timestamptz,
      heartbeat_at timestamptz not null default now(),
      counts jsonb not null default '{}',
      streams jsonb not null default '{}',
      error text,
      host text,
      pid integer
    );
    -- One active run for the whole deployment (the advisory lock is the other half of the guard).
    create unique index sync_runs_one_running on sync_runs ((true)) where status = 'running';
    create index sync_runs_started on sync_runs (started_at desc);

    create table sync_checkpoints (
      stream text primary key,
      cursor jsonb not null,
      run_id bigint references sync_runs (id),
      updated_at timestamptz not null default now()
    );

    create table quarantine (
      id bigserial primary key,
      stream text not null,
      source text not null,
      entity_id text,
      location jsonb not null default '{}',
      payload jsonb not null,
      payload_hash text not null,
      issues jsonb not null,
      first_run_id bigint references sync_runs (id),
      first_seen_at timestamptz not null default now(),
      resolved_at timestamptz,
      resolved_run_id bigint references sync_runs (id),
      unique (stream, payload_hash)
    );
    create index quarantine_entity on quarantine (stream, entity_id) where resolved_at is null;

    -- Raw payloads as OSS sent them (NIKs masked): json keeps the text as received and costs no conversion.
    create table raw_records (
      entity_type text not null,
      entity_id text not null,
      content_hash text not null,
      payload json not null,
      source text not null,
      run_id bigint references sync_runs (id),
      received_at timestamptz not null default now(),
      primary key (entity_type, entity_id, content_hash)
    );

    create table change_history (
      id bigserial primary key,
      entity_type text not null,
      entity_id text not null,
      field text not null,
      old_value jsonb,
      new_value jsonb,
      run_id bigint references sync_runs (id),
      changed_at timestamptz not null default now()
    );
    create index change_history_entity on change_history (entity_type, entity_id);
    create index change_history_run on change_history (run_id);

    -- IDs seen by a complete listing (kept per run; only full runs write here).
    create unlogged table sync_seen (
      run_id bigint not null,
      entity_type text not null,
      entity_id text not null,
      primary key (run_id, entity_type, entity_id)
    );

    create table kemitraan (
      id_kemitraan text primary key,
      nib_ub text, nama_ub text, id_proyek_ub text, kbli_ub text,
      nib_umkm text, nama_umkm text, kbli_umkm text,
      nik_umkm_hash text, nik_umkm_masked text, nik_umkm_province text, nik_umkm_issues text[] not null default '{}',
      skala_usaha_umkm text, pola_kemitraan text, objek_kemitraan text,
      volume numeric, satuan text, periode_volume text, nilai_kemitraan numeric,
      tgl_kesepakatan date, tgl_mulai date, tgl_berakhir date,
      kd_daerah_pelaksanaan text, kd_kecamatan text,
      no_dokumen text, url_dokumen text, status_kemitraan text,
      tgl_pengajuan timestamptz, tgl_perubahan timestamptz,
      placeholder_fields text[] not null default '{}',
      ${META}
    );
    create index kemitraan_nib_ub on kemitraan (nib_ub);
    create index kemitraan_nib_umkm on kemitraan (nib_umkm);

    create table kemitraan_realisasi (
      id_kemitraan text not null,
      tahun integer not null,
      triwulan integer not null,
      nilai_realisasi numeric, volume_realisasi numeric, satuan text, sumber text,
      ${META},
      primary key (id_kemitraan, tahun, triwulan)
    );

    create table pelaku_usaha (
      nib text primary key,
      oss_id text,
      tgl_pengajuan_nib date, tgl_terbit_nib date, tgl_perubahan_nib date,
      jenis_pelaku_usaha text, jenis_perseroan text, status_badan_hukum text, status_penanaman_modal text,
      status_perseroan text, flag_umk text, skala_usaha text, jenis_perubahan_terakhir text,
      nama_perseroan text, nama_singkatan text,
      npwp_perseroan text, npwp_perseroan_raw text, npwp_hash text, npwp_issues text[] not null default '{}',
      npwp_is_nik boolean not null default false,
      alamat_perseroan text, rt_rw_perseroan text, kelurahan_perseroan text, perseroan_daerah_id text, kd_kecamatan text,
      kode_pos_perseroan text,
      total_modal_dasar numeric, total_modal_ditempatkan numeric, total_pma numeric, persen_pma numeric, persen_pmdn numeric,
      status_nib text, tipe_dokumen text, versi_pia text,
      placeholder_fields text[] not null default '{}',
      kd_dni text[] not null default '{}',
      ${META}
    );
    create index pelaku_usaha_npwp on pelaku_usaha (npwp_hash);

    create table pemegang_saham (
      nib text not null, seq integer not null,
      jenis_pemegang_saham text, flag_asing text, nama_pemegang_saham text, jabatan_pemegang_saham text,
      jns_identitas_pemegang_saham text, no_identitas_hash text, no_identitas_masked text, npwp_hash text,
      total_modal_pemegang numeric, negara_asal_pemegang_saham text,
      ${META},
      primary key (nib, seq)
    );

    create table penanggung_jawab (
      nib text not null, seq integer not null,
      nama_penanggung_jwb text, jabatan_penanggung_jwb text, flag_asing text, jns_identitas_penanggung_jwb text,
      no_identitas_hash text, no_identitas_masked text, npwp_hash text, kebangsaan_penanggung_jwb text,
      ${META},
      primary key (nib, seq)
    );

    create table proyek (
      id_proyek text primary key,
      nib text not null,
      nomor_proyek text, uraian_usaha text, nama_kegiatan text, kbli text, sektor text, skala_usaha text,
      skala_resiko text, jenis_proyek text, status_proyek text,
      jumlah_tki_l integer, jumlah_tki_p integer, jumlah_tka_l integer, jumlah_tka_p integer,
      pembelian_pematang_tanah numeric, bangunan_gedung numeric, mesin_peralatan numeric, investasi_lain numeric,
      modal_kerja numeric, jumlah_investasi numeric, luas_tanah numeric, satuan_luas_tanah text,
      tgl_pengajuan_proyek date, nama_pj text, no_identitas_pj_hash text, no_identitas_pj_masked text,
      ${META}
    );
    create index proyek_nib on proyek (nib);

    create table proyek_lokasi (
      id_proyek_lokasi text primary key,
      id_proyek text not null, nib text not null,
      proyek_daerah_id text, kd_kecamatan text, alamat_usaha text, status_lokasi text,
      lat_lng text, lat double precision, lng double precision,
      ${META}
    );
    create index proyek_lokasi_nib on proyek_lokasi (nib);

    create table proyek_produk (
      id_produk text primary key,
      id_proyek text not null, nib text not null,
      kbli text, jenis_produksi text, kapasitas numeric, satuan text,
      ${META}
    );
    create index proyek_produk_nib on proyek_produk (nib);

    create table perizinan (
      id_izin text primary key,
      nib text not null, id_proyek text,
      jenis_izin text, kd_izin text, kd_daerah text, nama_izin text, instansi text, kewenangan text,
      flag_checklist text, kd_status text, uraian_status text, no_izin text, tgl_izin date,
      status_checked_at timestamptz,
      ${META}
    );
    create index perizinan_nib on perizinan (nib);

    -- NIBs waiting for inqueryNIB (from listNIB, partnership parties, pushes and exports). Draining it is the
    -- nib stream's checkpoint: an item leaves the queue in the transaction that stores its result.
    create table nib_queue (
      nib text primary key,
      reason text not null,
      enqueued_at timestamptz not null default now(),
      attempts integer not null default 0,
      last_error text
    );

    -- NIBs that OSS answered "Data NIB tidak ditemukan" for.
    create table nib_not_found (
      nib text primary key,
      keterangan text,
      first_seen_at timestamptz not null default now(),
      last_checked_at timestamptz not null default now(),
      run_id bigint references sync_runs (id)
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop table if exists nib_not_found, nib_queue, perizinan, proyek_produk, proyek_lokasi, proyek, penanggung_jawab,
      pemegang_saham, pelaku_usaha, kemitraan_realisasi, kemitraan, sync_seen, change_history, raw_records, quarantine,
      sync_checkpoints, sync_runs, app_settings cascade;
  `);
}
