// MemView: typed-array windows addressed by managed-memory addresses.
import {
  BadArgumentError,
  BadOptionError,
  FaultInjector,
  isGrowableBuffer,
  isSharedBuffer,
  MemView,
  SabSysMemory,
} from "@gomalloc/os-mem";
import { describe, expect, it } from "vitest";

describe("MemView", () => {
  it("maps addresses to array indexes through base, including 48-bit bases", () => {
    const base = 0x7fff_0000_0000;
    const v = new MemView(new ArrayBuffer(64), base);
    v.setU32(base + 8, 0xffffffff);
    v.setF64(base + 16, -2.5);
    expect(v.getU32(base + 8)).toBe(0xffffffff);
    expect(v.u32[2]).toBe(0xffffffff);
    expect(v.getF64(base + 16)).toBe(-2.5);
    expect(v.covers(base, 64)).toBe(true);
    expect(v.covers(base + 60, 8)).toBe(false);
    expect(v.end).toBe(base + 64);
  });

  it("windows part of a buffer, follows growth when length-tracking, and rebinds in place", () => {
    const sab = new SharedArrayBuffer(64, { maxByteLength: 256 });
    const v = new MemView(sab, 1000, 16);
    expect(v.byteLength).toBe(48);
    sab.grow(128);
    expect(v.byteLength).toBe(112);
    expect(v.shared && isSharedBuffer(sab) && isGrowableBuffer(sab)).toBe(true);
    const fixed = new MemView(new ArrayBuffer(64), 0, 8, 16);
    expect(fixed.byteLength).toBe(16);
    const other = new ArrayBuffer(32);
    fixed.rebind(other);
    expect([fixed.buffer === other, fixed.byteLength, fixed.shared]).toEqual([true, 32, false]);
    expect(() => new MemView(new ArrayBuffer(64), 4)).toThrow(BadArgumentError);
    expect(() => new MemView(new ArrayBuffer(64), 0, 0, 12)).toThrow(BadArgumentError);
    // Not aligned, not a number or outside the buffer: typed errors too (the engine's RangeError before).
    for (const [base, off, len] of [
      [Number.NaN, 0, undefined],
      [-8, 0, undefined],
      [Number.POSITIVE_INFINITY, 0, undefined],
      [0, -8, undefined],
      [0, Number.NaN, undefined],
      [0, 72, undefined],
      [0, 8, 64],
      [0, 0, -8],
    ] as const) {
      expect(() => new MemView(new ArrayBuffer(64), base, off, len)).toThrow(BadArgumentError);
    }
    expect(() => fixed.rebind(new ArrayBuffer(32), 40)).toThrow(BadArgumentError);
  });
});

describe("typed errors for bad arguments to the small helpers", () => {
  it("FaultInjector plans take a count k in [0, 2^20] (a huge k spent seconds filling a Set, then threw a RangeError)", () => {
    const f = new FaultInjector();
    for (const k of [-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 20 + 1, 2 ** 53]) {
      expect(() => f.refuseNextReserve(k)).toThrow(BadArgumentError);
      expect(() => f.refuseNextMap(k)).toThrow(BadArgumentError);
      expect(() => f.refuseNextUsed(k)).toThrow(BadArgumentError);
      expect(() => f.ignoreNextHints(k)).toThrow(BadArgumentError);
    }
    expect(f.refuseReserveAt.size + f.refuseMapAt.size + f.refuseUsedAt.size + f.ignoreHintAt.size).toBe(0);
    f.refuseNextMap(0);
    f.refuseNextMap(2);
    expect([f.nextMap(), f.nextMap(), f.nextMap()]).toEqual([true, true, false]);
  });

  it("SabSysMemory.create: a maxByteLength the engine refuses is a BadOptionError", () => {
    expect(() => SabSysMemory.create({ maxByteLength: 2 ** 50 })).toThrow(BadOptionError);
  });
});
