/** Errors that end a run (or refuse to start one). A bad record is never an error: it is a rejection with issues. */

export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'OSS_AUTH'
  | 'OSS_UNAVAILABLE'
  | 'OSS_PROTOCOL'
  | 'STORE_FAILED'
  | 'SYNC_ALREADY_RUNNING'
  | 'RUN_LEASE_LOST'
  | 'DELETE_GUARD'
  | 'MIGRATIONS_PENDING';

/** Base class: a stable code, a message a user can act on, and the cause. */
export class OssSyncError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Configuration is invalid; `problems` lists every one of them. */
export class ConfigError extends OssSyncError {
  readonly problems: string[];
  constructor(problems: string[]) {
    super('CONFIG_INVALID', `Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

/** OSS refused the key (HTTP 401/403 or body kode 401/403): not retryable. */
export class OssAuthError extends OssSyncError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('OSS_AUTH', message, options);
  }
}

/** OSS kept failing after every retry (5xx, 504, timeouts, 429 past the retry budget). */
export class OssUnavailableError extends OssSyncError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('OSS_UNAVAILABLE', message, options);
  }
}

/** OSS answered with something that is not the contract (malformed page, broken paging). */
export class OssProtocolError extends OssSyncError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('OSS_PROTOCOL', message, options);
  }
}

/** The database failed in a way a retry did not fix. */
export class StoreError extends OssSyncError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STORE_FAILED', message, options);
  }
}

/** Another sync holds the deployment-wide lock. */
export class SyncAlreadyRunningError extends OssSyncError {
  readonly runningRunId: string | null;
  constructor(runningRunId: string | null) {
    super('SYNC_ALREADY_RUNNING', `A sync is already running${runningRunId ? ` (run ${runningRunId})` : ''}`);
    this.runningRunId = runningRunId;
  }
}

/** This process's run was closed by another one (its lock and heartbeat were lost): it must stop writing. */
export class RunLeaseLostError extends OssSyncError {
  constructor(runId: number) {
    super(
      'RUN_LEASE_LOST',
      `run ${runId} lost its run lock and was closed by another process; it stopped without writing more`,
    );
  }
}

/** A complete listing would mark too many records deleted: refused. */
export class DeleteGuardError extends OssSyncError {
  constructor(message: string) {
    super('DELETE_GUARD', message);
  }
}

/** Turns anything thrown into an Error. */
export function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
