/*
 * Sizing of a world and the deterministic layout of its lazily generated parts.
 *
 * Partnerships: a repeating pattern of 20 slots assigns each index a sector (fishermen, salt, batik, …). Within a
 * sector the k-th partnership goes to partner k mod P and to the (k div P)-th compatible UB, so a (UB, UMKM, pattern)
 * triple never repeats (no accidental DUPLICATE_PARTNERSHIP). Businesses: another interleaving pattern assigns each
 * base NIB a role (the partner pool of a sector, or a listing-only business).
 */
import type { SimulatorSize } from '../config.js';

export type SectorCode = 'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'G' | 'H';
export type UbKind = 'retail' | 'fish' | 'salt' | 'cement';
/** A base business role: the NIB partner pool of a sector, or 'O' (listed in listNIB only). */
export type BusinessRole = 'B' | 'D' | 'E' | 'F' | 'G' | 'H' | 'O';

export interface SectorDef {
  code: SectorCode;
  /** Partnerships per 20. */
  weight: number;
  ub: UbKind;
  pola: string;
  /** The partner has a NIB (else it is an individual identified by NIK). */
  withNib: boolean;
}

export const SECTORS: readonly SectorDef[] = [
  { code: 'A', weight: 4, ub: 'fish', pola: '06', withNib: false },
  { code: 'B', weight: 2, ub: 'fish', pola: '06', withNib: true },
  { code: 'C', weight: 2, ub: 'salt', pola: '06', withNib: false },
  { code: 'D', weight: 1, ub: 'salt', pola: '06', withNib: true },
  { code: 'E', weight: 3, ub: 'retail', pola: '04', withNib: true },
  { code: 'F', weight: 3, ub: 'retail', pola: '04', withNib: true },
  { code: 'G', weight: 4, ub: 'retail', pola: '04', withNib: true },
  { code: 'H', weight: 1, ub: 'cement', pola: '10', withNib: true },
];

export interface SizePlan {
  partnerships: number;
  ubs: Record<UbKind, number>;
  storesPerRetailer: number;
  /** Same-second partnership batches (sizes), placed at fractions of the timeline. */
  kemitraanBatches: number[];
  /** Days with many NIB changes (sizes). */
  nibDays: number[];
  /** Listing-only base businesses (no partnership). */
  otherBusinesses: number;
}

export const SIZE_PLANS: Readonly<Record<SimulatorSize, SizePlan>> = {
  tiny: {
    partnerships: 150,
    ubs: { retail: 2, fish: 2, salt: 1, cement: 1 },
    storesPerRetailer: 3,
    kemitraanBatches: [110],
    nibDays: [105],
    otherBusinesses: 60,
  },
  small: {
    partnerships: 1_000,
    ubs: { retail: 3, fish: 3, salt: 2, cement: 1 },
    storesPerRetailer: 4,
    kemitraanBatches: [520],
    nibDays: [520],
    otherBusinesses: 230,
  },
  medium: {
    partnerships: 10_000,
    ubs: { retail: 4, fish: 4, salt: 2, cement: 1 },
    storesPerRetailer: 6,
    kemitraanBatches: [600, 750],
    nibDays: [520, 560, 610],
    otherBusinesses: 400,
  },
  large: {
    partnerships: 100_000,
    ubs: { retail: 6, fish: 6, salt: 3, cement: 2 },
    storesPerRetailer: 8,
    kemitraanBatches: [600, 1_200, 800],
    nibDays: [520, 700, 900, 1_500],
    otherBusinesses: 4_000,
  },
  huge: {
    partnerships: 1_000_000,
    ubs: { retail: 10, fish: 10, salt: 4, cement: 2 },
    storesPerRetailer: 12,
    kemitraanBatches: [700, 1_500, 3_000],
    nibDays: [600, 1_200, 2_500, 5_000],
    otherBusinesses: 35_000,
  },
};

/** A repeating interleaving of roles with given weights: position -> (role, rank) and back in O(1). */
export class Interleave<R extends string> {
  readonly length: number;
  private readonly roleAtPos: R[] = [];
  private readonly rankAtPos: number[] = [];
  private readonly posOf = new Map<R, number[]>();
  readonly weights: ReadonlyMap<R, number>;

  constructor(weights: ReadonlyArray<[R, number]>) {
    const items: Array<{ role: R; k: number; key: number; order: number }> = [];
    weights.forEach(([role, w], order) => {
      for (let k = 0; k < w; k++) items.push({ role, k, key: (k + 0.5) / w, order });
    });
    items.sort((a, b) => a.key - b.key || a.order - b.order);
    items.forEach((it, pos) => {
      this.roleAtPos.push(it.role);
      this.rankAtPos.push(it.k);
      const list = this.posOf.get(it.role) ?? [];
      list[it.k] = pos;
      this.posOf.set(it.role, list);
    });
    this.length = items.length;
    this.weights = new Map(weights.filter(([, w]) => w > 0));
  }

  roleAt(index: number): { role: R; rank: number } {
    const block = Math.floor(index / this.length);
    const pos = index % this.length;
    const role = this.roleAtPos[pos] as R;
    return { role, rank: block * (this.weights.get(role) ?? 0) + (this.rankAtPos[pos] ?? 0) };
  }

  indexOf(role: R, rank: number): number {
    const w = this.weights.get(role) ?? 0;
    const positions = this.posOf.get(role);
    if (w === 0 || !positions) return -1;
    return Math.floor(rank / w) * this.length + (positions[rank % w] ?? 0);
  }

  /** How many of the first `count` indices have the role. */
  countUpTo(role: R, count: number): number {
    const w = this.weights.get(role) ?? 0;
    const full = Math.floor(count / this.length);
    let n = full * w;
    for (let pos = 0; pos < count % this.length; pos++) if (this.roleAtPos[pos] === role) n++;
    return n;
  }
}

/** Counts derived from a size plan: partnerships per sector, partners per sector, base businesses per role. */
export interface Layout {
  sectorPattern: Interleave<SectorCode>;
  partnershipsPerSector: Map<SectorCode, number>;
  /** Partner pool size per sector (NIB businesses or NIK persons). */
  partnersPerSector: Map<SectorCode, number>;
  businessPattern: Interleave<BusinessRole>;
  baseBusinesses: number;
}

export function layoutFor(plan: SizePlan): Layout {
  const sectorPattern = new Interleave<SectorCode>(SECTORS.map((s) => [s.code, s.weight]));
  const partnershipsPerSector = new Map<SectorCode, number>();
  const needed = new Map<SectorCode, number>();
  for (const s of SECTORS) {
    const n = sectorPattern.countUpTo(s.code, plan.partnerships);
    partnershipsPerSector.set(s.code, n);
    // At most two partnerships per partner, and never more than the number of compatible UBs.
    const reuse = Math.max(1, Math.min(plan.ubs[s.ub], 2));
    needed.set(s.code, Math.max(1, Math.ceil(n / reuse)));
  }
  const roleCounts: Array<[BusinessRole, number]> = [
    ['B', needed.get('B') ?? 1],
    ['D', needed.get('D') ?? 1],
    ['E', needed.get('E') ?? 1],
    ['F', needed.get('F') ?? 1],
    ['G', needed.get('G') ?? 1],
    ['H', needed.get('H') ?? 1],
    ['O', Math.max(1, plan.otherBusinesses)],
  ];
  const total = roleCounts.reduce((s, [, c]) => s + c, 0);
  const granularity = Math.max(1, Math.ceil(total / 400));
  const weights: Array<[BusinessRole, number]> = roleCounts.map(([r, c]) => [
    r,
    Math.max(1, Math.round(c / granularity)),
  ]);
  const blocks = Math.max(...roleCounts.map(([, c], i) => Math.ceil(c / (weights[i]?.[1] ?? 1))));
  const businessPattern = new Interleave<BusinessRole>(weights);
  const partnersPerSector = new Map<SectorCode, number>();
  for (const s of SECTORS) {
    if (s.withNib) {
      const w = businessPattern.weights.get(s.code as BusinessRole) ?? 1;
      partnersPerSector.set(s.code, blocks * w);
    } else {
      partnersPerSector.set(s.code, needed.get(s.code) ?? 1);
    }
  }
  return {
    sectorPattern,
    partnershipsPerSector,
    partnersPerSector,
    businessPattern,
    baseBusinesses: blocks * businessPattern.length,
  };
}
