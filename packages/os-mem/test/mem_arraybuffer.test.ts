// The ArrayBuffer backend: a caller's resizable buffer grown as pages are
// mapped, a fixed buffer whose bytes all exist, and the caller's own bytes
// below base left alone.
import { ArrayBufferSysMemory, BadOptionError, PageState, SysStat } from "@gomalloc/os-mem";
import { describe, expect, it } from "vitest";

describe("ArrayBufferSysMemory", () => {
  it("grows a resizable buffer only when pages become Ready, as far as the highest one", () => {
    const buf = new ArrayBuffer(0, { maxByteLength: 16 << 20 });
    const sys = ArrayBufferSysMemory.create(buf, { physPageSize: 4096 });
    expect(sys.caps).toMatchObject({ canGrow: true, canReserveWithoutCommit: true, sharedBetweenWorkers: false });
    const len = buf.byteLength;
    const v = sys.sysReserve(0, 1 << 20);
    expect(buf.byteLength).toBe(len);
    expect(sys.sysMap(v, 65536, SysStat.heapReleased)).toBe(true);
    expect(buf.byteLength).toBe(len); // Prepared pages take no storage yet
    expect(sys.sysUsed(v, 8192, 8192)).toBe(true);
    expect(buf.byteLength).toBe(v + 8192);
    sys.writeF64(v + 8, 3.5);
    expect(sys.viewOf(v).getF64(v + 8)).toBe(3.5);
    expect(sys.sysUsed(v + 32768, 4096, 4096)).toBe(true); // the pages below it come along, still Prepared and zero
    expect(buf.byteLength).toBe(v + 36864);
    expect(sys.pageState(v + 16384)).toBe(PageState.Prepared);
    sys.checkInvariants({ contents: true });
  });

  it("over a fixed buffer reserves within it and cannot grow", () => {
    const buf = new ArrayBuffer(1 << 20);
    const sys = ArrayBufferSysMemory.create(buf, { physPageSize: 4096 });
    expect(sys.caps).toMatchObject({ canGrow: false, canReserveWithoutCommit: false });
    expect(sys.caps.addressSpaceEnd).toBe(1 << 20);
    const all = sys.caps.addressSpaceEnd - sys.caps.addressSpaceStart;
    const p = sys.sysAlloc(all, SysStat.other_sys);
    expect(p).toBe(sys.caps.addressSpaceStart);
    expect(sys.sysAlloc(4096, SysStat.other_sys)).toBe(0);
    expect(sys.pageState(p + all - 1)).toBe(PageState.Ready);
  });

  it("formats from base on, zeroing stale bytes there, and leaves the bytes below base alone", () => {
    const buf = new ArrayBuffer(1 << 20);
    new Uint8Array(buf).fill(9);
    const sys = ArrayBufferSysMemory.create(buf, { base: 65536, physPageSize: 4096 });
    expect(new Uint8Array(buf)[65535]).toBe(9);
    sys.checkInvariants({ contents: true });
    const again = ArrayBufferSysMemory.attach(buf, 65536);
    expect(again.caps.addressSpaceStart).toBe(sys.caps.addressSpaceStart);
  });

  it("rejects buffers and options it cannot use", () => {
    expect(() => ArrayBufferSysMemory.create(new ArrayBuffer(1001))).toThrow(BadOptionError);
    expect(() => ArrayBufferSysMemory.create(new ArrayBuffer(4096), { physPageSize: 4096 })).toThrow(BadOptionError);
    expect(() => ArrayBufferSysMemory.create(new ArrayBuffer(1 << 20), { base: 100 })).toThrow(BadOptionError);
    expect(() => ArrayBufferSysMemory.create(new ArrayBuffer(1 << 20), { physPageSize: 3000 })).toThrow(BadOptionError);
  });
});
