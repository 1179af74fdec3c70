/**
 * The heap-wide invariant checker: mheap's checks (arenas, page map, page
 * allocator, statistics: MH1–MH5, PA1–PA5, SI1–SI2, AR1–AR3) and mcentral's (MC1–MC3), every
 * in-use span's bitmaps (S1–S9), and the runtime's own formulas, recomputed
 * slowly from the records:
 *
 * - HI1: every mcache's `alloc[spc]` is the empty span or an in-use span of
 *   class spc cached at this cycle (sweepgen sg+3) or the last (sg+1); its
 *   allocCountBeforeCache ≤ its allocCount; `allocW[spc]` is the same span's
 *   word index; every reuse stack holds at most reuseEntries entries.
 * - HI2: Σ over Ps and size classes of (frees − swept frees − taken back) ·
 *   size = Σ over in-use spans of freedCount · elemsize.
 * - HI3: HeapAlloc = Σ over small spans of (allocCount − freedCount) · elemsize
 *   + Σ over large spans of their bytes; HeapObjects the same count of objects;
 *   per size class, BySize Mallocs − Frees = Σ (allocCount − freedCount).
 * - HI4: tiny side tables: a block with a live object (A & ~B) or a holder
 *   is allocated and not freed, and one with neither is not; its held bit is
 *   set iff it is some P's current tiny block; its freed bits are starts
 *   (B ⊆ A) and its starts lie below its fill mark.
 * - HI5: Go's MemStats identities (profiling's checkMemStats, MS1–MS9).
 * - HI6: the P table: an idle P has owner token 0, inSlow 0, no cached span,
 *   no tiny block, empty reuse stacks and an empty page cache; a running P has
 *   a non-zero token and a flushGen of sg or sg−2; no P is dead (between
 *   reclaimP's first and last step) when the heap is quiet.
 * - HI7: a span's owner field (F_cachedBy) is i + 1 iff P i holds it as
 *   `alloc[spc]` or `prev[spc]`, else 0; `prev[spc]` is the empty span on
 *   heaps that are not shared by several Ps, and else empty or a full span
 *   of class spc cached at sg+3 or sg+1.
 *
 * Throws os-mem's RuntimeThrow("invariant <ID> broken: …"). Cost is linear in
 * the heap; meant for tests. See docs/design.md, "Invariants".
 */
import { checkCentral, checkMHeap, F_tinySide, PageCache } from "@gomalloc/mheap";
import { hex, RuntimeThrow } from "@gomalloc/os-mem";
import { checkMemStats } from "@gomalloc/profiling";
import { checkSpan, F_cachedBy, F_elemsize, F_freed, isFree } from "@gomalloc/span";
import type { Heap } from "./heap.js";
import {
  MC_ALLOC,
  MC_FLUSH_GEN,
  MC_TINY,
  MC_TINY_SIDE,
  pendingFreeBytes,
  reuseEntries,
  reuseStride,
} from "./mcache.js";
import { readMemStats } from "./mstats.js";
import { pDead, pIdle, pInSlowIndex, pMCache, pPageCache, pStatus, pToken } from "./proc.js";
import { liveStarts, maxTinySize, tinyFillShift, tinyHeld } from "./tiny.js";

function broken(id: string, what: string): never {
  throw new RuntimeThrow(`invariant ${id} broken: ${what}`);
}

/** Checks everything listed in the file header. */
export function checkHeap(heap: Heap): void {
  heap.syncForWalk(); // another handle may have grown the heap since this one last looked
  const v = heap.v;
  const t = heap.t;
  const h = heap.h;
  const sc = heap.sizeClasses;
  const caches: PageCache[] = [];
  for (let i = 0; i < heap.numPs; i++) caches.push(new PageCache(v, pPageCache(heap.ptable, i), heap.pageSize));
  const inUse = checkMHeap(h, caches);
  const cached = new Set<number>();
  const owners = new Map<number, number>();
  const held = new Set<number>();
  const sg = h.sweepgen;
  const pending = pendingFreeBytes(heap);
  for (let i = 0; i < heap.numPs; i++) {
    const mc = pMCache(v, heap.ptable, i);
    const tiny = v.getF64(mc + MC_TINY);
    if (tiny !== 0) held.add(tiny);
    const side = v.getU32(mc + MC_TINY_SIDE);
    const ts = tiny === 0 ? 0 : h.spanOfHeap(tiny);
    const want = ts === 0 ? 0 : t.getU32(ts, F_tinySide) + 2 * ((tiny - t.base(ts)) / maxTinySize);
    if (side !== want) broken("HI4", `P ${i} tiny block side word ${side}, want ${want}`);
    const reuse = v.getF64(mc + heap.layout.reuse);
    const st = pStatus(v, heap.ptable, i);
    const idle = st === pIdle;
    if (st === pDead) broken("HI6", `P ${i} is dead (a reclaimP did not finish)`);
    if (idle !== (pToken(v, heap.ptable, i) === 0))
      broken("HI6", `P ${i} status ${st} with token ${pToken(v, heap.ptable, i)}`);
    if (idle && Atomics.load(v.i32, pInSlowIndex(v, heap.ptable, i)) !== 0)
      broken("HI6", `idle P ${i} is in a slow path`);
    if (idle && (tiny !== 0 || !caches[i]!.empty())) broken("HI6", `idle P ${i} holds a tiny block or cached pages`);
    const fg = v.getU32(mc + MC_FLUSH_GEN);
    if (!idle && fg !== sg && fg !== (sg - 2) >>> 0) broken("HI6", `P ${i} flushGen ${fg} at sweepgen ${sg}`);
    for (let c = 0; c < sc.numSizeClasses; c++) {
      const n = v.getU32(reuse + 4 * c * reuseStride);
      if (n > reuseEntries) broken("HI1", `P ${i} reuse stack ${c} overflows`);
      if (idle && n !== 0) broken("HI6", `idle P ${i} has reuse entries`);
    }
    // A span P i caches as alloc[spc] (id HI1) or prev[spc] (HI7): held once, by a running P,
    // of class spc, cached at this cycle or the last; its owner field must say P i.
    const holds = (id: string, slot: string, spc: number, s: number) => {
      if (idle) broken("HI6", `idle P ${i} caches span ${hex(s)}`);
      if (cached.has(s)) broken(id, `span ${hex(s)} cached twice`);
      cached.add(s);
      owners.set(s, i + 1);
      if (t.spanclass(s) !== spc) broken(id, `P ${i} ${slot}[${spc}] holds a span of class ${t.spanclass(s)}`);
      const g = t.sweepgen(s);
      if (g !== (sg + 3) >>> 0 && g !== (sg + 1) >>> 0) broken(id, `P ${i} ${slot}[${spc}] sweepgen ${g}`);
    };
    for (let spc = 0; spc < sc.numSpanClasses; spc++) {
      const s = v.getF64(mc + MC_ALLOC + 8 * spc);
      if (v.getU32(mc + heap.layout.allocW + 4 * spc) !== (s - v.base) / 4) broken("HI1", `P ${i} allocW[${spc}]`);
      if (s === heap.emptymspan) continue;
      holds("HI1", "alloc", spc, s);
      if (v.getU32(mc + heap.layout.acbc + 4 * spc) > t.allocCount(s)) broken("HI1", `P ${i} allocCountBeforeCache`);
    }
    for (let spc = 0; spc < sc.numSpanClasses; spc++) {
      const q = v.getF64(mc + heap.layout.prev + 8 * spc);
      if (q === heap.emptymspan) continue;
      if (!heap.atomic) broken("HI7", `P ${i} prev[${spc}] holds ${hex(q)} on a heap with one P or unshared memory`);
      holds("HI7", "prev", spc, q);
      if (t.allocCount(q) !== t.nelems(q)) broken("HI7", `P ${i} prev[${spc}] is not full`);
    }
  }
  checkCentral(h, inUse, cached);
  let freedBytes = 0;
  let liveBytes = 0;
  let liveObjects = 0;
  const perClass = new Float64Array(sc.numSizeClasses);
  for (const s of inUse) {
    checkSpan(t, s);
    const owner = t.getU32(s, F_cachedBy);
    if (owner !== (owners.get(s) ?? 0)) broken("HI7", `span ${hex(s)} owner ${owner}, want ${owners.get(s) ?? 0}`);
    const spc = t.spanclass(s);
    const es = t.getF64(s, F_elemsize);
    if (spc >>> 1 === 0) {
      liveBytes += t.npages(s) * heap.pageSize;
      liveObjects++;
      continue;
    }
    const n = t.allocCount(s) - t.freedCount(s);
    freedBytes += t.freedCount(s) * es;
    liveBytes += n * es;
    liveObjects += n;
    perClass[spc >>> 1]! += n;
    if (spc === heap.tinySpc) checkTinySpan(heap, s, held);
  }
  if (freedBytes !== pending) broken("HI2", `Ps count ${pending} bytes freed and unswept, spans hold ${freedBytes}`);
  const ms = readMemStats(heap);
  checkMemStats(ms);
  if (ms.HeapAlloc !== liveBytes) broken("HI3", `HeapAlloc ${ms.HeapAlloc}, spans hold ${liveBytes} live bytes`);
  if (ms.HeapObjects !== liveObjects) broken("HI3", `HeapObjects ${ms.HeapObjects}, spans hold ${liveObjects}`);
  for (let k = 1; k < ms.BySize.length; k++) {
    const b = ms.BySize[k]!;
    if (b.Mallocs - b.Frees !== perClass[k])
      broken("HI3", `class ${k}: BySize says ${b.Mallocs - b.Frees} live, spans ${perClass[k]}`);
  }
  for (const b of held) {
    const s = h.spanOfHeap(b);
    if (s === 0 || t.spanclass(s) !== heap.tinySpc) broken("HI4", `held tiny block ${hex(b)} is not in a tiny span`);
  }
}

/** HI4 on one tiny span. */
function checkTinySpan(heap: Heap, s: number, held: ReadonlySet<number>): void {
  const t = heap.t;
  const v = heap.v;
  const side = t.getU32(s, F_tinySide);
  if (side === 0) broken("HI4", `tiny span ${hex(s)} has no side table`);
  const base = t.base(s);
  const fb = t.getU32(s, F_freed);
  for (let i = 0; i < t.nelems(s); i++) {
    const a = v.u32[side + 2 * i]!;
    const b = v.u32[side + 2 * i + 1]!;
    const block = base + i * maxTinySize;
    const isHeld = (b & tinyHeld) !== 0;
    if (isHeld !== held.has(block))
      broken("HI4", `block ${hex(block)} held bit ${isHeld}, mcache says ${held.has(block)}`);
    if (a >>> (tinyFillShift + 5) !== 0 || (b & ~(0xffff | tinyHeld)) !== 0)
      broken("HI4", `block ${hex(block)} side words ${hex(a)} ${hex(b)} have stray bits`);
    const freed = (((v.u32[fb + 2 * (i >>> 5)]! | v.u32[fb + 2 * (i >>> 5) + 1]!) >>> (i & 31)) & 1) !== 0;
    if (liveStarts(a, b) === 0 && !isHeld) {
      if (!isFree(t, s, i) && !freed) broken("HI4", `block ${hex(block)} is allocated but holds no live object`);
      continue;
    }
    if (isFree(t, s, i) || freed)
      broken("HI4", `block ${hex(block)} has live objects or a holder but is not allocated`);
    if ((b & ~a & 0xffff) !== 0)
      broken("HI4", `block ${hex(block)} has freed bits ${hex(b & 0xffff)} that are no start`);
    const fill = (a >>> tinyFillShift) & 31;
    if ((a & 0xffff) >>> fill !== 0 || fill > maxTinySize)
      broken("HI4", `block ${hex(block)} has a start at or past its fill mark ${fill}`);
  }
}
