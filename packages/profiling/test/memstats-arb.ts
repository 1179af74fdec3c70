// A fast-check arbitrary of MemStats records that satisfy Go's identities
// (MS1–MS9): built from independent parts, then summed the way Go sums them.
import { fc } from "@fast-check/vitest";
import { type MemStats, newMemStats } from "@gomalloc/profiling";
import { loadVectors } from "./govectors.js";

/** Go's MemStats.BySize[i].Size, read from a real ReadMemStats. */
export const goSizes = loadVectors("go1.26-amd64").bySizeSizes;

const n = (max = 2 ** 40) => fc.integer({ min: 0, max });

export const consistentMemStats: fc.Arbitrary<{ m: MemStats; tiny: number }> = fc
  .record({
    classCounts: fc.array(fc.tuple(n(1000), n(1000)), { minLength: 61, maxLength: 61 }),
    largeAllocs: n(1000),
    largeFrees: n(1000),
    tiny: n(1000),
    unusedInSpans: n(),
    heapFree: n(),
    released: n(),
    stackInuse: n(),
    osStacks: n(),
    mspan: fc.tuple(n(), n()),
    mcache: fc.tuple(n(), n()),
    buck: n(),
    gc: n(),
    other: n(),
    numGC: n(2 ** 31),
    forcedShare: fc.double({ min: 0, max: 1, noNaN: true }),
    cpu: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map((p) => {
    const sizes = goSizes;
    const m = newMemStats(sizes);
    let allocs = 0;
    let frees = 0;
    let allocBytes = 0;
    let freeBytes = 0;
    for (const [i, [a, f]] of p.classCounts.entries()) {
      const mallocs = i === 0 ? 0 : a + f;
      const freed = i === 0 ? 0 : f;
      m.BySize[i]!.Mallocs = mallocs;
      m.BySize[i]!.Frees = freed;
      allocs += mallocs;
      frees += freed;
      allocBytes += mallocs * sizes[i]!;
      freeBytes += freed * sizes[i]!;
    }
    const large = 40960;
    allocs += p.largeAllocs + p.largeFrees + p.tiny;
    frees += p.largeFrees + p.tiny;
    allocBytes += (p.largeAllocs + p.largeFrees) * large;
    freeBytes += p.largeFrees * large;
    m.Mallocs = allocs;
    m.Frees = frees;
    m.HeapObjects = allocs - frees;
    m.TotalAlloc = allocBytes;
    m.HeapAlloc = m.Alloc = allocBytes - freeBytes;
    m.HeapInuse = m.HeapAlloc + p.unusedInSpans;
    m.HeapReleased = p.released;
    m.HeapIdle = p.heapFree + p.released;
    m.HeapSys = m.HeapIdle + m.HeapInuse;
    m.StackInuse = p.stackInuse;
    m.StackSys = p.stackInuse + p.osStacks;
    m.MSpanInuse = p.mspan[0];
    m.MSpanSys = p.mspan[0] + p.mspan[1];
    m.MCacheInuse = p.mcache[0];
    m.MCacheSys = p.mcache[0] + p.mcache[1];
    m.BuckHashSys = p.buck;
    m.GCSys = p.gc;
    m.OtherSys = p.other;
    m.Sys = m.HeapSys + m.StackSys + m.MSpanSys + m.MCacheSys + m.BuckHashSys + m.GCSys + m.OtherSys;
    m.NumGC = p.numGC;
    m.NumForcedGC = Math.floor(p.numGC * p.forcedShare);
    m.GCCPUFraction = p.cpu;
    return { m, tiny: p.tiny };
  });
