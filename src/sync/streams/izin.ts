import { FINAL_STATUS_IZIN } from '../../domain/codes.js';
import { OssAuthError, OssUnavailableError } from '../../errors.js';
import { licencesToPoll, storeLicenceStatuses } from '../../store/businesses.js';
import { quarantineRejections } from '../../store/quarantine.js';
import { validateLicenceStatuses } from '../../validate/index.js';
import { addCounts, type StreamRun, type SyncDeps } from '../context.js';

const STREAM = 'izin';
const CHUNK = 100;

/** The izin stream: checkLicenseStatus for every stored licence that is not in a final status. */
export async function syncLicenceStatuses(deps: SyncDeps, run: StreamRun): Promise<string | undefined> {
  const { db, oss } = deps;
  const ids = await licencesToPoll(db, FINAL_STATUS_IZIN);
  const ctx = { runId: run.runId, source: 'checkLicenseStatus' };
  let missing = 0;
  let failures = 0;
  run.progress('checking licences', ids.length);
  for (let i = 0; i < ids.length; i += CHUNK) {
    if (deps.signal?.aborted) return 'stopped by shutdown';
    const chunk = ids.slice(i, i + CHUNK);
    const answers = await Promise.allSettled(chunk.map((id) => oss.checkLicenseStatus(id)));
    run.counts.requests += chunk.length;
    const found: unknown[] = [];
    for (const [j, answer] of answers.entries()) {
      if (answer.status === 'fulfilled') {
        if (answer.value.found) found.push(answer.value.data);
        else missing += 1;
        continue;
      }
      if (answer.reason instanceof OssAuthError || answer.reason instanceof OssUnavailableError) throw answer.reason;
      failures += 1;
      run.log.warn(
        { stream: STREAM, id_izin: chunk[j], err: answer.reason },
        'checkLicenseStatus failed for one licence',
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
  }
  const notes = [];
  if (missing) notes.push(`${missing} licences unknown to checkLicenseStatus`);
  if (failures) notes.push(`${failures} licences could not be checked; they are polled again next run`);
  return notes.length ? notes.join('; ') : undefined;
}
