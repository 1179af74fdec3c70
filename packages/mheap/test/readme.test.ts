// The README's usage examples, run as written.

import { getProfile } from "@gomalloc/arch";
import { ArrayBufferSysMemory, SimSysMemory, SysStat } from "@gomalloc/os-mem";
import { describe, expect, it } from "vitest";
import { cacheSpan, checkPageAlloc, MHeap, PageAlloc, PageCache, pageCacheBytes } from "../src/index.js";

describe("README", () => {
  it("the heap: a span at Go's first arena hint, spanOf, cacheSpan", () => {
    // --- README: heap ---
    const profile = getProfile("1.26", "linux", "amd64");
    const h = MHeap.create(new SimSysMemory({ addressSpaceEnd: 2 ** 47 }), { profile });
    const s = h.allocSpan(1, (5 << 1) | 1, null, true); // a span of 48-byte objects, at Go's first arena hint
    h.spans.base(s); // 0xc000000000
    h.spanOf(0xc000000030); // s: the arena map finds a span from any address in O(1)
    const c = cacheSpan(h, (9 << 1) | 1, null, true, 0); // what mcache.refill asks mcentral for
    h.spans.nelems(c); // 73 objects of 112 bytes
    // --- end ---
    expect(h.spans.base(s)).toBe(0xc000000000);
    expect(h.spanOf(0xc000000030)).toBe(s);
    expect(h.spans.nelems(c)).toBe(73);
  });

  it("sub-allocates a GPU buffer in 64 KiB pages", () => {
    // --- README: standalone ---
    // The allocator's metadata lives in managed memory: here a small ArrayBuffer.
    const meta = ArrayBufferSysMemory.create(new ArrayBuffer(1 << 20), { physPageSize: 4096 });

    // Manage a 256 MiB GPU buffer in 64 KiB pages. Offsets stay below 4 GiB, so a
    // 32-bit geometry with 4 MiB chunks (64 pages each) fits.
    const pages = PageAlloc.create(meta, {
      pageShift: 16, // 64 KiB pages
      heapAddrBits: 32, // offsets below 4 GiB
      logPallocChunkPages: 6, // 64 pages per chunk
      summaryLevels: 4,
      pallocChunksL1Bits: 0,
    });

    // 0 means "no memory" (Go's sentinel), so the first chunk is never managed:
    // shift the buffer's offsets up by one chunk.
    const BIAS = 4 << 20;
    pages.grow(BIAS, 256 << 20);

    const a = pages.alloc(3); // three contiguous 64 KiB pages, first fit
    const b = pages.alloc(100); // 6.25 MiB, crossing chunks
    const offsetA = a - BIAS; // byte offset inside the GPU buffer
    pages.free(a, 3);
    const c = pages.alloc(2); // reuses the lowest free pages
    // --- end ---
    expect([offsetA, b - BIAS, c - BIAS]).toEqual([0, 3 << 16, 0]);
    checkPageAlloc(pages);
  });

  it("runs Go's linux/amd64 geometry on a simulated 48-bit address space", () => {
    // --- README: heap ---
    const sys = new SimSysMemory({ addressSpaceEnd: 2 ** 47 });
    const released: Array<[number, number]> = [];
    const pages = PageAlloc.create(sys, {
      pageShift: 13,
      heapAddrBits: 48,
      logPallocChunkPages: 9,
      summaryLevels: 5,
      pallocChunksL1Bits: 13,
      arenaBaseOffsetAdd: 2 ** 47, // Go's arenaBaseOffset 0xffff800000000000, negated
      release: (addr, bytes) => released.push([addr, bytes]), // the heap calls sysUnused here
    });
    pages.grow(0xc000000000, 64 << 20); // one 64 MiB arena at Go's first hint

    const span = pages.alloc(4); // a 4-page span
    const scavenged = pages.scav; // bytes of it that were released to the OS: sysUsed them first

    // A per-P page cache: 64 pages taken in one locked step.
    const rec = sys.sysAlloc(sys.physPageSize, SysStat.other_sys);
    const cache = new PageCache(sys.viewOf(rec), rec, 8192);
    pages.allocToCache(cache);
    const page = cache.alloc(1);
    cache.flush(pages);

    pages.free(span, 4);
    pages.free(page, 1);
    const bytes = pages.scavenge(Number.POSITIVE_INFINITY, true); // release every free, unscavenged page: 5 pages
    // --- end ---
    expect([span, scavenged, page]).toEqual([0xc000000000, 4 * 8192, 0xc000000000 + 4 * 8192]);
    expect(bytes).toBe(5 * 8192); // grown memory starts scavenged: only the 5 pages used since are released
    expect(released.reduce((t, [, n]) => t + n, 0)).toBe(bytes);
    expect(pageCacheBytes).toBe(24);
    checkPageAlloc(pages);
  });
});
