/**
 * Heap arenas (Go's `heapArena`, `arenaIdx` and the two-level arena map of
 * mheap.go / malloc.go). The heap's address space is cut into arenas of
 * `heapArenaBytes`; each arena that holds heap memory has a metadata record —
 * the page→span map `spans[]`, the `pageInUse` bitmap (one bit per page that
 * starts an in-use span) and `zeroedBase` (bytes below it may be dirty) — and
 * the arena map `arenas[l1][l2]` finds that record from any address in O(1).
 * Arena indexes are Go's `arenaIndex(p) = (p + arenaBaseOffsetAdd) /
 * heapArenaBytes`, computed with plain numbers (addresses reach 2^48, so no
 * bitwise operator touches them). Records and small L2 maps sit in the heap's
 * metadata memory (one MemView with the span table); an L2 map too large to
 * commit whole (2^22 entries on linux/amd64) is reserved and its pages are
 * committed as arenas are registered, as Go relies on demand paging there.
 * See docs/design.md, "Heap arenas and spanOf".
 */
import type { Profile } from "@gomalloc/arch";
import { RuntimeThrow } from "@gomalloc/os-mem";

/** The arena map and heapArena record geometry of a profile. */
export class HeapArenaGeometry {
  /** Runtime page size (Go's pageSize). */
  readonly pageSize: number;
  /** log2 of pageSize. */
  readonly pageShift: number;
  /** Go's heapArenaBytes. */
  readonly heapArenaBytes: number;
  /** Go's pagesPerArena. */
  readonly pagesPerArena: number;
  /** Go's arenaL1Bits. */
  readonly arenaL1Bits: number;
  /** Go's arenaL2Bits. */
  readonly arenaL2Bits: number;
  /** Go's arenaBits = arenaL1Bits + arenaL2Bits. */
  readonly arenaBits: number;
  /** 2^arenaL2Bits: entries of one L2 map. */
  readonly l2Entries: number;
  /** 2^arenaBits: arena indexes below this are usable. */
  readonly arenaCount: number;
  /** `(2^64 − arenaBaseOffset) mod 2^64` as a number (the profile's arenaBaseOffsetAdd). */
  readonly arenaBaseOffsetAdd: number;
  /** Byte offset of `pageInUse` in a record (after `spans`). */
  readonly offPageInUse: number;
  /** Byte offset of the freed-span-base bitmap (ours; see heapArenaFreedBase). */
  readonly offFreedBase: number;
  /** Byte offset of `zeroedBase` (f64). */
  readonly offZeroedBase: number;
  /** Bytes of one heapArena record. */
  readonly recordBytes: number;

  constructor(p: Profile) {
    this.pageSize = p.pageSize;
    this.pageShift = p._PageShift;
    this.heapArenaBytes = p.heapArenaBytes;
    this.pagesPerArena = p.pagesPerArena;
    this.arenaL1Bits = p.arenaL1Bits;
    this.arenaL2Bits = p.arenaL2Bits;
    this.arenaBits = p.arenaBits;
    this.l2Entries = 2 ** p.arenaL2Bits;
    this.arenaCount = 2 ** p.arenaBits;
    this.arenaBaseOffsetAdd = p.arenaBaseOffsetAdd;
    const bitmapBytes = Math.max(8, this.pagesPerArena / 8);
    this.offPageInUse = 8 * this.pagesPerArena;
    this.offFreedBase = this.offPageInUse + bitmapBytes;
    this.offZeroedBase = this.offFreedBase + bitmapBytes;
    this.recordBytes = this.offZeroedBase + 8;
  }

  /** Go's `arenaIndex(p)`: `(p + arenaBaseOffsetAdd) / heapArenaBytes`, floored. */
  arenaIndex(p: number): number {
    return Math.floor((p + this.arenaBaseOffsetAdd) / this.heapArenaBytes);
  }

  /** Go's `arenaBase(i)`: the first address of arena i. */
  arenaBase(ai: number): number {
    return ai * this.heapArenaBytes - this.arenaBaseOffsetAdd;
  }

  /** Go's `arenaIdx.l1()`: 0 when there is no L1 level. */
  l1(ai: number): number {
    return this.arenaL1Bits === 0 ? 0 : Math.floor(ai / this.l2Entries);
  }

  /** Go's `arenaIdx.l2()`. */
  l2(ai: number): number {
    return this.arenaL1Bits === 0 ? ai : ai % this.l2Entries;
  }

  /** Index of p's page inside its arena: Go's `(p / pageSize) % pagesPerArena`. */
  pageIndex(p: number): number {
    // Without `%` on doubles (a C call in V8): floor((p + add) / pageSize) − ai · pagesPerArena.
    const q = p + this.arenaBaseOffsetAdd;
    return Math.floor(q / this.pageSize) - Math.floor(q / this.heapArenaBytes) * this.pagesPerArena;
  }

  /** Bytes of one L2 map (f64 entries). */
  get l2Bytes(): number {
    return this.l2Entries * 8;
  }
}

/**
 * L2 maps up to this size are committed whole from the metadata memory;
 * larger ones are reserved and committed page by page (Go's demand paging).
 */
export const l2CommitWholeBytes = 1 << 20;

/** Throws Go's "arena already initialized" when a map entry is set twice. */
export function arenaAlreadyInitialized(): never {
  throw new RuntimeThrow("arena already initialized");
}
