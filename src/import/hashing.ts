/*
 * Change detection for the bulk path without holding a file or a table in memory: 64-bit hashes (two independent
 * 32-bit lanes) of keys and of the cells that feed each table, and a compact open-addressing table (about 17 bytes
 * per key) of what the database already holds. A collision can only send a row down the slower exact path (the
 * merge statement compares the real values); it never makes a changed row look unchanged unless two different cell
 * contents of the same key share all 64 bits.
 */
import type { Cell } from './values.js';

/** Output of the hash functions: [lane 1, lane 2] (reused, copy before the next call). */
export const HASH_OUT = new Uint32Array(2);

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Incremental two-lane string hash state. */
export class Hasher {
  a = 0;
  b = 0;
  reset(seed: number): this {
    this.a = (0x811c9dc5 ^ seed) >>> 0;
    this.b = (0x9747b28c ^ Math.imul(seed, 0x2545f491)) >>> 0;
    return this;
  }
  text(s: string): this {
    let a = this.a;
    let b = this.b;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
      b ^= b >>> 15;
    }
    this.a = a;
    this.b = b;
    return this;
  }
  /** A separator that no text contains, so ("ab","c") ≠ ("a","bc"); `code` 1 = next cell, 2 = empty cell. */
  mark(code: number): this {
    this.a = Math.imul(this.a ^ (0x100000 + code), 0x01000193);
    this.b = Math.imul(this.b ^ (0x100000 + code), 0x5bd1e995);
    return this;
  }
  finish(): Uint32Array {
    HASH_OUT[0] = fmix(this.a);
    HASH_OUT[1] = fmix(this.b ^ 0x27d4eb2f);
    return HASH_OUT;
  }
}

const hasher = new Hasher();

/** Hash of a key string. */
export function hashKey(s: string): Uint32Array {
  return hasher.reset(0x5eed).text(s).finish();
}

/** hashKey of an ASCII key given as bytes (the same value as hashKey of its text). */
export function hashKeyBytes(buf: Uint8Array, start: number, end: number): Uint32Array {
  hasher.reset(0x5eed);
  let a = hasher.a;
  let b = hasher.b;
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  hasher.a = a;
  hasher.b = b;
  return hasher.finish();
}

const NIBBLE = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i;
for (let i = 0; i < 6; i++) {
  NIBBLE[97 + i] = 10 + i;
  NIBBLE[65 + i] = 10 + i;
}

/**
 * Reads what a table holds from its COPY text output (lines "key<TAB>export hash or \N"), without decoding text:
 * each key is hashed from its bytes and recorded in a KeyTable with the export's content hash, if any.
 */
export class KnownKeysReader {
  private carry: Buffer | null = null;
  private readonly ref = new Uint32Array(2);
  rows = 0;

  constructor(
    private readonly table: KeyTable,
    /** Keys that are not plain ASCII (escaped or non-Latin): decoded and hashed as text. */
    private readonly slowKey: (line: string) => string | null,
  ) {}

  push(chunk: Buffer): void {
    const buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    let pos = 0;
    for (let nl = buf.indexOf(10, pos); nl >= 0; nl = buf.indexOf(10, pos)) {
      this.line(buf, pos, nl);
      pos = nl + 1;
    }
    this.carry = pos < buf.length ? Buffer.from(buf.subarray(pos)) : null;
  }

  end(): void {
    if (this.carry && this.carry.length > 0) this.line(this.carry, 0, this.carry.length);
    this.carry = null;
  }

  private line(buf: Buffer, start: number, end: number): void {
    if (end <= start) return;
    let tab = start;
    let plain = true;
    while (tab < end && buf[tab] !== 9) {
      const c = buf[tab]!;
      if (c === 92 || c >= 128) plain = false;
      tab++;
    }
    let k: Uint32Array;
    if (plain) k = hashKeyBytes(buf, start, tab);
    else {
      const key = this.slowKey(buf.toString('utf8', start, tab));
      if (key === null) return;
      k = hashKey(key);
    }
    const a = k[0]!;
    const b = k[1]!;
    this.rows++;
    // An export's hash is "x" + 16 hex digits.
    const h = tab + 1;
    if (end - h === 17 && buf[h] === 120) {
      let r1 = 0;
      let r2 = 0;
      let ok = true;
      for (let i = 0; i < 16; i++) {
        const v = NIBBLE[buf[h + 1 + i]!]!;
        if (v < 0) {
          ok = false;
          break;
        }
        if (i < 8) r1 = ((r1 << 4) | v) >>> 0;
        else r2 = ((r2 << 4) | v) >>> 0;
      }
      if (ok) {
        this.ref[0] = r1;
        this.ref[1] = r2;
        this.table.addKnown(a, b, this.ref);
        return;
      }
    }
    this.table.addKnown(a, b, null);
  }
}

/** The text a cell contributes to a hash: xlsx numbers and dates by a canonical spelling (strings: see load). */
function cellForHash(v: Cell): string | null {
  if (v === null) return null;
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number') return `#${v}`;
  if (typeof v === 'boolean') return v ? '#T' : '#F';
  return `@${v.getTime()}`;
}

const isSpace = (c: number) => c <= 32 || c === 160 || c === 0xfeff;

const EMPTY_A = 0x6a09e667;
const EMPTY_B = 0xbb67ae85;

/**
 * Hashes of the cells of one row, each cell's text read once (a cell feeding several tables, like Id Proyek, is not
 * hashed again per table), then combined per table.
 */
export class RowHasher {
  private readonly lanes: Uint32Array;

  constructor(
    columns: number,
    /** The columns any table reads. */
    private readonly used: readonly number[],
  ) {
    this.lanes = new Uint32Array(columns * 2);
  }

  load(row: readonly Cell[]): void {
    const lanes = this.lanes;
    for (const i of this.used) {
      const v = row[i] ?? null;
      // Strings are hashed between their first and last non-space character (the trimmed text, unallocated).
      const t = typeof v === 'string' ? v : cellForHash(v);
      let from = 0;
      let to = t === null ? 0 : t.length;
      if (t !== null && typeof v === 'string') {
        while (from < to && isSpace(t.charCodeAt(from))) from++;
        while (to > from && isSpace(t.charCodeAt(to - 1))) to--;
      }
      if (t === null || to === from) {
        lanes[2 * i] = EMPTY_A;
        lanes[2 * i + 1] = EMPTY_B;
        continue;
      }
      let a = 0x811c9dc5;
      let b = 0x2545f491;
      for (let k = from; k < to; k++) {
        const c = t.charCodeAt(k);
        a = Math.imul(a ^ c, 0x01000193);
        b = (Math.imul(b, 31) + c) | 0;
      }
      lanes[2 * i] = fmix(a ^ (to - from));
      lanes[2 * i + 1] = fmix(b ^ 0x5bd1e995);
    }
  }

  /** 64-bit hash of the loaded row's cells at `indices` (in that order) under a seed; written to HASH_OUT. */
  combine(indices: readonly number[], seed: number): Uint32Array {
    const lanes = this.lanes;
    let a = seed >>> 0;
    let b = (seed ^ 0x9e3779b9) >>> 0;
    for (const i of indices) {
      a = Math.imul((a << 13) | (a >>> 19), 5) + 0xe6546b64;
      a ^= lanes[2 * i]!;
      b = Math.imul(b ^ lanes[2 * i + 1]!, 0x85ebca6b);
      b = (b << 15) | (b >>> 17);
    }
    HASH_OUT[0] = fmix(a ^ indices.length);
    HASH_OUT[1] = fmix(b ^ 0x27d4eb2f);
    return HASH_OUT;
  }
}

/** Hash of the cells at `indices` of a row, under a seed (RowHasher for one row). */
export function hashCells(row: readonly Cell[], indices: readonly number[], seed: number): Uint32Array {
  const columns = Math.max(0, ...indices) + 1;
  const h = new RowHasher(columns, [...new Set(indices)]);
  h.load(row);
  return h.combine(indices, seed);
}

/** Seed of a string (export type, table, decided formats, reference data version). */
export function seedOf(s: string): number {
  return hasher.reset(0x1234).text(s).finish()[0]!;
}

const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const hex8 = (n: number) => HEX2[n >>> 24]! + HEX2[(n >>> 16) & 255]! + HEX2[(n >>> 8) & 255]! + HEX2[n & 255]!;

/** The content_hash stored for a row an export wrote: "x" + 16 hex digits. */
export function formatExportHash(a: number, b: number): string {
  return `x${hex8(a)}${hex8(b)}`;
}

const USED = 1;
/** The database holds a row with this key. */
export const IN_DB = 2;
/** The key occurred earlier in this file. */
export const SEEN = 4;
/** `ref` holds a content hash (the database row's, if an export wrote it, or the last one sent from this file). */
export const HAS_REF = 8;

/**
 * What to do with a table's record of a row. Insert: a new key, loaded directly (COPY). Merge: a known key with
 * other content, or a key repeated in the file with other content: through the merge statement. Same: the content
 * stored, or already sent from this file.
 */
export const Decision = { Insert: 0, Merge: 1, Same: 2 } as const;
export type Decision = (typeof Decision)[keyof typeof Decision];

/** Key hash → (flags, content hash): what the database holds and what this file has sent, per key. */
export class KeyTable {
  private k1: Uint32Array;
  private k2: Uint32Array;
  private r1: Uint32Array;
  private r2: Uint32Array;
  private flags: Uint8Array;
  private mask: number;
  size = 0;

  constructor(expected = 1024) {
    let cap = 1024;
    while (cap * 3 < expected * 4) cap *= 2;
    this.mask = cap - 1;
    this.k1 = new Uint32Array(cap);
    this.k2 = new Uint32Array(cap);
    this.r1 = new Uint32Array(cap);
    this.r2 = new Uint32Array(cap);
    this.flags = new Uint8Array(cap);
  }

  /** Bytes held (17 per slot). */
  get bytes(): number {
    return this.flags.length * 17;
  }

  /** Slot of a key, or -(insertion slot) - 1 when absent. */
  find(a: number, b: number): number {
    let i = (a ^ Math.imul(b, 0x9e3779b1)) & this.mask;
    for (;;) {
      const f = this.flags[i]!;
      if (f === 0) return -i - 1;
      if (this.k1[i] === a && this.k2[i] === b) return i;
      i = (i + 1) & this.mask;
    }
  }

  private claim(slot: number, a: number, b: number, flags: number): number {
    if ((this.size + 1) * 4 > this.flags.length * 3) {
      this.grow();
      slot = -this.find(a, b) - 1;
    }
    this.k1[slot] = a;
    this.k2[slot] = b;
    this.flags[slot] = flags | USED;
    this.size++;
    return slot;
  }

  private grow(): void {
    const { k1, k2, r1, r2, flags } = this;
    const cap = flags.length * 2;
    this.mask = cap - 1;
    this.k1 = new Uint32Array(cap);
    this.k2 = new Uint32Array(cap);
    this.r1 = new Uint32Array(cap);
    this.r2 = new Uint32Array(cap);
    this.flags = new Uint8Array(cap);
    for (let i = 0; i < flags.length; i++) {
      if (flags[i] === 0) continue;
      const s = -this.find(k1[i]!, k2[i]!) - 1;
      this.k1[s] = k1[i]!;
      this.k2[s] = k2[i]!;
      this.r1[s] = r1[i]!;
      this.r2[s] = r2[i]!;
      this.flags[s] = flags[i]!;
    }
  }

  /**
   * Records a key the database holds, with the content hash an export stored for it (null: an API row, a deleted
   * row, or a row whose matching is ambiguous). A key met twice (a project with several locations) keeps no hash.
   */
  addKnown(a: number, b: number, ref: Uint32Array | null): void {
    const slot = this.find(a, b);
    if (slot >= 0) {
      this.flags[slot] = (this.flags[slot]! & ~HAS_REF) | IN_DB;
      return;
    }
    const s = this.claim(-slot - 1, a, b, IN_DB | (ref ? HAS_REF : 0));
    if (ref) {
      this.r1[s] = ref[0]!;
      this.r2[s] = ref[1]!;
    }
  }

  /** decide() for the slot find() returned. */
  decideAt(slot: number, c: number, d: number): Decision {
    if (slot < 0) return Decision.Insert;
    if ((this.flags[slot]! & HAS_REF) !== 0 && this.r1[slot] === c && this.r2[slot] === d) return Decision.Same;
    return Decision.Merge;
  }

  /** seen() for the slot find() returned. */
  seenAt(slot: number): boolean {
    return slot >= 0 && (this.flags[slot]! & SEEN) !== 0;
  }

  /** accept() for the slot find() returned (no other key may have been added to the table since). */
  acceptAt(slot: number, a: number, b: number, c: number, d: number): void {
    const s = slot >= 0 ? slot : this.claim(-slot - 1, a, b, 0);
    this.flags[s] = this.flags[s]! | SEEN | HAS_REF;
    this.r1[s] = c;
    this.r2[s] = d;
  }

  /** What to do with a record of key (a,b) and content (c,d). Does not change the table (see accept). */
  decide(a: number, b: number, c: number, d: number): Decision {
    const slot = this.find(a, b);
    if (slot < 0) return Decision.Insert;
    const f = this.flags[slot]!;
    if ((f & HAS_REF) !== 0 && this.r1[slot] === c && this.r2[slot] === d) return Decision.Same;
    return Decision.Merge;
  }

  /** True when the key occurred earlier in this file. */
  seen(a: number, b: number): boolean {
    const slot = this.find(a, b);
    return slot >= 0 && (this.flags[slot]! & SEEN) !== 0;
  }

  /** Records that this file's record of key (a,b) now has content (c,d) (sent, or equal to what is stored). */
  accept(a: number, b: number, c: number, d: number): void {
    let slot = this.find(a, b);
    if (slot < 0) slot = this.claim(-slot - 1, a, b, 0);
    this.flags[slot] = this.flags[slot]! | SEEN | HAS_REF;
    this.r1[slot] = c;
    this.r2[slot] = d;
  }
}
