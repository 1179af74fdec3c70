import { fc } from "@fast-check/vitest";
import { allProfiles, getProfile } from "@gomalloc/arch";
import { describe, expect, it } from "vitest";
import { PageAllocConfigError } from "../src/errors.js";
import { PageAllocGeometry } from "../src/mpagealloc_geometry.js";
import { loadVectors, optsFor, TARGETS } from "./helpers.js";

describe("PageAllocGeometry from @gomalloc/arch profiles", () => {
  for (const version of ["1.19", "1.26"] as const) {
    it(`every Go ${version} profile passes as options and yields its own level constants`, () => {
      for (const p of allProfiles(version)) {
        // AIX's arenaBaseOffset puts heap addresses above 2^53: not representable here.
        if (p.arenaBaseOffsetAdd > 2 ** 52) continue;
        const g = new PageAllocGeometry({ ...p, pageShift: p._PageShift });
        const name = `${p.goos}/${p.goarch}`;
        expect(g.levelBits, name).toEqual([...p.levelBits]);
        expect(g.levelShift, name).toEqual([...p.levelShift]);
        expect(g.levelLogPages, name).toEqual([...p.levelLogPages]);
        expect([g.pallocChunkPages, g.logMaxPackedValue, g.pallocChunksL2Bits, g.pageAlloc64Bit], name).toEqual([
          p.pallocChunkPages,
          p.logMaxPackedValue,
          p.pallocChunksL2Bits,
          Boolean(p.pageAlloc64Bit),
        ]);
      }
    });
  }
  it("chunkIndex and chunkPageIndex agree with Go's (off / chunkBytes, off % chunkBytes / pageSize) up to 2^heapAddrBits", () => {
    for (const name of ["linux/amd64", "js/wasm", "linux/386", "linux/arm64"]) {
      const [goos, goarch] = name.split("/") as [string, string];
      const p = getProfile("1.26", goos, goarch);
      const g = new PageAllocGeometry({ ...p, pageShift: p._PageShift });
      const cb = BigInt(g.pallocChunkBytes);
      fc.assert(
        fc.property(fc.bigInt({ min: 0n, max: 2n ** BigInt(g.heapAddrBits) - 1n }), (off) => {
          const o = Number(off);
          expect(g.chunkIndex(o)).toBe(Number(off / cb));
          expect(g.chunkPageIndex(o)).toBe(Number((off % cb) / BigInt(g.pageSize)));
        }),
        { seed: 20261123, numRuns: 500 },
      );
    }
  });
  it("the vector targets' geometry matches Go's own (what govectors recorded)", () => {
    for (const t of TARGETS) {
      const G = loadVectors(t).Geometry;
      const p = getProfile("1.26", G.GOOS, G.GOARCH);
      const g = new PageAllocGeometry(optsFor(G));
      expect([g.summaryLevels, g.pallocChunkPages, g.arenaBaseOffsetAdd]).toEqual([
        p.summaryLevels,
        p.pallocChunkPages,
        p.arenaBaseOffsetAdd,
      ]);
    }
  });
  it("rejects impossible geometry", () => {
    const ok = { pageShift: 13, heapAddrBits: 32, logPallocChunkPages: 9, summaryLevels: 4, pallocChunksL1Bits: 0 };
    expect(() => new PageAllocGeometry({ ...ok, summaryLevels: 6 })).toThrow(PageAllocConfigError);
    expect(() => new PageAllocGeometry({ ...ok, logPallocChunkPages: 5 })).toThrow(PageAllocConfigError);
    expect(() => new PageAllocGeometry({ ...ok, pageShift: 13.5 })).toThrow(PageAllocConfigError);
    expect(() => new PageAllocGeometry({ ...ok, pallocChunksL1Bits: 20 })).toThrow(PageAllocConfigError);
    expect(() => new PageAllocGeometry({ ...ok, arenaBaseOffsetAdd: -1 })).toThrow(PageAllocConfigError);
  });
});
