/**
 * The page allocator's metadata memory (Go's mpagealloc_64bit.go and
 * mpagealloc_32bit.go, `sysInit`/`sysGrow` for the summaries and the scavenge
 * index): the header layout, the reservations made at init, and the mapping
 * done when the heap grows. On 64-bit geometries every summary level and the
 * scavenge index are reserved whole and mapped piece by piece around the grown
 * ranges; on 32-bit geometries they are small and mapped at init. A grow
 * secures every piece of metadata first and rolls back what it mapped if the
 * backend refuses one, so a failed grow changes nothing. See docs/design.md,
 * "Managed memory".
 */

import type { MemView, SysMemory, SysStat } from "@gomalloc/os-mem";
import { RuntimeThrow } from "@gomalloc/os-mem";
import type { PersistentAlloc } from "@gomalloc/persistent";
import { PageAllocOutOfMemoryError, PageRangeError } from "./errors.js";
import type { PageAlloc } from "./mpagealloc.js";
import type { PageAllocGeometry } from "./mpagealloc_geometry.js";
import { AddrRanges, addrRangeBytes } from "./mranges.js";

/** Byte offsets of the header fields (f64 slots first, then u32 slots). */
export const H = {
  searchAddr: 0,
  start: 8,
  end: 16,
  mappedReady: 24,
  released: 32,
  chunkHugePages: 40, // u32 flag
  sumBase: 48, // 8 × f64
  sumLen: 112, // 8 × u32
  ranges: 144, // addrRanges record, 24 bytes
  scav: 176, // scavenge index block, 48 bytes
  geometry: 224, // magic, heapAddrBits, logPallocChunkPages, summaryLevels, pageShift
  // Compact metadata (see PageAllocOptions.compact): per-level capacity in
  // entries (8 × u32), chunk capacity (u32), a generation bumped whenever an
  // array moves (u32), and the compact flag (u32).
  sumCap: 256,
  chunkCap: 288,
  metaGen: 292,
  compact: 296,
} as const;

/** Bytes of the header; the L1 chunk map follows it. */
export const HEADER_BYTES = 304;
const INITIAL_RANGES = 16;

const alignUp = (n: number, a: number) => Math.ceil(n / a) * a;
const alignDown = (n: number, a: number) => Math.floor(n / a) * a;

/**
 * Go's `pageAlloc.init` + `sysInit`: takes the header (with the L1 chunk map
 * and the first in-use range array) from sysAlloc, reserves the summary levels
 * and the scavenge index, and returns the header's address. Throws
 * PageAllocOutOfMemoryError, releasing what it took, if the backend refuses.
 */
export function initSummaries(
  sys: SysMemory,
  g: PageAllocGeometry,
  stat: SysStat,
  compact: PersistentAlloc | null = null,
): number {
  const phys = sys.physPageSize;
  const l1Bytes = 2 ** g.pallocChunksL1Bits * 8;
  if (compact !== null) return initCompact(sys, g, stat, compact, l1Bytes);
  const hsize = alignUp(HEADER_BYTES + l1Bytes + INITIAL_RANGES * addrRangeBytes, phys);
  const header = sys.sysAlloc(hsize, stat);
  if (header === 0) throw new PageAllocOutOfMemoryError("page allocator header");
  const taken: Array<[number, number, boolean]> = [[header, hsize, true]];
  try {
    const v = sys.viewOf(header);
    const f = (header - v.base) / 8;
    const w = (header - v.base) / 4;
    v.f64[f + H.searchAddr / 8] = g.maxOffAddr;
    v.f64[f + H.start / 8] = 0;
    v.f64[f + H.end / 8] = 0;
    v.f64[f + H.mappedReady / 8] = 0;
    v.f64[f + H.released / 8] = 0;
    v.u32[w + H.chunkHugePages / 4] = 0;
    v.u32[w + H.geometry / 4] = 0x70616765; // "page"
    v.u32[w + H.geometry / 4 + 1] = g.heapAddrBits;
    v.u32[w + H.geometry / 4 + 2] = g.logPallocChunkPages;
    v.u32[w + H.geometry / 4 + 3] = g.summaryLevels;
    v.u32[w + H.geometry / 4 + 4] = g.pageShift;
    const ranges = new AddrRanges(
      v,
      header + H.ranges,
      () => 0,
      (a) => sys.viewOf(a),
    );
    ranges.init(header + HEADER_BYTES + l1Bytes, INITIAL_RANGES);
    let mapped = 0;
    if (g.pageAlloc64Bit) {
      for (let l = 0; l < g.summaryLevels; l++) {
        const b = alignUp(g.levelEntries[l]! * 8, phys);
        const r = sys.sysReserve(0, b);
        if (r === 0) throw new PageAllocOutOfMemoryError("failed to reserve page summary memory");
        taken.push([r, b, false]);
        v.f64[f + H.sumBase / 8 + l] = r;
        v.u32[w + H.sumLen / 4 + l] = 0;
      }
      const nbytes = alignUp(g.totalChunks * 8, phys);
      const r = sys.sysReserve(0, nbytes);
      if (r === 0) throw new PageAllocOutOfMemoryError("scavenge index");
      taken.push([r, nbytes, false]);
      initIndex(v, header, r, 0, 0);
    } else {
      let total = 0;
      for (let l = 0; l < g.summaryLevels; l++) total += g.levelEntries[l]! * 8;
      total = alignUp(total, phys);
      const r = sys.sysReserve(0, total);
      if (r === 0) throw new PageAllocOutOfMemoryError("failed to reserve page summary memory");
      taken.push([r, total, false]);
      if (!sys.sysMap(r, total, stat) || !sys.sysUsed(r, total, total)) {
        throw new PageAllocOutOfMemoryError("page summary");
      }
      mapped += total;
      let at = r;
      for (let l = 0; l < g.summaryLevels; l++) {
        v.f64[f + H.sumBase / 8 + l] = at;
        v.u32[w + H.sumLen / 4 + l] = 0;
        at += g.levelEntries[l]! * 8;
      }
      const size = alignUp(g.totalChunks * 8, phys);
      const s = sys.sysAlloc(size, stat);
      if (s === 0) throw new PageAllocOutOfMemoryError("scavenge index");
      taken.push([s, size, true]);
      mapped += size;
      initIndex(v, header, s, 1, g.totalChunks);
    }
    v.f64[f + H.mappedReady / 8] = mapped;
    return header;
  } catch (e) {
    for (const [a, n] of taken) sys.sysFree(a, n, stat);
    throw e;
  }
}

/**
 * initSummaries for compact metadata: the header, the root summary level
 * (its every entry is read by find) and the first range array come from
 * `pa`; the other levels, the chunk bitmaps and the scavenge index start
 * empty and grow with the heap (see {@link growCompact}).
 */
function initCompact(
  sys: SysMemory,
  g: PageAllocGeometry,
  stat: SysStat,
  pa: PersistentAlloc,
  l1Bytes: number,
): number {
  if (g.pallocChunksL1Bits !== 0) throw new RuntimeThrow("pageAlloc: compact metadata needs a one-level chunk map");
  const header = pa.alloc(HEADER_BYTES + l1Bytes + INITIAL_RANGES * addrRangeBytes, 8, stat);
  if (header === 0) throw new PageAllocOutOfMemoryError("page allocator header");
  const root = pa.alloc(g.levelEntries[0]! * 8, 8, stat);
  if (root === 0) throw new PageAllocOutOfMemoryError("page summary");
  const v = sys.viewOf(header);
  const f = (header - v.base) / 8;
  const w = (header - v.base) / 4;
  v.f64[f + H.searchAddr / 8] = g.maxOffAddr;
  v.u32[w + H.geometry / 4] = 0x70616765; // "page"
  v.u32[w + H.geometry / 4 + 1] = g.heapAddrBits;
  v.u32[w + H.geometry / 4 + 2] = g.logPallocChunkPages;
  v.u32[w + H.geometry / 4 + 3] = g.summaryLevels;
  v.u32[w + H.geometry / 4 + 4] = g.pageShift;
  v.u32[w + H.compact / 4] = 1;
  v.f64[f + H.sumBase / 8] = root;
  v.u32[w + H.sumCap / 4] = g.levelEntries[0]!;
  v.f64[f + H.mappedReady / 8] = g.levelEntries[0]! * 8;
  new AddrRanges(
    v,
    header + H.ranges,
    () => 0,
    (a) => sys.viewOf(a),
  ).init(header + HEADER_BYTES + l1Bytes, INITIAL_RANGES);
  initIndex(v, header, 0, 0, 0);
  return header;
}

/** Whether the page allocator at `header` keeps compact metadata. */
export function isCompact(hv: MemView, header: number): boolean {
  return hv.u32[(header - hv.base + H.compact) / 4] !== 0;
}

/**
 * growSummaries for compact metadata: every level, the chunk bitmaps and the
 * scavenge index must hold the chunks below `limit`; an array that is too
 * small moves to a new one from persistentalloc (at least twice its size,
 * the old contents copied — the old array stays behind, as persistentalloc
 * never frees). Nothing is committed until every new array is secured.
 */
function growCompact(p: PageAlloc, base: number, limit: number): void {
  const g = p.g;
  const pa = p.persistent!;
  const stat = p.sysStat;
  const hv = p.hv;
  const hf = (p.header - hv.base) / 8;
  const hw = (p.header - hv.base) / 4;
  const sys = p.sys;
  const moves: number[] = []; // (kind, new address, new capacity, old address, old bytes to copy) ×
  let added = 0;
  const newLen: number[] = [];
  for (let l = 0; l < g.summaryLevels; l++) {
    const shift = 2 ** g.levelShift[l]!;
    const e = 2 ** g.levelBits[l]!;
    const hi = alignUp(Math.floor((limit - 1) / shift) + 1, e);
    const len = Math.max(hv.u32[hw + H.sumLen / 4 + l]!, hi);
    newLen.push(len);
    const cap = hv.u32[hw + H.sumCap / 4 + l]!;
    if (len > cap) {
      const ncap = Math.min(Math.max(len, 2 * cap, 2 * e), g.levelEntries[l]!);
      const a = pa.alloc(ncap * 8, 8, stat);
      if (a === 0) throw new PageAllocOutOfMemoryError("page summary");
      moves.push(l, a, ncap, hv.f64[hf + H.sumBase / 8 + l]!, hv.u32[hw + H.sumLen / 4 + l]! * 8);
      added += ncap * 8;
    }
  }
  const need = g.chunkIndex(limit);
  const ccap = hv.u32[hw + H.chunkCap / 4]!;
  let chunks = 0;
  let index = 0;
  let ncc = ccap;
  if (need > ccap) {
    ncc = Math.min(Math.max(need, 2 * ccap, 8), g.totalChunks);
    chunks = pa.alloc(ncc * g.chunkDataBytes, 8, stat);
    if (chunks === 0) throw new PageAllocOutOfMemoryError("pageAlloc: out of memory");
    index = pa.alloc(ncc * 8, 8, stat);
    if (index === 0) throw new PageAllocOutOfMemoryError("scavenge index");
    added += ncc * (g.chunkDataBytes + 8);
  }
  if (!p.inUse.reserve(1)) throw new PageAllocOutOfMemoryError("in-use address ranges");
  // Commit: move what moved, then record the new lengths and bounds.
  for (let k = 0; k < moves.length; k += 5) {
    const [l, a, ncap, old, bytes] = moves.slice(k, k + 5) as [number, number, number, number, number];
    if (bytes > 0) copyBytes(sys, old, a, bytes);
    hv.f64[hf + H.sumBase / 8 + l] = a;
    hv.u32[hw + H.sumCap / 4 + l] = ncap;
  }
  if (chunks !== 0) {
    const oldChunks = hv.f64[hf + HEADER_BYTES / 8]!;
    if (oldChunks !== 0) copyBytes(sys, oldChunks, chunks, ccap * g.chunkDataBytes);
    const si = p.scavIndex;
    if (si.chunksBase !== 0) copyBytes(sys, si.chunksBase, index, ccap * 8);
    hv.f64[hf + HEADER_BYTES / 8] = chunks;
    hv.u32[hw + H.chunkCap / 4] = ncc;
    si.rebase(index, sys.viewOf(index), 0, ncc);
  }
  if (moves.length > 0 || chunks !== 0) {
    // After the new locations (a sequentially consistent store when shared): a handle that
    // reads this generation outside the heap lock (PageAlloc.syncMeta) then sees them too.
    const gen = (hv.u32[hw + H.metaGen / 4]! + 1) >>> 0;
    if (hv.shared) Atomics.store(hv.u32, hw + H.metaGen / 4, gen);
    else hv.u32[hw + H.metaGen / 4] = gen;
  }
  for (let l = 0; l < g.summaryLevels; l++) hv.u32[hw + H.sumLen / 4 + l] = newLen[l]!;
  hv.f64[hf + H.mappedReady / 8] = hv.f64[hf + H.mappedReady / 8]! + added;
  p.syncMeta(true);
  p.scavIndex.noteGrow(g.chunkIndex(base));
  p.commitGrow(base, limit, null);
}

/** Copies `n` bytes of metadata from `src` to `dst` (both Ready, possibly under different views). */
function copyBytes(sys: SysMemory, src: number, dst: number, n: number): void {
  const sv = sys.viewOf(src);
  const dv = sys.viewOf(dst);
  dv.u8.set(sv.u8.subarray(src - sv.base, src - sv.base + n), dst - dv.base);
}

function initIndex(v: MemView, header: number, chunks: number, min: number, max: number): void {
  const f = (header + H.scav - v.base) / 8;
  const w = (header + H.scav - v.base) / 4;
  v.f64[f] = 0;
  v.f64[f + 1] = 0;
  v.f64[f + 2] = 0;
  v.f64[f + 3] = chunks;
  v.u32[w + 8] = min;
  v.u32[w + 9] = max;
  v.u32[w + 10] = 0;
  v.u32[w + 11] = 0;
}

/** Go's `addrRange.subtract` on [aBase, aLimit) minus [bBase, bLimit); result in subBase/subLimit. */
let subBase = 0;
let subLimit = 0;
function subtract(aBase: number, aLimit: number, bBase: number, bLimit: number): void {
  if (bBase <= aBase && aLimit <= bLimit) {
    subBase = 0;
    subLimit = 0;
    return;
  }
  if (aBase < bBase && bLimit < aLimit) throw new RuntimeThrow("bad prune");
  if (bLimit < aLimit && aBase < bLimit) aBase = bLimit;
  else if (aBase < bBase && bBase < aLimit) aLimit = bBase;
  subBase = aBase;
  subLimit = aLimit;
}

/**
 * Go's `pageAlloc.grow` minus its final update: secures the L2 chunk arrays,
 * the summary mappings (Go's `sysGrow`), the scavenge-index mapping and room in
 * `inUse` for `[base, limit)` (offset space, chunk-aligned), then commits.
 */
export function growSummaries(p: PageAlloc, base: number, limit: number): void {
  if (isCompact(p.hv, p.header)) {
    growCompact(p, base, limit);
    return;
  }
  const g = p.g;
  const sys = p.sys;
  const stat = p.sysStat;
  const phys = sys.physPageSize;
  const hv = p.hv;
  const hf = (p.header - hv.base) / 8;
  const hw = (p.header - hv.base) / 4;
  const l2Bytes = g.l2Entries * g.chunkDataBytes;
  const mappedNow: number[] = [];
  const l2Taken: number[] = [];
  let newL2: Float64Array | null = null;
  let addMapped = 0;
  const newLen: number[] = [];
  let idxMin = -1;
  let idxMax = -1;
  try {
    // L2 arrays of the chunk map.
    const c0 = g.chunkIndex(base);
    const c1 = g.chunkIndex(limit);
    for (let c = c0; c < c1; ) {
      const l1 = g.pallocChunksL1Bits === 0 ? 0 : Math.floor(c / g.l2Entries);
      if (hv.f64[hf + HEADER_BYTES / 8 + l1] === 0) {
        if (newL2 === null) newL2 = new Float64Array(2 ** g.pallocChunksL1Bits);
        if (newL2[l1] === 0) {
          const r = sys.sysAlloc(l2Bytes, stat);
          if (r === 0) throw new PageAllocOutOfMemoryError("pageAlloc: out of memory");
          l2Taken.push(r);
          newL2[l1] = r;
        }
      }
      c = (l1 + 1) * g.l2Entries;
    }
    // Summary levels.
    for (let l = 0; l < g.summaryLevels; l++) {
      const shift = 2 ** g.levelShift[l]!;
      const e = 2 ** g.levelBits[l]!;
      const hi = alignUp(Math.floor((limit - 1) / shift) + 1, e);
      newLen.push(Math.max(hv.u32[hw + H.sumLen / 4 + l]!, hi));
    }
    if (g.pageAlloc64Bit) {
      const inUse = p.inUse;
      const inUseIndex = inUse.findSucc(base);
      for (let l = 0; l < g.summaryLevels; l++) {
        const sumBase = hv.f64[hf + H.sumBase / 8 + l]!;
        const shift = 2 ** g.levelShift[l]!;
        const e = 2 ** g.levelBits[l]!;
        const sumRange = (rb: number, rl: number) => {
          const lo = alignDown(Math.floor(rb / shift), e);
          const hi = alignUp(Math.floor((rl - 1) / shift) + 1, e);
          subBase = sumBase + alignDown(lo * 8, phys);
          subLimit = sumBase + alignUp(hi * 8, phys);
        };
        sumRange(base, limit);
        let nb = subBase;
        let nl = subLimit;
        if (inUseIndex > 0) {
          sumRange(inUse.base(inUseIndex - 1), inUse.limit(inUseIndex - 1));
          subtract(nb, nl, subBase, subLimit);
          nb = subBase;
          nl = subLimit;
        }
        if (inUseIndex < inUse.len && nl > nb) {
          sumRange(inUse.base(inUseIndex), inUse.limit(inUseIndex));
          subtract(nb, nl, subBase, subLimit);
          nb = subBase;
          nl = subLimit;
        }
        if (nl <= nb) continue;
        if (!sys.sysMap(nb, nl - nb, stat)) throw new PageAllocOutOfMemoryError("page summary");
        mappedNow.push(nb, nl - nb);
        if (!sys.sysUsed(nb, nl - nb, nl - nb)) throw new PageAllocOutOfMemoryError("page summary");
        addMapped += nl - nb;
      }
      // Scavenge index: keep [min, max) contiguous.
      const si = p.scavIndex;
      const per = Math.max(1, phys / 8);
      const haveMin = si.min;
      const haveMax = si.max;
      let needMin = alignDown(g.chunkIndex(base), per);
      let needMax = alignUp(g.chunkIndex(limit), per);
      if (needMax < haveMin) needMax = haveMin;
      if (haveMax !== 0 && needMin > haveMax) needMin = haveMax;
      const cb = si.chunksBase;
      subtract(cb + needMin * 8, cb + needMax * 8, cb + haveMin * 8, cb + haveMax * 8);
      if (subLimit > subBase) {
        const nb = subBase;
        const n = subLimit - subBase;
        if (!sys.sysMap(nb, n, stat)) throw new PageAllocOutOfMemoryError("scavenge index");
        mappedNow.push(nb, n);
        if (!sys.sysUsed(nb, n, n)) throw new PageAllocOutOfMemoryError("scavenge index");
        addMapped += n;
        idxMin = haveMax === 0 || needMin < haveMin ? needMin : haveMin;
        idxMax = Math.max(needMax, haveMax);
      }
    }
    if (!p.inUse.reserve(1)) throw new PageAllocOutOfMemoryError("in-use address ranges");
  } catch (e) {
    for (let k = 0; k < mappedNow.length; k += 2) sys.sysFault(mappedNow[k]!, mappedNow[k + 1]!);
    for (const r of l2Taken) sys.sysFree(r, l2Bytes, stat);
    throw e;
  }
  // Commit.
  for (let l = 0; l < g.summaryLevels; l++) hv.u32[hw + H.sumLen / 4 + l] = newLen[l]!;
  if (idxMin >= 0) {
    p.scavIndex.min = idxMin;
    p.scavIndex.max = idxMax;
  }
  hv.f64[hf + H.mappedReady / 8] = hv.f64[hf + H.mappedReady / 8]! + addMapped;
  p.scavIndex.noteGrow(g.chunkIndex(base));
  // New chunk bitmaps follow the huge-page policy (Go: sysHugePage/sysNoHugePage on each L2).
  const huge = hv.u32[hw + H.chunkHugePages / 4] !== 0;
  for (const r of l2Taken) {
    if (huge) sys.sysHugePage(r, l2Bytes);
    else sys.sysNoHugePage(r, l2Bytes);
  }
  p.commitGrow(base, limit, newL2);
}

/**
 * Go's `pageAlloc.grow` (see `PageAlloc.grow`): validates `[base, base+size)`
 * (plain addresses), rounds it out to chunks, secures and commits the
 * metadata, then summarizes the new, free chunks.
 */
export function grow(p: PageAlloc, base: number, size: number): void {
  const g = p.g;
  if (!Number.isInteger(base) || !Number.isInteger(size) || size <= 0) {
    throw new PageRangeError(base, size, "want integers and size > 0");
  }
  if (base % g.pageSize !== 0 || size % g.pageSize !== 0) throw new PageRangeError(base, size, "not page-aligned");
  const ob = base + g.arenaBaseOffsetAdd;
  const lo = Math.floor(ob / g.pallocChunkBytes) * g.pallocChunkBytes;
  const hi = Math.ceil((ob + size) / g.pallocChunkBytes) * g.pallocChunkBytes;
  if (ob < 0 || hi > 2 ** g.heapAddrBits) throw new PageRangeError(base, size, "outside the address space");
  if (lo === 0) throw new PageRangeError(base, size, "holds the first chunk of the address space");
  if (lo <= g.arenaBaseOffsetAdd && g.arenaBaseOffsetAdd < hi) throw new PageRangeError(base, size, "holds address 0");
  if (p.inUse.overlaps(lo, hi)) throw new PageRangeError(base, size, "overlaps memory grown before");
  growSummaries(p, lo, hi);
  p.update(lo, (hi - lo) / g.pageSize, true, false);
}
