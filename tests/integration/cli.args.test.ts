/*
 * The command line as a user types it: strict arguments on every command and subcommand (exit 2 with a one-line
 * hint), --help and --version (exit 0), the configuration check on every command, and the completion scripts.
 * Parsing fails before any database is opened, so most of these need none.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isVerifierCommand } from '../../src/cli/program.js';
import { cli } from '../helpers/cli.js';

const pkg = JSON.parse(spawnSync('cat', [join(import.meta.dirname, '..', '..', 'package.json')]).stdout.toString());

/** Every command path, with the positionals it needs to be complete. */
const COMMANDS: Array<{ path: string[]; needs: string[] }> = [
  { path: ['migrate'], needs: [] },
  { path: ['sync'], needs: [] },
  { path: ['serve'], needs: [] },
  { path: ['import'], needs: ['file.csv'] },
  { path: ['status'], needs: [] },
  { path: ['discrepancies', 'list'], needs: [] },
  { path: ['discrepancies', 'show'], needs: ['1'] },
  { path: ['discrepancies', 'verify'], needs: ['1'] },
  { path: ['discrepancies', 'export'], needs: [] },
  { path: ['discrepancies', 'evaluate'], needs: [] },
  { path: ['simulate'], needs: [] },
  { path: ['db', 'url'], needs: [] },
  { path: ['db', 'psql'], needs: [] },
  { path: ['completion'], needs: ['bash'] },
  { path: ['users', 'add'], needs: ['x'] },
  { path: ['users', 'list'], needs: [] },
  { path: ['users', 'passwd'], needs: ['x'] },
  { path: ['users', 'disable'], needs: ['x'] },
  { path: ['users', 'enable'], needs: ['x'] },
  { path: ['users', 'role'], needs: ['x', 'viewer'] },
  { path: ['matchmaking'], needs: [] },
  { path: ['matchmaking', 'mark'], needs: ['8120000000001'] },
  { path: ['report'], needs: [] },
];
/** import takes any number of files: a stray positional is not a mistake there. */
const FIXED_ARITY = COMMANDS.filter((c) => c.path[0] !== 'import');

const run = (args: string[], env: Record<string, string> = {}) => cli(args, { LOG_LEVEL: '', ...env });

describe('strict arguments', () => {
  it.each(COMMANDS)('$path: an unknown flag exits 2 with a one-line hint', async ({ path, needs }) => {
    const ran = await run([...path, ...needs, '--bogus']);
    expect(ran.code).toBe(2);
    const lines = ran.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    if (isVerifierCommand(path.join(' '))) {
      expect(lines[0]).toBe(
        `oss-sync ${path[0]}: galat: opsi tidak dikenal '--bogus' (lihat oss-sync ${path.join(' ')} --help)`,
      );
    } else {
      expect(lines[0]).toBe(`oss-sync: error: unknown option '--bogus' (see oss-sync ${path.join(' ')} --help)`);
    }
  });

  it.each(FIXED_ARITY)('$path: a stray positional exits 2', async ({ path, needs }) => {
    const ran = await run([...path, ...needs, 'stray']);
    expect(ran.code).toBe(2);
    expect(ran.stderr.trim().split('\n')).toHaveLength(1);
    expect(ran.stderr).toMatch(isVerifierCommand(path.join(' ')) ? /terlalu banyak argumen/ : /too many arguments/);
  });

  it.each([...COMMANDS, { path: ['discrepancies'], needs: [] }, { path: ['db'], needs: [] }, { path: [], needs: [] }])(
    '$path --help exits 0 and prints the usage',
    async ({ path }) => {
      const ran = await run([...path, '--help']);
      expect(ran.code).toBe(0);
      expect(ran.stdout).toContain(`Usage: oss-sync${path.length ? ` ${path.join(' ')}` : ''}`);
    },
  );

  it('--version prints the package version', async () => {
    const ran = await run(['--version']);
    expect(ran.code).toBe(0);
    expect(ran.stdout.trim()).toBe(pkg.version);
  });

  it('`sync nib` does not run all three streams: it exits 2 and suggests --stream nib', async () => {
    const ran = await run(['sync', 'nib']);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain('Did you mean --stream nib?');
  });

  it('`migrate --bogus now` and `status --bogus` fail; a bad enum value names the choices', async () => {
    expect((await run(['migrate', '--bogus', 'now'])).code).toBe(2);
    expect((await run(['status', '--bogus'])).code).toBe(2);
    const bad = await run(['sync', '--stream', 'nibs']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Allowed choices are kemitraan, nib, izin.');
    const badRule = await run(['discrepancies', 'list', '--severity', 'fatal']);
    expect(badRule.code).toBe(2);
    expect(badRule.stderr).toContain(
      "nilai 'fatal' tidak sah untuk '--severity <level>': pilihan error, warning, info",
    );
  });

  it('a command with subcommands and none given exits 2 with its help on stderr', async () => {
    const ran = await run(['discrepancies']);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain('Usage: oss-sync discrepancies');
  });
});

describe('the configuration check on every command', () => {
  const BAD: Array<[string, string, RegExp]> = [
    ['SYNC_CRON', 'every day', /SYNC_CRON must be a cron expression/],
    ['TZ', 'Mars/Olympus', /TZ must be an IANA time zone/],
    ['DATABASE_URL', 'mysql://u:hunter2@h/db', /DATABASE_URL must be a postgres:\/\/ URL/],
    ['OSS_BASE_URL', 'ftp://oss.example/rba', /OSS_BASE_URL must be an http\(s\) URL/],
  ];
  const RUNNABLE = COMMANDS.map((c) => [...c.path, ...c.needs]).filter((a) => a[0] !== 'completion');
  it.each(BAD)('a bad %s is named with exit 2 on every command', async (name, value, message) => {
    for (const args of RUNNABLE) {
      const ran = await run(args, { [name]: value });
      expect(ran.code, `${args.join(' ')} with ${name}`).toBe(2);
      expect(ran.stderr, args.join(' ')).toMatch(message);
      expect(ran.stderr).not.toContain('hunter2');
    }
  });
});

describe('completion', () => {
  it('bash: generated from the command tree, and bash -n accepts it', async () => {
    const ran = await run(['completion', 'bash']);
    expect(ran.code).toBe(0);
    for (const word of [
      'discrepancies/list',
      '--dry-run',
      '--write-exports',
      'kemitraan nib izin',
      'error warning info',
    ]) {
      expect(ran.stdout).toContain(word);
    }
    const file = join(mkdtempSync(join(tmpdir(), 'oss-sync-completion-')), 'oss-sync.bash');
    writeFileSync(file, ran.stdout);
    expect(spawnSync('bash', ['-n', file]).status).toBe(0);
    // Completing `oss-sync sync --stream ` offers the three streams.
    const probe = spawnSync(
      'bash',
      [
        '-c',
        `source ${file}; COMP_WORDS=(oss-sync sync --stream ""); COMP_CWORD=3; _oss_sync; echo "\${COMPREPLY[*]}"`,
      ],
      { encoding: 'utf8' },
    );
    expect(probe.stdout.trim()).toBe('kemitraan nib izin');
    const sub = spawnSync(
      'bash',
      [
        '-c',
        `source ${file}; COMP_WORDS=(oss-sync discrepancies ex); COMP_CWORD=2; _oss_sync; echo "\${COMPREPLY[*]}"`,
      ],
      { encoding: 'utf8' },
    );
    expect(sub.stdout.trim()).toBe('export');
  });

  it('zsh: a compdef script with the same tree', async () => {
    const ran = await run(['completion', 'zsh']);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/^#compdef oss-sync/);
    expect(ran.stdout).toContain('"discrepancies_export/--format") compadd -- csv xlsx');
  });
});
