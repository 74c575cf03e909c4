/*
 * What a person sees on a real terminal (a pseudo-terminal through `script`): `sync` with OSS unreachable prints
 * no JSON and no stack, one readable error in the summary, and exits 1 as documented.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'oss-sync.js');
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs the CLI under `script` so that stdout and stderr are a TTY; returns the screen text and the exit code. */
function onTerminal(args: string[], env: Record<string, string>) {
  const command = [process.execPath, BIN, ...args].map(quote).join(' ');
  const ran = spawnSync('script', ['-qefc', command, '/dev/null'], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/root',
      OSS_SYNC_FROM_SOURCE: '1',
      COLUMNS: '120',
      ...env,
    },
    timeout: 60_000,
  });
  return { code: ran.status, screen: rendered(ran.stdout) };
}

/** What stays on screen: on each line, what the last carriage return (and erase-line) left. */
const rendered = (raw: string) =>
  raw
    .split('\n')
    .map((line) => (line.replace(/\r$/, '').split('\r').at(-1) ?? '').replaceAll('\u001b[K', ''))
    .join('\n');

describe('sync on a terminal with OSS unreachable', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('cli_terminal');
  });
  afterAll(async () => {
    await t.drop();
  });

  it('shows one readable error, no JSON and no stack, and exits 1', () => {
    const { code, screen } = onTerminal(['sync'], {
      DATABASE_URL: t.url,
      OSS_BASE_URL: 'http://127.0.0.1:9/rba',
      OSS_USER_KEY: 'k',
      OSS_MAX_RETRIES: '3',
    });
    expect(code).toBe(1);
    expect(screen).toMatch(/Sync run \d+: FAILED/);
    expect(screen).not.toMatch(/\{"level"/);
    expect(screen).not.toMatch(/^\s+at /m);
    const errors = screen.split(/\r?\n/).filter((l) => /ECONNREFUSED/.test(l));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/! kemitraan: OSS listKemitraan .* failed after 4 attempts/);
  });

  it('off a terminal the same failure is logged as JSON lines', () => {
    const ran = spawnSync(process.execPath, [BIN, 'sync'], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH ?? '',
        OSS_SYNC_FROM_SOURCE: '1',
        DATABASE_URL: t.url,
        OSS_BASE_URL: 'http://127.0.0.1:9/rba',
        OSS_USER_KEY: 'k',
        OSS_MAX_RETRIES: '1',
      },
    });
    expect(ran.status).toBe(1);
    const json = ran.stderr.split('\n').filter((l) => l.startsWith('{'));
    expect(json.length).toBeGreaterThan(0);
    expect(JSON.parse(json[0] as string)).toHaveProperty('level');
  });
});
