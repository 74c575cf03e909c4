/*
 * `oss-sync discrepancies …`: the verification queue.
 *   list     [filters] [--limit N]                 readable table of findings (default: open, in review, confirmed)
 *   show     ID                                    message, evidence, related record, runs and history
 *   verify   ID --status S --by NAME [--note T]    a verifier's move (in_review | confirmed | dismissed | open)
 *   export   --format csv|xlsx [--output FILE] [filters]   for a field visit (Indonesian headers)
 *   evaluate [--all] [--force]                     run the rules now (without --all: what changed since the last evaluation)
 * Filters: --rule CODE, --severity error|warning|info, --status S|all, --kecamatan CODE|NAME, --entity TYPE|ID
 * (each repeatable or comma-separated). Exit 0 ok; 2 the request cannot be done as asked (bad flags, unknown
 * finding, illegal transition), with a message saying why; 1 failure.
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { table } from '../domain/format.js';
import { ENTITY_TYPES, type EntityType } from '../domain/glossary.js';
import { RULE_CODES, ruleByCode, SEVERITIES } from '../rules/index.js';
import type { Runtime } from '../runtime.js';
import {
  type FindingFilter,
  type FindingRow,
  findingEvents,
  findingRunIds,
  getFinding,
  kecamatanNames,
  listFindings,
  partnershipRealisations,
  relatedRecord,
  resolveKecamatan,
} from '../store/findings.js';
import { evaluatePending } from '../verification/evaluate.js';
import { evidenceLines, inline } from '../verification/evidence.js';
import { findingsCsv, writeFindingsXlsx } from '../verification/findingsExport.js';
import {
  FINDING_STATUSES,
  FindingNotFoundError,
  IllegalTransitionError,
  transitionFinding,
  VERIFIER_STATUSES,
} from '../verification/lifecycle.js';
import { ENTITY_LABELS, renderFindingsSummary, SEVERITY_LABELS, STATUS_LABELS } from '../verification/summary.js';
import { type Flags, parseFlags, UsageError } from './args.js';

const USAGE = `Usage: oss-sync discrepancies <list|show|verify|export|evaluate>
  list [--rule CODE] [--severity S] [--status S|all] [--kecamatan CODE|NAME] [--entity TYPE|ID] [--limit N]
  show ID
  verify ID --status in_review|confirmed|dismissed|open --by NAME [--note TEXT]   (dismissed needs --note)
  export --format csv|xlsx [--output FILE] [list filters]
  evaluate [--all] [--force]`;

const ACTIVE_STATUSES = ['open', 'in_review', 'confirmed'] as const;

const FILTER_FLAGS = {
  rule: { type: 'string', multiple: true },
  severity: { type: 'string', multiple: true },
  status: { type: 'string', multiple: true },
  kecamatan: { type: 'string', multiple: true },
  entity: { type: 'string', multiple: true },
} as const;

/** `oss-sync discrepancies …`; returns the exit code. */
export async function discrepanciesCommand(rt: Runtime, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  try {
    switch (sub) {
      case 'list':
        return await listCommand(rt, rest);
      case 'show':
        return await showCommand(rt, rest);
      case 'verify':
        return await verifyCommand(rt, rest);
      case 'export':
        return await exportCommand(rt, rest);
      case 'evaluate':
        return await evaluateCommand(rt, rest);
      case undefined:
      case 'help':
      case '--help':
        process.stdout.write(`${USAGE}\n`);
        return sub === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown subcommand "${sub}"\n${USAGE}`);
    }
  } catch (err) {
    if (err instanceof UsageError || err instanceof IllegalTransitionError || err instanceof FindingNotFoundError) {
      process.stderr.write(`oss-sync discrepancies: ${err.message}\n`);
      return 2;
    }
    rt.log.error({ err }, 'discrepancies command failed');
    process.stderr.write(`oss-sync discrepancies: ${(err as Error)?.message ?? String(err)}\n`);
    return 1;
  }
}

const list = (v: Flags[string]): string[] =>
  v === undefined || typeof v === 'boolean'
    ? []
    : (Array.isArray(v) ? v : [v])
        .flatMap((s) => s.split(','))
        .map((s) => s.trim())
        .filter(Boolean);

function oneOf(name: string, values: string[], allowed: readonly string[]): string[] {
  for (const v of values) {
    if (!allowed.includes(v)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, got "${v}"`);
  }
  return values;
}

/** The FindingFilter of the list/export flags; statuses default to the active ones. */
async function filterOf(rt: Runtime, values: Flags): Promise<FindingFilter> {
  const filter: FindingFilter = {};
  const rules = list(values.rule).map((r) => r.toUpperCase());
  if (rules.length) filter.rules = oneOf('rule', rules, RULE_CODES);
  const severities = list(values.severity);
  if (severities.length) filter.severities = oneOf('severity', severities, SEVERITIES);
  const statuses = list(values.status);
  if (!statuses.includes('all')) {
    filter.statuses = statuses.length ? oneOf('status', statuses, FINDING_STATUSES) : [...ACTIVE_STATUSES];
  }
  const kecamatan = list(values.kecamatan);
  if (kecamatan.length) {
    const codes: string[] = [];
    for (const k of kecamatan) {
      const found = await resolveKecamatan(rt.db, k);
      if (found.length === 0) {
        const names = await kecamatanNames(rt.db);
        throw new UsageError(`--kecamatan: no kecamatan "${k}" (a 6-digit code or one of: ${names.join(', ')})`);
      }
      codes.push(...found);
    }
    filter.kecamatan = codes;
  }
  const entities = list(values.entity);
  const types = entities.filter((e): e is EntityType => (ENTITY_TYPES as readonly string[]).includes(e));
  const ids = entities.filter((e) => !(ENTITY_TYPES as readonly string[]).includes(e));
  if (types.length) filter.entityTypes = types;
  if (ids.length) filter.entityIds = ids;
  return filter;
}

function positiveInt(name: string, v: Flags[string], dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a whole number ≥ 1, got "${String(v)}"`);
  return n;
}

const when = (d: Date | null) => (d ? d.toISOString().replace('T', ' ').slice(0, 16) : '-');
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const where = (f: FindingRow) => (f.kecamatan ? `${f.kecamatan} (${f.kd_kecamatan})` : (f.kd_daerah ?? '-'));

async function listCommand(rt: Runtime, args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, { ...FILTER_FLAGS, limit: { type: 'string' } });
  if (positionals.length) throw new UsageError(`list takes no arguments, got "${positionals.join(' ')}"`);
  const filter = await filterOf(rt, values);
  filter.limit = positiveInt('limit', values.limit, 100);
  const { rows, total } = await listFindings(rt.db, filter);
  const statusNote = filter.statuses ? filter.statuses.join(', ') : 'all statuses';
  if (rows.length === 0) {
    process.stdout.write(`No findings (${statusNote}) match.\n`);
    return 0;
  }
  const out = [
    `${total} findings (${statusNote})${total > rows.length ? `, showing the first ${rows.length}: use --limit or filters` : ''}`,
    '',
    table(
      ['id', 'severity', 'rule', 'status', 'entity', 'kecamatan', 'message'],
      rows.map((f) => [
        String(f.id),
        f.severity,
        f.rule_code,
        f.status,
        `${f.entity_type} ${f.entity_id}`,
        where(f),
        clip(f.message, 110),
      ]),
    ),
    '',
    'Details: oss-sync discrepancies show ID',
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}

function findingId(positionals: string[], sub: string): number {
  const [raw, ...extra] = positionals;
  if (raw === undefined) throw new UsageError(`${sub} needs a finding id: oss-sync discrepancies ${sub} ID`);
  if (extra.length) throw new UsageError(`${sub} takes one finding id, got "${positionals.join(' ')}"`);
  const id = Number(raw.replace(/^#/, ''));
  if (!Number.isSafeInteger(id) || id < 1) throw new UsageError(`"${raw}" is not a finding id (a whole number)`);
  return id;
}

async function showCommand(rt: Runtime, args: string[]): Promise<number> {
  const { positionals } = parseFlags(args, {});
  const id = findingId(positionals, 'show');
  const f = await getFinding(rt.db, id);
  if (!f) throw new FindingNotFoundError(id);
  const [events, runs, record] = await Promise.all([
    findingEvents(rt.db, id),
    findingRunIds(rt.db, id),
    relatedRecord(rt.db, f.entity_type, f.entity_id),
  ]);
  const rule = ruleByCode(f.rule_code);
  const out = [
    `Temuan #${f.id} · ${f.rule_code} — ${f.rule_title ?? rule?.title ?? ''}`,
    `  tingkat:   ${f.severity} (${SEVERITY_LABELS[f.severity] ?? f.severity})`,
    `  status:    ${f.status} (${STATUS_LABELS[f.status] ?? f.status})${f.verified_by ? ` · oleh ${f.verified_by} ${when(f.verified_at)}` : ''}`,
    ...(f.note ? [`  catatan:   ${f.note}`] : []),
    `  entitas:   ${ENTITY_LABELS[f.entity_type] ?? f.entity_type} ${f.entity_id}`,
    `  wilayah:   ${f.kd_daerah ?? '-'}${f.kecamatan ? ` (Kecamatan ${f.kecamatan})` : ''}`,
    `  terlihat:  pertama ${when(f.first_seen_at)}${f.first_run_id ? ` (run ${f.first_run_id})` : ''}, terakhir ${when(f.last_seen_at)}${f.last_run_id ? ` (run ${f.last_run_id})` : ''}`,
    `  dilihat oleh run: ${runs.length ? compactRuns(runs) : '-'}${f.resolved_at ? ` · selesai ${when(f.resolved_at)}${f.resolved_run_id ? ` (run ${f.resolved_run_id})` : ''}` : ''}`,
    '',
    'Pesan:',
    `  ${f.message}`,
    '',
    'Bukti:',
    ...evidenceLines(f.evidence),
  ];
  if (rule) out.push('', `Aturan: ${rule.description}`);
  out.push('', `Data terkait (analytics.${f.entity_type}):`);
  if (record) {
    for (const [k, v] of Object.entries(record)) {
      if (v !== null && v !== undefined && v !== '') out.push(`  ${k}: ${v instanceof Date ? when(v) : inline(v)}`);
    }
    if (f.entity_type === 'kemitraan') {
      const real = await partnershipRealisations(rt.db, f.entity_id);
      out.push(
        `  realisasi: ${real.length ? real.map((r) => `${r.tahun}-T${r.triwulan} nilai=${r.nilai_realisasi ?? '-'} volume=${r.volume_realisasi ?? '-'}`).join('; ') : '(tidak ada)'}`,
      );
    }
  } else out.push('  (tidak ada lagi di data tersinkron)');
  out.push(
    '',
    'Riwayat:',
    table(
      ['waktu (UTC)', 'peristiwa', 'dari', 'ke', 'oleh', 'run', 'catatan'],
      events.map((e) => [
        when(e.at),
        e.kind,
        e.from_status,
        e.to_status,
        e.actor,
        e.run_id === null ? null : String(e.run_id),
        e.note,
      ]),
    ),
  );
  if (f.status !== 'resolved') {
    const next = f.status === 'open' ? 'in_review' : f.status === 'in_review' ? 'confirmed|dismissed' : 'in_review';
    out.push('', `Verifikasi: oss-sync discrepancies verify ${f.id} --status ${next} --by NAMA --note "…"`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}

/** Run ids as ranges: 3, 5-9, 12. */
function compactRuns(ids: number[]): string {
  const parts: string[] = [];
  let start = ids[0] as number;
  let prev = start;
  for (const id of [...ids.slice(1), Number.NaN]) {
    if (id === prev + 1) {
      prev = id;
      continue;
    }
    parts.push(start === prev ? String(start) : `${start}-${prev}`);
    start = id;
    prev = id;
  }
  return `${parts.join(', ')} (${ids.length} run)`;
}

async function verifyCommand(rt: Runtime, args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    status: { type: 'string' },
    by: { type: 'string' },
    note: { type: 'string' },
  });
  const id = findingId(positionals, 'verify');
  const to = typeof values.status === 'string' ? values.status.trim() : '';
  if (!to) throw new UsageError(`verify needs --status (${VERIFIER_STATUSES.join(', ')})`);
  const by = typeof values.by === 'string' ? values.by.trim() : '';
  if (!by) throw new UsageError('verify needs --by NAME: the verifier who decides');
  const note = typeof values.note === 'string' ? values.note : null;
  const result = await transitionFinding(rt.db, id, { to, by, note });
  process.stdout.write(
    `Temuan #${id}: ${result.from} → ${result.to} (${STATUS_LABELS[result.to] ?? result.to}) oleh ${by}${note ? ` — "${note.trim()}"` : ''}.\n`,
  );
  return 0;
}

/** The export's columns: Indonesian header and the value of a finding. */
async function exportCommand(rt: Runtime, args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    ...FILTER_FLAGS,
    format: { type: 'string' },
    output: { type: 'string' },
  });
  if (positionals.length) throw new UsageError(`export takes no arguments, got "${positionals.join(' ')}"`);
  const format = values.format;
  if (format !== 'csv' && format !== 'xlsx') throw new UsageError('export needs --format csv or --format xlsx');
  const filter = await filterOf(rt, values);
  const { rows } = await listFindings(rt.db, filter);
  const output =
    typeof values.output === 'string' && values.output.trim()
      ? values.output.trim()
      : format === 'xlsx'
        ? `temuan-${rt.config.oss.kdDaerah}-${new Date().toISOString().slice(0, 10).replace(/-/g, '')}.xlsx`
        : null;
  if (format === 'csv') {
    const text = findingsCsv(rows);
    if (output === null) {
      process.stdout.write(`${text}\r\n`);
      return 0;
    }
    const stream = createWriteStream(output);
    stream.end(`\uFEFF${text}\r\n`);
    await once(stream, 'finish');
  } else {
    await writeFindingsXlsx(rows, output as string, filter);
  }
  process.stderr.write(`Wrote ${rows.length} findings to ${output}\n`);
  return 0;
}

async function evaluateCommand(rt: Runtime, args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, { all: { type: 'boolean' }, force: { type: 'boolean' } });
  if (positionals.length) throw new UsageError(`evaluate takes no arguments, got "${positionals.join(' ')}"`);
  const report = await evaluatePending(rt.db, {
    runId: null,
    now: new Date(),
    kdDaerah: rt.config.oss.kdDaerah,
    all: values.all === true,
    force: values.force === true,
  });
  const what =
    report.scopeSizes !== 'all'
      ? `what changed since the last evaluation, ${report.changes} logged changes (${Object.entries(report.scopeSizes)
          .map(([t, n]) => `${n} ${t}`)
          .join(', ')}), and the time-based rules region-wide`
      : values.all === true
        ? 'the whole region'
        : `the whole region: ${report.changes} changes were logged since the last evaluation`;
  process.stdout.write(
    `Evaluated ${what}.\n${renderFindingsSummary(report.counts, { guard: report.guard }).join('\n')}\n`,
  );
  return 0;
}
