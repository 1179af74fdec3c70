// mallocinit's checks with Go's texts, and which profiles a heap can run.
import { getProfile } from "@gomalloc/arch";
import { SimSysMemory } from "@gomalloc/os-mem";
import { SizeClasses } from "@gomalloc/sizeclass";
import { describe, expect, it } from "vitest";
import { checkProfileRunnable, MallocInitError, mallocinitChecks, UnsupportedProfileError } from "../src/index.js";

const p126 = getProfile("1.26", "linux", "amd64");
const p119 = getProfile("1.19", "linux", "amd64");
const sc = SizeClasses.defaults;

function fails(physPageSize: number, physHugePageSize: number, goText: string, printed: string): void {
  let err: unknown;
  try {
    mallocinitChecks({ profile: p126, sizeClasses: sc, physPageSize, physHugePageSize });
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(MallocInitError);
  expect((err as MallocInitError).goText).toBe(goText);
  expect((err as MallocInitError).printed).toBe(printed);
}

describe("mallocinit checks (Go's malloc.go)", () => {
  it("accepts Go's page sizes for every profile of both versions", () => {
    for (const p of [p119, p126, getProfile("1.26", "js", "wasm"), getProfile("1.19", "linux", "386")]) {
      expect(
        mallocinitChecks({ profile: p, sizeClasses: sc, physPageSize: p.DefaultPhysPageSize, physHugePageSize: 0 }),
      ).toEqual({
        physHugePageSize: 0,
      });
    }
  });
  it("rejects a missing, too small, too large or non-power-of-two physical page size", () => {
    fails(0, 0, "failed to get system page size", "");
    fails(2048, 0, "bad system page size", "system page size (2048) is smaller than minimum page size (4096)\n");
    fails(1 << 20, 0, "bad system page size", "system page size (1048576) is larger than maximum page size (524288)\n");
    fails(12288, 0, "bad system page size", "system page size (12288) must be a power of 2\n");
  });
  it("huge pages: not a power of two throws; larger than a chunk is silently 0", () => {
    fails(4096, 3 << 20, "bad system huge page size", "system huge page size (3145728) must be a power of 2\n");
    const ok = (h: number) =>
      mallocinitChecks({ profile: p126, sizeClasses: sc, physPageSize: 4096, physHugePageSize: h }).physHugePageSize;
    expect(p126.maxPhysHugePageSize).toBe(4 << 20); // a page-allocator chunk
    expect(ok(2 << 20)).toBe(2 << 20);
    expect(ok(8 << 20)).toBe(0);
    expect(ok(1 << 30)).toBe(0);
  });
  it("checks the tiny size class against maxTinySize", () => {
    // 16-byte alignment from the first class: class 2 is 32 bytes, not Go's _TinySize.
    const odd = SizeClasses.generate({ minHeapAlign: 16, expectNumSizeClasses: null });
    expect(() =>
      mallocinitChecks({ profile: p126, sizeClasses: odd, physPageSize: 4096, physHugePageSize: 0 }),
    ).toThrow(new MallocInitError("bad TinySizeClass", ""));
  });
});

describe("profiles a heap can run", () => {
  it("rejects aix (addresses past 2^53) and non-wasm profiles on flat backends", () => {
    const sim = new SimSysMemory();
    expect(() => checkProfileRunnable(getProfile("1.26", "aix", "ppc64"), sim)).toThrow(UnsupportedProfileError);
    expect(() => checkProfileRunnable(p126, sim)).not.toThrow();
  });
});
