/**
 * addrRanges: a sorted, coalesced set of address ranges in managed memory
 * (Go's mranges.go). The page allocator keeps the ranges it was grown over in
 * one (`inUse`). The record holds the array's address, total bytes, length and
 * capacity; the array holds `(base, limit)` pairs of f64 addresses. When the
 * array fills up a twice-as-large one is taken from the owner's metadata
 * allocator and the old one is abandoned, as Go does with persistentalloc.
 * Addresses here are whatever space the owner uses (the page allocator passes
 * offset addresses). See docs/design.md, "Managed memory".
 */

import type { MemView } from "@gomalloc/os-mem";
import { RuntimeThrow } from "@gomalloc/os-mem";

/** Bytes of an addrRanges record: array f64, totalBytes f64, len u32, cap u32. */
export const addrRangesRecordBytes = 24;
/** Bytes of one addrRange entry. */
export const addrRangeBytes = 16;

/** Where an AddrRanges gets memory for a bigger array: returns an 8-byte aligned address or 0. */
export type MetadataAlloc = (bytes: number) => number;

/**
 * Go's `addrRanges` over a record at `rec`. Invariants:
 * - AR1: ranges are sorted by base, non-empty, and pairwise neither overlapping
 *   nor touching (touching ranges are coalesced).
 * - AR2: totalBytes = Σ (limit − base).
 * - AR3: len ≤ cap.
 *
 * Caller must hold the mheap lock.
 */
export class AddrRanges {
  /** View over the record. */
  readonly rv: MemView;
  /** Address of the record. */
  readonly rec: number;
  /** How to get memory for a bigger array. */
  readonly metaAlloc: MetadataAlloc;
  /** Resolves an address to its view. */
  readonly viewOf: (addr: number) => MemView;
  /** Cached view of the current array and the address it was taken for. */
  private av: MemView;
  private aaddr: number;
  /** Second result of {@link removeLast}: the removed range's limit (its base is the return value). */
  removedLimit: number;

  constructor(rv: MemView, rec: number, metaAlloc: MetadataAlloc, viewOf: (addr: number) => MemView) {
    this.rv = rv;
    this.rec = rec;
    this.metaAlloc = metaAlloc;
    this.viewOf = viewOf;
    this.av = rv;
    this.aaddr = -1;
    this.removedLimit = 0;
  }

  /**
   * Go's `addrRanges.init`: an empty set with room for `cap` ranges at `array`.
   * When `array` is 0 it is taken from the metadata allocator.
   */
  init(array: number, cap = 16): void {
    if (array === 0) {
      array = this.metaAlloc(cap * addrRangeBytes);
      if (array === 0) throw new RuntimeThrow("addrRanges: out of memory");
    }
    const f = (this.rec - this.rv.base) / 8;
    this.rv.f64[f] = array;
    this.rv.f64[f + 1] = 0;
    this.rv.u32[(f + 2) * 2] = 0;
    this.rv.u32[(f + 2) * 2 + 1] = cap;
  }

  /** Number of ranges. */
  get len(): number {
    return this.rv.u32[(this.rec - this.rv.base) / 4 + 4]!;
  }
  private set len(n: number) {
    this.rv.u32[(this.rec - this.rv.base) / 4 + 4] = n;
  }
  /** Capacity of the current array. */
  get cap(): number {
    return this.rv.u32[(this.rec - this.rv.base) / 4 + 5]!;
  }
  /** Total bytes covered (Go's totalBytes). */
  get totalBytes(): number {
    return this.rv.f64[(this.rec - this.rv.base) / 8 + 1]!;
  }
  private set totalBytes(n: number) {
    this.rv.f64[(this.rec - this.rv.base) / 8 + 1] = n;
  }
  /** Address of the current array. */
  get array(): number {
    return this.rv.f64[(this.rec - this.rv.base) / 8]!;
  }

  /** f64 index of entry i's base in the array's view. */
  private e(i: number): number {
    const a = this.array;
    if (a !== this.aaddr) {
      this.av = this.viewOf(a);
      this.aaddr = a;
    }
    return (a - this.av.base) / 8 + 2 * i;
  }

  /** Base of range i. */
  base(i: number): number {
    const k = this.e(i);
    return this.av.f64[k]!;
  }
  /** Limit (exclusive) of range i. */
  limit(i: number): number {
    const k = this.e(i);
    return this.av.f64[k + 1]!;
  }
  private setRange(i: number, base: number, limit: number): void {
    const k = this.e(i);
    this.av.f64[k] = base;
    this.av.f64[k + 1] = limit;
  }

  /** Go's `findSucc`: the first index whose range base is > addr. */
  findSucc(addr: number): number {
    const iterMax = 8;
    let bot = 0;
    let top = this.len;
    while (top - bot > iterMax) {
      const i = (bot + top) >>> 1;
      if (this.base(i) <= addr && addr < this.limit(i)) return i + 1;
      if (addr < this.base(i)) top = i;
      else bot = i + 1;
    }
    for (let i = bot; i < top; i++) if (addr < this.base(i)) return i;
    return top;
  }

  /** Go's `findAddrGreaterEqual`: the least covered address ≥ addr, or -1 when there is none. */
  findAddrGreaterEqual(addr: number): number {
    const i = this.findSucc(addr);
    if (i === 0) return this.len === 0 ? -1 : this.base(0);
    if (this.base(i - 1) <= addr && addr < this.limit(i - 1)) return addr;
    if (i < this.len) return this.base(i);
    return -1;
  }

  /** Go's `contains`: whether some range covers addr. */
  contains(addr: number): boolean {
    const i = this.findSucc(addr);
    if (i === 0) return false;
    return this.base(i - 1) <= addr && addr < this.limit(i - 1);
  }

  /** True when `[base, limit)` overlaps a range of the set. */
  overlaps(base: number, limit: number): boolean {
    const i = this.findSucc(base);
    if (i > 0 && this.limit(i - 1) > base) return true;
    return i < this.len && this.base(i) < limit;
  }

  /**
   * Makes room for `extra` more ranges, moving to a twice-as-large array
   * (repeatedly) if needed, so that the next adds cannot fail. Returns false,
   * changing nothing, if the metadata allocator returns 0.
   */
  reserve(extra: number): boolean {
    const n = this.len;
    let ncap = this.cap;
    if (n + extra <= ncap) return true;
    while (n + extra > ncap) ncap *= 2;
    const na = this.metaAlloc(ncap * addrRangeBytes);
    if (na === 0) return false;
    const nv = this.viewOf(na);
    const nb = (na - nv.base) / 8;
    for (let k = 0; k < n; k++) {
      nv.f64[nb + 2 * k] = this.base(k);
      nv.f64[nb + 2 * k + 1] = this.limit(k);
    }
    const f = (this.rec - this.rv.base) / 8;
    this.rv.f64[f] = na;
    this.rv.u32[(f + 2) * 2 + 1] = ncap;
    return true;
  }

  /**
   * Go's `addrRanges.add`: inserts `[base, limit)`, which must be non-empty and
   * overlap nothing, coalescing with touching neighbours. Throws
   * RuntimeThrow("addrRanges: out of memory") if a bigger array is needed and
   * the metadata allocator returns 0 (state unchanged); {@link reserve} first
   * to rule that out.
   */
  add(base: number, limit: number): void {
    if (!(base < limit)) throw new RuntimeThrow("attempted to add zero-sized address range");
    const i = this.findSucc(base);
    const n = this.len;
    const down = i > 0 && this.limit(i - 1) === base;
    const up = i < n && limit === this.base(i);
    if (down && up) {
      this.setRange(i - 1, this.base(i - 1), this.limit(i));
      for (let k = i; k < n - 1; k++) this.setRange(k, this.base(k + 1), this.limit(k + 1));
      this.len = n - 1;
    } else if (down) {
      this.setRange(i - 1, this.base(i - 1), limit);
    } else if (up) {
      this.setRange(i, base, this.limit(i));
    } else {
      if (!this.reserve(1)) throw new RuntimeThrow("addrRanges: out of memory");
      for (let k = n - 1; k >= i; k--) this.setRange(k + 1, this.base(k), this.limit(k));
      this.setRange(i, base, limit);
      this.len = n + 1;
    }
    this.totalBytes = this.totalBytes + (limit - base);
  }

  /**
   * Go's `removeLast`: removes the highest range, or its last nBytes if it is
   * bigger. Returns the removed range's base and leaves its limit in
   * {@link removedLimit}; an empty set returns 0 with limit 0.
   */
  removeLast(nBytes: number): number {
    const n = this.len;
    if (n === 0) {
      this.removedLimit = 0;
      return 0;
    }
    const b = this.base(n - 1);
    const l = this.limit(n - 1);
    const size = l - b;
    if (size > nBytes) {
      const newEnd = l - nBytes;
      this.setRange(n - 1, b, newEnd);
      this.totalBytes = this.totalBytes - nBytes;
      this.removedLimit = l;
      return newEnd;
    }
    this.len = n - 1;
    this.totalBytes = this.totalBytes - size;
    this.removedLimit = l;
    return b;
  }

  /** Go's `removeGreaterEqual`: drops every address ≥ addr, splitting the range that holds it. */
  removeGreaterEqual(addr: number): void {
    const pivot = this.findSucc(addr);
    if (pivot === 0) {
      this.totalBytes = 0;
      this.len = 0;
      return;
    }
    let removed = 0;
    for (let k = pivot; k < this.len; k++) removed += this.limit(k) - this.base(k);
    let keep = pivot;
    const b = this.base(pivot - 1);
    const l = this.limit(pivot - 1);
    if (b <= addr && addr < l) {
      removed += addr - b === 0 ? l - b : l - addr;
      if (addr === b) keep--;
      else this.setRange(pivot - 1, b, addr);
    }
    this.len = keep;
    this.totalBytes = this.totalBytes - removed;
  }
}
