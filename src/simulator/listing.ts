/*
 * An ordered listing of records that is mostly generated lazily from an index, plus a small sorted overlay.
 *
 * The base sequence is pure: record i is built from (seed, i) on demand and its order key (primary number, id) is
 * monotone in i, so index order is listing order. Records that change (mutations, paging drift) or that are built
 * explicitly (planted cases, story records) live in the overlay, sorted by the same key; a changed base record is
 * marked absent in a Fenwick tree so that "the k-th record from a key" stays O(log n) even for a million records.
 */

/** The lazily generated part: keys monotone in the index. */
export interface BaseSequence<T> {
  readonly length: number;
  /** Primary order value (epoch second for partnerships, WIB day for NIBs). Non-decreasing in i. */
  primary(i: number): number;
  /** Tie-breaker; strictly increasing in i among equal primaries. */
  id(i: number): string;
  build(i: number): T;
}

export interface OverlayEntry<T> {
  primary: number;
  id: string;
  /** Region codes the listing filter matches with startsWith (any of them). */
  regions: readonly string[];
  value: T;
}

/** Where a listed record comes from. */
export type ListingRef<T> = { kind: 'base'; index: number } | { kind: 'overlay'; entry: OverlayEntry<T> };

function compareKey(aPrimary: number, aId: string, bPrimary: number, bId: string): number {
  if (aPrimary !== bPrimary) return aPrimary < bPrimary ? -1 : 1;
  return aId < bId ? -1 : aId > bId ? 1 : 0;
}

/** Fenwick tree over 0/1 presence flags, initialised to all present. */
class PresenceTree {
  private readonly tree: Int32Array;
  readonly flags: Uint8Array;
  readonly size: number;
  private highBit: number;

  constructor(size: number) {
    this.size = size;
    this.tree = new Int32Array(size + 1);
    this.flags = new Uint8Array(size).fill(1);
    for (let i = 1; i <= size; i++) this.tree[i] = i & -i;
    this.highBit = 1;
    while (this.highBit * 2 <= size) this.highBit *= 2;
  }

  /** Number of present flags among the first `count` positions. */
  prefix(count: number): number {
    let sum = 0;
    for (let i = count; i > 0; i -= i & -i) sum += this.tree[i] ?? 0;
    return sum;
  }

  remove(pos: number): boolean {
    if (pos < 0 || pos >= this.size || this.flags[pos] === 0) return false;
    this.flags[pos] = 0;
    for (let i = pos + 1; i <= this.size; i += i & -i) this.tree[i] = (this.tree[i] ?? 0) - 1;
    return true;
  }

  /** Position (0-based) of the k-th present flag (k is 1-based), or size when there are fewer. */
  kth(k: number): number {
    let pos = 0;
    let rest = k;
    for (let step = this.highBit; step > 0; step >>= 1) {
      const next = pos + step;
      if (next <= this.size && (this.tree[next] ?? 0) < rest) {
        pos = next;
        rest -= this.tree[next] ?? 0;
      }
    }
    return pos;
  }
}

/** A listing filtered by region prefix and a lower bound on the primary key, read by offset. */
export class MergedListing<T> {
  private readonly base: BaseSequence<T>;
  private readonly baseRegion: string;
  private readonly presence: PresenceTree;
  private overlay: OverlayEntry<T>[] = [];
  private readonly overlayById = new Map<string, OverlayEntry<T>>();
  private version = 0;
  private readonly filterCache = new Map<string, { version: number; entries: OverlayEntry<T>[] }>();

  /** baseRegion: the region code every base record is in (a filter prefix matches it when it starts with it). */
  constructor(base: BaseSequence<T>, baseRegion: string) {
    this.base = base;
    this.baseRegion = baseRegion;
    this.presence = new PresenceTree(base.length);
  }

  /** Changes whenever the listing changes (a record moved, was added or withdrawn). */
  get changeVersion(): number {
    return this.version;
  }

  get baseLength(): number {
    return this.base.length;
  }

  isBasePresent(i: number): boolean {
    return i >= 0 && i < this.base.length && this.presence.flags[i] === 1;
  }

  /** Marks a base record absent (moved to the overlay or withdrawn). */
  removeBase(i: number): boolean {
    const removed = this.presence.remove(i);
    if (removed) this.version++;
    return removed;
  }

  buildBase(i: number): T {
    return this.base.build(i);
  }

  baseId(i: number): string {
    return this.base.id(i);
  }

  getOverlay(id: string): OverlayEntry<T> | undefined {
    return this.overlayById.get(id);
  }

  overlayEntries(): readonly OverlayEntry<T>[] {
    return this.overlay;
  }

  /** Inserts or repositions an overlay entry (by id). */
  upsertOverlay(entry: OverlayEntry<T>): void {
    this.removeOverlay(entry.id);
    const at = this.overlayLowerBound(this.overlay, entry.primary, entry.id);
    this.overlay.splice(at, 0, entry);
    this.overlayById.set(entry.id, entry);
    this.version++;
  }

  removeOverlay(id: string): boolean {
    const existing = this.overlayById.get(id);
    if (!existing) return false;
    const at = this.overlayLowerBound(this.overlay, existing.primary, existing.id);
    if (this.overlay[at] === existing) this.overlay.splice(at, 1);
    else this.overlay = this.overlay.filter((e) => e !== existing);
    this.overlayById.delete(id);
    this.version++;
    return true;
  }

  /** Number of records matching the filter. */
  count(prefix: string, sincePrimary: number | null): number {
    const entries = this.filtered(prefix);
    const e0 = sincePrimary === null ? 0 : this.overlayLowerBound(entries, sincePrimary, '');
    let total = entries.length - e0;
    if (this.includesBase(prefix)) {
      const a0 = sincePrimary === null ? 0 : this.baseLowerBound(sincePrimary, '');
      total += this.presence.prefix(this.base.length) - this.presence.prefix(a0);
    }
    return total;
  }

  /** The records at [offset, offset + limit) of the filtered listing, in order. */
  page(prefix: string, sincePrimary: number | null, offset: number, limit: number): ListingRef<T>[] {
    const entries = this.filtered(prefix);
    const e0 = sincePrimary === null ? 0 : this.overlayLowerBound(entries, sincePrimary, '');
    const out: ListingRef<T>[] = [];
    if (!this.includesBase(prefix)) {
      for (let m = e0 + offset; m < entries.length && out.length < limit; m++) {
        out.push({ kind: 'overlay', entry: entries[m] as OverlayEntry<T> });
      }
      return out;
    }
    const n = this.base.length;
    const a0 = sincePrimary === null ? 0 : this.baseLowerBound(sincePrimary, '');
    const presentBefore = this.presence.prefix(a0);
    // Present base records from a0 with a key below the given key.
    const baseRank = (primary: number, id: string) =>
      this.presence.prefix(Math.max(a0, this.baseLowerBound(primary, id))) - presentBefore;
    // m0: overlay entries (from e0) that sit before `offset` in the merged order.
    let lo = 0;
    let hi = entries.length - e0;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const e = entries[e0 + mid] as OverlayEntry<T>;
      if (mid + baseRank(e.primary, e.id) >= offset) hi = mid;
      else lo = mid + 1;
    }
    let m = e0 + lo;
    const baseOrdinal = offset - lo;
    let b = this.presence.kth(presentBefore + baseOrdinal + 1);
    while (out.length < limit) {
      const e = entries[m];
      const hasBase = b < n;
      if (!hasBase && !e) break;
      if (hasBase && (!e || this.baseBefore(b, e))) {
        out.push({ kind: 'base', index: b });
        b++;
        while (b < n && this.presence.flags[b] === 0) b++;
      } else if (e) {
        out.push({ kind: 'overlay', entry: e });
        m++;
      }
    }
    return out;
  }

  /** Every present record in listing order, unfiltered (for tests and exports of small worlds). */
  *all(): Generator<ListingRef<T>> {
    const total = this.count('', null);
    for (let offset = 0; offset < total; offset += 1000) {
      yield* this.page('', null, offset, 1000);
    }
  }

  /** Base record b sorts before overlay entry e (the base id is only computed on a tie of primaries). */
  private baseBefore(b: number, e: OverlayEntry<T>): boolean {
    const p = this.base.primary(b);
    if (p !== e.primary) return p < e.primary;
    return this.base.id(b) < e.id;
  }

  private includesBase(prefix: string): boolean {
    return this.baseRegion.startsWith(prefix) && this.base.length > 0;
  }

  private filtered(prefix: string): OverlayEntry<T>[] {
    if (prefix === '') return this.overlay;
    const cached = this.filterCache.get(prefix);
    if (cached && cached.version === this.version) return cached.entries;
    const entries = this.overlay.filter((e) => e.regions.some((r) => r.startsWith(prefix)));
    this.filterCache.set(prefix, { version: this.version, entries });
    return entries;
  }

  /** First base index whose key is >= (primary, id). */
  private baseLowerBound(primary: number, id: string): number {
    let lo = 0;
    let hi = this.base.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const p = this.base.primary(mid);
      const cmp =
        p !== primary ? (p < primary ? -1 : 1) : id === '' ? 1 : compareKey(p, this.base.id(mid), primary, id);
      if (cmp < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private overlayLowerBound(entries: readonly OverlayEntry<T>[], primary: number, id: string): number {
    let lo = 0;
    let hi = entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const e = entries[mid] as OverlayEntry<T>;
      if (compareKey(e.primary, e.id, primary, id) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
