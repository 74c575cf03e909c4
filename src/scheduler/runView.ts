/**
 * The JSON shape of a run for people and monitors (GET /syncs/:id, the console's Sinkronisasi pages): the stored row
 * with the live progress of the run this process is executing folded in.
 */
import type { RunRow, StreamCounts } from '../store/runs.js';
import type { ActiveRun } from './runner.js';

const COUNT_KEYS = ['fetched', 'inserted', 'updated', 'unchanged', 'rejected', 'deleted', 'requests'] as const;

/** The JSON shape of a run: state, scope, who and why, per-stream progress and counts, totals. */
export function runView(row: RunRow & { heartbeat_at?: Date }, live: ActiveRun | null) {
  const streams: Record<string, Record<string, unknown>> = {};
  for (const [name, outcome] of Object.entries(row.streams ?? {})) streams[name] = { ...outcome };
  if (live && live.runId === row.id && row.status === 'running') {
    for (const [name, p] of Object.entries(live.progress)) {
      streams[name] = { ...(streams[name] ?? { status: 'running' }), phase: p.phase, total: p.total, counts: p.counts };
    }
  }
  const totals = Object.fromEntries(COUNT_KEYS.map((k) => [k, 0])) as Record<(typeof COUNT_KEYS)[number], number>;
  for (const s of Object.values(streams)) {
    const counts = s.counts as Partial<StreamCounts> | undefined;
    for (const k of COUNT_KEYS) totals[k] += Number(counts?.[k] ?? 0);
  }
  const scope = (row.scope ?? {}) as { streams?: string[]; full?: boolean; dryRun?: boolean };
  return {
    id: Number(row.id),
    trigger: row.trigger,
    status: row.status,
    requested_by: row.requested_by,
    reason: row.reason,
    scope: { streams: scope.streams ?? [], full: scope.full ?? false, dry_run: scope.dryRun ?? false },
    started_at: row.started_at,
    finished_at: row.finished_at,
    heartbeat_at: row.heartbeat_at ?? null,
    error: row.error,
    streams,
    totals,
  };
}
