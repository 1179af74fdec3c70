import { fc, test as ptest } from "@fast-check/vitest";
import {
  checkTrace,
  type GenerateOptions,
  generateTrace,
  goSlotSizes,
  InvalidTraceOption,
  OP_ALLOC,
  OP_FREE,
  OP_REALLOC,
  SizeDist,
  type Trace,
  TraceRand,
  traceKinds,
  traceOptionsFromHeader,
  traceStats,
} from "@gomalloc/trace";
import { describe, expect, test } from "vitest";
import { plain } from "./arb.js";

const kindArb = fc.constantFrom(...traceKinds);
const small = (kind: GenerateOptions["kind"]): Partial<GenerateOptions> =>
  kind === "small-churn" ? { live: 37 } : kind === "large" ? { live: 5, maxSize: 200000 } : {};

/** Sizes of every alloc and realloc. */
function requested(t: Trace): number[] {
  const out: number[] = [];
  for (let i = 0; i < t.length; i++) if (t.op[i] !== OP_FREE) out.push(t.size[i]!);
  return out;
}

describe("generateTrace, every kind", () => {
  ptest.prop([kindArb, fc.integer({ min: 0, max: 3000 }), fc.maxSafeNat()])(
    "exact op count, valid trace, drained (one object left for odd ops), header rebuilds it",
    (kind, ops, seed) => {
      const t = generateTrace({ kind, ops, seed, ...small(kind) });
      expect(t.length).toBe(ops);
      checkTrace(t);
      const s = traceStats(t);
      expect(s.liveObjects).toBe(ops % 2);
      expect(t.header!.params).toMatchObject({ kind, ops: String(ops), seed: String(seed) });
      expect(plain(generateTrace(traceOptionsFromHeader(t.header!)))).toEqual(plain(t));
    },
  );

  ptest.prop([kindArb, fc.integer({ min: 200, max: 2000 }), fc.maxSafeNat()])(
    "same seed → same trace; another seed → another trace",
    (kind, ops, seed) => {
      const a = generateTrace({ kind, ops, seed });
      expect(plain(generateTrace({ kind, ops, seed }))).toEqual(plain(a));
      const b = generateTrace({ kind, ops, seed: seed === 0 ? 1 : seed - 1 });
      expect(plain(b).size).not.toEqual(plain(a).size);
    },
  );

  test("a seed pins the trace on every engine (changing a generator changes these)", () => {
    const pinned: Record<string, [number[], number[]]> = {
      "small-churn": [
        [0, 1, 2, 3, 4, 5, 3, 1, 2, 5, 0, 4],
        [149, 229, 125, 95, 91, 133, 95, 229, 125, 133, 149, 91],
      ],
      mixed: [
        [0, 1, 2, 3, 4, 5, 5, 0, 4, 1, 2, 3],
        [32, 19, 27, 39, 24, 27, 27, 32, 24, 19, 27, 39],
      ],
      bulk: [
        [0, 1, 2, 3, 4, 5, 2, 4, 1, 3, 0, 5],
        [32, 27, 13, 27, 45, 24, 13, 45, 27, 27, 32, 24],
      ],
      large: [
        [0, 1, 2, 3, 4, 5, 2, 4, 1, 3, 0, 5],
        [247654, 177341, 98511, 332279, 466891, 128678, 98511, 466891, 177341, 332279, 247654, 128678],
      ],
    };
    for (const kind of traceKinds) {
      const t = generateTrace({ kind, ops: 12, seed: 1 });
      expect([[...t.id], [...t.size]]).toEqual(pinned[kind]);
    }
  });
});

describe("small-churn", () => {
  ptest.prop([
    fc.integer({ min: 1, max: 64 }),
    fc.integer({ min: 0, max: 100 }),
    fc.integer({ min: 0, max: 100 }),
    fc.maxSafeNat(),
  ])(
    "sizes in [minSize, maxSize], peak live objects = live, steady state keeps `live` objects",
    (live, minSize, span, seed) => {
      const t = generateTrace({
        kind: "small-churn",
        ops: 6 * live + 20,
        seed,
        live,
        minSize,
        maxSize: minSize + span,
      });
      for (const n of requested(t)) expect(n >= minSize && n <= minSize + span).toBe(true);
      expect(traceStats(t).peakLiveObjects).toBe(live);
    },
  );

  test("reallocRate: none at 0, about the rate of steady-state steps otherwise", () => {
    const none = traceStats(generateTrace({ kind: "small-churn", ops: 20000, seed: 3 }));
    expect(none.reallocs).toBe(0);
    const t = traceStats(generateTrace({ kind: "small-churn", ops: 20000, seed: 3, live: 100, reallocRate: 0.5 }));
    // Steady state alternates (free | realloc) and alloc-after-free: reallocs ≈ allocs after warm-up.
    expect(t.reallocs / (t.allocs - 100)).toBeGreaterThan(0.9);
    expect(t.reallocs / (t.allocs - 100)).toBeLessThan(1.1);
  });
});

describe("mixed", () => {
  test("size shape follows Go's profile: share of objects ≤ 256 B within 1% of the table's", () => {
    const rows = goSlotSizes.filter(([s]) => s <= 1 << 20);
    const total = rows.reduce((a, [, c]) => a + c, 0);
    const small256 = rows.filter(([s]) => s <= 256).reduce((a, [, c]) => a + c, 0) / total;
    expect(small256).toBeGreaterThan(0.9); // most Go objects are small
    const sizes = requested(generateTrace({ kind: "mixed", ops: 200000, seed: 9 }));
    const got = sizes.filter((n) => n <= 256).length / sizes.length;
    expect(Math.abs(got - small256)).toBeLessThan(0.01);
    expect(Math.max(...sizes)).toBeGreaterThan(32768); // the tail reaches large objects
    expect(Math.max(...sizes)).toBeLessThanOrEqual(1 << 20);
  });

  test("lifetimes in allocations are geometric with the given mean", () => {
    const mean = 64;
    const t = generateTrace({ kind: "mixed", ops: 200000, seed: 5, meanLifetime: mean });
    const born = new Map<number, number>();
    let clock = 0;
    const lifetimes: number[] = [];
    for (let i = 0; i < t.length; i++) {
      if (t.op[i] === OP_ALLOC) born.set(t.id[i]!, clock++);
      else if (t.op[i] === OP_FREE && born.get(t.id[i]!)! < 50000) lifetimes.push(clock - born.get(t.id[i]!)!);
    }
    expect(lifetimes.length).toBe(50000); // every early object died before the drain
    for (const l of lifetimes) expect(l).toBeGreaterThanOrEqual(1);
    const avg = lifetimes.reduce((a, b) => a + b, 0) / lifetimes.length;
    expect(Math.abs(avg - mean)).toBeLessThan((6 * Math.sqrt(mean * (mean - 1))) / Math.sqrt(lifetimes.length));
  });

  test("maxSize cuts the tail; reallocs double sizes up to it", () => {
    const t = generateTrace({ kind: "mixed", ops: 20000, seed: 2, maxSize: 100, reallocRate: 0.2 });
    for (const n of requested(t)) expect(n >= 1 && n <= 100).toBe(true);
    let seen = 0;
    const size = new Map<number, number>();
    for (let i = 0; i < t.length; i++) {
      const id = t.id[i]!;
      if (t.op[i] === OP_REALLOC) {
        const old = size.get(id)!;
        expect(t.size[i]).toBe(
          old >= 100 ? Math.max(1, Math.floor(old / 2)) : Math.min(100, Math.max(old + 1, 2 * old)),
        );
        seen++;
      }
      size.set(id, t.size[i]!);
    }
    expect(seen).toBeGreaterThan(1000);
  });
});

describe("bulk", () => {
  for (const order of ["fifo", "lifo", "random"] as const) {
    test(`batches allocate, then free every object of the batch (${order})`, () => {
      const t = generateTrace({ kind: "bulk", ops: 1000, seed: 4, batch: 100, order });
      for (let b = 0; b < 5; b++) {
        const ids = [...t.id.subarray(b * 200, b * 200 + 100)];
        expect([...t.op.subarray(b * 200, b * 200 + 100)].every((o) => o === OP_ALLOC)).toBe(true);
        const freed = [...t.id.subarray(b * 200 + 100, b * 200 + 200)];
        expect([...t.op.subarray(b * 200 + 100, b * 200 + 200)].every((o) => o === OP_FREE)).toBe(true);
        if (order === "fifo") expect(freed).toEqual(ids);
        else if (order === "lifo") expect(freed).toEqual([...ids].reverse());
        else {
          expect([...freed].sort((x, y) => x - y)).toEqual(ids);
          expect(freed).not.toEqual(ids);
        }
      }
    });
  }

  test("batch 0 is one batch: peak live = ops / 2, sizes ≤ maxSize", () => {
    const t = generateTrace({ kind: "bulk", ops: 5000, seed: 1 });
    expect(traceStats(t).peakLiveObjects).toBe(2500);
    for (const n of requested(t)) expect(n).toBeLessThanOrEqual(32768);
  });
});

describe("large", () => {
  test("every object is over 32 KiB and spans the octaves up to maxSize", () => {
    const t = generateTrace({ kind: "large", ops: 20000, seed: 8 });
    const sizes = requested(t);
    for (const n of sizes) expect(n > 32768 && n <= 1 << 20).toBe(true);
    // Five octaves from 32769 to 1 MiB: each gets about a fifth of the draws.
    for (let k = 0; k < 5; k++) {
      const lo = 32769 * 2 ** k;
      const share = sizes.filter((n) => n >= lo && n < lo * 2).length / sizes.length;
      expect(Math.abs(share - 0.2)).toBeLessThan(0.03);
    }
    expect(traceStats(t).peakLiveObjects).toBe(16);
  });
});

describe("SizeDist", () => {
  ptest.prop([fc.integer({ min: 1, max: 1 << 21 }), fc.maxSafeNat()])("go(hi) draws sizes in [1, hi]", (hi, seed) => {
    const d = SizeDist.go(hi);
    const r = new TraceRand(seed);
    for (let i = 0; i < 100; i++) {
      const n = d.draw(r);
      expect(Number.isInteger(n) && n >= 1 && n <= hi).toBe(true);
    }
  });

  ptest.prop([fc.integer({ min: 0, max: 1 << 20 }), fc.integer({ min: 0, max: 1 << 22 }), fc.maxSafeNat()])(
    "octaves(lo, hi) draws sizes in [lo, hi]",
    (lo, span, seed) => {
      const d = SizeDist.octaves(lo, lo + span);
      const r = new TraceRand(seed);
      for (let i = 0; i < 100; i++) {
        const n = d.draw(r);
        expect(Number.isInteger(n) && n >= lo && n <= lo + span).toBe(true);
      }
    },
  );
});

describe("SizeDist.octaves edge cases", () => {
  test("draws only 0 from [0, 0] and both ends of [0, 1] (seed 16963226 once drew 1 from [0, 0])", () => {
    const r = new TraceRand(16963226);
    const zero = SizeDist.octaves(0, 0);
    for (let i = 0; i < 100; i++) expect(zero.draw(r)).toBe(0);
    const small = SizeDist.octaves(0, 1);
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) seen.add(small.draw(r));
    expect([...seen].sort()).toEqual([0, 1]);
  });
});

describe("invalid options", () => {
  const bad: [string, unknown][] = [
    ["kind", { kind: "tiny", ops: 1, seed: 1 }],
    ["ops", { kind: "mixed", ops: -1, seed: 1 }],
    ["ops", { kind: "mixed", ops: 1.5, seed: 1 }],
    ["ops", { kind: "mixed", ops: 2 ** 31, seed: 1 }],
    ["seed", { kind: "mixed", ops: 1, seed: -1 }],
    ["seed", { kind: "mixed", ops: 1, seed: 2 ** 53 }],
    ["live", { kind: "mixed", ops: 1, seed: 1, live: 3 }],
    ["batch", { kind: "small-churn", ops: 1, seed: 1, batch: 3 }],
    ["live", { kind: "small-churn", ops: 1, seed: 1, live: 0 }],
    ["maxSize", { kind: "small-churn", ops: 1, seed: 1, minSize: 10, maxSize: 9 }],
    ["minSize", { kind: "large", ops: 1, seed: 1, minSize: -1 }],
    ["reallocRate", { kind: "small-churn", ops: 1, seed: 1, reallocRate: 1.5 }],
    ["reallocRate", { kind: "mixed", ops: 1, seed: 1, reallocRate: Number.NaN }],
    ["meanLifetime", { kind: "mixed", ops: 1, seed: 1, meanLifetime: 0.5 }],
    ["maxSize", { kind: "mixed", ops: 1, seed: 1, maxSize: 0 }],
    ["order", { kind: "bulk", ops: 1, seed: 1, order: "sideways" }],
    ["batch", { kind: "bulk", ops: 1, seed: 1, batch: -2 }],
  ];
  for (const [option, opts] of bad) {
    test(`${JSON.stringify(opts)} → InvalidTraceOption(${option})`, () => {
      expect(() => generateTrace(opts as GenerateOptions)).toThrow(
        expect.objectContaining({ _tag: "InvalidTraceOption", option }),
      );
    });
  }

  test("traceOptionsFromHeader needs kind, ops and seed, and numbers that parse", () => {
    expect(() => traceOptionsFromHeader({ version: 1, params: { kind: "mixed", ops: "1" } })).toThrow(
      InvalidTraceOption,
    );
    expect(() => traceOptionsFromHeader({ version: 1, params: { kind: "mixed", ops: "x", seed: "1" } })).toThrow(
      InvalidTraceOption,
    );
    expect(
      traceOptionsFromHeader({ version: 1, params: { kind: "bulk", ops: "4", seed: "2", order: "lifo" } }),
    ).toEqual({
      kind: "bulk",
      ops: 4,
      seed: 2,
      order: "lifo",
    });
  });
});

describe("SizeDist rejects bounds that are not sizes", () => {
  test("uniform, octaves and go: NaN, Infinity, fractions, negatives and hi < lo are InvalidTraceOption", () => {
    const bad: [number, number][] = [
      [Number.NaN, 100],
      [8, Number.NaN],
      [Number.POSITIVE_INFINITY, 100],
      [8, Number.POSITIVE_INFINITY],
      [0.5, 100],
      [8, 100.5],
      [-1, 100],
      [100, 8],
      [0, 2 ** 53],
    ];
    for (const [lo, hi] of bad) {
      expect(() => SizeDist.uniform(lo, hi)).toThrow(InvalidTraceOption);
      expect(() => SizeDist.octaves(lo, hi)).toThrow(InvalidTraceOption);
    }
    for (const hi of [0, -1, 0.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => SizeDist.go(hi)).toThrow(InvalidTraceOption);
    }
    const r = new TraceRand(1);
    expect(SizeDist.uniform(0, 0).draw(r)).toBe(0);
    expect(SizeDist.go(1).draw(r)).toBe(1);
  });
});
