/** What an evaluation reports: counts per rule, the resolve guard's verdict, what it covered. */
import type { EntityType } from '../domain/glossary.js';

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
  /**
   * 'all' for a region-wide evaluation; else, per entity type, the entities the logged changes reach through the
   * tables the rules read (time-based rules are evaluated region-wide regardless).
   */
  scopeSizes: Record<EntityType, number> | 'all';
  /** Entities each rule was evaluated for: 'all' region-wide (and for time-based rules), else how many. */
  scopeByRule: Record<string, number | 'all'>;
  /** Change-log entries this evaluation covered (and consumed). */
  changes: number;
}

export function emptyCounts(codes: readonly string[]): FindingCounts {
  const out: FindingCounts = {};
  for (const code of codes) out[code] = { new: 0, resolved: 0, reopened: 0, open: 0 };
  return out;
}

export function bump(counts: FindingCounts, code: string, key: keyof RuleCounts, n: number): void {
  const c = counts[code] ?? { new: 0, resolved: 0, reopened: 0, open: 0 };
  c[key] += n;
  counts[code] = c;
}
