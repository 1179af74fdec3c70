// MemView: typed-array windows addressed by managed-memory addresses.
import { isGrowableBuffer, isSharedBuffer, MemView } from "@gomalloc/os-mem";
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
    expect(() => new MemView(new ArrayBuffer(64), 4)).toThrow(RangeError);
    expect(() => new MemView(new ArrayBuffer(64), 0, 0, 12)).toThrow(RangeError);
  });
});
