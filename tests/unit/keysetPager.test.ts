import { describe, expect, it } from 'vitest';
import { OssProtocolError } from '../../src/errors.js';
import { type ListingWalk, walkListing } from '../../src/sync/keysetPager.js';

interface Rec {
  id: string;
  ts: string;
}

/** An in-memory OSS listing ordered by (ts, id) with an inclusive since filter and page numbers. */
class FakeListing {
  records: Rec[];
  requests = 0;
  private clock = 0;
  constructor(records: Rec[]) {
    this.records = records;
  }
  sorted(since: string | null): Rec[] {
    return this.records
      .filter((r) => since === null || r.ts >= since)
      .sort((a, b) => (a.ts === b.ts ? (a.id < b.id ? -1 : 1) : a.ts < b.ts ? -1 : 1));
  }
  page(since: string | null, page: number, size: number): Rec[] {
    this.requests += 1;
    return this.sorted(since).slice((page - 1) * size, page * size);
  }
  /** A record changes in OSS: it takes a new, later timestamp and jumps to the end of the order. */
  touch(id: string): void {
    const r = this.records.find((x) => x.id === id);
    if (!r) return;
    this.clock += 1;
    r.ts = `2025-01-01 00:00:${String(this.clock).padStart(2, '0')}`;
  }
}

const ts = (i: number) =>
  `2024-06-01 10:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`;

function walkOf(
  listing: FakeListing,
  size: number,
  since: string | null = null,
  beforePage?: (s: string | null, p: number) => void,
  maxPageSize = 500,
): ListingWalk {
  return {
    since,
    pageSize: size,
    maxPageSize,
    fetchPage: async (s, p, n) => {
      beforePage?.(s, p);
      const records = listing.page(s, p, n);
      return { records, totalData: listing.sorted(s).length };
    },
    tsOf: (r) => (r as Rec).ts,
    idOf: (r) => (r as Rec).id,
  };
}

async function collect(walk: ListingWalk): Promise<{ ids: string[]; cursors: Array<string | null> }> {
  const ids: string[] = [];
  const cursors: Array<string | null> = [];
  for await (const b of walkListing(walk)) {
    ids.push(...b.records.map((r) => (r as Rec).id));
    cursors.push(b.cursor);
  }
  return { ids, cursors };
}

const distinctTimestamps = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: `K-${String(i).padStart(5, '0')}`, ts: ts(i) }));
/** `group` records share one timestamp (an OSS batch update), between `before` and `after` others. */
const withGroup = (before: number, group: number, after: number): Rec[] => [
  ...Array.from({ length: before }, (_, i) => ({ id: `A-${String(i).padStart(5, '0')}`, ts: ts(i) })),
  ...Array.from({ length: group }, (_, i) => ({ id: `G-${String(i).padStart(5, '0')}`, ts: '2024-06-01 12:00:00' })),
  ...Array.from({ length: after }, (_, i) => ({
    id: `Z-${String(i).padStart(5, '0')}`,
    ts: `2024-06-01 13:${String(i % 60).padStart(2, '0')}:${String(Math.floor(i / 60)).padStart(2, '0')}`,
  })),
];

describe('walkListing', () => {
  it('delivers every record exactly once from a listing of distinct timestamps', async () => {
    const listing = new FakeListing(distinctTimestamps(1050));
    const { ids } = await collect(walkOf(listing, 100));
    expect(ids).toHaveLength(1050);
    expect(new Set(ids).size).toBe(1050);
  });

  it.each([500, 100])(
    'reads a same-timestamp group three pages long without losing or repeating a record (largest page %i)',
    async (max) => {
      const listing = new FakeListing(withGroup(130, 350, 120));
      const { ids } = await collect(walkOf(listing, 100, null, undefined, max));
      expect(new Set(ids).size).toBe(600);
      expect(ids).toHaveLength(600);
    },
  );

  it('reads a group that fits the largest page in one atomic response, whatever moves meanwhile', async () => {
    const listing = new FakeListing(withGroup(50, 450, 80));
    const original = listing.records.map((r) => r.id);
    let n = 0;
    const drift = (_s: string | null, p: number) => {
      if (p >= 2 && n < 20) listing.touch(`G-${String(n++).padStart(5, '0')}`);
    };
    const { ids } = await collect(walkOf(listing, 100, null, drift));
    const got = new Set(ids);
    expect(original.filter((id) => !got.has(id))).toEqual([]);
  });

  it('loses nothing when members of a group larger than the largest page change while it is paged (drift)', async () => {
    const listing = new FakeListing(withGroup(50, 450, 80));
    const original = listing.records.map((r) => r.id);
    let moved = 0;
    // Before each later page of the group, two members we already read change and jump to the end.
    const drift = (s: string | null, p: number) => {
      if (s === '2024-06-01 12:00:00' && p >= 2 && moved < 8) {
        for (const id of [`G-${String(moved * 3).padStart(5, '0')}`, `G-${String(moved * 3 + 1).padStart(5, '0')}`])
          listing.touch(id);
        moved += 1;
      }
    };
    const { ids } = await collect(walkOf(listing, 100, null, drift, 100));
    const got = new Set(ids);
    expect(original.filter((id) => !got.has(id))).toEqual([]);
  });

  it('is a real hazard: a plain page-number walk loses records under the same drift', async () => {
    const listing = new FakeListing(withGroup(50, 450, 80));
    const original = listing.records.map((r) => r.id);
    let moved = 0;
    const seen = new Set<string>();
    for (let p = 1; ; p++) {
      if (p >= 2 && moved < 8) {
        listing.touch(`G-${String(moved * 3).padStart(5, '0')}`);
        listing.touch(`G-${String(moved * 3 + 1).padStart(5, '0')}`);
        moved += 1;
      }
      const page = listing.page(null, p, 100);
      for (const r of page) seen.add(r.id);
      if (page.length < 100) break;
    }
    expect(original.filter((id) => !seen.has(id)).length).toBeGreaterThan(0);
  });

  it('resumes from any committed cursor and still covers every record', async () => {
    const records = withGroup(230, 260, 310);
    const all = new Set(records.map((r) => r.id));
    const cursors = (await collect(walkOf(new FakeListing(structuredClone(records)), 100))).cursors;
    for (const cursor of cursors) {
      // A crash after this batch: the next run starts at the committed cursor (inclusive).
      const before = new Set<string>();
      for await (const b of walkListing(walkOf(new FakeListing(structuredClone(records)), 100))) {
        for (const r of b.records) before.add((r as Rec).id);
        if (b.cursor === cursor) break;
      }
      const after = await collect(walkOf(new FakeListing(structuredClone(records)), 100, cursor));
      const union = new Set([...before, ...after.ids]);
      expect(union.size).toBe(all.size);
    }
  });

  it('refuses a listing that is not in timestamp order', async () => {
    const walk: ListingWalk = {
      since: null,
      pageSize: 10,
      fetchPage: async (_s, _p, _n) => ({
        records: [
          { id: 'b', ts: '2024-06-02 00:00:00' },
          { id: 'a', ts: '2024-06-01 00:00:00' },
        ],
        totalData: 2,
      }),
      tsOf: (r) => (r as Rec).ts,
      idOf: (r) => (r as Rec).id,
    };
    await expect(collect(walk)).rejects.toThrow(OssProtocolError);
    await expect(collect(walk)).rejects.toThrow(/not ordered/);
  });

  it('gives up with a clear error when a group never stops changing', async () => {
    const listing = new FakeListing(withGroup(0, 250, 10));
    let n = 0;
    const drift = (s: string | null, p: number) => {
      if (s === '2024-06-01 12:00:00' && p === 1) listing.touch(`G-${String(n++).padStart(5, '0')}`);
    };
    await expect(collect({ ...walkOf(listing, 100, null, drift, 100), maxVerifyPasses: 3 })).rejects.toThrow(
      /kept changing/,
    );
  });
});
