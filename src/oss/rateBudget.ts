/*
 * The client-side request budget shared by every stream of a process: at most `concurrency` requests in flight and
 * a token bucket of `rps` tokens per second. It is a GCRA (the scheduling form of a token bucket): each acquire
 * reserves the next free slot at once, in arrival order, and sleeps until it, so no caller polls.
 *
 * Burst defaults to 1, i.e. strict pacing one request every 1000/rps ms. OSS's quota shape is undocumented and
 * `user_key` gateways commonly count fixed or sliding windows, where a full bucket plus its refill would put up to
 * 2 × rps requests in one window; pacing keeps every 1-second window at ≤ rps whatever the server counts. With
 * `concurrency` requests in flight the pacing costs no throughput once a sync is running.
 */

export interface RateBudgetOptions {
  /** Tokens per second (OSS_RATE_LIMIT_RPS). */
  readonly rps: number;
  /** Requests in flight at once. */
  readonly concurrency: number;
  /** Tokens available after an idle spell; default 1 (see above). */
  readonly burst?: number;
  /** Monotonic clock in ms; default performance.now. */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface RateBudgetStats {
  /** Tokens handed out (every attempt, retries included). */
  readonly granted: number;
  /** Total time callers slept for a token (including quota holds). */
  readonly rateWaitMs: number;
  /** Total time callers queued for a concurrency slot. */
  readonly queueWaitMs: number;
  readonly inFlight: number;
}

export interface RateBudget {
  /** Waits for a concurrency slot, then for a token; resolves with the function that frees the slot. */
  acquire(): Promise<() => void>;
  /** Grants no token for `ms` from now: a quota answer (429, kode 405) concerns the key, not one request. */
  holdFor(ms: number): void;
  stats(): RateBudgetStats;
}

export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Creates the budget; create one per process and hand it to every client. */
export function createRateBudget(options: RateBudgetOptions): RateBudget {
  if (!(options.rps > 0)) throw new RangeError(`rate budget: rps must be > 0, got ${options.rps}`);
  if (!(Number.isInteger(options.concurrency) && options.concurrency >= 1)) {
    throw new RangeError(`rate budget: concurrency must be a whole number ≥ 1, got ${options.concurrency}`);
  }
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? realSleep;
  const intervalMs = 1000 / options.rps;
  const toleranceMs = (Math.max(1, options.burst ?? 1) - 1) * intervalMs;

  let theoreticalArrival = Number.NEGATIVE_INFINITY;
  let heldUntil = Number.NEGATIVE_INFINITY;
  let inFlight = 0;
  const waiting: Array<() => void> = [];
  let granted = 0;
  let rateWaitMs = 0;
  let queueWaitMs = 0;

  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else inFlight--;
  };

  const takeSlot = async (): Promise<void> => {
    if (inFlight < options.concurrency) {
      inFlight++;
      return;
    }
    const start = now();
    // The releasing caller hands its slot over, so inFlight stays as it is.
    await new Promise<void>((resolve) => waiting.push(resolve));
    queueWaitMs += now() - start;
  };

  return {
    async acquire() {
      await takeSlot();
      const t = now();
      const at = Math.max(t, theoreticalArrival - toleranceMs, heldUntil);
      theoreticalArrival = Math.max(theoreticalArrival, at) + intervalMs;
      granted++;
      if (at > t) {
        rateWaitMs += at - t;
        await sleep(at - t);
      }
      let released = false;
      return () => {
        if (released) return;
        released = true;
        release();
      };
    },
    holdFor(ms) {
      heldUntil = Math.max(heldUntil, now() + ms);
    },
    stats: () => ({ granted, rateWaitMs, queueWaitMs, inFlight }),
  };
}
