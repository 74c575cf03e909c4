import { OssProtocolError } from '../errors.js';

/** One page of an OSS listing ordered by (timestamp, id), filtered by an inclusive `since`. */
export interface ListingPage {
  records: unknown[];
  totalData: number;
  /** The page size OSS applied (it may cap the requested one); a page is the last when it holds fewer. */
  pageSize?: number;
}

export interface ListingWalk {
  /** Fetches page `page` (1-based) of the listing filtered by `since` (inclusive; null = everything). */
  fetchPage(since: string | null, page: number): Promise<ListingPage>;
  /** The record's ordering timestamp in OSS format (string comparison = time order), null when unreadable. */
  tsOf(record: unknown): string | null;
  idOf(record: unknown): string | null;
  since: string | null;
  pageSize: number;
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
 * - A same-timestamp group larger than a page has to be read by page number. Records leaving the group meanwhile
 *   shift it, so the group is re-read until two consecutive reads hold the same ids: a read during which a record
 *   we had already read left the group differs from the next one, so the stable read was complete.
 * - Duplicates within and across pages are delivered once per timestamp.
 */
export async function* walkListing(walk: ListingWalk): AsyncGenerator<WalkBatch> {
  const maxPasses = walk.maxVerifyPasses ?? 6;
  let since = walk.since;
  let page = 1;
  let requests = 0;
  // Ids already delivered at timestamp `boundaryTs`.
  let boundaryTs: string | null = since;
  let boundaryIds = new Set<string>();
  let inGroup = false;

  const fetch = async (s: string | null, p: number) => {
    requests += 1;
    const res = await walk.fetchPage(s, p);
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

  /** Re-reads the group at `groupTs` until two reads agree; delivers members not seen before. */
  const verifyGroup = async (groupTs: string, walkedIds: Set<string>): Promise<unknown[]> => {
    const missed: unknown[] = [];
    let previous = walkedIds;
    for (let pass = 1; pass <= maxPasses; pass++) {
      const current = new Set<string>();
      for (let p = 1; ; p++) {
        const res = await fetch(groupTs, p);
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
        if (res.records.length < (res.pageSize ?? walk.pageSize) || last === undefined || walk.tsOf(last) !== groupTs) break;
      }
      if (sameSet(previous, current)) return missed;
      previous = current;
    }
    throw new OssProtocolError(
      `the listing kept changing while reading the ${previous.size} records stamped ${groupTs}; gave up after ${maxPasses} re-reads`,
    );
  };

  for (;;) {
    const res = await fetch(since, page);
    const records = res.records;
    const fresh: unknown[] = [];
    takeFresh(records, fresh);
    const last = records.at(-1);
    const lastTs = last === undefined ? null : walk.tsOf(last);
    const full = records.length >= (res.pageSize ?? walk.pageSize);
    const groupStillOpen = full && lastTs !== null && lastTs === since;

    if (inGroup && !groupStillOpen && since !== null) {
      // Leaving a same-timestamp group read by page number: make sure no member was skipped.
      const walked = new Set(boundaryTs === since ? boundaryIds : []);
      fresh.push(...(await verifyGroup(since, walked)));
      inGroup = false;
    }

    if (!full || lastTs === null) {
      yield { records: fresh, cursor: lastTs ?? since, requests, totalData: res.totalData };
      return;
    }
    if (groupStillOpen) {
      inGroup = true;
      page += 1;
      yield { records: fresh, cursor: since, requests, totalData: res.totalData };
      requests = 0;
      continue;
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

function sameSet(a: Set<string>, b: Set<string>): boolean {
  if (a.size !== b.size) return false;
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
