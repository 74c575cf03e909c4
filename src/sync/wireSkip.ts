/*
 * Skipping unchanged records before they are parsed: a listed record that arrives unparsed (oss UnparsedRecord) is
 * hashed as text; when its stored entity was last stored from the same text (wire_hashes), the record is unchanged
 * and costs neither a parse, nor normalization, nor validation. Every other record takes the full path, and the
 * ones stored from a text get that text's hash recorded for the next run.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { Partnership, Rejection, Validated } from '../domain/records.js';
import { NORMALIZATION_VERSION } from '../normalize/index.js';
import { UnparsedRecord } from '../oss/index.js';
import type { QuarantineLocation } from '../store/quarantine.js';
import type { TableSpec } from '../store/tables.js';
import { liveWireHashes } from '../store/wireHashes.js';
import { validatePartnerships } from '../validate/index.js';

/** A listed record waiting for its batch: as listed (maybe unparsed), and the request it came from. */
export interface Listed {
  record: unknown;
  at: QuarantineLocation;
}

/**
 * What a wire hash is seeded with: the normalizer's version and the NIK key (another key stores another NIK hash
 * from the same text). The key itself is only hashed in.
 */
export function wireSeed(entityType: string, piiKey: string): string {
  return createHash('sha1').update(`${entityType}\0${NORMALIZATION_VERSION}\0${piiKey}`).digest('hex');
}

function wireHash(seed: string, record: UnparsedRecord): string {
  return createHash('sha1').update(seed).update(record.feedFingerprint).update(record.text).digest('hex');
}

export interface Sorted {
  /** Ids of the records whose stored entity was stored from the same text. */
  unchanged: string[];
  /** The rest, in order, each with its text's hash when it came unparsed. */
  rest: Array<Listed & { hash: string | null }>;
}

/**
 * Sorts a batch into records unchanged since they were stored and the rest. Only a record whose id occurs once in
 * the batch is skipped: where an id repeats, the last occurrence must win in the store, as it does without skipping.
 */
export async function skipUnchanged<T>(
  db: Knex | Knex.Transaction,
  spec: TableSpec<T>,
  items: readonly Listed[],
  seed: string,
  idOf: (record: unknown) => string | null,
): Promise<Sorted> {
  const ids = items.map((i) => idOf(i.record));
  const occurrences = new Map<string, number>();
  for (const id of ids) if (id !== null) occurrences.set(id, (occurrences.get(id) ?? 0) + 1);
  const hashes = items.map((i) => (i.record instanceof UnparsedRecord ? wireHash(seed, i.record) : null));
  const candidates = ids.flatMap((id, n) =>
    id !== null && hashes[n] !== null && occurrences.get(id) === 1 ? [id] : [],
  );
  const stored = await liveWireHashes(db, spec, candidates);
  const out: Sorted = { unchanged: [], rest: [] };
  items.forEach((item, n) => {
    const id = ids[n] as string | null;
    const hash = hashes[n] as string | null;
    if (id !== null && hash !== null && occurrences.get(id) === 1 && stored.get(id) === hash) out.unchanged.push(id);
    else out.rest.push({ ...item, hash });
  });
  return out;
}

export interface ValidatedListed extends Validated<Partnership> {
  /** The request each rejection came from, by index. */
  rejectedAt: QuarantineLocation[];
  /** id → wire hash of the valid records that came as text (the last valid occurrence of an id wins). */
  wireHashes: Map<string, string>;
}

/** Parses and validates the records that were not skipped, keeping where each came from and its text's hash. */
export function validateListed(rest: Sorted['rest'], piiKey: string): ValidatedListed {
  const out: ValidatedListed = { valid: [], rejected: [], rejectedAt: [], wireHashes: new Map() };
  for (const item of rest) {
    const wire = item.record instanceof UnparsedRecord ? item.record.parse() : item.record;
    const checked = validatePartnerships([wire], { piiKey });
    for (const v of checked.valid) {
      out.valid.push(v);
      if (item.hash === null) out.wireHashes.delete(v.record.id_kemitraan);
      else out.wireHashes.set(v.record.id_kemitraan, item.hash);
    }
    for (const r of checked.rejected as Rejection[]) {
      out.rejected.push(r);
      out.rejectedAt.push(item.at);
    }
  }
  return out;
}
