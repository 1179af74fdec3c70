/**
 * Dead-worker recovery (the fault half of "Many workers, one heap"): what a
 * P's fast paths may leave half-done when their worker is stopped between two
 * stores, and how `Heap.reclaimP` repairs it before flushing the P. Fast
 * paths take no lock, so stopping in one never leaves a lock held; they
 * write a span's allocCache, then freeindex, then allocCount (malloc), set a
 * freed bit (free; a span keeps no freed count, so a free is one store), or
 * clear a freed bit (reuse). allocCount can be recomputed from the bitmaps
 * of a span the dead P cached, which nobody else sweeps: the number of
 * objects in allocBits or below freeindex. A reuse-stack claim stopped while
 * it held a bit unchecked is undone (its stack's claim word says so). The
 * allocCache is rebuilt from freeindex when the span is next handed out.
 * The mcache's tinyoffset is raised to its tiny block's fill mark (an
 * allocation stores the block's word A, then tinyoffset). Not repaired: a
 * worker stopped between the two steps of a tiny free that emptied a block
 * (word B's RMW, then the block's freed bit) strands that block — any P's,
 * and no scan can tell it from a live P's free between those same steps. Slow
 * paths mark the P (`inSlow`), and a P that died with the mark is refused. See docs/design.md, "Many workers, one heap".
 */
import { F_tinySide } from "@gomalloc/mheap";
import { F_allocBits, F_allocCount, F_freeindex, F_nelems, onesCount32 } from "@gomalloc/span";
import type { Heap } from "./heap.js";
import { MC_ALLOC, MC_TINY, MC_TINY_OFFSET, reuseStride } from "./mcache.js";
import { maxTinySize, tinyFillShift } from "./tiny.js";

/** Repairs the counts of every span P `heap.p` caches and its tiny block (see the file header). Caller holds the mcentral lock. */
export function repairP(heap: Heap): void {
  const v = heap.v;
  const u = v.u32;
  const t = heap.t;
  const mc = heap.mc;
  // A reuse-stack claim stopped while it held the object's bit: the object was never handed
  // out, so its bit goes back (the popped entry sits just above the count).
  for (let c = 0; c < heap.sizeClasses.numSizeClasses; c++) {
    const rb = heap.reuseU + c * reuseStride;
    if (u[rb + 1] === 2) {
      const e = rb + 2 + 3 * u[rb]!;
      const [idx, fb] = [u[e + 1]!, u[e + 2]!];
      Atomics.or(v.i32, fb, 1 << (idx & 31));
    }
    u[rb + 1] = 0;
  }
  for (let spc = 0; spc < heap.sizeClasses.numSpanClasses; spc++) {
    const s = v.getF64(mc + MC_ALLOC + 8 * spc);
    if (s === heap.emptymspan) continue;
    const w = (s - v.base) / 4;
    const nelems = u[w + F_nelems / 4]!;
    const fi = u[w + F_freeindex / 4]!;
    const ab = u[w + F_allocBits / 4]!;
    let alloc = 0;
    for (let i = 0; i < Math.ceil(nelems / 32); i++) {
      const lo = i * 32;
      const below = fi >= lo + 32 ? 0xffffffff : fi <= lo ? 0 : (1 << (fi - lo)) - 1;
      const top = nelems >= lo + 32 ? 0xffffffff : (1 << (nelems - lo)) - 1;
      alloc += onesCount32((u[ab + i]! | below) & top);
    }
    t.setU32(s, F_allocCount, alloc);
  }
  const tiny = v.getF64(mc + MC_TINY);
  if (tiny !== 0) {
    const s = heap.h.spanOf(tiny);
    const side = t.getU32(s, F_tinySide) + 2 * Math.floor((tiny - t.base(s)) / maxTinySize);
    // Word A (starts and fill mark) is one store, made before tinyoffset follows it.
    const fill = Math.max((u[side]! >>> tinyFillShift) & 31, v.getU32(mc + MC_TINY_OFFSET));
    v.setU32(mc + MC_TINY_OFFSET, fill);
  }
}
