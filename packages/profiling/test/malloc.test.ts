import { fc, test as ptest } from "@fast-check/vitest";
import {
  type CheapRand,
  defaultMemProfileRate,
  fastexprand,
  fastexprandMaxMean,
  InvalidMemProfileRate,
  nextSample,
  nextSampleOff,
  Wyrand,
  Xorshift64Plus,
} from "@gomalloc/profiling";
import { describe, expect, test } from "vitest";
import { halves, joined, vectors } from "./govectors.js";

const randFor = (goarch: string, state: string): Wyrand | Xorshift64Plus =>
  goarch === "386" ? new Xorshift64Plus(halves(state)) : new Wyrand(halves(state));

/** A source that returns fixed 32-bit values, for "fixed random inputs". */
class Fixed implements CheapRand {
  calls = 0;
  constructor(readonly r: number) {}
  cheaprand(): number {
    this.calls++;
    return this.r;
  }
}

describe("MemProfileRate", () => {
  for (const { name, v } of vectors) {
    test(`defaults to Go's 512 KiB (${name})`, () => expect(defaultMemProfileRate).toBe(v.defaultMemProfileRate));
  }
});

describe("fastexprand", () => {
  for (const { name, v } of vectors) {
    test(`matches runtime.fastexprand for ${v.fastexprand.length} (mean, state) pairs (${name})`, () => {
      const bad = v.fastexprand.filter((c) => {
        const r = randFor(v.goarch, c.state);
        return fastexprand(c.mean, r) !== c.v || joined(r.stateLo, r.stateHi) !== c.after;
      });
      expect(bad).toEqual([]);
    });

    test(`reproduces the runtime's sequences of sample distances (${name})`, () => {
      for (const s of v.sequences) {
        const r = randFor(v.goarch, s.seed);
        const got = s.distances.map(() => fastexprand(s.mean, r));
        expect(got).toEqual(s.distances);
        expect(joined(r.stateLo, r.stateHi)).toBe(s.after);
      }
    });
  }

  test("is identical in Go 1.19 and Go 1.26 (same vectors per GOARCH)", () => {
    const by = Object.fromEntries(vectors.map(({ name, v }) => [name, v]));
    expect(by["go1.19-amd64"]!.fastexprand).toEqual(by["go1.26-amd64"]!.fastexprand);
    expect(by["go1.19-386"]!.sequences).toEqual(by["go1.26-386"]!.sequences);
  });

  test("fixed inputs: the extremes of the 26-bit draw", () => {
    // r = 2^32-1 → q = 2^26 → log 0 → distance 1 (the smallest).
    expect(fastexprand(defaultMemProfileRate, new Fixed(0xffffffff))).toBe(1);
    // r = 0 → q = 1 → qlog = -26 → 26·ln2·mean + 1 (the largest).
    expect(fastexprand(defaultMemProfileRate, new Fixed(0))).toBe(Math.trunc(-26 * (-Math.LN2 * 524288)) + 1);
    // The cap: means above 0x7000000 draw as 0x7000000 and still fit an int32.
    expect(fastexprand(2 ** 40, new Fixed(0))).toBe(fastexprand(fastexprandMaxMean, new Fixed(0)));
    expect(fastexprand(2 ** 40, new Fixed(0))).toBeLessThan(2 ** 31);
  });

  test("mean 0 returns 0 without drawing", () => {
    const r = new Fixed(123);
    expect(fastexprand(0, r)).toBe(0);
    expect(r.calls).toBe(0);
  });

  ptest.prop([fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 1, max: fastexprandMaxMean })])(
    "draws once and lands within fastlog2's error of -ln(q/2^26)·mean",
    (r, mean) => {
      const src = new Fixed(r);
      const d = fastexprand(mean, src);
      expect(src.calls).toBe(1);
      const q = Math.floor(r / 64) + 1;
      const exact = -Math.log(q / 2 ** 26) * mean;
      expect(d).toBeGreaterThanOrEqual(1);
      expect(Math.abs(d - 1 - exact)).toBeLessThanOrEqual(0.01 * Math.LN2 * mean + 1);
    },
  );

  test("has mean MemProfileRate over many draws (seeded, deterministic)", () => {
    const r = new Wyrand(2024);
    let sum = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) sum += fastexprand(4096, r);
    // The standard error of the mean is 4096/sqrt(n) ≈ 9; fastlog2 biases by < 1%.
    expect(Math.abs(sum / n - 4096)).toBeLessThan(60);
  });

  test("rejects non-integer means and means below -0x7000000, drawing nothing", () => {
    const r = new Fixed(1);
    for (const m of [1.5, Number.NaN, Number.POSITIVE_INFINITY, -fastexprandMaxMean - 1, 2 ** 53]) {
      expect(() => fastexprand(m, r)).toThrow(InvalidMemProfileRate);
    }
    expect(r.calls).toBe(0);
  });
});

describe("nextSample", () => {
  for (const { name, v } of vectors.filter((x) => x.name.startsWith("go1.26"))) {
    test(`matches Go 1.26's nextSample, rate 0 as "never" (${name})`, () => {
      for (const c of v.nextSample) {
        const r = randFor(v.goarch, c.state);
        const got = nextSample(c.rate, r);
        if (c.rate === 0) {
          expect(c.v).toBe("9223372036854775807"); // math.MaxInt64
          expect(got).toBe(nextSampleOff);
        } else {
          expect(String(got)).toBe(c.v);
        }
        expect(joined(r.stateLo, r.stateHi)).toBe(c.after);
      }
    });
  }

  for (const { name, v } of vectors.filter((x) => x.name.startsWith("go1.19"))) {
    test(`agrees with Go 1.19 except at rate 0, where 1.19 returned 0 (${name})`, () => {
      for (const c of v.nextSample) {
        const r = randFor(v.goarch, c.state);
        const got = nextSample(c.rate, r);
        if (c.rate === 0) expect([c.v, got]).toEqual(["0", nextSampleOff]);
        else expect(String(got)).toBe(c.v);
      }
    });
  }

  test("rate 1 samples every allocation: any size takes 0 below 0", () => {
    expect(nextSample(1, new Fixed(5)) - 1).toBeLessThan(0);
  });

  test("rate 0 never samples: no heap's worth of sizes takes it below 0", () => {
    expect(nextSample(0, new Fixed(5)) - 2 ** 48).toBeGreaterThan(0);
  });

  test("rejects negative and non-integer rates", () => {
    for (const rate of [-1, 0.5, Number.NaN, 2 ** 53])
      expect(() => nextSample(rate, new Fixed(1))).toThrow(InvalidMemProfileRate);
  });
});
