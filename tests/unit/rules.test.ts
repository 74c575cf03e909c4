/**
 * The rule table (with what each check reads and how the scope links it), message templates, SQL literals, rule
 * configuration, lifecycle table and summary: pure code.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STATUS_IZIN } from '../../src/domain/codes.js';
import { ENTITY_TYPES } from '../../src/domain/glossary.js';
import { toWibDate } from '../../src/domain/wib.js';
import { projectRoot } from '../../src/reference.js';
import {
  DEFAULT_RULE_CONFIG,
  messageSql,
  parseRuleConfig,
  READ_TABLES,
  RULES,
  renderMessage,
  SEVERITIES,
  templateKeys,
} from '../../src/rules/index.js';
import { jsonb, lit, num, textArray } from '../../src/rules/sql.js';
import { buildRuleContext, loadRuleConfig, loadRuleReference, loadStatusIzin } from '../../src/verification/config.js';
import type { FindingCounts } from '../../src/verification/evaluate.js';
import { ALLOWED_TRANSITIONS, transitionProblem } from '../../src/verification/lifecycle.js';
import { PLACEMENT } from '../../src/verification/placement.js';
import { LINKS, scopeReads } from '../../src/verification/scope.js';
import { renderFindingsSummary } from '../../src/verification/summary.js';

/** The catalogue's codes, in its order. */
const CATALOGUE = [
  'NIB_FORMAT',
  'NPWP_FORMAT',
  'NPWP_MULTI_NIB',
  'NIK_INVALID',
  'KD_DAERAH_INVALID',
  'KBLI_INVALID',
  'DATE_INCONSISTENT',
  'PARTNER_NIB_NOT_FOUND',
  'PARTNER_NIB_INACTIVE',
  'PARTNER_NOT_UMKM',
  'UB_NOT_LARGE',
  'UMKM_OUTSIDE_REGION',
  'PARTNER_AFFILIATED',
  'SCALE_VS_CAPITAL',
  'FLAG_UMK_VS_SCALE',
  'VALUE_IMPLAUSIBLE',
  'PATTERN_KBLI_MISMATCH',
  'NO_REALISATION',
  'REALISATION_EXCEEDS',
  'DUPLICATE_PARTNERSHIP',
  'AWAITING_APPROVAL_STALE',
  'EXPIRED_STILL_ACTIVE',
  'PARTNER_NAME_MISMATCH',
  'REQUIRED_PARTNERSHIP_MISSING',
  'RISK_LICENCE_MISSING',
  'LICENCE_STATUS_UNKNOWN',
  'LOCATION_OUTSIDE_REGION',
  'INVESTMENT_STATUS_INCONSISTENT',
];

const reference = loadRuleReference();
const ctxAll = buildRuleContext({
  region: '3317',
  now: new Date('2024-07-15T03:00:00Z'),
  config: loadRuleConfig(),
  reference,
  scopeTable: null,
});
const ctxScoped = buildRuleContext({
  region: '3317',
  now: new Date('2024-07-15T03:00:00Z'),
  config: loadRuleConfig(),
  reference,
  scopeTable: 'eval_scope',
});

describe('the rule table', () => {
  it('holds exactly the catalogue, in its order, with unique codes', () => {
    expect(RULES.map((r) => r.code)).toEqual(CATALOGUE);
  });

  it.each(RULES.map((r) => [r.code, r] as const))(
    '%s has a severity, an Indonesian title and description, and checks',
    (_, rule) => {
      expect(SEVERITIES).toContain(rule.severity);
      expect(rule.title.length).toBeGreaterThan(10);
      expect(rule.description.length).toBeGreaterThan(20);
      expect(rule.checks.length).toBeGreaterThan(0);
      expect(new Set(rule.checks.map((c) => c.entityType)).size).toBe(rule.checks.length);
    },
  );

  it.each(RULES.flatMap((r) => r.checks.map((c) => [`${r.code} ${c.entityType}`, c] as const)))(
    '%s: every message placeholder is produced by its SQL, which is scoped and selects the four columns',
    (_, check) => {
      const sql = check.sql(ctxScoped);
      for (const key of templateKeys(check.message)) {
        if (key !== 'entity_id') expect(sql, `placeholder {${key}}`).toContain(`'${key}'`);
      }
      for (const column of ['entity_id', 'evidence', 'params', 'related']) expect(sql).toContain(`as ${column}`);
      expect(check.sql(ctxAll)).not.toContain('eval_scope');
    },
  );

  it('marks the rules that depend on the day as time-based', () => {
    expect(RULES.filter((r) => r.timeBased).map((r) => r.code)).toEqual([
      'DATE_INCONSISTENT',
      'NO_REALISATION',
      'AWAITING_APPROVAL_STALE',
      'EXPIRED_STILL_ACTIVE',
      'REQUIRED_PARTNERSHIP_MISSING',
    ]);
  });

  it('writes the region into the SQL of region rules', () => {
    const rule = RULES.find((r) => r.code === 'UMKM_OUTSIDE_REGION');
    expect(rule?.checks[0]?.sql(ctxAll)).toContain(`left(p.perseroan_daerah_id, 4) <> '3317'`);
  });
});

/** Sources a statement may name besides the logged tables: the engine's temp tables (eval_*) and reference data. */
const notLogged = (t: string) => t.startsWith('eval_') || t === 'ref_kbli';

/**
 * The tables a statement reads: identifiers after `from` or `join` that are not its own CTEs, function calls
 * (unnest(…)), lateral subqueries or column references (`extract(year from k.tgl_mulai)`).
 */
function tablesRead(sql: string): string[] {
  const ctes = new Set(
    [...sql.matchAll(/\b([a-z_][a-z0-9_]*)\s+as\s*\(/gi)].map((m) => (m[1] as string).toLowerCase()),
  );
  const out = new Set<string>();
  for (const m of sql.matchAll(/\b(?:from|join)\s+([a-z_][a-z0-9_]*)\b(?!\s*[.(])/gi)) {
    const name = (m[1] as string).toLowerCase();
    if (name !== 'lateral' && !ctes.has(name)) out.add(name);
  }
  return [...out].sort();
}

const CHECKS = RULES.flatMap((r) => r.checks.map((c) => [`${r.code} ${c.entityType}`, c] as const));

describe('what the rules read, and the scope links', () => {
  it('finds the tables of a statement, and only tables', () => {
    expect(
      tablesRead(`with ks as (select * from kemitraan k join pelaku_usaha p on p.nib = k.nib_ub), none as (select 1)
        select extract(year from ks.tgl_mulai) from ks cross join lateral (select 1 from unnest(x) i) v
        join none on true where k.nib in (select f.nib from nib_not_found f)`),
    ).toEqual(['kemitraan', 'nib_not_found', 'pelaku_usaha']);
  });

  it.each(CHECKS)('%s declares every table its SQL reads, and nothing else', (_, check) => {
    const read = [...new Set([...tablesRead(check.sql(ctxScoped)), ...tablesRead(check.sql(ctxAll))])]
      .filter((t) => !notLogged(t))
      .sort();
    // A table outside READ_TABLES has no change log: a rule reading it would never be re-evaluated on its changes.
    expect(read.filter((t) => !(READ_TABLES as readonly string[]).includes(t))).toEqual([]);
    expect([...check.reads].sort()).toEqual(read);
  });

  it.each(CHECKS)('%s: every table it (or its placement) reads has a scope link for its entity type', (_, check) => {
    const missing = scopeReads(check).filter((t) => LINKS[check.entityType][t] === undefined);
    expect(missing, `add LINKS.${check.entityType}.<table> in src/verification/scope.ts`).toEqual([]);
  });

  it.each(Object.entries(PLACEMENT))('placement of %s declares what it reads', (_, placement) => {
    expect([...placement.reads].sort()).toEqual(tablesRead(placement.sql('3317')).filter((t) => !notLogged(t)));
  });

  it('links only entity types and logged tables, each a select of one column of ids', () => {
    for (const [type, links] of Object.entries(LINKS)) {
      expect(ENTITY_TYPES).toContain(type);
      for (const [table, sql] of Object.entries(links)) {
        expect(READ_TABLES).toContain(table);
        expect(sql, `${type} ← ${table}`).toMatch(/^\s*select /);
        expect(tablesRead(sql as string)).toContain('eval_changes');
      }
    }
  });
});

describe('message templates', () => {
  const template = 'Mitra UMKM (NIB {nib_umkm}, {nama}) pada kemitraan {entity_id}: {uraian}.';

  it.each([
    [
      {
        params: { nama: 'CV MINA JAYA', uraian: 'tercatat berskala Besar (04) di OSS' },
        evidence: { nib_umkm: '1234567890123' },
      },
      'Mitra UMKM (NIB 1234567890123, CV MINA JAYA) pada kemitraan K-1: tercatat berskala Besar (04) di OSS.',
    ],
    [
      { params: { nama: 'A', nib_umkm: 'from params' }, evidence: { nib_umkm: 'from evidence' } },
      'Mitra UMKM (NIB from params, A) pada kemitraan K-1: -.',
    ],
    [{ params: { nama: 5, uraian: null }, evidence: null }, 'Mitra UMKM (NIB -, 5) pada kemitraan K-1: -.'],
  ])('renders %j', (values, expected) => {
    expect(renderMessage(template, { entityId: 'K-1', ...values })).toBe(expected);
  });

  it('compiles to SQL that reads params, then evidence, then prints "-"', () => {
    expect(templateKeys(template)).toEqual(['nib_umkm', 'nama', 'entity_id', 'uraian']);
    expect(messageSql('A {x} B', 'r')).toBe(`concat('A ', coalesce(r.params ->> 'x', r.evidence ->> 'x', '-'), ' B')`);
    expect(messageSql("it's {entity_id}", 'r')).toBe(`concat('it''s ', coalesce(r.entity_id, '-'))`);
  });
});

describe('SQL literals', () => {
  it.each([
    ["O'Brien", "'O''Brien'"],
    ['3317', "'3317'"],
    ['', "''"],
  ])('lit(%j) = %s', (v, expected) => expect(lit(v)).toBe(expected));

  it('refuses what cannot be a literal', () => {
    expect(() => lit('a\u0000b')).toThrow(/NUL/);
    expect(() => num(Number.NaN)).toThrow(/finite/);
    expect(textArray([])).toBe(`'{}'::text[]`);
    expect(textArray(['65', "1'1"])).toBe(`array['65','1''1']::text[]`);
    expect(jsonb({ a: "b'" })).toBe(`'{"a":"b''"}'::jsonb`);
  });
});

describe('rule configuration', () => {
  it('ships config/rules.json with the catalogue defaults', () => {
    const shipped = loadRuleConfig();
    expect(shipped.awaiting_approval_stale_days).toBe(30);
    expect(shipped.required_partnership).toEqual({ kd_dni: ['65', '111', '115'], replacement_grace_months: 12 });
    expect(shipped.scale_ceilings).toEqual(DEFAULT_RULE_CONFIG.scale_ceilings);
    expect(shipped.region_prefix).toBeNull();
    expect(shipped.bounding_boxes['3317']).toEqual({ lat_min: -7.05, lat_max: -6.55, lng_min: 111.0, lng_max: 111.8 });
    expect(shipped.pattern_kbli['04']?.ub).toEqual(['45', '46', '47']);
    expect(Object.keys(shipped.pattern_kbli['06']?.umkm_by_ub ?? {})).toContain('102');
  });

  it('fills what a file leaves out with the defaults', () => {
    const c = parseRuleConfig({ awaiting_approval_stale_days: 45 });
    expect(c.awaiting_approval_stale_days).toBe(45);
    expect(c.scale_ceilings.annual_sales['01']).toBe(2_000_000_000);
    expect(c.resolve_guard).toEqual({ max_ratio: 0.5, min_findings: 50 });
  });

  it('lists every problem of an invalid file', () => {
    expect(() =>
      parseRuleConfig(
        { region_prefix: '331', awaiting_approval_stale_days: 0, pattern_kbli: { '04': { ub: ['4x'] } }, extra: 1 },
        'rules.json',
      ),
    ).toThrow(
      /rules\.json is invalid:\n {2}- region_prefix: region_prefix must be 2 or 4 digits\n[\s\S]*awaiting_approval_stale_days[\s\S]*pattern_kbli\.04\.ub\.0[\s\S]*extra/,
    );
  });

  it('ships the PIA status table of codes.ts as config/reference/status-izin.json', () => {
    expect(loadStatusIzin()).toEqual(STATUS_IZIN);
    const raw = JSON.parse(readFileSync(join(projectRoot(), 'config', 'reference', 'status-izin.json'), 'utf8'));
    expect(raw.codes['58']).toBeUndefined();
  });

  it('names the region and computes the WIB day', () => {
    expect(ctxAll.regionName).toBe('Kabupaten Rembang');
    expect(reference.regionNames['3374']).toBe('Kota Semarang');
    expect(toWibDate(new Date('2024-07-14T17:30:00Z'))).toBe('2024-07-15');
    expect(toWibDate(new Date('2024-07-14T16:59:59Z'))).toBe('2024-07-14');
    expect(ctxAll.inScope('kemitraan', 'k.id_kemitraan')).toBe('true');
    expect(ctxScoped.inScope('kemitraan', 'k.id_kemitraan')).toBe(
      "k.id_kemitraan in (select s.entity_id from eval_scope s where s.entity_type = 'kemitraan')",
    );
    expect(() =>
      buildRuleContext({ region: '33170', now: new Date(), config: DEFAULT_RULE_CONFIG, reference, scopeTable: null }),
    ).toThrow(/2 or 4 digits/);
  });
});

describe('finding lifecycle as data', () => {
  it.each([
    ['open', 'in_review', null],
    ['in_review', 'confirmed', null],
    ['in_review', 'dismissed', null],
    ['in_review', 'open', null],
    ['confirmed', 'in_review', null],
    ['dismissed', 'in_review', null],
    [
      'open',
      'confirmed',
      /open → confirmed is not allowed \(from open: in_review; confirmed is reached from in_review\)/,
    ],
    ['open', 'dismissed', /not allowed/],
    ['confirmed', 'dismissed', /confirmed → dismissed is not allowed/],
    ['open', 'open', /already open/],
    ['open', 'resolved', /set by the evaluation/],
    ['resolved', 'in_review', /resolved automatically/],
    ['open', 'closed', /not a status a verifier can set/],
  ] as const)('%s → %s', (from, to, problem) => {
    const p = transitionProblem(from, to);
    if (problem === null) expect(p).toBeNull();
    else expect(p).toMatch(problem);
  });

  it('lets no verifier move leave or enter resolved', () => {
    expect(ALLOWED_TRANSITIONS.resolved).toEqual([]);
    for (const targets of Object.values(ALLOWED_TRANSITIONS)) expect(targets).not.toContain('resolved');
  });
});

describe('renderFindingsSummary', () => {
  const counts: FindingCounts = {
    NIB_FORMAT: { new: 0, resolved: 0, reopened: 0, open: 0 },
    PARTNER_NOT_UMKM: { new: 2, resolved: 1, reopened: 1, open: 7 },
    EXPIRED_STILL_ACTIVE: { new: 0, resolved: 0, reopened: 0, open: 3 },
  };

  it('totals the counts and lists the rules with activity', () => {
    const lines = renderFindingsSummary(counts);
    expect(lines[0]).toBe('Findings: 2 new, 1 resolved, 1 reopened; 10 active (open, in review or confirmed)');
    expect(lines.some((l) => l.includes('NIB_FORMAT'))).toBe(false);
    expect(lines.find((l) => l.includes('PARTNER_NOT_UMKM'))).toMatch(/PARTNER_NOT_UMKM\s+2\s+1\s+1\s+7$/);
    expect(lines).toHaveLength(4);
  });

  it('says when the resolve guard held the resolutions back', () => {
    const lines = renderFindingsSummary(counts, {
      guard: { blocked: true, wouldResolve: 90, active: 100, maxRatio: 0.5, minFindings: 50 },
    });
    expect(lines.at(-1)).toContain(
      'resolve guard: 90 of 100 active findings would have been resolved at once (more than 50%)',
    );
  });
});
