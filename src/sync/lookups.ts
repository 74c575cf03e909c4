/*
 * Chunks of one-record lookups (inqueryNIB per NIB, checkLicenseStatus per licence), shared by the nib and izin
 * streams: every answer that arrived is kept even when others of its chunk failed; a refused key ends the stream
 * once the chunk is stored; OSS is judged unreachable after UNREACHABLE_CHUNKS chunks in a row without a single
 * answer, or when none of the stream's lookups got one (a stream whose upstream never answered has failed).
 */
import { OssAuthError, OssUnavailableError } from '../errors.js';
import type { OssLookup } from '../oss/index.js';

/** Chunks in a row without any answer after which OSS is unreachable for this stream. */
export const UNREACHABLE_CHUNKS = 2;

export interface ChunkAnswers<K> {
  found: unknown[];
  notFound: Array<{ key: K; keterangan: string }>;
  /** Lookups that failed after their retries: they are asked again next run. */
  failures: Array<{ key: K; error: string }>;
  /** The key was refused: nothing is recorded against the records. */
  refused: OssAuthError | undefined;
}

/** Sorts the settled lookups of one chunk; `watch` keeps the silence count across chunks. */
export function sortAnswers<K>(
  keys: readonly K[],
  answers: ReadonlyArray<PromiseSettledResult<OssLookup>>,
  watch: SilenceWatch,
): ChunkAnswers<K> {
  const out: ChunkAnswers<K> = { found: [], notFound: [], failures: [], refused: undefined };
  let unanswered = 0;
  for (const [i, answer] of answers.entries()) {
    const key = keys[i] as K;
    if (answer.status === 'fulfilled') {
      if (answer.value.found) out.found.push(answer.value.data);
      else out.notFound.push({ key, keterangan: answer.value.keterangan });
      continue;
    }
    const err = answer.reason;
    if (err instanceof OssAuthError) {
      out.refused ??= err;
      continue;
    }
    if (err instanceof OssUnavailableError) {
      watch.last = err;
      unanswered += 1;
    }
    out.failures.push({ key, error: err instanceof Error ? err.message : String(err) });
  }
  // An answer off the contract (OssProtocolError) is still an answer: only unavailability counts as silence.
  watch.record(keys.length, keys.length - unanswered);
  return out;
}

/** Counts lookups asked and answered, to judge when OSS is unreachable. */
export class SilenceWatch {
  asked = 0;
  answered = 0;
  last: OssUnavailableError | undefined;
  private silentChunks = 0;
  private silentItems = 0;

  /** `what`: the lookups ("NIBs inquired"); `then`: what becomes of them ("they stay queued for the next run"). */
  constructor(
    private readonly what: string,
    private readonly then: string,
  ) {}

  record(asked: number, answered: number): void {
    this.asked += asked;
    this.answered += answered;
    this.silentChunks = answered === 0 ? this.silentChunks + 1 : 0;
    this.silentItems = answered === 0 ? this.silentItems + asked : 0;
  }

  /** Throws when the last chunks got no answer at all (call after storing the chunk). */
  checkChunk(): void {
    if (this.silentChunks >= UNREACHABLE_CHUNKS) throw this.unreachable(this.silentItems);
  }

  /** Throws when the stream asked and never got one answer (call at its end). */
  checkEnd(): void {
    if (this.asked > 0 && this.answered === 0) throw this.unreachable(this.asked);
  }

  private unreachable(n: number): OssUnavailableError {
    return new OssUnavailableError(
      `OSS answered none of the last ${n} ${this.what}; ${this.then}` +
        (this.last ? `. Last error: ${this.last.message}` : ''),
      { cause: this.last },
    );
  }
}
