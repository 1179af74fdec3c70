import { test as ptest } from "@fast-check/vitest";
import {
  checkMemStats,
  InvariantViolation,
  type MemStats,
  memStatsBySizeLength,
  memStatsFields,
  memStatsFill,
  memStatsGoTypes,
  memStatsPauseLength,
  newMemStats,
  numSizeClasses,
} from "@gomalloc/profiling";
import { describe, expect, test } from "vitest";
import { vectors } from "./govectors.js";
import { consistentMemStats, goSizes } from "./memstats-arb.js";

describe("MemStats", () => {
  for (const { name, v } of vectors) {
    test(`has Go's fields, order and types (reflect on runtime.MemStats, ${name})`, () => {
      expect(v.memStatsFields.map((f) => f.name)).toEqual(memStatsFields);
      expect(v.memStatsFields.map((f) => f.type)).toEqual(memStatsFields.map((f) => memStatsGoTypes[f]));
      expect(v.bySizeFields.map((f) => `${f.name} ${f.type}`)).toEqual([
        "Size uint32",
        "Mallocs uint64",
        "Frees uint64",
      ]);
      expect(v.bySizeLen).toBe(memStatsBySizeLength);
    });
  }

  test("BySize has 61 entries although Go has 68 size classes", () => {
    expect([memStatsBySizeLength, numSizeClasses, memStatsPauseLength]).toEqual([61, 68, 256]);
    expect(goSizes.length).toBe(61);
  });

  test("newMemStats is Go's zero value, with BySize sizes from a class table", () => {
    const z = newMemStats();
    for (const f of memStatsFields) {
      const val = z[f];
      if (Array.isArray(val)) continue;
      expect(val === 0 || val === false).toBe(true);
    }
    expect(z.PauseNs).toEqual(new Array(256).fill(0));
    expect(z.BySize).toHaveLength(61);
    expect(newMemStats(goSizes).BySize.map((c) => c.Size)).toEqual(goSizes);
    expect(newMemStats([...goSizes, 20480, 21760]).BySize.map((c) => c.Size)).toEqual(goSizes);
    expect(() => newMemStats(goSizes.slice(0, 60))).toThrow(InvariantViolation);
    checkMemStats(z);
  });
});

describe("memStatsFill", () => {
  test("states a rule for every field, and the zero ones are zero in a fresh record", () => {
    expect(Object.keys(memStatsFill).sort()).toEqual([...memStatsFields].sort());
    const z = newMemStats(goSizes);
    for (const f of memStatsFields) {
      const rule = memStatsFill[f];
      expect(rule.reason.length).toBeGreaterThan(10);
      if (rule.fill === "zero") {
        const val = z[f];
        expect(Array.isArray(val) ? val.every((x) => x === 0) : val === 0).toBe(true);
      }
      if (rule.fill === "fixed") expect(z[f]).toBe(false);
    }
    const zero = memStatsFields.filter((f) => memStatsFill[f].fill === "zero");
    expect(zero).toEqual([
      "Lookups",
      "StackInuse",
      "StackSys",
      "BuckHashSys",
      "NextGC",
      "LastGC",
      "PauseTotalNs",
      "PauseNs",
      "PauseEnd",
      "NumGC",
      "NumForcedGC",
      "GCCPUFraction",
    ]);
  });
});

describe("readmemstats_m identities (checkMemStats)", () => {
  ptest.prop([consistentMemStats])("hold for records summed the way Go sums them", ({ m }) => {
    checkMemStats(m);
  });

  const breakers: [string, (m: MemStats) => void][] = [
    ["MS1", (m) => (m.Alloc += 8)],
    ["MS2", (m) => (m.HeapIdle += 8192)],
    ["MS3", (m) => (m.HeapReleased = m.HeapIdle + 1)],
    ["MS4", (m) => (m.HeapObjects += 1)],
    ["MS5", (m) => (m.Sys += 1)],
    ["MS6", (m) => (m.MSpanInuse = m.MSpanSys + 1)],
    ["MS7", (m) => (m.NumForcedGC = m.NumGC + 1)],
    ["MS7", (m) => (m.GCCPUFraction = 1.5)],
    ["MS8", (m) => (m.Lookups = -1)],
    ["MS8", (m) => (m.NumGC = 2 ** 32)],
    ["MS8", (m) => m.PauseNs.pop()],
    ["MS9", (m) => m.BySize.pop()],
    ["MS9", (m) => (m.BySize[3]!.Frees = m.BySize[3]!.Mallocs + 1)],
  ];
  for (const [id, breakIt] of breakers) {
    test(`${id} catches ${breakIt.toString().replace(/\s+/g, " ")}`, () => {
      const m = newMemStats(goSizes);
      m.Mallocs = m.Frees = 0;
      m.HeapSys = m.HeapIdle = 65536;
      m.HeapReleased = 8192;
      m.MSpanSys = 16384;
      m.MSpanInuse = 4096;
      m.NumGC = 3;
      m.Sys = m.HeapSys + m.MSpanSys;
      checkMemStats(m);
      breakIt(m);
      try {
        checkMemStats(m);
        expect.fail("checkMemStats accepted a broken record");
      } catch (e) {
        expect(e).toBeInstanceOf(InvariantViolation);
        expect((e as InvariantViolation).id).toBe(id);
      }
    });
  }
});
