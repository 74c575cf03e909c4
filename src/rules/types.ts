import type { EntityType } from '../domain/glossary.js';
import type { RuleConfig } from './config.js';

export const SEVERITIES = ['error', 'warning', 'info'] as const;

/**
 * The tables rule SQL may read. A trigger logs every change to them (entity_changes), and an incremental evaluation
 * re-evaluates a rule for the entities a change to a table it reads can affect.
 */
export const READ_TABLES = [
  'kemitraan',
  'kemitraan_realisasi',
  'pelaku_usaha',
  'pemegang_saham',
  'penanggung_jawab',
  'proyek',
  'proyek_lokasi',
  'proyek_produk',
  'perizinan',
  'nib_not_found',
  'change_history',
] as const;
export type ReadTable = (typeof READ_TABLES)[number];
/** error: the partnership or licence does not meet a legal condition; warning: inconsistent data to check; info: worth a look. */
export type Severity = (typeof SEVERITIES)[number];

/** Reference data the rules compare against (config/reference). */
export interface RuleReference {
  provinces: readonly string[];
  kabupaten: readonly string[];
  /** Provinces whose kabupaten list is complete: an unknown kabupaten there is an error. */
  kabupatenCompleteForProvinces: readonly string[];
  /** Known 6-digit kecamatan codes (complete for the kabupaten they belong to). */
  kecamatan: readonly string[];
  kbli: readonly string[];
  /** Lampiran 10 licence status codes (config/reference/status-izin.json). */
  statusIzin: readonly string[];
  /** Names of regions by code (2-digit provinces, 4-digit kabupaten), for messages. */
  regionNames: Readonly<Record<string, string>>;
}

/** Everything a rule's SQL is built from. Values are inlined as literals (see sql.ts), never user input. */
export interface RuleSqlContext {
  /** Region prefix (2 or 4 digits) whose data is verified. */
  region: string;
  /** Readable name of the region, e.g. "Kabupaten Rembang". */
  regionName: string;
  /** The evaluation day in WIB, 'YYYY-MM-DD'. Time-based rules compare against it. */
  today: string;
  config: RuleConfig;
  reference: RuleReference;
  /**
   * A SQL condition restricting `column` (an entity id of `entityType`) to the evaluation scope; 'true' when the
   * whole region is evaluated (or for time-based rules, which always are).
   */
  inScope(entityType: EntityType, column: string): string;
  /** True when inScope restricts (an incremental evaluation of a non-time-based rule). */
  scoped: boolean;
}

/**
 * One evaluation of a rule over one entity type. `sql` returns a select with the columns
 * entity_id text, evidence jsonb (the compared fields and values, stable while the data is unchanged),
 * params jsonb (extra values for the message only, e.g. days elapsed: never part of the evidence hash) and
 * related text[] (keys 'entity_type:id' of other entities the result depends on, or null). One row per entity.
 */
export interface RuleCheck {
  entityType: EntityType;
  /** Every table its SQL reads: the evaluation scope follows from them (src/verification/scope.ts). */
  reads: readonly ReadTable[];
  /**
   * Indonesian message for the verifier; `{name}` is replaced by params.name, else evidence.name (top level), and
   * `{entity_id}` by the entity's id. A missing value prints '-'.
   */
  message: string;
  sql(ctx: RuleSqlContext): string;
}

/** A discrepancy rule of the catalogue. */
export interface Rule {
  /** Stable identifier used by analysts and exports. */
  code: string;
  severity: Severity;
  /** Indonesian title shown to verifiers. */
  title: string;
  /** What the rule checks, in one Indonesian sentence (README and `show`). */
  description: string;
  /**
   * Depends on the evaluation day, not only on data (staleness, expiry, future dates): evaluated region-wide on
   * every evaluation, so its findings appear and resolve as days pass even when nothing was synced.
   */
  timeBased: boolean;
  checks: readonly RuleCheck[];
}
