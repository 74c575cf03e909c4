import { fmt, table } from '../domain/format.js';
import type { Runtime } from '../runtime.js';
import { listCheckpoints } from '../store/checkpoints.js';
import { activeFindingsByRule } from '../store/findings.js';
import { listRuns } from '../store/runs.js';
import { databaseTotals } from '../store/state.js';

const when = (d: Date | null) => (d ? d.toISOString().replace('T', ' ').slice(0, 19) : '-');

/** `oss-sync status`: last runs, checkpoints, queue and quarantine. */
export async function statusCommand(rt: Runtime): Promise<number> {
  const runs = await listRuns(rt.db, { limit: 10 });
  const out: string[] = ['Last runs:'];
  out.push(
    runs.length === 0
      ? '  (none yet: run `oss-sync sync`)'
      : table(
          ['id', 'trigger', 'by', 'status', 'started (UTC)', 'finished (UTC)', 'fetched', 'new', 'changed', 'rejected'],
          runs.map((r) => {
            const c = Object.entries(r.counts ?? {}).flatMap(([k, v]) => (k === 'findings' ? [] : [v]));
            const sum = (k: 'fetched' | 'inserted' | 'updated' | 'rejected') => c.reduce((a, x) => a + (x[k] ?? 0), 0);
            return [
              r.id,
              r.trigger,
              r.requested_by,
              r.status,
              when(r.started_at),
              when(r.finished_at),
              sum('fetched'),
              sum('inserted'),
              sum('updated'),
              sum('rejected'),
            ];
          }),
        ),
  );
  const failed = runs.find((r) => r.error);
  if (failed) out.push(`  last error (run ${failed.id}): ${failed.error}`);
  const cps = await listCheckpoints(rt.db);
  out.push('', 'Checkpoints (inclusive start of the next incremental listing, WIB):');
  out.push(
    cps.length === 0
      ? '  (none)'
      : table(
          ['stream', 'since', 'saved (UTC)'],
          cps.map((c) => [c.stream, c.cursor.since ?? '(beginning)', when(c.updated_at)]),
        ),
  );
  const q = await databaseTotals(rt.db);
  out.push(
    '',
    `NIB queue: ${fmt(q.nib_queue)} waiting (${fmt(q.nib_queue_failing)} with errors). Quarantine: ${fmt(q.quarantined)} open records.`,
  );
  const findings = await activeFindingsByRule(rt.db);
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
