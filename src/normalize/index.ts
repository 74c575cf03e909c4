/*
 * normalize/: pure functions from OSS wire payloads to the normalized records of domain/records.ts.
 * No IO, no logger, no env, no clock; never throws on bad data; never drops a field (a value it cannot normalize is
 * kept as received so validate/ can report it).
 */
/**
 * Bump when a change to normalize/ or validate/ would store the same wire record differently: re-syncs then
 * normalize every record again instead of skipping the ones whose wire text they already stored.
 */
export const NORMALIZATION_VERSION = 1;

export { normalizeBusiness } from './business.js';
export type { NormalizeContext } from './context.js';
export {
  canonicalDecimal,
  dateFromOssId,
  emptyToNull,
  formatNumber,
  idOrCode,
  isCalendarDate,
  isPlaceholder,
  isWireObject,
  kecamatanOf,
  normalizeKbli,
  normalizeRegionCode,
  parseDate,
  parseDecimal,
  parseInteger,
  parseLatLng,
  parseWibDateTime,
  parseWibInstant,
  readList,
  readObject,
  type WireObject,
} from './fields.js';
export {
  cleanIdentity,
  hashIdentity,
  hmacHex,
  maskDigitsInside,
  maskIdentity,
  mayHoldNik,
  type NpwpFacts,
  type NpwpHolder,
  nikFacts,
  normalizeNpwp,
} from './identity.js';
export { normalizeLicenceStatus, normalizeListedNib } from './licence.js';
export { normalizePartnership } from './partnership.js';
export { redactRaw } from './redact.js';
