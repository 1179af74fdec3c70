// Several Ps on one SharedArrayBuffer heap, driven from one thread so that
// every interleaving is deterministic: handles over separate backend
// handles (each with its own fixed-length view, as in separate workers),
// the stale-view case after another handle grew the buffer, cross-handle
// double frees, a contended lock on a thread that may not block, and
// reclaimP of a P whose holder went away (with a fast path stopped half-way).
import { LockWouldBlockError, SabSysMemory, setLockRankChecking, WasmSysMemory } from "@gomalloc/os-mem";
import {
  attachHeap,
  createHeap,
  DoubleFreeError,
  ForeignPointerError,
  type Heap,
  HeapOptionError,
  NoProcessorError,
  PReclaimError,
  pInfo,
} from "@gomalloc/runtime";
import { F_allocBits, F_allocCount, F_cachedBy, F_freed, F_freeindex } from "@gomalloc/span";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MC_ALLOC, reuseStride } from "../src/mcache.js";
import { pInSlowIndex } from "../src/proc.js";

beforeEach(() => setLockRankChecking(true));
afterEach(() => setLockRankChecking(false));

/** A heap with n Ps and n−1 more handles, each over its own backend handle (own views), each with a P. */
function handles(n: number, max = 256 << 20): Heap[] {
  const a = createHeap({ growableSab: { maxByteLength: max }, numPs: n });
  const sab = (a.sys as SabSysMemory).sab;
  const out = [a];
  for (let i = 1; i < n; i++) out.push(attachHeap(SabSysMemory.attach(sab), { p: "any" }));
  return out;
}

function fill(h: Heap, p: number, n: number, tag: number): void {
  const u8 = h.u8;
  for (let i = 0; i < n; i++) u8[p + i] = (tag + i) & 0xff;
}
function check(h: Heap, p: number, n: number, tag: number): void {
  const u8 = h.u8;
  for (let i = 0; i < n; i++) if (u8[p + i] !== ((tag + i) & 0xff)) throw new Error(`byte ${i} of ${p} changed`);
}

/** b lets its P go and a runs a free cycle: the heap must then be consistent and hold no object. */
function expectEmptyAfter(a: Heap, b: Heap): void {
  b.detach();
  a.freeCycle();
  a.checkInvariants();
  expect(a.readMemStats().HeapObjects).toBe(0);
}

/** Allocates `size`-byte objects on h until the span holding p is no longer h's current span (it then sits in mcentral); returns them. */
function moveOn(h: Heap, p: number, size: number): number[] {
  const s = h.h.spanOf(p);
  const extra: number[] = [];
  while (h.t.getU32(s, F_cachedBy) === h.p + 1) extra.push(h.malloc(size));
  expect(h.t.getU32(s, F_cachedBy)).toBe(0);
  return extra;
}

describe("Ps: attach, detach, tokens", () => {
  it("claims distinct Ps, stamps tokens and epochs, and detach makes a P idle again", () => {
    const [a, b, c] = handles(3);
    expect([a!.p, b!.p, c!.p]).toEqual([0, 1, 2]);
    const info = pInfo(a!);
    expect(info.map((p) => p.state)).toEqual(["running", "running", "running"]);
    expect(info.map((p) => p.token)).toEqual([a!.token, b!.token, c!.token]);
    expect(() => attachHeap(a!.sys, { p: "any" })).toThrow(NoProcessorError);
    const x = b!.malloc(100);
    b!.detach();
    expect(b!.p).toBe(-1);
    expect(() => b!.malloc(8)).toThrow(NoProcessorError);
    expect(pInfo(a!)[1]).toMatchObject({ state: "idle", token: 0, epoch: 1 });
    const d = attachHeap(SabSysMemory.attach((a!.sys as SabSysMemory).sab), { p: "any" });
    expect(d.p).toBe(1);
    expect(pInfo(a!)[1]).toMatchObject({ state: "running", token: d.token, epoch: 2 });
    d.free(x); // an object of the detached P's old span: a remote free
    a!.freeCycle();
    a!.checkInvariants();
    expect(a!.readMemStats().HeapObjects).toBe(0);
  });
});

describe("stale views: another handle grew the shared buffer", () => {
  it("frees and allocates through an old fixed-length view fall to the slow path, which rebinds it", () => {
    const [a, b] = handles(2);
    const mine: number[] = [];
    for (let i = 0; i < 200; i++) {
      const p = a!.malloc(48);
      fill(a!, p, 48, i);
      mine.push(p);
    }
    const before = a!.v.u8.length;
    // b grows the heap far past a's view: large and small objects, new span records and bitmaps.
    const theirs: number[] = [];
    for (let i = 0; i < 64; i++) theirs.push(b!.malloc(256 << 10));
    for (let i = 0; i < 5000; i++) theirs.push(b!.malloc(16 + (i % 40) * 24));
    const sab = (a!.sys as SabSysMemory).sab;
    expect(sab.byteLength).toBeGreaterThan(before + (16 << 20));
    expect(a!.v.u8.length).toBe(before); // a's view has not followed yet
    // a frees objects that lie beyond its view, through the inline fast path first.
    for (const p of theirs) a!.free(p);
    expect(a!.v.u8.length).toBe(sab.byteLength - (sab.byteLength % 8));
    // and allocates (its own spans, then new ones), checking its old objects.
    for (let i = 0; i < 3000; i++) {
      const p = a!.malloc(16 + (i % 40) * 24);
      fill(a!, p, 16, 1000 + i);
      mine.push(p);
    }
    for (let i = 0; i < 200; i++) check(a!, mine[i]!, 48, i);
    for (const p of mine) b!.free(p);
    a!.freeCycle();
    a!.checkInvariants();
    const ms = b!.readMemStats();
    expect(ms.HeapObjects).toBe(0);
    expect(ms.HeapAlloc).toBe(0);
  });

  it("u8 and the other whole-buffer arrays follow growth made through another handle", () => {
    const [a, b] = handles(2);
    const big = b!.malloc(32 << 20);
    b!.u8[big + (32 << 20) - 1] = 7;
    expect(a!.u8[big + (32 << 20) - 1]).toBe(7);
    b!.free(big);
  });

  it("and growth made by hand: a handle attached after it allocates past an older handle's view, the older one follows", () => {
    const a = createHeap({ growableSab: { maxByteLength: 256 << 20 }, numPs: 2 });
    const sab = (a.sys as SabSysMemory).sab;
    const before = a.v.u8.length;
    sab.grow(sab.byteLength + (64 << 20)); // not through os-mem: no handle was told
    const b = attachHeap(SabSysMemory.attach(sab), { p: "any" });
    const big = b.malloc(32 << 20);
    expect(big + (32 << 20)).toBeGreaterThan(before);
    b.u8[big + (32 << 20) - 1] = 7;
    expect(a.u8[big + (32 << 20) - 1]).toBe(7);
    const small: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const p = b.malloc(64);
      b.u8[p] = i & 0xff;
      small.push(p);
    }
    expect(small.map((p) => a.u8[p])).toEqual(small.map((_, i) => i & 0xff));
    for (const p of small) a.free(p);
    a.free(big);
    a.freeCycle();
    a.checkInvariants();
    expect(b.readMemStats().HeapObjects).toBe(0);
  });

  it("on a shared WebAssembly.Memory too, whose grow hands out a new buffer object and leaves the old one's length", () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 2048, shared: true });
    const a = createHeap({ wasmMemory: memory, maximumPages: 2048, numPs: 2 });
    const b = attachHeap(WasmSysMemory.attach(memory), { p: "any" });
    const p = a.malloc(24);
    const before = b.u8.length;
    const big = a.malloc(8 << 20); // grows the memory through a
    expect(memory.buffer.byteLength).toBeGreaterThan(before);
    expect(b.sys.grownElsewhere()).toBe(true);
    a.u8[big + (8 << 20) - 1] = 7;
    a.u32[(p >>> 2) + 1] = 0xdeadbeef;
    expect(b.u8[big + (8 << 20) - 1]).toBe(7); // read through b's re-pointed array, not undefined
    expect(b.u32[(p >>> 2) + 1]).toBe(0xdeadbeef);
    expect(b.sys.grownElsewhere()).toBe(false);
    b.free(big);
    b.free(p);
    b.checkInvariants();
  });

  it("on a non-shared WebAssembly.Memory (one thread, several handles), whose grow detaches every other handle's arrays", () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 2048 });
    const a = createHeap({ wasmMemory: memory, maximumPages: 2048, numPs: 2 });
    const b = attachHeap(WasmSysMemory.attach(memory), { p: "any" });
    const small = b.malloc(24);
    const tiny = b.malloc(3); // b's tiny block and reuse stacks, read through its arrays
    const big = a.malloc(8 << 20); // grows the memory through a: b's arrays are detached now
    expect(b.v.u8.length).toBe(0);
    // b's fast paths read undefined everywhere and must all fall to the slow path, which rebinds.
    const t2 = b.malloc(3);
    const s2 = b.malloc(24);
    expect(b.v.u8.length).toBe(memory.buffer.byteLength);
    expect(t2).toBe(tiny + 3); // the same block, right after the first object
    expect(Number.isInteger(s2) && s2 > 0).toBe(true);
    a.u8[big + (8 << 20) - 1] = 9;
    expect(b.u8[big + (8 << 20) - 1]).toBe(9);
    for (const x of [small, tiny, t2, s2, big]) b.free(x);
    a.checkInvariants();
    b.detach();
    a.freeCycle();
    expect(a.readMemStats().HeapObjects).toBe(0);
  });

  it("usableSize and realloc through a handle whose arrays another handle's grow detached", () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 2048 });
    const a = createHeap({ wasmMemory: memory, maximumPages: 2048, numPs: 2 });
    const b = attachHeap(WasmSysMemory.attach(memory), { p: "any" });
    const small = b.malloc(100);
    const big = a.malloc(8 << 20);
    expect(b.v.u8.length).toBe(0);
    expect(b.usableSize(small)).toBe(112); // the inline lookup reads undefined: the slow path rebinds
    b.free(small);
    expect(() => b.usableSize(small)).toThrow(ForeignPointerError);
    const c = b.malloc(100);
    a.malloc(8 << 20); // detached again
    const d = b.realloc(c, 1000);
    expect(b.usableSize(d)).toBeGreaterThanOrEqual(1000);
    b.free(d);
    a.free(big);
    a.checkInvariants();
  });
});

describe("double free across Ps", () => {
  it("a second free of a small, tiny or large object from another P throws and changes nothing", () => {
    const [a, b] = handles(2);
    for (const size of [8, 100, 5000, 100_000]) {
      const p = a!.malloc(size);
      const keep = a!.malloc(size);
      b!.free(p);
      expect(() => a!.free(p)).toThrow(DoubleFreeError);
      expect(() => b!.free(p)).toThrow(DoubleFreeError);
      a!.freeCycle(); // swept: still a double free
      expect(() => b!.free(p)).toThrow(DoubleFreeError);
      b!.free(keep);
    }
    a!.freeCycle();
    a!.checkInvariants();
    expect(a!.readMemStats().HeapObjects).toBe(0);
  });
});

describe("local and remote freed bits", () => {
  it("the owner frees into its span's local words, other Ps into the remote ones; either order of a double free is caught", () => {
    const [a, b] = handles(2);
    const objs = Array.from({ length: 64 }, () => a!.malloc(48)); // a's span for the class
    const s = a!.h.spanOf(objs[0]!);
    const t = a!.t;
    const fb = t.getU32(s, F_freed);
    const idx = (p: number) => (p - t.base(s)) / 48;
    const bitIn = (word: number, i: number) => (a!.v.u32[word]! >>> (i & 31)) & 1;
    a!.free(objs[1]!); // owner: local word
    b!.free(objs[2]!); // another P: remote word
    const [i1, i2] = [idx(objs[1]!), idx(objs[2]!)];
    expect([bitIn(fb + 2 * (i1 >>> 5), i1), bitIn(fb + 2 * (i1 >>> 5) + 1, i1)]).toEqual([1, 0]);
    expect([bitIn(fb + 2 * (i2 >>> 5), i2), bitIn(fb + 2 * (i2 >>> 5) + 1, i2)]).toEqual([0, 1]);
    expect(t.freedCount(s)).toBe(2);
    expect(() => b!.free(objs[1]!)).toThrow(DoubleFreeError); // freed locally, then remotely
    expect(() => a!.free(objs[2]!)).toThrow(DoubleFreeError); // freed remotely, then by the owner
    a!.checkInvariants();
    // a takes back what it freed from its local word; b's free went into a's current span, so b left
    // it for a's sweep (its reuse stack took no entry) and allocates elsewhere.
    expect(a!.malloc(48)).toBe(objs[1]);
    const y = b!.malloc(48);
    expect(a!.h.spanOf(y)).not.toBe(s);
    expect(t.freedCount(s)).toBe(1);
    // Once a moves on, the span is mcentral's: b's next free there is pushed, and b claims it back.
    const extra = moveOn(a!, objs[0]!, 48);
    b!.free(objs[3]!);
    expect(b!.malloc(48)).toBe(objs[3]);
    a!.checkInvariants();
    for (const p of [...objs.filter((_, i) => i !== 2), ...extra, y]) b!.free(p);
    expectEmptyAfter(a!, b!);
  });

  it("a P never clears another P's local freed bit, even from a reuse entry that names it", () => {
    const [a, b] = handles(2);
    const objs = Array.from({ length: 8 }, () => a!.malloc(96));
    const s = a!.h.spanOf(objs[0]!);
    const t = a!.t;
    expect(t.getU32(s, F_cachedBy)).toBe(a!.p + 1);
    a!.free(objs[3]!); // a local bit, and an entry on a's stack
    const u = a!.v.u32;
    const c = a!.sizeClasses.sizeToClass(96);
    const ra = a!.reuseU + c * reuseStride;
    const rb = b!.reuseU + c * reuseStride;
    expect(u[ra]).toBe(1);
    // Plant a's entry on b's stack (as if b had pushed it while it owned the span).
    u.copyWithin(rb + 2, ra + 2, ra + 5);
    u[rb] = 1;
    const x = b!.malloc(96);
    expect(x).not.toBe(objs[3]); // b does not own the span: the local bit stays a's
    expect(t.freedCount(s)).toBe(1);
    expect(a!.malloc(96)).toBe(objs[3]); // a takes it back
    a!.checkInvariants();
    for (const p of [...objs, x]) b!.free(p);
    expectEmptyAfter(a!, b!);
  });
});

describe("tiny objects across Ps", () => {
  it("another P frees objects of the block a P is still filling; the holder keeps filling it, usable sizes stay right", () => {
    const [a, b] = handles(2);
    const objs = [a!.malloc(4), a!.malloc(2), a!.malloc(1)]; // offsets 0, 4, 6 of one block
    expect(objs.map((p) => p - objs[0]!)).toEqual([0, 4, 6]);
    objs.forEach((p, i) => {
      fill(a!, p, [4, 2, 1][i]!, i);
    });
    b!.free(objs[1]!); // a remote free of a start in a's current block (fast path, atomic)
    expect(() => b!.free(objs[1]!)).toThrow(DoubleFreeError);
    expect(() => a!.free(objs[1]!)).toThrow(DoubleFreeError);
    const more = a!.malloc(3); // a keeps filling the block: after the fill mark, not in the freed slot
    expect(more - objs[0]!).toBe(7);
    expect(a!.usableSize(objs[0]!)).toBe(4); // to the next recorded start, freed or not
    expect(a!.usableSize(objs[2]!)).toBe(1);
    expect(b!.usableSize(more)).toBe(3);
    check(a!, objs[0]!, 4, 0);
    check(a!, objs[2]!, 1, 2);
    a!.checkInvariants();
    // Every object freed from the other P; the block goes back once a lets go of it.
    for (const p of [objs[0]!, objs[2]!, more]) b!.free(p);
    b!.detach();
    a!.detach();
    const c = attachHeap(SabSysMemory.attach((a!.sys as SabSysMemory).sab), { p: "any" });
    c.freeCycle();
    c.checkInvariants();
    expect(c.readMemStats().HeapObjects).toBe(0);
  });
});

describe("locks on a thread that may not block", () => {
  it("a contended heap lock throws LockWouldBlockError after a bounded spin, never hangs, and the heap works after", () => {
    const a = [createHeap({ growableSab: { maxByteLength: 64 << 20 }, numPs: 2 })];
    const b = attachHeap(SabSysMemory.attach((a[0]!.sys as SabSysMemory).sab), { p: "any", blocking: false });
    const x = b.malloc(100); // refills under the mcentral lock: free, so no wait
    const [h] = a;
    setLockRankChecking(false); // the test takes the lock as if from another thread
    h!.lockCentral();
    try {
      expect(() => b.malloc(200_000)).toThrow(LockWouldBlockError);
      expect(pInfo(h!)[1]!.inSlow).toBe(false); // the failed slow path left no mark
    } finally {
      h!.unlockCentral();
    }
    const y = b.malloc(200_000);
    b.free(y);
    b.free(x);
    h!.freeCycle();
    h!.checkInvariants();
    expect(h!.readMemStats().HeapObjects).toBe(0);
  });
});

describe("reclaimP: a P whose holder went away without detach", () => {
  it("flushes the P's spans, tiny block and page cache; its objects stay live and can be freed elsewhere", () => {
    const [a, b] = handles(3);
    const objs: [number, number][] = [];
    for (let i = 0; i < 500; i++) {
      const size = [3, 12, 40, 700, 3000, 50_000][i % 6]!;
      const p = b!.malloc(size);
      fill(b!, p, size, i);
      objs.push([p, size]);
    }
    const { p, token } = b!;
    // b "dies" here (its object is simply dropped).
    expect(() => a!.reclaimP(a!.p)).toThrow(HeapOptionError);
    expect(() => a!.reclaimP(7)).toThrow(HeapOptionError);
    expect(a!.reclaimP(p, token ^ 1)).toBe(false); // another holder's token: left alone
    expect(a!.reclaimP(p, token)).toBe(true);
    expect(pInfo(a!)[p]).toMatchObject({ state: "idle", token: 0 });
    expect(a!.reclaimP(p, token)).toBe(false); // already idle
    a!.checkInvariants();
    for (const [i, [q, size]] of objs.entries()) check(a!, q, size, i);
    for (const [q] of objs) a!.free(q);
    a!.freeCycle();
    a!.checkInvariants();
    expect(a!.readMemStats().HeapObjects).toBe(0);
  });

  it("repairs a malloc fast path stopped between freeindex and allocCount", () => {
    const [a, b] = handles(2);
    const x = b!.malloc(64);
    const y = b!.malloc(64); // the fast path: cache, freeindex, then allocCount
    const spc = (b!.sizeClasses.sizeToClass(64) << 1) | 1;
    const s = b!.v.getF64(b!.mc + MC_ALLOC + 8 * spc);
    b!.t.setU32(s, F_allocCount, b!.t.allocCount(s) - 1); // as if stopped before the last store
    expect(() => b!.checkInvariants()).toThrow();
    expect(a!.reclaimP(b!.p, b!.token)).toBe(true);
    a!.checkInvariants();
    a!.free(x);
    a!.free(y);
    a!.freeCycle();
    a!.checkInvariants();
    expect(a!.readMemStats().HeapObjects).toBe(0);
  });

  it("refuses a P whose holder died inside a slow path (it may hold a lock)", () => {
    const [a, b] = handles(2);
    b!.malloc(64);
    Atomics.store(a!.v.i32, pInSlowIndex(a!.v, a!.ptable, b!.p), 1);
    expect(() => a!.reclaimP(b!.p, b!.token)).toThrow(PReclaimError);
    expect(pInfo(a!)[1]!.state).toBe("running");
  });

  it("a reclaimed handle that was still alive is refused on its next slow path", () => {
    const [a, b] = handles(2);
    b!.malloc(64);
    expect(a!.reclaimP(b!.p, b!.token)).toBe(true);
    expect(() => b!.malloc(100_000)).toThrow(NoProcessorError);
    expect(b!.p).toBe(-1);
    a!.checkInvariants();
  });
});

describe("bitmaps read while another P sweeps", () => {
  // While a P sweeps a span (under the mcentral lock) another P may read its bitmaps half
  // swapped: freeindex, the allocBits pointer and the word it points to come from different
  // moments, and a live object can look free. Misuse errors are confirmed under the lock.
  // The test tears the bitmaps as such a read would see them and mends them when the lock is
  // taken (by then the sweep is over).
  function torn(h: Heap, owner: Heap, p: number): () => void {
    const t = h.t;
    const s = h.h.spanOf(p);
    const u = h.v.u32;
    const ab = t.getU32(s, F_allocBits);
    const fi = t.getU32(s, F_freeindex);
    const saved = u.slice(ab, ab + 4);
    u.fill(0, ab, ab + 4); // the old allocBits block, cleared as the sweep swaps it out
    t.setU32(s, F_freeindex, 0);
    const mend = () => {
      u.set(saved, ab);
      t.setU32(s, F_freeindex, fi);
    };
    const lock = h.lockCentral.bind(h);
    h.lockCentral = () => {
      mend();
      lock();
    };
    expect(owner.t.getU32(s, F_cachedBy)).toBe(owner.p + 1);
    return mend;
  }

  it("usableSize and free of a live object do not fail on torn bitmaps", () => {
    const [a, b] = handles(2);
    const objs = Array.from({ length: 3 }, () => a!.malloc(2048)); // a's span of 2048-byte objects
    const x = objs[1]!;
    torn(b!, a!, x);
    expect(b!.usableSize(x)).toBe(2048);
    torn(b!, a!, x);
    b!.free(x); // the fast path sees it free and defers to the slow path, which confirms
    expect(() => b!.free(x)).toThrow(DoubleFreeError); // a real double free still is one
    for (const p of [objs[0]!, objs[2]!]) a!.free(p);
    a!.checkInvariants();
  });
});

/** The span class of `size`-byte objects (the inline malloc's table). */
const spcOf = (h: Heap, size: number) => h.spcOfSize[(size + 7) >>> 3]!;
/** `prev[spc]` and `alloc[spc]` of h's mcache for `size`-byte objects. */
const prevOf = (h: Heap, size: number) => h.v.getF64(h.mc + h.layout.prev + 8 * spcOf(h, size));
const allocOf = (h: Heap, size: number) => h.v.getF64(h.mc + MC_ALLOC + 8 * spcOf(h, size));
/** Allocates `size`-byte objects onto objs until the last lies in another span than before; returns that span. */
function untilNextSpan(h: Heap, size: number, objs: number[]): number {
  const s = h.h.spanOf(objs[objs.length - 1]!);
  while (h.h.spanOf(objs[objs.length - 1]!) === s) objs.push(h.malloc(size));
  return h.h.spanOf(objs[objs.length - 1]!);
}

describe("the previous span of a class stays its P's", () => {
  it("after a refill the full span is prev[spc]: owner frees stay local and are taken back, others' wait for its sweep in place", () => {
    const [a, b] = handles(2);
    const size = 256;
    const t = a!.t;
    const v = a!.v;
    const objs = [a!.malloc(size)];
    const s = a!.h.spanOf(objs[0]!);
    const s2 = untilNextSpan(a!, size, objs);
    expect(objs.length).toBe(t.nelems(s) + 1);
    expect([prevOf(a!, size), allocOf(a!, size)]).toEqual([s, s2]);
    expect([t.getU32(s, F_cachedBy), t.getU32(s2, F_cachedBy)]).toEqual([a!.p + 1, a!.p + 1]);
    expect(prevOf(b!, size)).toBe(b!.emptymspan);
    a!.checkInvariants();
    t.setU32(s, F_cachedBy, 0); // the owner field disagrees with prev[spc]: HI7
    expect(() => a!.checkInvariants()).toThrow(/HI7/);
    t.setU32(s, F_cachedBy, a!.p + 1);
    const fb = t.getU32(s, F_freed);
    const bits = (i: number) => [
      (v.u32[fb + 2 * (i >>> 5)]! >>> (i & 31)) & 1,
      (v.u32[fb + 2 * (i >>> 5) + 1]! >>> (i & 31)) & 1,
    ];
    a!.free(objs[0]!); // the owner: a local bit, and an entry on its reuse stack
    b!.free(objs[1]!); // another P: the remote bit, left to the owner
    expect([bits(0), bits(1)]).toEqual([
      [1, 0],
      [0, 1],
    ]);
    expect(() => b!.free(objs[0]!)).toThrow(DoubleFreeError);
    expect(() => a!.free(objs[1]!)).toThrow(DoubleFreeError);
    expect(a!.malloc(size)).toBe(objs[0]); // taken back with a plain store
    expect(bits(0)).toEqual([0, 0]);
    const y = b!.malloc(size);
    expect(a!.h.spanOf(y)).not.toBe(s);
    a!.checkInvariants();
    // b frees half of s: when a fills s2, its refill sweeps s in place, s is current again and s2 prev.
    const half = t.nelems(s) / 2;
    for (let i = 2; i < half + 1; i++) b!.free(objs[i]!);
    const freed = new Set(objs.slice(1, half + 1));
    const more: number[] = [];
    while (more.length <= t.nelems(s2) && !freed.has(more[more.length - 1] ?? 0)) more.push(a!.malloc(size));
    expect(freed.has(more[more.length - 1]!)).toBe(true);
    expect([prevOf(a!, size), allocOf(a!, size)]).toEqual([s2, s]);
    a!.checkInvariants();
    for (const p of freed) if (!more.includes(p)) more.push(a!.malloc(size)); // s's freed objects, reused
    expect(new Set(more.filter((p) => a!.h.spanOf(p) === s))).toEqual(freed);
    a!.checkInvariants();
    // A free cycle flushes both: neither span has an owner afterwards.
    a!.freeCycle();
    expect([prevOf(a!, size), allocOf(a!, size)]).toEqual([a!.emptymspan, a!.emptymspan]);
    expect([t.getU32(s, F_cachedBy), t.getU32(s2, F_cachedBy)]).toEqual([0, 0]);
    a!.checkInvariants();
    const live = new Set([...objs.filter((p) => !freed.has(p)), ...more, y]);
    for (const p of live) b!.free(p);
    expectEmptyAfter(a!, b!);
  });

  it("a span moves on from prev to mcentral at the following refill, and detach hands prev back", () => {
    const [a, b] = handles(2);
    const size = 512;
    const t = a!.t;
    const objs = [a!.malloc(size)];
    const spans = [a!.h.spanOf(objs[0]!)];
    while (spans.length < 3) {
      const x = a!.malloc(size);
      objs.push(x);
      if (a!.h.spanOf(x) !== spans[spans.length - 1]) spans.push(a!.h.spanOf(x));
    }
    expect(spans.map((s) => t.getU32(s, F_cachedBy))).toEqual([0, a!.p + 1, a!.p + 1]);
    expect(prevOf(a!, size)).toBe(spans[1]);
    b!.free(objs[0]!); // the first span is mcentral's: b's free goes on b's stack
    expect(b!.malloc(size)).toBe(objs[0]);
    a!.checkInvariants();
    a!.detach();
    expect(spans.map((s) => t.getU32(s, F_cachedBy))).toEqual([0, 0, 0]);
    b!.checkInvariants();
    for (const p of objs) b!.free(p);
    b!.freeCycle();
    b!.checkInvariants();
    expect(b!.readMemStats().HeapObjects).toBe(0);
  });

  it("with under half of it freed, the previous span goes back to mcentral unswept, which sweeps it when the class needs a span", () => {
    const [a, b] = handles(2);
    const size = 512;
    const t = a!.t;
    const objs = [a!.malloc(size)];
    const s0 = a!.h.spanOf(objs[0]!);
    const s1 = untilNextSpan(a!, size, objs);
    b!.free(objs[1]!); // one remote free in a's prev span s0
    a!.checkInvariants();
    untilNextSpan(a!, size, objs);
    // s1 filled: s0 (1 of its objects freed) went to mcentral's full set unswept, and the refill,
    // with frees of the class pending, took it back swept: objs[1]'s slot is handed out again.
    expect(objs[objs.length - 1]).toBe(objs[1]);
    expect([prevOf(a!, size), allocOf(a!, size)]).toEqual([s1, s0]);
    expect(t.freedCount(s0)).toBe(0);
    a!.checkInvariants();
    objs.splice(1, 1);
    for (const p of objs) a!.free(p);
    expectEmptyAfter(a!, b!);
  });

  it("a heap with one P, or several over unshared memory, keeps no previous span", () => {
    for (const h of [
      createHeap({ growableSab: { maxByteLength: 64 << 20 } }),
      createHeap({ buffer: new ArrayBuffer(8 << 20), numPs: 2 }),
    ]) {
      const objs = Array.from({ length: 200 }, () => h.malloc(256));
      expect(prevOf(h, 256)).toBe(h.emptymspan);
      h.checkInvariants();
      for (const p of objs) h.free(p);
    }
  });
});

describe("reuse stacks across Ps", () => {
  it("a P takes back an object it freed from a span no P caches, without a sweep, and leaves one in another P's span to it", () => {
    const [a, b] = handles(2);
    const objs: number[] = [];
    for (let i = 0; i < 40; i++) objs.push(b!.malloc(64));
    const s = b!.h.spanOf(objs[0]!);
    a!.free(objs[5]!); // into b's current span: not pushed, so a does not go on allocating in b's span
    const y = a!.malloc(64);
    expect(a!.h.spanOf(y)).not.toBe(s);
    expect(b!.t.freedCount(s)).toBe(1); // objs[5], left for a sweep
    const extra = moveOn(b!, objs[0]!, 64); // the span is mcentral's now (refills may have swept it)
    const x = objs[17]!;
    a!.free(x); // a remote free, on a's reuse stack
    const cycles = a!.readMemStats().NumGC;
    expect(a!.malloc(64)).toBe(x);
    expect(a!.readMemStats().NumGC).toBe(cycles);
    for (const p of [...objs.filter((_, i) => i !== 5), ...extra, y]) b!.free(p);
    expectEmptyAfter(a!, b!);
  });

  it("a tiny block whose last object another P freed goes on that P's stack unless the first P still allocates from its span", () => {
    const [a, b] = handles(2);
    const x = a!.malloc(12); // a's block A
    const held = a!.malloc(8); // block B becomes a's held block; A is let go with x live
    const s = a!.h.spanOf(x);
    b!.free(x); // A's last object, freed by b into a's current tiny-block span: left to a
    expect(() => a!.free(x)).toThrow(DoubleFreeError);
    const y = b!.malloc(12); // b holds no block: a new one, from a span of b's own
    expect(a!.h.spanOf(y)).not.toBe(s);
    // a fills its tiny-block span with held blocks and moves on: with its block filled to 16, a
    // 15-byte object needs a new block that becomes the held one, and a byte packed beside it
    // fills that one to 16 again (a 15-byte object beside a fuller held block would be a
    // 16-byte object of Go's tinySpanClass instead; tiny.ts).
    const fillB = a!.malloc(8);
    const more: number[] = [];
    while (a!.t.getU32(s, F_cachedBy) === a!.p + 1) more.push(a!.malloc(15), a!.malloc(1));
    expect(a!.h.spanOf(more.at(-2)!)).not.toBe(s);
    const z = a!.malloc(15); // a's new current block, in another span
    b!.free(more[1]!);
    b!.free(more[0]!); // the last object of a block of the span no P caches now: on b's stack
    expect(b!.malloc(11)).toBe(more[0]); // b's held block (y, 12 B) has no room for 11 bytes: the freed block
    a!.free(z);
    for (const p of [...more.filter((_, i) => i !== 1), y, held, fillB]) a!.free(p);
    expect(() => b!.free(y)).toThrow(DoubleFreeError);
    expectEmptyAfter(a!, b!);
  });

  it("an entry whose span was swept, freed and its record and bitmaps reused is skipped or names a freed object of the new span", () => {
    const [a, b] = handles(2);
    const live = new Map<number, [number, number]>(); // address → size, tag
    let tag = 0;
    const mk = (h: Heap, size: number) => {
      const p = h.malloc(size);
      expect(live.has(p)).toBe(false);
      fill(h, p, size, ++tag);
      live.set(p, [size, tag]);
      return p;
    };
    const drop = (h: Heap, p: number) => {
      const [size, t] = live.get(p)!;
      check(h, p, size, t);
      live.delete(p);
      h.free(p);
    };
    const span: number[] = [];
    for (let i = 0; i < 128; i++) span.push(mk(b!, 64)); // one whole span of b's
    for (const p of span.slice(0, 32)) drop(a!, p); // a's stack for the class fills with them
    for (const p of span.slice(32)) drop(b!, p);
    b!.detach(); // the span goes back to mcentral ...
    a!.freeCycle(); // ... is swept empty and freed to the heap
    const c = attachHeap(SabSysMemory.attach((a!.sys as SabSysMemory).sab), { p: "any" });
    // Records and bitmap blocks are reused by spans of other classes and of this one.
    const others: number[] = [];
    for (let i = 0; i < 3000; i++) others.push(mk(c, [48, 64, 80, 64, 512][i % 5]!));
    for (let i = 0; i < others.length; i += 3) drop(c, others[i]!); // freed, unswept: bits set
    for (let i = 0; i < 40; i++) mk(a!, 64); // pops every stale entry: no object handed out twice
    a!.checkInvariants();
    for (const p of [...live.keys()]) drop(a!, p);
    a!.freeCycle();
    a!.checkInvariants();
    expect(a!.readMemStats().HeapObjects).toBe(0);
  });

  it("reclaimP puts back the bit of a reuse-stack claim stopped before it was checked", () => {
    const [a, b] = handles(2);
    const objs: number[] = [];
    for (let i = 0; i < 10; i++) objs.push(a!.malloc(64));
    objs.push(...moveOn(a!, objs[0]!, 64));
    b!.free(objs[3]!); // b's stack: an entry for a span in mcentral
    const u = b!.v.u32;
    const rb = b!.reuseU + b!.sizeClasses.sizeToClass(64) * reuseStride;
    expect(u[rb]).toBe(1);
    // b popped the entry and cleared the bit, then died before checking it (claim word 2).
    const [idx, fb] = [u[rb + 3]!, u[rb + 4]!];
    u[rb] = 0;
    expect(Atomics.and(b!.v.i32, fb, ~(1 << (idx & 31))) & (1 << (idx & 31))).not.toBe(0);
    u[rb + 1] = 2;
    expect(a!.reclaimP(b!.p, b!.token)).toBe(true);
    expect(Atomics.load(a!.v.i32, fb) & (1 << (idx & 31))).not.toBe(0); // freed again
    expect(u[rb + 1]).toBe(0);
    a!.checkInvariants();
    for (const [i, p] of objs.entries()) if (i !== 3) a!.free(p);
    a!.freeCycle();
    a!.checkInvariants();
    expect(a!.readMemStats().HeapObjects).toBe(0);
  });
});
