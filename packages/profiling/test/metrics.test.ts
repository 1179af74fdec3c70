import { test as ptest } from "@fast-check/vitest";
import {
  checkMemoryClasses,
  InvalidProfileOption,
  InvariantViolation,
  memoryClassLeaves,
  memStatsMetricDescriptions,
  metricsFromMemStats,
  newMemStats,
} from "@gomalloc/profiling";
import { describe, expect, test } from "vitest";
import { vectors } from "./govectors.js";
import { consistentMemStats, goSizes } from "./memstats-arb.js";

describe("runtime/metrics descriptions", () => {
  for (const { name, v } of vectors) {
    test(`every name exists in Go's metrics.All() with the same kind and cumulativeness (${name})`, () => {
      const go = new Map(v.metrics.map((m) => [m.name, m]));
      for (const d of memStatsMetricDescriptions) {
        expect(go.get(d.Name), d.Name).toEqual({ name: d.Name, kind: d.Kind, cumulative: d.Cumulative });
      }
    });
  }

  test("sorted by name like metrics.All(), and every /memory/classes leaf of Go is covered", () => {
    const names = memStatsMetricDescriptions.map((d) => d.Name);
    expect(names).toEqual([...names].sort());
    const go126 = vectors.find((x) => x.name === "go1.26-amd64")!.v;
    const goLeaves = go126.metrics
      .map((m) => m.name)
      .filter((n) => n.startsWith("/memory/classes/") && n !== "/memory/classes/total:bytes");
    expect([...memoryClassLeaves].sort()).toEqual(goLeaves.sort());
  });
});

describe("metricsFromMemStats", () => {
  test("Go's formulas on a worked record", () => {
    const m = newMemStats(goSizes);
    Object.assign(m, {
      Mallocs: 1000,
      Frees: 600,
      HeapObjects: 400,
      TotalAlloc: 100_000,
      HeapAlloc: 30_000,
      Alloc: 30_000,
      HeapInuse: 40_960,
      HeapIdle: 24_576,
      HeapReleased: 8192,
      HeapSys: 65_536,
      MSpanInuse: 1000,
      MSpanSys: 16_384,
      MCacheInuse: 200,
      MCacheSys: 16_384,
      GCSys: 5000,
      OtherSys: 700,
      NumGC: 5,
      NumForcedGC: 2,
      NextGC: 4_000_000,
    });
    m.Sys = m.HeapSys + m.MSpanSys + m.MCacheSys + m.GCSys + m.OtherSys;
    const x = metricsFromMemStats(m, 50);
    expect(x).toMatchObject({
      "/gc/cycles/automatic:gc-cycles": 3,
      "/gc/cycles/forced:gc-cycles": 2,
      "/gc/cycles/total:gc-cycles": 5,
      "/gc/heap/allocs:bytes": 100_000,
      "/gc/heap/allocs:objects": 950,
      "/gc/heap/frees:bytes": 70_000,
      "/gc/heap/frees:objects": 550,
      "/gc/heap/goal:bytes": 4_000_000,
      "/gc/heap/objects:objects": 400,
      "/gc/heap/tiny/allocs:objects": 50,
      "/memory/classes/heap/free:bytes": 16_384,
      "/memory/classes/heap/objects:bytes": 30_000,
      "/memory/classes/heap/released:bytes": 8192,
      "/memory/classes/heap/unused:bytes": 10_960,
      "/memory/classes/metadata/mcache/free:bytes": 16_184,
      "/memory/classes/metadata/mspan/free:bytes": 15_384,
      "/memory/classes/metadata/other:bytes": 5000,
      "/memory/classes/other:bytes": 700,
      "/memory/classes/total:bytes": m.Sys,
    });
    expect(Object.keys(x).sort()).toEqual(memStatsMetricDescriptions.map((d) => d.Name));
    checkMemoryClasses(x);
  });

  ptest.prop([consistentMemStats])(
    "the memory classes sum to the total for every consistent record (MC1)",
    ({ m, tiny }) => {
      const x = metricsFromMemStats(m, tiny);
      checkMemoryClasses(x);
      expect(x["/gc/heap/allocs:objects"] - x["/gc/heap/frees:objects"]).toBe(x["/gc/heap/objects:objects"]);
      expect(x["/gc/heap/allocs:bytes"] - x["/gc/heap/frees:bytes"]).toBe(x["/memory/classes/heap/objects:bytes"]);
    },
  );

  test("checkMemoryClasses catches a total that is not the sum", () => {
    const x = metricsFromMemStats(newMemStats());
    x["/memory/classes/other:bytes"] = 1;
    expect(() => checkMemoryClasses(x)).toThrow(InvariantViolation);
  });

  test("rejects a tiny count MemStats cannot contain, and records that would go negative", () => {
    const m = newMemStats();
    m.Mallocs = 10;
    m.Frees = 4;
    m.HeapObjects = 6;
    for (const t of [-1, 5, 1.5, Number.NaN]) expect(() => metricsFromMemStats(m, t)).toThrow(InvalidProfileOption);
    m.HeapAlloc = 10; // > TotalAlloc 0
    expect(() => metricsFromMemStats(m, 0)).toThrow(InvariantViolation);
  });
});
