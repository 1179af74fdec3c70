/**
 * The mspan record (Go's `mspan` in mheap.go) and its table. A span is a run
 * of pages holding objects of one size class, one large object, or manually
 * managed memory. Each span is a fixed-layout record in managed memory,
 * allocated like Go's `mheap_.spanalloc`; a span is named by its record's
 * address (Go's `*mspan`, 0 = nil). Its bitmaps — allocBits, gcmarkBits
 * and the explicit-free bitmaps, local (written by the span's owner) and
 * remote (written atomically by other workers), interleaved word by word —
 * sit side by side in one block from a per-size bitmap pool. `MSpanTable` is the thin JS handle over the view
 * that covers records and bitmaps; the allocation paths in mbitmap.ts and
 * mgcsweep.ts take it as their first argument. See docs/design.md, "Managed memory".
 */

import type { MemView } from "@gomalloc/os-mem";
import { onesCount32 } from "./bits.js";
import { SpanArgumentError } from "./errors.js";

// Record layout: byte offsets. What the malloc and free fast paths read comes
// first, in the record's first 64 bytes: startAddr and elemsize (f64), the u32
// words, then the u8 fields; the cold f64 fields (list links, npages, limit) follow.
/** Address of the first byte of the span (Go's startAddr, `s.base()`). */
export const F_startAddr = 0;
/** Object size (Go's elemsize). */
export const F_elemsize = 8;
/** Low half of allocCache. */
export const F_allocCacheLo = 16;
/** High half of allocCache. */
export const F_allocCacheHi = 20;
/** Go's freeindex. */
export const F_freeindex = 24;
/** Go's nelems. */
export const F_nelems = 28;
/** Go's allocCount. */
export const F_allocCount = 32;
/** Go's divMul. */
export const F_divMul = 36;
/**
 * The P that owns the span: index + 1 of the P whose mcache holds it as its
 * current span for its class, 0 for none. The runtime sets it under its
 * mcentral lock when an mcache takes or lets go of the span; only the owner
 * writes the span's local freed words (with plain stores), and a P reading
 * its own index + 1 here knows it owns the span (no one else writes that value).
 */
export const F_cachedBy = 40;
/**
 * Go's allocBits, as the u32 word index of the bitmap in the table's view
 * (address = view.base + 4·index; 0 = none). The span's bitmaps live in the
 * table's view, so the hot paths index them without converting an address.
 */
export const F_allocBits = 44;
/**
 * The explicit-free bitmaps, as the u32 word index of their area in the
 * table's view (0 = none). Objects 32k..32k+31 have two words: the local one
 * at `freed + 2k`, written only by the span's owner (the P whose mcache holds
 * it, or whoever sweeps it) with plain stores, and the remote one at
 * `freed + 2k + 1`, where other workers free by `Atomics.or` (mimalloc's
 * local and thread free lists, as bitmaps). A sweep applies both.
 */
export const F_freed = 48;
/**
 * A u32 the layers above own for data of their kind of span, kept in the
 * record's first cache line with the fields the fast paths read (mheap: the
 * u32 index of a tiny-block span's side table). Zeroed with the record.
 */
export const F_aux = 52;
/** Go's spanclass (u8). */
export const F_spanclass = 56;
/** Go's state (u8): mSpanDead, mSpanInUse, mSpanManual. */
export const F_state = 57;
/**
 * A byte the heap above may use for per-span flags (u8; gomalloc's runtime:
 * the number of live profiled objects in the span, 255 meaning "255 or more",
 * Go's `specials` list reduced to a count).
 * Cleared when the heap allocates or frees the span; the span layer never reads it.
 */
export const F_specials = 58;
/** Go's needzero (u8). */
export const F_needzero = 59;
/**
 * The u32 word holding spanclass (bits 0–7), state (8–15), specials (16–23)
 * and needzero (24–31): one load tells the free fast path whether a span is
 * an in-use small span without specials.
 */
export const F_classWord = 56;
/** Go's sweepgen. */
export const F_sweepgen = 60;
/** End of the object-holding part of the span (Go's limit). */
export const F_limit = 64;
/** Number of pages (Go's npages). */
export const F_npages = 72;
/** Next span in its list (Go's next), 0 = nil. */
export const F_next = 80;
/** Previous span in its list (Go's prev), 0 = nil. */
export const F_prev = 88;
/** The list holding the span (Go's list), 0 = none. */
export const F_list = 96;
/** Go's manualFreeList for mSpanManual spans. */
export const F_manualFreeList = 104;
/** log2 of the bytes of one bitmap of this span (u8), 255 = no bitmaps. */
export const F_bitsLog = 112;
/**
 * Go's gcmarkBits, as a u32 word index in the table's view (0 = none). Read
 * only by sweeps, so it sits in the record's second cache line.
 */
export const F_gcmarkBits = 116;
/** Bytes of one mspan record. */
export const mspanBytes = 128;

/** Go's mSpanDead: the span is not in use. */
export const mSpanDead = 0;
/** Go's mSpanInUse: a heap span holding objects. */
export const mSpanInUse = 1;
/** Go's mSpanManual: a span managed by its user (stacks and the like). */
export const mSpanManual = 2;

/** Most objects a span may hold (bitmaps of up to 4 KiB; Go's size classes need at most 1024). */
export const maxSpanObjects = 32768;
const NO_BITS = 255;

/**
 * Where an MSpanTable gets its memory: records from Go's `spanalloc` (a
 * fixalloc) and bitmap blocks from per-size pools, all under one MemView.
 */
export interface SpanMemory {
  /** The view covering every record and bitmap block. */
  readonly view: MemView;
  /** Go's `spanalloc.alloc`: a zeroed, 8-aligned {@link mspanBytes} record, or 0 when memory is exhausted. */
  allocRecord(): number;
  /** Go's `spanalloc.free`. */
  freeRecord(rec: number): void;
  /** Bytes of the smallest bitmap {@link MSpanTable.initSpan} asks for (a power of two in [8, 4096]). */
  readonly minBitmapBytes: number;
  /** A zeroed block of `4 * nbytes` bytes (nbytes a power of two in [8, 4096]): allocBits, gcmarkBits and the freed area of 2 × nbytes; 8-aligned, or 0 when exhausted. */
  allocBits(nbytes: number): number;
  /** Returns a block from {@link allocBits}. */
  freeBits(block: number, nbytes: number): void;
}

/**
 * The handle over the mspan records and bitmaps of one heap (per worker).
 *
 * Invariants on a span s (checked by `checkSpan`):
 * - S1: 0 ≤ freeindex ≤ nelems.
 * - S2: object n is free ⇔ n ≥ freeindex ∧ allocBits[n] = 0 (n < nelems).
 * - S3: allocCache bit k = ¬allocBits[freeindex + k] for 0 ≤ k < min(64 − freeindex mod 64, nelems − freeindex).
 * - S4: allocCount = freeindex + |{n ≥ freeindex : allocBits[n] = 1}| = number of allocated objects.
 * - S5: local freed ∪ remote freed ⊆ allocated, and local ∩ remote = ∅.
 * - S6: object n starts at startAddr + n·elemsize; limit = startAddr + nelems·elemsize ≤ startAddr + npages·pageSize.
 * - S7: for a size class, divMul = ⌊(2^32 − 1)/elemsize⌋ + 1, and ⌊(p − startAddr)·divMul / 2^32⌋ = ⌊(p − startAddr)/elemsize⌋.
 * - S8: allocBits, gcmarkBits and both freed bitmaps' bits at indexes ≥ nelems are 0; gcmarkBits is all 0 between sweeps.
 * - S9: state ∈ {mSpanDead, mSpanInUse, mSpanManual}; list links are consistent (see MSpanList).
 */
export class MSpanTable {
  /** Memory source for records and bitmaps. */
  readonly mem: SpanMemory;
  /** The view covering every record and bitmap (same as mem.view). */
  readonly v: MemView;
  /** log2 of the runtime page size. */
  readonly pageShift: number;
  /** Runtime page size in bytes. */
  readonly pageSize: number;
  /** log2 of the smallest bitmap in bytes (mem.minBitmapBytes). */
  private readonly minBitsLog: number;

  /**
   * @param mem - where records and bitmaps come from.
   * @param pageShift - log2 of the runtime page size (Go's pageShift, 13).
   */
  constructor(mem: SpanMemory, pageShift = 13) {
    this.mem = mem;
    this.v = mem.view;
    this.pageShift = pageShift;
    this.pageSize = 2 ** pageShift;
    this.minBitsLog = 31 - Math.clz32(mem.minBitmapBytes);
  }

  /** u32 index of the span's record. */
  w(s: number): number {
    return (s - this.v.base) / 4;
  }

  // -- field access (cold paths; the hot paths index the view directly) --

  /** Go's `s.base()`. */
  base(s: number): number {
    return this.v.f64[(s - this.v.base) / 8]!;
  }
  /** Go's npages. */
  npages(s: number): number {
    return this.v.f64[(s - this.v.base + F_npages) / 8]!;
  }
  /** Go's elemsize. */
  elemsize(s: number): number {
    return this.v.f64[(s - this.v.base + F_elemsize) / 8]!;
  }
  /** Go's limit. */
  limit(s: number): number {
    return this.v.f64[(s - this.v.base + F_limit) / 8]!;
  }
  /** Reads an f64 field. */
  getF64(s: number, field: number): number {
    return this.v.f64[(s - this.v.base + field) / 8]!;
  }
  /** Writes an f64 field. */
  setF64(s: number, field: number, value: number): void {
    this.v.f64[(s - this.v.base + field) / 8] = value;
  }
  /** Reads a u32 field. */
  getU32(s: number, field: number): number {
    return this.v.u32[(s - this.v.base + field) / 4]!;
  }
  /** Writes a u32 field. */
  setU32(s: number, field: number, value: number): void {
    this.v.u32[(s - this.v.base + field) / 4] = value;
  }
  /** Reads a u8 field. */
  getU8(s: number, field: number): number {
    return this.v.u8[s - this.v.base + field]!;
  }
  /** Writes a u8 field. */
  setU8(s: number, field: number, value: number): void {
    this.v.u8[s - this.v.base + field] = value;
  }
  /** Go's freeindex. */
  freeindex(s: number): number {
    return this.getU32(s, F_freeindex);
  }
  /** Go's nelems. */
  nelems(s: number): number {
    return this.getU32(s, F_nelems);
  }
  /** Go's allocCount. */
  allocCount(s: number): number {
    return this.getU32(s, F_allocCount);
  }
  /**
   * Objects freed and not yet swept: the bits set in the freed bitmap. No
   * counter is kept beside it, so that a free writes one bit and nothing on
   * the span's hot line (another worker may be allocating from that line).
   */
  freedCount(s: number): number {
    const u = this.v.u32;
    const w = (s - this.v.base) / 4;
    const fb = u[w + F_freed / 4]!;
    if (fb === 0) return 0; // no bitmaps
    const n32 = (u[w + F_nelems / 4]! + 31) >>> 5;
    let n = 0;
    for (let i = 0; i < n32; i++) n += onesCount32(u[fb + 2 * i]! | u[fb + 2 * i + 1]!);
    return n;
  }
  /** Go's state. */
  state(s: number): number {
    return this.getU8(s, F_state);
  }
  /** Go's spanclass. */
  spanclass(s: number): number {
    return this.getU8(s, F_spanclass);
  }
  /** Bytes of one of the span's bitmaps (0 when it has none). */
  bitmapBytes(s: number): number {
    const l = this.getU8(s, F_bitsLog);
    return l === NO_BITS ? 0 : 1 << l;
  }

  /** Address of one of the span's bitmaps (field F_allocBits, F_gcmarkBits or F_freed); 0 when it has none. */
  bitmapAddr(s: number, field: number): number {
    const w = this.getU32(s, field);
    return w === 0 ? 0 : this.v.base + 4 * w;
  }

  // -- records --

  /**
   * Go's `spanalloc.alloc` followed by `span.init(0, 0)`: a dead span record,
   * or 0 when the memory source is exhausted.
   */
  allocSpan(): number {
    const s = this.mem.allocRecord();
    if (s === 0) return 0;
    // The record comes zeroed (Go's fixalloc with zero set): already what
    // init(0, 0) would write (every field 0, state mSpanDead) but for its bitmap marker.
    this.setU8(s, F_bitsLog, NO_BITS);
    return s;
  }

  /**
   * Returns a span's record (and its bitmaps) to the table (Go's
   * `spanalloc.free`). The span must be dead and in no list.
   */
  freeSpan(s: number): void {
    if (this.state(s) !== mSpanDead) throw new SpanArgumentError("freeSpan: span is not dead");
    if (this.getF64(s, F_list) !== 0) throw new SpanArgumentError("freeSpan: span is still in a list");
    this.releaseBits(s);
    this.mem.freeRecord(s);
  }

  /**
   * Go's `mspan.init`: resets s to a dead span over `[base, base + npages·pageSize)`
   * with no objects and no list. Releases the span's bitmaps, if any.
   */
  init(s: number, base: number, npages: number): void {
    this.releaseBits(s);
    this.setF64(s, F_next, 0);
    this.setF64(s, F_prev, 0);
    this.setF64(s, F_list, 0);
    this.setF64(s, F_startAddr, base);
    this.setF64(s, F_npages, npages);
    this.setF64(s, F_limit, base + npages * this.pageSize);
    this.setU32(s, F_allocCount, 0);
    this.setU8(s, F_spanclass, 0);
    this.setF64(s, F_elemsize, 0);
    this.setU8(s, F_needzero, 0);
    this.setU32(s, F_freeindex, 0);
    this.setU32(s, F_nelems, 0);
    this.setU32(s, F_divMul, 0);
    this.setU32(s, F_allocCacheLo, 0);
    this.setU32(s, F_allocCacheHi, 0);
    this.setU32(s, F_cachedBy, 0);
    this.setF64(s, F_manualFreeList, 0);
    this.setU8(s, F_state, mSpanDead);
  }

  private releaseBits(s: number): void {
    const l = this.getU8(s, F_bitsLog);
    if (l === NO_BITS) return;
    // The block is [allocBits | gcmarkBits | freed (local, remote word pairs)] as initSpan laid it out; every
    // sweep swaps the first two, so the block starts at the lower of them.
    const w = Math.min(this.getU32(s, F_allocBits), this.getU32(s, F_gcmarkBits));
    this.mem.freeBits(this.v.base + 4 * w, 1 << l); // l ≤ 12: a shift, not `**` (a C call in V8)
    this.setU32(s, F_allocBits, 0);
    this.setU32(s, F_gcmarkBits, 0);
    this.setU32(s, F_freed, 0);
    this.setU8(s, F_bitsLog, NO_BITS);
  }

  /**
   * The heap-span half of Go's `mheap.initSpan`: makes s (already `init`ed over
   * its pages) an in-use span of `spanclass` (sizeclass<<1 | noscan). For
   * sizeclass 0 the span holds one object of all its pages and `elemsize`/
   * `divMul` are ignored; otherwise nelems = ⌊(npages·pageSize − reserve)/elemsize⌋,
   * and divMul must be Go's ⌊(2^32 − 1)/elemsize⌋ + 1. `reserve` is the tail
   * Go keeps for heap bits or inline mark bits (0 for noscan spans without GC
   * metadata). Returns false, leaving s dead, if no bitmap memory is left;
   * throws SpanArgumentError for impossible geometry.
   */
  initSpan(
    s: number,
    spanclass: number,
    elemsize: number,
    divMul: number,
    needzero: boolean,
    sweepgen: number,
    reserve = 0,
  ): boolean {
    if (!Number.isInteger(spanclass) || spanclass < 0 || spanclass > 255) {
      throw new SpanArgumentError(`initSpan: bad spanclass ${spanclass}`);
    }
    const nbytes = this.npages(s) * this.pageSize;
    let nelems: number;
    if (spanclass >>> 1 === 0) {
      elemsize = nbytes;
      nelems = 1;
      divMul = 0;
    } else {
      if (!Number.isInteger(elemsize) || elemsize < 1 || elemsize > nbytes) {
        throw new SpanArgumentError(`initSpan: elemsize ${elemsize} does not fit ${nbytes} bytes`);
      }
      if (divMul !== Math.floor(0xffffffff / elemsize) + 1) {
        throw new SpanArgumentError(`initSpan: divMul ${divMul} is not Go's ^uint32(0)/${elemsize}+1`);
      }
      if (!Number.isInteger(reserve) || reserve < 0 || reserve >= nbytes) {
        throw new SpanArgumentError(`initSpan: bad reserve ${reserve}`);
      }
      nelems = Math.floor((nbytes - reserve) / elemsize);
      if (nelems < 1 || nelems > maxSpanObjects) throw new SpanArgumentError(`initSpan: nelems ${nelems} out of range`);
    }
    let log = this.minBitsLog;
    while ((1 << log) * 8 < nelems) log++; // shifts, not `**` (a C call in V8)
    const nb = 1 << log;
    const block = this.mem.allocBits(nb);
    if (block === 0) return false;
    this.releaseBits(s);
    // The block comes zeroed (SpanMemory.allocBits), as Go's newMarkBits/newAllocBits memory does.
    const bw = (block - this.v.base) / 4;
    this.setU32(s, F_allocBits, bw);
    this.setU32(s, F_gcmarkBits, bw + nb / 4);
    this.setU32(s, F_freed, bw + nb / 2);
    this.setU8(s, F_bitsLog, log);
    this.setU8(s, F_spanclass, spanclass);
    this.setF64(s, F_elemsize, elemsize);
    this.setU32(s, F_nelems, nelems);
    this.setU32(s, F_divMul, divMul);
    this.setU8(s, F_needzero, needzero ? 1 : 0);
    this.setU32(s, F_freeindex, 0);
    this.setU32(s, F_allocCount, 0);
    this.setU32(s, F_allocCacheLo, 0xffffffff);
    this.setU32(s, F_allocCacheHi, 0xffffffff);
    this.setF64(s, F_limit, this.base(s) + elemsize * nelems);
    this.setU32(s, F_sweepgen, sweepgen >>> 0);
    this.setU8(s, F_state, mSpanInUse);
    return true;
  }

  /** The manual-span half of Go's `mheap.initSpan`: no objects, state mSpanManual. */
  initManual(s: number, needzero: boolean): void {
    this.releaseBits(s);
    this.setF64(s, F_manualFreeList, 0);
    this.setU32(s, F_nelems, 0);
    this.setU8(s, F_needzero, needzero ? 1 : 0);
    this.setU8(s, F_state, mSpanManual);
  }

  /** Sets Go's state (mSpanDead before freeSpan). */
  setState(s: number, state: number): void {
    this.setU8(s, F_state, state);
  }
  /** Go's sweepgen. */
  sweepgen(s: number): number {
    return this.getU32(s, F_sweepgen);
  }
  /** Sets Go's sweepgen. */
  setSweepgen(s: number, g: number): void {
    this.setU32(s, F_sweepgen, g >>> 0);
  }
  /** Go's needzero. */
  needzero(s: number): boolean {
    return this.getU8(s, F_needzero) !== 0;
  }
  /** Go's divMul. */
  divMul(s: number): number {
    return this.getU32(s, F_divMul);
  }
}
