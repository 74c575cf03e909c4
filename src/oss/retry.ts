/*
 * The one retry policy of the OSS client, as a table. Every request goes through it: HTTP statuses, network error
 * codes and the `kode` inside an HTTP 200 body are looked up here and nowhere else.
 */

/** What the client does with an outcome: try again later, or stop because the key was refused. */
export interface RetryRule {
  readonly action: 'retry' | 'auth';
  /** The result label counted in stats() and passed to onRequest. */
  readonly result: string;
  /** A quota signal: the whole process pauses (the rate budget holds), not only this request. */
  readonly quota?: true;
}

const retry = (result: string): RetryRule => ({ action: 'retry', result });
const auth: RetryRule = { action: 'auth', result: 'auth' };

/** HTTP status → rule. A status not listed is not retried (other 4xx: a protocol error naming the method). */
export const HTTP_STATUS_RULES: Readonly<Record<number, RetryRule>> = {
  401: auth,
  403: auth,
  429: { action: 'retry', result: 'http_429', quota: true },
  500: retry('http_500'),
  502: retry('http_502'),
  503: retry('http_503'),
  504: retry('http_504'),
};

/** `kode` inside an HTTP 200 body → rule (PIA Lampiran 9). 200 and 400 are answers, read by each method. */
export const BODY_KODE_RULES: Readonly<Record<number, RetryRule>> = {
  401: auth,
  403: auth,
  // "Akses Service Ditolak": the quota answer some gateways give instead of HTTP 429.
  405: { action: 'retry', result: 'kode_405', quota: true },
  500: retry('kode_500'),
  504: retry('kode_504'),
};

/** Network error code (Node or axios) → rule. An unlisted code (ENOTFOUND, a TLS error) is not retried. */
export const NETWORK_ERROR_RULES: Readonly<Record<string, RetryRule>> = {
  ECONNRESET: retry('econnreset'),
  ECONNABORTED: retry('timeout'),
  ETIMEDOUT: retry('timeout'),
  ECONNREFUSED: retry('econnrefused'),
  EPIPE: retry('epipe'),
  EAI_AGAIN: retry('eai_again'),
  ENETUNREACH: retry('enetunreach'),
  EHOSTUNREACH: retry('ehostunreach'),
  // axios: "stream has been aborted" (a timeout while the body streams in, nock 15 `.delay`).
  ERR_BAD_RESPONSE: retry('stream_aborted'),
};

/** Error message → rule, for errors that arrive without a code. */
export const NETWORK_MESSAGE_RULES: Readonly<Record<string, RetryRule>> = {
  'socket hang up': retry('socket_hang_up'),
  'stream has been aborted': retry('stream_aborted'),
};

/** Backoff settings; maxRetries counts retries after the first attempt. */
export interface RetryPolicy {
  readonly baseMs: number;
  readonly capMs: number;
  readonly maxRetries: number;
  /** A Retry-After longer than this ends the call (OssUnavailableError) instead of sleeping through it. */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: Omit<RetryPolicy, 'maxRetries'> = {
  baseMs: 250,
  capMs: 30_000,
  maxRetryAfterMs: 300_000,
};

/**
 * Delay before retry number `retry` (1-based): capped exponential backoff with full jitter, or the server's
 * Retry-After when that is longer.
 */
export function retryDelayMs(
  policy: RetryPolicy,
  retry: number,
  random: () => number,
  retryAfterMs: number | null,
): number {
  const backoff = Math.round(random() * Math.min(policy.capMs, policy.baseMs * 2 ** (retry - 1)));
  return Math.max(backoff, retryAfterMs ?? 0);
}

/** Parses Retry-After (delta seconds or an HTTP-date) into milliseconds from `nowMs`; null when absent or unreadable. */
export function parseRetryAfter(value: unknown, nowMs: number): number | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}
