// The WebAssembly.Memory backend (Go's js/wasm memory): 64 KiB pages, growth by
// memory.grow when pages become Ready, views rebound after a grow detaches the
// old buffer, a refusing grow surfacing as false, and handles sharing memory.
import { AttachError, PageState, SysStat, WasmSysMemory, wasmPageSize } from "@gomalloc/os-mem";
import { describe, expect, it } from "vitest";

describe("WasmSysMemory", () => {
  it("has the js/wasm shape: 64 KiB pages, sbrk placement, reservations up to the maximum", () => {
    const mem = new WebAssembly.Memory({ initial: 1, maximum: 256 });
    const sys = WasmSysMemory.create(mem, { maximumPages: 256 });
    expect(sys.caps).toMatchObject({ backend: "wasm", physPageSize: 65536, sbrk: true, canDecommit: false });
    expect(sys.caps.addressSpaceEnd).toBe(256 * wasmPageSize);
    const all = sys.caps.addressSpaceEnd - sys.caps.addressSpaceStart;
    expect(sys.sysReserve(0, all)).toBe(sys.caps.addressSpaceStart);
    expect(mem.buffer.byteLength).toBe(wasmPageSize);
    expect(sys.sysReserve(0, wasmPageSize)).toBe(0);
  });

  it("grows with memory.grow and rebinds its view in place when the old buffer is detached", () => {
    const mem = new WebAssembly.Memory({ initial: 1, maximum: 64 });
    const sys = WasmSysMemory.create(mem, { maximumPages: 64 });
    const p = sys.sysAlloc(wasmPageSize, SysStat.other_sys);
    const view = sys.viewOf(p);
    const old = view.buffer;
    view.setU32(p, 123);
    const q = sys.sysAlloc(4 * wasmPageSize, SysStat.other_sys);
    expect(old.byteLength).toBe(0); // detached by the grow
    expect(sys.viewOf(q)).toBe(view); // the same MemView, rebound
    expect(view.buffer).toBe(mem.buffer);
    expect(view.getU32(p)).toBe(123);
    expect(sys.read32(q + 4 * wasmPageSize - 4)).toBe(0);
    sys.checkInvariants({ contents: true });
  });

  it("keeps Ready memory zero when first handed out and after sysUnused + sysUsed", () => {
    const sys = WasmSysMemory.create(new WebAssembly.Memory({ initial: 1, maximum: 64 }), { maximumPages: 64 });
    const v = sys.sysReserve(0, 2 * wasmPageSize);
    sys.sysMap(v, 2 * wasmPageSize, SysStat.heapReleased);
    sys.sysUsed(v, 2 * wasmPageSize, 2 * wasmPageSize);
    const u8 = new Uint8Array(2 * wasmPageSize);
    sys.readBytes(v, u8);
    expect(u8.every((b) => b === 0)).toBe(true);
    sys.fill(v, 2 * wasmPageSize, 0xff);
    sys.sysUnused(v, 2 * wasmPageSize);
    sys.sysUsed(v, 2 * wasmPageSize, 2 * wasmPageSize);
    sys.readBytes(v, u8);
    expect(u8.every((b) => b === 0)).toBe(true);
  });

  it("answers a memory that cannot grow any further with false from sysUsed, changing nothing", () => {
    const mem = new WebAssembly.Memory({ initial: 1, maximum: 8 });
    const sys = WasmSysMemory.create(mem, { maximumPages: 64 }); // claims more than the engine allows
    const v = sys.sysReserve(0, 16 * wasmPageSize);
    expect(sys.sysMap(v, 16 * wasmPageSize, SysStat.heapReleased)).toBe(true); // Prepared: no storage yet
    const before = sys.stats();
    expect(sys.sysUsed(v, 16 * wasmPageSize, 16 * wasmPageSize)).toBe(false);
    expect(sys.stats()).toEqual(before);
    expect(sys.pageState(v)).toBe(PageState.Prepared);
    expect(sys.sysUsed(v, 4 * wasmPageSize, 4 * wasmPageSize)).toBe(true);
    sys.checkInvariants({ contents: true });
  });

  it("leaves the module's data below base alone and attaches at base", () => {
    const mem = new WebAssembly.Memory({ initial: 2, maximum: 64 });
    new Uint8Array(mem.buffer).fill(7, 0, wasmPageSize);
    const sys = WasmSysMemory.create(mem, { base: wasmPageSize, maximumPages: 64 });
    expect(sys.caps.addressSpaceStart).toBeGreaterThan(wasmPageSize);
    const p = sys.sysAlloc(10, SysStat.other_sys);
    sys.write8(p, 1);
    expect(new Uint8Array(mem.buffer)[wasmPageSize - 1]).toBe(7);
    expect(WasmSysMemory.attach(mem, wasmPageSize).read8(p)).toBe(1);
    expect(() => WasmSysMemory.attach(mem, 0)).toThrow(AttachError);
  });

  it("a second handle over the same non-shared memory rebinds after the first grows it", () => {
    const mem = new WebAssembly.Memory({ initial: 1, maximum: 64 });
    const a = WasmSysMemory.create(mem, { maximumPages: 64 });
    const b = WasmSysMemory.attach(mem);
    const p = a.sysAlloc(8 * wasmPageSize, SysStat.other_sys); // detaches b's arrays
    a.write32(p, 9);
    expect(b.pageState(p)).toBe(PageState.Ready);
    expect(b.read32(p)).toBe(9);
    expect(b.stats().ready).toBe(8 * wasmPageSize);
    b.checkInvariants({ contents: true });
  });

  it("over a shared memory, a second handle follows growth made by the first", () => {
    const mem = new WebAssembly.Memory({ initial: 1, maximum: 64, shared: true });
    const a = WasmSysMemory.create(mem, { maximumPages: 64 });
    const b = WasmSysMemory.attach(mem);
    expect(a.caps.sharedBetweenWorkers).toBe(true);
    const bView = b.viewOf(a.caps.addressSpaceStart - 8);
    const p = a.sysAlloc(8 * wasmPageSize, SysStat.other_sys);
    a.write32(p + 8 * wasmPageSize - 4, 5);
    expect(b.read32(p + 8 * wasmPageSize - 4)).toBe(5);
    expect(b.viewOf(p + 8 * wasmPageSize - 4)).toBe(bView);
    expect(bView.byteLength).toBe(mem.buffer.byteLength);
    b.checkInvariants({ contents: true });
  });

  it("grownElsewhere says when another handle grew a shared memory past this one's view", () => {
    const mem = new WebAssembly.Memory({ initial: 1, maximum: 64, shared: true });
    const a = WasmSysMemory.create(mem, { maximumPages: 64 });
    const b = WasmSysMemory.attach(mem);
    const end = b.viewOf(0).u8.length;
    expect(b.grownElsewhere()).toBe(false);
    a.sysAlloc(8 * wasmPageSize, SysStat.other_sys);
    expect(a.grownElsewhere()).toBe(false); // the grower's own view followed
    expect(b.grownElsewhere()).toBe(true); // b's old buffer object keeps its length
    expect(b.viewOf(end).u8.length).toBe(mem.buffer.byteLength);
    expect(b.grownElsewhere()).toBe(false);
  });

  it("syncView re-points a handle whose arrays another handle's grow of a non-shared memory detached", () => {
    const mem = new WebAssembly.Memory({ initial: 1, maximum: 64 });
    const a = WasmSysMemory.create(mem, { maximumPages: 64 });
    const b = WasmSysMemory.attach(mem);
    const bView = b.viewOf(0);
    expect(b.syncView()).toBe(false);
    a.sysAlloc(8 * wasmPageSize, SysStat.other_sys);
    expect(bView.u8.length).toBe(0); // detached
    // Decided by the buffer object, not by the detached array's length (which V8's optimized
    // code has been seen to report as the old one).
    expect(b.grownElsewhere()).toBe(true);
    expect(b.syncView()).toBe(true);
    expect(bView.u8.length).toBe(mem.buffer.byteLength);
    expect(b.viewOf(0)).toBe(bView);
    expect(b.grownElsewhere()).toBe(false);
    expect(b.syncView()).toBe(false);
    expect(a.syncView()).toBe(false); // the grower's own view followed
  });
});
