import { z } from 'zod';

/*
 * Thresholds and matrices of the rules (config/rules.json). Every key is optional in the file: a missing key takes
 * the catalogue's default below, so a deployment only writes what it changes.
 */

const digits = (n: string) => z.string().regex(/^\d+$/, { error: `${n} must be a string of digits` });
const amount = z.number().positive().finite();
const box = z.strictObject({
  lat_min: z.number().min(-90).max(90),
  lat_max: z.number().min(-90).max(90),
  lng_min: z.number().min(-180).max(180),
  lng_max: z.number().min(-180).max(180),
});
const prefixes = z.array(digits('a KBLI prefix').max(5)).min(1);

/** What a partnership pattern requires of the parties' KBLI: prefixes (2–5 digits) that must match. */
const patternRule = z.strictObject({
  /** The UB's KBLI must start with one of these. */
  ub: prefixes.optional(),
  /** The UMKM's KBLI must start with one of these. */
  umkm: prefixes.optional(),
  /** When the UB's KBLI starts with a key, the UMKM's must start with one of its prefixes (it supplies the UB). */
  umkm_by_ub: z.record(digits('a KBLI prefix').max(5), prefixes).optional(),
});

export const ruleConfigSchema = z.strictObject({
  _comment: z.string().optional(),
  /** Region prefix the rules verify; null: OSS_KD_DAERAH. */
  region_prefix: z
    .string()
    .regex(/^\d{2}(\d{2})?$/, { error: 'region_prefix must be 2 or 4 digits' })
    .nullable()
    .prefault(null),
  /** AWAITING_APPROVAL_STALE: days a partnership may wait in status 02. */
  awaiting_approval_stale_days: z.number().int().min(1).max(3650).prefault(30),
  required_partnership: z
    .strictObject({
      /** data_dni kd_dni codes that oblige a partnership (Peraturan BKPM 3/2025). */
      kd_dni: z.array(digits('kd_dni')).min(1),
      /** Months a UB has to replace a partner that grew into a large business (Pasal 22 ayat 2). */
      replacement_grace_months: z.number().int().min(1).max(120),
    })
    .prefault({ kd_dni: ['65', '111', '115'], replacement_grace_months: 12 }),
  /** PP 7/2021 Pasal 35 upper bounds per skala usaha (01 mikro, 02 kecil, 03 menengah; 04 besar has none), rupiah. */
  scale_ceilings: z
    .strictObject({
      capital: z.strictObject({ '01': amount, '02': amount, '03': amount }),
      annual_sales: z.strictObject({ '01': amount, '02': amount, '03': amount }),
    })
    .prefault({
      capital: { '01': 1_000_000_000, '02': 5_000_000_000, '03': 10_000_000_000 },
      annual_sales: { '01': 2_000_000_000, '02': 15_000_000_000, '03': 50_000_000_000 },
    }),
  /** Bounding boxes by region prefix; a region missing here uses config/reference/wilayah.json. */
  bounding_boxes: z.record(digits('a region prefix'), box).prefault({}),
  /** pola_kemitraan → what it requires of the KBLIs; patterns not listed are not checked. */
  pattern_kbli: z.record(z.string().regex(/^\d{2}$/), patternRule).prefault({}),
  /**
   * An evaluation that would resolve more than max_ratio of the active findings it covers (and more than
   * min_findings) resolves none: a half-empty sync must not close the verifiers' queue. `evaluate --force` overrides.
   */
  resolve_guard: z
    .strictObject({ max_ratio: z.number().min(0).max(1), min_findings: z.number().int().min(0) })
    .prefault({ max_ratio: 0.5, min_findings: 50 }),
});

export type RuleConfig = z.output<typeof ruleConfigSchema>;
export type PatternRule = z.output<typeof patternRule>;

/** Parses a rules.json object; throws a readable Error listing every problem. */
export function parseRuleConfig(input: unknown, source = 'config/rules.json'): RuleConfig {
  const parsed = ruleConfigSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`${source} is invalid:\n${problems.join('\n')}`);
  }
  return parsed.data;
}

/** The catalogue's defaults (an empty rules.json). */
export const DEFAULT_RULE_CONFIG: RuleConfig = parseRuleConfig({}, 'defaults');
