import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { SysStat } from "@gomalloc/os-mem";
import {
  class_to_allocnpages,
  class_to_divmagic,
  class_to_nelems,
  class_to_size,
  numSizeClasses,
} from "@gomalloc/sizeclass";
import { describe, expect, it } from "vitest";
import { SpanAllocError, SpanArgumentError } from "../src/errors.js";
import { checkSpan } from "../src/invariants.js";
import { F_allocBits, F_freed, F_gcmarkBits, MSpanTable, mSpanDead, mSpanInUse, mSpanManual } from "../src/mspan.js";
import { SpanAlloc } from "../src/spanalloc.js";
import { backends, newTable } from "./backends.js";

const spans = (
  JSON.parse(gunzipSync(readFileSync(new URL("./fixtures/go-span-vectors.json.gz", import.meta.url))).toString()) as {
    Spans: Array<{ Class: number; Npages: number; Nelems: number; Elemsize: number; DivMul: number }>;
  }
).Spans;
const BASE = 0x10000000;

describe("mheap.initSpan geometry (nelems, divMul, limit) for every Go size class", () => {
  it.each(backends)("matches Go for all 67 classes (noscan, no reserve) on $name memory", (b) => {
    const mem = SpanAlloc.create(b.make());
    const t = new MSpanTable(mem);
    const used = new Set<number>();
    for (const v of spans) {
      const s = t.allocSpan();
      used.add(s);
      t.init(s, BASE, v.Npages);
      expect(t.initSpan(s, (v.Class << 1) | 1, v.Elemsize, v.DivMul, true, 7)).toBe(true);
      expect([t.nelems(s), t.divMul(s), t.limit(s), t.state(s), t.needzero(s), t.sweepgen(s)]).toEqual([
        v.Nelems,
        v.DivMul,
        BASE + v.Nelems * v.Elemsize,
        mSpanInUse,
        true,
        7,
      ]);
      expect(t.bitmapBytes(s) * 8).toBeGreaterThanOrEqual(v.Nelems);
      checkSpan(t, s);
      t.init(s, 0, 0);
      t.freeSpan(s);
    }
    // Every record went back to spanalloc: the next one is a reused record.
    expect(used.has(t.allocSpan())).toBe(true);
  });
  it("agrees with @gomalloc/sizeclass's tables (size, npages, divMagic, nelems) for every class", () => {
    const t = newTable();
    for (let c = 1; c < numSizeClasses; c++) {
      const s = t.allocSpan();
      t.init(s, BASE, class_to_allocnpages[c]!);
      expect(t.initSpan(s, (c << 1) | 1, class_to_size[c]!, class_to_divmagic[c]!, false, 0)).toBe(true);
      expect(t.nelems(s), `class ${c}`).toBe(class_to_nelems[c]);
      checkSpan(t, s);
      t.init(s, 0, 0);
      t.freeSpan(s);
    }
  });
  it("reserve shrinks nelems as Go's heap-bits tail does", () => {
    const t = newTable();
    const s = t.allocSpan();
    t.init(s, BASE, 1);
    // Go: nelems = (8192 - 8192/8/8) / 16 for a scan span of 16-byte objects.
    expect(t.initSpan(s, 2 << 1, 16, Math.floor(0xffffffff / 16) + 1, false, 0, 8192 / 8 / 8)).toBe(true);
    expect(t.nelems(s)).toBe(504);
    checkSpan(t, s);
  });
});

describe("initSpan and the span table reject misuse", () => {
  it("throws SpanArgumentError for impossible geometry and leaves the span as it was", () => {
    const t = newTable();
    const s = t.allocSpan();
    t.init(s, BASE, 1);
    expect(() => t.initSpan(s, 10, 48, 12345, false, 0)).toThrow(SpanArgumentError);
    expect(() => t.initSpan(s, 10, 0, 1, false, 0)).toThrow(SpanArgumentError);
    expect(() => t.initSpan(s, 10, 16384, Math.floor(0xffffffff / 16384) + 1, false, 0)).toThrow(SpanArgumentError);
    expect(() => t.initSpan(s, 256, 48, 0, false, 0)).toThrow(SpanArgumentError);
    expect(() => t.initSpan(s, 10, 48, Math.floor(0xffffffff / 48) + 1, false, 0, 9000)).toThrow(SpanArgumentError);
    expect(t.state(s)).toBe(mSpanDead);
    expect(() => t.freeSpan(s)).not.toThrow();
  });
  it("freeSpan refuses live spans; exhaustion returns 0 and false", () => {
    const t = newTable(backends[0], { reserveBytes: 512 << 10 });
    const s = t.allocSpan();
    t.init(s, BASE, 1);
    t.initSpan(s, 3, 8, Math.floor(0xffffffff / 8) + 1, false, 0);
    expect(() => t.freeSpan(s)).toThrow(SpanArgumentError);
    let n = 0;
    while (t.allocSpan() !== 0) n++;
    expect(n).toBeGreaterThan(0);
    const u = t.allocSpan();
    expect(u).toBe(0);
  });
  it("manual spans hold no objects", () => {
    const t = newTable();
    const s = t.allocSpan();
    t.init(s, BASE, 4);
    t.initManual(s, true);
    expect([t.state(s), t.nelems(s), t.bitmapBytes(s)]).toEqual([mSpanManual, 0, 0]);
    checkSpan(t, s);
  });
});

describe("SpanAlloc sources", () => {
  it("the sysAlloc source cuts everything from sysAlloc'd chunks under a flat backend's one view", () => {
    const b = backends.find((x) => x.name === "arraybuffer resizable")!;
    const sys = b.make();
    const mem = SpanAlloc.create(sys, { source: "sysAlloc" });
    expect(mem.source).toBe("sysAlloc");
    expect(sys.stats().reserved).toBe(0);
    const t = new MSpanTable(mem);
    const s = t.allocSpan();
    t.init(s, BASE, 1);
    expect(t.initSpan(s, 3, 8, Math.floor(0xffffffff / 8) + 1, false, 0)).toBe(true);
    checkSpan(t, s);
    const m = mem.allocMeta(100 << 10, 8, SysStat.gcMiscSys);
    expect(mem.view.covers(m, 100 << 10)).toBe(true);
    expect(mem.inuse).toBe(128);
    expect(SpanAlloc.attach(sys, mem.header).source).toBe("sysAlloc");
  });
  it("allocBits serves every power of two in [8, 4096] from its own pool and refuses any other size", () => {
    const mem = SpanAlloc.create(backends[0]!.make());
    const seen = new Set<number>();
    for (let n = 8; n <= 4096; n *= 2) {
      const a = mem.allocBits(n);
      expect(a % 8).toBe(0);
      expect(mem.view.u8.subarray(a - mem.view.base, a - mem.view.base + 4 * n).every((x) => x === 0)).toBe(true);
      mem.freeBits(a, n);
      expect(mem.allocBits(n)).toBe(a); // its pool's free list gives it back
      seen.add(a);
    }
    expect(seen.size).toBe(10);
    for (const bad of [0, 1, 4, 7, 12, 24, 100, 8192, 2 ** 31, 2 ** 32 + 8, -8, 8.5, Number.NaN]) {
      expect(() => mem.allocBits(bad), String(bad)).toThrow(SpanAllocError);
    }
  });
  it("minBitmapBytes sets the smallest bitmap (64: a cache line per bitmap, as a shared heap asks); span records start a line", () => {
    for (const b of backends) {
      const mem = SpanAlloc.create(b.make(), { minBitmapBytes: 64 });
      expect(mem.minBitmapBytes).toBe(64);
      const t = new MSpanTable(mem);
      const spans = Array.from({ length: 3 }, () => t.allocSpan());
      for (const s of spans) {
        expect(s % 64, b.name).toBe(0); // the hot half of a 128-byte record is one cache line
        t.init(s, BASE, 1);
        expect(t.initSpan(s, 3 << 1, 512, Math.floor(0xffffffff / 512) + 1, false, 0)).toBe(true); // 16 objects
        expect(t.bitmapBytes(s)).toBe(64);
        const bits = [F_allocBits, F_gcmarkBits, F_freed].map((f) => mem.view.base + 4 * t.getU32(s, f));
        expect(
          bits.every((a) => a % 64 === 0),
          b.name,
        ).toBe(true);
        checkSpan(t, s);
      }
      expect(new MSpanTable(SpanAlloc.attach(mem.sys, mem.header)).mem.minBitmapBytes).toBe(64);
      const small = new MSpanTable(SpanAlloc.create(b.make()));
      const s = small.allocSpan();
      small.init(s, BASE, 1);
      expect(small.initSpan(s, 3 << 1, 512, Math.floor(0xffffffff / 512) + 1, false, 0)).toBe(true);
      expect(small.bitmapBytes(s)).toBe(8);
    }
    for (const bad of [0, 4, 12, 100, 8192, 8.5]) {
      expect(() => SpanAlloc.create(backends[0]!.make(), { minBitmapBytes: bad }), String(bad)).toThrow(SpanAllocError);
    }
  });
  it("allocMeta charges its bytes to the stat asked for, as persistentalloc does", () => {
    const sys = backends[0]!.make();
    const mem = SpanAlloc.create(sys);
    const before = sys.statLoad(SysStat.mcache_sys);
    const m = mem.allocMeta(1000, 8, SysStat.mcache_sys);
    expect(m).toBeGreaterThan(0);
    expect(sys.statLoad(SysStat.mcache_sys) - before).toBe(1000);
  });
  it("the sysAlloc source refuses a chunk outside its view (simulated backend: one view per reservation)", () => {
    const sys = backends[0]!.make();
    const mem = SpanAlloc.create(sys, { source: "sysAlloc" });
    expect(() => new MSpanTable(mem).allocSpan()).toThrow(SpanAllocError);
    expect(() => SpanAlloc.create(sys, { source: "bogus" as "reserve" })).toThrow(SpanAllocError);
  });
});
