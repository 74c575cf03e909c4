/*
 * `oss-sync discrepancies …`: the verification queue.
 *   list     [filters] [--limit N]                 readable table of findings (default: open, in review, confirmed)
 *   show     ID                                    message, evidence, related record, runs and history
 *   verify   ID --status S --by NAME [--note T]    a verifier's move (in_review | confirmed | dismissed | open)
 *   export   --format csv|xlsx [--output FILE] [filters]   for a field visit (Indonesian headers)
 *   evaluate [--all] [--force]                     run the rules now (without --all: what changed since the last evaluation)
 * Filters: --rule CODE, --severity error|warning|info, --status S|all, --kecamatan CODE|NAME, --entity TYPE|ID
 * (each repeatable or comma-separated). Exit 0 ok; 2 the request cannot be done as asked (bad flags, unknown
 * finding, illegal transition), with a message saying why; 1 failure. Verifiers read this output: it speaks
 * Indonesian (messages, errors, id-ID numbers) and prints times in TZ (WIB by default).
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { fittedTable, fmtId } from '../domain/format.js';
import { ENTITY_TYPES, type EntityType } from '../domain/glossary.js';
import { humanTime, zoneLabel } from '../domain/wib.js';
import { ruleByCode } from '../rules/index.js';
import type { Runtime } from '../runtime.js';
import {
  type FindingFilter,
  type FindingRow,
  findingEvents,
  findingRunIds,
  findingVisitDetails,
  getFinding,
  kecamatanNames,
  listFindings,
  partnershipRealisations,
  relatedRecord,
  resolveKecamatan,
} from '../store/findings.js';
import { evaluatePending } from '../verification/evaluate.js';
import { evidenceLines, inline } from '../verification/evidence.js';
import {
  findingsCsv,
  loadDesaNames,
  type VisitFinding,
  visitOrder,
  writeFindingsXlsx,
} from '../verification/findingsExport.js';
import {
  ALLOWED_TRANSITIONS,
  FindingNotFoundError,
  type FindingStatus,
  IllegalTransitionError,
  NOTE_REQUIRED,
  transitionFinding,
  VERIFIER_STATUSES,
} from '../verification/lifecycle.js';
import { ENTITY_LABELS, renderFindingsSummary, SEVERITY_LABELS, STATUS_LABELS } from '../verification/summary.js';
import { type Invocation, parseCommandLine } from './program.js';
import { UsageError } from './usage.js';

const ACTIVE_STATUSES = ['open', 'in_review', 'confirmed'] as const;

type Opts = Record<string, unknown>;

/**
 * `oss-sync discrepancies …`; returns the exit code. Takes the parsed command line, or the words after
 * `discrepancies` (parsed here with the same command tree).
 */
export async function discrepanciesCommand(rt: Runtime, command: Invocation | readonly string[]): Promise<number> {
  let inv: Invocation;
  if (Array.isArray(command)) {
    const parsed = parseCommandLine(['discrepancies', ...(command as readonly string[])], {
      stdout: (s) => void process.stdout.write(s),
      stderr: (s) => void process.stderr.write(s),
    });
    if ('exit' in parsed) return parsed.exit;
    inv = parsed;
  } else inv = command as Invocation;
  try {
    switch (inv.path) {
      case 'discrepancies list':
        return await listCommand(rt, inv);
      case 'discrepancies show':
        return await showCommand(rt, inv);
      case 'discrepancies verify':
        return await verifyCommand(rt, inv);
      case 'discrepancies export':
        return await exportCommand(rt, inv);
      case 'discrepancies evaluate':
        return await evaluateCommand(rt, inv);
      default:
        throw new UsageError(`perintah tidak dikenal "${inv.path}" (lihat oss-sync discrepancies --help)`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`oss-sync discrepancies: galat: ${err.message}\n`);
      return 2;
    }
    if (err instanceof FindingNotFoundError) {
      process.stderr.write(`oss-sync discrepancies: galat: temuan #${err.findingId} tidak ada\n`);
      return 2;
    }
    if (err instanceof IllegalTransitionError) {
      process.stderr.write(`oss-sync discrepancies: galat: ${transitionMessage(err)}\n`);
      return 2;
    }
    rt.log.error({ err }, 'discrepancies command failed');
    process.stderr.write(`oss-sync discrepancies: galat: ${(err as Error)?.message ?? String(err)}\n`);
    return 1;
  }
}

const label = (s: string) => `${s} (${STATUS_LABELS[s] ?? s})`;

/** Why a verifier's move is refused, in Indonesian, from the refused move itself. */
function transitionMessage(err: IllegalTransitionError): string {
  const head = `temuan #${err.findingId} tidak bisa dipindah ke ${err.to}`;
  const from = err.from as FindingStatus | null;
  if (/name is required/.test(err.message)) return `${head}: nama verifikator wajib diisi (--by NAMA)`;
  if ((NOTE_REQUIRED as readonly string[]).includes(err.to) && /note/.test(err.message)) {
    return `${head}: status ${label(err.to)} perlu catatan alasannya (--note "…")`;
  }
  if (err.to === 'resolved')
    return `${head}: status resolved diberikan oleh evaluasi saat aturan tidak lagi berlaku, bukan oleh verifikator`;
  if (!(VERIFIER_STATUSES as readonly string[]).includes(err.to)) {
    return `${head}: "${err.to}" bukan status yang dapat diberikan verifikator (${VERIFIER_STATUSES.join(', ')})`;
  }
  if (from === null) return head;
  if (from === err.to) return `${head}: statusnya sudah ${label(from)}`;
  if (from === 'resolved') {
    return `${head}: temuan sudah selesai otomatis (aturan tidak lagi berlaku); temuan terbuka lagi sendiri bila aturan berlaku kembali`;
  }
  return `${head}: dari ${label(from)} hanya boleh ke ${ALLOWED_TRANSITIONS[from].join(' atau ')}`;
}

const list = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : []);

/** The FindingFilter of the list/export flags (validated by the command tree); statuses default to the active ones. */
async function filterOf(rt: Runtime, values: Opts): Promise<FindingFilter> {
  const filter: FindingFilter = {};
  const rules = list(values.rule);
  if (rules.length) filter.rules = rules;
  const severities = list(values.severity);
  if (severities.length) filter.severities = severities;
  const statuses = list(values.status);
  if (!statuses.includes('all')) filter.statuses = statuses.length ? statuses : [...ACTIVE_STATUSES];
  const kecamatan = list(values.kecamatan);
  if (kecamatan.length) {
    const codes: string[] = [];
    for (const k of kecamatan) {
      const found = await resolveKecamatan(rt.db, k);
      if (found.length === 0) {
        const names = await kecamatanNames(rt.db);
        throw new UsageError(
          `--kecamatan: tidak ada kecamatan "${k}" (kode 6 digit atau salah satu dari: ${names.join(', ')})`,
        );
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

function positiveInt(name: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} harus bilangan bulat ≥ 1, bukan "${String(v)}"`);
  return n;
}

const where = (f: FindingRow) => (f.kecamatan ? `${f.kecamatan} (${f.kd_kecamatan})` : (f.kd_daerah ?? '-'));
/** The width tables fit: the terminal's, or 100 off a terminal. */
// On a terminal the table fits its width (the message column is cut; `show` and `--json` carry it whole); piped into
// a file or a pager, nothing is cut.
const columns = () =>
  process.stdout.isTTY && process.stdout.columns ? process.stdout.columns : Number.POSITIVE_INFINITY;

/** A finding for scripts: stable keys, times as ISO instants. */
const findingJson = (f: FindingRow) => ({
  id: Number(f.id),
  rule: f.rule_code,
  ruleTitle: f.rule_title,
  severity: f.severity,
  status: f.status,
  entityType: f.entity_type,
  entityId: f.entity_id,
  kdDaerah: f.kd_daerah,
  kdKecamatan: f.kd_kecamatan,
  kecamatan: f.kecamatan,
  message: f.message,
  evidence: f.evidence,
  firstSeenAt: f.first_seen_at?.toISOString() ?? null,
  lastSeenAt: f.last_seen_at?.toISOString() ?? null,
  verifiedBy: f.verified_by,
  verifiedAt: f.verified_at?.toISOString() ?? null,
  note: f.note,
  resolvedAt: f.resolved_at?.toISOString() ?? null,
});

async function listCommand(rt: Runtime, inv: Invocation): Promise<number> {
  const filter = await filterOf(rt, inv.opts);
  filter.limit = positiveInt('limit', inv.opts.limit, 100);
  const { rows, total } = await listFindings(rt.db, filter);
  if (inv.opts.json) {
    const out = { total, shown: rows.length, statuses: filter.statuses ?? 'all', findings: rows.map(findingJson) };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  const statusNote = filter.statuses ? filter.statuses.join(', ') : 'semua status';
  if (rows.length === 0) {
    process.stdout.write(`Tidak ada temuan (${statusNote}) yang cocok.\n`);
    return 0;
  }
  const out = [
    `${fmtId(total)} temuan (${statusNote})${total > rows.length ? `, ditampilkan ${fmtId(rows.length)} pertama: pakai --limit atau filter` : ''}`,
    '',
    fittedTable(
      ['id', 'tingkat', 'aturan', 'status', 'entitas', 'kecamatan', 'pesan'],
      rows.map((f) => [
        String(f.id),
        f.severity,
        f.rule_code,
        f.status,
        `${f.entity_type} ${f.entity_id}`,
        where(f),
        f.message,
      ]),
      columns(),
      6,
      fmtId,
    ),
    '',
    'Rincian: oss-sync discrepancies show ID',
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}

function findingId(raw: string | undefined): number {
  const id = Number(String(raw ?? '').replace(/^#/, ''));
  if (!Number.isSafeInteger(id) || id < 1) throw new UsageError(`"${raw}" bukan ID temuan (bilangan bulat)`);
  return id;
}

async function showCommand(rt: Runtime, inv: Invocation): Promise<number> {
  const id = findingId(inv.args[0]);
  const tz = rt.config.sync.timezone;
  const when = (d: Date | null) => humanTime(d, tz);
  const f = await getFinding(rt.db, id);
  if (!f) throw new FindingNotFoundError(id);
  const [events, runs, record] = await Promise.all([
    findingEvents(rt.db, id),
    findingRunIds(rt.db, id),
    relatedRecord(rt.db, f.entity_type, f.entity_id),
  ]);
  const real = f.entity_type === 'kemitraan' && record ? await partnershipRealisations(rt.db, f.entity_id) : null;
  if (inv.opts.json) {
    const out = {
      ...findingJson(f),
      runIds: runs,
      record,
      realisations: real,
      events: events.map((e) => ({ ...e, at: e.at.toISOString() })),
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
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
    if (real) {
      out.push(
        `  realisasi: ${real.length ? real.map((r) => `${r.tahun}-T${r.triwulan} nilai=${r.nilai_realisasi ?? '-'} volume=${r.volume_realisasi ?? '-'}`).join('; ') : '(tidak ada)'}`,
      );
    }
  } else out.push('  (tidak ada lagi di data tersinkron)');
  out.push(
    '',
    'Riwayat:',
    fittedTable(
      [`waktu (${zoneLabel(tz)})`, 'peristiwa', 'dari', 'ke', 'oleh', 'run', 'catatan'],
      events.map((e) => [
        when(e.at),
        e.kind,
        e.from_status,
        e.to_status,
        e.actor,
        e.run_id === null ? null : String(e.run_id),
        e.note,
      ]),
      columns(),
      6,
      fmtId,
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

async function verifyCommand(rt: Runtime, inv: Invocation): Promise<number> {
  const id = findingId(inv.args[0]);
  const to = typeof inv.opts.status === 'string' ? inv.opts.status.trim() : '';
  if (!to) throw new UsageError(`verify perlu --status (${VERIFIER_STATUSES.join(', ')})`);
  const by = typeof inv.opts.by === 'string' ? inv.opts.by.trim() : '';
  if (!by) throw new UsageError('verify perlu --by NAMA: verifikator yang memutuskan');
  const note = typeof inv.opts.note === 'string' ? inv.opts.note : null;
  const result = await transitionFinding(rt.db, id, { to, by, note });
  process.stdout.write(
    `Temuan #${id}: ${result.from} → ${result.to} (${STATUS_LABELS[result.to] ?? result.to}) oleh ${by}${note ? ` — "${note.trim()}"` : ''}.\n`,
  );
  return 0;
}

/** The field-visit sheet: findings with names, address, desa and coordinates, in route order. */
async function exportCommand(rt: Runtime, inv: Invocation): Promise<number> {
  const format = inv.opts.format;
  if (format !== 'csv' && format !== 'xlsx') throw new UsageError('export perlu --format csv atau --format xlsx');
  const filter = await filterOf(rt, inv.opts);
  const { rows } = await listFindings(rt.db, filter);
  const details = new Map(
    (
      await findingVisitDetails(
        rt.db,
        rows.map((f) => Number(f.id)),
      )
    ).map((d) => [Number(d.finding_id), d]),
  );
  const desa = loadDesaNames();
  const visits: VisitFinding[] = visitOrder(
    rows.map((f) => {
      const visit = details.get(Number(f.id)) ?? null;
      return { ...f, visit, desa: visit?.kd_desa ? (desa[visit.kd_desa] ?? null) : null };
    }),
  );
  const output =
    typeof inv.opts.output === 'string' && inv.opts.output.trim()
      ? inv.opts.output.trim()
      : format === 'xlsx'
        ? `temuan-${rt.config.oss.kdDaerah}-${new Date().toISOString().slice(0, 10).replace(/-/g, '')}.xlsx`
        : null;
  if (format === 'csv') {
    const text = findingsCsv(visits, inv.opts.delimiter === ',' ? ',' : ';');
    if (output === null) {
      process.stdout.write(`${text}\r\n`);
      return 0;
    }
    const stream = createWriteStream(output);
    stream.end(`\uFEFF${text}\r\n`);
    await once(stream, 'finish');
  } else {
    await writeFindingsXlsx(visits, output as string, filter);
  }
  process.stderr.write(`${fmtId(rows.length)} temuan ditulis ke ${output}\n`);
  return 0;
}

async function evaluateCommand(rt: Runtime, inv: Invocation): Promise<number> {
  const values = inv.opts;
  const report = await evaluatePending(rt.db, {
    runId: null,
    now: new Date(),
    kdDaerah: rt.config.oss.kdDaerah,
    all: values.all === true,
    force: values.force === true,
  });
  const what =
    report.scopeSizes !== 'all'
      ? `perubahan sejak evaluasi terakhir, ${fmtId(report.changes)} perubahan tercatat (${Object.entries(
          report.scopeSizes,
        )
          .map(([t, n]) => `${fmtId(n)} ${t}`)
          .join(', ')}), dan aturan berbasis waktu di seluruh wilayah`
      : values.all === true
        ? 'seluruh wilayah'
        : `seluruh wilayah: ${fmtId(report.changes)} perubahan tercatat sejak evaluasi terakhir`;
  process.stdout.write(
    `Dievaluasi: ${what}.\n${renderFindingsSummary(report.counts, { guard: report.guard, lang: 'id' }).join('\n')}\n`,
  );
  return 0;
}
