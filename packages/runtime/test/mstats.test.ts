// readMemStats, free cycles as NumGC/NextGC, the scavenger's goal, and the
// heap-profile hooks (setMemProfileRate, writeHeapProfile).
import { gunzipSync } from "node:zlib";
import { PageState, SysStat } from "@gomalloc/os-mem";
import { checkMemStats, Wyrand } from "@gomalloc/profiling";
import { F_specials } from "@gomalloc/span";
import { describe, expect, it } from "vitest";
import { createHeap, HeapOptionError } from "../src/index.js";

const flat = (o = {}) => createHeap({ buffer: new ArrayBuffer(0, { maxByteLength: 128 << 20 }), ...o });

describe("readMemStats", () => {
  it("fills Go's identities and the fields a gomalloc heap has", () => {
    const heap = flat();
    const ps = [heap.malloc(8), heap.malloc(100), heap.malloc(100), heap.malloc(5000), heap.malloc(100000)];
    const ms = heap.readMemStats();
    checkMemStats(ms);
    expect(ms.HeapAlloc).toBe(16 + 112 + 112 + 5376 + 106496);
    expect(ms.HeapObjects).toBe(5);
    expect(ms.BySize[9]).toEqual({ Size: 112, Mallocs: 2, Frees: 0 });
    expect(ms.HeapInuse).toBe(heap.sys.statLoad(SysStat.heapInUse));
    expect(ms.HeapSys).toBe(ms.HeapInuse + ms.HeapIdle);
    expect(ms.Sys).toBe(heap.sys.stats().sys);
    expect(ms.MSpanInuse).toBeGreaterThan(0);
    expect(ms.MCacheInuse).toBe(heap.layout.bytes);
    expect(ms.GCSys).toBeGreaterThan(0);
    expect(ms.NextGC).toBe(ms.HeapAlloc + 4 * 2 ** 20);
    heap.free(ps[1]!);
    const after = heap.readMemStats();
    expect(after.Frees).toBe(1);
    expect(after.HeapAlloc).toBe(ms.HeapAlloc - 112); // counted at free, before any sweep
    expect(after.HeapInuse).toBe(ms.HeapInuse);
  });

  it("free cycles: the GOGC-like trigger and the sweep before growth count in NumGC", () => {
    const heap = flat({ gcPercent: 100 });
    const keep: number[] = [];
    for (let i = 0; i < 2000; i++) keep.push(heap.malloc(4096));
    for (const p of keep.splice(0, 1500)) heap.free(p); // 6 MiB freed against 2 MiB live
    const before = heap.readMemStats();
    expect(before.NumGC).toBe(0);
    // The first mallocs take freed objects back from the P's reuse stack; the slow path then sees the trigger.
    for (let i = 0; i < 40; i++) heap.malloc(4096);
    const ms = heap.readMemStats();
    expect(ms.NumGC).toBe(1);
    expect(ms.NumForcedGC).toBe(0);
    heap.freeCycle();
    expect(heap.readMemStats()).toMatchObject({ NumGC: 2, NumForcedGC: 1 });
    // With the trigger off, cycles still run before the heap would grow.
    const off = flat({ gcPercent: -1 });
    const a: number[] = [];
    for (let i = 0; i < 3000; i++) a.push(off.malloc(4096));
    const sys = off.readMemStats().HeapSys;
    for (const p of a) off.free(p);
    // Another size class: only a cycle (empty spans back to the page heap) can make room.
    for (let i = 0; i < 1500; i++) off.malloc(8192);
    expect(off.readMemStats().HeapSys).toBe(sys); // reused, not grown
    expect(off.readMemStats().NumGC).toBeGreaterThan(0);
    expect(off.readMemStats().EnableGC).toBe(false);
    off.checkInvariants();
  });
});

describe("the scavenger", () => {
  it("releases free memory down to the goal; the effect is in HeapReleased", () => {
    const heap = flat({ scavengeGoal: { retainedBytes: Number.POSITIVE_INFINITY } });
    const big = [];
    for (let i = 0; i < 40; i++) big.push(heap.malloc(256 << 10));
    for (const p of big) heap.free(p);
    const ms = heap.readMemStats();
    expect(ms.HeapIdle).toBeGreaterThanOrEqual(40 * (256 << 10));
    const released = heap.scavenge();
    expect(released).toBeGreaterThan(0);
    const after = heap.readMemStats();
    expect(after.HeapReleased).toBe(ms.HeapReleased + released);
    expect(after.HeapIdle).toBe(ms.HeapIdle);
    // Released pages are Prepared again (a flat backend keeps their bytes, zeroed).
    expect(heap.sys.pageState(big[10]!)).toBe(PageState.Prepared);
    heap.checkInvariants();
    // Reuse: sysUsed brings them back, contents zero.
    const q = heap.malloc(256 << 10);
    expect(heap.view(q, 256 << 10).every((x) => x === 0)).toBe(true);
    heap.checkInvariants();
  });
  it("Go's default goal is reached after a free cycle, not on every large free (Go scavenges between GCs)", () => {
    const heap = flat();
    const big = [];
    for (let i = 0; i < 160; i++) big.push(heap.malloc(256 << 10));
    for (const p of big) heap.free(p);
    const ms = heap.readMemStats();
    expect(ms.HeapReleased).toBe(0);
    expect(ms.HeapIdle).toBeGreaterThanOrEqual(160 * (256 << 10));
    // A cycle the GOGC-like trigger starts: small frees past 4 MiB, then small allocations
    // until the cycle's sweeping is done; the scavenger then runs down to the goal.
    const small = [];
    for (let i = 0; i < 6000; i++) small.push(heap.malloc(1024));
    for (const p of small) heap.free(p);
    for (let i = 0; i < 20000 && heap.readMemStats().NumGC === 0; i++) heap.malloc(1024);
    for (let i = 0; i < 20000 && !heap.h.sweepDone; i++) heap.malloc(1024);
    heap.malloc(40000); // a large allocation (or a refill) after the sweep is done wakes the scavenger
    const after = heap.readMemStats();
    expect(after.NumGC).toBe(1);
    expect(after.HeapReleased).toBeGreaterThan(0);
    expect(after.HeapInuse + after.HeapIdle - after.HeapReleased).toBeLessThanOrEqual(Math.ceil(after.NextGC * 1.1));
    heap.checkInvariants();
  });
  it("a goal as a fraction of the in-use heap is enforced after large frees", () => {
    const heap = flat({ scavengeGoal: { retainedBytes: Number.POSITIVE_INFINITY } });
    const big = [];
    for (let i = 0; i < 20; i++) big.push(heap.malloc(512 << 10));
    heap.setScavengeGoal({ fraction: 0.1 });
    for (const p of big.slice(0, 15)) heap.free(p);
    const ms = heap.readMemStats();
    expect(ms.HeapInuse + (ms.HeapIdle - ms.HeapReleased)).toBeLessThanOrEqual(
      Math.ceil(ms.HeapInuse * 1.1) + (1 << 20),
    );
    heap.setScavengeGoal({ retainedBytes: 0 });
    expect(heap.readMemStats().HeapIdle - heap.readMemStats().HeapReleased).toBeLessThan(1 << 20);
    expect(() => heap.setScavengeGoal({ fraction: -1 })).toThrow(HeapOptionError);
    heap.checkInvariants();
  });
});

describe("heap profiling", () => {
  it("setMemProfileRate(1) samples every allocation; frees are recorded; writeHeapProfile is gzipped pprof", async () => {
    const heap = flat({ profilerRand: new Wyrand(1) });
    heap.setMemProfileRate(1);
    const ps = [heap.malloc(100), heap.malloc(3), heap.malloc(70000), heap.malloc(2000)];
    expect(heap.profiler.nlive).toBe(4);
    heap.free(ps[0]!);
    heap.free(ps[2]!);
    expect(heap.profiler.nlive).toBe(2);
    const gz = await heap.writeHeapProfile();
    expect([gz[0], gz[1]]).toEqual([0x1f, 0x8b]);
    expect(gunzipSync(gz).length).toBeGreaterThan(0);
    const recs = heap.profiler.memProfile(true);
    expect(recs.reduce((a, r) => a + r.AllocObjects, 0)).toBe(4);
    expect(recs.reduce((a, r) => a + r.FreeObjects, 0)).toBe(2);
    heap.setMemProfileRate(0);
    heap.malloc(100);
    heap.malloc(100);
    expect(heap.profiler.nlive).toBe(2 + 1); // the allocation that noticed the change is sampled, as in Go
    heap.checkInvariants();
  });

  it("counts sampled objects on their span (Go's specials) so frees are fast again once they are all freed", () => {
    const heap = flat({ profilerRand: new Wyrand(2) });
    heap.setMemProfileRate(1);
    const ps = Array.from({ length: 300 }, () => heap.malloc(48));
    const s = heap.h.spanOf(ps[0]!);
    const inSpan = ps.filter((p) => heap.h.spanOf(p) === s);
    expect(inSpan.length).toBe(170); // 8 KiB / 48
    expect(heap.t.getU8(s, F_specials)).toBe(170);
    heap.setMemProfileRate(0);
    const unsampled = heap.malloc(48); // notices the new rate: sampled, as in Go
    for (const p of inSpan.slice(1)) heap.free(p);
    expect(heap.t.getU8(s, F_specials)).toBe(heap.h.spanOf(unsampled) === s ? 2 : 1);
    heap.free(inSpan[0]!);
    heap.free(unsampled);
    expect(heap.t.getU8(s, F_specials)).toBe(0);
    expect(heap.profiler.nlive).toBe(300 - 170);
    heap.checkInvariants();
  });

  it("keeps a span's specials count at 255 once it saturates", () => {
    const heap = flat({ profilerRand: new Wyrand(3) });
    heap.setMemProfileRate(1);
    const ps = Array.from({ length: 600 }, () => heap.malloc(16));
    const s = heap.h.spanOf(ps[0]!);
    const inSpan = ps.filter((p) => heap.h.spanOf(p) === s);
    expect(inSpan.length).toBe(512);
    expect(heap.t.getU8(s, F_specials)).toBe(255);
    for (const p of inSpan) heap.free(p);
    expect(heap.t.getU8(s, F_specials)).toBe(255);
    expect(heap.profiler.nlive).toBe(600 - 512);
    heap.checkInvariants();
  });
});
