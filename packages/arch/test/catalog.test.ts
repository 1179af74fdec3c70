import { describe, expect, test } from "vitest";
import {
  constantCatalog,
  constantInfoOf,
  constantNames,
  go126Aliases,
  goVersions,
  resolveConstantName,
} from "../src/index.js";

/** Every constant the issue names, by its Go 1.19 name. */
const required = `_PageShift _PageSize _MaxSmallSize _TinySize _TinySizeClass _NumSizeClasses smallSizeDiv smallSizeMax
largeSizeDiv _FixAllocChunk _StackCacheSize _NumStackOrders _FixedStack _StackMin _StackSystem heapAddrBits maxAlloc
heapArenaBytes logHeapArenaBytes pagesPerArena arenaL1Bits arenaL2Bits arenaL1Shift arenaBits arenaBaseOffset
minLegalPointer persistentChunkSize pallocChunkPages pallocChunkBytes logPallocChunkPages summaryLevels summaryLevelBits
summaryL0Bits logMaxPackedValue maxPackedValue pageCachePages minPhysPageSize maxPhysPageSize maxPhysHugePageSize
numSpanClasses tinySpanClass PtrSize DefaultPhysPageSize BigEndian MinFrameSize StackAlign PCQuantum Int64Align`.split(
  /\s+/,
);

describe("constantCatalog", () => {
  test("names are unique Go identifiers", () => {
    for (const v of goVersions) {
      const names = constantNames(v);
      expect(new Set(names).size).toBe(names.length);
      for (const n of names) expect(n).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
    }
  });

  test("every constant the issue lists resolves in both versions", () => {
    for (const v of goVersions) {
      for (const n of required) expect(resolveConstantName(v, n), `${v} ${n}`).toBeDefined();
    }
    expect(constantNames("1.19")).toEqual(expect.arrayContaining(required));
  });

  test("aliases resolve to Go 1.26 names, with Go 1.26's declaring file", () => {
    for (const [old, now] of Object.entries(go126Aliases)) {
      expect(resolveConstantName("1.26", old)).toBe(now);
      expect(constantNames("1.26")).not.toContain(old);
      expect(constantNames("1.26")).toContain(now);
      expect(resolveConstantName("1.19", now)).toBeUndefined();
    }
    expect(constantInfoOf("1.26", "_PageShift")).toEqual({
      name: "PageShift",
      goPackage: "internal/runtime/gc",
      goFiles: ["internal/runtime/gc/sizeclasses.go"],
    });
    expect(constantInfoOf("1.19", "_PageShift")?.goFiles).toEqual(["runtime/sizeclasses.go"]);
    expect(constantInfoOf("1.26", "summaryLevels")?.goFiles).toEqual([
      "runtime/mpagealloc_32bit.go",
      "runtime/mpagealloc_64bit.go",
    ]);
    expect(constantInfoOf("1.26", "nope")).toBeUndefined();
    expect(constantInfoOf("1.26", "hasOwnProperty")).toBeUndefined();
  });

  test("catalogue entries are frozen", () => {
    const c = constantCatalog("1.26");
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c[0])).toBe(true);
  });
});
