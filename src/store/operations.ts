/*
 * Reads behind the console's admin pages (Sinkronisasi, Karantina, Impor): runs paged and filtered, what one run
 * produced (its findings and quarantined records), the open quarantine, and recent import runs. Lists count at most
 * COUNT_CAP + 1 rows, so a deployment with many push batches never counts its whole history on a page load.
 */
import type { Knex } from 'knex';
import type { RunRow } from './runs.js';
import { type AuditEntry, recordAudit } from './users.js';

/** Counts stop here; the page then says "lebih dari 10.000". */
export const COUNT_CAP = 10_000;

/** A count that may have stopped at the cap. */
export interface CappedCount {
  total: number;
  atLeast: boolean;
}

const capped = (n: number): CappedCount =>
  n > COUNT_CAP ? { total: COUNT_CAP, atLeast: true } : { total: n, atLeast: false };

export interface RunFilter {
  trigger?: string | null;
  status?: string | null;
}

const RUN_COLUMNS = [
  'id',
  'trigger',
  'requested_by',
  'reason',
  'scope',
  'status',
  'started_at',
  'finished_at',
  'heartbeat_at',
  'counts',
  'streams',
  'error',
  'host',
  'pid',
];

const runWhere = (f: RunFilter) => (q: Knex.QueryBuilder) => {
  if (f.trigger) q.where('trigger', f.trigger);
  if (f.status) q.where('status', f.status);
};

/** One page of runs, newest first, and how many match (capped). */
export async function listRunsPage(
  db: Knex,
  filter: RunFilter,
  page: { limit: number; offset: number },
): Promise<{ rows: RunRow[]; count: CappedCount }> {
  const [rows, count] = await Promise.all([
    db('sync_runs')
      .select(RUN_COLUMNS)
      .modify(runWhere(filter))
      .orderBy('id', 'desc')
      .limit(page.limit)
      .offset(page.offset),
    db.count<{ n: string }[]>({ n: '*' }).from(
      db('sync_runs')
        .select('id')
        .modify(runWhere(filter))
        .limit(COUNT_CAP + 1)
        .as('capped'),
    ),
  ]);
  return { rows: rows as RunRow[], count: capped(Number(count[0]?.n ?? 0)) };
}

/** The newest import runs (trigger 'import'). */
export async function recentImportRuns(db: Knex, limit: number): Promise<RunRow[]> {
  return db('sync_runs').select(RUN_COLUMNS).where('trigger', 'import').orderBy('id', 'desc').limit(limit);
}

/** A finding a run saw, with whether the run raised it. */
export interface RunFindingRow {
  id: number;
  rule_code: string;
  rule_title: string | null;
  severity: string;
  entity_type: string;
  entity_id: string;
  status: string;
  message: string;
  /** The run raised it (its first run). */
  is_new: boolean;
}

/** Findings the run saw (finding_runs), the ones it raised first, and how many there are in all (capped). */
export async function runFindings(
  db: Knex,
  runId: number,
  limit: number,
): Promise<{ rows: RunFindingRow[]; count: CappedCount }> {
  const [rows, count] = await Promise.all([
    db.raw(
      `select f.id, f.rule_code, r.title as rule_title, f.severity, f.entity_type, f.entity_id, f.status, f.message,
              (f.first_run_id = fr.run_id) as is_new
         from finding_runs fr
         join findings f on f.id = fr.finding_id
         left join finding_rules r on r.rule_code = f.rule_code
        where fr.run_id = ?
        order by (f.first_run_id = fr.run_id) desc, f.id
        limit ?`,
      [runId, limit],
    ),
    db.raw(`select count(*)::int as n from (select 1 from finding_runs where run_id = ? limit ?) c`, [
      runId,
      COUNT_CAP + 1,
    ]),
  ]);
  return { rows: rows.rows as RunFindingRow[], count: capped(count.rows[0].n) };
}

/** One issue of a quarantined record: where in the record, what was expected, what came, and why (from validate/). */
export interface QuarantineIssue {
  path: string;
  expected: string | null;
  got: unknown;
  message: string;
}

/** A quarantined record without its payload (issues and location only: the console never shows the raw record). */
export interface QuarantineEntry {
  id: number;
  stream: string;
  source: string;
  entity_id: string | null;
  location: Record<string, unknown>;
  issues: QuarantineIssue[];
  first_run_id: number | null;
  first_seen_at: Date;
  resolved_at: Date | null;
}

const QUARANTINE_COLUMNS = [
  'id',
  'stream',
  'source',
  'entity_id',
  'location',
  'issues',
  'first_run_id',
  'first_seen_at',
  'resolved_at',
];

/** The records a run quarantined first, and how many (capped). */
export async function runQuarantine(
  db: Knex,
  runId: number,
  limit: number,
): Promise<{ rows: QuarantineEntry[]; count: CappedCount }> {
  const [rows, count] = await Promise.all([
    db('quarantine').select(QUARANTINE_COLUMNS).where('first_run_id', runId).orderBy('id').limit(limit),
    db.count<{ n: string }[]>({ n: '*' }).from(
      db('quarantine')
        .select('id')
        .where('first_run_id', runId)
        .limit(COUNT_CAP + 1)
        .as('capped'),
    ),
  ]);
  return { rows: rows as QuarantineEntry[], count: capped(Number(count[0]?.n ?? 0)) };
}

/** One page of the open quarantine (not resolved), newest first, optionally of one stream. */
export async function listOpenQuarantine(
  db: Knex,
  filter: { stream?: string | null },
  page: { limit: number; offset: number },
): Promise<{ rows: QuarantineEntry[]; count: CappedCount }> {
  const where = (q: Knex.QueryBuilder) => {
    q.whereNull('resolved_at');
    if (filter.stream) q.where('stream', filter.stream);
  };
  const [rows, count] = await Promise.all([
    db('quarantine')
      .select(QUARANTINE_COLUMNS)
      .modify(where)
      .orderBy('id', 'desc')
      .limit(page.limit)
      .offset(page.offset),
    db.count<{ n: string }[]>({ n: '*' }).from(
      db('quarantine')
        .select('id')
        .modify(where)
        .limit(COUNT_CAP + 1)
        .as('capped'),
    ),
  ]);
  return { rows: rows as QuarantineEntry[], count: capped(Number(count[0]?.n ?? 0)) };
}

/** The streams that have open quarantine entries, with how many each (for the filter). */
export async function openQuarantineStreams(db: Knex): Promise<Array<{ stream: string; n: number }>> {
  const r = await db.raw(
    `select stream, count(*)::int as n from quarantine where resolved_at is null group by stream order by stream`,
  );
  return r.rows;
}

/** How many records are in quarantine, unresolved (capped). */
export async function openQuarantineCount(db: Knex): Promise<CappedCount> {
  const r = await db.count<{ n: string }[]>({ n: '*' }).from(
    db('quarantine')
      .select('id')
      .whereNull('resolved_at')
      .limit(COUNT_CAP + 1)
      .as('capped'),
  );
  return capped(Number(r[0]?.n ?? 0));
}

/**
 * Makes one account change and its audit row in one transaction (as `oss-sync users` does): the row is written only
 * when `change` reports that it changed something. True when it did.
 */
export async function changeWithAudit(
  db: Knex,
  entry: AuditEntry,
  change: (trx: Knex.Transaction) => Promise<boolean>,
): Promise<boolean> {
  return db.transaction(async (trx) => {
    if (!(await change(trx))) return false;
    await recordAudit(trx, entry);
    return true;
  });
}
