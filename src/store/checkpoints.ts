import type { Knex } from 'knex';

/** A stream's cursor: small, typed, JSON. */
export interface Checkpoint {
  /** Inclusive lower bound for the next incremental listing, OSS format (WIB), or null for "from the beginning". */
  since: string | null;
}

export async function readCheckpoint(db: Knex | Knex.Transaction, stream: string): Promise<Checkpoint | null> {
  const row = await db('sync_checkpoints').where({ stream }).first('cursor');
  return row ? (row.cursor as Checkpoint) : null;
}

/** Writes the checkpoint in the caller's transaction; a cursor equal to the stored one writes nothing. */
export async function writeCheckpoint(
  db: Knex | Knex.Transaction,
  stream: string,
  cursor: Checkpoint,
  runId: number,
): Promise<void> {
  await db.raw(
    `insert into sync_checkpoints (stream, cursor, run_id) values (?, ?::jsonb, ?)
     on conflict (stream) do update set cursor = excluded.cursor, run_id = excluded.run_id, updated_at = now()
      where sync_checkpoints.cursor is distinct from excluded.cursor`,
    [stream, JSON.stringify(cursor), runId],
  );
}

export async function listCheckpoints(
  db: Knex,
): Promise<Array<{ stream: string; cursor: Checkpoint; updated_at: Date }>> {
  return db('sync_checkpoints').select('stream', 'cursor', 'updated_at').orderBy('stream');
}
