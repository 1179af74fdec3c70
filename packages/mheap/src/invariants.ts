/**
 * Invariant checkers for the page allocator, its address ranges and its
 * scavenge index: slow, obviously correct recomputations of what the fast
 * code maintains incrementally (the formulas PA1–PA5, AR1–AR3, SI1–SI2 on
 * the types). Tests call them after every operation; they throw
 * `RuntimeThrow("invariant <ID> broken: …")` on the first violation. See
 * docs/design.md, "Managed memory".
 */
import { hex, RuntimeThrow, SysStat } from "@gomalloc/os-mem";
import { mSpanInUse, onesCount32 } from "@gomalloc/span";
import { fullSwept, fullUnswept, partialSwept, partialUnswept } from "./mcentral.js";
import type { MHeap } from "./mheap.js";
import type { PageAlloc } from "./mpagealloc.js";
import type { PageCache } from "./mpagecache.js";
import { pageBitsGet } from "./mpallocbits.js";
import type { AddrRanges } from "./mranges.js";
import { spanSetContents } from "./mspanset.js";
import { mergeSummaries, pallocSumEnd, pallocSumMax, pallocSumStart } from "./pallocsum.js";

function broken(id: string, what: string): never {
  throw new RuntimeThrow(`invariant ${id} broken: ${what}`);
}

/** Checks AR1–AR3 on an address-range set. */
export function checkAddrRanges(a: AddrRanges): void {
  if (a.len > a.cap) broken("AR3", `len ${a.len} > cap ${a.cap}`);
  let total = 0;
  for (let i = 0; i < a.len; i++) {
    const b = a.base(i);
    const l = a.limit(i);
    if (!(b < l)) broken("AR1", `range ${i} [${hex(b)}, ${hex(l)}) is empty`);
    if (i > 0 && !(a.limit(i - 1) < b)) broken("AR1", `ranges ${i - 1} and ${i} overlap or touch`);
    total += l - b;
  }
  if (total !== a.totalBytes) broken("AR2", `totalBytes ${a.totalBytes}, ranges sum to ${total}`);
}

/** Summary (start, max, end) of chunk c's alloc bitmap, bit by bit. */
function slowSummary(p: PageAlloc, c: number): [number, number, number] {
  const n = p.g.pallocChunkPages;
  const off = p.chunkOf(c);
  const u = p.cu32;
  let start = 0;
  while (start < n && pageBitsGet(u, off, start) === 0) start++;
  let end = 0;
  while (end < n && pageBitsGet(u, off, n - 1 - end) === 0) end++;
  let most = 0;
  let run = 0;
  for (let i = 0; i < n; i++) {
    run = pageBitsGet(u, off, i) === 0 ? run + 1 : 0;
    if (run > most) most = run;
  }
  return [start, most, end];
}

/**
 * Checks PA1–PA5 (and AR1–AR3 on inUse, SI1–SI2 on the scavenge index). Cost is
 * linear in the grown memory; meant for tests.
 */
export function checkPageAlloc(p: PageAlloc): void {
  const g = p.g;
  const L = g.logMaxPackedValue;
  const leaf = g.summaryLevels - 1;
  checkAddrRanges(p.inUse);
  const scratch = new Uint32Array(2);
  const grown = new Set<number>();
  for (let r = 0; r < p.inUse.len; r++) {
    const lo = p.inUse.base(r);
    const hi = p.inUse.limit(r);
    if (lo % g.pallocChunkBytes !== 0 || hi % g.pallocChunkBytes !== 0) broken("PA5", `range ${r} not chunk-aligned`);
    for (let c = g.chunkIndex(lo); c < g.chunkIndex(hi); c++) {
      grown.add(c);
      if (c < p.start || c >= p.end) broken("PA5", `chunk ${c} outside [start ${p.start}, end ${p.end})`);
    }
  }
  for (const c of grown) {
    const [s, m, e] = slowSummary(p, c);
    const lo = p.summaryLo(leaf, c);
    const hi = p.summaryHi(leaf, c);
    if (pallocSumStart(lo, hi, L) !== s || pallocSumMax(lo, hi, L) !== m || pallocSumEnd(lo, hi, L) !== e) {
      broken(
        "PA1",
        `chunk ${c}: summary (${pallocSumStart(lo, hi, L)}, ${pallocSumMax(lo, hi, L)}, ${pallocSumEnd(lo, hi, L)}), bitmap (${s}, ${m}, ${e})`,
      );
    }
    // PA4 and SI1.
    const off = p.chunkOf(c);
    const u = p.cu32;
    let inUse = 0;
    for (let w = 0; w < p.pb.n32; w++) {
      if ((u[off + w]! & u[off + p.pb.scavOff + w]!) !== 0)
        broken("PA4", `chunk ${c} word ${w}: page in use and scavenged`);
      let x = u[off + w]!;
      for (; x !== 0; x &= x - 1) inUse++;
    }
    if (p.scavIndex.inUse(c) !== inUse)
      broken("SI1", `chunk ${c}: index says ${p.scavIndex.inUse(c)} in use, bitmap ${inUse}`);
    if (c < p.scavIndex.min || c >= p.scavIndex.max)
      broken("SI2", `chunk ${c} outside the mapped index [${p.scavIndex.min}, ${p.scavIndex.max})`);
  }
  // PA1 (second half) and PA2: every entry of every block that covers grown
  // memory is the merge of its children, or 0 when nothing grown lies under it.
  let src = new Uint32Array(0);
  for (let l = leaf; l >= 0; l--) {
    const per = 2 ** g.levelBits[l]!;
    const span = 2 ** g.levelShift[l]!;
    const under = new Set<number>();
    for (const c of grown) under.add(Math.floor((c * g.pallocChunkBytes) / span));
    const blocks = new Set<number>();
    for (const i of under) blocks.add(i - (i % per));
    const n = l === leaf ? 0 : 2 ** g.levelBits[l + 1]!;
    if (src.length < 2 * n) src = new Uint32Array(2 * n);
    for (const b of blocks) {
      if (b + per > p.summaryLen(l)) broken("PA2", `level ${l} block ${b} beyond len ${p.summaryLen(l)}`);
      for (let i = b; i < b + per; i++) {
        const lo = p.summaryLo(l, i);
        const hi = p.summaryHi(l, i);
        if (!under.has(i)) {
          if ((lo | hi) !== 0)
            broken(
              l === leaf ? "PA1" : "PA2",
              `summary[${l}][${i}] covers no grown chunk but is ${hex(hi)}:${hex(lo)}`,
            );
          continue;
        }
        if (l === leaf) continue;
        for (let k = 0; k < n; k++) {
          src[2 * k] = p.summaryLo(l + 1, i * n + k);
          src[2 * k + 1] = p.summaryHi(l + 1, i * n + k);
        }
        scratch[0] = lo;
        scratch[1] = hi;
        if (mergeSummaries(src, 0, n, g.levelLogPages[l + 1]!, scratch, 0, L)) {
          broken("PA2", `summary[${l}][${i}] is not the merge of its children`);
        }
      }
    }
  }
  // PA3: searchAddr is in use (or max), and no free page lies below it.
  const sa = p.searchAddr;
  if (sa !== g.maxOffAddr && !p.inUse.contains(sa)) broken("PA3", `searchAddr ${hex(sa)} outside inUse`);
  for (const c of grown) {
    const cb = g.chunkBase(c);
    if (cb >= sa) continue;
    const off = p.chunkOf(c);
    const lim = Math.min(g.pallocChunkPages, Math.ceil((sa - cb) / g.pageSize));
    for (let i = 0; i < lim; i++) {
      if (cb + i * g.pageSize < sa && pageBitsGet(p.cu32, off, i) === 0) {
        broken("PA3", `page ${hex(cb + i * g.pageSize)} is free but below searchAddr ${hex(sa)}`);
      }
    }
  }
}

/**
 * Checks MH1–MH5 on a heap (and PA1–PA5 on its page allocator). `caches` are
 * the page caches of every P, whose free pages the page allocator counts as
 * allocated. Returns the in-use spans found, lowest address first. Cost is
 * linear in the heap's arenas; meant for tests. Caller must hold no lock.
 */
export function checkMHeap(h: MHeap, caches: readonly PageCache[] = []): number[] {
  const g = h.geom;
  const t = h.spans;
  const v = h.v;
  checkPageAlloc(h.pages);
  const arenas = h.allArenas();
  const seen = new Set<number>();
  const found: number[] = [];
  let pagesInUse = 0;
  for (const ai of arenas) {
    if (seen.has(ai)) broken("MH1", `arena ${ai} registered twice`);
    seen.add(ai);
    if (!(ai >= h.arenaLo && ai <= h.arenaHi)) broken("MH1", `arena ${ai} outside [lo, hi]`);
    const ha = h.arenaRecord(ai);
    if (ha === 0) broken("MH1", `arena ${ai} has no record in the arena map`);
    const base = g.arenaBase(ai);
    for (let i = 0; i < g.pagesPerArena; i++) {
      const inUseBit = (v.u8[ha + g.offPageInUse + (i >>> 3) - v.base]! >>> (i & 7)) & 1;
      if (inUseBit === 0) continue;
      const p = base + i * g.pageSize;
      const sw = v.getU32(ha + 4 * i);
      const s = sw === 0 ? 0 : v.base + 4 * sw;
      if (s === 0 || t.state(s) !== mSpanInUse || t.base(s) !== p) {
        broken("MH2", `pageInUse set at ${hex(p)} but spans[] holds ${hex(s)} (not an in-use span starting there)`);
      }
      const n = t.npages(s);
      for (let k = 0; k < n; k++) {
        const q = p + k * g.pageSize;
        if (h.spanOf(q) !== s) broken("MH2", `page ${hex(q)} of span ${hex(s)} maps to ${hex(h.spanOf(q))}`);
        if (k > 0 && h.pageInUse(q)) broken("MH2", `pageInUse set inside span ${hex(s)} at ${hex(q)}`);
      }
      pagesInUse += n;
      found.push(s);
    }
  }
  if (pagesInUse !== h.pagesInUse) broken("MH3", `pagesInUse ${h.pagesInUse}, spans hold ${pagesInUse}`);
  const inUse = h.sys.statLoad(SysStat.heapInUse);
  if (inUse !== pagesInUse * g.pageSize) broken("MH3", `heapInUse ${inUse} != ${pagesInUse} pages`);
  // MH4/MH5: count allocated and scavenged pages in the page allocator.
  const p = h.pages;
  const pg = p.g;
  let alloc = 0;
  let scav = 0;
  for (let r = 0; r < p.inUse.len; r++) {
    for (let c = pg.chunkIndex(p.inUse.base(r)); c < pg.chunkIndex(p.inUse.limit(r)); c++) {
      const off = p.chunkOf(c);
      for (let i = 0; i < pg.pallocChunkPages; i++) {
        alloc += pageBitsGet(p.cu32, off, i);
        scav += pageBitsGet(p.cu32, off + p.pb.scavOff, i);
      }
    }
  }
  let cached = 0;
  let cachedScav = 0;
  for (const c of caches) {
    cached += onesCount32(c.cacheLo) + onesCount32(c.cacheHi);
    cachedScav += onesCount32(c.scavLo) + onesCount32(c.scavHi);
  }
  if (alloc !== pagesInUse + cached) {
    broken("MH4", `page allocator holds ${alloc} pages, spans ${pagesInUse} + page caches ${cached}`);
  }
  const grown = p.inUse.totalBytes;
  const free = h.sys.statLoad(SysStat.heapFree);
  const released = h.sys.statLoad(SysStat.heapReleased);
  if (inUse + free + released !== grown) {
    broken("MH5", `heapInUse ${inUse} + heapFree ${free} + heapReleased ${released} != grown ${grown}`);
  }
  if (released !== (scav + cachedScav) * pg.pageSize) {
    broken("MH5", `heapReleased ${released} != ${scav} scavenged pages + ${cachedScav} in page caches`);
  }
  return found.sort((a, b) => t.base(a) - t.base(b));
}

/**
 * Checks MC1–MC3 on the mcentrals: MC1 every span in a set is an in-use span
 * of that set's class; a swept set's spans have sweepgen = sg, an unswept
 * set's sg−2; full spans have allocCount = nelems and partial ones fewer.
 * MC2 every in-use small span (from {@link checkMHeap}) is in exactly one set
 * or in `cached` (held by an mcache, sweepgen sg+1 or sg+3); large spans are
 * in none. MC3 when sweeping is done the unswept sets are empty.
 */
export function checkCentral(h: MHeap, inUse: readonly number[], cached: ReadonlySet<number>): void {
  const t = h.spans;
  const sg = h.sweepgen;
  const where = new Map<number, string>();
  for (let spc = 0; spc < h.sizeClasses.numSpanClasses; spc++) {
    const sets: Array<[string, number, number, boolean]> = [
      ["partialSwept", partialSwept(h, spc, sg), sg, false],
      ["partialUnswept", partialUnswept(h, spc, sg), (sg - 2) >>> 0, false],
      ["fullSwept", fullSwept(h, spc, sg), sg, true],
      ["fullUnswept", fullUnswept(h, spc, sg), (sg - 2) >>> 0, true],
    ];
    for (const [name, set, gen, full] of sets) {
      const spans = spanSetContents(h, set);
      if (h.sweepDone && name.endsWith("Unswept") && spans.length !== 0) {
        broken("MC3", `sweeping is done but ${name}[${spc}] holds ${spans.length} spans`);
      }
      for (const s of spans) {
        if (where.has(s)) broken("MC2", `span ${hex(s)} is in ${where.get(s)} and ${name}[${spc}]`);
        where.set(s, `${name}[${spc}]`);
        if (t.state(s) !== mSpanInUse || t.spanclass(s) !== spc) broken("MC1", `${name}[${spc}] holds ${hex(s)}`);
        if (t.sweepgen(s) !== gen) broken("MC1", `${name}[${spc}] span ${hex(s)} has sweepgen ${t.sweepgen(s)}`);
        if (full !== (t.allocCount(s) === t.nelems(s))) broken("MC1", `${name}[${spc}] span ${hex(s)} fill`);
      }
    }
  }
  for (const s of inUse) {
    const large = t.spanclass(s) >>> 1 === 0;
    const inSet = where.has(s);
    const isCached = cached.has(s);
    if (large) {
      if (inSet || isCached) broken("MC2", `large span ${hex(s)} is in a set or cached`);
      continue;
    }
    if (inSet === isCached) broken("MC2", `span ${hex(s)} is ${inSet ? "both in a set and cached" : "nowhere"}`);
    if (isCached) {
      const g = t.sweepgen(s);
      if (g !== (sg + 1) >>> 0 && g !== (sg + 3) >>> 0) broken("MC2", `cached span ${hex(s)} has sweepgen ${g}`);
    }
  }
  for (const s of where.keys()) {
    if (!inUse.includes(s)) broken("MC1", `span ${hex(s)} in a set is not an in-use span of the heap`);
  }
}
