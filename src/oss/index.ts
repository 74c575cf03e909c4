/*
 * The OSS client's public surface. Errors a caller sees (from src/errors.ts):
 * - OssAuthError: the user_key was refused (HTTP or kode 401/403); stop the run, nothing was retried.
 * - OssUnavailableError: retries exhausted (5xx, kode 500/504, timeouts, 429), an unreachable host, or a
 *   Retry-After too long to wait; end the run as partial and resume later.
 * - OssProtocolError: the answer is not the contract (malformed envelope or page, other 4xx, unexpected kode);
 *   OssMethodMissingError (a subclass) when OSS does not offer the method at all.
 */
export {
  adaptFeed,
  DEFAULT_FEED_MAPPING,
  type FeedAdapter,
  type FeedMap,
  type FeedMapping,
  type FeedName,
  loadFeedMapping,
  resolveFeedMapping,
} from './adapter.js';
export {
  createOssClient,
  type OssClient,
  type OssClientOptions,
  type OssClientStats,
  ossStatsSince,
} from './client.js';
export { type ListKemitraanQuery, type ListNibQuery, type OssLookup, type OssPage, UnparsedRecord } from './methods.js';
export {
  createRateBudget,
  type RateBudget,
  type RateBudgetOptions,
  type RateBudgetStats,
  type RatePermit,
} from './rateBudget.js';
export {
  BODY_KODE_RULES,
  DEFAULT_RETRY_POLICY,
  HTTP_STATUS_RULES,
  NETWORK_ERROR_RULES,
  NETWORK_MESSAGE_RULES,
  type RetryPolicy,
  type RetryRule,
} from './retry.js';
export { type OssMethod, OssMethodMissingError, type OssRequestEvent } from './transport.js';
