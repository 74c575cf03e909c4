import { userInfo } from 'node:os';
import { fmt, table } from '../domain/format.js';
import type { StreamName } from '../domain/glossary.js';
import type { Runtime, Sandbox } from '../runtime.js';
import type { StreamOutcome } from '../store/runs.js';
import { databaseTotals, topQuarantineReasons } from '../store/state.js';
import { runSync, type SyncResult } from '../sync/runSync.js';
import { renderFindingsSummary } from '../verification/summary.js';
import { optionalString, parseFlags, parseStreams } from './args.js';
import { createProgressReporter } from './progress.js';

/** Exit codes of `sync` (interfaces.md): 0 complete, 3 partial, 1 failed. */
export const EXIT = { succeeded: 0, failed: 1, usage: 2, partial: 3, alreadyRunning: 4 } as const;

/** `oss-sync sync [--stream S] [--full] [--dry-run] [--by NAME] [--reason TEXT]` */
export async function syncCommand(rt: Runtime, args: string[], signal?: AbortSignal): Promise<number> {
  const { values } = parseFlags(args, {
    stream: { type: 'string', multiple: true },
    full: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    by: { type: 'string' },
    reason: { type: 'string' },
  });
  const streams = parseStreams(values.stream);
  const deps = await rt.syncDeps();
  const { sandbox } = await rt.oss();
  const tty = Boolean(process.stderr.isTTY);
  const progress = createProgressReporter(rt.log, tty);
  const result = await runSync(signal ? { ...deps, signal } : deps, {
    trigger: 'manual',
    requestedBy: optionalString(values.by) ?? safeUser(),
    reason: optionalString(values.reason),
    streams,
    full: values.full === true,
    dryRun: values['dry-run'] === true,
    onProgress: (p) => progress.update(p),
  }).finally(() => progress.done());
  process.stdout.write(`${await renderSummary(rt, result, deps.oss.stats(), sandbox)}\n`);
  return EXIT[result.status];
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'cli';
  }
}

/** The end-of-run summary a person reads: per-stream counts, notes and errors, and what the database now holds. */
export async function renderSummary(
  rt: Runtime,
  result: SyncResult,
  ossStats: { retries: number; rateWaitMs: number; http429: number },
  sandbox: Sandbox | null,
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
  ]);
  const out = [
    '',
    `Sync run ${result.runId}: ${result.status.toUpperCase()} in ${seconds.toFixed(1)} s`,
    '',
    table(['stream', 'status', 'fetched', 'new', 'changed', 'unchanged', 'rejected', 'deleted', 'requests'], rows),
  ];
  for (const [name, o] of Object.entries(result.streams)) {
    if (o?.error) out.push(`  ! ${name}: ${o.error}`);
    if (o?.note) out.push(`  - ${name}: ${o.note}`);
  }
  out.push(
    `  OSS: ${fmt(ossStats.retries)} retries, ${fmt(ossStats.http429)} answers 429, ${(ossStats.rateWaitMs / 1000).toFixed(1)} s cumulative wait for the rate budget`,
  );
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
    );
  }
  return out.join('\n');
}
