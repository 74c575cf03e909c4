import type { Knex } from 'knex';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { OssClient } from '../oss/index.js';
import type { Db } from '../store/db.js';
import type { StreamCounts } from '../store/runs.js';
import type { RuleSettings, RunObserver } from './lifecycle.js';

/** What every stream needs; built once by the composition root (src/runtime.ts). */
export interface SyncDeps {
  config: Config;
  db: Db;
  /** The connection string of `db`, for the dedicated run-lock connection. */
  databaseUrl: string;
  oss: OssClient;
  log: Logger;
  now: () => Date;
  piiKey: string;
  rules?: RuleSettings;
  observer?: RunObserver;
  /** Aborted on shutdown: streams stop after committing their current batch. */
  signal?: AbortSignal;
}

/** Progress a stream reports while it runs (the CLI progress display and GET /syncs/:id read it). */
export interface StreamProgress {
  stream: string;
  phase: string;
  counts: StreamCounts;
  /** Records OSS says the listing holds, when known. */
  total?: number;
}

/** One stream's view of the run it belongs to. */
export interface StreamRun {
  runId: number;
  full: boolean;
  dryRun: boolean;
  startedAt: Date;
  counts: StreamCounts;
  log: Logger;
  progress(phase: string, total?: number): void;
  /**
   * One batch: runs `work` in a transaction that commits only while the run still owns the deployment (the run's
   * fence), or is rolled back after computing its counts in a dry run.
   */
  transaction<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T>;
}

/** Thrown inside a dry-run transaction to roll it back after computing its counts. */
export class DryRunRollback extends Error {
  constructor() {
    super('dry run: rolled back');
  }
}

/**
 * Runs `work` in a transaction; `fence` runs last, before the commit; in a dry run the transaction is rolled back
 * after `work` finished, so the counts are real and nothing is written.
 */
export async function inTransaction<T>(
  db: Db,
  dryRun: boolean,
  work: (trx: Knex.Transaction) => Promise<T>,
  fence?: (trx: Knex.Transaction) => Promise<void>,
): Promise<T> {
  let result: T | undefined;
  try {
    await db.transaction(async (trx) => {
      result = await work(trx);
      if (dryRun) throw new DryRunRollback();
      if (fence) await fence(trx);
    });
  } catch (err) {
    if (!(err instanceof DryRunRollback)) throw err;
  }
  return result as T;
}

/** Adds merge counts to stream counts. */
export function addCounts(counts: StreamCounts, add: { inserted: number; updated: number; unchanged: number }): void {
  counts.inserted += add.inserted;
  counts.updated += add.updated;
  counts.unchanged += add.unchanged;
}
