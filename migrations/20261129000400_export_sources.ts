import type { Knex } from 'knex';

/*
 * Value provenance for the OSS dashboard exports ("DP Proyek", "DP NIB Kantor", "List Izin"), imported by
 * `oss-sync import` and the IMPORT_DIR drop folder.
 *
 * Every row of the tables an export feeds already says which channel wrote it last (`source`: inqueryNIB,
 * receiveNIB, checkLicenseStatus, export) and when (`updated_at`). This migration adds:
 * - `source_date`: the date the row's data is current as of when an export wrote it (the export's snapshot date,
 *   or the newer date the row already had when an older export only filled values it lacked); null after an API
 *   write, whose date is `updated_at` (WIB);
 * - `field_sources`: null when every value comes from the row's `source` as of that date; otherwise an object
 *   naming where values came from, e.g. {"*": "inqueryNIB@2026-11-20", "jumlah_investasi": "export@2026-11-27"}:
 *   a listed column has its own "source@date", "*" covers the columns not listed;
 * - `proyek.jumlah_tki`: the workforce total DP Proyek reports (column TKI); the API reports men and women apart.
 * A trigger keeps `field_sources` true when an API write follows an export; a guard keeps these bookkeeping
 * columns out of change_history, which records data changes only.
 */

const TABLES = ['pelaku_usaha', 'proyek', 'proyek_lokasi', 'perizinan'] as const;

/** Columns never tagged with a source: the bookkeeping of every entity table, and status timestamps. */
const NOT_DATA = [
  'content_hash',
  'source',
  'first_run_id',
  'last_run_id',
  'created_at',
  'updated_at',
  'deleted_at',
  'deleted_run_id',
  'source_date',
  'field_sources',
  'status_checked_at',
];

export async function up(knex: Knex): Promise<void> {
  const notData = NOT_DATA.map((c) => `'${c}'`).join(', ');
  await knex.raw(`
    ${TABLES.map(
      (t) => `
    alter table ${t} add column source_date date, add column field_sources jsonb;
    comment on column ${t}.source_date is 'Date the row''s data is current as of when an OSS export wrote it (its snapshot date); null after an API write (then updated_at, WIB).';
    comment on column ${t}.field_sources is 'Null when every value comes from source as of source_date; else {"column": "source@date", "*": "source@date of the columns not listed"}.';`,
    ).join('')}
    alter table proyek add column jumlah_tki integer;
    comment on column proyek.jumlah_tki is 'Workforce total as reported by the DP Proyek export (column TKI); the API reports jumlah_tki_l and jumlah_tki_p.';

    -- The merged field_sources of a row an export updates: the columns it changed take "export@snapshot", the others
    -- keep what they had ("*" = the row's former source and date). Null when the row's own source/date say it all.
    create function export_merged_field_sources(old_fs jsonb, old_tag text, changed text[], tag text, row_tag text)
    returns jsonb language plpgsql immutable as $$
    declare
      fs jsonb := jsonb_build_object('*', coalesce(old_fs->>'*', old_tag)) || coalesce(old_fs - '*', '{}'::jsonb);
      c text;
    begin
      foreach c in array changed loop
        fs := fs || jsonb_build_object(c, tag);
      end loop;
      -- A column whose tag equals the default "*" needs no entry of its own.
      select coalesce(jsonb_object_agg(k, v), '{}'::jsonb) into fs
        from jsonb_each(fs) e(k, v) where k = '*' or v <> fs->'*';
      if fs = jsonb_build_object('*', row_tag) then
        return null;
      end if;
      return fs;
    end $$;

    -- An API write to a row with export provenance. A whole document (inqueryNIB, receiveNIB) makes every value the
    -- API sends the API's: only jumlah_tki, which the API never sends, keeps its export tag. A partial write
    -- (checkLicenseStatus) tags the columns it changed "<source>@<today WIB>" and the others keep their tags.
    -- source_date goes back to null either way (updated_at dates an API write).
    create function export_provenance_on_write() returns trigger language plpgsql as $$
    declare
      today text := ((now() at time zone 'Asia/Jakarta')::date)::text;
      old_tag text := coalesce(old.field_sources->>'*',
        old.source || '@' || coalesce(old.source_date, (old.updated_at at time zone 'Asia/Jakarta')::date)::text);
      changed jsonb;
    begin
      if new.source = 'checkLicenseStatus' then
        select coalesce(jsonb_object_agg(n.key, new.source || '@' || today), '{}'::jsonb) into changed
          from jsonb_each(to_jsonb(new)) n
         where n.key not in (${notData}) and (to_jsonb(old) -> n.key) is distinct from n.value;
        new.field_sources := jsonb_build_object('*', old_tag) || coalesce(old.field_sources - '*', '{}'::jsonb) || changed;
      elsif to_jsonb(new)->>'jumlah_tki' is not null then
        new.field_sources := jsonb_build_object('jumlah_tki', coalesce(old.field_sources->>'jumlah_tki', old_tag));
      else
        new.field_sources := null;
      end if;
      new.source_date := null;
      return new;
    end $$;
    ${TABLES.map(
      (t) => `
    create trigger ${t}_export_provenance before update on ${t} for each row
      when (new.source is distinct from 'export' and (old.source = 'export' or old.field_sources is not null))
      execute function export_provenance_on_write();`,
    ).join('')}

    -- change_history records data changes. The generic API merge compares whole rows, so without this guard it would
    -- log the provenance columns (and jumlah_tki, which the API never sends) as "changed to null" when it rewrites a
    -- row an export touched. Only an import run records jumlah_tki changes.
    create function change_history_skip_provenance() returns trigger language plpgsql as $$
    begin
      if new.field in ('source_date', 'field_sources') then
        return null;
      end if;
      if new.field = 'jumlah_tki' and not exists (select 1 from sync_runs r where r.id = new.run_id and r.trigger = 'import') then
        return null;
      end if;
      return new;
    end $$;
    create trigger change_history_skip_provenance before insert on change_history for each row
      when (new.field in ('source_date', 'field_sources', 'jumlah_tki'))
      execute function change_history_skip_provenance();

    -- Imports are runs (trigger 'import'); their file, checksum, export type and snapshot date are in scope.import.
    create index sync_runs_import_sha256 on sync_runs ((scope->'import'->>'sha256')) where trigger = 'import';

    create view analytics.imports as
      select id, status, requested_by, started_at, finished_at,
             scope->'import'->>'file' as file, scope->'import'->>'sha256' as sha256,
             scope->'import'->>'export_type' as export_type, (scope->'import'->>'snapshot_date')::date as snapshot_date,
             counts, error
        from public.sync_runs where trigger = 'import';
    grant select on analytics.imports to oss_analyst;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop view if exists analytics.imports;
    drop index if exists sync_runs_import_sha256;
    drop trigger if exists change_history_skip_provenance on change_history;
    drop function if exists change_history_skip_provenance();
    ${TABLES.map((t) => `drop trigger if exists ${t}_export_provenance on ${t};`).join('\n    ')}
    drop function if exists export_provenance_on_write();
    drop function if exists export_merged_field_sources(jsonb, text, text[], text, text);
    alter table proyek drop column if exists jumlah_tki;
    ${TABLES.map((t) => `alter table ${t} drop column if exists source_date, drop column if exists field_sources;`).join('\n    ')}
  `);
}
