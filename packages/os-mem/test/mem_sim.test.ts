// The simulated backend: sparse 48-bit address spaces, mmap-like placement,
// lazily created backings, Windows-like reservations (sysReserveAligned's
// retry loop), sbrk profiles, and option checking.
import {
  BadOptionError,
  MemoryFault,
  PartialReleaseError,
  RuntimeThrow,
  SimSysMemory,
  SysStat,
} from "@gomalloc/os-mem";
import { describe, expect, it } from "vitest";
import { None, Ready, Reserved, snapshot } from "./backends.js";

const MiB = 1 << 20;

describe("SimSysMemory", () => {
  it("holds a 48-bit linux/amd64 address space and honours Go's arena hints", () => {
    const sys = new SimSysMemory({ physPageSize: 4096, heapAddrBits: 48, addressSpaceEnd: 2 ** 47 });
    const hint = 0x00c0 * 2 ** 32; // Go's first arena hint on linux/amd64 (mallocinit)
    expect(sys.sysReserve(hint, 64 * MiB)).toBe(hint);
    expect(sys.sysReserve(hint + 64 * MiB, 64 * MiB)).toBe(hint + 64 * MiB);
    const elsewhere = sys.sysReserve(hint, 64 * MiB);
    expect(elsewhere).toBe(2 ** 47 - 64 * MiB); // mmap's top-down choice
    expect(sys.sysReserve(0, 4096)).toBe(2 ** 47 - 64 * MiB - 4096);
    expect(sys.mappings().map((m) => m.base)).toEqual([hint, hint + 64 * MiB, 2 ** 47 - 64 * MiB - 4096, elsewhere]);
    sys.checkInvariants();
  });

  it("does not spend memory on a 512 MiB reservation until pages are touched", () => {
    const sys = new SimSysMemory();
    const rss0 = process.memoryUsage().rss;
    const v = sys.sysReserve(0, 512 * MiB);
    expect(sys.sysMap(v, 512 * MiB, SysStat.gcMiscSys)).toBe(true);
    expect(sys.sysUsed(v, 512 * MiB, 512 * MiB)).toBe(true);
    expect(sys.mappings()[0]!.materialized).toBe(false);
    for (let i = 0; i < 16; i++) sys.write32(v + i * 32 * MiB, i);
    expect(sys.mappings()[0]!.materialized).toBe(true);
    expect(sys.read32(v + 15 * 32 * MiB)).toBe(15);
    sys.sysUnused(v, 512 * MiB); // zeroes only the pages that hold data
    expect(sys.stats()).toMatchObject({ ready: 0, prepared: 512 * MiB, resident: 0 });
    expect(process.memoryUsage().rss - rss0).toBeLessThan(128 * MiB);
  });

  it("counts resident pages: written since they became Ready", () => {
    const sys = new SimSysMemory();
    const p = sys.sysAlloc(8 * 4096, SysStat.other_sys);
    expect(sys.stats().resident).toBe(0);
    sys.write8(p + 5, 1);
    sys.fill(p + 4096 + 4000, 200, 7); // straddles pages 1 and 2
    expect(sys.stats().resident).toBe(3 * 4096);
    sys.read8(p + 7 * 4096);
    expect(sys.stats().resident).toBe(3 * 4096);
    sys.sysUnused(p, 2 * 4096);
    expect(sys.stats().resident).toBe(4096);
  });

  it("backs reservations longer than maxBackingBytes in pieces, and accesses across pieces", () => {
    const sys = new SimSysMemory({ maxBackingBytes: MiB });
    const v = sys.sysAlloc(3.5 * MiB, SysStat.other_sys);
    expect(sys.mappings().map((m) => m.size)).toEqual([MiB, MiB, MiB, MiB / 2]);
    const view = sys.viewOf(v + MiB + 5);
    expect([view.base, view.byteLength]).toEqual([v + MiB, MiB]);
    sys.write32(v + 2 * MiB - 2, 0xcafebabe);
    expect(sys.read32(v + 2 * MiB - 2)).toBe(0xcafebabe);
    sys.writeF64(v + MiB - 4, 1.25);
    expect(sys.readF64(v + MiB - 4)).toBe(1.25);
    sys.sysFree(v, 3.5 * MiB, SysStat.other_sys);
    expect(sys.mappings()).toEqual([]);
  });

  it("keeps sharing one backing between the pieces left by a partial release", () => {
    const sys = new SimSysMemory();
    const v = sys.sysAlloc(4 * 4096, SysStat.other_sys);
    sys.write32(v + 3 * 4096, 99);
    const before = sys.viewOf(v);
    sys.sysFree(v + 4096, 2 * 4096, SysStat.other_sys);
    const rest = sys.mappings();
    expect(rest.map((m) => [m.base - v, m.size, m.reservationBase - v])).toEqual([
      [0, 4096, 0],
      [3 * 4096, 4096, 0],
    ]);
    expect(sys.viewOf(v + 3 * 4096).buffer).toBe(before.buffer);
    expect(sys.read32(v + 3 * 4096)).toBe(99);
    expect(() => sys.read8(v + 4096)).toThrow(MemoryFault);
  });

  it("sysReserveAligned trims the unaligned head and tail (mmap platforms)", () => {
    const sys = new SimSysMemory({ addressSpaceEnd: 2 ** 47 });
    sys.sysReserve(0, 4096);
    const [p, size] = sys.sysReserveAligned(0, 64 * MiB, 64 * MiB);
    // sysReserve(0, 128 MiB) lands just below the first page; its aligned part is kept.
    const raw = 2 ** 47 - 4096 - 128 * MiB;
    expect(p).toBe(Math.ceil(raw / (64 * MiB)) * 64 * MiB);
    expect(size).toBe(64 * MiB);
    expect(sys.mappings().map((m) => [m.base, m.size])).toEqual([
      [p, 64 * MiB],
      [2 ** 47 - 4096, 4096],
    ]);
    expect(sys.stats().reserved).toBe(64 * MiB + 4096);
  });

  it("Windows-like: releases only whole reservations and re-reserves the aligned sub-range", () => {
    const sys = new SimSysMemory({ goos: "windows", addressSpaceEnd: 2 ** 47 });
    expect(sys.caps).toMatchObject({ canReleasePart: false, allocGranularity: 65536 });
    const v = sys.sysReserve(0, 4 * 65536); // also makes the next oversized reservation unaligned
    const before = snapshot(sys, v, v + 4 * 65536);
    let err: unknown;
    try {
      sys.sysUnreserve(v, 65536);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PartialReleaseError);
    expect(err).toMatchObject({ reservationBase: v, reservationSize: 4 * 65536 });
    expect(snapshot(sys, v, v + 4 * 65536)).toEqual(before);
    const [p, size] = sys.sysReserveAligned(0, 4 * MiB, 4 * MiB);
    expect(p % (4 * MiB)).toBe(0);
    expect(size).toBe(4 * MiB);
    expect(sys.mappings().find((m) => m.base === p)).toMatchObject({ reservationBase: p, reservationSize: 4 * MiB });
    expect(sys.faults.reserveCalls).toBe(3);
  });

  it("Windows-like: retries lost races and, after 100, throws Go's message with nothing changed", () => {
    const sys = new SimSysMemory({ goos: "windows", addressSpaceEnd: 2 ** 47 });
    sys.sysReserve(0, 65536); // so that the next oversized reservation is not aligned by luck
    // Round r makes two reservations: the oversized one, then the aligned one by hint.
    // Ignoring the hint of the second (another thread took the range) forces a retry.
    let base = sys.faults.reserveCalls;
    for (let r = 1; r <= 3; r++) sys.faults.ignoreHintAt.add(base + 2 * r);
    const [p, size] = sys.sysReserveAligned(0, 4 * MiB, 4 * MiB);
    expect([p % (4 * MiB), size]).toEqual([0, 4 * MiB]);
    expect(sys.faults.reserveCalls).toBe(base + 8);
    expect(sys.stats().reserved).toBe(4 * MiB + 65536);
    sys.sysUnreserve(p, 4 * MiB);
    sys.faults.clear();
    base = sys.faults.reserveCalls;
    for (let r = 1; r <= 100; r++) sys.faults.ignoreHintAt.add(base + 2 * r);
    const before = sys.stats();
    const mappings = sys.mappings();
    let err: unknown;
    try {
      sys.sysReserveAligned(0, 4 * MiB, 4 * MiB);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RuntimeThrow);
    expect((err as RuntimeThrow).goText).toBe("failed to allocate aligned heap memory; too many retries");
    expect(sys.faults.reserveCalls).toBe(base + 200);
    expect(sys.stats()).toEqual(before);
    expect(sys.mappings()).toEqual(mappings);
  });

  it("sbrk profiles (js/wasm shape): first fit from the bottom, aligned reservations from the break", () => {
    const sys = new SimSysMemory({ physPageSize: 65536, heapAddrBits: 32, sbrk: true });
    const start = sys.caps.addressSpaceStart;
    const a = sys.sysReserve(0, 2 * 65536);
    const b = sys.sysReserve(0, 65536);
    expect([a, b]).toEqual([start, start + 2 * 65536]);
    sys.sysUnreserve(a, 2 * 65536);
    expect(sys.sysReserve(0, 65536)).toBe(start);
    expect(sys.sysReserve(b, 65536)).toBe(0); // an occupied hint fails, as Go's sbrk does
    const [p, size] = sys.sysReserveAligned(0, 4 * MiB, 4 * MiB);
    expect([p, size]).toEqual([4 * MiB, 4 * MiB]);
    expect(sys.pageState(b + 65536)).toBe(None);
    expect(sys.pageState(p)).toBe(Reserved);
    expect(() => sys.sysReserveAligned(8 * MiB, 4 * MiB, 4 * MiB)).toThrow(
      "unexpected heap arena hint on sbrk platform",
    );
    const q = sys.sysAlloc(65536, SysStat.other_sys);
    expect(q).toBe(start + 65536);
    expect(sys.pageState(q)).toBe(Ready);
  });

  it("rejects bad options", () => {
    expect(() => new SimSysMemory({ physPageSize: 3000 })).toThrow(BadOptionError);
    expect(() => new SimSysMemory({ heapAddrBits: 60 })).toThrow(BadOptionError);
    expect(() => new SimSysMemory({ addressSpaceEnd: 2 ** 49 })).toThrow(BadOptionError);
    expect(() => new SimSysMemory({ addressSpaceStart: 0 })).toThrow(BadOptionError);
    expect(() => new SimSysMemory({ allocGranularity: 1024 })).toThrow(BadOptionError);
    expect(() => new SimSysMemory({ maxBackingBytes: 2 ** 33 })).toThrow(BadOptionError);
    expect(() => new SimSysMemory({ rootSlots: 0 })).toThrow(BadOptionError);
  });
});
