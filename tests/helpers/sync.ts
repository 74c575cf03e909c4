import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createOssClient, type OssClient } from '../../src/oss/index.js';
import { readPiiKey } from '../../src/store/db.js';
import type { SyncDeps } from '../../src/sync/context.js';
import { runSync, type SyncRequest, type SyncResult } from '../../src/sync/runSync.js';
import type { TestDatabase } from './db.js';

/** Tables whose rows a sync writes (sync_runs and checkpoints excluded). */
export const DATA_TABLES = [
  'kemitraan',
  'kemitraan_realisasi',
  'pelaku_usaha',
  'pemegang_saham',
  'penanggung_jawab',
  'proyek',
  'proyek_lokasi',
  'proyek_produk',
  'perizinan',
  'raw_records',
  'change_history',
  'quarantine',
  'nib_queue',
  'nib_not_found',
] as const;

export const silentLog = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');

/** Sync dependencies for a test database and an OSS base URL, with fast retries. */
export async function makeDeps(
  t: TestDatabase,
  baseUrl: string,
  env: Record<string, string> = {},
): Promise<SyncDeps & { oss: OssClient }> {
  const config = loadConfig({
    DATABASE_URL: t.url,
    OSS_BASE_URL: baseUrl,
    OSS_USER_KEY: 'sandbox-key',
    OSS_RATE_LIMIT_RPS: '2000',
    OSS_CONCURRENCY: '8',
    OSS_PAGE_SIZE: '100',
    OSS_TIMEOUT_MS: '2000',
    OSS_MAX_RETRIES: '8',
    ...env,
  });
  const oss = createOssClient({
    config: config.oss,
    log: silentLog,
    retry: { baseMs: 5, capMs: 40, maxRetryAfterMs: 2_000 },
  });
  return {
    config,
    db: t.db,
    databaseUrl: t.url,
    oss,
    log: silentLog,
    now: () => new Date(),
    piiKey: await readPiiKey(t.db),
  };
}

export function sync(deps: SyncDeps, req: Partial<SyncRequest> = {}): Promise<SyncResult> {
  return runSync(deps, {
    trigger: 'manual',
    requestedBy: 'test',
    reason: null,
    streams: [],
    full: false,
    dryRun: false,
    ...req,
  });
}

/**
 * The physical version of every row of the data tables: any insert, update or delete changes it. Proves that a
 * run "wrote no row".
 */
export async function rowVersions(t: TestDatabase): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of DATA_TABLES) {
    const r = await t.db.raw(
      `select count(*)::int as n, coalesce(md5(string_agg(ctid::text || xmin::text, ',' order by ctid)), '') as v from ${table}`,
    );
    out[table] = `${r.rows[0].n}:${r.rows[0].v}`;
  }
  return out;
}

/** What the database says about OSS, independent of when and how it was written: content per key. */
export async function dataFingerprint(t: TestDatabase): Promise<Record<string, string>> {
  const keys: Record<string, string> = {
    kemitraan: 'id_kemitraan',
    kemitraan_realisasi: 'id_kemitraan, tahun, triwulan',
    pelaku_usaha: 'nib',
    pemegang_saham: 'nib, seq',
    penanggung_jawab: 'nib, seq',
    proyek: 'id_proyek',
    proyek_lokasi: 'id_proyek_lokasi',
    proyek_produk: 'id_produk',
    perizinan: 'id_izin',
  };
  const out: Record<string, string> = {};
  for (const [table, key] of Object.entries(keys)) {
    const r = await t.db.raw(
      `select count(*)::int as n, md5(string_agg(concat_ws('|', ${key}, content_hash, (deleted_at is null)::text), ',' order by ${key})) as v from ${table}`,
    );
    out[table] = `${r.rows[0].n}:${r.rows[0].v}`;
  }
  const q = await t.db.raw(
    `select (select count(*) from quarantine where resolved_at is null)::int as quarantined, (select count(*) from nib_queue)::int as queued,
            (select count(*) from nib_not_found)::int as not_found`,
  );
  out.other = JSON.stringify(q.rows[0]);
  return out;
}
