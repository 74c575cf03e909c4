import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import knexPkg, { type Knex } from 'knex';
import pg from 'pg';
import { loadReference, projectRoot } from '../domain/reference.js';

const { knex } = knexPkg;

// Keep 'YYYY-MM-DD' for date columns instead of a Date at local midnight (node20-notes P17).
pg.types.setTypeParser(pg.types.builtins.DATE, (v: string) => v);
// bigint ids (bigserial) fit in a JS number for any realistic run count.
pg.types.setTypeParser(pg.types.builtins.INT8, (v: string) => Number(v));

export type Db = Knex;

/** Opens a knex pool on Postgres. */
export function createDb(url: string, poolMax = 6): Db {
  return knex({ client: 'pg', connection: url, pool: { min: 0, max: poolMax }, acquireConnectionTimeout: 30_000 });
}

/**
 * Loads migrations from /migrations with our own import(), so .ts files work under vitest and tsx and .js files
 * under dist, and records names without extension (node20-notes P6, P7).
 */
class DirMigrationSource implements Knex.MigrationSource<string> {
  constructor(private readonly dir: string) {}
  async getMigrations(): Promise<string[]> {
    return readdirSync(this.dir)
      .filter((f) => /^\d{14}_.+\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
      .sort();
  }
  getMigrationName(file: string): string {
    return file.replace(/\.(ts|js)$/, '');
  }
  async getMigration(file: string): Promise<Knex.Migration> {
    return import(pathToFileURL(join(this.dir, file)).href);
  }
}

function migrationsDir(): string {
  // Compiled: dist/migrations beside dist/src; from source: ./migrations.
  const here = new URL('.', import.meta.url).pathname;
  return here.includes('/dist/') ? join(here, '..', '..', 'migrations') : join(projectRoot(), 'migrations');
}

const migrationConfig = (): Knex.MigratorConfig => ({
  migrationSource: new DirMigrationSource(migrationsDir()),
  tableName: 'knex_migrations',
});

/** Applies pending migrations and refreshes the reference tables; returns the names applied. */
export async function migrate(db: Db): Promise<string[]> {
  const [, applied] = (await db.migrate.latest(migrationConfig())) as [number, string[]];
  await refreshReferenceTables(db);
  return applied;
}

/** Names of migrations not yet applied. */
export async function pendingMigrations(db: Db): Promise<string[]> {
  const [, pending] = (await db.migrate.list(migrationConfig())) as [unknown[], Array<{ file: string } | string>];
  return pending.map((p) => (typeof p === 'string' ? p : p.file));
}

/** Upserts config/reference (kecamatan names, KBLI titles) into the ref_ tables the analyst views join. */
export async function refreshReferenceTables(db: Db): Promise<void> {
  const ref = loadReference();
  const kec = Object.entries(ref.kecamatan).map(([kd_kecamatan, nama]) => ({ kd_kecamatan, nama }));
  const kbli = Object.entries(ref.kbli).map(([code, judul]) => ({ kbli: code, judul }));
  await db.transaction(async (trx) => {
    if (kec.length) await trx('ref_kecamatan').insert(kec).onConflict('kd_kecamatan').merge();
    if (kbli.length) await trx('ref_kbli').insert(kbli).onConflict('kbli').merge();
  });
}

/** The per-installation key used to hash NIKs (created by the first migration). */
export async function readPiiKey(db: Db): Promise<string> {
  const row = await db('app_settings').where({ key: 'pii_hash_key' }).first('value');
  if (!row) throw new Error('app_settings.pii_hash_key is missing: run `oss-sync migrate`');
  return row.value as string;
}
