import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pendingMigrations } from '../../src/store/db.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

describe('migrations', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('migrations');
  });
  afterAll(async () => {
    await t.drop();
  });

  it('applies every migration and leaves none pending', async () => {
    expect(await pendingMigrations(t.db)).toEqual([]);
  });

  it('creates the analyst views of interfaces.md, readable by oss_analyst only through analytics', async () => {
    const views = await t.db('information_schema.views').where({ table_schema: 'analytics' }).pluck('table_name');
    expect(views).toEqual(
      expect.arrayContaining(['pelaku_usaha', 'proyek', 'perizinan', 'kemitraan', 'kemitraan_realisasi', 'sync_runs']),
    );
    const grants = await t.db.raw(
      "select has_schema_privilege('oss_analyst', 'analytics', 'USAGE') as analytics, has_table_privilege('oss_analyst', 'public.kemitraan', 'SELECT') as base",
    );
    expect(grants.rows[0]).toEqual({ analytics: true, base: false });
  });

  it('seeds the reference tables from config/reference', async () => {
    const row = await t.db('ref_kecamatan').where({ kd_kecamatan: '331714' }).first();
    expect(row.nama).toBe('Lasem');
  });
});
