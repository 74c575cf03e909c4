import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { createDb, type Db, migrate } from '../../src/store/db.js';

/** A fresh, migrated database for one test file. */
export interface TestDatabase {
  url: string;
  db: Db;
  drop(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates a database named after the test file plus a random suffix and migrates it. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `oss_t_${label.replace(/\W+/g, '_').toLowerCase()}_${randomBytes(3).toString('hex')}`;
  await admin((c) => c.query(`create database ${name}`));
  const url = withDatabase(inject('adminDatabaseUrl'), name);
  const db = createDb(url);
  await migrate(db);
  // One NIK-hash key for every test database, so content hashes compare across databases.
  await db('app_settings').where({ key: 'pii_hash_key' }).update({ value: 'test-pii-key' });
  return {
    url,
    db,
    async drop() {
      await db.destroy();
      await admin((c) => c.query(`drop database if exists ${name} with (force)`));
    },
  };
}
