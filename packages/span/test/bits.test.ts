import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import {
  leadingZeros32,
  leadingZeros64,
  lowMask64Hi,
  lowMask64Lo,
  mulHi32,
  onesCount32,
  onesCount64,
  shl64Hi,
  shl64Lo,
  shr64Hi,
  shr64Lo,
  trailingZeros32,
  trailingZeros64,
} from "../src/bits.js";

// BigInt references: the obviously correct definitions.
const M64 = (1n << 64n) - 1n;
const big = (lo: number, hi: number) => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
const lo32 = (x: bigint) => Number(x & 0xffffffffn);
const hi32 = (x: bigint) => Number((x >> 32n) & 0xffffffffn);
function tzRef(x: bigint, width: number): number {
  for (let i = 0; i < width; i++) if ((x >> BigInt(i)) & 1n) return i;
  return width;
}
function lzRef(x: bigint, width: number): number {
  for (let i = width - 1; i >= 0; i--) if ((x >> BigInt(i)) & 1n) return width - 1 - i;
  return width;
}
function popRef(x: bigint): number {
  let n = 0;
  for (; x !== 0n; x >>= 1n) n += Number(x & 1n);
  return n;
}

// Every 32-bit word with at most two bits set, every 16-bit pattern in each
// half, and the all-ones neighbourhoods: the inputs where ctz/clz/popcount
// implementations typically break.
function words32(): number[] {
  const out = new Set<number>([0, 0xffffffff, 0x80000000, 0x7fffffff]);
  for (let i = 0; i < 32; i++) {
    out.add((1 << i) >>> 0);
    out.add(~(1 << i) >>> 0);
    for (let j = 0; j < 32; j++) out.add(((1 << i) | (1 << j)) >>> 0);
  }
  for (let a = 0; a < 65536; a++) {
    out.add(a);
    out.add((a << 16) >>> 0);
  }
  return [...out];
}
const W32 = words32();
const pairs64: Array<[number, number]> = [];
{
  const edge = [0, 1, 0x80000000, 0xffffffff, 0x7fffffff, 0x00010000, 0xaaaaaaaa, 0x55555555];
  for (let i = 0; i < 64; i++) {
    const x = 1n << BigInt(i);
    pairs64.push([lo32(x), hi32(x)], [lo32(~x & M64), hi32(~x & M64)]);
  }
  for (const a of edge) for (const b of edge) pairs64.push([a, b]);
}

describe("TestTrailingZeros", () => {
  it("trailingZeros32 matches BigInt on every 1-2 bit word and every 16-bit half", () => {
    for (const x of W32) expect(trailingZeros32(x)).toBe(tzRef(BigInt(x), 32));
  });
  it("trailingZeros64 matches BigInt on every single-bit, inverted single-bit and edge pair", () => {
    for (const [lo, hi] of pairs64) expect(trailingZeros64(lo, hi)).toBe(tzRef(big(lo, hi), 64));
  });
  test.prop([fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff })])(
    "trailingZeros64 random",
    (lo, hi) => {
      expect(trailingZeros64(lo, hi)).toBe(tzRef(big(lo, hi), 64));
    },
  );
});

describe("TestLeadingZeros", () => {
  it("leadingZeros32 matches BigInt", () => {
    for (const x of W32) expect(leadingZeros32(x)).toBe(lzRef(BigInt(x), 32));
  });
  it("leadingZeros64 matches BigInt", () => {
    for (const [lo, hi] of pairs64) expect(leadingZeros64(lo, hi)).toBe(lzRef(big(lo, hi), 64));
  });
  test.prop([fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff })])(
    "leadingZeros64 random",
    (lo, hi) => {
      expect(leadingZeros64(lo, hi)).toBe(lzRef(big(lo, hi), 64));
    },
  );
});

describe("TestOnesCount", () => {
  it("onesCount32 matches BigInt", () => {
    for (const x of W32) expect(onesCount32(x)).toBe(popRef(BigInt(x)));
  });
  it("onesCount64 matches BigInt", () => {
    for (const [lo, hi] of pairs64) expect(onesCount64(lo, hi)).toBe(popRef(big(lo, hi)));
  });
});

describe("64-bit shifts and masks on u32 halves", () => {
  it("shr64/shl64 match BigInt for every shift 0..63 on edge words", () => {
    for (const [lo, hi] of pairs64) {
      const x = big(lo, hi);
      for (let k = 0; k < 64; k++) {
        const r = x >> BigInt(k);
        expect(shr64Lo(lo, hi, k)).toBe(lo32(r));
        expect(shr64Hi(hi, k)).toBe(hi32(r));
        const l = (x << BigInt(k)) & M64;
        expect(shl64Lo(lo, k)).toBe(lo32(l));
        expect(shl64Hi(lo, hi, k)).toBe(hi32(l));
      }
    }
  });
  it("lowMask64 is 1<<n - 1 for n in 0..64", () => {
    for (let n = 0; n <= 64; n++) {
      const m = (1n << BigInt(n)) - 1n;
      expect(lowMask64Lo(n)).toBe(lo32(m));
      expect(lowMask64Hi(n)).toBe(hi32(m));
    }
  });
});

describe("mulHi32 (divMagic multiply)", () => {
  it("is (a*b)>>32 exactly at the extremes", () => {
    const edge = [
      0, 1, 2, 0xffff, 0x10000, 0x1fffff, 0x200000, 0x200001, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
    ];
    for (const a of edge) for (const b of edge) expect(mulHi32(a, b)).toBe(Number((BigInt(a) * BigInt(b)) >> 32n));
  });
  test.prop([fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff })])("random", (a, b) => {
    expect(mulHi32(a, b)).toBe(Number((BigInt(a) * BigInt(b)) >> 32n));
  });
  test.prop([fc.integer({ min: 0, max: 0x1fffff }), fc.integer({ min: 0, max: 0xffffffff })])(
    "random, a below 2^21 (offsets in a span: the one-multiply case)",
    (a, b) => {
      expect(mulHi32(a, b)).toBe(Number((BigInt(a) * BigInt(b)) >> 32n));
    },
  );
});
