import type { Knex } from 'knex';

/*
 * Indexes of the console's list pages (issue 12 point 6), chosen from EXPLAIN (ANALYZE, BUFFERS) of the queries of
 * src/store/browse.ts and src/store/findings.ts at 100,000 partnerships and 12,000 active findings (bench/web.ts):
 * - kemitraan_changed: the Kemitraan list's order (newest change first). A page is the first 50 rows of an index
 *   scan instead of a sort of every match: pola 06 + status 03 (84,000 matches) 78 ms -> 0.9 ms.
 * - kemitraan_pola_status, kemitraan_kecamatan: the capped counts of the filters read the index only; a selective
 *   filter (pola 04 + status 03, 702 rows) counted 42-57 ms through a whole-table scan, 0.1 ms now.
 * - kemitraan_nama_ub_trgm, kemitraan_nama_umkm_trgm: the name search (ILIKE '%…%' on either party, OR-ed with the
 *   id), a BitmapOr over both names and the primary key: 68-119 ms -> 1-2 ms. They need pg_trgm: created here when
 *   the role may (a trusted extension: a database owner may); without it the search still works, as a scan.
 * - findings_queue: the verification queue's default order (severity, newest first) over the active statuses:
 *   the first page is read in index order instead of sorting every active finding: 25 ms -> 0.1 ms.
 * - pelaku_usaha_nama (+ pelaku_usaha_nama_trgm): the Pelaku usaha list's order and name search: page 1 88 -> 21 ms,
 *   page 500 200 -> 38 ms; the search 114 -> 39 ms. kemitraan_nama: the Kemitraan list sorted by name, 73 -> 7 ms.
 * - kemitraan_realisasi_quarter: the realisations of one quarter (Beranda, the report's period figures) read from
 *   the index only instead of every realisation row: 37-46 ms -> 3 ms at 234,000 rows.
 * - finding_runs_run, quarantine_first_run: a run's page lists the findings it saw and the records it quarantined.
 * (No question marks in this file: knex would take them for bind parameters.)
 */

/** The schema pg_trgm is installed in, or null when it is not (and cannot be) installed. */
async function trgmSchema(knex: Knex): Promise<string | null> {
  await knex.raw(`
    do $$
    begin
      create extension if not exists pg_trgm;
    exception
      when insufficient_privilege or undefined_file then
        raise notice 'pg_trgm is not available to this role: the partnership name search runs without trigram indexes';
    end
    $$;`);
  const r = await knex.raw(`
    select n.nspname as schema from pg_extension e join pg_namespace n on n.oid = e.extnamespace
     where e.extname = 'pg_trgm'`);
  return (r.rows[0]?.schema as string | undefined) ?? null;
}

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create index kemitraan_changed on kemitraan (tgl_perubahan desc nulls last, id_kemitraan desc)
      where deleted_at is null;
    create index kemitraan_pola_status on kemitraan (pola_kemitraan, status_kemitraan) where deleted_at is null;
    create index kemitraan_kecamatan on kemitraan (kd_kecamatan) where deleted_at is null;
    -- The expression is the one of the queue's ORDER BY (SEVERITY_RANK in src/store/findings.ts), word for word.
    create index findings_queue
      on findings ((case severity when 'error' then 0 when 'warning' then 1 else 2 end), first_seen_at desc, id desc)
      where status in ('open', 'in_review', 'confirmed');
    create index pelaku_usaha_nama on pelaku_usaha (nama_perseroan, nib) where deleted_at is null;
    create index kemitraan_nama on kemitraan (nama_ub, nama_umkm, id_kemitraan) where deleted_at is null;
    create index kemitraan_realisasi_quarter on kemitraan_realisasi (tahun, triwulan)
      include (id_kemitraan, nilai_realisasi, last_run_id) where deleted_at is null;
    create index finding_runs_run on finding_runs (run_id);
    create index quarantine_first_run on quarantine (first_run_id);
  `);
  const schema = await trgmSchema(knex);
  if (schema !== null) {
    const ops = `"${schema.replace(/"/g, '""')}".gin_trgm_ops`;
    await knex.raw(`
      create index kemitraan_nama_ub_trgm on kemitraan using gin (nama_ub ${ops});
      create index kemitraan_nama_umkm_trgm on kemitraan using gin (nama_umkm ${ops});
      create index pelaku_usaha_nama_trgm on pelaku_usaha using gin (nama_perseroan ${ops});
    `);
  }
}

export async function down(knex: Knex): Promise<void> {
  // The extension stays: other objects of the database may use it by now.
  await knex.raw(`
    drop index if exists kemitraan_changed, kemitraan_pola_status, kemitraan_kecamatan, findings_queue,
      kemitraan_nama_ub_trgm, kemitraan_nama_umkm_trgm, pelaku_usaha_nama, pelaku_usaha_nama_trgm, kemitraan_nama,
      kemitraan_realisasi_quarter, finding_runs_run, quarantine_first_run;
  `);
}
