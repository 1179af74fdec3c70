/**
 * The tiny allocator (Go's mallocgcTiny in malloc.go) and what freeing a tiny
 * object means here. Allocations under 16 bytes (all gomalloc objects are
 * noscan) are packed into 16-byte blocks, aligned to 8, 4 or 2 by size
 * (12-byte objects to 8 on 32-bit profiles, as Go does); the mcache keeps its
 * current block (`tiny`, `tinyoffset`, and the u32 index of the block's side
 * word for the inline fast path) and switches to a new one when that leaves
 * more room. A new block that would not become the held one can never get a
 * second object: it is an ordinary 16-byte object of Go's tinySpanClass
 * (what Go's block would be), freed like any small object. Blocks that are
 * held come from {@link tinyBlockSpanClass}, not from tinySpanClass itself,
 * so that no span mixes shared blocks with ordinary 16-byte objects. Go
 * never frees tiny objects explicitly; gomalloc does,
 * with a side table per tiny span (in managed memory, allocated with the
 * span). Each block has two u32 words, split by writer:
 *
 * - word A, the **holder's**: bit k = "an object started at offset k" in
 *   this life of the block (k < 16), bits 16–20 the fill mark. Only the P
 *   that took the block from the span writes it (plain stores: one per
 *   allocation), and never after it released the block.
 * - word B, **everyone's**: bit k = "the object that started at k was
 *   freed", set by whichever P frees it (`Atomics.or` when several Ps run),
 *   and bit 16 = "an mcache holds this block", cleared by the holder's
 *   release (`Atomics.and`).
 *
 * Live objects are A & ~B (bits 0–15). Freeing sets the object's B bit (a
 * set bit is a double free; a pointer that is no start in A is an interior
 * or foreign pointer). The block itself is freed — like any small object,
 * and pushed on the P's tiny-block reuse stack, where the next new block is
 * looked for first — by exactly one party: the free whose read-modify-write
 * of B leaves no live object while the held bit is clear, or the release
 * that clears the held bit when no live object is left. Both decide on one
 * value returned by a read-modify-write of B, so they cannot both see the
 * block empty; a freer re-reads A after its RMW (that RMW is ordered after
 * the holder's release, so it sees the holder's last starts). The usable
 * size of a tiny object runs to the next start, or to the fill mark. See
 * docs/design.md, "Tiny".
 */
import { F_tinySide } from "@gomalloc/mheap";
import type { SizeClasses } from "@gomalloc/sizeclass";
import { DoubleFreeError, ForeignPointerError, InteriorPointerError } from "./errors.js";
import { freeInSpan } from "./free.js";
import type { Heap } from "./heap.js";
import { mallocSmall, nextFreeSlow, profileAlloc } from "./malloc.js";
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
/** Word B bit: an mcache holds the block as its current tiny block. */
export const tinyHeld = 1 << 16;
/** Word A's fill mark: bits 16–20. */
export const tinyFillShift = 16;
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

/** B |= bits (atomically with several Ps); returns B's old value. */
function orB(heap: Heap, i: number, bits: number): number {
  const v = heap.v;
  if (heap.atomic) return Atomics.or(v.i32, i, bits) >>> 0;
  const old = v.u32[i]!;
  v.u32[i] = old | bits;
  return old;
}

/** Live starts of a block: word A's starts not freed in word B (bits 0–15). */
export function liveStarts(a: number, b: number): number {
  return a & ~b & 0xffff;
}

/** The start of the tiny block holding p in tiny span s. */
function blockOf(heap: Heap, s: number, p: number): number {
  const base = heap.t.base(s);
  return base + Math.floor((p - base) / maxTinySize) * maxTinySize;
}

/**
 * Frees the tiny block at `block` as a 16-byte object, counts it and pushes
 * it on the P's tiny-block reuse stack (it has no live object and no holder,
 * and this P's RMW of word B was the one that saw it so).
 */
function freeBlock(heap: Heap, s: number, block: number): void {
  freeInSpan(heap, s, block);
  const v = heap.v;
  const mc = heap.mc;
  const at = mc + heap.layout.smallFreeCount + 8 * heap.sizeClasses.tinySizeClass;
  v.setF64(at, v.getF64(at) + 1);
  reusePushFreed(heap, tinyReuseStack, s, (block - heap.t.base(s)) / maxTinySize);
}

/**
 * Go's tiny path of mallocgc: a tiny object of `size` (1..15) bytes, or 0
 * when memory is exhausted. Packed into the held block when it fits; else a
 * new block, which becomes the held one when it leaves more room (Go's
 * rule) and is otherwise a 16-byte object of Go's tinySpanClass (nothing
 * will ever be packed beside it). Not cleared (see {@link newTinyBlock}).
 */
export function mallocTiny(heap: Heap, size: number): number {
  const v = heap.v;
  const mc = heap.mc;
  const m = heap.tinyAlign[size]!;
  const tinyoffset = v.getU32(mc + MC_TINY_OFFSET);
  const off = (tinyoffset + m) & ~m;
  const tiny = v.getF64(mc + MC_TINY);
  if (off + size <= maxTinySize && tiny !== 0) {
    const i = v.getU32(mc + MC_TINY_SIDE); // word A: the holder's own, a plain store
    v.u32[i] = (v.u32[i]! & 0xffff) | (1 << off) | ((off + size) << tinyFillShift);
    v.setU32(mc + MC_TINY_OFFSET, off + size);
    v.setF64(mc + MC_TINY_ALLOCS, v.getF64(mc + MC_TINY_ALLOCS) + 1);
    return tiny + off;
  }
  if (tiny !== 0 && size >= tinyoffset) return mallocSmall(heap, maxTinySize, false);
  // A new held block: one whose objects were all freed through this P, else the mcache's span.
  let x = reusePop(heap, heap.tinySpc);
  if (x !== 0) return newTinyBlock(heap, x, sideIndex(heap, heap.h.spanOf(x), x), size);
  x = nextFreeSlow(heap, heap.tinySpc);
  if (x === 0) return 0;
  return newTinyBlock(heap, x, sideIndex(heap, heap.lastSpan, x), size);
}

/**
 * The second half of Go's tiny path for a block that becomes the held one:
 * x is a block just taken from a tiny-block span (i the u32 index of its
 * side word A). Records a `size`-byte object at its start, makes it the
 * mcache's current block (releasing the old one), and counts the allocation
 * for the heap profile. Returns x. The block's bytes are left as they are:
 * Go clears every tiny block (its objects must start zeroed); gomalloc's
 * `malloc` returns memory as it is, and `calloc` / `{ zero: true }` clear
 * the object (a block off the reuse stack holds an earlier life's bytes).
 * Clearing it here touched the object's cache line on every new block:
 * mixed and bulk replays ran 1–6 % slower.
 */
export function newTinyBlock(heap: Heap, x: number, i: number, size: number): number {
  // Nobody else touches a block just taken from its span: plain stores start its life.
  const v = heap.v;
  v.u32[i] = 1 | (size << tinyFillShift);
  v.u32[i + 1] = tinyHeld;
  releaseTinyBlock(heap);
  const mc = heap.mc;
  v.setF64(mc + MC_TINY, x);
  v.setU32(mc + MC_TINY_OFFSET, size);
  v.setU32(mc + MC_TINY_SIDE, i);
  if (heap.sampling) profileAlloc(heap, x, maxTinySize);
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
  let b: number; // B before the held bit is cleared: every free ordered before the release
  if (heap.atomic) b = Atomics.and(v.i32, i + 1, ~tinyHeld) >>> 0;
  else {
    b = v.u32[i + 1]!;
    v.u32[i + 1] = b & ~tinyHeld;
  }
  if (liveStarts(v.u32[i]!, b) === 0) freeBlock(heap, heap.h.spanOf(tiny), tiny);
}

/** What p is inside a tiny span: an index of its block's word A, or this. */
const NOT_LIVE = -1;

/**
 * Classifies p inside tiny span s: returns the u32 index of its block's word
 * A for a live tiny object, NOT_LIVE for the start of a block with no live
 * object that no mcache holds (a block already freed, or never handed out —
 * the span layer's free and isFree tell which, with their typed errors), or
 * throws the misuse error.
 */
function classifyTiny(heap: Heap, s: number, p: number, op: string): number {
  const block = blockOf(heap, s, p);
  const off = p - block;
  const i = sideIndex(heap, s, block);
  const v = heap.v;
  const a = v.u32[i]!;
  const b = v.u32[i + 1]!;
  const bit = 1 << off;
  const live = liveStarts(a, b);
  if ((live & bit) !== 0) return i;
  const dead = live === 0 && (b & tinyHeld) === 0; // the words are what its last life left
  if (dead && off === 0) return NOT_LIVE;
  if ((a & b & bit) !== 0) {
    if (op === "free") throw new DoubleFreeError(p, s);
    throw new ForeignPointerError(p, s, "not an allocated object (freed)");
  }
  const lower = a & 0xffff & (bit - 1);
  if (lower !== 0 || dead) throw new InteriorPointerError(p, lower !== 0 ? block + 31 - Math.clz32(lower) : block);
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
  const block = blockOf(heap, s, p);
  const bit = 1 << (p - block);
  const b = orB(heap, i + 1, bit);
  if ((b & bit) !== 0) throw new DoubleFreeError(p, s); // another P freed it first
  // Re-read A after the RMW: a holder that released the block before it stored its last starts first.
  if ((b & tinyHeld) === 0 && liveStarts(heap.v.u32[i]!, b | bit) === 0) freeBlock(heap, s, block);
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
  const off = p - blockOf(heap, s, p);
  const a = heap.v.u32[i]!;
  const starts = a & 0xffff & ~((2 << off) - 1);
  const end = starts !== 0 ? 31 - Math.clz32(starts & -starts) : (a >>> tinyFillShift) & 31;
  return end - off;
}

/** Whether the tiny object at p (in tiny span s) is live; no throw. For checkers. */
export function tinyLive(heap: Heap, s: number, p: number): boolean {
  const block = blockOf(heap, s, p);
  const i = sideIndex(heap, s, block);
  const u = heap.v.u32;
  return (liveStarts(u[i]!, u[i + 1]!) & (1 << (p - block))) !== 0;
}
