import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { createLogger } from '../../src/logger.js';
import { startEmbeddedPostgres } from '../../src/store/embedded.js';

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}

/**
 * Integration tests need a real Postgres: TEST_DATABASE_URL (CI uses the machine's server), otherwise an embedded
 * one started here for the whole run. Each test file then creates its own database from this admin URL.
 */
export default async function setup(project: TestProject) {
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    project.provide('adminDatabaseUrl', url);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'oss-sync-test-pg-'));
  const pg = await startEmbeddedPostgres(dir, createLogger('silent'), { persistent: false, port: 0 });
  project.provide('adminDatabaseUrl', pg.url);
  return async () => {
    await pg.stop();
  };
}
