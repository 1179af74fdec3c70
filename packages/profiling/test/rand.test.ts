import { fc, test as ptest } from "@fast-check/vitest";
import {
  cheaprandn,
  defaultCheapRandSeed,
  InvalidProfileOption,
  InvalidSeed,
  newCheapRand,
  Wyrand,
  Xorshift64Plus,
} from "@gomalloc/profiling";
import { describe, expect, test } from "vitest";
import { halves, joined, vectors } from "./govectors.js";

const M64 = (1n << 64n) - 1n;

// Slow oracles over BigInt, written from Go's source text.
function wyrandOracle(state: bigint): [number, bigint] {
  const s = (state + 0xa0761d6478bd642fn) & M64;
  const p = s * (s ^ 0xe7037ed1a0b428dbn);
  const hi = p >> 64n;
  const lo = p & M64;
  return [Number((hi ^ lo) & 0xffffffffn), s];
}

function xorshiftOracle(state: bigint): [number, bigint] {
  let s1 = state & 0xffffffffn;
  const s0 = state >> 32n;
  s1 = (s1 ^ (s1 << 17n)) & 0xffffffffn;
  s1 = s1 ^ s0 ^ (s1 >> 7n) ^ (s0 >> 16n);
  return [Number((s0 + s1) & 0xffffffffn), (s1 << 32n) | s0];
}

const u64 = fc.bigInt({ min: 0n, max: M64 });
const seedOf = (b: bigint): [number, number] => [Number(b & 0xffffffffn), Number(b >> 32n)];

describe("cheaprand (wyrand)", () => {
  for (const { name, v } of vectors.filter((x) => x.name.endsWith("amd64"))) {
    test(`matches the runtime's output and next state for ${v.cheaprand.length} states (${name})`, () => {
      for (const c of v.cheaprand) {
        const r = new Wyrand(halves(c.state));
        expect(r.cheaprand()).toBe(c.r);
        expect(joined(r.stateLo, r.stateHi)).toBe(c.after);
      }
    });
  }

  ptest.prop([u64, fc.integer({ min: 1, max: 20 })])("equals a BigInt oracle over runs of draws", (state, n) => {
    const r = new Wyrand(seedOf(state));
    let s = state;
    for (let i = 0; i < n; i++) {
      const [want, next] = wyrandOracle(s);
      expect(r.cheaprand()).toBe(want);
      s = next;
      expect(joined(r.stateLo, r.stateHi)).toBe(s.toString());
    }
  });
});

describe("cheaprand (xorshift64+)", () => {
  for (const { name, v } of vectors.filter((x) => x.name.endsWith("386"))) {
    test(`matches the runtime's output and next state for ${v.cheaprand.length} states (${name})`, () => {
      for (const c of v.cheaprand) {
        const r = new Xorshift64Plus(halves(c.state));
        expect(r.cheaprand()).toBe(c.r);
        expect(joined(r.stateLo, r.stateHi)).toBe(c.after);
      }
    });
  }

  ptest.prop([u64.filter((s) => s !== 0n), fc.integer({ min: 1, max: 20 })])("equals a BigInt oracle", (state, n) => {
    const r = new Xorshift64Plus(seedOf(state));
    let s = state;
    for (let i = 0; i < n; i++) {
      const [want, next] = xorshiftOracle(s);
      expect(r.cheaprand()).toBe(want);
      s = next;
      expect(joined(r.stateLo, r.stateHi)).toBe(s.toString());
    }
  });

  test("refuses the all-zero state, which never leaves 0", () => {
    expect(() => new Xorshift64Plus(0)).toThrow(InvalidSeed);
    const r = new Xorshift64Plus(7);
    expect(() => r.seed([0, 0])).toThrow(InvalidSeed);
    expect(joined(r.stateLo, r.stateHi)).toBe("7"); // unchanged
  });
});

describe("cheaprandn", () => {
  ptest.prop([u64, fc.integer({ min: 0, max: 2 ** 32 })])("is the high word of r·n (BigInt oracle)", (state, n) => {
    const [r] = wyrandOracle(state);
    expect(cheaprandn(new Wyrand(seedOf(state)), n)).toBe(Number((BigInt(r) * BigInt(n)) >> 32n));
  });

  test("rejects n outside [0, 2^32] without drawing", () => {
    const r = new Wyrand(5);
    for (const n of [-1, 2 ** 32 + 1, 1.5, Number.NaN]) expect(() => cheaprandn(r, n)).toThrow(InvalidProfileOption);
    expect(joined(r.stateLo, r.stateHi)).toBe("5");
  });
});

describe("seeding", () => {
  test("numbers, [lo, hi] pairs and the default seed", () => {
    expect(joined(new Wyrand(2 ** 40 + 3).stateLo, new Wyrand(2 ** 40 + 3).stateHi)).toBe((2n ** 40n + 3n).toString());
    const d = new Wyrand();
    expect([d.stateLo, d.stateHi]).toEqual([...defaultCheapRandSeed]);
    const a = new Wyrand(99);
    const b = new Wyrand(99);
    for (let i = 0; i < 10; i++) expect(a.cheaprand()).toBe(b.cheaprand());
  });

  test("bad seeds throw InvalidSeed and leave the state as it was", () => {
    const r = new Wyrand(11);
    const bad: unknown[] = [-1, 1.5, 2 ** 53, Number.NaN, [1], [1, 2, 3], [2 ** 32, 0], [0, -1], "7"];
    for (const s of bad) expect(() => r.seed(s as never)).toThrow(InvalidSeed);
    expect(joined(r.stateLo, r.stateHi)).toBe("11");
  });

  test("newCheapRand picks Go's generator per GOARCH and version", () => {
    expect(newCheapRand("amd64")).toBeInstanceOf(Wyrand);
    expect(newCheapRand("arm64", 1, "go1.19")).toBeInstanceOf(Wyrand);
    expect(newCheapRand("wasm")).toBeInstanceOf(Xorshift64Plus);
    expect(newCheapRand("386")).toBeInstanceOf(Xorshift64Plus);
    expect(newCheapRand("loong64")).toBeInstanceOf(Wyrand);
    expect(newCheapRand("loong64", 1, "go1.19")).toBeInstanceOf(Xorshift64Plus);
    expect(() => newCheapRand("amd46")).toThrow(InvalidProfileOption);
    expect(() => newCheapRand("amd64", 1, "go1.20" as never)).toThrow(InvalidProfileOption);
  });
});
