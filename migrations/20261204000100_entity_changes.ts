import type { Knex } from 'knex';

/*
 * The change log findings follow. Every table a discrepancy rule reads gets statement-level AFTER INSERT, UPDATE and
 * DELETE triggers with transition tables (one set-based insert per statement, so COPY and multi-row merges stay
 * cheap). Each logs, per changed row, the keys the evaluation scope is derived from into entity_changes: both the
 * old and the new version of an updated row, so a partnership that moves to another UB re-evaluates the old UB too.
 * An update that changes only bookkeeping (run ids, timestamps, content hash, provenance) logs nothing.
 * The log is append-only for writers; an evaluation consumes the entries it covers (delete … returning) inside its
 * own transaction, so a failed evaluation leaves them for the next one.
 *
 * Also: shareholders and persons in charge keep the structure facts of a KTP NIK (province, issues), computed before
 * the number is hashed, so NIK_INVALID can check every NIK of a NIB document without the NIK being stored.
 */

/**
 * Per logged table: its primary key, and the keys logged for a row (name → SQL over the row alias `r`; the first is
 * never null in a stored row).
 */
const LOGGED: Record<string, { key: string[]; keys: Record<string, (r: string) => string> }> = {
  kemitraan: {
    key: ['id_kemitraan'],
    keys: {
      id_kemitraan: (r) => `${r}.id_kemitraan`,
      nib_ub: (r) => `${r}.nib_ub`,
      nib_umkm: (r) => `${r}.nib_umkm`,
      umkm: (r) => `coalesce(${r}.nib_umkm, 'nik:' || ${r}.nik_umkm_hash)`,
      pola: (r) => `${r}.pola_kemitraan`,
    },
  },
  kemitraan_realisasi: {
    key: ['id_kemitraan', 'tahun', 'triwulan'],
    keys: { id_kemitraan: (r) => `${r}.id_kemitraan` },
  },
  pelaku_usaha: { key: ['nib'], keys: { nib: (r) => `${r}.nib`, npwp_hash: (r) => `${r}.npwp_hash` } },
  pemegang_saham: { key: ['nib', 'seq'], keys: { nib: (r) => `${r}.nib` } },
  penanggung_jawab: { key: ['nib', 'seq'], keys: { nib: (r) => `${r}.nib` } },
  proyek: { key: ['id_proyek'], keys: { id_proyek: (r) => `${r}.id_proyek`, nib: (r) => `${r}.nib` } },
  proyek_lokasi: { key: ['id_proyek_lokasi'], keys: { id_proyek: (r) => `${r}.id_proyek`, nib: (r) => `${r}.nib` } },
  proyek_produk: { key: ['id_produk'], keys: { id_proyek: (r) => `${r}.id_proyek`, nib: (r) => `${r}.nib` } },
  perizinan: {
    key: ['id_izin'],
    keys: { id_izin: (r) => `${r}.id_izin`, id_proyek: (r) => `${r}.id_proyek`, nib: (r) => `${r}.nib` },
  },
  nib_not_found: { key: ['nib'], keys: { nib: (r) => `${r}.nib` } },
  change_history: {
    key: ['id'],
    keys: { entity_type: (r) => `${r}.entity_type`, entity_id: (r) => `${r}.entity_id` },
  },
};

/** Columns no rule reads: an update that changes only these is not a change. deleted_at is data. */
const BOOKKEEPING = [
  'content_hash',
  'source',
  'first_run_id',
  'last_run_id',
  'created_at',
  'updated_at',
  'deleted_run_id',
  'source_date',
  'field_sources',
  'status_checked_at',
  'last_checked_at',
  'run_id',
];

function logFunction(table: string): string {
  const { key, keys } = LOGGED[table] as (typeof LOGGED)[string];
  const names = Object.keys(keys);
  const ignored = `array[${BOOKKEEPING.map((c) => `'${c}'`).join(', ')}]::text[]`;
  const of = (r: string) => names.map((n) => (keys[n] as (r: string) => string)(r)).join(', ');
  // Distinct on the key columns first (a merge writes many rows per parent), then one jsonb per distinct key set;
  // rows of an insert or a delete whose logged keys hold the primary key are distinct already.
  const each = key.every((k) => names.includes(k)) ? '' : 'distinct ';
  const log = (distinct: string) => `
        insert into entity_changes (tbl, keys)
        select '${table}', jsonb_build_object(${names.map((n) => `'${n}', k.${n}`).join(', ')})
          from (${distinct}) k(${names.join(', ')})
         where k.${names[0]} is not null;`;
  return `
    create function entity_changes_${table}() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then${log(`select ${each}${of('r')} from new_rows r`)}
      elsif tg_op = 'DELETE' then${log(`select ${each}${of('r')} from old_rows r`)}
      else${log(`select distinct v.* from old_rows o full join new_rows n on ${key.map((k) => `n.${k} = o.${k}`).join(' and ')}
                 cross join lateral (values (${of('o')}), (${of('n')})) v
                where (to_jsonb(o) - ${ignored}) is distinct from (to_jsonb(n) - ${ignored})`)}
      end if;
      return null;
    end $$;
    create trigger entity_changes_insert after insert on ${table} referencing new table as new_rows
      for each statement execute function entity_changes_${table}();
    create trigger entity_changes_update after update on ${table} referencing old table as old_rows new table as new_rows
      for each statement execute function entity_changes_${table}();
    create trigger entity_changes_delete after delete on ${table} referencing old table as old_rows
      for each statement execute function entity_changes_${table}();`;
}

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    -- No index: an evaluation takes the whole log in one scan, and writers only append.
    create table entity_changes (
      seq bigserial not null,
      tbl text not null,
      keys jsonb not null,
      logged_at timestamptz not null default now()
    );
    comment on table entity_changes is 'Changes to the tables the discrepancy rules read, not yet covered by a completed evaluation.';
    ${Object.keys(LOGGED).map(logFunction).join('\n')}

    alter table pemegang_saham add column no_identitas_province text,
      add column no_identitas_issues text[] not null default '{}';
    alter table penanggung_jawab add column no_identitas_province text,
      add column no_identitas_issues text[] not null default '{}';
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    ${Object.keys(LOGGED)
      .map(
        (t) => `drop trigger if exists entity_changes_insert on ${t};
    drop trigger if exists entity_changes_update on ${t};
    drop trigger if exists entity_changes_delete on ${t};
    drop function if exists entity_changes_${t}();`,
      )
      .join('\n    ')}
    drop table if exists entity_changes;
    alter table pemegang_saham drop column if exists no_identitas_province, drop column if exists no_identitas_issues;
    alter table penanggung_jawab drop column if exists no_identitas_province, drop column if exists no_identitas_issues;
  `);
}
