/*
 * The sandbox as a user runs it: `serve` and `discrepancies list` at once on one OSS_SYNC_DATA_DIR (one shared
 * embedded Postgres), and the README's connection line `psql "$(oss-sync db url)"`.
 */
import { type ChildProcess, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, logLine, type Ran } from '../helpers/cli.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'oss-sync.js');

describe('sandbox mode', () => {
  it('serve and discrepancies list run at once; the README connection line works', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oss-sync-sandbox-'));
    // The embedded server runs as the user postgres, which must be able to enter the folder.
    chmodSync(dir, 0o755);
    const env = { OSS_SYNC_DATA_DIR: join(dir, 'data'), OSS_SYNC_DB_PORT: '0', HTTP_PORT: '0', SIMULATOR_SIZE: 'tiny' };
    let server: ChildProcess | null = null;
    let listening: () => void = () => undefined;
    const up = new Promise<void>((resolve) => {
      listening = resolve;
    });
    const serve: Promise<Ran> = cli(['serve'], env, {
      onSpawn: (c) => {
        server = c;
      },
      onLine: (line) => {
        if (logLine(line)?.msg === 'serve listening') listening();
      },
    });
    try {
      // serve is up, or it ended (and then says why).
      const ended = await Promise.race([up.then(() => null), serve]);
      expect(ended, ended?.stderr).toBeNull();
      const list = await cli(['discrepancies', 'list'], env);
      expect(list.code, list.stderr).toBe(0);
      expect(list.stdout).toMatch(/temuan/);
      const url = await cli(['db', 'url'], env);
      expect(url.code).toBe(0);
      expect(url.stdout.trim()).toMatch(/^postgres:\/\/postgres:oss-sync-embedded@127\.0\.0\.1:\d+\/oss_sync$/);
      const psql = spawnSync(
        'bash',
        ['-c', `psql "$(node ${BIN} db url)" -Atc 'select count(*) >= 0 from analytics.discrepancies'`],
        { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: '/tmp', OSS_SYNC_FROM_SOURCE: '1', ...env } },
      );
      expect(psql.stderr).toBe('');
      expect(psql.stdout.trim()).toBe('t');
    } finally {
      (server as ChildProcess | null)?.kill('SIGTERM');
      expect((await serve).code).toBe(0);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
