import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import knexPkg, { type Knex } from 'knex';
import pg from 'pg';
import { z } from 'zod';
import {
  JENIS_IZIN,
  JENIS_PERSEROAN,
  POLA_KEMITRAAN,
  SKALA_USAHA,
  STATUS_IZIN,
  STATUS_KEMITRAAN,
  STATUS_NIB,
  STATUS_PENANAMAN_MODAL,
} from '../domain/codes.js';
import { StoreError } from '../errors.js';
import { loadReference, projectRoot } from '../reference.js';

const { knex } = knexPkg;

// Keep 'YYYY-MM-DD' for date columns instead of a Date at local midnight (node20-notes P17).
pg.types.setTypeParser(pg.types.builtins.DATE, (v: string) => v);
// bigint ids (bigserial) fit in a JS number for any realistic run count.
pg.types.setTypeParser(pg.types.builtins.INT8, (v: string) => Number(v));

export type Db = Knex;

/** Where knex's own warnings go (never stdout: a command's output may be piped into a file). */
export interface DbLog {
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

/** Opens a knex pool on Postgres. */
export function createDb(url: string, poolMax = 6, log?: DbLog): Db {
  const say = (level: 'warn' | 'debug') => (message: unknown) =>
    log?.[level]({ component: 'knex', detail: String((message as Error)?.message ?? message) }, 'knex');
  return knex({
    client: 'pg',
    connection: url,
    pool: { min: 0, max: poolMax },
    acquireConnectionTimeout: 30_000,
    log: { warn: say('warn'), error: say('warn'), deprecate: say('debug'), debug: say('debug') },
  });
}

/** Connection-level failures: the database is down, unreachable, or refuses these credentials or this database. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ECONNRESET',
  'EHOSTUNREACH',
]);
const UNAVAILABLE_SQLSTATE = /^(08|57P0[1-3]|28P01|28000|3D000|53300)/;

/**
 * A StoreError naming the cause and what to check when `err` means the database cannot be used at all; null for
 * any other error. `url` is masked: only its host, port and database are named.
 */
export function databaseUnavailable(err: unknown, url: string | null): StoreError | null {
  const e = err as { code?: unknown; message?: unknown; name?: unknown; errors?: unknown[] };
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = typeof e?.message === 'string' ? e.message : '';
  const inner = Array.isArray(e?.errors) ? (e.errors[0] as { code?: unknown } | undefined) : undefined;
  const anyCode = code || (typeof inner?.code === 'string' ? inner.code : '');
  const pool = e?.name === 'KnexTimeoutError' || /Timeout acquiring a connection/.test(message);
  if (
    !UNAVAILABLE_CODES.has(anyCode) &&
    !UNAVAILABLE_SQLSTATE.test(anyCode) &&
    !pool &&
    !/Connection terminated/.test(message)
  ) {
    return null;
  }
  let where = 'the database';
  if (url) {
    try {
      const u = new URL(url);
      where = `the database ${u.pathname.slice(1) || '(default)'} at ${u.hostname}:${u.port || '5432'}`;
    } catch {
      // an unparseable URL is refused by the config check before we get here
    }
  }
  const what =
    anyCode === '28P01' || anyCode === '28000'
      ? 'refused the user name or password'
      : anyCode === '3D000'
        ? 'does not exist'
        : anyCode === '53300'
          ? 'has no free connection slots'
          : `cannot be reached (${anyCode || (pool ? 'no connection within 30 s' : 'connection lost')})`;
  return new StoreError(
    `${where} ${what}: check DATABASE_URL${url ? '' : ' (unset: the embedded Postgres under OSS_SYNC_DATA_DIR)'} and that Postgres is running`,
    { cause: err },
  );
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

/** The code tables of src/domain/codes.ts as ref_code names them (the analytics label_ views read them). */
const CODE_TABLES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  pola_kemitraan: POLA_KEMITRAAN,
  status_kemitraan: STATUS_KEMITRAAN,
  skala_usaha: SKALA_USAHA,
  status_penanaman_modal: STATUS_PENANAMAN_MODAL,
  status_nib: STATUS_NIB,
  jenis_izin: JENIS_IZIN,
  status_izin: STATUS_IZIN,
  jenis_perseroan: JENIS_PERSEROAN,
};

/** config/reference/komoditas.json: ordered commodity rules over objek_kemitraan and the KBLI → partner group map. */
const KomoditasFile = z.object({
  rules: z
    .array(
      z.object({
        pattern: z.string().min(1),
        komoditas: z.string().min(1),
        kelompok_mitra: z.string().min(1).nullable(),
        source: z.string().min(1),
      }),
    )
    .min(1),
  kelompok_kbli: z.record(z.string().regex(/^\d{2,5}$/), z.string().min(1)),
});

/**
 * Fills the ref_ tables the analyst views join: upserts kecamatan names and KBLI titles (config/reference), and
 * replaces the code labels (src/domain/codes.ts) and the commodity rules (config/reference/komoditas.json), so a
 * label or rule removed there is gone here too.
 */
export async function refreshReferenceTables(db: Db): Promise<void> {
  const ref = loadReference();
  const kec = Object.entries(ref.kecamatan).map(([kd_kecamatan, nama]) => ({ kd_kecamatan, nama }));
  const kbli = Object.entries(ref.kbli).map(([code, judul]) => ({ kbli: code, judul }));
  const codes = Object.entries(CODE_TABLES).flatMap(([code_table, table]) =>
    Object.entries(table).map(([code, label]) => ({ code_table, code, label })),
  );
  const komoditasPath = join(projectRoot(), 'config', 'reference', 'komoditas.json');
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(komoditasPath, 'utf8'));
  } catch (err) {
    throw new Error(`${komoditasPath} cannot be read: ${(err as Error).message}`, { cause: err });
  }
  const parsed = KomoditasFile.safeParse(json);
  if (!parsed.success) throw new Error(`${komoditasPath} is not valid: ${z.prettifyError(parsed.error)}`);
  const rules = parsed.data.rules.map((r, i) => ({ urutan: i + 1, ...r }));
  const groups = Object.entries(parsed.data.kelompok_kbli).map(([code, kelompok_mitra]) => ({
    kbli: code,
    kelompok_mitra,
  }));
  await db.transaction(async (trx) => {
    if (kec.length) await trx('ref_kecamatan').insert(kec).onConflict('kd_kecamatan').merge();
    if (kbli.length) await trx('ref_kbli').insert(kbli).onConflict('kbli').merge();
    await trx('ref_code').del();
    await trx('ref_code').insert(codes);
    await trx('ref_komoditas').del();
    // ref_komoditas refuses a pattern Postgres cannot compile (a check constraint): say which rule it was.
    for (const rule of rules) {
      await trx('ref_komoditas')
        .insert(rule)
        .catch((err: unknown) => {
          throw new Error(`${komoditasPath}: rule ${rule.urutan} (${rule.pattern}): ${(err as Error).message}`, {
            cause: err,
          });
        });
    }
    await trx('ref_kelompok_kbli').del();
    if (groups.length) await trx('ref_kelompok_kbli').insert(groups);
  });
}

/** The per-installation key used to hash NIKs (created by the first migration). */
export async function readPiiKey(db: Db): Promise<string> {
  const row = await db('app_settings').where({ key: 'pii_hash_key' }).first('value');
  if (!row) throw new Error('app_settings.pii_hash_key is missing: run `oss-sync migrate`');
  return row.value as string;
}
