import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UsageError } from './cli/args.js';
import { discrepanciesCommand } from './cli/discrepancies.js';
import { IMPORT_USAGE, importCommand } from './cli/import.js';
import { serveCommand } from './cli/serve.js';
import { statusCommand } from './cli/status.js';
import { EXIT, syncCommand } from './cli/sync.js';
import { type Config, loadConfig } from './config.js';
import { ConfigError, OssSyncError, SyncAlreadyRunningError } from './errors.js';
import { createLogger, type Logger } from './logger.js';
import { type OpenOptions, openRuntime, type Runtime } from './runtime.js';
import { databaseUnavailable, migrate } from './store/db.js';

const USAGE = `oss-sync: OSS RBA partnership and licensing connector for regional verification (DPMPTSP)

Usage: oss-sync <command> [options]

  migrate                          apply database migrations and exit
  sync [--stream kemitraan|nib|izin] [--full] [--dry-run] [--by NAME] [--reason TEXT]
                                   one sync now; exit 0 complete, 3 partial, 1 failed, 4 another sync running
  serve [--migrate] [--shutdown-timeout S]
                                   the container's main process: schedule (SYNC_CRON), HTTP API, push receiver
  ${IMPORT_USAGE}
  status                           last runs, checkpoints, queue, quarantine, open findings per rule
  discrepancies list [--rule R] [--severity S] [--status S] [--kecamatan K] [--entity E]
  discrepancies show ID | verify ID --status in_review|confirmed|dismissed --by NAME [--note TEXT]
  discrepancies export --format csv|xlsx [--output FILE] | evaluate [--all] [--force]
                                   the verification queue
  simulate [--port P] [--host H] [--seed N] [--size tiny|small|medium|large|huge] [--quota-rps R|none]
                                   run the OSS simulator standalone

Configuration comes from environment variables (see README). Without DATABASE_URL an embedded Postgres runs under
OSS_SYNC_DATA_DIR; without OSS_BASE_URL the built-in simulator stands in for OSS (sandbox mode).`;

/** A command gets the runtime, its arguments, and a signal aborted when the user asks it to stop (Ctrl-C, SIGTERM). */
type Command = (rt: Runtime, args: string[], signal: AbortSignal) => Promise<number>;

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
  discrepancies: { migrations: 'auto', run: discrepanciesCommand },
  import: { migrations: 'auto', run: importCommand },
};

/** Runs one command line; returns the process exit code. */
export async function main(
  argv: string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : EXIT.usage;
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
  // On a terminal the progress bar and summary speak; logs stay quiet unless LOG_LEVEL asks for them.
  const level = env.LOG_LEVEL
    ? config.log.level
    : process.stderr.isTTY && command !== 'serve'
      ? 'warn'
      : config.log.level;
  const log = createLogger(level, process.stderr);
  try {
    if (command === 'simulate') {
      const { simulateCommand } = await import('./cli/simulate.js');
      return await simulateCommand(config, log, args);
    }
    const entry = DATABASE_COMMANDS[command];
    if (!entry) throw new UsageError(`unknown command "${command}"\n\n${USAGE}`);
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
    if (command !== 'serve') for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, onSignal);
    try {
      const code = await entry.run(rt, args, stop.signal);
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
