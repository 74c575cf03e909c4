/*
 * The import process: forked by childImport.ts with its own heap limit, it runs one importExportFile and sends the
 * result back, so a file that exhausts memory ends this process, never the one that forked it (serve).
 */
import { SyncAlreadyRunningError, toError } from '../errors.js';
import { createLogger } from '../logger.js';
import { createDb } from '../store/db.js';
import type { WorkerReply, WorkerRequest } from './childImport.js';
import { type ImportDeps, type ImportOptions, importExportFile } from './importFile.js';

function send(reply: WorkerReply): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(reply, undefined, {}, () => resolve());
  });
}

async function run(req: WorkerRequest): Promise<void> {
  const log = createLogger(req.logLevel, process.stderr).child({ ...req.logBindings, importProcess: process.pid });
  const db = createDb(req.deps.databaseUrl as string, 4);
  const observer =
    req.observerMethods.length > 0
      ? Object.fromEntries(
          req.observerMethods.map((method) => [
            method,
            (...args: unknown[]) => void send({ type: 'observer', method, args }),
          ]),
        )
      : undefined;
  const deps = {
    ...req.deps,
    db,
    log,
    now: () => new Date(Date.now() + req.nowOffsetMs),
    ...(observer ? { observer } : {}),
  } as unknown as ImportDeps;
  const options: ImportOptions = {
    ...req.options,
    ...(req.progress ? { onProgress: (p) => void send({ type: 'progress', progress: p }) } : {}),
  };
  try {
    const result = await importExportFile(deps, req.path, options);
    await send({ type: 'result', result });
  } catch (err) {
    if (err instanceof SyncAlreadyRunningError) await send({ type: 'busy', message: err.message });
    else {
      const e = toError(err);
      log.error({ err: e }, 'import process failed');
      await send({ type: 'failed', message: e.message });
    }
  } finally {
    await db.destroy().catch(() => undefined);
  }
  process.exit(0);
}

// The parent went away (serve was killed): nothing will read the result, so stop.
process.on('disconnect', () => process.exit(0));
process.once('message', (req: WorkerRequest) => {
  void run(req);
});
