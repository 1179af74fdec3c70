import { fc, test as ptest } from "@fast-check/vitest";
import {
  checkHeapProfiler,
  defaultMemProfileRate,
  defaultStackDepth,
  HeapProfiler,
  InvalidAllocation,
  InvalidMemProfileRate,
  InvalidStackDepth,
  type MemProfileRecord,
  nextSample,
  nextSampleOff,
  RuntimeThrow,
  Wyrand,
} from "@gomalloc/profiling";
import { afterEach, describe, expect, test, vi } from "vitest";

/**
 * The call pattern the runtime will use on its allocation path (Go's
 * `c.nextSample -= size; if c.nextSample < 0 || MemProfileRate != c.memProfRate`).
 */
class FakeMCache {
  nextSample: number;
  memProfRate: number;
  constructor(readonly p: HeapProfiler) {
    this.nextSample = p.nextSample();
    this.memProfRate = p.MemProfileRate;
  }
  malloc(addr: number, size: number): boolean {
    this.nextSample -= size;
    if (this.nextSample < 0 || this.memProfRate !== this.p.MemProfileRate) {
      this.memProfRate = this.p.MemProfileRate;
      this.nextSample = this.p.profilealloc(addr, size);
      return true;
    }
    return false;
  }
}

const labelsOf = (r: MemProfileRecord): string[] => r.stack.map((f) => f.functionName);
const stateOf = (w: Wyrand): [number, number] => [w.stateLo, w.stateHi];

afterEach(() => {
  vi.restoreAllMocks();
});

describe("profilealloc / nextSample", () => {
  test("returns Go's next distance from the profiler's own random source", () => {
    const p = new HeapProfiler({ rand: new Wyrand(42) });
    const twin = new Wyrand(42);
    expect(p.nextSample()).toBe(nextSample(defaultMemProfileRate, twin));
    expect(p.profilealloc(0x1000, 64, "site")).toBe(nextSample(defaultMemProfileRate, twin));
    checkHeapProfiler(p);
  });

  test("the runtime pattern samples about one allocation per MemProfileRate bytes", () => {
    const p = new HeapProfiler({ MemProfileRate: 4096, rand: new Wyrand(7), stackDepth: 0 });
    const c = new FakeMCache(p);
    let sampled = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) if (c.malloc(0x10000 + i * 64, 64)) sampled++;
    // 6.4 MB at one sample per 4 KiB ≈ 1562; Poisson spread ≈ 40.
    expect(Math.abs(sampled - (n * 64) / 4096)).toBeLessThan(200);
    expect(p.nlive).toBe(sampled);
    checkHeapProfiler(p);
  });

  test("rate 1 records every allocation; rate 0 records only the one that notices the change", () => {
    const p = new HeapProfiler({ MemProfileRate: 1, stackDepth: 0 });
    const c = new FakeMCache(p);
    for (let i = 1; i <= 10; i++) expect(c.malloc(i * 16, 16)).toBe(true);
    p.MemProfileRate = 0;
    expect(c.malloc(1000, 16)).toBe(true); // Go's profilealloc on a rate change
    expect(c.nextSample).toBe(nextSampleOff);
    for (let i = 1; i <= 10; i++) expect(c.malloc(2000 + i * 16, 1 << 30)).toBe(false);
    expect(p.nlive).toBe(11);
    checkHeapProfiler(p);
  });

  test("captures a stack only for sampled allocations", () => {
    const spy = vi.spyOn(Error, "captureStackTrace");
    const p = new HeapProfiler({ MemProfileRate: 65536, rand: new Wyrand(3) });
    const c = new FakeMCache(p);
    let sampled = 0;
    for (let i = 0; i < 10_000; i++) if (c.malloc(0x10000 + i * 32, 32)) sampled++;
    expect(sampled).toBeGreaterThan(0);
    expect(spy).toHaveBeenCalledTimes(sampled);
  });
});

function allocHere(p: HeapProfiler, addr: number, size: number): void {
  p.profilealloc(addr, size);
}
function callerOfAllocHere(p: HeapProfiler, addr: number, size: number): void {
  allocHere(p, addr, size);
}

describe("stkbucket", () => {
  test("a stack site starts at the caller of profilealloc and keeps stackDepth frames", () => {
    const p = new HeapProfiler({ stackDepth: 2 });
    callerOfAllocHere(p, 0x1000, 32);
    const [r] = p.memProfile();
    expect(r!.label).toBe(false);
    expect(labelsOf(r!)).toEqual(["allocHere", "callerOfAllocHere"]);
    expect(p.stackDepth).toBe(2);
    expect(new HeapProfiler().stackDepth).toBe(defaultStackDepth);
  });

  test("buckets are keyed by site and size, as Go keys by stack and size", () => {
    const p = new HeapProfiler();
    for (let i = 0; i < 3; i++) callerOfAllocHere(p, 0x1000 + i * 64, 64); // one call site
    callerOfAllocHere(p, 0x9000, 128);
    p.mProf_Malloc(0xa000, 64, "x");
    p.mProf_Malloc(0xa100, 64, ["x"]);
    p.mProf_Malloc(0xa200, 64, ["a", "b"]);
    p.mProf_Malloc(0xa300, 64, "a\nb");
    p.mProf_Malloc(0xa400, 64, "a,b");
    expect(p.nbuckets).toBe(6);
    const recs = p.memProfile();
    const site = recs.find((r) => !r.label && r.size === 64)!;
    expect([site.AllocObjects, site.AllocBytes]).toEqual([3, 192]);
    expect(recs.find((r) => r.label && labelsOf(r).join("|") === "x")!.AllocObjects).toBe(2);
    expect(recs.find((r) => labelsOf(r).join("|") === "a|b")!.stack).toEqual([
      { functionName: "a", fileName: "", line: 0, column: 0 },
      { functionName: "b", fileName: "", line: 0, column: 0 },
    ]);
    checkHeapProfiler(p);
  });

  test("stackDepth 0 records an empty stack", () => {
    const p = new HeapProfiler({ stackDepth: 0 });
    p.profilealloc(0x10, 8);
    expect(p.memProfile()[0]!.stack).toEqual([]);
  });
});

describe("mProf_Free (recordFree)", () => {
  test("counts a free once for sampled addresses and ignores the rest", () => {
    const p = new HeapProfiler();
    p.mProf_Malloc(0x100, 48, "s");
    expect(p.recordFree(0x200)).toBe(false);
    expect(p.recordFree(0x100)).toBe(true);
    expect(p.recordFree(0x100)).toBe(false);
    const [r] = p.memProfile(true);
    expect([r!.AllocObjects, r!.FreeObjects, r!.AllocBytes, r!.FreeBytes, r!.InUseBytes]).toEqual([1, 1, 48, 48, 0]);
    expect(p.memProfile(false)).toEqual([]);
    expect(p.nlive).toBe(0);
    checkHeapProfiler(p);
  });

  test("an address can be sampled again once freed", () => {
    const p = new HeapProfiler();
    p.mProf_Malloc(0x100, 48, "s");
    expect(() => p.mProf_Malloc(0x100, 48, "s")).toThrow(RuntimeThrow);
    p.recordFree(0x100);
    p.mProf_Malloc(0x100, 48, "s");
    expect(p.memProfile()[0]!.InUseObjects).toBe(1);
    checkHeapProfiler(p);
  });
});

describe("mProf_NextCycle / mProf_Flush / mProf_PostSweep (publish)", () => {
  test("before any publish the profile folds in every pending cycle", () => {
    const p = new HeapProfiler();
    p.mProf_Malloc(0x100, 16, "a");
    expect(p.memProfile()[0]!.AllocObjects).toBe(1);
    p.mProf_Malloc(0x200, 16, "a"); // after the fold: pending again
    expect(p.memProfile()[0]!.AllocObjects).toBe(1);
    p.publish();
    expect(p.memProfile()[0]!.AllocObjects).toBe(2);
  });

  test("after a publish the profile is the state at that publish", () => {
    const p = new HeapProfiler();
    p.mProf_Malloc(0x100, 16, "a");
    p.mProf_Malloc(0x200, 16, "a");
    p.publish();
    expect(p.cycle).toBe(1);
    p.recordFree(0x100);
    p.mProf_Malloc(0x300, 16, "b");
    expect(p.memProfile().map((r) => [labelsOf(r)[0], r.InUseObjects])).toEqual([["a", 2]]);
    p.publish();
    expect(p.memProfile().map((r) => [labelsOf(r)[0], r.InUseObjects])).toEqual([
      ["b", 1],
      ["a", 1],
    ]);
    checkHeapProfiler(p);
  });
});

describe("misuse", () => {
  test("bad options throw typed errors", () => {
    for (const r of [-1, 1.5, Number.NaN, 2 ** 53]) {
      expect(() => new HeapProfiler({ MemProfileRate: r })).toThrow(InvalidMemProfileRate);
    }
    for (const d of [-1, 1025, 2.5, Number.NaN])
      expect(() => new HeapProfiler({ stackDepth: d })).toThrow(InvalidStackDepth);
  });

  test("a rejected MemProfileRate leaves the rate as it was", () => {
    const p = new HeapProfiler({ MemProfileRate: 100 });
    expect(() => {
      p.MemProfileRate = -5;
    }).toThrow(InvalidMemProfileRate);
    expect(p.MemProfileRate).toBe(100);
  });

  test("bad addresses, sizes, sites and duplicates change nothing, not even the random state", () => {
    const rand = new Wyrand(9);
    const p = new HeapProfiler({ rand });
    p.profilealloc(0x100, 16, "ok");
    const before = { live: p.nlive, buckets: p.nbuckets, rand: stateOf(rand) };
    const bad: [unknown, unknown, unknown][] = [
      [0, 16, "s"],
      [-8, 16, "s"],
      [1.5, 16, "s"],
      [2 ** 53, 16, "s"],
      ["0x100", 16, "s"],
      [0x200, 0, "s"],
      [0x200, -1, "s"],
      [0x200, 2.5, "s"],
      [0x200, 16, 42],
      [0x200, 16, ["a", 1]],
    ];
    for (const [a, s, site] of bad) {
      expect(() => p.profilealloc(a as number, s as number, site as string)).toThrow(InvalidAllocation);
      expect(() => p.mProf_Malloc(a as number, s as number, site as string)).toThrow(InvalidAllocation);
    }
    expect(() => p.profilealloc(0x100, 16, "ok")).toThrow(RuntimeThrow);
    expect(() => p.profilealloc(0x100, 16, "ok")).toThrow("setprofilebucket: profile already set");
    for (const a of [0, -1, 0.5, Number.NaN]) expect(() => p.recordFree(a)).toThrow(InvalidAllocation);
    expect({ live: p.nlive, buckets: p.nbuckets, rand: stateOf(rand) }).toEqual(before);
    expect(p.memProfile()[0]!.AllocObjects).toBe(1);
    checkHeapProfiler(p);
  });
});

// Oracle: a list of events; the published profile covers a prefix of it.
type Op =
  | { t: "malloc"; site: number; size: number }
  | { t: "free"; pick: number }
  | { t: "freeUnsampled" }
  | { t: "publish" }
  | { t: "read"; inuseZero: boolean };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ t: fc.constant("malloc" as const), site: fc.nat(3), size: fc.constantFrom(8, 48, 4096) }),
  },
  { weight: 3, arbitrary: fc.record({ t: fc.constant("free" as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ t: "freeUnsampled" as const }) },
  { weight: 1, arbitrary: fc.constant({ t: "publish" as const }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("read" as const), inuseZero: fc.boolean() }) },
);

describe("memRecord cycles (model)", () => {
  ptest.prop([fc.array(op, { maxLength: 120 })])(
    "reads equal a prefix-of-events oracle; MP1–MP7 hold after every step",
    (ops) => {
      const p = new HeapProfiler({ rand: new Wyrand(1) });
      const events: { key: string; site: string; size: number; alloc: boolean }[] = [];
      const live: { addr: number; key: string; site: string; size: number }[] = [];
      let published = 0;
      let nextAddr = 0x1000;
      for (const o of ops) {
        if (o.t === "malloc") {
          const site = `site${o.site}`;
          const addr = nextAddr;
          nextAddr += 8192;
          p.profilealloc(addr, o.size, site);
          const key = `${site}/${o.size}`;
          events.push({ key, site, size: o.size, alloc: true });
          live.push({ addr, key, site, size: o.size });
        } else if (o.t === "free") {
          if (live.length === 0) continue;
          const [x] = live.splice(o.pick % live.length, 1);
          expect(p.recordFree(x!.addr)).toBe(true);
          events.push({ key: x!.key, site: x!.site, size: x!.size, alloc: false });
        } else if (o.t === "freeUnsampled") {
          expect(p.recordFree(nextAddr + 4096)).toBe(false);
        } else if (o.t === "publish") {
          p.publish();
          published = events.length;
        } else {
          if (published === 0) published = events.length; // Go's fold when nothing was published
          // Every bucket exists from its first sample on; with inuseZero Go lists
          // it even while its published counts are still all zero.
          const want = new Map<string, { site: string; size: number; a: number; f: number }>();
          for (const [i, e] of events.entries()) {
            const w = want.get(e.key) ?? { site: e.site, size: e.size, a: 0, f: 0 };
            if (i < published && e.alloc) w.a++;
            else if (i < published) w.f++;
            want.set(e.key, w);
          }
          const expected = [...want.values()]
            .filter((w) => o.inuseZero || w.a !== w.f)
            .map((w) => [w.site, w.size, w.a, w.f, w.a * w.size, w.f * w.size])
            .sort();
          const got = p
            .memProfile(o.inuseZero)
            .map((r) => [labelsOf(r)[0], r.size, r.AllocObjects, r.FreeObjects, r.AllocBytes, r.FreeBytes])
            .sort();
          expect(got).toEqual(expected);
        }
        checkHeapProfiler(p);
      }
      expect(p.nlive).toBe(live.length);
    },
  );
});
