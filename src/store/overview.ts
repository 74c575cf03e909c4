/*
 * The figures of the console's Beranda: partnerships registered, running and with realisation in a quarter (per pola,
 * kecamatan and status), their UMKM partners, the active findings per severity and rule, and the health of the sync.
 *
 * Partnership figures follow the analytics views' rule (a row last written by a live run is not counted yet), so they
 * are the numbers an analyst sees in Metabase; the base tables are read directly because the views' per-row
 * NOT EXISTS makes the planner expect one row and pick nested loops (400 ms at 100,000 partnerships). One statement
 * aggregates every breakdown (grouping sets over a first aggregate per pola × kecamatan × status), one counts the
 * distinct partners. Those figures change only when a run commits, finishes or dies, so they are kept per quarter
 * until the runs change (partnershipOverview): a page load then costs a look at sync_runs' newest id and running rows.
 */
import type { Knex } from 'knex';
import { type RunStatus, type RunTrigger, STREAMS } from '../domain/glossary.js';
import { LEASE_SECONDS, type RunScope, type StreamCounts } from './runs.js';

/** A calendar quarter: tahun and triwulan 1–4, as realisation rows are keyed. */
export interface Quarter {
  tahun: number;
  triwulan: number;
}

/** Counts and values of one group of partnerships (or of all of them). */
export interface PartnershipFigures {
  /** Registered: every partnership not deleted. */
  registered: number;
  registeredValue: number;
  /** Running: status_kemitraan 03. */
  running: number;
  runningValue: number;
  /** Running with a realisation row (not deleted) for the quarter. */
  realised: number;
  /** Agreed value (nilai_kemitraan) of those. */
  realisedAgreedValue: number;
  /** What they realised in the quarter (nilai_realisasi). */
  realisedValue: number;
}

export interface PartnershipGroup extends PartnershipFigures {
  /** The code (pola, kd_kecamatan, status); null when the partnership has none. */
  code: string | null;
  /** The kecamatan's name from ref_kecamatan (kecamatan groups only). */
  name: string | null;
}

export interface PartnershipOverview {
  quarter: Quarter;
  total: PartnershipFigures;
  /** Largest group first. */
  byPola: PartnershipGroup[];
  byKecamatan: PartnershipGroup[];
  byStatus: PartnershipGroup[];
  /** Distinct UMKM partners (id_mitra_umkm: the NIB, or the NIK hash of a partner without one). */
  umkmPartners: number;
  /** Of those, partners in at least one running partnership. */
  umkmPartnersRunning: number;
}

interface FigureRow {
  registered: number;
  registered_value: number;
  running: number;
  running_value: number;
  realised: number;
  realised_agreed_value: number;
  realised_value: number;
}

const figures = (r: FigureRow): PartnershipFigures => ({
  registered: r.registered,
  registeredValue: r.registered_value,
  running: r.running,
  runningValue: r.running_value,
  realised: r.realised,
  realisedAgreedValue: r.realised_agreed_value,
  realisedValue: r.realised_value,
});

const EMPTY: FigureRow = {
  registered: 0,
  registered_value: 0,
  running: 0,
  running_value: 0,
  realised: 0,
  realised_agreed_value: 0,
  realised_value: 0,
};

/** Not written by a live run (the analytics views' rule), for a table alias; binds the live run ids. */
const finished = (alias: string) => `(${alias}.last_run_id is null or ${alias}.last_run_id <> all(?::bigint[]))`;

/** What the partnership figures depend on: the newest run and the running ones with their liveness. */
interface DataVersion {
  key: string;
  liveRunIds: number[];
}

async function dataVersion(db: Knex): Promise<DataVersion> {
  const r = await db.raw(
    `select (select max(id) from sync_runs) as max_id,
            coalesce((select string_agg(id || ':' || sync_run_live(status, heartbeat_at)::text, ',' order by id)
                        from sync_runs where status = 'running'), '') as running,
            coalesce((select array_agg(id order by id) from sync_runs
                       where status = 'running' and sync_run_live(status, heartbeat_at)), '{}') as live`,
  );
  const row = r.rows[0];
  return { key: `${row.max_id ?? 0}|${row.running}`, liveRunIds: (row.live as Array<number | string>).map(Number) };
}

/** Partnerships in total and per pola, kecamatan and status, with the realisation of `quarter`, straight from SQL. */
export async function computePartnershipOverview(
  db: Knex,
  quarter: Quarter,
  liveRunIds?: readonly number[],
): Promise<PartnershipOverview> {
  const live = [...(liveRunIds ?? (await dataVersion(db)).liveRunIds)];
  const groups = db.raw(
    `with g as (
       select m.pola_kemitraan, m.kd_kecamatan, m.status_kemitraan,
              count(*) as registered, sum(m.nilai_kemitraan) as registered_value,
              count(r.id_kemitraan) as realised_rows, sum(m.nilai_kemitraan) filter (where r.id_kemitraan is not null)
                as realised_agreed_value, sum(r.nilai_realisasi) as realised_value
         from kemitraan m
         left join kemitraan_realisasi r
           on r.id_kemitraan = m.id_kemitraan and r.tahun = ? and r.triwulan = ? and r.deleted_at is null
              and ${finished('r')}
        where m.deleted_at is null and ${finished('m')}
        group by 1, 2, 3
     )
     select case when grouping(g.pola_kemitraan) = 0 then 'pola'
                 when grouping(g.kd_kecamatan) = 0 then 'kecamatan'
                 when grouping(g.status_kemitraan) = 0 then 'status'
                 else 'total' end as dimension,
            coalesce(g.pola_kemitraan, g.kd_kecamatan, g.status_kemitraan) as code, max(k.nama) as name,
            sum(g.registered)::int as registered,
            coalesce(sum(g.registered_value), 0)::float8 as registered_value,
            coalesce(sum(g.registered) filter (where g.status_kemitraan = '03'), 0)::int as running,
            coalesce(sum(g.registered_value) filter (where g.status_kemitraan = '03'), 0)::float8 as running_value,
            coalesce(sum(g.realised_rows) filter (where g.status_kemitraan = '03'), 0)::int as realised,
            coalesce(sum(g.realised_agreed_value) filter (where g.status_kemitraan = '03'), 0)::float8
              as realised_agreed_value,
            coalesce(sum(g.realised_value) filter (where g.status_kemitraan = '03'), 0)::float8 as realised_value
       from g
       left join ref_kecamatan k on k.kd_kecamatan = g.kd_kecamatan
      group by grouping sets ((g.pola_kemitraan), (g.kd_kecamatan), (g.status_kemitraan), ())`,
    [quarter.tahun, quarter.triwulan, live, live],
  );
  // A partner counts once however many agreements it has (the id of analytics.kemitraan.id_mitra_umkm); bool_or:
  // in at least one running agreement.
  const partners = db.raw(
    `select count(*)::int as umkm, count(*) filter (where running)::int as umkm_running
       from (select coalesce(m.nib_umkm, 'nik:' || left(m.nik_umkm_hash, 16)) as id_mitra_umkm,
                    bool_or(m.status_kemitraan = '03') as running
               from kemitraan m
              where m.deleted_at is null and ${finished('m')}
                and coalesce(m.nib_umkm, 'nik:' || left(m.nik_umkm_hash, 16)) is not null
              group by 1) p`,
    [live],
  );
  const [g, p] = await Promise.all([groups, partners]);
  const rows = g.rows as Array<FigureRow & { dimension: string; code: string | null; name: string | null }>;
  const of = (dimension: string): PartnershipGroup[] =>
    rows
      .filter((r) => r.dimension === dimension)
      .map((r) => ({ code: r.code, name: dimension === 'kecamatan' ? r.name : null, ...figures(r) }))
      .sort((a, b) => b.registered - a.registered || String(a.code).localeCompare(String(b.code)));
  return {
    quarter,
    total: figures(rows.find((r) => r.dimension === 'total') ?? EMPTY),
    byPola: of('pola'),
    byKecamatan: of('kecamatan'),
    byStatus: of('status'),
    umkmPartners: p.rows[0].umkm,
    umkmPartnersRunning: p.rows[0].umkm_running,
  };
}

interface CachedOverview {
  version: string;
  at: number;
  value: Promise<PartnershipOverview>;
}

/** Per database handle, per quarter: the figures and the data version they were computed at. */
const overviewCache = new WeakMap<Knex, Map<string, CachedOverview>>();
/** Quarters kept per database (the Beranda offers eight; any other is computed and kept too, up to this many). */
const CACHED_QUARTERS = 16;
/** Figures older than this are computed again even when no run changed: a bound for writes made outside a run. */
export const OVERVIEW_MAX_AGE_MS = 60_000;

/**
 * The partnership figures of `quarter`, computed again only when a run was added, finished or died since (or after
 * OVERVIEW_MAX_AGE_MS). Concurrent requests for the same figures share one computation.
 */
export async function partnershipOverview(db: Knex, quarter: Quarter): Promise<PartnershipOverview> {
  // The cache's own clock (not the page's `now`, which tests fix): it only ages entries.
  const nowMs = Date.now();
  const version = await dataVersion(db);
  let perDb = overviewCache.get(db);
  if (!perDb) {
    perDb = new Map();
    overviewCache.set(db, perDb);
  }
  const key = `${quarter.tahun}-${quarter.triwulan}`;
  const hit = perDb.get(key);
  if (hit && hit.version === version.key && nowMs - hit.at < OVERVIEW_MAX_AGE_MS) return hit.value;
  const value = computePartnershipOverview(db, quarter, version.liveRunIds);
  const entry: CachedOverview = { version: version.key, at: nowMs, value };
  perDb.delete(key);
  perDb.set(key, entry);
  if (perDb.size > CACHED_QUARTERS) perDb.delete(perDb.keys().next().value!);
  value.catch(() => {
    if (perDb.get(key) === entry) perDb.delete(key);
  });
  return value;
}

/** Active findings (open, in review or confirmed) of one rule. */
export interface FindingRuleCount {
  ruleCode: string;
  /** finding_rules.title; null for a rule the catalogue no longer has. */
  title: string | null;
  severity: string;
  active: number;
  open: number;
  inReview: number;
  confirmed: number;
}

export interface FindingOverview {
  active: number;
  /** Active findings of severity error. */
  errors: number;
  bySeverity: Array<{ severity: string; active: number; open: number; inReview: number; confirmed: number }>;
  byRule: FindingRuleCount[];
}

/** The statuses a verifier still has to look at or act on. */
export const ACTIVE_FINDING_STATUSES = ['open', 'in_review', 'confirmed'] as const;

const SEVERITY_ORDER = ['error', 'warning', 'info'];

/** Active findings per rule (with its title) and per severity. */
export async function findingOverview(db: Knex): Promise<FindingOverview> {
  const r = await db.raw(
    `select f.rule_code, max(fr.title) as title, f.severity, count(*)::int as active,
            count(*) filter (where f.status = 'open')::int as open,
            count(*) filter (where f.status = 'in_review')::int as in_review,
            count(*) filter (where f.status = 'confirmed')::int as confirmed
       from findings f
       left join finding_rules fr on fr.rule_code = f.rule_code
      where f.status in (?, ?, ?)
      group by f.rule_code, f.severity
      order by active desc, f.rule_code, f.severity`,
    [...ACTIVE_FINDING_STATUSES],
  );
  const byRule: FindingRuleCount[] = r.rows.map(
    (x: {
      rule_code: string;
      title: string | null;
      severity: string;
      active: number;
      open: number;
      in_review: number;
      confirmed: number;
    }) => ({
      ruleCode: x.rule_code,
      title: x.title,
      severity: x.severity,
      active: x.active,
      open: x.open,
      inReview: x.in_review,
      confirmed: x.confirmed,
    }),
  );
  const severities = new Map<string, FindingOverview['bySeverity'][number]>();
  for (const x of byRule) {
    const s = severities.get(x.severity) ?? { severity: x.severity, active: 0, open: 0, inReview: 0, confirmed: 0 };
    s.active += x.active;
    s.open += x.open;
    s.inReview += x.inReview;
    s.confirmed += x.confirmed;
    severities.set(x.severity, s);
  }
  const rank = (s: string) => (SEVERITY_ORDER.includes(s) ? SEVERITY_ORDER.indexOf(s) : SEVERITY_ORDER.length);
  return {
    active: byRule.reduce((a, x) => a + x.active, 0),
    errors: severities.get('error')?.active ?? 0,
    bySeverity: [...severities.values()].sort((a, b) => rank(a.severity) - rank(b.severity)),
    byRule,
  };
}

/** A sync or import run as the Beranda shows it. */
export interface OverviewRun {
  id: number;
  trigger: RunTrigger;
  status: RunStatus;
  requestedBy: string | null;
  startedAt: Date;
  finishedAt: Date | null;
  error: string | null;
  scope: RunScope;
  /** Per stream (kemitraan, nib, izin, or the import's entity types). */
  counts: Record<string, StreamCounts>;
  /** Status running and its process still heartbeating (a run whose process died is not live). */
  live: boolean;
}

export interface SyncHealth {
  /** The newest sync or import (push batches are many and small: left out). */
  last: OverviewRun | null;
  /** The newest succeeded, non-dry sync that covered every stream. */
  lastComplete: { id: number; trigger: string; startedAt: Date; finishedAt: Date | null } | null;
  /** The live running run, if any. */
  running: { id: number; trigger: string; startedAt: Date } | null;
  quarantined: number;
  nibQueue: number;
  nibQueueFailing: number;
}

interface RunDbRow {
  id: number;
  trigger: RunTrigger;
  status: RunStatus;
  requested_by: string | null;
  started_at: Date;
  finished_at: Date | null;
  error: string | null;
  scope: RunScope;
  counts: Record<string, unknown>;
  live: boolean;
}

/** Only the per-stream counts of a run's counts column (it also holds the finding totals). */
function streamCounts(counts: Record<string, unknown>): Record<string, StreamCounts> {
  const out: Record<string, StreamCounts> = {};
  for (const [k, v] of Object.entries(counts ?? {})) {
    if (k === 'findings' || typeof v !== 'object' || v === null || !('fetched' in v)) continue;
    out[k] = v as StreamCounts;
  }
  return out;
}

/** The last run, the last complete success, a live run, the quarantine and the NIB queue. */
export async function syncHealth(db: Knex): Promise<SyncHealth> {
  const r = await db.raw(
    `select
       (select to_jsonb(x) from (
          select id, trigger, status, requested_by, started_at, finished_at, error, scope, counts,
                 status = 'running' and heartbeat_at >= now() - make_interval(secs => ?) as live
            from sync_runs where trigger <> 'push' order by id desc limit 1) x) as last,
       (select to_jsonb(x) from (
          select id, trigger, started_at, finished_at from sync_runs
           where status = 'succeeded' and trigger <> 'push'
             and coalesce(scope->>'dryRun', 'false') <> 'true'
             and coalesce(scope->'streams', '[]'::jsonb) @> ?::jsonb
           order by started_at desc limit 1) x) as last_complete,
       (select to_jsonb(x) from (
          select id, trigger, started_at from sync_runs
           where status = 'running' and heartbeat_at >= now() - make_interval(secs => ?)
           order by id desc limit 1) x) as running,
       (select count(*) from quarantine where resolved_at is null)::int as quarantined,
       (select count(*) from nib_queue)::int as nib_queue,
       (select count(*) from nib_queue where attempts > 0)::int as nib_queue_failing`,
    [LEASE_SECONDS, JSON.stringify(STREAMS), LEASE_SECONDS],
  );
  const row = r.rows[0];
  const date = (v: unknown) => (v ? new Date(String(v)) : null);
  const last = row.last as RunDbRow | null;
  const complete = row.last_complete as { id: number; trigger: string; started_at: string; finished_at: string | null };
  const running = row.running as { id: number; trigger: string; started_at: string } | null;
  return {
    last: last
      ? {
          id: Number(last.id),
          trigger: last.trigger,
          status: last.status,
          requestedBy: last.requested_by,
          startedAt: date(last.started_at)!,
          finishedAt: date(last.finished_at),
          error: last.error,
          scope: last.scope,
          counts: streamCounts(last.counts),
          live: last.live,
        }
      : null,
    lastComplete: complete
      ? {
          id: Number(complete.id),
          trigger: complete.trigger,
          startedAt: date(complete.started_at)!,
          finishedAt: date(complete.finished_at),
        }
      : null,
    running: running
      ? { id: Number(running.id), trigger: running.trigger, startedAt: date(running.started_at)! }
      : null,
    quarantined: row.quarantined,
    nibQueue: row.nib_queue,
    nibQueueFailing: row.nib_queue_failing,
  };
}
