/*
 * Merge: the candidates of an evaluation (eval_cand) into `findings`, with their lifecycle events, in this order:
 * - reopen: a `resolved` finding whose rule fires again reopens as `open` (event 'reopened'); a `dismissed` finding
 *   reopens only when its evidence differs from the evidence it was dismissed with;
 * - seen: open/in_review/confirmed/dismissed findings get last_seen_at, the new message and evidence (event
 *   'evidence_changed' when the evidence changed, except for dismissed ones, whose evidence is unchanged here);
 * - resolve: open/in_review/confirmed findings inside the evaluated scope whose rule no longer fires become
 *   `resolved` with the run that resolved them (event 'resolved'). Confirmed findings auto-resolve too: the problem
 *   is gone from OSS, and the event keeps who confirmed it. Dismissed findings never auto-resolve (a verifier closed
 *   them; they wait, dismissed, for their evidence to change). Rows with deleted_at are not evaluated, so their
 *   findings resolve. A resolve guard (config) refuses to resolve an implausible share at once;
 * - new: first detection, status `open` (event 'detected').
 * Re-syncs never duplicate a finding: (rule_code, entity_type, entity_id) is unique.
 */
import type { Knex } from 'knex';
import type { Rule, RuleConfig } from '../rules/index.js';
import type { FindingCounts, ResolveGuardOutcome } from './report.js';
import { bump } from './report.js';
import { rows } from './sql.js';

const ACTIVE = `('open', 'in_review', 'confirmed')`;
const MATCH = `c.rule_code = f.rule_code and c.entity_type = f.entity_type and c.entity_id = f.entity_id`;

type RuleTally = { rule_code: string; n: number };

/** Keeps finding_rules (titles for the analyst views) in step with the rule table. */
export async function refreshRuleTable(trx: Knex.Transaction, rules: readonly Rule[]): Promise<void> {
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

/*
 * The merge reads `findings` once into temp tables (eval_diff: each candidate with its existing finding; eval_gone:
 * active findings in scope that no candidate matches), then writes `findings` joined to them by primary key. A
 * statement that scans findings while it writes them can degrade into a quadratic plan (a nested loop rescanning the
 * table it appends to), so no statement below does both. A finding is in scope when its rule was evaluated
 * region-wide (eval_rules.all_entities) or its entity is in the rule's scope (eval_rule_scope).
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
         and (r.all_entities or exists (select 1 from eval_rule_scope s
                                         where s.rule_code = f.rule_code and s.entity_type = f.entity_type
                                           and s.entity_id = f.entity_id))
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

/** Merges eval_cand into findings (see the file header); fills `counts` and returns the resolve guard's verdict. */
export async function mergeCandidates(
  trx: Knex.Transaction,
  opts: { now: Date; run: number | null; config: RuleConfig; force: boolean; counts: FindingCounts },
  step: (name: string) => void,
): Promise<ResolveGuardOutcome> {
  const { now, run, counts } = opts;
  await diffCandidates(trx);
  step('diff');
  for (const r of await reopen(trx, now, run)) bump(counts, r.rule_code, 'reopened', r.n);
  step('reopen');
  await markSeen(trx, now, run);
  step('seen');
  const guard = await resolveGuard(trx, opts.config, opts.force);
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
  const active = await rows<RuleTally>(
    trx,
    `select rule_code, count(*)::int as n from findings where status in ${ACTIVE} group by rule_code`,
  );
  for (const r of active) bump(counts, r.rule_code, 'open', r.n);
  return guard;
}
