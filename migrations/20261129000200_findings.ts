import type { Knex } from 'knex';

/*
 * Findings (temuan): what the discrepancy rules of src/rules flag for the regional verifiers, with their lifecycle.
 * - findings: one row per (rule, entity), never duplicated; evidence jsonb holds the compared values (masked ids).
 * - finding_events: the audit history, append-only (a trigger refuses update and delete).
 * - finding_runs: which sync runs saw a finding. finding_evaluations: one row per evaluation (sync or on demand).
 * - finding_rules: the rule catalogue as the database sees it (code, severity, Indonesian title), refreshed by every
 *   evaluation from src/rules, so analysts can join titles.
 * Helper SQL functions used by the rules: finding_id_date, finding_rupiah, finding_name_key.
 * The two indexes on perizinan and proyek_lokasi serve the per-project rules (RISK_LICENCE_MISSING,
 * LOCATION_OUTSIDE_REGION) and the placement of findings in a kecamatan.
 */

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table finding_rules (
      rule_code text primary key,
      severity text not null,
      title text not null,
      entity_types text[] not null,
      time_based boolean not null default false,
      updated_at timestamptz not null default now()
    );

    create table findings (
      id bigserial primary key,
      rule_code text not null,
      severity text not null check (severity in ('error', 'warning', 'info')),
      entity_type text not null check (entity_type in ('pelaku_usaha', 'proyek', 'perizinan', 'kemitraan')),
      entity_id text not null,
      kd_daerah text,
      kd_kecamatan text,
      status text not null default 'open' check (status in ('open', 'in_review', 'confirmed', 'dismissed', 'resolved')),
      message text not null,
      evidence jsonb not null,
      evidence_hash text not null,
      -- Keys ('kemitraan:K-…', 'pelaku_usaha:<nib>') of other entities the finding was computed from: a change to one
      -- of them re-evaluates this finding in an incremental evaluation.
      related text[] not null default '{}',
      first_seen_at timestamptz not null,
      last_seen_at timestamptz not null,
      first_run_id bigint references sync_runs (id),
      last_run_id bigint references sync_runs (id),
      status_changed_at timestamptz not null,
      verified_by text,
      verified_at timestamptz,
      note text,
      -- evidence_hash when a verifier dismissed it: the finding reopens only when the evidence differs from this.
      dismissed_evidence_hash text,
      resolved_at timestamptz,
      resolved_run_id bigint references sync_runs (id),
      reopen_count integer not null default 0,
      unique (rule_code, entity_type, entity_id)
    ) with (fillfactor = 80); -- every evaluation rewrites last_seen_at: room on the page keeps those updates HOT
    create index findings_status_rule on findings (status, rule_code);
    create index findings_entity on findings (entity_type, entity_id);
    create index findings_kecamatan on findings (kd_kecamatan);
    create index findings_related on findings using gin (related);

    create table finding_events (
      id bigserial primary key,
      finding_id bigint not null references findings (id),
      at timestamptz not null default now(),
      kind text not null check (kind in ('detected', 'transition', 'evidence_changed', 'resolved', 'reopened')),
      from_status text,
      to_status text not null,
      actor text not null,
      note text,
      run_id bigint references sync_runs (id),
      evidence jsonb
    );
    create index finding_events_finding on finding_events (finding_id, id);

    create function finding_events_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'finding_events is append-only: the audit history of findings cannot be changed';
    end $$;
    create trigger finding_events_append_only before update or delete on finding_events
      for each row execute function finding_events_append_only();

    create table finding_runs (
      finding_id bigint not null references findings (id),
      run_id bigint not null references sync_runs (id),
      primary key (finding_id, run_id)
    );

    create table finding_evaluations (
      id bigserial primary key,
      run_id bigint references sync_runs (id),
      scope text not null check (scope in ('all', 'incremental')),
      started_at timestamptz not null default now(),
      finished_at timestamptz,
      evaluated_as_of timestamptz not null,
      scope_sizes jsonb not null default '{}',
      counts jsonb not null default '{}',
      resolve_guard jsonb
    );

    -- The date embedded in an OSS id (R-, I-, K-, P02- + yyyyMMdd…); null when absent or not a calendar date.
    create function finding_id_date(id text) returns date language plpgsql immutable parallel safe as $$
    declare
      s text := substring(id from '^[A-Z][A-Z0-9]{0,3}-([0-9]{8})');
      y int; m int; d int;
    begin
      if s is null then return null; end if;
      y := substr(s, 1, 4)::int; m := substr(s, 5, 2)::int; d := substr(s, 7, 2)::int;
      if y < 1 or m < 1 or m > 12 or d < 1 then return null; end if;
      if d > extract(day from (make_date(y, m, 1) + interval '1 month - 1 day')) then return null; end if;
      return make_date(y, m, d);
    end $$;

    -- Rupiah as an Indonesian reader writes it: 'Rp 1.500.000.000' (negative amounts keep their sign).
    create function finding_rupiah(n numeric) returns text language sql immutable parallel safe as $$
      select case when n is null then '-'
                  else 'Rp ' || case when n < 0 then '-' else '' end
                       || replace(to_char(trunc(abs(n)), 'FM999G999G999G999G999G999G990'), ',', '.') end
    $$;

    -- (No question marks in this file: knex would take them for bind parameters.)
    -- A company name without legal form, case, punctuation and spacing: 'PT. Samudra Rembang, Tbk' -> 'SAMUDRA REMBANG'.
    create function finding_name_key(n text) returns text language sql immutable parallel safe as $$
      select nullif(btrim(regexp_replace(
               regexp_replace(' ' || regexp_replace(upper(coalesce(n, '')), '[^A-Z0-9]+', ' ', 'g') || ' ',
                 ' (PT|CV|UD|TBK|PERSERO|PERSEROAN|TERBATAS|FIRMA|FA|KOPERASI|KOP|KUD|KSU|KSP|PD|PERUM|PERUMDA|BUMDES|BUMDESA|TOKO|PERORANGAN)\\M',
                 ' ', 'g'),
               '\\s+', ' ', 'g')), '')
    $$;

    create index perizinan_id_proyek on perizinan (id_proyek);
    create index proyek_lokasi_id_proyek on proyek_lokasi (id_proyek);

    create view analytics.discrepancies as
      select f.id, f.rule_code, r.title as rule_title, f.severity, f.entity_type, f.entity_id, f.kd_daerah,
             k.nama as kecamatan, f.kd_kecamatan, f.status, f.message, f.evidence, f.first_seen_at, f.last_seen_at,
             f.verified_by, f.note, f.verified_at, f.status_changed_at, f.resolved_at, f.first_run_id, f.last_run_id,
             f.resolved_run_id, f.reopen_count
        from public.findings f
        left join public.finding_rules r on r.rule_code = f.rule_code
        left join public.ref_kecamatan k on k.kd_kecamatan = f.kd_kecamatan;

    create view analytics.discrepancy_counts as
      select f.rule_code, r.title as rule_title, f.severity, f.status, f.kd_kecamatan, k.nama as kecamatan,
             count(*)::int as findings
        from public.findings f
        left join public.finding_rules r on r.rule_code = f.rule_code
        left join public.ref_kecamatan k on k.kd_kecamatan = f.kd_kecamatan
       group by f.rule_code, r.title, f.severity, f.status, f.kd_kecamatan, k.nama;

    create view analytics.discrepancy_events as
      select e.id, e.finding_id, f.rule_code, f.entity_type, f.entity_id, e.at, e.kind, e.from_status, e.to_status,
             e.actor, e.note, e.run_id
        from public.finding_events e
        join public.findings f on f.id = e.finding_id;

    grant select on analytics.discrepancies, analytics.discrepancy_counts, analytics.discrepancy_events to oss_analyst;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop view if exists analytics.discrepancy_events, analytics.discrepancy_counts, analytics.discrepancies;
    drop index if exists perizinan_id_proyek, proyek_lokasi_id_proyek;
    drop table if exists finding_evaluations, finding_runs, finding_events, findings, finding_rules;
    drop function if exists finding_events_append_only(), finding_id_date(text), finding_rupiah(numeric),
      finding_name_key(text);
  `);
}
