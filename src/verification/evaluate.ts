/*
 * The evaluation engine: runs the rules of src/rules as set-based SQL over what a sync changed (plus what depends
 * on it) or over the whole region, and merges the result into `findings` with its lifecycle events.
 *
 * One evaluation is one transaction under an advisory lock:
 *   1. scope: the entity ids to evaluate (expandScope below), or everything;
 *   2. candidates: every rule check inserts its rows (entity, evidence, message) into a temp table; time-based
 *      rules always evaluate the whole region;
 *   3. placement: region code and kecamatan of each candidate (the entity's own code, or its in-region location);
 *   4. merge, in this order:
 *      - reopen: a `resolved` finding whose rule fires again reopens as `open` (event 'reopened'); a `dismissed`
 *        finding reopens only when its evidence differs from the evidence it was dismissed with;
 *      - seen: open/in_review/confirmed/dismissed findings get last_seen_at, the new message and evidence (event
 *        'evidence_changed' when the evidence changed, except for dismissed ones, whose evidence is unchanged here);
 *      - resolve: open/in_review/confirmed findings inside the scope whose rule no longer fires become `resolved`
 *        with the run that resolved them (event 'resolved'). Confirmed findings auto-resolve too: the problem is
 *        gone from OSS, and the event keeps who confirmed it. Dismissed findings never auto-resolve (a verifier
 *        closed them; they wait, dismissed, for their evidence to change). Rows with deleted_at are not evaluated,
 *        so their findings resolve. A resolve guard (config) refuses to resolve an implausible share at once;
 *      - new: first detection, status `open` (event 'detected').
 *   Re-syncs never duplicate a finding: (rule_code, entity_type, entity_id) is unique.
 */
import { performance } from 'node:perf_hooks';
import type { Knex } from 'knex';
import type { EntityType } from '../domain/glossary.js';
import { ENTITY_TYPES } from '../domain/glossary.js';
import {
  messageSql,
  RULES,
  type Rule,
  type RuleCheck,
  type RuleConfig,
  type RuleReference,
  type Severity,
} from '../rules/index.js';
import { lit } from '../rules/sql.js';
import { buildRuleContext, loadRuleConfig, loadRuleReference } from './config.js';

export { renderFindingsSummary } from './summary.js';

/** Per rule: findings newly detected, auto-resolved and reopened by this evaluation, and still active after it. */
export interface RuleCounts {
  new: number;
  resolved: number;
  reopened: number;
  /** Findings of the rule that are open, in_review or confirmed after the evaluation. */
  open: number;
}

/** Counts per rule code (every rule of the catalogue is present). */
export type FindingCounts = Record<string, RuleCounts>;

/** What to evaluate: the whole region, or what a run changed (expanded to what depends on it). */
export type EvaluationScope = 'all' | { kemitraan: string[]; nibs: string[]; izin: string[] };

export interface EvaluateOptions {
  /** The sync run the evaluation belongs to (recorded as the run that saw/resolved findings); null on demand. */
  runId: number | null;
  scope: EvaluationScope;
  /** The evaluation instant: first/last seen times and the day time-based rules compare against (in WIB). */
  now: Date;
  /** OSS_KD_DAERAH; config/rules.json region_prefix overrides it when set. */
  kdDaerah: string;
  /** Resolve even when the resolve guard would refuse (`evaluate --force`). */
  force?: boolean;
  /** Overrides for tests: the rule table, thresholds and reference data. */
  rules?: readonly Rule[];
  config?: RuleConfig;
  reference?: RuleReference;
  /** Called after each step with its duration (benchmarks, debug logging). */
  onStep?: (step: string, ms: number) => void;
}

/** The resolve guard's verdict for one evaluation. */
export interface ResolveGuardOutcome {
  blocked: boolean;
  wouldResolve: number;
  /** Active findings (open, in_review, confirmed) inside the evaluated scope. */
  active: number;
  maxRatio: number;
  minFindings: number;
}

export interface EvaluationReport {
  evaluationId: number;
  counts: FindingCounts;
  guard: ResolveGuardOutcome;
  /** Entities evaluated per type, or 'all'. */
  scopeSizes: Record<EntityType, number> | 'all';
}

/** Advisory lock key serializing evaluations (sync and on demand). */
const EVALUATION_LOCK = 4_317_001;

const ACTIVE = `('open', 'in_review', 'confirmed')`;
const MATCH = `c.rule_code = f.rule_code and c.entity_type = f.entity_type and c.entity_id = f.entity_id`;

function emptyCounts(rules: readonly Rule[]): FindingCounts {
  const out: FindingCounts = {};
  for (const r of rules) out[r.code] = { new: 0, resolved: 0, reopened: 0, open: 0 };
  return out;
}

type Exec = Knex | Knex.Transaction;

async function rows<T>(db: Exec, sql: string, bindings: readonly unknown[] = []): Promise<T[]> {
  const result = bindings.length ? await db.raw(sql, bindings as Knex.RawBinding[]) : await db.raw(sql);
  return result.rows as T[];
}

/** Evaluates the rules and merges the findings; returns the counts per rule. */
export async function evaluateFindings(db: Knex, opts: EvaluateOptions): Promise<FindingCounts> {
  return (await evaluateFindingsReport(db, opts)).counts;
}

/** Like evaluateFindings, with the resolve guard's verdict, the scope sizes and the evaluation id. */
export async function evaluateFindingsReport(db: Knex, opts: EvaluateOptions): Promise<EvaluationReport> {
  const rules = opts.rules ?? RULES;
  const config = opts.config ?? loadRuleConfig();
  const reference = opts.reference ?? loadRuleReference();
  const region = config.region_prefix ?? opts.kdDaerah;
  const run = opts.runId;
  const now = opts.now;
  const counts = emptyCounts(rules);

  let mark = performance.now();
  const step = (name: string) => {
    const t = performance.now();
    opts.onStep?.(name, t - mark);
    mark = t;
  };

  return db.transaction(async (trx) => {
    await trx.raw(`select pg_advisory_xact_lock(${EVALUATION_LOCK})`);
    // The rule statements are large; JIT compiling them costs seconds and saves nothing at this size.
    // One worker: the evaluation shares this small machine with the sync and `serve`; parallel workers each rebuilt
    // the same hash tables here and made the batch slower, not faster.
    await trx.raw('set local jit = off; set local max_parallel_workers_per_gather = 0');
    const [evaluation] = await rows<{ id: number }>(
      trx,
      `insert into finding_evaluations (run_id, scope, evaluated_as_of) values (?, ?, ?) returning id`,
      [run, opts.scope === 'all' ? 'all' : 'incremental', now],
    );
    const evaluationId = Number(evaluation?.id);
    await refreshRuleTable(trx, rules);
    // Dropped first: inside an enclosing transaction (tests, a caller's trx) a previous evaluation's tables remain.
    await trx.raw(`
      drop table if exists eval_scope, eval_rules, eval_cand;
      create temp table eval_scope (entity_type text not null, entity_id text not null, primary key (entity_type, entity_id)) on commit drop;
      create temp table eval_rules (rule_code text primary key, all_entities boolean not null) on commit drop;
      create temp table eval_cand (
        rule_code text not null, entity_type text not null, entity_id text not null, severity text not null,
        evidence jsonb not null, evidence_hash text not null, message text not null, related text[] not null,
        kd_daerah text, kd_kecamatan text,
        primary key (rule_code, entity_type, entity_id)
      ) on commit drop;`);

    let scopeSizes: EvaluationReport['scopeSizes'] = 'all';
    if (opts.scope !== 'all') {
      await expandScope(trx, opts.scope);
      scopeSizes = await countScope(trx);
    }
    step('scope');

    const full = buildRuleContext({ region, now, config, reference, scopeTable: null });
    const scoped =
      opts.scope === 'all' ? full : buildRuleContext({ region, now, config, reference, scopeTable: 'eval_scope' });
    for (const rule of rules) {
      const ctx = rule.timeBased ? full : scoped;
      await trx.raw(`insert into eval_rules values (${lit(rule.code)}, ${opts.scope === 'all' || rule.timeBased})`);
      for (const check of rule.checks) await trx.raw(candidateSql(rule.code, rule.severity, check, check.sql(ctx)));
      step(`rule ${rule.code}`);
    }
    await trx.raw('analyze eval_cand; analyze eval_scope');
    await placeCandidates(trx, region);
    step('placement');

    await diffCandidates(trx);
    step('diff');
    for (const r of await reopen(trx, now, run)) bump(counts, r.rule_code, 'reopened', r.n);
    step('reopen');
    await markSeen(trx, now, run);
    step('seen');
    const guard = await resolveGuard(trx, config, opts.force === true);
    if (!guard.blocked) for (const r of await resolve(trx, now, run)) bump(counts, r.rule_code, 'resolved', r.n);
    step('resolve');
    for (const r of await insertNew(trx, now, run)) bump(counts, r.rule_code, 'new', r.n);
    step('new');
    if (run !== null) {
      await trx.raw(
        `insert into finding_runs (finding_id, run_id)
         select d.finding_id, ? from eval_diff d where d.finding_id is not null on conflict do nothing`,
        [run],
      );
    }
    step('runs');
    const active = await rows<{ rule_code: string; n: number }>(
      trx,
      `select rule_code, count(*)::int as n from findings where status in ${ACTIVE} group by rule_code`,
    );
    for (const r of active) bump(counts, r.rule_code, 'open', r.n);

    await trx.raw(
      `update finding_evaluations set finished_at = clock_timestamp(), scope_sizes = ?::jsonb, counts = ?::jsonb,
              resolve_guard = ?::jsonb where id = ?`,
      [
        JSON.stringify(scopeSizes === 'all' ? { all: true } : scopeSizes),
        JSON.stringify(counts),
        JSON.stringify(guard),
        evaluationId,
      ],
    );
    return { evaluationId, counts, guard, scopeSizes };
  });
}

function bump(counts: FindingCounts, code: string, key: keyof RuleCounts, n: number): void {
  const c = counts[code] ?? { new: 0, resolved: 0, reopened: 0, open: 0 };
  c[key] += n;
  counts[code] = c;
}

/** Keeps finding_rules (titles for the analyst views) in step with the rule table. */
async function refreshRuleTable(trx: Knex.Transaction, rules: readonly Rule[]): Promise<void> {
  await trx.raw(
    `insert into finding_rules (rule_code, severity, title, entity_types, time_based)
     select r.code, r.severity, r.title, array(select jsonb_array_elements_text(r.entity_types)), r.time_based
       from json_to_recordset(?::json) as r(code text, severity text, title text, entity_types jsonb, time_based boolean)
     on conflict (rule_code) do update set severity = excluded.severity, title = excluded.title,
       entity_types = excluded.entity_types, time_based = excluded.time_based, updated_at = now()
     where (finding_rules.severity, finding_rules.title, finding_rules.entity_types, finding_rules.time_based)
           is distinct from (excluded.severity, excluded.title, excluded.entity_types, excluded.time_based)`,
    [
      JSON.stringify(
        rules.map((r) => ({
          code: r.code,
          severity: r.severity,
          title: r.title,
          entity_types: [...new Set(r.checks.map((c) => c.entityType))],
          time_based: r.timeBased,
        })),
      ),
    ],
  );
}

/** The INSERT of one rule check's rows into eval_cand, with the message rendered in SQL. */
function candidateSql(code: string, severity: Severity, check: RuleCheck, select: string): string {
  // knex reads every '?' as a bind parameter, even without bindings: escape them (a '?' in a message or a literal).
  return `
    insert into eval_cand (rule_code, entity_type, entity_id, severity, evidence, evidence_hash, message, related)
    select ${lit(code)}, ${lit(check.entityType)}, r.entity_id, ${lit(severity)}, r.evidence, md5(r.evidence::text),
           ${messageSql(check.message, 'r')}, coalesce(r.related, '{}')
      from (${select}) r
     where r.entity_id is not null
    on conflict do nothing`.replace(/\?/g, '\\?');
}

/**
 * Fills eval_scope from what changed, expanded to what depends on it:
 * - kemitraan: the changed ones; those whose nib_ub or nib_umkm is a changed NIB; those with the same parties and
 *   pattern as a changed one (DUPLICATE_PARTNERSHIP);
 * - pelaku_usaha: the changed NIBs; NIBs sharing an NPWP with one (NPWP_MULTI_NIB); the UB of a changed
 *   partnership, also its previous UB from change_history, and the UBs partnering a changed NIB
 *   (REQUIRED_PARTNERSHIP_MISSING);
 * - proyek: projects of changed NIBs and of changed licences (RISK_LICENCE_MISSING);
 * - perizinan: the changed licences and those of changed NIBs;
 * - for every type: entities whose existing findings were computed from a changed entity (findings.related), so a
 *   peer's finding resolves when the change breaks the link (e.g. the other NIB of an NPWP changed its NPWP).
 */
export async function expandScope(
  trx: Knex.Transaction,
  changed: { kemitraan: readonly string[]; nibs: readonly string[]; izin: readonly string[] },
): Promise<void> {
  const K = [...new Set(changed.kemitraan)];
  const N = [...new Set(changed.nibs)];
  const I = [...new Set(changed.izin)];
  const keys = [
    ...K.map((k) => `kemitraan:${k}`),
    ...N.map((n) => `pelaku_usaha:${n}`),
    ...I.map((i) => `perizinan:${i}`),
  ];
  const related = (type: EntityType) =>
    `select f.entity_id from findings f where f.entity_type = '${type}' and f.related && ?::text[]`;
  await trx.raw(
    `insert into eval_scope (entity_type, entity_id)
     select 'kemitraan', id from (
       select unnest(?::text[]) as id
       union select k.id_kemitraan from kemitraan k where k.nib_ub = any(?::text[]) or k.nib_umkm = any(?::text[])
       union select b.id_kemitraan from kemitraan a
               join kemitraan b on b.nib_ub = a.nib_ub and b.pola_kemitraan = a.pola_kemitraan
                               and coalesce(b.nib_umkm, b.nik_umkm_hash) = coalesce(a.nib_umkm, a.nik_umkm_hash)
              where a.id_kemitraan = any(?::text[])
       union ${related('kemitraan')}
     ) x where id is not null
     on conflict do nothing`,
    [K, N, N, K, keys],
  );
  await trx.raw(
    `insert into eval_scope (entity_type, entity_id)
     select 'pelaku_usaha', nib from (
       select unnest(?::text[]) as nib
       union select p2.nib from pelaku_usaha p1 join pelaku_usaha p2 on p2.npwp_hash = p1.npwp_hash
              where p1.nib = any(?::text[]) and p1.npwp_hash is not null
       union select k.nib_ub from kemitraan k where k.id_kemitraan = any(?::text[])
       union select k.nib_ub from kemitraan k where k.nib_umkm = any(?::text[])
       union select h.old_value #>> '{}' from change_history h
              where h.entity_type = 'kemitraan' and h.entity_id = any(?::text[]) and h.field = 'nib_ub'
       union ${related('pelaku_usaha')}
     ) x where nib is not null
     on conflict do nothing`,
    [N, N, K, N, K, keys],
  );
  await trx.raw(
    `insert into eval_scope (entity_type, entity_id)
     select 'proyek', id from (
       select pr.id_proyek as id from proyek pr where pr.nib = any(?::text[])
       union select z.id_proyek from perizinan z where z.id_izin = any(?::text[])
       union ${related('proyek')}
     ) x where id is not null
     on conflict do nothing`,
    [N, I, keys],
  );
  await trx.raw(
    `insert into eval_scope (entity_type, entity_id)
     select 'perizinan', id from (
       select unnest(?::text[]) as id
       union select z.id_izin from perizinan z where z.nib = any(?::text[])
       union ${related('perizinan')}
     ) x where id is not null
     on conflict do nothing`,
    [I, N, keys],
  );
}

async function countScope(trx: Knex.Transaction): Promise<Record<EntityType, number>> {
  const out = Object.fromEntries(ENTITY_TYPES.map((t) => [t, 0])) as Record<EntityType, number>;
  for (const r of await rows<{ entity_type: EntityType; n: number }>(
    trx,
    'select entity_type, count(*)::int as n from eval_scope group by entity_type',
  )) {
    out[r.entity_type] = r.n;
  }
  return out;
}

/**
 * Region code and kecamatan of each candidate: a partnership's kd_daerah_pelaksanaan; a business's domicile when it
 * is in the region, else its first in-region project location; a project's in-region (main) location, else its
 * business's domicile; a licence's own desa-level code, else its project's location.
 */
async function placeCandidates(trx: Knex.Transaction, region: string): Promise<void> {
  const inRegion = (col: string) => `(left(${col}, ${region.length}) = ${lit(region)})`;
  await trx.raw(`
    drop table if exists eval_loc, eval_nibloc;
    -- The main location of each project a candidate needs (a project's own, or a licence's project).
    create temp table eval_loc on commit drop as
      select distinct on (l.id_proyek) l.id_proyek, l.proyek_daerah_id
        from proyek_lokasi l
       where l.deleted_at is null and l.proyek_daerah_id is not null
         and l.id_proyek in (select c.entity_id from eval_cand c where c.entity_type = 'proyek'
                             union select z.id_proyek from eval_cand c join perizinan z on z.id_izin = c.entity_id
                                    where c.entity_type = 'perizinan')
       order by l.id_proyek, ${inRegion('l.proyek_daerah_id')} desc, (l.status_lokasi = '01') desc, l.id_proyek_lokasi;
    -- The first in-region location of each business candidate.
    create temp table eval_nibloc on commit drop as
      select distinct on (l.nib) l.nib, l.proyek_daerah_id
        from proyek_lokasi l
       where l.deleted_at is null and ${inRegion('l.proyek_daerah_id')}
         and l.nib in (select c.entity_id from eval_cand c where c.entity_type = 'pelaku_usaha')
       order by l.nib, (l.status_lokasi = '01') desc, l.id_proyek_lokasi;
    update eval_cand c set kd_daerah = k.kd_daerah_pelaksanaan
      from kemitraan k where c.entity_type = 'kemitraan' and k.id_kemitraan = c.entity_id;
    update eval_cand c set kd_daerah = coalesce(case when ${inRegion('p.perseroan_daerah_id')} then p.perseroan_daerah_id end,
                                                n.proyek_daerah_id, p.perseroan_daerah_id)
      from pelaku_usaha p left join eval_nibloc n on n.nib = p.nib
     where c.entity_type = 'pelaku_usaha' and p.nib = c.entity_id;
    update eval_cand c set kd_daerah = coalesce(lo.proyek_daerah_id, p.perseroan_daerah_id)
      from proyek pr left join eval_loc lo on lo.id_proyek = pr.id_proyek left join pelaku_usaha p on p.nib = pr.nib
     where c.entity_type = 'proyek' and pr.id_proyek = c.entity_id;
    update eval_cand c set kd_daerah = coalesce(case when z.kd_daerah ~ '^[0-9]{10}$' and substr(z.kd_daerah, 5, 2) <> '00'
                                                     then z.kd_daerah end, lo.proyek_daerah_id, z.kd_daerah)
      from perizinan z left join eval_loc lo on lo.id_proyek = z.id_proyek
     where c.entity_type = 'perizinan' and z.id_izin = c.entity_id;
    update eval_cand set kd_kecamatan = left(kd_daerah, 6)
     where kd_daerah ~ '^[0-9]{10}$' and substr(kd_daerah, 5, 2) <> '00';`);
}

type RuleTally = { rule_code: string; n: number };

/*
 * The merge reads `findings` once into temp tables (eval_diff: each candidate with its existing finding;
 * eval_gone: active findings in scope that no candidate matches), then writes `findings` joined to them by primary
 * key. A statement that scans findings while it writes them can degrade into a quadratic plan (a nested loop
 * rescanning the table it appends to), so no statement below does both.
 */
async function diffCandidates(trx: Knex.Transaction): Promise<void> {
  await trx.raw(`
    drop table if exists eval_diff, eval_gone;
    create temp table eval_diff on commit drop as
      select c.*, f.id as finding_id, f.status as old_status, f.evidence_hash as old_hash,
             f.dismissed_evidence_hash as dismissed_hash
        from eval_cand c left join findings f on ${MATCH};
    create temp table eval_gone on commit drop as
      select f.id as finding_id, f.rule_code, f.status as old_status
        from findings f join eval_rules r on r.rule_code = f.rule_code
       where f.status in ${ACTIVE}
         and (r.all_entities or exists (select 1 from eval_scope s where s.entity_type = f.entity_type and s.entity_id = f.entity_id))
         and not exists (select 1 from eval_cand c where ${MATCH});
    create index on eval_diff (finding_id);
    analyze eval_diff;
    analyze eval_gone;`);
}

/** Candidates whose finding reopens: resolved ones, and dismissed ones whose evidence changed since the dismissal. */
const REOPENS = `(d.old_status = 'resolved' or (d.old_status = 'dismissed' and d.dismissed_hash is distinct from d.evidence_hash))`;

async function reopen(trx: Knex.Transaction, now: Date, run: number | null): Promise<RuleTally[]> {
  return rows<RuleTally>(
    trx,
    `with up as (
       update findings f set status = 'open', status_changed_at = ?, severity = d.severity, message = d.message,
              evidence = d.evidence, evidence_hash = d.evidence_hash, related = d.related, kd_daerah = d.kd_daerah,
              kd_kecamatan = d.kd_kecamatan, last_seen_at = ?, last_run_id = coalesce(?::bigint, f.last_run_id),
              resolved_at = null, resolved_run_id = null, verified_by = null, verified_at = null, note = null,
              dismissed_evidence_hash = null, reopen_count = f.reopen_count + 1
         from eval_diff d
        where f.id = d.finding_id and f.status = d.old_status and ${REOPENS}
       returning f.id, f.rule_code, d.old_status, d.evidence
     ), ev as (
       insert into finding_events (finding_id, at, kind, from_status, to_status, actor, note, run_id, evidence)
       select id, ?, 'reopened', old_status, 'open', 'system',
              case old_status when 'resolved' then 'Aturan kembali terpenuhi; temuan dibuka kembali.'
                   else 'Bukti berubah sejak temuan ditolak; temuan dibuka kembali.' end, ?::bigint, evidence
         from up
     )
     select rule_code, count(*)::int as n from up group by rule_code`,
    [now, now, run, now, run],
  );
}

async function markSeen(trx: Knex.Transaction, now: Date, run: number | null): Promise<void> {
  await trx.raw(
    `with up as (
       update findings f set severity = d.severity, message = d.message, evidence = d.evidence, evidence_hash = d.evidence_hash,
              related = d.related, kd_daerah = d.kd_daerah, kd_kecamatan = d.kd_kecamatan, last_seen_at = ?,
              last_run_id = coalesce(?::bigint, f.last_run_id)
         from eval_diff d
        where f.id = d.finding_id and f.status = d.old_status and d.old_status in ('open', 'in_review', 'confirmed', 'dismissed')
          and not ${REOPENS}
       returning f.id, d.old_status, d.old_hash, d.evidence, d.evidence_hash
     )
     insert into finding_events (finding_id, at, kind, from_status, to_status, actor, note, run_id, evidence)
     select id, ?, 'evidence_changed', old_status, old_status, 'system', 'Bukti berubah pada evaluasi ini.', ?::bigint, evidence
       from up where old_hash <> evidence_hash and old_status <> 'dismissed'`,
    [now, run, now, run],
  );
}

async function resolveGuard(trx: Knex.Transaction, config: RuleConfig, force: boolean): Promise<ResolveGuardOutcome> {
  const [r] = await rows<{ active: number; would: number }>(
    trx,
    `select (select count(*) from eval_gone)::int as would,
            (select count(*) from eval_gone)::int
              + (select count(*) from eval_diff where old_status in ${ACTIVE})::int as active`,
  );
  const active = r?.active ?? 0;
  const wouldResolve = r?.would ?? 0;
  const { max_ratio: maxRatio, min_findings: minFindings } = config.resolve_guard;
  const blocked = !force && wouldResolve > minFindings && wouldResolve > maxRatio * active;
  return { blocked, wouldResolve, active, maxRatio, minFindings };
}

async function resolve(trx: Knex.Transaction, now: Date, run: number | null): Promise<RuleTally[]> {
  return rows<RuleTally>(
    trx,
    `with up as (
       update findings f set status = 'resolved', status_changed_at = ?, resolved_at = ?, resolved_run_id = ?::bigint
         from eval_gone g where f.id = g.finding_id and f.status = g.old_status
       returning f.id, f.rule_code, g.old_status
     ), ev as (
       insert into finding_events (finding_id, at, kind, from_status, to_status, actor, note, run_id)
       select id, ?, 'resolved', old_status, 'resolved', 'system', 'Aturan tidak lagi terpenuhi; temuan selesai otomatis.', ?::bigint
         from up
     )
     select rule_code, count(*)::int as n from up group by rule_code`,
    [now, now, run, now, run],
  );
}

async function insertNew(trx: Knex.Transaction, now: Date, run: number | null): Promise<RuleTally[]> {
  return rows<RuleTally>(
    trx,
    `with ins as (
       insert into findings (rule_code, severity, entity_type, entity_id, kd_daerah, kd_kecamatan, status, message, evidence,
                             evidence_hash, related, first_seen_at, last_seen_at, first_run_id, last_run_id, status_changed_at)
       select d.rule_code, d.severity, d.entity_type, d.entity_id, d.kd_daerah, d.kd_kecamatan, 'open', d.message, d.evidence,
              d.evidence_hash, d.related, ?, ?, ?::bigint, ?::bigint, ?
         from eval_diff d
        where d.finding_id is null
       on conflict (rule_code, entity_type, entity_id) do nothing
       returning id, rule_code, evidence
     ), ev as (
       insert into finding_events (finding_id, at, kind, from_status, to_status, actor, run_id, evidence)
       select id, ?, 'detected', null, 'open', 'system', ?::bigint, evidence from ins
     ), seen as (
       insert into finding_runs (finding_id, run_id)
       select id, ?::bigint from ins where ?::bigint is not null
     )
     select rule_code, count(*)::int as n from ins group by rule_code`,
    [now, now, run, run, now, now, run, run, run],
  );
}

/**
 * What a sync run changed, from the bookkeeping columns the store writes (last_run_id, deleted_run_id, nib_not_found.run_id):
 * the run's evaluation scope before expansion. Unchanged rows are never rewritten, so they do not appear.
 */
export async function changedInRun(
  db: Exec,
  runId: number,
): Promise<{ kemitraan: string[]; nibs: string[]; izin: string[] }> {
  const result = await rowsWithOneValue<{ t: string; id: string }>(
    db,
    `select 'kemitraan' as t, id_kemitraan as id from kemitraan where last_run_id = ?1 or deleted_run_id = ?1
     union select 'kemitraan', id_kemitraan from kemitraan_realisasi where last_run_id = ?1
     union select 'nib', nib from pelaku_usaha where last_run_id = ?1
     union select 'nib', nib from pemegang_saham where last_run_id = ?1
     union select 'nib', nib from penanggung_jawab where last_run_id = ?1
     union select 'nib', nib from proyek where last_run_id = ?1
     union select 'nib', nib from proyek_lokasi where last_run_id = ?1
     union select 'nib', nib from proyek_produk where last_run_id = ?1
     union select 'nib', nib from perizinan where last_run_id = ?1
     union select 'izin', id_izin from perizinan where last_run_id = ?1
     union select 'nib', nib from nib_not_found where run_id = ?1`,
    runId,
  );
  return split(result);
}

/** What changed since an instant (for `evaluate` without --all: catch up after the last evaluation). */
export async function changedSince(
  db: Exec,
  since: Date,
): Promise<{ kemitraan: string[]; nibs: string[]; izin: string[] }> {
  const tables = [
    'pelaku_usaha',
    'pemegang_saham',
    'penanggung_jawab',
    'proyek',
    'proyek_lokasi',
    'proyek_produk',
    'perizinan',
  ];
  const result = await rowsWithOneValue<{ t: string; id: string }>(
    db,
    `select 'kemitraan' as t, id_kemitraan as id from kemitraan where updated_at >= ?1 or deleted_at >= ?1
     union select 'kemitraan', id_kemitraan from kemitraan_realisasi where updated_at >= ?1 or deleted_at >= ?1
     ${tables.map((t) => `union select 'nib', nib from ${t} where updated_at >= ?1 or deleted_at >= ?1`).join('\n')}
     union select 'izin', id_izin from perizinan where updated_at >= ?1 or deleted_at >= ?1
     union select 'nib', nib from nib_not_found where last_checked_at >= ?1`,
    since,
  );
  return split(result);
}

/** Runs `sql` where every `?1` stands for the same value. */
async function rowsWithOneValue<T>(db: Exec, sql: string, value: unknown): Promise<T[]> {
  const parts = sql.split('?1');
  return rows<T>(db, parts.join('?'), Array(parts.length - 1).fill(value));
}

function split(result: Array<{ t: string; id: string }>): { kemitraan: string[]; nibs: string[]; izin: string[] } {
  const out = { kemitraan: [] as string[], nibs: [] as string[], izin: [] as string[] };
  for (const r of result) {
    if (r.t === 'kemitraan') out.kemitraan.push(r.id);
    else if (r.t === 'nib') out.nibs.push(r.id);
    else out.izin.push(r.id);
  }
  return out;
}

/** When the last evaluation started, or null when there was none. */
export async function lastEvaluationStart(db: Exec): Promise<Date | null> {
  const [r] = await rows<{ started_at: Date }>(
    db,
    'select started_at from finding_evaluations where finished_at is not null order by id desc limit 1',
  );
  return r?.started_at ?? null;
}
