import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { completionScript } from './cli/completion.js';
import { assertPsqlInstalled, dbPsqlCommand, dbUrlCommand } from './cli/db.js';
import { discrepanciesCommand } from './cli/discrepancies.js';
import { importCommand } from './cli/import.js';
import { matchmakingCommand } from './cli/matchmaking.js';
import { type Invocation, parseCommandLine } from './cli/program.js';
import { reportCommand } from './cli/report.js';
import { serveCommand } from './cli/serve.js';
import { statusCommand } from './cli/status.js';
import { EXIT, syncCommand } from './cli/sync.js';
import { UsageError } from './cli/usage.js';
import { usersCommand } from './cli/users.js';
import { type Config, loadConfig } from './config.js';
import { ConfigError, OssSyncError, SyncAlreadyRunningError } from './errors.js';
import { createLogger, type Logger } from './logger.js';
import { type OpenOptions, openRuntime, type Runtime } from './runtime.js';
import { databaseUnavailable, migrate } from './store/db.js';

/** A command gets the runtime, its parsed command line, and a signal aborted when the user asks it to stop. */
type Command = (rt: Runtime, inv: Invocation, signal: AbortSignal) => Promise<number>;

const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

const DATABASE_COMMANDS: Record<string, { run: Command; migrations: OpenOptions['migrations'] }> = {
  migrate: {
    migrations: 'ignore',
    run: async (rt) => {
      const applied = await migrate(rt.db);
      process.stdout.write(
        applied.length
          ? `Applied ${applied.length} migrations:\n${applied.map((m) => `  ${m}`).join('\n')}\n`
          : 'The database is up to date.\n',
      );
      return 0;
    },
  },
  sync: { migrations: 'auto', run: syncCommand },
  serve: { migrations: 'ignore', run: serveCommand },
  status: { migrations: 'auto', run: statusCommand },
  import: { migrations: 'auto', run: importCommand },
  'discrepancies list': { migrations: 'auto', run: discrepanciesCommand },
  'discrepancies show': { migrations: 'auto', run: discrepanciesCommand },
  'discrepancies verify': { migrations: 'auto', run: discrepanciesCommand },
  'discrepancies export': { migrations: 'auto', run: discrepanciesCommand },
  'discrepancies evaluate': { migrations: 'auto', run: discrepanciesCommand },
  'db psql': { migrations: 'auto', run: dbPsqlCommand },
  matchmaking: { migrations: 'auto', run: (rt, inv) => matchmakingCommand(rt, inv) },
  'matchmaking mark': { migrations: 'auto', run: (rt, inv) => matchmakingCommand(rt, inv) },
  report: { migrations: 'auto', run: (rt, inv) => reportCommand(rt, inv) },
  ...Object.fromEntries(
    ['add', 'list', 'passwd', 'disable', 'enable', 'role'].map((sub) => [
      `users ${sub}`,
      { migrations: 'auto' as const, run: usersCommand },
    ]),
  ),
};

const stdio = {
  stdout: (s: string) => void process.stdout.write(s),
  stderr: (s: string) => void process.stderr.write(s),
};

/** Runs one command line; returns the process exit code. */
export async function main(
  argv: string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<number> {
  const parsed = parseCommandLine(argv, stdio);
  if ('exit' in parsed) return parsed.exit;
  const command = parsed.path;
  if (command === 'completion') {
    process.stdout.write(completionScript(parsed.args[0] === 'zsh' ? 'zsh' : 'bash'));
    return 0;
  }
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`oss-sync: ${err.message}\n`);
      return EXIT.usage;
    }
    throw err;
  }
  const tty = Boolean(process.stderr.isTTY);
  // On a terminal the progress bar and summary speak; logs stay quiet unless LOG_LEVEL asks for them.
  const level = env.LOG_LEVEL ? config.log.level : tty && command !== 'serve' ? 'warn' : config.log.level;
  const log = createLogger(level, process.stderr, { human: tty });
  try {
    if (command === 'simulate') {
      const { simulateCommand } = await import('./cli/simulate.js');
      return await simulateCommand(config, log, parsed);
    }
    if (command === 'db url') return await dbUrlCommand(config);
    const entry = DATABASE_COMMANDS[command];
    if (!entry) throw new UsageError(`unknown command "${command}"`);
    if (command === 'db psql') assertPsqlInstalled();
    const rt = await openRuntime(config, log, { migrations: entry.migrations });
    // serve handles its own stop signals (graceful shutdown); every other command stops after its current batch,
    // records its run, closes the database and exits 128 + the signal number.
    const stop = new AbortController();
    let stoppedBy: string | null = null;
    const onSignal = (sig: NodeJS.Signals) => {
      if (stoppedBy) {
        process.stderr.write(`oss-sync: ${sig} again: exiting now\n`);
        process.exit(SIGNAL_EXIT[sig] ?? 1);
      }
      stoppedBy = sig;
      log.warn({ signal: sig }, 'stop requested: finishing the current batch');
      process.stderr.write(
        `oss-sync: ${sig} received: stopping after the current batch (press again to exit at once)\n`,
      );
      stop.abort();
    };
    const ownSignals = command !== 'serve' && command !== 'db psql';
    if (ownSignals) for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, onSignal);
    try {
      const code = await entry.run(rt, parsed, stop.signal);
      return stoppedBy ? (SIGNAL_EXIT[stoppedBy] ?? code) : code;
    } finally {
      for (const sig of ['SIGINT', 'SIGTERM'] as const) process.off(sig, onSignal);
      await rt.close();
    }
  } catch (err) {
    return reportFailure(err, log, config.database.url);
  }
}

function reportFailure(err: unknown, log: Logger, databaseUrl: string | null): number {
  if (err instanceof UsageError) {
    process.stderr.write(`oss-sync: ${err.message}\n`);
    return EXIT.usage;
  }
  if (err instanceof SyncAlreadyRunningError) {
    process.stderr.write(`oss-sync: ${err.message}. Try again when it has finished (see \`oss-sync status\`).\n`);
    return EXIT.alreadyRunning;
  }
  const known = err instanceof OssSyncError ? err : databaseUnavailable(err, databaseUrl);
  // The stack is for debugging; a person reads the one line below.
  log.debug({ err }, 'command failed');
  if (!known) log.error({ err }, 'command failed');
  const message = known ? known.message : `unexpected error: ${(err as Error)?.message ?? String(err)}`;
  process.stderr.write(`oss-sync: ${message}\n`);
  return EXIT.failed;
}

const invokedDirectly = (() => {
  try {
    return realpathSync(process.argv[1] ?? '') === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
})();

if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`oss-sync: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
