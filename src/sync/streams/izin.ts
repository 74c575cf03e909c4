import { FINAL_STATUS_IZIN } from '../../domain/codes.js';
import { licencesToPoll, storeLicenceStatuses } from '../../store/businesses.js';
import { quarantineRejections } from '../../store/quarantine.js';
import { validateLicenceStatuses } from '../../validate/index.js';
import { addCounts, type StreamRun, type SyncDeps } from '../context.js';
import { SilenceWatch, sortAnswers } from '../lookups.js';

const STREAM = 'izin';
const CHUNK = 100;

/**
 * The izin stream: checkLicenseStatus for every stored licence that is not in a final status. Each chunk stores the
 * answers it got; a licence whose check failed is checked again next run (see lookups.ts).
 */
export async function syncLicenceStatuses(deps: SyncDeps, run: StreamRun): Promise<string | undefined> {
  const { db, oss } = deps;
  const ids = await licencesToPoll(db, FINAL_STATUS_IZIN);
  const ctx = { runId: run.runId, source: 'checkLicenseStatus' };
  let missing = 0;
  let failures = 0;
  const watch = new SilenceWatch('licences checked', 'they are checked again next run');
  run.progress('checking licences', ids.length);
  for (let i = 0; i < ids.length; i += CHUNK) {
    if (deps.signal?.aborted) return 'stopped by shutdown';
    const chunk = ids.slice(i, i + CHUNK);
    const answers = await Promise.allSettled(chunk.map((id) => oss.checkLicenseStatus(id)));
    run.counts.requests += chunk.length;
    const sorted = sortAnswers(chunk, answers, watch);
    const { found, refused } = sorted;
    missing += sorted.notFound.length;
    failures += sorted.failures.length;
    if (sorted.failures.length > 0) {
      run.log.warn(
        { stream: STREAM, failed: sorted.failures.length, of: chunk.length, id_izin: sorted.failures[0]?.key },
        'checkLicenseStatus failed for some licences; they are checked again next run',
      );
    }
    run.counts.fetched += found.length;
    const { valid, rejected } = validateLicenceStatuses(found);
    run.counts.rejected += rejected.length;
    await run.transaction(async (trx) => {
      addCounts(
        run.counts,
        await storeLicenceStatuses(
          trx,
          valid.map((v) => v.record),
          ctx,
        ),
      );
      await quarantineRejections(trx, STREAM, rejected, ctx, () => ({ method: 'checkLicenseStatus' }));
    });
    run.progress('checking licences', ids.length);
    if (refused) throw refused;
    watch.checkChunk();
  }
  watch.checkEnd();
  const notes = [];
  if (missing) notes.push(`${missing} licences unknown to checkLicenseStatus`);
  if (failures) notes.push(`${failures} licences could not be checked; they are polled again next run`);
  return notes.length ? notes.join('; ') : undefined;
}
