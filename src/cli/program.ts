/*
 * The command tree of `oss-sync`, declared once with commander: strict parsing (unknown flags and stray positionals
 * are usage errors on every command), --help on every level, --version, and the shell completion scripts generated
 * from the same tree. Commander over citty or cac: it is the most used and longest maintained of the three, has
 * no dependencies, rejects excess arguments by default (v13+), exposes the parsed tree (options, choices, nested
 * subcommands) for completion, and lets every error go through one exit hook instead of process.exit.
 */
import { readFileSync } from 'node:fs';
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { SIMULATOR_SIZES } from '../config.js';
import { STREAMS } from '../domain/glossary.js';
import { RULE_CODES, SEVERITIES } from '../rules/index.js';
import { ROLES } from '../store/users.js';
import { FINDING_STATUSES, VERIFIER_STATUSES } from '../verification/lifecycle.js';

/** What the command line asked for: the command path ('discrepancies list'), its options and positionals. */
export interface Invocation {
  readonly path: string;
  readonly opts: Readonly<Record<string, unknown>>;
  readonly args: readonly string[];
  /** Arguments after `--` (passed through to psql by `db psql`). */
  readonly passThrough: readonly string[];
}

/** The command line could not be parsed, or only asked for help/version: exit with this code. */
export interface ParseExit {
  readonly exit: number;
}

/** The verifier-facing commands (speaking Indonesian). */
export const isVerifierCommand = (path: string) =>
  ['discrepancies', 'matchmaking', 'report'].some((c) => path === c || path.startsWith(`${c} `));

const VERSION = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    return String(pkg.version);
  } catch {
    return 'unknown';
  }
})();

/** Splits comma lists and accumulates repeats; each value must be one of `allowed` (case-insensitive for codes). */
function listOf(allowed: readonly string[], upper = false) {
  return (value: string, previous: string[] | undefined): string[] => {
    const items = value
      .split(',')
      .map((s) => (upper ? s.trim().toUpperCase() : s.trim()))
      .filter(Boolean);
    for (const v of items) {
      if (!allowed.includes(v)) throw new InvalidArgumentError(`Allowed choices are ${allowed.join(', ')}.`);
    }
    return [...(previous ?? []), ...items];
  };
}

const collect = (value: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  ...value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];

/** An option whose values are an enum: validated, repeatable when `repeat`, and listed in help and completion. */
function enumOption(flags: string, description: string, allowed: readonly string[], repeat = false, upper = false) {
  const opt = new Option(flags, description);
  opt.argChoices = [...allowed];
  if (repeat) return opt.argParser(listOf(allowed, upper));
  return opt.argParser((v: string) => {
    if (!allowed.includes(v)) throw new InvalidArgumentError(`Allowed choices are ${allowed.join(', ')}.`);
    return v;
  });
}

function addFindingFilters(cmd: Command): Command {
  return cmd
    .addOption(enumOption('--rule <code>', 'kode aturan (boleh diulang atau dipisah koma)', RULE_CODES, true, true))
    .addOption(enumOption('--severity <level>', 'tingkat', SEVERITIES, true))
    .addOption(enumOption('--status <status>', 'status (atau all)', [...FINDING_STATUSES, 'all'], true))
    .option('--kecamatan <code-or-name>', 'kecamatan: kode 6 digit atau nama', collect)
    .option('--entity <type-or-id>', 'jenis entitas (kemitraan, pelaku_usaha, proyek, perizinan) atau ID', collect);
}

/** Builds the command tree; `onRun` receives the leaf command that was invoked. */
export function buildProgram(onRun: (inv: Invocation) => void): Command {
  const program = new Command('oss-sync')
    .description('OSS RBA partnership and licensing connector for regional verification (DPMPTSP)')
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .helpCommand(false)
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      '\nConfiguration comes from environment variables (see README). Without DATABASE_URL an embedded Postgres\n' +
        'runs under OSS_SYNC_DATA_DIR; without OSS_BASE_URL the built-in simulator stands in for OSS (sandbox mode).\n' +
        'Exit codes: 0 ok, 1 failed, 2 usage or configuration error, 3 partial, 4 another sync running.',
    );

  const leaf = (cmd: Command, path: string) =>
    cmd.action(function (this: Command) {
      const passThrough = path === 'db psql' ? rawAfterDoubleDash : [];
      onRun({ path, opts: this.opts(), args: this.processedArgs.flat() as string[], passThrough });
    });

  leaf(program.command('migrate').description('apply database migrations and exit'), 'migrate');

  leaf(
    program
      .command('sync')
      .description('one sync now; exit 0 complete, 3 partial, 1 failed, 4 another sync running')
      .addOption(enumOption('--stream <name>', 'only this stream (repeatable or comma-separated)', STREAMS, true))
      .option('--full', 'full listing instead of incremental')
      .option('--dry-run', 'fetch and validate, write nothing')
      .option('--by <name>', 'who asks for the run (recorded)')
      .option('--reason <text>', 'why (recorded)')
      .option('--json', 'print the result as JSON (for scripts)'),
    'sync',
  );

  leaf(
    program
      .command('serve')
      .description("the container's main process: schedule (SYNC_CRON), HTTP API, push receiver")
      .option('--migrate', 'apply pending migrations first')
      .option('--shutdown-timeout <seconds>', 'wait this long for a running sync to stop (default 8)'),
    'serve',
  );

  leaf(
    program
      .command('import')
      .description(
        'load OSS dashboard exports (DP Proyek, DP NIB Kantor, List Izin; xlsx or csv); ' +
          'exit 0 all imported, 3 some (or rows rejected), 1 none, 4 a sync is running',
      )
      .argument('<file...>', 'export files')
      .option('--snapshot <yyyy-mm-dd>', 'the date the export was taken')
      .option('--by <name>', 'who imports (recorded)')
      .option('--reason <text>', 'why (recorded)')
      .option('--json', 'print the results as JSON (for scripts)'),
    'import',
  );

  leaf(
    program
      .command('status')
      .description('last runs, checkpoints, queue, quarantine, open findings per rule')
      .option('--json', 'print as JSON (for scripts)'),
    'status',
  );

  const disc = program
    .command('discrepancies')
    .description('antrean verifikasi (the verification queue)')
    .helpOption('-h, --help', 'tampilkan bantuan');
  leaf(
    addFindingFilters(disc.command('list').description('daftar temuan (bawaan: terbuka, diperiksa, terkonfirmasi)'))
      .option('--limit <n>', 'paling banyak N baris (bawaan 100)')
      .option('--json', 'keluaran JSON (untuk skrip)'),
    'discrepancies list',
  );
  leaf(
    disc
      .command('show')
      .description('rincian satu temuan: pesan, bukti, data terkait, riwayat')
      .argument('<id>', 'ID temuan')
      .option('--json', 'keluaran JSON (untuk skrip)'),
    'discrepancies show',
  );
  leaf(
    disc
      .command('verify')
      .description('keputusan verifikator (dismissed perlu --note)')
      .argument('<id>', 'ID temuan')
      .addOption(enumOption('--status <status>', 'status baru', VERIFIER_STATUSES))
      .option('--by <name>', 'nama verifikator')
      .option('--note <text>', 'catatan'),
    'discrepancies verify',
  );
  leaf(
    addFindingFilters(disc.command('export').description('lembar kunjungan lapangan (csv atau xlsx)'))
      .addOption(enumOption('--format <format>', 'format berkas', ['csv', 'xlsx']))
      .option('--output <file>', 'berkas tujuan (csv tanpa --output: ke stdout)')
      .addOption(enumOption('--delimiter <char>', 'pemisah kolom csv (bawaan ;)', [';', ',']).default(';')),
    'discrepancies export',
  );
  leaf(
    disc
      .command('evaluate')
      .description('jalankan aturan sekarang (tanpa --all: yang berubah sejak evaluasi terakhir)')
      .option('--all', 'seluruh wilayah')
      .option('--force', 'juga bila penjaga resolusi menahan'),
    'discrepancies evaluate',
  );

  const matchmaking = program
    .command('matchmaking')
    .description(
      'peluang kemitraan: UMKM lokal yang dapat memasok atau menjual melalui usaha besar di wilayah, untuk forum kemitraan',
    )
    .helpOption('-h, --help', 'tampilkan bantuan')
    .option('--ub <nib>', 'hanya usaha besar ini (NIB)')
    .addOption(enumOption('--format <format>', 'keluaran (bawaan table)', ['table', 'csv', 'xlsx']))
    .option('--output <file>', 'berkas tujuan (xlsx tanpa --output: peluang-kemitraan-WILAYAH-TANGGAL.xlsx)')
    .option('--siap-saja', 'hanya UMKM yang dicatat siap bermitra (daftar untuk kementerian dan usaha besar)')
    .addOption(enumOption('--delimiter <char>', 'pemisah kolom csv (bawaan ;)', [';', ',']).default(';'));
  leaf(matchmaking, 'matchmaking');
  leaf(
    matchmaking
      .command('mark')
      .description('catat kesiapan bermitra UMKM: --siap atau --belum-siap, dengan catatan dan pencatatnya')
      .argument('<nib>', 'NIB UMKM')
      .option('--siap', 'siap bermitra')
      .option('--belum-siap', 'belum siap bermitra')
      .option('--note <text>', 'catatan')
      .option('--by <name>', 'nama petugas yang mencatat (wajib)')
      // The list's options are the parent's: commander would take them anywhere on the line and drop them here.
      .hook('preAction', (mark) => {
        const list = mark.parent as Command;
        const given = list.options.find((o) => list.getOptionValueSource(o.attributeName()) === 'cli');
        if (given)
          mark.error(`error: unknown option '${given.long}'`, { code: 'commander.unknownOption', exitCode: 2 });
      }),
    'matchmaking mark',
  );

  leaf(
    program
      .command('report')
      .description('laporan kemitraan UB–UMKM untuk kepala dinas dan forum kemitraan: html, pdf atau xlsx')
      .helpOption('-h, --help', 'tampilkan bantuan')
      .option('--period <yyyy-qn>', 'triwulan, mis. 2026-Q3 (bawaan: triwulan lengkap terakhir)')
      .option('--from <yyyy-mm-dd>', 'hari pertama periode (bersama --to, sebagai ganti --period)')
      .option('--to <yyyy-mm-dd>', 'hari terakhir periode (bersama --from)')
      .option('--kecamatan <code-or-name>', 'hanya kemitraan di kecamatan ini (kode 6 digit atau nama)')
      .addOption(enumOption('--format <format>', 'format berkas (bawaan html)', ['html', 'pdf', 'xlsx']))
      .option('--output <file>', 'berkas tujuan (bawaan laporan-kemitraan-WILAYAH-PERIODE.FORMAT di folder ini)'),
    'report',
  );

  leaf(
    program
      .command('simulate')
      .description('run the OSS simulator standalone')
      .option('--port <port>', 'port (default 8090)')
      .option('--host <host>', 'address to listen on')
      .option('--seed <n>', 'world seed')
      .addOption(enumOption('--size <size>', 'world size', SIMULATOR_SIZES))
      .option('--quota-rps <rps>', "requests per second before 429, or 'none'")
      .option('--latency-ms <ms>', 'added latency per request')
      .option('--manifest <file>', 'write the manifest of planted cases here')
      .option('--user-key <key>', 'the key the simulator accepts')
      .option('--prewarm', 'render every listing page before serving (benchmarks)')
      .option('--write-exports <dir>', 'write the three dashboard exports (csv and xlsx) of the world and exit'),
    'simulate',
  );

  const db = program.command('db').description('the database: connection string and a psql shell');
  leaf(
    db.command('url').description('print the connection string (DATABASE_URL masked; the embedded one in full)'),
    'db url',
  );
  leaf(
    db
      .command('psql')
      .description('run psql on the database (starts the embedded server when none runs); psql flags after --'),
    'db psql',
  );

  const users = program
    .command('users')
    .description('akun konsol web: viewer membaca; verifier juga memproses temuan; admin juga sync, impor, pengguna')
    .helpOption('-h, --help', 'tampilkan bantuan');
  // Roles are checked by the command (an Indonesian message); argChoices only lists them in help and completion.
  const roleOption = new Option('--role <role>', 'peran (wajib)');
  roleOption.argChoices = [...ROLES];
  const roleArgument = new Argument('<role>', 'peran baru');
  roleArgument.argChoices = [...ROLES];
  leaf(
    users
      .command('add')
      .description('tambah akun (kata sandi ditanyakan, atau satu baris dari stdin dengan --password-stdin)')
      .argument('<name>', 'nama pengguna')
      .addOption(roleOption)
      .option('--full-name <text>', 'nama lengkap')
      .option('--password-stdin', 'baca kata sandi dari satu baris stdin'),
    'users add',
  );
  leaf(users.command('list').description('daftar akun').option('--json', 'keluaran JSON (untuk skrip)'), 'users list');
  leaf(
    users
      .command('passwd')
      .description('ganti kata sandi (sesi yang terbuka diakhiri)')
      .argument('<name>', 'nama pengguna')
      .option('--password-stdin', 'baca kata sandi dari satu baris stdin'),
    'users passwd',
  );
  leaf(
    users
      .command('disable')
      .description('nonaktifkan akun (semua sesinya diakhiri)')
      .argument('<name>', 'nama pengguna'),
    'users disable',
  );
  leaf(
    users.command('enable').description('aktifkan kembali akun').argument('<name>', 'nama pengguna'),
    'users enable',
  );
  leaf(
    users.command('role').description('ubah peran akun').argument('<name>', 'nama pengguna').addArgument(roleArgument),
    'users role',
  );

  leaf(
    program
      .command('completion')
      .description('print a shell completion script: eval "$(oss-sync completion bash)"')
      .addArgument(new Argument('<shell>', 'bash or zsh').choices(['bash', 'zsh'])),
    'completion',
  );
  return program;
}

/** Arguments after `--` on the raw command line (set by parseCommandLine before parsing). */
let rawAfterDoubleDash: string[] = [];

const commandPath = (cmd: Command): string => {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
};

/** One-line usage error in the language of the command: English for operators, Indonesian for verifiers. */
export function usageLine(err: CommanderError, path: string): string {
  const help = `oss-sync${path ? ` ${path}` : ''} --help`;
  const msg = err.message.replace(/^error: /, '');
  if (!isVerifierCommand(path)) return `oss-sync: error: ${msg} (see ${help})`;
  const q = [...msg.matchAll(/'([^']*)'/g)].map((m) => m[1]);
  const id: Record<string, string> = {
    'commander.unknownOption': `opsi tidak dikenal '${q[0]}'`,
    'commander.excessArguments': `terlalu banyak argumen (diharapkan ${/Expected (\d+)/.exec(msg)?.[1] ?? '?'}, diberikan ${/got (\d+)/.exec(msg)?.[1] ?? '?'})`,
    'commander.unknownCommand': `perintah tidak dikenal '${q[0]}'`,
    'commander.missingArgument': `argumen '${q[0]}' wajib diisi`,
    'commander.optionMissingArgument': `opsi '${q[0]}' perlu nilai`,
    'commander.invalidArgument': `nilai '${q[1] ?? ''}' tidak sah untuk '${q[0]}'${msg.includes('Allowed choices are') ? `: pilihan ${msg.replace(/^.*Allowed choices are /, '').replace(/\.$/, '')}` : ''}`,
  };
  return `oss-sync ${path.split(' ')[0]}: galat: ${id[err.code] ?? msg} (lihat ${help})`;
}

/** Parses argv; returns the invocation, or the exit code when parsing ended it (help, version, usage errors). */
export function parseCommandLine(
  argv: readonly string[],
  out: { stdout(s: string): void; stderr(s: string): void },
): Invocation | ParseExit {
  let invocation: Invocation | null = null;
  const program = buildProgram((inv) => {
    invocation = inv;
  });
  const dd = argv.indexOf('--');
  rawAfterDoubleDash = dd >= 0 ? argv.slice(dd + 1) : [];
  const hook = (cmd: Command) => (err: CommanderError) => {
    throw Object.assign(err, { commandPath: commandPath(cmd) });
  };
  const configure = (cmd: Command) => {
    cmd.exitOverride(hook(cmd));
    cmd.configureOutput({
      writeOut: (s) => out.stdout(s),
      writeErr: (s) => out.stderr(s),
      outputError: () => undefined,
    });
    for (const sub of cmd.commands) configure(sub);
  };
  configure(program);
  // `db psql -- -c 'select 1'`: psql's own arguments pass through; anywhere else `--` ends options as usual.
  const parsed = dd >= 0 && argv[0] === 'db' && argv[1] === 'psql' ? argv.slice(0, dd) : argv;
  try {
    program.parse([...parsed], { from: 'user' });
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return { exit: 0 };
    // A command with subcommands and none given: its help went to stderr.
    if (err.code === 'commander.help' || err.code === 'commander.executeSubCommandAsync') return { exit: 2 };
    const path = (err as CommanderError & { commandPath: string }).commandPath;
    // `oss-sync sync nib` is a natural typo for `--stream nib`: say so.
    const stream = path === 'sync' ? argv.find((a) => (STREAMS as readonly string[]).includes(a)) : undefined;
    const hint = err.code === 'commander.excessArguments' && stream ? ` Did you mean --stream ${stream}?` : '';
    out.stderr(`${usageLine(err, path).replace(/ \(see /, `${hint} (see `)}\n`);
    return { exit: 2 };
  }
  if (invocation === null) return { exit: 2 };
  return invocation;
}

/** Every command of the tree with its options, for completion: key '' is the program itself. */
export interface CompletionNode {
  readonly key: string;
  readonly words: string[];
  readonly enums: Array<{ flag: string; values: string[] }>;
  readonly children: Array<{ name: string; key: string }>;
}

export function completionTree(): CompletionNode[] {
  const nodes: CompletionNode[] = [];
  const walk = (cmd: Command, key: string) => {
    const flags = cmd.options.flatMap((o) => [o.long, o.short].filter((f): f is string => Boolean(f)));
    const helpFlags = ['--help'];
    const subs = cmd.commands.map((c) => ({ name: c.name(), key: key ? `${key}_${c.name()}` : c.name() }));
    const enums = cmd.options
      .filter((o) => o.argChoices && o.long)
      .map((o) => ({ flag: o.long as string, values: o.argChoices as string[] }));
    const argChoices = cmd.registeredArguments.flatMap((a) => a.argChoices ?? []);
    nodes.push({
      key,
      words: [...subs.map((s) => s.name), ...argChoices, ...flags, ...helpFlags],
      enums,
      children: subs,
    });
    for (const c of cmd.commands) walk(c, key ? `${key}_${c.name()}` : c.name());
  };
  walk(
    buildProgram(() => undefined),
    '',
  );
  return nodes;
}
