import { OssProtocolError } from '../errors.js';
import { UnparsedRecord } from '../oss/index.js';

/**
 * A wire record's field as a trimmed string (numbers too), or null: what the pager orders and dedupes by. An
 * UnparsedRecord answers from the fields it was scanned with.
 */
export function wireField(record: unknown, name: string): string | null {
  const fields = record instanceof UnparsedRecord ? record.fields : record;
  const v = fields && typeof fields === 'object' ? (fields as Record<string, unknown>)[name] : undefined;
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : typeof v === 'number' ? String(v) : null;
}

/** One page of an OSS listing ordered by (timestamp, id), filtered by an inclusive `since`. */
export interface ListingPage {
  records: unknown[];
  totalData: number;
  /** The page size OSS applied (it may cap the requested one); a page is the last when it holds fewer. */
  pageSize?: number;
}

export interface ListingWalk {
  /** Fetches page `page` (1-based, `pageSize` records) of the listing filtered by `since` (inclusive; null = all). */
  fetchPage(since: string | null, page: number, pageSize: number): Promise<ListingPage>;
  /** The record's ordering timestamp in OSS format (string comparison = time order), null when unreadable. */
  tsOf(record: unknown): string | null;
  idOf(record: unknown): string | null;
  since: string | null;
  pageSize: number;
  /** The largest page OSS serves (500 for the partnership feed); same-timestamp groups are read with it. */
  maxPageSize?: number;
  /** Re-reads of a same-timestamp group before giving up on a listing that keeps changing. */
  maxVerifyPasses?: number;
}

/** Records to process, and the inclusive `since` from which a resumed walk loses nothing. */
export interface WalkBatch {
  records: unknown[];
  cursor: string | null;
  requests: number;
  /** total_data of the listing as OSS reported it on the latest page. */
  totalData: number;
}

/**
 * Walks a (timestamp, id)-ordered listing without losing records when they change while we page (a changed record
 * jumps to the end and shifts later pages) or when more records share one timestamp than fit in a page.
 *
 * - Keyset restarts: after each page the walk restarts at page 1 of `since = last timestamp`, skipping the ids it
 *   already delivered at that timestamp; pages never depend on offsets of records before the cursor.
 * - A page full of one timestamp starts a same-timestamp group: it is re-read at the largest page size, because one
 *   response is atomic and most groups fit in one.
 * - A group larger than the largest page has to be read by page number. A record we already read that leaves
 *   the group (it changed, so it jumps to the end) shifts the rest one place forward, and the record crossing the
 *   page boundary is skipped. Records never rejoin an older timestamp, so a read is proven complete when every id
 *   it saw is still in the group on the next read; the group is re-read until that holds.
 * - Duplicates within and across pages are delivered once per timestamp.
 */
export async function* walkListing(walk: ListingWalk): AsyncGenerator<WalkBatch> {
  const maxPasses = walk.maxVerifyPasses ?? 25;
  const maxSize = Math.max(walk.maxPageSize ?? 500, walk.pageSize);
  let since = walk.since;
  let page = 1;
  let size = walk.pageSize;
  let requests = 0;
  // Ids already delivered at timestamp `boundaryTs`.
  let boundaryTs: string | null = since;
  let boundaryIds = new Set<string>();
  // True while a group larger than one page is being read by page number.
  let pagedGroup = false;

  const fetch = async (s: string | null, p: number, n: number) => {
    requests += 1;
    const res = await walk.fetchPage(s, p, n);
    checkOrder(res.records, s, walk);
    return res;
  };

  const takeFresh = (records: unknown[], out: unknown[]) => {
    for (const r of records) {
      const ts = walk.tsOf(r);
      const id = walk.idOf(r);
      if (ts !== null && ts === boundaryTs && id !== null) {
        if (boundaryIds.has(id)) continue;
        boundaryIds.add(id);
      }
      out.push(r);
    }
  };

  /** Re-reads a paged group at `groupTs` until a read is proven complete; returns members not delivered before. */
  const verifyGroup = async (groupTs: string, walkedIds: Set<string>): Promise<unknown[]> => {
    const missed: unknown[] = [];
    let previous = walkedIds;
    for (let pass = 1; pass <= maxPasses; pass++) {
      const current = new Set<string>();
      let pages = 0;
      for (let p = 1; ; p++) {
        const res = await fetch(groupTs, p, size);
        pages += 1;
        for (const r of res.records) {
          if (walk.tsOf(r) !== groupTs) continue;
          const id = walk.idOf(r);
          if (id === null) continue;
          current.add(id);
          if (!boundaryIds.has(id)) {
            boundaryIds.add(id);
            missed.push(r);
          }
        }
        const last = res.records.at(-1);
        if (res.records.length < (res.pageSize ?? size) || last === undefined || walk.tsOf(last) !== groupTs) break;
      }
      // A one-response read is atomic; a longer one is complete when none of the ids read before has left.
      if (pages === 1 || isSubset(previous, current)) return missed;
      previous = current;
    }
    throw new OssProtocolError(
      `the listing kept changing while reading the ${previous.size} records stamped ${groupTs}; gave up after ${maxPasses} re-reads`,
    );
  };

  for (;;) {
    const res = await fetch(since, page, size);
    const records = res.records;
    const fresh: unknown[] = [];
    takeFresh(records, fresh);
    const last = records.at(-1);
    const lastTs = last === undefined ? null : walk.tsOf(last);
    const full = records.length >= (res.pageSize ?? size);
    const groupOpen = full && since !== null && lastTs === since;

    if (groupOpen) {
      if (page === 1 && size < maxSize) {
        // A page full of one timestamp: read the group again in the largest page, most likely in one response.
        size = maxSize;
      } else {
        pagedGroup = true;
        page += 1;
      }
      yield { records: fresh, cursor: since, requests, totalData: res.totalData };
      requests = 0;
      continue;
    }
    if (pagedGroup && since !== null) {
      fresh.push(...(await verifyGroup(since, new Set(boundaryTs === since ? boundaryIds : []))));
      pagedGroup = false;
    }
    size = walk.pageSize;
    if (!full || lastTs === null) {
      yield { records: fresh, cursor: lastTs ?? since, requests, totalData: res.totalData };
      return;
    }
    // Restart at the last timestamp: everything before it is delivered.
    if (lastTs !== boundaryTs) {
      boundaryIds = new Set();
      for (const r of records) {
        const id = walk.idOf(r);
        if (walk.tsOf(r) === lastTs && id !== null) boundaryIds.add(id);
      }
      boundaryTs = lastTs;
    }
    since = lastTs;
    page = 1;
    yield { records: fresh, cursor: since, requests, totalData: res.totalData };
    requests = 0;
  }
}

function isSubset(a: Set<string>, b: Set<string>): boolean {
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

/** OSS promises (timestamp, id) order and `since` inclusive; a page that breaks it would make the walk lose data. */
function checkOrder(records: unknown[], since: string | null, walk: ListingWalk): void {
  let prev: string | null = null;
  for (const r of records) {
    const ts = walk.tsOf(r);
    if (ts === null) continue;
    if (since !== null && ts < since) {
      throw new OssProtocolError(`listing returned a record stamped ${ts} before the requested start ${since}`);
    }
    if (prev !== null && ts < prev) {
      throw new OssProtocolError(`listing is not ordered by its timestamp (${ts} after ${prev})`);
    }
    prev = ts;
  }
}
