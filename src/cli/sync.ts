import { fmt, table } from '../domain/format.js';
import type { StreamName } from '../domain/glossary.js';
import type { Runtime, Sandbox } from '../runtime.js';
import type { StreamOutcome } from '../store/runs.js';
import { databaseTotals, topQuarantineReasons } from '../store/state.js';
import { runSync, type SyncResult } from '../sync/runSync.js';
import { renderFindingsSummary } from '../verification/summary.js';
import type { Invocation } from './program.js';
import { createProgressReporter } from './progress.js';
import { currentUser, optionalString } from './usage.js';
import { type ConsoleHint, consoleHintLine, ensureSandboxAdmin } from './users.js';

/** Exit codes of `sync` (interfaces.md): 0 complete, 3 partial, 1 failed. */
export const EXIT = { succeeded: 0, failed: 1, usage: 2, partial: 3, alreadyRunning: 4 } as const;

/** `oss-sync sync [--stream S] [--full] [--dry-run] [--by NAME] [--reason TEXT] [--json]` */
export async function syncCommand(rt: Runtime, inv: Invocation, signal?: AbortSignal): Promise<number> {
  const values = inv.opts as {
    stream?: StreamName[];
    full?: boolean;
    dryRun?: boolean;
    by?: string;
    reason?: string;
    json?: boolean;
  };
  const deps = await rt.syncDeps();
  const { sandbox } = await rt.oss();
  const tty = Boolean(process.stderr.isTTY) && !values.json;
  const progress = createProgressReporter(rt.log, tty);
  const result = await runSync(signal ? { ...deps, signal } : deps, {
    trigger: 'manual',
    requestedBy: optionalString(values.by) ?? (await currentUser()),
    reason: optionalString(values.reason),
    streams: values.stream ?? [],
    full: values.full === true,
    dryRun: values.dryRun === true,
    onProgress: (p) => progress.update(p),
  }).finally(() => progress.done());
  const stats = deps.oss.stats();
  const consoleHint = sandbox ? await sandboxConsole(rt, values.dryRun === true) : null;
  if (values.json) {
    const json = await syncJson(rt, result, stats, values.dryRun === true);
    process.stdout.write(`${JSON.stringify(consoleHint ? { ...json, console: consoleHint } : json, null, 2)}\n`);
  } else {
    const summary = await renderSummary(rt, result, stats, sandbox, values.dryRun === true);
    process.stdout.write(`${summary}\n${consoleHint ? `\n${consoleHintLine(consoleHint)}\n` : ''}`);
  }
  return EXIT[result.status];
}

/** The sandbox's first console admin (not on a dry run, which writes nothing); a failure here never fails the sync. */
async function sandboxConsole(rt: Runtime, dryRun: boolean): Promise<ConsoleHint | null> {
  try {
    return await ensureSandboxAdmin(rt, { create: !dryRun });
  } catch (err) {
    rt.log.warn({ err }, 'could not create the sandbox console admin');
    return null;
  }
}

type OssStats = { retries: number; rateWaitMs: number; http429: number };

/** The run result for scripts: stable keys, the numbers of the human summary. */
async function syncJson(rt: Runtime, result: SyncResult, oss: OssStats, dryRun: boolean) {
  const h = await databaseTotals(rt.db);
  return {
    runId: result.runId,
    status: result.status,
    dryRun,
    startedAt: result.startedAt.toISOString(),
    finishedAt: result.finishedAt.toISOString(),
    durationMs: result.finishedAt.getTime() - result.startedAt.getTime(),
    streams: Object.fromEntries(
      Object.entries(result.streams).map(([name, o]) => [
        name,
        {
          status: o.status,
          ...o.counts,
          rateWaitMs: o.rateWaitMs ?? 0,
          error: o.error ?? null,
          note: o.note ?? null,
        },
      ]),
    ),
    oss: { retries: oss.retries, http429: oss.http429 },
    database: h,
    findings:
      result.findings && !('error' in result.findings)
        ? Object.fromEntries(Object.entries(result.findings.counts))
        : result.findings
          ? { error: result.findings.error }
          : null,
  };
}

/** True when the run wrote nothing: no stream stored, changed or withdrew a record. */
const changedNothing = (result: SyncResult) =>
  Object.values(result.streams).every((o) => o.counts.inserted + o.counts.updated + o.counts.deleted === 0);

/** The end-of-run summary a person reads: per-stream counts, notes and errors, and what the database now holds. */
export async function renderSummary(
  rt: Runtime,
  result: SyncResult,
  ossStats: OssStats,
  sandbox: Sandbox | null,
  dryRun = false,
): Promise<string> {
  const seconds = (result.finishedAt.getTime() - result.startedAt.getTime()) / 1000;
  const rows = (Object.entries(result.streams) as Array<[StreamName, StreamOutcome]>).map(([name, o]) => [
    name,
    o.status,
    o.counts.fetched,
    o.counts.inserted,
    o.counts.updated,
    o.counts.unchanged,
    o.counts.rejected,
    o.counts.deleted,
    o.counts.requests,
    `${((o.rateWaitMs ?? 0) / 1000).toFixed(1)} s`,
  ]);
  const out = [
    '',
    ...(dryRun ? ['DRY RUN: nothing was written', ''] : []),
    `Sync run ${result.runId}: ${result.status.toUpperCase()} in ${seconds.toFixed(1)} s`,
    '',
    table(
      [
        'stream',
        'status',
        'fetched',
        dryRun ? 'would add' : 'new',
        dryRun ? 'would change' : 'changed',
        'unchanged',
        'rejected',
        'deleted',
        'requests',
        'rate wait',
      ],
      rows,
    ),
  ];
  for (const [name, o] of Object.entries(result.streams)) {
    if (o?.error) out.push(`  ! ${name}: ${o.error}`);
    if (o?.note) out.push(`  - ${name}: ${o.note}`);
  }
  out.push(
    `  OSS: ${fmt(ossStats.retries)} retries, ${fmt(ossStats.http429)} answers 429; rate wait: the wall time each stream waited for the rate budget`,
  );
  if (dryRun) {
    const nib = result.streams.nib;
    out.push(
      `  Would have inquired ${fmt(nib?.counts.requests ?? 0)} NIBs at OSS (inquiryNIB) and stored ${fmt(
        Object.values(result.streams).reduce((a, o) => a + o.counts.inserted + o.counts.updated, 0),
      )} new or changed records.`,
    );
  } else if (result.status !== 'failed' && changedNothing(result)) {
    out.push('  Nothing changed: OSS has no new or changed records since the last run.');
  }
  const h = await databaseTotals(rt.db);
  out.push(
    '',
    `Database now holds: ${fmt(h.kemitraan)} partnerships (${fmt(h.kemitraan_deleted)} withdrawn), ${fmt(h.pelaku_usaha)} businesses, ` +
      `${fmt(h.proyek)} projects, ${fmt(h.perizinan)} licences; ${fmt(h.quarantined)} records in quarantine, ` +
      `${fmt(h.nib_not_found)} NIBs unknown to OSS, ${fmt(h.nib_queue)} NIBs waiting.`,
  );
  if (h.quarantined > 0) {
    const reasons = await topQuarantineReasons(rt.db, 8);
    out.push('', 'Quarantined records (top reasons):');
    out.push(
      table(
        ['stream', 'field', 'expected', 'records', 'example'],
        reasons.map((r) => [r.stream, r.path, r.expected, r.n, r.example]),
      ),
    );
  }
  if (result.findings && 'error' in result.findings) {
    out.push('', `Findings: evaluation failed (${result.findings.error}); run \`oss-sync discrepancies evaluate\`.`);
  } else if (result.findings) {
    out.push('', ...renderFindingsSummary(result.findings.counts, { guard: result.findings.guard }));
  }
  if (sandbox) {
    out.push(
      '',
      `Sandbox: the simulator's manifest of planted cases is at ${sandbox.manifestPath}`,
      'Work through the findings with `npx oss-sync discrepancies list` (same OSS_SYNC_DATA_DIR).',
      'Query the sandbox database as an analyst: psql "$(npx oss-sync db url)"',
    );
  }
  if (dryRun) out.push('', 'DRY RUN: nothing was written');
  return out.join('\n');
}
