import { describe, expect, it } from "vitest";
import { PageCountError, PageDoubleFreeError, PageRangeError } from "../src/errors.js";
import { checkPageAlloc } from "../src/invariants.js";
import { PageAlloc } from "../src/mpagealloc.js";
import { HEADER_BYTES } from "../src/mpagealloc_sys.js";
import { backendsFor } from "./backends.js";
import { fingerprint, loadVectors, newPageAlloc, optsFor, TARGETS } from "./helpers.js";

describe("TestPageAllocGrow", () => {
  for (const target of TARGETS) {
    const G = loadVectors(target).Geometry;
    const B = G.BaseChunkIdx;
    const cb = (c: number) => c * 2 ** (G.LogChunkPages + G.PageShift) - G.ArenaBaseOffsetAdd;
    const cases: Record<string, { chunks: number[]; inUse: Array<[number, number]> }> = {
      One: { chunks: [B], inUse: [[cb(B), cb(B + 1)]] },
      Contiguous2: { chunks: [B, B + 1], inUse: [[cb(B), cb(B + 2)]] },
      Contiguous5: { chunks: [B, B + 1, B + 2, B + 3, B + 4], inUse: [[cb(B), cb(B + 5)]] },
      Discontiguous: {
        chunks: [B, B + 2, B + 4],
        inUse: [
          [cb(B), cb(B + 1)],
          [cb(B + 2), cb(B + 3)],
          [cb(B + 4), cb(B + 5)],
        ],
      },
      Mixed: {
        chunks: [B, B + 1, B + 2, B + 4],
        inUse: [
          [cb(B), cb(B + 3)],
          [cb(B + 4), cb(B + 5)],
        ],
      },
      WildlyDiscontiguous: {
        chunks: [B, B + 1, B + 0x10, B + 0x21],
        inUse: [
          [cb(B), cb(B + 2)],
          [cb(B + 0x10), cb(B + 0x11)],
          [cb(B + 0x21), cb(B + 0x22)],
        ],
      },
      ManyDiscontiguous: {
        chunks: Array.from({ length: 33 }, (_, i) => B + 2 * i),
        inUse: Array.from({ length: 33 }, (_, i) => [cb(B + 2 * i), cb(B + 2 * i + 1)] as [number, number]),
      },
    };
    if (G.HeapAddrBits > 32) {
      cases.ExtremelyDiscontiguous = {
        chunks: [B, B + 0x100000, B + 0x200000],
        inUse: [
          [cb(B), cb(B + 1)],
          [cb(B + 0x100000), cb(B + 0x100001)],
          [cb(B + 0x200000), cb(B + 0x200001)],
        ],
      };
    }
    for (const [name, c] of Object.entries(cases)) {
      it(`${target} ${name}`, () => {
        const sys = backendsFor[target]![0]!.make();
        const p = newPageAlloc(sys, optsFor(G), Object.fromEntries(c.chunks.map((ch) => [String(ch), []])));
        const got: Array<[number, number]> = [];
        for (let r = 0; r < p.inUse.len; r++)
          got.push([p.inUse.base(r) - G.ArenaBaseOffsetAdd, p.inUse.limit(r) - G.ArenaBaseOffsetAdd]);
        expect(got).toEqual(c.inUse);
        checkPageAlloc(p);
      });
    }
  }
});

describe("pageAlloc.grow: bad ranges and refused metadata leave the allocator unchanged", () => {
  for (const target of TARGETS) {
    const G = loadVectors(target).Geometry;
    const CB = 2 ** (G.LogChunkPages + G.PageShift);
    const at = (c: number) => c * CB - G.ArenaBaseOffsetAdd;
    it(`${target}: rejects misaligned, empty, overlapping, out-of-space and chunk-0 ranges`, () => {
      const p = newPageAlloc(backendsFor[target]![0]!.make(), optsFor(G), { [String(G.BaseChunkIdx)]: [] });
      const chunks = [G.BaseChunkIdx];
      const before = fingerprint(p, chunks);
      const B = G.BaseChunkIdx;
      expect(() => p.grow(at(B + 4) + 1, CB)).toThrow(PageRangeError);
      expect(() => p.grow(at(B + 4), 0)).toThrow(PageRangeError);
      expect(() => p.grow(at(B + 4), 100)).toThrow(PageRangeError);
      expect(() => p.grow(at(B) + 2 ** G.PageShift, 2 ** G.PageShift)).toThrow(PageRangeError);
      expect(() => p.grow(2 ** G.HeapAddrBits - G.ArenaBaseOffsetAdd, CB)).toThrow(PageRangeError);
      expect(() => p.grow(-G.ArenaBaseOffsetAdd, CB)).toThrow(PageRangeError);
      if (G.ArenaBaseOffsetAdd > 0) expect(() => p.grow(0, CB)).toThrow(PageRangeError);
      expect(fingerprint(p, chunks)).toBe(before);
      expect(() => p.free(at(B + 7), 1)).toThrow(PageRangeError);
      expect(() => p.free(at(B), 1)).toThrow(PageDoubleFreeError);
      expect(() => p.free(at(B) + 1, 1)).toThrow(PageRangeError);
      expect(() => p.free(at(B), 0)).toThrow(PageCountError);
      expect(fingerprint(p, chunks)).toBe(before);
    });
    it(`${target}: each refused reservation, map or commit during grow rolls back`, () => {
      const far = G.BaseChunkIdx + (G.HeapAddrBits > 32 ? 0x100000 : 0x40);
      let failures = 0;
      for (const kind of ["reserve", "map", "used"] as const) {
        for (let n = 1; n <= (G.HeapAddrBits > 32 ? 4 : 8); n++) {
          const sys = backendsFor[target]![0]!.make();
          const p = PageAlloc.create(sys, optsFor(G));
          if (n % 2 === 0) p.grow(at(G.BaseChunkIdx), CB); // sometimes grow next to existing memory
          const chunks = n % 2 === 0 ? [G.BaseChunkIdx] : [];
          const before = fingerprint(p, chunks);
          const ready = sys.stats().ready;
          const f = sys.faults;
          if (kind === "reserve") f.refuseReserveAt.add(f.reserveCalls + n);
          if (kind === "map") f.refuseMapAt.add(f.mapCalls + n);
          if (kind === "used") f.refuseUsedAt.add(f.usedCalls + n);
          try {
            p.grow(at(far), 3 * CB);
          } catch (e) {
            expect((e as { _tag: string })._tag).toBe("PageAllocOutOfMemoryError");
            expect(fingerprint(p, chunks)).toBe(before);
            expect(sys.stats().ready).toBe(ready);
            if (chunks.length > 0) checkPageAlloc(p);
            failures++;
            f.clear();
            p.grow(at(far), 3 * CB);
          }
          f.clear();
          checkPageAlloc(p);
          expect(p.alloc(3 * G.PallocChunkPages)).toBe(at(far));
          checkPageAlloc(p);
        }
      }
      expect(failures).toBeGreaterThan(0);
    });
  }
});

describe("pageAlloc chunk bitmaps and huge pages (Go's chunkHugePages)", () => {
  it("hints nohuge for new chunk bitmaps, then huge after enableChunkHugePages", () => {
    const G = loadVectors("linux-amd64").Geometry;
    const sys = backendsFor["linux-amd64"]![0]!.make();
    const p = newPageAlloc(sys, optsFor(G), { [String(G.BaseChunkIdx)]: [] });
    // The L1 chunk map follows the header; its entry holds the L2 array's address.
    const l1 = Math.floor(G.BaseChunkIdx / 2 ** 13);
    const addr = p.hv.f64[(p.header - p.hv.base) / 8 + HEADER_BYTES / 8 + l1]!;
    expect(addr).not.toBe(0);
    expect(sys.hugePageHint(addr)).toBe("nohuge");
    p.enableChunkHugePages();
    expect(p.chunkHugePages).toBe(true);
    expect(sys.hugePageHint(addr)).toBe("huge");
    p.enableChunkHugePages();
    checkPageAlloc(p);
  });
});
