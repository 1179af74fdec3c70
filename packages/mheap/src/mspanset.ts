/**
 * Go's `spanSet` (mspanset.go): a set of spans that many workers push to and
 * pop from without a lock. Spans sit in blocks of `spanSetBlockEntries`
 * slots; a spine array points at the blocks; `head` and `tail` are
 * indexes into the concatenation of all blocks. push claims a slot by
 * incrementing tail, pop claims one by compare-and-swapping head; only
 * growing the spine takes the set's spine lock. Blocks whose every slot was
 * popped go back to a heap-wide pool. Go packs head and tail in one 64-bit
 * word; here they are two 32-bit words, which is enough because tail only
 * grows between resets (and resets happen with no concurrent push or pop).
 *
 * Everything is in managed memory under the heap's metadata view; spans,
 * blocks and spines are named by 32-bit ids (`(addr − view.base) / 8 + 1`,
 * 0 = nil) so slots can be read and written with Atomics. When metadata
 * memory runs out, a span that cannot get a slot goes to the set's overflow
 * list (an mSpanList under the spine lock), so a push never fails.
 * See docs/design.md, "mcentral and span sets".
 */
import { Mutex, RuntimeThrow, SysStat } from "@gomalloc/os-mem";
import { F_next, MSpanList, mSpanListBytes } from "@gomalloc/span";
import { lockRankSpanSetSpine, type MHeap } from "./mheap.js";

/**
 * Go's `spanSetBlockEntries`, 64 here where Go has 512: every span class has
 * four sets and each non-empty set holds a block, so Go's 2 KiB blocks (as
 * 32-bit ids) cost a small flat heap — whose buffer holds every metadata
 * byte — hundreds of KiB for a few hundred spans. 64 slots keep a block at
 * 264 bytes; a set with more spans chains more blocks, as in Go.
 */
export const spanSetBlockEntries = 64;
/** Go's `spanSetInitSpineCap` (256), 8 here for the same reason: a spine doubles as it grows. */
export const spanSetInitSpineCap = 8;

// spanSet record (byte offsets): i32 spineLock, u32 spineLen, u32 spineCap,
// i32 head, i32 tail, u32 spine id, then the overflow list head (16 bytes).
const S_LOCK = 0;
const S_SPINE_LEN = 4;
const S_SPINE_CAP = 8;
const S_HEAD = 12;
const S_TAIL = 16;
const S_SPINE = 20;
const S_OVERFLOW = 24;
/** Bytes of a spanSet record. */
export const spanSetBytes = S_OVERFLOW + mSpanListBytes;

// Block: u32 popped, u32 pool link, then spanSetBlockEntries u32 span ids.
const B_POPPED = 0;
const B_NEXT = 4;
const B_SPANS = 8;
/** Bytes of a spanSet block. */
export const spanSetBlockBytes = B_SPANS + 4 * spanSetBlockEntries;

/** The 32-bit id of a metadata address (8-aligned, under the heap's view); 0 for 0. */
export function metaId(h: MHeap, addr: number): number {
  return addr === 0 ? 0 : (addr - h.v.base) / 8 + 1;
}

/** The address of a metadata id (0 for 0). */
export function metaAddr(h: MHeap, id: number): number {
  return id === 0 ? 0 : h.v.base + (id - 1) * 8;
}

function i32Index(h: MHeap, a: number): number {
  return (a - h.v.base) / 4;
}

function load(h: MHeap, a: number): number {
  const v = h.v;
  return (v.shared ? Atomics.load(v.i32, i32Index(h, a)) : v.i32[i32Index(h, a)]!) >>> 0;
}

function store(h: MHeap, a: number, x: number): void {
  const v = h.v;
  if (v.shared) Atomics.store(v.i32, i32Index(h, a), x | 0);
  else v.i32[i32Index(h, a)] = x | 0;
}

/** The set's spine lock; one handle per set and heap handle, made on first use (not one per push). */
function spineLock(h: MHeap, set: number): Mutex {
  let m = h.spineLocks.get(set);
  if (m === undefined) {
    m = new Mutex(h.v, i32Index(h, set + S_LOCK), { name: "spanSet spine", rank: lockRankSpanSetSpine });
    h.spineLocks.set(set, m);
  }
  return m;
}

function overflow(h: MHeap, set: number): MSpanList {
  return new MSpanList(h.spans, h.v, set + S_OVERFLOW);
}

/** Initialises an empty set at `set` (zeroed memory is already one). */
export function spanSetInit(h: MHeap, set: number): void {
  h.v.u8.fill(0, set - h.v.base, set - h.v.base + spanSetBytes);
}

/** A block from the pool or fresh metadata memory, or 0. Caller must hold the mheap lock. */
function blockAlloc(h: MHeap): number {
  const head = h.getField("blockPool");
  if (head !== 0) {
    const b = metaAddr(h, head);
    h.setField("blockPool", h.v.getU32(b + B_NEXT));
    return b;
  }
  return h.spanAlloc.allocMeta(spanSetBlockBytes, 8, SysStat.gcMiscSys);
}

/** Go's `spanSetBlockPool.free`. */
function blockFree(h: MHeap, b: number): void {
  h.lock();
  try {
    store(h, b + B_POPPED, 0);
    h.v.setU32(b + B_NEXT, h.getField("blockPool"));
    h.setField("blockPool", metaId(h, b));
  } finally {
    h.unlock();
  }
}

/** Number of spans in the set (ring plus overflow); racy under concurrency, exact when quiet. */
export function spanSetLen(h: MHeap, set: number): number {
  let n = load(h, set + S_TAIL) - load(h, set + S_HEAD);
  for (let s = overflow(h, set).first; s !== 0; s = h.spans.getF64(s, F_next)) n++;
  return n;
}

/** Go's `spanSet.push`: adds span s. Never fails (see the file header). */
export function spanSetPush(h: MHeap, set: number, s: number): void {
  const v = h.v;
  const ti = i32Index(h, set + S_TAIL);
  const tail = (v.shared ? Atomics.add(v.i32, ti, 1) : v.i32[ti]!++) >>> 0;
  if (tail === 0xffffffff) throw new RuntimeThrow("headTailIndex overflow");
  const top = Math.floor(tail / spanSetBlockEntries);
  const bottom = tail % spanSetBlockEntries;
  let block = 0;
  if (top < load(h, set + S_SPINE_LEN)) {
    block = metaAddr(h, load(h, metaAddr(h, load(h, set + S_SPINE)) + 4 * top));
  } else {
    const m = spineLock(h, set);
    m.lock();
    try {
      const spineLen = load(h, set + S_SPINE_LEN);
      if (top < spineLen) {
        block = metaAddr(h, load(h, metaAddr(h, load(h, set + S_SPINE)) + 4 * top));
      } else {
        block = growSpine(h, set, top);
        if (block === 0) {
          // No metadata memory: the slot is claimed but never filled; park the
          // span on the overflow list and mark the slot as a hole.
          overflow(h, set).insertBack(s);
          holes(h, set, tail);
          return;
        }
      }
    } finally {
      m.i32 = h.v.i32; // growing the spine may have replaced a non-shared wasm memory's arrays
      m.unlock();
    }
  }
  store(h, block + B_SPANS + 4 * bottom, metaId(h, s));
}

/** Spine growth under the spine lock: a new block at index `top`; 0 if memory is refused. */
function growSpine(h: MHeap, set: number, top: number): number {
  const v = h.v;
  const spineLen = load(h, set + S_SPINE_LEN);
  if (top !== spineLen) throw new RuntimeThrow("spanSet: spine grows out of order");
  h.lock();
  try {
    let cap = load(h, set + S_SPINE_CAP);
    let spine = metaAddr(h, load(h, set + S_SPINE));
    if (spineLen === cap) {
      const ncap = cap === 0 ? spanSetInitSpineCap : cap * 2;
      const ns = h.spanAlloc.allocMeta(4 * ncap, 8, SysStat.gcMiscSys);
      if (ns === 0) return 0;
      if (cap !== 0) v.u8.copyWithin(ns - v.base, spine - v.base, spine - v.base + 4 * cap);
      spine = ns;
      cap = ncap;
      store(h, set + S_SPINE, metaId(h, ns));
      store(h, set + S_SPINE_CAP, ncap);
    }
    const block = blockAlloc(h);
    if (block === 0) return 0;
    v.u8.fill(0, block - v.base, block - v.base + spanSetBlockBytes);
    store(h, spine + 4 * top, metaId(h, block));
    store(h, set + S_SPINE_LEN, spineLen + 1);
    return block;
  } finally {
    h.unlock();
  }
}

/**
 * A claimed slot that could not be filled (no block for it): takes the slot
 * back, which succeeds unless another worker pushed meanwhile (then a pop of
 * that slot would wait for it; multi-worker metadata exhaustion is not handled
 * yet). Caller holds the spine lock.
 */
function holes(h: MHeap, set: number, tail: number): void {
  const v = h.v;
  const ti = i32Index(h, set + S_TAIL);
  if (v.shared) Atomics.compareExchange(v.i32, ti, (tail + 1) | 0, tail | 0);
  else if (v.i32[ti]! >>> 0 === tail + 1) v.i32[ti] = tail | 0;
}

/** Go's `spanSet.pop`: removes and returns some span, or 0 when the set is empty. */
export function spanSetPop(h: MHeap, set: number): number {
  const v = h.v;
  const hi = i32Index(h, set + S_HEAD);
  let head = 0;
  for (;;) {
    head = load(h, set + S_HEAD);
    const tail = load(h, set + S_TAIL);
    if (head >= tail) return popOverflow(h, set);
    if (load(h, set + S_SPINE_LEN) <= Math.floor(head / spanSetBlockEntries)) return popOverflow(h, set);
    if (v.shared) {
      if (Atomics.compareExchange(v.i32, hi, head | 0, (head + 1) | 0) >>> 0 === head) break;
    } else {
      v.i32[hi] = (head + 1) | 0;
      break;
    }
  }
  const top = Math.floor(head / spanSetBlockEntries);
  const bottom = head % spanSetBlockEntries;
  const spine = metaAddr(h, load(h, set + S_SPINE));
  const blockp = spine + 4 * top;
  const block = metaAddr(h, load(h, blockp));
  const slot = block + B_SPANS + 4 * bottom;
  let id = load(h, slot);
  // A pusher claimed the slot and is about to fill it: wait (Go spins too).
  for (let spins = 0; id === 0; spins++) {
    if (spins > 1e7) throw new RuntimeThrow("spanSet.pop: slot never filled");
    id = load(h, slot);
  }
  store(h, slot, 0);
  const pi = i32Index(h, block + B_POPPED);
  const popped = v.shared ? Atomics.add(v.i32, pi, 1) + 1 : ++v.i32[pi]!;
  if (popped === spanSetBlockEntries) {
    store(h, blockp, 0);
    blockFree(h, block);
  }
  return metaAddr(h, id);
}

function popOverflow(h: MHeap, set: number): number {
  if (h.v.getF64(set + S_OVERFLOW) === 0) return 0;
  const l = overflow(h, set);
  const m = spineLock(h, set);
  m.lock();
  try {
    const s = l.first;
    if (s !== 0) l.remove(s);
    return s;
  } finally {
    m.unlock();
  }
}

/**
 * Go's `spanSet.reset`: empties an empty set's indexes and returns its last,
 * partly popped block to the pool. Throws Go's "attempt to clear non-empty
 * span set" otherwise. No push or pop may run concurrently.
 */
export function spanSetReset(h: MHeap, set: number): void {
  const head = load(h, set + S_HEAD);
  const tail = load(h, set + S_TAIL);
  if (head < tail || h.v.getF64(set + S_OVERFLOW) !== 0) throw new RuntimeThrow("attempt to clear non-empty span set");
  const top = Math.floor(head / spanSetBlockEntries);
  if (top < load(h, set + S_SPINE_LEN)) {
    const blockp = metaAddr(h, load(h, set + S_SPINE)) + 4 * top;
    const block = metaAddr(h, load(h, blockp));
    if (block !== 0) {
      const popped = load(h, block + B_POPPED);
      if (popped === 0) throw new RuntimeThrow("span set block with unpopped elements found in reset");
      if (popped === spanSetBlockEntries) throw new RuntimeThrow("fully empty unfreed span set block found in reset");
      store(h, blockp, 0);
      blockFree(h, block);
    }
  }
  store(h, set + S_HEAD, 0);
  store(h, set + S_TAIL, 0);
  store(h, set + S_SPINE_LEN, 0);
}

/** The spans in the set, in pop order (ring, then overflow). Not safe under concurrency; for checkers. */
export function spanSetContents(h: MHeap, set: number): number[] {
  const out: number[] = [];
  const head = load(h, set + S_HEAD);
  const tail = load(h, set + S_TAIL);
  const spine = metaAddr(h, load(h, set + S_SPINE));
  for (let i = head; i < tail; i++) {
    const block = metaAddr(h, load(h, spine + 4 * Math.floor(i / spanSetBlockEntries)));
    if (block === 0) continue;
    const id = load(h, block + B_SPANS + 4 * (i % spanSetBlockEntries));
    if (id !== 0) out.push(metaAddr(h, id));
  }
  for (let s = overflow(h, set).first; s !== 0; s = h.spans.getF64(s, F_next)) out.push(s);
  return out;
}
