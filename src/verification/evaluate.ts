/*
 * The evaluation engine: runs the rules of src/rules as set-based SQL over everything changed since the last
 * completed evaluation (or over the whole region) and merges the result into `findings` with its lifecycle events.
 * One evaluation is one transaction under an advisory lock:
 *   1. scope (scope.ts): take the change log; derive each rule's scope from the tables it reads, or go region-wide;
 *   2. candidates: every rule check inserts its rows (entity, evidence, message) into eval_cand; time-based rules
 *      always evaluate the whole region;
 *   3. placement (placement.ts): region code and kecamatan of each candidate;
 *   4. merge (merge.ts): reopen, seen, resolve (with its guard), new.
 * A failed evaluation rolls back whole, log included: the next one covers the same changes.
 */
import { performance } from 'node:perf_hooks';
import type { Knex } from 'knex';
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
import { mergeCandidates, refreshRuleTable } from './merge.js';
import { placeCandidates } from './placement.js';
import { type EvaluationReport, emptyCounts } from './report.js';
import {
  createScopeTables,
  deriveReach,
  fillRuleScope,
  INCREMENTAL_LIMIT,
  reachedSizes,
  takePendingChanges,
} from './scope.js';
import { rows } from './sql.js';

export type { EvaluationReport, FindingCounts, ResolveGuardOutcome, RuleCounts } from './report.js';

export interface EvaluatePendingOptions {
  /** The run the evaluation follows (recorded as the run that saw/resolved findings); null on demand. */
  runId: number | null;
  /** The evaluation instant: first/last seen times and the day time-based rules compare against (in WIB). */
  now: Date;
  /** OSS_KD_DAERAH; config/rules.json region_prefix overrides it when set. */
  kdDaerah: string;
  /** Evaluate the whole region, whatever changed (`evaluate --all`). */
  all?: boolean;
  /** Resolve even when the resolve guard would refuse (`evaluate --force`). */
  force?: boolean;
  /** Above this many change-log entries the evaluation is region-wide (default INCREMENTAL_LIMIT). */
  maxIncremental?: number;
  /** Overrides for tests: the rule table, thresholds and reference data. */
  rules?: readonly Rule[];
  config?: RuleConfig;
  reference?: RuleReference;
  /** Called after each step with its duration (benchmarks, debug logging). */
  onStep?: (step: string, ms: number) => void;
}

/** Advisory lock key serializing evaluations (after any write, and on demand). */
const EVALUATION_LOCK = 4_317_001;

/**
 * Evaluates what changed since the last completed evaluation, whoever wrote it: the one call after any write.
 * Returns the counts per rule, the resolve guard's verdict and what was covered.
 */
export async function evaluatePending(db: Knex, opts: EvaluatePendingOptions): Promise<EvaluationReport> {
  const rules = opts.rules ?? RULES;
  const config = opts.config ?? loadRuleConfig();
  const reference = opts.reference ?? loadRuleReference();
  const region = config.region_prefix ?? opts.kdDaerah;
  const { runId: run, now } = opts;
  const counts = emptyCounts(rules.map((r) => r.code));
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
    await createCandidateTables(trx);
    await createScopeTables(trx);
    const taken = await takePendingChanges(trx, {
      all: opts.all === true,
      limit: opts.maxIncremental ?? INCREMENTAL_LIMIT,
    });
    const regionWide = taken.regionWide;
    const [evaluation] = await rows<{ id: number }>(
      trx,
      `insert into finding_evaluations (run_id, scope, evaluated_as_of) values (?, ?, ?) returning id`,
      [run, regionWide ? 'all' : 'incremental', now],
    );
    const evaluationId = Number(evaluation?.id);
    await refreshRuleTable(trx, rules);
    if (!regionWide) await deriveReach(trx, rules);
    step('scope');

    const full = buildRuleContext({ region, now, config, reference, scopeTable: null });
    const scoped = buildRuleContext({ region, now, config, reference, scopeTable: 'eval_scope' });
    const scopeByRule: EvaluationReport['scopeByRule'] = {};
    for (const rule of rules) {
      const wide = regionWide || rule.timeBased;
      const sizes = wide ? null : await fillRuleScope(trx, rule);
      scopeByRule[rule.code] = sizes === null ? 'all' : Object.values(sizes).reduce((a, n) => a + n, 0);
      await trx.raw(`insert into eval_rules values (${lit(rule.code)}, ${wide})`);
      for (const check of rule.checks) {
        // A check whose entity type has nothing in scope can neither find nor resolve anything.
        if (sizes !== null && !sizes[check.entityType]) continue;
        await trx.raw(candidateSql(rule.code, rule.severity, check, check.sql(wide ? full : scoped)));
      }
      step(`rule ${rule.code}`);
    }
    await trx.raw('analyze eval_cand');
    await placeCandidates(trx, region);
    step('placement');

    const guard = await mergeCandidates(trx, { now, run, config, force: opts.force === true, counts }, step);
    const scopeSizes = regionWide ? 'all' : await reachedSizes(trx);
    await trx.raw(
      `update finding_evaluations set finished_at = clock_timestamp(), scope_sizes = ?::jsonb, counts = ?::jsonb,
              resolve_guard = ?::jsonb where id = ?`,
      [
        JSON.stringify({ ...(scopeSizes === 'all' ? { all: true } : scopeSizes), changes: taken.changes }),
        JSON.stringify(counts),
        JSON.stringify(guard),
        evaluationId,
      ],
    );
    return { evaluationId, counts, guard, scopeSizes, scopeByRule, changes: taken.changes };
  });
}

async function createCandidateTables(trx: Knex.Transaction): Promise<void> {
  // Dropped first: inside an enclosing transaction (tests, a caller's trx) a previous evaluation's tables remain.
  await trx.raw(`
    drop table if exists eval_rules, eval_cand;
    create temp table eval_rules (rule_code text primary key, all_entities boolean not null) on commit drop;
    create temp table eval_cand (
      rule_code text not null, entity_type text not null, entity_id text not null, severity text not null,
      evidence jsonb not null, evidence_hash text not null, message text not null, related text[] not null,
      kd_daerah text, kd_kecamatan text,
      primary key (rule_code, entity_type, entity_id)
    ) on commit drop;`);
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
