import { fmt, table } from '../domain/format.js';
import { humanTime, zoneLabel } from '../domain/wib.js';
import type { Runtime } from '../runtime.js';
import { listCheckpoints } from '../store/checkpoints.js';
import { activeFindingsByRule } from '../store/findings.js';
import { listRuns } from '../store/runs.js';
import { databaseTotals } from '../store/state.js';
import type { Invocation } from './program.js';

/** `oss-sync status [--json]`: last runs, checkpoints, queue and quarantine; times in TZ (WIB by default). */
export async function statusCommand(rt: Runtime, inv: Invocation): Promise<number> {
  const tz = rt.config.sync.timezone;
  const when = (d: Date | null) => humanTime(d, tz, true);
  const runs = (await listRuns(rt.db, { limit: 10 })).map((r) => {
    const c = Object.entries(r.counts ?? {}).flatMap(([k, v]) => (k === 'findings' ? [] : [v]));
    const sum = (k: 'fetched' | 'inserted' | 'updated' | 'rejected') => c.reduce((a, x) => a + (x[k] ?? 0), 0);
    return {
      id: r.id,
      trigger: r.trigger,
      requestedBy: r.requested_by,
      status: r.status,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      fetched: sum('fetched'),
      inserted: sum('inserted'),
      updated: sum('updated'),
      rejected: sum('rejected'),
      error: r.error ?? null,
    };
  });
  const cps = await listCheckpoints(rt.db);
  const q = await databaseTotals(rt.db);
  const findings = await activeFindingsByRule(rt.db);
  if (inv.opts.json) {
    const status = {
      timeZone: tz,
      runs,
      checkpoints: cps.map((c) => ({ stream: c.stream, since: c.cursor.since ?? null, savedAt: c.updated_at })),
      nibQueue: { waiting: q.nib_queue, failing: q.nib_queue_failing },
      quarantined: q.quarantined,
      openFindings: findings.map((f) => ({ rule: f.rule_code, severity: f.severity, findings: f.n })),
    };
    process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
    return 0;
  }
  const zone = zoneLabel(tz);
  const out: string[] = ['Last runs:'];
  out.push(
    runs.length === 0
      ? '  (none yet: run `oss-sync sync`)'
      : table(
          [
            'id',
            'trigger',
            'by',
            'status',
            `started (${zone})`,
            `finished (${zone})`,
            'fetched',
            'new',
            'changed',
            'rejected',
          ],
          runs.map((r) => [
            r.id,
            r.trigger,
            r.requestedBy,
            r.status,
            when(r.startedAt),
            when(r.finishedAt),
            r.fetched,
            r.inserted,
            r.updated,
            r.rejected,
          ]),
        ),
  );
  const failed = runs.find((r) => r.error);
  if (failed) out.push(`  last error (run ${failed.id}): ${failed.error}`);
  out.push('', 'Checkpoints (inclusive start of the next incremental listing, OSS time, WIB):');
  out.push(
    cps.length === 0
      ? '  (none)'
      : table(
          ['stream', 'since', `saved (${zone})`],
          cps.map((c) => [c.stream, c.cursor.since ? `${c.cursor.since} WIB` : '(beginning)', when(c.updated_at)]),
        ),
  );
  out.push(
    '',
    `NIB queue: ${fmt(q.nib_queue)} waiting (${fmt(q.nib_queue_failing)} with errors). Quarantine: ${fmt(q.quarantined)} open records.`,
  );
  out.push('', 'Open findings per rule (open, in review, confirmed):');
  out.push(
    findings.length === 0
      ? '  (none)'
      : table(
          ['rule', 'severity', 'findings'],
          findings.map((f) => [f.rule_code, f.severity, f.n]),
        ),
  );
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}
