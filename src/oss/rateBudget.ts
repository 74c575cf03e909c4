/*
 * The client-side request budget shared by every stream of a process: at most `concurrency` requests in flight and
 * a paced rate of requests per second. Pacing is a GCRA (the scheduling form of a token bucket): each acquire
 * reserves the next free slot at once, in arrival order, and sleeps until it, so no caller polls.
 *
 * Burst defaults to 1, i.e. strict pacing one request every 1000/rate ms. OSS's quota shape is undocumented and
 * `user_key` gateways commonly count fixed or sliding windows, where a full bucket plus its refill would put up to
 * 2 × rate requests in one window; pacing keeps every 1-second window at ≤ rate whatever the server counts. With
 * `concurrency` requests in flight the pacing costs no throughput once a sync is running.
 *
 * The rate adapts to the quota OSS really grants. A quota answer (429, kode 405) holds every request of the process
 * for the server's Retry-After and lowers the rate to just under the rate OSS answered at over the last 2 s, by 5 %
 * at least and by half at most; with too few answers to tell, it halves. While answers are fine the rate recovers
 * fast to just under the middle between the rate OSS answered at and the one it refused, then grows slowly
 * (additively) up to the configured `rps`, probing whether OSS grants more. A budget set above the quota so settles
 * just under it instead of spending most requests on 429s. Only a quota answer to a request granted after the last
 * slowdown slows the budget again: requests already in flight when it slowed were sent at the old rate and say
 * nothing new.
 */

export interface RateBudgetOptions {
  /** The highest rate, in requests per second (OSS_RATE_LIMIT_RPS). */
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
  /** Time callers slept for a token, summed over callers (including quota holds). */
  readonly rateWaitMs: number;
  /** Wall time during which at least one caller slept for a token (the union of the waits), up to now. */
  readonly rateWaitWallMs: number;
  /** Total time callers queued for a concurrency slot. */
  readonly queueWaitMs: number;
  readonly inFlight: number;
  /** The rate the budget paces at now: `rps`, or less after quota answers. */
  readonly currentRps: number;
  /** Quota answers that lowered the rate. */
  readonly slowdowns: number;
}

/** One granted request. Call `release` once it is answered, and tell the budget what the answer was. */
export interface RatePermit {
  /** Frees the concurrency slot; calling it again does nothing. */
  release(): void;
  /**
   * The answer was a quota refusal: no request of the process gets a token for `holdMs` from now, and the rate
   * is halved unless an earlier answer already lowered it since this request was granted. Returns the new rate
   * when it was lowered, else null.
   */
  quotaExceeded(holdMs: number): number | null;
  /** The request was answered (not refused for the quota): the rate recovers a step toward `rps`. */
  answered(): void;
}

export interface RateBudget {
  /** Waits for a concurrency slot, then for a token. */
  acquire(): Promise<RatePermit>;
  stats(): RateBudgetStats;
}

/** The least share of the rate kept after a quota answer. */
const SLOWDOWN = 0.5;
/** The margin under a rate OSS answered at (observed) or refused, and the most share kept after a quota answer. */
const MARGIN = 0.95;
/**
 * The window over which the answered rate is observed, in ms, and the fewest answers in it to trust. It is longer
 * than a quota hold: a server with a burst answers a flurry after each hold, and only such a window sees the rate
 * it grants on average.
 */
const OBSERVE_MS = 2000;
const MIN_OBSERVED = 3;
/** Below the recovery target, the share of the gap to it regained per second of answers. */
const RECOVERY_PER_SECOND = 1;
/** Past its recovery target, the rate grows by this share of the refused rate per second of answers. */
const PROBE_PER_SECOND = 0.0025;
/** A caller woken later than this share of the interval restarts the schedule from its own grant. */
const LATE_SHARE = 0.05;
/** The rate never drops below this (or the configured rate, when lower): one request every 2 s. */
const MIN_RPS = 0.5;

export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Creates the budget; create one per process and hand it to every client. */
export function createRateBudget(options: RateBudgetOptions): RateBudget {
  if (!(options.rps > 0)) throw new RangeError(`rate budget: rps must be > 0, got ${options.rps}`);
  if (!(Number.isInteger(options.concurrency) && options.concurrency >= 1)) {
    throw new RangeError(`rate budget: concurrency must be a whole number ≥ 1, got ${options.concurrency}`);
  }
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? realSleep;
  const maxRps = options.rps;
  const minRps = Math.min(maxRps, MIN_RPS);
  const burst = Math.max(1, options.burst ?? 1);

  let rps = maxRps;
  /** The rate at which OSS last answered with its quota. */
  let refusedRps = maxRps;
  /** The rate regained fast after a slowdown; past it the rate only probes. */
  let recoverTo = maxRps;
  /** When answers arrived; those before `oldest` are dropped. */
  const answeredAt: number[] = [];
  let oldest = 0;
  /** Bumped when the rate is lowered; a permit remembers the epoch it was granted in. */
  let epoch = 0;
  /** Bumped on every quota answer: a caller sleeping for a slot reserved before it reserves again. */
  let schedule = 0;
  let theoreticalArrival = Number.NEGATIVE_INFINITY;
  let heldUntil = Number.NEGATIVE_INFINITY;
  let inFlight = 0;
  const waiting: Array<() => void> = [];
  let granted = 0;
  let slowdowns = 0;
  let rateWaitMs = 0;
  let queueWaitMs = 0;
  let sleepers = 0;
  let sleepingSince = 0;
  let rateWaitWallMs = 0;

  const intervalMs = () => 1000 / rps;

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

  /** Reserves the next free slot from `t` on; returns its time. */
  const reserve = (t: number): number => {
    const at = Math.max(t, theoreticalArrival - (burst - 1) * intervalMs(), heldUntil);
    theoreticalArrival = Math.max(theoreticalArrival, at) + intervalMs();
    return at;
  };

  /** Drops answers too old to observe. */
  const dropOldAnswers = (t: number): void => {
    while (oldest < answeredAt.length && answeredAt[oldest]! <= t - 2 * OBSERVE_MS) oldest++;
    if (oldest > 1024 && oldest * 2 > answeredAt.length) {
      answeredAt.splice(0, oldest);
      oldest = 0;
    }
  };

  /** Answers that arrived within OBSERVE_MS up to the latest one. */
  const recentAnswers = (t: number): number => {
    dropOldAnswers(t);
    const latest = answeredAt.at(-1);
    let first = oldest;
    while (latest !== undefined && first < answeredAt.length && answeredAt[first]! <= latest - OBSERVE_MS) first++;
    return answeredAt.length - first;
  };

  const sleepForToken = async (ms: number): Promise<void> => {
    if (sleepers++ === 0) sleepingSince = now();
    try {
      await sleep(ms);
    } finally {
      if (--sleepers === 0) rateWaitWallMs += now() - sleepingSince;
    }
  };

  const permit = (grantedInEpoch: number): RatePermit => {
    let released = false;
    return {
      release() {
        if (released) return;
        released = true;
        release();
      },
      quotaExceeded(holdMs) {
        const t = now();
        heldUntil = Math.max(heldUntil, t + Math.max(0, holdMs));
        let lowered: number | null = null;
        if (grantedInEpoch === epoch) {
          const n = recentAnswers(t);
          // Fewer than MIN_OBSERVED answers say nothing, and the rate halves.
          const answering = n >= MIN_OBSERVED ? (n * 1000) / OBSERVE_MS : null;
          refusedRps = rps;
          const lower = Math.min(answering ?? refusedRps, refusedRps);
          rps = Math.max(
            minRps,
            Math.min(MARGIN * refusedRps, Math.max(SLOWDOWN * refusedRps, MARGIN * (answering ?? 0))),
          );
          // OSS's quota lies between the rate it answered and the one it refused: recover to just under the middle
          // (after a blind halving, to just under the refused rate, to find out).
          recoverTo = Math.max(rps, (MARGIN * (lower + refusedRps)) / 2);
          epoch++;
          slowdowns++;
          lowered = rps;
        }
        // Slots reserved so far were paced for a rate OSS refused: the schedule restarts after the hold.
        theoreticalArrival = Math.max(heldUntil, t + intervalMs());
        schedule++;
        return lowered;
      },
      answered() {
        const t = now();
        answeredAt.push(t);
        dropOldAnswers(t);
        if (rps >= maxRps) return;
        // Steps are per answer, divided by the rate, so that a second of answers gains the per-second amount.
        const fast = rps < recoverTo ? Math.min(recoverTo, rps + (RECOVERY_PER_SECOND * (recoverTo - rps)) / rps) : rps;
        rps = Math.min(maxRps, Math.max(fast, rps + (PROBE_PER_SECOND * refusedRps) / rps));
      },
    };
  };

  return {
    async acquire() {
      await takeSlot();
      const start = now();
      for (;;) {
        const t = now();
        const at = reserve(t);
        if (at <= t) break;
        const reservedIn = schedule;
        await sleepForToken(at - t);
        if (reservedIn !== schedule) continue;
        const late = now() - at;
        // A busy event loop woke this caller late: the next ones, reserved on time, would follow it too closely.
        if (late > LATE_SHARE * intervalMs()) {
          theoreticalArrival = now() + intervalMs();
          schedule++;
        }
        break;
      }
      rateWaitMs += now() - start;
      granted++;
      return permit(epoch);
    },
    stats: () => ({
      granted,
      rateWaitMs,
      rateWaitWallMs: rateWaitWallMs + (sleepers > 0 ? now() - sleepingSince : 0),
      queueWaitMs,
      inFlight,
      currentRps: rps,
      slowdowns,
    }),
  };
}
