/**
 * The discrepancy rule catalogue as a table. Each rule is SQL over the synced tables, built from a RuleSqlContext
 * (region, evaluation day, thresholds, reference data, scope), and names the tables it reads; the evaluation engine
 * (src/verification/evaluate.ts) runs them set-based and keeps one finding per (rule, entity).
 */
import { IDENTITY_RULES } from './identity.js';
import { LICENSING_RULES } from './licensing.js';
import { PARTNERSHIP_RULES } from './partnership.js';
import type { Rule } from './types.js';

export type { PatternRule, RuleConfig } from './config.js';
export { DEFAULT_RULE_CONFIG, parseRuleConfig } from './config.js';
export { messageSql, renderMessage, templateKeys } from './sql.js';
export type { ReadTable, Rule, RuleCheck, RuleReference, RuleSqlContext, Severity } from './types.js';
export { READ_TABLES, SEVERITIES } from './types.js';

/** Every rule of the catalogue, in the catalogue's order: its families in turn. */
export const RULES: readonly Rule[] = Object.freeze([...IDENTITY_RULES, ...PARTNERSHIP_RULES, ...LICENSING_RULES]);

/** The rule codes, in catalogue order. */
export const RULE_CODES: readonly string[] = RULES.map((r) => r.code);

/** The rule with this code, or undefined. */
export function ruleByCode(code: string): Rule | undefined {
  return RULES.find((r) => r.code === code);
}
