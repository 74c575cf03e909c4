import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { OssClient } from '../oss/index.js';
import type { Db } from '../store/db.js';
import type { StreamCounts } from '../store/runs.js';

/** What every stream needs; built once in main.ts. */
export interface SyncDeps {
  config: Config;
  db: Db;
  /** The connection string of `db`, for the dedicated run-lock connection. */
  databaseUrl: string;
  oss: OssClient;
  log: Logger;
  now: () => Date;
  piiKey: string;
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
}

/** Thrown inside a dry-run transaction to roll it back after computing its counts. */
export class DryRunRollback extends Error {
  constructor() {
    super('dry run: rolled back');
  }
}

/**
 * Runs `work` in a transaction; in a dry run the transaction is rolled back after `work` finished, so the counts
 * are real and nothing is written.
 */
export async function inTransaction<T>(
  db: Db,
  dryRun: boolean,
  work: (trx: import('knex').Knex.Transaction) => Promise<T>,
): Promise<T> {
  let result: T | undefined;
  try {
    await db.transaction(async (trx) => {
      result = await work(trx);
      if (dryRun) throw new DryRunRollback();
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
