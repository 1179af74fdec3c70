import { fc, test as propTest } from "@fast-check/vitest";
import { describe, expect, test } from "vitest";
import { div, exact, shl, toInt } from "../src/env.js";
import { getProfile } from "../src/index.js";
import { arenaBaseOffsetAdd } from "../src/malloc.js";

describe("constant arithmetic helpers", () => {
  propTest.prop([fc.integer({ min: 0, max: 2 ** 20 }), fc.integer({ min: 0, max: 32 })])(
    "shl is Go's << (checked with BigInt)",
    (x, n) => {
      expect(BigInt(shl(x, n))).toBe(BigInt(x) << BigInt(n));
    },
  );

  propTest.prop([fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.integer({ min: 1, max: 2 ** 20 })])(
    "div truncates toward zero like Go's /",
    (x, y) => {
      expect(BigInt(div(x, y))).toBe(BigInt(x) / BigInt(y));
    },
  );

  propTest.prop([fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n })])("exact keeps ±2^53 as numbers only", (v) => {
    const e = exact(v);
    if (v <= 2n ** 53n && v >= -(2n ** 53n)) expect(e).toBe(Number(v));
    else expect(e).toBe(v);
  });

  test("toInt refuses a truncating conversion, as Go's compiler does", () => {
    expect(toInt(496, "x")).toBe(496);
    expect(() => toInt(0.96875 * 100, "scavChunkHiOccPages")).toThrow(RangeError);
  });
});

describe("arenaBaseOffset", () => {
  propTest.prop([fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })])(
    "arenaBaseOffsetAdd is (2^64 - offset) mod 2^64 (as a double)",
    (off) => {
      const add = arenaBaseOffsetAdd(exact(off));
      expect(add).toBe(Number((2n ** 64n - off) % 2n ** 64n));
    },
  );

  test("the offsets Go uses", () => {
    expect(arenaBaseOffsetAdd(0xffff800000000000n)).toBe(2 ** 47);
    expect(arenaBaseOffsetAdd(0)).toBe(0);
    expect(arenaBaseOffsetAdd(0x0a00000000000000n)).toBe(246 * 2 ** 56);
  });
});

describe("maxAlloc", () => {
  test.each([
    ["1.26", "linux", "amd64", 2 ** 48],
    ["1.26", "linux", "386", 2 ** 32 - 1],
    ["1.26", "linux", "mips", 2 ** 31 - 1],
    ["1.26", "js", "wasm", 2 ** 32],
    ["1.26", "ios", "arm64", 2 ** 40],
  ])("Go %s %s/%s: %i", (v, goos, goarch, want) => {
    expect(getProfile(v, goos, goarch).maxAlloc).toBe(want);
  });
});

describe("heap bitmap", () => {
  test("Go 1.19: 2 bits per word; Go 1.26: 1 bit per word", () => {
    const a = getProfile("1.19", "linux", "amd64");
    expect([a.heapArenaBitmapBytes, a.bitScanAll, a.bitPointerAll, a.wordsPerBitmapByte]).toEqual([
      2 << 20,
      0xf0,
      0x0f,
      4,
    ]);
    const b = getProfile("1.26", "linux", "amd64");
    expect([b.heapArenaWords, b.heapArenaBitmapWords, b.ptrBits, b.MinSizeForMallocHeader]).toEqual([
      8 << 20,
      128 << 10,
      64,
      512,
    ]);
    const w = getProfile("1.26", "js", "wasm");
    expect([w.heapArenaBytes, w.heapArenaBitmapWords, w.pallocChunkPages]).toEqual([512 << 10, 1024, 64]);
  });
});
