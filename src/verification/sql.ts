/** The one query helper of the evaluation engine: statements run on the evaluation's transaction. */
import type { Knex } from 'knex';

type Exec = Knex | Knex.Transaction;

/** The rows of a raw statement. */
export async function rows<T>(db: Exec, sql: string, bindings: readonly unknown[] = []): Promise<T[]> {
  const result = bindings.length ? await db.raw(sql, bindings as Knex.RawBinding[]) : await db.raw(sql);
  return result.rows as T[];
}
