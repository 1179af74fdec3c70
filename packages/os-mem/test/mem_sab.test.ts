// The SharedArrayBuffer backend: one truth in the buffer for every attached
// handle, growth seen by all, and real worker_threads racing transitions.
import { Worker } from "node:worker_threads";
import { AttachError, PageState, SabSysMemory, SysStat } from "@gomalloc/os-mem";
import { describe, expect, it } from "vitest";
import { propSeed } from "./seed.js";
import { osMemForWorkers, workerScript } from "./worker-build.js";

function run<T>(data: Record<string, unknown>): Promise<T> {
  return new Promise((resolve, reject) => {
    const w = new Worker(workerScript("sab-worker.mjs"), { workerData: { osmem: osMemForWorkers(), ...data } });
    w.once("message", resolve);
    w.once("error", reject);
  });
}

/** A worker answering one request per message. */
function server(sab: SharedArrayBuffer) {
  const w = new Worker(workerScript("sab-worker.mjs"), {
    workerData: { osmem: osMemForWorkers(), sab, task: "serve" },
  });
  const ask = <T>(msg: Record<string, unknown>): Promise<T> =>
    new Promise((resolve, reject) => {
      w.once("message", (r: T & { error?: string }) => (r.error ? reject(new Error(r.error)) : resolve(r)));
      w.once("error", reject);
      w.postMessage(msg);
    });
  return { ask, close: () => w.terminate() };
}

describe("SabSysMemory", () => {
  it("keeps the page table, counters and roots in the buffer: an attached handle sees everything", () => {
    const a = SabSysMemory.create({ maxByteLength: 64 << 20 });
    const b = SabSysMemory.attach(a.sab);
    const p = a.sysAlloc(100_000, SysStat.other_sys);
    a.write32(p + 4, 77);
    a.setRoot(0, p);
    expect(b.getRoot(0)).toBe(p);
    expect(b.pageState(p)).toBe(PageState.Ready);
    expect(b.read32(p + 4)).toBe(77);
    expect(b.stats()).toEqual(a.stats());
    b.sysFree(p, 100_000, SysStat.other_sys);
    expect(a.pageState(p)).toBe(PageState.None);
    expect(a.sysAlloc(65536, SysStat.other_sys)).toBe(p); // first fit from the bottom, as sbrk
    a.checkInvariants({ contents: true });
  });

  it("grows the buffer when pages become Ready, not when they are reserved or mapped", () => {
    const a = SabSysMemory.create({ maxByteLength: 64 << 20 });
    const len0 = a.sab.byteLength;
    const v = a.sysReserve(0, 8 << 20);
    expect(a.sab.byteLength).toBe(len0);
    expect(a.sysMap(v, 4 << 20, SysStat.heapReleased)).toBe(true);
    expect(a.sab.byteLength).toBe(len0);
    expect(a.sysUsed(v, 1 << 20, 1 << 20)).toBe(true);
    expect(a.sab.byteLength).toBe(v + (1 << 20));
    expect(a.caps).toMatchObject({
      canGrow: true,
      sharedBetweenWorkers: true,
      canReserveWithoutCommit: true,
      sbrk: true,
    });
  });

  it("grownElsewhere says when another handle grew the buffer past this one's fixed-length view", () => {
    const a = SabSysMemory.create({ maxByteLength: 64 << 20 });
    const b = SabSysMemory.attach(a.sab);
    const end = b.viewOf(0).u8.length;
    expect(b.grownElsewhere()).toBe(false);
    a.sysAlloc(4 << 20, SysStat.other_sys);
    expect(a.grownElsewhere()).toBe(false);
    expect(b.grownElsewhere()).toBe(true);
    expect(b.viewOf(end).u8.length).toBe(a.sab.byteLength);
    expect(b.grownElsewhere()).toBe(false);
  });

  it("grownElsewhere asks the buffer's length only after some handle grew it (the header's growth count)", () => {
    const a = SabSysMemory.create({ maxByteLength: 64 << 20 });
    const b = SabSysMemory.attach(a.sab);
    let asked = 0;
    const length = Object.getOwnPropertyDescriptor(SharedArrayBuffer.prototype, "byteLength")!.get!;
    Object.defineProperty(a.sab, "byteLength", {
      get() {
        asked++;
        return length.call(this);
      },
    });
    for (let i = 0; i < 10; i++) expect(b.grownElsewhere()).toBe(false);
    expect(asked).toBe(0);
    a.sysAlloc(4 << 20, SysStat.other_sys);
    asked = 0;
    expect(a.grownElsewhere()).toBe(false); // the grower took the new count
    expect(asked).toBe(0);
    expect(b.grownElsewhere()).toBe(true);
    expect(asked).toBe(1);
    expect(b.syncView()).toBe(true);
    asked = 0;
    expect(b.grownElsewhere()).toBe(false);
    expect(asked).toBe(0);
  });

  it("a handle learns of Ready pages beyond its view even when the buffer was grown outside os-mem", () => {
    // The user grows the SharedArrayBuffer by hand; a handle attached afterwards has the longer
    // view and no growth is needed for pages up to it, yet the older handle must still follow.
    const a = SabSysMemory.create({ maxByteLength: 64 << 20 });
    const end = a.viewOf(0).u8.length;
    a.sab.grow(end + (8 << 20));
    const b = SabSysMemory.attach(a.sab);
    const p = b.sysAlloc(4 << 20, SysStat.other_sys); // within b's view: nothing to grow
    expect(p + (4 << 20)).toBeGreaterThan(end);
    expect(a.grownElsewhere()).toBe(true);
    expect(a.syncView()).toBe(true);
    expect(a.viewOf(0).u8.length).toBeGreaterThanOrEqual(p + (4 << 20));
    expect(a.grownElsewhere()).toBe(false);
    expect(b.grownElsewhere()).toBe(false);
  });

  it("refuses to attach to a buffer that holds no header", () => {
    expect(() => SabSysMemory.attach(new SharedArrayBuffer(1 << 16))).toThrow(AttachError);
    const a = SabSysMemory.create({ maxByteLength: 4 << 20 });
    new Uint32Array(a.sab)[1] = 99;
    expect(() => SabSysMemory.attach(a.sab)).toThrow("header version 99");
  });

  it("worker_threads see each other's transitions", async () => {
    const sys = SabSysMemory.create({ maxByteLength: 64 << 20 });
    const w1 = server(sys.sab);
    const w2 = server(sys.sab);
    try {
      const { p } = await w1.ask<{ p: number }>({ op: "alloc", bytes: 3 * 65536, tag: 4242 });
      expect(await w2.ask({ op: "look", p })).toEqual({ state: PageState.Ready, value: 4242 });
      expect(sys.read32(p)).toBe(4242);
      await w2.ask({ op: "free", p, bytes: 3 * 65536 });
      expect(sys.pageState(p)).toBe(PageState.None);
      expect(await w1.ask({ op: "look", p })).toEqual({ state: PageState.None, value: -1 });
      sys.checkInvariants({ contents: true });
    } finally {
      await w1.close();
      await w2.close();
    }
  });

  it("worker_threads racing random transitions leave one consistent page table", async () => {
    const seed = propSeed("sab race");
    const sys = SabSysMemory.create({ maxByteLength: 512 << 20 });
    const results = await Promise.all(
      [1, 2, 3, 4].map((id) =>
        run<{ live: { p: number; bytes: number; tag: number }[] }>({
          task: "race",
          sab: sys.sab,
          id,
          rounds: 400,
          seed: seed + id,
        }),
      ),
    );
    const live = results.flatMap((r) => r.live).sort((x, y) => x.p - y.p);
    for (let i = 1; i < live.length; i++) expect(live[i - 1]!.p + live[i - 1]!.bytes).toBeLessThanOrEqual(live[i]!.p);
    let bytes = 0;
    for (const b of live) {
      expect(sys.pageState(b.p)).toBe(PageState.Ready);
      expect(sys.read32(b.p)).toBe(b.tag);
      expect(sys.read32(b.p + b.bytes - 4)).toBe(b.tag);
      bytes += b.bytes;
    }
    expect(sys.stats()).toMatchObject({ ready: bytes, reserved: 0, prepared: 0 });
    expect(sys.mutex.isLocked()).toBe(false);
    sys.checkInvariants({ contents: true });
  });
});
