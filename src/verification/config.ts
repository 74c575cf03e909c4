/** Loads the rules' configuration and reference data from config/ (the IO half of src/rules). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EntityType } from '../domain/glossary.js';
import { toWibDate } from '../domain/wib.js';
import { loadReference, projectRoot } from '../reference.js';
import { parseRuleConfig, type RuleConfig, type RuleReference, type RuleSqlContext } from '../rules/index.js';

/** config/rules.json, validated; the catalogue's defaults for keys it leaves out. Bounding boxes fall back to wilayah.json. */
export function loadRuleConfig(root = projectRoot()): RuleConfig {
  const file = join(root, 'config', 'rules.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as Error).message}`);
  }
  const config = parseRuleConfig(raw, file);
  const reference = loadReference(root);
  return { ...config, bounding_boxes: { ...reference.boundingBoxes, ...config.bounding_boxes } };
}

/** config/reference/status-izin.json: the PIA licence status table (code → uraian). */
export function loadStatusIzin(root = projectRoot()): Readonly<Record<string, string>> {
  const file = join(root, 'config', 'reference', 'status-izin.json');
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { codes?: Record<string, string> };
  if (!parsed.codes || typeof parsed.codes !== 'object') throw new Error(`${file} has no "codes" table`);
  return parsed.codes;
}

/** Readable region names by code: provinces by 2 digits, kabupaten/kota by 4 ("Kabupaten Rembang", "Kota Semarang"). */
function regionNames(provinces: Readonly<Record<string, string>>, kabupaten: Readonly<Record<string, string>>) {
  const names: Record<string, string> = { ...provinces };
  for (const [code, name] of Object.entries(kabupaten)) {
    names[code] = /^(Kota|Kabupaten|Kepulauan Seribu)\b/.test(name) ? name : `Kabupaten ${name}`;
  }
  return names;
}

/** The reference data the rules compare against. */
export function loadRuleReference(root = projectRoot()): RuleReference {
  const ref = loadReference(root);
  return {
    provinces: Object.keys(ref.provinces),
    kabupaten: Object.keys(ref.kabupaten),
    kabupatenCompleteForProvinces: ref.kabupatenCompleteForProvinces,
    kecamatan: Object.keys(ref.kecamatan),
    kbli: Object.keys(ref.kbli),
    statusIzin: Object.keys(loadStatusIzin(root)),
    regionNames: regionNames(ref.provinces, ref.kabupaten),
  };
}

/**
 * Builds the context rule SQL is generated from. `scopeTable` names the temp table of (entity_type, entity_id)
 * being evaluated, or null when the whole region is.
 */
export function buildRuleContext(opts: {
  region: string;
  now: Date;
  config: RuleConfig;
  reference: RuleReference;
  scopeTable: string | null;
}): RuleSqlContext {
  const { region, config, reference, scopeTable } = opts;
  if (!/^\d{2}(\d{2})?$/.test(region)) throw new Error(`the region prefix must be 2 or 4 digits, got "${region}"`);
  const regionName = reference.regionNames[region] ?? `wilayah ${region}`;
  return {
    region,
    regionName,
    today: toWibDate(opts.now),
    config,
    reference,
    scoped: scopeTable !== null,
    inScope: (entityType: EntityType, column: string) =>
      scopeTable === null
        ? 'true'
        : `${column} in (select s.entity_id from ${scopeTable} s where s.entity_type = '${entityType}')`,
  };
}
