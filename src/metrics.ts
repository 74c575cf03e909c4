/*
 * Prometheus metrics of `serve` (prom-client, one registry per process). Counters count what this process did;
 * the database-backed gauges (quarantine, findings, inbox, last success, running runs) are read at scrape time, so
 * every replica reports the deployment's state.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from './logger.js';
import type { OssClientStats } from './oss/index.js';
import { RULE_CODES } from './rules/index.js';
import type { Db } from './store/db.js';
import type { StreamCounts } from './store/runs.js';
import { gaugeSnapshot } from './store/state.js';

/** The record outcomes counted per stream (the keys of StreamCounts except requests). */
export const RECORD_OUTCOMES = ['fetched', 'inserted', 'updated', 'unchanged', 'rejected', 'deleted'] as const;
type RecordOutcome = (typeof RECORD_OUTCOMES)[number];

export interface MetricsSources {
  db: Db;
  /** The OSS client's cumulative stats; null until a client exists. */
  ossStats: () => OssClientStats | null;
  log: Logger;
}

export interface Metrics {
  readonly registry: Registry;
  /** A run (sync or push batch) ended in this process. */
  runFinished(e: { trigger: string; status: string; durationSeconds: number }): void;
  /**
   * Counts records from a stream's cumulative counts: only the growth since the last call for the same run and
   * stream is added, so it can be called on every progress report.
   */
  trackRecords(runId: number, stream: string, counts: Readonly<StreamCounts>): void;
  /** Drops the per-run snapshots once a run has ended. */
  forgetRun(runId: number): void;
  pushReceived(result: 'accepted' | 'rejected'): void;
  pushApplyFailed(): void;
  /** A push was rejected (reason: token, malformed, too_large, too_deep, outside_region, rate_limited); 0 declares it. */
  pushRejected(reason: string, count?: number): void;
  /** The exposition text and its content type. */
  render(): Promise<{ contentType: string; body: string }>;
}

export function createMetrics(sources: MetricsSources): Metrics {
  const { db, log } = sources;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'oss_sync_' });
  const registers = [registry];

  const runs = new Counter({
    name: 'oss_sync_runs_total',
    help: 'Sync runs (and push batches) finished by this process, by trigger and final status',
    labelNames: ['trigger', 'status'] as const,
    registers,
  });
  const runDuration = new Histogram({
    name: 'oss_sync_run_duration_seconds',
    help: 'Duration of runs finished by this process',
    labelNames: ['trigger'] as const,
    buckets: [1, 5, 15, 60, 300, 900, 1800, 3600, 7200, 14_400],
    registers,
  });
  const records = new Counter({
    name: 'oss_sync_records_total',
    help: 'Records handled by non-dry runs of this process, by stream (kemitraan, nib, izin, push) and outcome',
    labelNames: ['stream', 'outcome'] as const,
    registers,
  });
  const pushes = new Counter({
    name: 'oss_sync_push_received_total',
    help: 'receiveNIB pushes received (all are kept in the inbox), by result',
    labelNames: ['result'] as const,
    registers,
  });
  const pushFailures = new Counter({
    name: 'oss_sync_push_apply_failures_total',
    help: 'Failed attempts to apply an inbox item (the item stays pending and is retried)',
    registers,
  });
  const pushRejections = new Counter({
    name: 'oss_sync_push_rejected_total',
    help: 'receiveNIB pushes not applied, by reason (rate_limited ones were answered 429 and not stored)',
    labelNames: ['reason'] as const,
    registers,
  });

  // OSS client counters mirror the client's cumulative stats: each scrape adds the growth since the last one.
  let lastOss: {
    requests: Record<string, Record<string, number>>;
    retries: number;
    rateWaitMs: number;
    http429: number;
  } = {
    requests: {},
    retries: 0,
    rateWaitMs: 0,
    http429: 0,
  };
  const ossRequests = new Counter({
    name: 'oss_sync_oss_requests_total',
    help: 'HTTP attempts to OSS by method and result (ok, not_found, http_503, kode_500, timeout, auth, …)',
    labelNames: ['method', 'result'] as const,
    registers,
  });
  const ossRetries = new Counter({ name: 'oss_sync_oss_retries_total', help: 'OSS requests retried', registers });
  const ossRateWait = new Counter({
    name: 'oss_sync_oss_rate_wait_seconds_total',
    help: 'Time spent waiting for the client-side OSS rate budget',
    registers,
  });
  const oss429 = new Counter({
    name: 'oss_sync_oss_http_429_total',
    help: 'OSS answers HTTP 429 (quota exceeded)',
    registers,
  });
  const syncOss = () => {
    const s = sources.ossStats();
    if (!s) return;
    for (const [method, results] of Object.entries(s.requests)) {
      for (const [result, n] of Object.entries(results)) {
        const before = lastOss.requests[method]?.[result] ?? 0;
        ossRequests.inc({ method, result }, Math.max(0, n - before));
      }
    }
    if (s.retries > lastOss.retries) ossRetries.inc(s.retries - lastOss.retries);
    if (s.rateWaitMs > lastOss.rateWaitMs) ossRateWait.inc((s.rateWaitMs - lastOss.rateWaitMs) / 1000);
    if (s.http429 > lastOss.http429) oss429.inc(s.http429 - lastOss.http429);
    lastOss = {
      requests: structuredClone(s.requests) as Record<string, Record<string, number>>,
      retries: s.retries,
      rateWaitMs: s.rateWaitMs,
      http429: s.http429,
    };
  };

  const dbUp = new Gauge({
    name: 'oss_sync_database_up',
    help: '1 when the last scrape could query the database',
    registers,
  });
  const running = new Gauge({
    name: 'oss_sync_runs_running',
    help: 'Sync runs in progress in the whole deployment (0 or 1)',
    registers,
  });
  const quarantine = new Gauge({
    name: 'oss_sync_quarantine_records',
    help: 'Records waiting in quarantine (rejected by validation, not yet resolved), by stream',
    labelNames: ['stream'] as const,
    registers,
  });
  const findings = new Gauge({
    name: 'oss_sync_open_findings',
    help: 'Discrepancy findings not dismissed or resolved, by rule',
    labelNames: ['rule'] as const,
    registers,
  });
  const inbox = new Gauge({
    name: 'oss_sync_push_inbox_backlog',
    help: 'Pushes in the inbox not yet applied (state=pending), and of those the ones that already failed (state=failing)',
    labelNames: ['state'] as const,
    registers,
  });
  const lastSuccess = new Gauge({
    name: 'oss_sync_last_success_timestamp_seconds',
    help: 'When each stream last finished successfully in a non-dry run (unix seconds)',
    labelNames: ['stream'] as const,
    registers,
  });

  const collectDatabase = async () => {
    try {
      const g = await gaugeSnapshot(db);
      running.set(g.running);
      quarantine.reset();
      for (const stream of ['kemitraan', 'nib', 'izin']) quarantine.set({ stream }, 0);
      for (const r of g.quarantineByStream) quarantine.set({ stream: r.stream }, r.n);
      inbox.set({ state: 'pending' }, g.inbox.pending);
      inbox.set({ state: 'failing' }, g.inbox.failing);
      lastSuccess.reset();
      for (const r of g.lastSuccessByStream) lastSuccess.set({ stream: r.stream }, r.ts);
      findings.reset();
      // Every rule reports, at 0 when nothing is open.
      for (const rule of RULE_CODES) findings.set({ rule }, 0);
      for (const r of g.openFindingsByRule) findings.set({ rule: r.rule }, r.n);
      dbUp.set(1);
    } catch (err) {
      dbUp.set(0);
      log.warn({ err }, 'metrics: could not read the database-backed gauges');
    }
  };

  // Known label sets start at 0, so a rate() sees the first increment.
  for (const trigger of ['schedule', 'manual', 'push']) {
    for (const status of ['succeeded', 'partial', 'failed']) runs.inc({ trigger, status }, 0);
  }
  for (const stream of ['kemitraan', 'nib', 'izin', 'push']) {
    for (const outcome of RECORD_OUTCOMES) records.inc({ stream, outcome }, 0);
  }
  for (const result of ['accepted', 'rejected'] as const) pushes.inc({ result }, 0);

  const snapshots = new Map<string, Record<RecordOutcome, number>>();

  return {
    registry,
    runFinished({ trigger, status, durationSeconds }) {
      runs.inc({ trigger, status });
      runDuration.observe({ trigger }, Math.max(0, durationSeconds));
    },
    trackRecords(runId, stream, counts) {
      const key = `${runId}:${stream}`;
      const before = snapshots.get(key);
      const now = {} as Record<RecordOutcome, number>;
      for (const outcome of RECORD_OUTCOMES) {
        now[outcome] = counts[outcome];
        const delta = counts[outcome] - (before?.[outcome] ?? 0);
        if (delta > 0) records.inc({ stream, outcome }, delta);
      }
      snapshots.set(key, now);
    },
    forgetRun(runId) {
      for (const key of snapshots.keys()) if (key.startsWith(`${runId}:`)) snapshots.delete(key);
    },
    pushReceived(result) {
      pushes.inc({ result });
    },
    pushApplyFailed() {
      pushFailures.inc();
    },
    pushRejected(reason, count = 1) {
      pushRejections.inc({ reason }, count);
    },
    async render() {
      syncOss();
      await collectDatabase();
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
