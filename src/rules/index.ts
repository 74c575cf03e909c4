/**
 * The discrepancy rule catalogue (shared/contracts/discrepancy-rules.md) as a table. Each rule is SQL over the
 * synced tables, built from a RuleSqlContext (region, evaluation day, thresholds, reference data, scope); the
 * evaluation engine (src/verification/evaluate.ts) runs them set-based and keeps one finding per (rule, entity).
 */
import {
  DATE_INCONSISTENT,
  KBLI_INVALID,
  KD_DAERAH_INVALID,
  NIB_FORMAT,
  NIK_INVALID,
  NPWP_FORMAT,
  NPWP_MULTI_NIB,
} from './identity.js';
import {
  INVESTMENT_STATUS_INCONSISTENT,
  LICENCE_STATUS_UNKNOWN,
  LOCATION_OUTSIDE_REGION,
  RISK_LICENCE_MISSING,
} from './licensing.js';
import {
  AWAITING_APPROVAL_STALE,
  DUPLICATE_PARTNERSHIP,
  EXPIRED_STILL_ACTIVE,
  FLAG_UMK_VS_SCALE,
  NO_REALISATION,
  PARTNER_AFFILIATED,
  PARTNER_NAME_MISMATCH,
  PARTNER_NIB_INACTIVE,
  PARTNER_NIB_NOT_FOUND,
  PARTNER_NOT_UMKM,
  PATTERN_KBLI_MISMATCH,
  REALISATION_EXCEEDS,
  REQUIRED_PARTNERSHIP_MISSING,
  SCALE_VS_CAPITAL,
  UB_NOT_LARGE,
  UMKM_OUTSIDE_REGION,
  VALUE_IMPLAUSIBLE,
} from './partnership.js';
import type { Rule } from './types.js';

export type { PatternRule, RuleConfig } from './config.js';
export { DEFAULT_RULE_CONFIG, parseRuleConfig } from './config.js';
export { messageSql, renderMessage, templateKeys } from './sql.js';
export type { Rule, RuleCheck, RuleReference, RuleSqlContext, Severity } from './types.js';
export { SEVERITIES } from './types.js';

/** Every rule of the catalogue, in the catalogue's order. */
export const RULES: readonly Rule[] = Object.freeze([
  NIB_FORMAT,
  NPWP_FORMAT,
  NPWP_MULTI_NIB,
  NIK_INVALID,
  KD_DAERAH_INVALID,
  KBLI_INVALID,
  DATE_INCONSISTENT,
  PARTNER_NIB_NOT_FOUND,
  PARTNER_NIB_INACTIVE,
  PARTNER_NOT_UMKM,
  UB_NOT_LARGE,
  UMKM_OUTSIDE_REGION,
  PARTNER_AFFILIATED,
  SCALE_VS_CAPITAL,
  FLAG_UMK_VS_SCALE,
  VALUE_IMPLAUSIBLE,
  PATTERN_KBLI_MISMATCH,
  NO_REALISATION,
  REALISATION_EXCEEDS,
  DUPLICATE_PARTNERSHIP,
  AWAITING_APPROVAL_STALE,
  EXPIRED_STILL_ACTIVE,
  PARTNER_NAME_MISMATCH,
  REQUIRED_PARTNERSHIP_MISSING,
  RISK_LICENCE_MISSING,
  LICENCE_STATUS_UNKNOWN,
  LOCATION_OUTSIDE_REGION,
  INVESTMENT_STATUS_INCONSISTENT,
]);

/** The rule codes, in catalogue order. */
export const RULE_CODES: readonly string[] = RULES.map((r) => r.code);

/** The rule with this code, or undefined. */
export function ruleByCode(code: string): Rule | undefined {
  return RULES.find((r) => r.code === code);
}
