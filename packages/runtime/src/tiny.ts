/**
 * The tiny allocator (Go's mallocgcTiny in malloc.go) and what freeing a tiny
 * object means here. Allocations under 16 bytes (all gomalloc objects are
 * noscan) are packed into 16-byte blocks, aligned to 8, 4 or 2 by size
 * (12-byte objects to 8 on 32-bit profiles, as Go does); the mcache keeps its
 * current block (`tiny`, `tinyoffset`, and the u32 index of the block's side
 * word for the inline fast path) and switches to a new one when that leaves
 * more room. The blocks come from {@link tinyBlockSpanClass}, not from Go's
 * tinySpanClass itself, so that no span mixes tiny blocks with ordinary
 * 16-byte objects. Go never frees tiny objects
 * explicitly; gomalloc does, with a side table per tiny span (in managed
 * memory, allocated with the span): for each block, word A holds bit k =
 * "a live object starts at offset k" (k < 16) and bit 16 = "an mcache holds
 * this block"; word B holds bit k = "an object that started at k was freed"
 * and, in bits 16–20, the block's fill mark. Freeing clears the object's A
 * bit (a double free finds it clear and its B bit set; a pointer that is no
 * recorded start is an interior or foreign pointer); when A becomes 0 the
 * block itself is freed like any small object and pushed on the P's
 * tiny-block reuse stack, where the next new block is looked for first. The
 * usable size of a tiny object runs to the next recorded start, or to the
 * fill mark. Words are updated with Atomics when the memory is shared. See
 * docs/design.md, "Tiny".
 */
import { F_tinySide } from "@gomalloc/mheap";
import type { SizeClasses } from "@gomalloc/sizeclass";
import { DoubleFreeError, ForeignPointerError, InteriorPointerError } from "./errors.js";
import { freeInSpan } from "./free.js";
import type { Heap } from "./heap.js";
import { memclr, nextFreeSlow, profileAlloc } from "./malloc.js";
import {
  MC_TINY,
  MC_TINY_ALLOCS,
  MC_TINY_OFFSET,
  MC_TINY_SIDE,
  reusePop,
  reusePushFreed,
  tinyReuseStack,
} from "./mcache.js";

/** Go's maxTinySize: the tiny block size. */
export const maxTinySize = 16;
/** Word A bit: an mcache holds the block as its current tiny block. */
export const tinyHeld = 1 << 16;
/** Bytes of a tiny span's side table entry per block (words A and B). */
export const tinySideEntryBytes = 8;

/** Bytes of the side table of a tiny span (the heap allocates one with each tiny span). */
export function tinySideBytes(nelems: number): number {
  return nelems * tinySideEntryBytes;
}

/**
 * The span class of gomalloc's tiny blocks: the scan twin of Go's
 * tinySpanClass (same size class, noscan bit clear). Every gomalloc object
 * is noscan, so nothing else allocates from it, and a span holds either tiny
 * blocks or ordinary 16-byte objects, never both — where Go takes both from
 * tinySpanClass. `free` can then tell the two apart from the span class alone.
 */
export function tinyBlockSpanClass(sc: SizeClasses): number {
  return sc.tinySpanClass & ~1;
}

/** Go's tiny alignment by size (1..15) as a mask: 8, 4 or 2 bytes, and 12-byte objects to 8 on 32-bit profiles. */
export function tinyAlignMasks(ptrSize: number): Uint8Array {
  const m = new Uint8Array(maxTinySize);
  for (let size = 1; size < maxTinySize; size++) {
    if ((size & 7) === 0 || (ptrSize === 4 && size === 12)) m[size] = 7;
    else if ((size & 3) === 0) m[size] = 3;
    else if ((size & 1) === 0) m[size] = 1;
  }
  return m;
}

/** u32 index of block i's word A in the view. */
function sideIndex(heap: Heap, s: number, block: number): number {
  const t = heap.t;
  const side = t.getU32(s, F_tinySide);
  const i = Math.floor((block - t.base(s)) / maxTinySize);
  return side + 2 * i;
}

function orWord(heap: Heap, i: number, bits: number): number {
  const v = heap.v;
  if (v.shared) return Atomics.or(v.i32, i, bits) | bits;
  const n = (v.i32[i]! | bits) >>> 0;
  v.u32[i] = n;
  return n;
}

function andWord(heap: Heap, i: number, mask: number): number {
  const v = heap.v;
  if (v.shared) return Atomics.and(v.i32, i, mask) & mask;
  const n = (v.i32[i]! & mask) >>> 0;
  v.u32[i] = n;
  return n;
}

/** Sets the fill mark (bits 16–20 of word B), keeping the freed-start bits another worker may be setting. */
function setFill(heap: Heap, i: number, fill: number): void {
  const v = heap.v;
  if (!v.shared) {
    v.u32[i] = (v.u32[i]! & 0xffff) | (fill << 16);
    return;
  }
  for (;;) {
    const old = Atomics.load(v.i32, i);
    if (Atomics.compareExchange(v.i32, i, old, (old & 0xffff) | (fill << 16)) === old) return;
  }
}

/**
 * Frees the tiny block at `block` as a 16-byte object, counts it and pushes
 * it on the P's tiny-block reuse stack (its A word reached 0).
 */
function freeBlock(heap: Heap, s: number, block: number): void {
  freeInSpan(heap, s, block);
  const v = heap.v;
  const mc = heap.mc;
  const at = mc + heap.layout.smallFreeCount + 8 * heap.sizeClasses.tinySizeClass;
  v.setF64(at, v.getF64(at) + 1);
  reusePushFreed(heap, tinyReuseStack, s, (block - heap.t.base(s)) / maxTinySize);
}

/** Go's tiny path of mallocgc: a zeroed tiny object of `size` (1..15) bytes, or 0 when memory is exhausted. */
export function mallocTiny(heap: Heap, size: number): number {
  const v = heap.v;
  const mc = heap.mc;
  const m = heap.tinyAlign[size]!;
  const off = (v.getU32(mc + MC_TINY_OFFSET) + m) & ~m;
  const tiny = v.getF64(mc + MC_TINY);
  if (off + size <= maxTinySize && tiny !== 0) {
    const s = heap.h.spanOf(tiny);
    const i = sideIndex(heap, s, tiny);
    orWord(heap, i, 1 << off);
    setFill(heap, i + 1, off + size);
    v.setU32(mc + MC_TINY_OFFSET, off + size);
    v.setF64(mc + MC_TINY_ALLOCS, v.getF64(mc + MC_TINY_ALLOCS) + 1);
    return tiny + off;
  }
  // A new block: one whose objects were all freed through this P, else the mcache's span.
  let x = reusePop(heap, heap.tinySpc);
  if (x !== 0) return newTinyBlock(heap, x, sideIndex(heap, heap.h.spanOf(x), x), size);
  x = nextFreeSlow(heap, heap.tinySpc);
  if (x === 0) return 0;
  return newTinyBlock(heap, x, sideIndex(heap, heap.lastSpan, x), size);
}

/**
 * The second half of Go's tiny path: x is a block just taken from a tiny
 * span (i the u32 index of its side word A). Zeroes it (Go does), records a
 * `size`-byte object at its start, makes it the mcache's current block if it
 * leaves more room than the current one (releasing that one), and counts the
 * allocation for the heap profile. Returns x.
 */
export function newTinyBlock(heap: Heap, x: number, i: number, size: number): number {
  const v = heap.v;
  const mc = heap.mc;
  if (heap.flatView) {
    const k = x / 4; // one view from address 0 covers the objects: clear the block in place
    v.u32[k] = 0;
    v.u32[k + 1] = 0;
    v.u32[k + 2] = 0;
    v.u32[k + 3] = 0;
  } else {
    memclr(heap, x, maxTinySize);
  }
  if (v.shared) {
    Atomics.store(v.i32, i + 1, size << 16);
    Atomics.store(v.i32, i, 1);
  } else {
    v.u32[i + 1] = size << 16;
    v.u32[i] = 1;
  }
  if (size < v.getU32(mc + MC_TINY_OFFSET) || v.getF64(mc + MC_TINY) === 0) {
    releaseTinyBlock(heap);
    orWord(heap, i, tinyHeld);
    v.setF64(mc + MC_TINY, x);
    v.setU32(mc + MC_TINY_OFFSET, size);
    v.setU32(mc + MC_TINY_SIDE, i);
  }
  profileAlloc(heap, x, maxTinySize);
  return x;
}

/** The mcache lets go of its tiny block; the block is freed if no object in it is live. */
export function releaseTinyBlock(heap: Heap): void {
  const v = heap.v;
  const mc = heap.mc;
  const tiny = v.getF64(mc + MC_TINY);
  const i = v.getU32(mc + MC_TINY_SIDE); // the block's word A (HI4), so no span lookup unless it is freed
  v.setF64(mc + MC_TINY, 0);
  v.setU32(mc + MC_TINY_OFFSET, 0);
  v.setU32(mc + MC_TINY_SIDE, 0);
  if (tiny === 0) return;
  if (andWord(heap, i, ~tinyHeld) === 0) freeBlock(heap, heap.h.spanOf(tiny), tiny);
}

/** What p is inside a tiny span: an index of its block's word A, or this. */
const NOT_LIVE = -1;

/**
 * Classifies p inside tiny span s: returns the u32 index of its block's word
 * A for a live tiny object, NOT_LIVE for the start of a block with no live
 * object (word A = 0: a block already freed, or never handed out — the span
 * layer's free and isFree tell which, with their typed errors), or throws
 * the misuse error.
 */
function classifyTiny(heap: Heap, s: number, p: number, op: string): number {
  const t = heap.t;
  const base = t.base(s);
  const block = base + Math.floor((p - base) / maxTinySize) * maxTinySize;
  const off = p - block;
  const i = sideIndex(heap, s, block);
  const v = heap.v;
  const a = v.u32[i]!;
  const bit = 1 << off;
  if ((a & bit) !== 0) return i;
  if (a === 0 && off === 0) return NOT_LIVE;
  const b = v.u32[i + 1]!;
  if ((b & bit) !== 0) {
    if (op === "free") throw new DoubleFreeError(p, s);
    throw new ForeignPointerError(p, s, "not an allocated object (freed)");
  }
  const lower = (a | b) & 0xffff & (bit - 1);
  if (lower !== 0 || a === 0) throw new InteriorPointerError(p, lower !== 0 ? block + 31 - Math.clz32(lower) : block);
  throw new ForeignPointerError(p, s, "not the start of a tiny object");
}

/**
 * Frees the tiny object at p in tiny span s (see the file header). Returns
 * false for the start of a block with no live object, which the caller hands
 * to the span layer's free to report (a double free).
 */
export function freeTiny(heap: Heap, s: number, p: number): boolean {
  const i = classifyTiny(heap, s, p, "free");
  if (i === NOT_LIVE) return false;
  const base = heap.t.base(s);
  const block = base + Math.floor((p - base) / maxTinySize) * maxTinySize;
  const bit = 1 << (p - block);
  orWord(heap, i + 1, bit);
  if (andWord(heap, i, ~bit) === 0) freeBlock(heap, s, block);
  return true;
}

/**
 * The usable size of the live tiny object at p: to the next recorded start,
 * or to the block's fill mark; -1 for the start of a block with no live
 * object (the caller checks it as a small object, which reports it).
 */
export function tinyUsableSize(heap: Heap, s: number, p: number): number {
  const i = classifyTiny(heap, s, p, "usableSize");
  if (i === NOT_LIVE) return -1;
  const base = heap.t.base(s);
  const off = (p - base) % maxTinySize;
  const v = heap.v;
  const starts = (v.u32[i]! | v.u32[i + 1]!) & 0xffff & ~((2 << off) - 1);
  const end = starts !== 0 ? 31 - Math.clz32(starts & -starts) : (v.u32[i + 1]! >>> 16) & 31;
  return end - off;
}

/** Whether the tiny object at p (in tiny span s) is live; no throw. For checkers. */
export function tinyLive(heap: Heap, s: number, p: number): boolean {
  const base = heap.t.base(s);
  const block = base + Math.floor((p - base) / maxTinySize) * maxTinySize;
  return (heap.v.u32[sideIndex(heap, s, block)]! & (1 << (p - block))) !== 0;
}
