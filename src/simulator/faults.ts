/** Fault knobs of the simulator and the per-key request quota. */

export interface SimulatorFaults {
  /** Added before every answer, in milliseconds. */
  latencyMs: number;
  /** Extra random latency, uniform in [0, latencyJitterMs). */
  latencyJitterMs: number;
  /** Share of requests answered HTTP 500, 502 or 503 (retryable). */
  errorRate: number;
  /** Share of requests answered HTTP 504 with body kode 504. */
  timeoutRate: number;
  /** Share of requests answered HTTP 200 with body kode 500 "Proses Payload Data Di Sistem OSS Gagal". */
  bodyErrorRate: number;
  /** Share of requests never answered (the client must time out). */
  hangRate: number;
  /** Share of requests whose socket is destroyed without an answer. */
  resetRate: number;
  /** Token bucket per user_key: past it, HTTP 429 with Retry-After. null: unlimited. */
  quota: { rps: number; burst: number } | null;
  /** Real-payload quirks: numbers as numbers, "tipe_dokumen " key, misspelled wrapper, kode "200", extra fields. */
  quirks: boolean;
  /** listKemitraan paging drift: every page after the first moves this many records to a new tgl_perubahan. */
  drift: { movesPerPage: number } | null;
}

export const DEFAULT_FAULTS: Readonly<SimulatorFaults> = Object.freeze({
  latencyMs: 0,
  latencyJitterMs: 0,
  errorRate: 0,
  timeoutRate: 0,
  bodyErrorRate: 0,
  hangRate: 0,
  resetRate: 0,
  quota: { rps: 10, burst: 20 },
  quirks: false,
  drift: null,
});

const RATE_KEYS = ['errorRate', 'timeoutRate', 'bodyErrorRate', 'hangRate', 'resetRate'] as const;

/** Merges a partial fault setting into the current one, checking ranges. */
export function mergeFaults(current: SimulatorFaults, partial: Partial<SimulatorFaults>): SimulatorFaults {
  const next: SimulatorFaults = { ...current, ...partial };
  for (const k of RATE_KEYS) {
    const v = next[k];
    if (!Number.isFinite(v) || v < 0 || v > 1)
      throw new RangeError(`simulator faults: ${k} must be within 0..1, got ${v}`);
  }
  if (RATE_KEYS.reduce((s, k) => s + next[k], 0) > 1)
    throw new RangeError('simulator faults: the fault rates add up to more than 1');
  for (const k of ['latencyMs', 'latencyJitterMs'] as const) {
    if (!Number.isFinite(next[k]) || next[k] < 0) throw new RangeError(`simulator faults: ${k} must be >= 0`);
  }
  if (next.quota !== null && (!(next.quota.rps > 0) || !(next.quota.burst >= 1))) {
    throw new RangeError('simulator faults: quota needs rps > 0 and burst >= 1 (or null for unlimited)');
  }
  if (next.drift !== null && (!Number.isInteger(next.drift.movesPerPage) || next.drift.movesPerPage < 0)) {
    throw new RangeError('simulator faults: drift.movesPerPage must be a whole number >= 0');
  }
  return next;
}

/** Token buckets keyed by user_key. */
export class QuotaBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly now: () => number;

  constructor(now: () => number = () => performance.now()) {
    this.now = now;
  }

  /** Takes a token; returns 0 when allowed, else the seconds to wait (for Retry-After, at least 1). */
  take(key: string, quota: { rps: number; burst: number }): number {
    const t = this.now();
    const b = this.buckets.get(key) ?? { tokens: quota.burst, at: t };
    b.tokens = Math.min(quota.burst, b.tokens + ((t - b.at) / 1000) * quota.rps);
    b.at = t;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / quota.rps));
  }

  reset(): void {
    this.buckets.clear();
  }
}
