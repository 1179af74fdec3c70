import { describe, expect, test } from "vitest";
import { allProfiles, getProfile, goVersions, pageAlloc64BitArches } from "../src/index.js";

describe("pageAlloc (mpagealloc_64bit.go / mpagealloc_32bit.go)", () => {
  test("the 64-bit page allocator follows GOARCH, not PtrSize (wasm has 8-byte pointers)", () => {
    for (const v of goVersions) {
      for (const p of allProfiles(v)) {
        const is64 = pageAlloc64BitArches.includes(p.goarch);
        expect([p.summaryLevels, p.pageAlloc64Bit, p.pallocChunksL1Bits], `${v} ${p.pair}`).toEqual(
          is64 ? [5, 1, 13] : [4, 0, 0],
        );
      }
    }
    expect(getProfile("1.26", "js", "wasm").PtrSize).toBe(8);
  });

  test("48-bit radix tree: 14 root bits, then 3 per level down to 4 MiB chunks", () => {
    const p = getProfile("1.26", "linux", "arm64");
    expect(p.levelBits).toEqual([14, 3, 3, 3, 3]);
    expect(p.levelShift).toEqual([34, 31, 28, 25, 22]);
    expect(p.levelLogPages).toEqual([21, 18, 15, 12, 9]);
    expect(p.freeChunkSum).toBe(512 + 512 * 2 ** 21 + 512 * 2 ** 42);
  });

  test("Go 1.26 wasm: 64-page chunks under a 4-level tree", () => {
    const p = getProfile("1.26", "wasip1", "wasm");
    expect([p.logPallocChunkPages, p.pallocChunkBytes, p.summaryL0Bits]).toEqual([6, 512 << 10, 4]);
    expect(p.levelShift).toEqual([28, 25, 22, 19]);
    expect(p.scavChunkHiOccPages).toBe(62);
    const q = getProfile("1.19", "js", "wasm");
    expect([q.logPallocChunkPages, q.summaryL0Bits]).toEqual([9, 1]);
  });

  test("mips has a 0-bit root level (31-bit addresses)", () => {
    const p = getProfile("1.19", "linux", "mipsle");
    expect(p.levelBits).toEqual([0, 3, 3, 3]);
    expect(p.pallocChunksL2Bits).toBe(9);
  });
});

describe("mheap, mspanset and the scavenger", () => {
  test("span classes and ports' special cases", () => {
    for (const v of goVersions) {
      for (const p of allProfiles(v)) {
        expect([p.numSpanClasses, p.tinySpanClass], p.pair).toEqual([136, 5]);
        expect(p.physPageAlignedStacks, p.pair).toBe(p.goos === "openbsd");
        expect(p.scavengeCostRatio, p.pair).toBe(p.goos === "darwin" || p.goos === "ios" ? 0.7 : 0);
        expect(p.gcBitsHeaderBytes).toBe(2 * p.PtrSize);
      }
    }
    expect(getProfile("1.26", "js", "wasm").pagesPerReclaimerChunk).toBe(64);
    expect(getProfile("1.19", "js", "wasm").pagesPerReclaimerChunk).toBe(512);
  });
});
