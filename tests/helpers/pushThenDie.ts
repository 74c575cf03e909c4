/*
 * A process that applies one batch of the push inbox and is killed (SIGKILL) at the moment the batch has committed
 * and its findings evaluation is about to start: the crash the write lifecycle must survive. Run with
 * `node --import tsx tests/helpers/pushThenDie.ts DATABASE_URL`.
 */
import { createLogger } from '../../src/logger.js';
import { createDb } from '../../src/store/db.js';
import type { LifecycleDeps } from '../../src/sync/lifecycle.js';
import { applyPushBatch } from '../../src/sync/streams/push.js';

const url = process.argv[2];
if (!url) throw new Error('usage: pushThenDie.ts DATABASE_URL');
const db = createDb(url);
const deps: LifecycleDeps = {
  db,
  databaseUrl: url,
  log: createLogger('silent'),
  now: () => new Date(),
  kdDaerah: '3317',
  // The evaluation reads the rule settings first: that is the instant between the commit and the evaluation.
  get rules(): NonNullable<LifecycleDeps['rules']> {
    process.kill(process.pid, 'SIGKILL');
    throw new Error('killed before the evaluation');
  },
};
await applyPushBatch(deps, 50);
process.stdout.write('not killed\n');
await db.destroy();
