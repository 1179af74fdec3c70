/**
 * Heap arenas (Go's `heapArena`, `arenaIdx` and the two-level arena map of
 * mheap.go / malloc.go). The heap's address space is cut into arenas of
 * `heapArenaBytes`; each arena that holds heap memory has a metadata record —
 * the page→span map `spans[]` (each entry the u32 word index of a span record
 * in the heap's view, 0 = nil), the `pageInUse` bitmap (one bit per page that
 * starts an in-use span) and `zeroedBase` (bytes below it may be dirty) — and
 * the arena map `arenas[l1][l2]` finds that record from any address in O(1).
 * Arena indexes are Go's `arenaIndex(p) = (p + arenaBaseOffsetAdd) /
 * heapArenaBytes`, computed with plain numbers (addresses reach 2^48, so no
 * bitwise operator touches them). Records and small L2 maps sit in the heap's
 * metadata memory (one MemView with the span table), and an L2 entry is the
 * record's u32 word index in that view (0 = nil), so the free fast path goes
 * from an address to its span in three loads without converting an address
 * back to an index; an L2 map too large to
 * commit whole (2^22 entries on linux/amd64) is reserved and its pages are
 * committed as arenas are registered, as Go relies on demand paging there.
 * See docs/design.md, "Heap arenas and spanOf".
 */
import type { Profile } from "@gomalloc/arch";
import { alignUp, type MemView, PageState, RuntimeThrow, SysStat } from "@gomalloc/os-mem";
import { mSpanInUse } from "@gomalloc/span";
import type { MHeap } from "./mheap.js";

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
    this.offPageInUse = 4 * this.pagesPerArena;
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

  /** Bytes of one L2 map (u32 entries: heapArena record word indexes in the heap's view). */
  get l2Bytes(): number {
    return this.l2Entries * 4;
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

// ---- the arena map and heapArena records of a heap (MHeap delegates here) ----------------------

/** Points the heap handle's cached L2 view at the L2 map when the profile has no L1 level. */
export function refreshL2(h: MHeap): void {
  if (h.geom.arenaL1Bits !== 0) return;
  const a = h.l2Of(0);
  if (a === 0) return;
  const lv = h.sys.viewOf(a);
  h.l2v = lv;
  h.l2w = ((a - lv.base) / 4) | 0; // a small index, kept int32 for the inlined spanOf
}

/**
 * Entries of an L2 map the heap actually needs: with no L1 level, only the
 * arenas below the backend's end of address space (a flat buffer's maximum
 * length) can ever be registered, so the one L2 map stops there — on a flat
 * heap that keeps a 4 GiB js/wasm map (8192 entries) from being part of a
 * small buffer. With an L1 level, Go's full 2^arenaL2Bits.
 */
export function l2Limit(h: MHeap): number {
  const g = h.geom;
  if (g.arenaL1Bits !== 0) return g.l2Entries;
  const end = h.sys.caps.addressSpaceEnd + g.arenaBaseOffsetAdd;
  return Math.max(1, Math.min(g.l2Entries, Math.ceil(end / g.heapArenaBytes)));
}

/** Allocates the L2 map of L1 entry l1 (Go's sysAllocOS of `[1 << arenaL2Bits]*heapArena`). False if refused. */
export function newL2(h: MHeap, l1: number): boolean {
  const bytes = 4 * l2Limit(h);
  const a =
    bytes <= l2CommitWholeBytes
      ? h.spanAlloc.allocMeta(bytes, 8, SysStat.gcMiscSys)
      : h.sys.sysReserve(0, alignUp(bytes, h.physPageSize));
  if (a === 0) return false;
  h.v.setF64(h.l1Map + 8 * l1, a);
  return true;
}

/** Commits the page of a demand-paged L2 map that holds entry `l2` (a no-op for maps committed whole). */
function commitL2Entry(h: MHeap, l2map: number, l2: number): boolean {
  if (h.geom.l2Bytes <= l2CommitWholeBytes) return true;
  const pps = h.physPageSize;
  const page = Math.floor((l2map + 4 * l2) / pps) * pps;
  const st = h.sys.pageState(page);
  if (st === PageState.Ready) return true;
  if (st === PageState.Reserved && !h.sys.sysMap(page, pps, SysStat.gcMiscSys)) return false;
  if (!h.sys.sysUsed(page, pps, pps)) {
    h.sys.sysUnmap(page, pps, SysStat.gcMiscSys);
    return false;
  }
  return true;
}

/** The heapArena record of arena index ai, or 0 (Go's `arenas[ai.l1()][ai.l2()]`). */
export function arenaRecord(h: MHeap, ai: number): number {
  const g = h.geom;
  if (!(ai >= h.arenaLo && ai <= h.arenaHi)) return 0;
  if (g.arenaL1Bits === 0 && h.l2w >= 0) {
    // The one L2 map, through the handle's cached view (as the inlined spanOf does).
    const w0 = h.l2v.u32[h.l2w + ai]!;
    return w0 === 0 ? 0 : h.v.base + 4 * w0;
  }
  const l2map = h.l2Of(g.l1(ai));
  if (l2map === 0) return 0;
  const w = h.sys.viewOf(l2map).getU32(l2map + 4 * g.l2(ai));
  return w === 0 ? 0 : h.v.base + 4 * w;
}

/**
 * Registers arenas `[v, v+size)` in the arena map (the second half of Go's
 * `mheap.sysAlloc`): an L2 map where missing, a heapArena record per arena,
 * an entry in allArenas. Returns false, registering nothing new that could
 * be observed, if metadata memory is refused. Caller must hold the mheap lock.
 */
export function registerArenas(h: MHeap, v: number, size: number): boolean {
  const g = h.geom;
  const a0 = g.arenaIndex(v);
  const a1 = g.arenaIndex(v + size - 1);
  const recs: number[] = [];
  // Secure everything first: L2 maps, their pages, records, the allArenas array.
  for (let ri = a0; ri <= a1; ri++) {
    const l1 = g.l1(ri);
    if (h.l2Of(l1) === 0 && !newL2(h, l1)) return false;
    const l2map = h.l2Of(l1);
    if (!commitL2Entry(h, l2map, g.l2(ri))) return false;
    if (h.sys.viewOf(l2map).getU32(l2map + 4 * g.l2(ri)) !== 0) arenaAlreadyInitialized();
    const r = h.spanAlloc.allocMeta(g.recordBytes, 8, SysStat.gcMiscSys);
    if (r === 0) return false;
    recs.push(r);
  }
  let len = h.allArenasLen;
  let all = h.allArenasArray;
  const cap = h.allArenasCap;
  if (len + recs.length > cap) {
    let ncap = Math.max(cap * 2, 16);
    while (ncap < len + recs.length) ncap *= 2;
    const na = h.spanAlloc.allocMeta(ncap * 8, 8, SysStat.gcMiscSys);
    if (na === 0) return false;
    for (let i = 0; i < len; i++) h.v.setF64(na + 8 * i, h.v.getF64(all + 8 * i));
    all = na;
    h.allArenasCap = ncap;
  }
  for (let ri = a0; ri <= a1; ri++) {
    const l2map = h.l2Of(g.l1(ri));
    h.v.setF64(all + 8 * len++, ri);
    h.sys.viewOf(l2map).setU32(l2map + 4 * g.l2(ri), (recs[ri - a0]! - h.v.base) / 4);
  }
  h.noteArenas(a0, a1, all, len);
  refreshL2(h);
  return true;
}

/**
 * Go's `spanOf(p)`: the span record the arena map holds for p's page, or 0.
 * As in Go, for a page that is not in use this may be a dead span or one
 * that does not contain p; see {@link spanOfHeap}.
 */
export function spanOf(h: MHeap, p: number): number {
  const g = h.geom;
  const ai = Math.floor((p + g.arenaBaseOffsetAdd) / g.heapArenaBytes);
  if (!(ai >= h.arenaLo && ai <= h.arenaHi)) return 0;
  const v = h.v;
  const hw = g.arenaL1Bits === 0 ? h.l2v.u32[h.l2w + ai]! : (arenaRecord(h, ai) - v.base) / 4;
  if (hw <= 0) return 0;
  const page = Math.floor((p + g.arenaBaseOffsetAdd) / g.pageSize) - ai * g.pagesPerArena;
  const sw = v.u32[hw + page]!;
  return sw === 0 ? 0 : v.base + 4 * sw;
}

/** Go's `spanOfHeap(p)`: the in-use span containing p, or 0. */
export function spanOfHeap(h: MHeap, p: number): number {
  const s = spanOf(h, p);
  if (s === 0) return 0;
  const t = h.spans;
  if (t.state(s) !== mSpanInUse) return 0;
  const base = t.base(s);
  if (p < base || p >= base + t.npages(s) * h.geom.pageSize) return 0;
  return s;
}

/** Go's `setSpans`: points every page of `[base, base+npages·pageSize)` at span s. */
export function setSpans(h: MHeap, base: number, npages: number, s: number): void {
  const g = h.geom;
  const v = h.v;
  const sw = s === 0 ? 0 : (s - v.base) / 4;
  let p = base;
  let left = npages;
  while (left > 0) {
    const ha = arenaRecord(h, g.arenaIndex(p));
    if (ha === 0) throw new RuntimeThrow("setSpans: address not in a registered arena");
    const i = g.pageIndex(p);
    const k = Math.min(left, g.pagesPerArena - i);
    const w = (ha - v.base) / 4 + i;
    // A span is mostly tens of pages: a store loop, as Go's, beats TypedArray `fill`
    // (a builtin call of tens of ns); `fill` only for long runs.
    if (k > 256) {
      v.u32.fill(sw, w, w + k);
    } else {
      const u32 = v.u32;
      for (let j = w; j < w + k; j++) u32[j] = sw;
    }
    left -= k;
    p += k * g.pageSize;
  }
}

/**
 * Sets or clears page p's bit in bitmap `off` of its heapArena record
 * (pageInUse or freed-span-base). Caller must hold the mheap lock.
 */
export function setPageBit(h: MHeap, p: number, off: number, on: boolean): void {
  const g = h.geom;
  const ha = arenaRecord(h, g.arenaIndex(p));
  const i = g.pageIndex(p);
  const a = ha + off + (i >>> 3) - h.v.base;
  const m = 1 << (i & 7);
  const u8 = h.v.u8;
  if (h.v.shared) {
    if (on) Atomics.or(u8, a, m);
    else Atomics.and(u8, a, ~m & 0xff);
  } else if (on) {
    u8[a]! |= m;
  } else {
    u8[a]! &= ~m;
  }
}

/**
 * Clears the bits of pages `[base, base+npages·pageSize)` in bitmap `off` of
 * their heapArena records. Caller must hold the mheap lock.
 */
export function clearPageBits(h: MHeap, base: number, npages: number, off: number): void {
  const g = h.geom;
  const v = h.v;
  let p = base;
  let left = npages;
  while (left > 0) {
    const ha = arenaRecord(h, g.arenaIndex(p));
    if (ha === 0) throw new RuntimeThrow("clearPageBits: address not in a registered arena");
    let i = g.pageIndex(p);
    const k = Math.min(left, g.pagesPerArena - i);
    const end = i + k;
    const a = ha + off - v.base;
    // A byte at a time: the bits of pages [i, min(end, next byte)) of byte i/8.
    // Every writer of these bitmaps holds the mheap lock, so a plain read tells
    // exactly whether a byte has a bit to clear; the atomic write (for readers
    // in other workers) is paid only then — most bytes, here, are already clear.
    const u8 = v.u8;
    while (i < end) {
      const b = i >>> 3;
      const top = Math.min(8, end - (b << 3));
      const m = ((1 << top) - 1) & ~((1 << (i & 7)) - 1);
      if ((u8[a + b]! & m) !== 0) clearBit(v, a + b, m);
      i = (b + 1) << 3;
    }
    left -= k;
    p += k * g.pageSize;
  }
}

function clearBit(v: MemView, byte: number, m: number): void {
  if (v.shared) Atomics.and(v.u8, byte, ~m & 0xff);
  else v.u8[byte]! &= ~m;
}

/** Page p's bit in bitmap `off` of its heapArena record (false outside registered arenas). */
export function pageBitOf(h: MHeap, p: number, off: number): boolean {
  const g = h.geom;
  const ha = arenaRecord(h, g.arenaIndex(p));
  if (ha === 0) return false;
  const i = g.pageIndex(p);
  return ((h.v.u8[ha + off + (i >>> 3) - h.v.base]! >>> (i & 7)) & 1) !== 0;
}

/**
 * Go's `allocNeedsZero`: whether `[base, base+npage·pageSize)` may hold dirty
 * bytes (it lies below its arena's zeroedBase), advancing zeroedBase past it.
 * Caller owns the pages.
 */
export function allocNeedsZero(h: MHeap, base: number, npage: number): boolean {
  const g = h.geom;
  const v = h.v;
  let needZero = false;
  while (npage > 0) {
    const ai = g.arenaIndex(base);
    const ha = arenaRecord(h, ai);
    const zi = (ha - v.base + g.offZeroedBase) / 8;
    const zeroedBase = v.f64[zi]!;
    const arenaBase = base - g.arenaBase(ai);
    if (arenaBase < zeroedBase) needZero = true;
    const arenaLimit = Math.min(arenaBase + npage * g.pageSize, g.heapArenaBytes);
    if (arenaLimit > zeroedBase) v.f64[zi] = arenaLimit;
    base += arenaLimit - arenaBase;
    npage -= (arenaLimit - arenaBase) / g.pageSize;
  }
  return needZero;
}
