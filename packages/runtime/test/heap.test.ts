// The public heap: createHeap on every backend, attachHeap, P claims, the
// allocation paths (tiny, small, large, zerobase), zeroing, usableSize,
// realloc, calloc/mallocArray, and memory access.
import { getProfile } from "@gomalloc/arch";
import { ArrayBufferSysMemory, MemoryFault, SabSysMemory, SimSysMemory, SysStat } from "@gomalloc/os-mem";
import { describe, expect, it } from "vitest";
import { templateHeaps } from "../src/createheap.js";
import {
  attachHeap,
  BadSizeError,
  type CreateHeapOptions,
  createHeap,
  DoubleFreeError,
  growCapacity,
  Heap,
  HeapAttachError,
  HeapOptionError,
  InteriorPointerError,
  MemoryAccessError,
  NoProcessorError,
  UnsupportedProfileError,
} from "../src/index.js";
import { heapBackends } from "./backends.js";

const flat = () => createHeap({ buffer: new ArrayBuffer(0, { maxByteLength: 64 << 20 }) });

describe("createHeap on every backend", () => {
  it.each(heapBackends)("$name: malloc/free of tiny, small and large objects, invariants hold", (b) => {
    const heap = createHeap(b.opts());
    const sizes = [1, 3, 8, 12, 15, 16, 24, 100, 1024, 1025, 8192, 32768, 32769, 100000, 1 << 20];
    const ps = sizes.map((n) => heap.malloc(n));
    expect(new Set(ps).size).toBe(ps.length);
    for (let i = 0; i < ps.length; i++) {
      heap.fill(ps[i]!, sizes[i]!, i + 1);
      expect(heap.usableSize(ps[i]!)).toBeGreaterThanOrEqual(sizes[i]!);
    }
    heap.checkInvariants();
    for (let i = 0; i < ps.length; i++) {
      const got = new Uint8Array(sizes[i]!);
      heap.read(ps[i]!, got);
      expect(got.every((x) => x === i + 1)).toBe(true);
    }
    for (const p of ps) heap.free(p);
    heap.checkInvariants();
    heap.freeCycle();
    heap.checkInvariants();
    // Go counts the 2 tiny allocations packed into existing blocks as both malloc and free.
    expect(heap.readMemStats()).toMatchObject({ HeapAlloc: 0, HeapObjects: 0, Mallocs: 15, Frees: 15, NumGC: 1 });
  });

  it("flat backends run js/wasm of the chosen Go version; the simulated one the named pair", () => {
    expect(flat().profile.pair).toBe("js/wasm");
    expect(createHeap({ buffer: new ArrayBuffer(8 << 20), goVersion: "1.19" }).profile.heapArenaBytes).toBe(4 << 20);
    expect(flat().profile.heapArenaBytes).toBe(512 << 10);
    const sim = createHeap({ simulated: "linux/amd64" });
    expect(sim.sys.physPageSize).toBe(4096);
    expect(sim.malloc(100)).toBe(0xc000000000);
    expect(createHeap({ simulated: "darwin/arm64" }).malloc(100)).toBe(0x4000000000);
    expect(createHeap({ simulated: "ios/arm64" }).malloc(100)).toBe(0x130000000);
    expect(createHeap({ simulated: "linux/arm64" }).sys.physPageSize).toBe(65536);
  });

  it("rejects profiles it cannot run and memory options that do not name one backend", () => {
    expect(() => createHeap({ simulated: "aix/ppc64" })).toThrow(UnsupportedProfileError);
    expect(() =>
      createHeap({ buffer: new ArrayBuffer(8 << 20), profile: getProfile("1.26", "linux", "amd64") }),
    ).toThrow(UnsupportedProfileError);
    expect(() => createHeap({})).toThrow(HeapOptionError);
    expect(() => createHeap({ simulated: "linux/amd64", buffer: new ArrayBuffer(8) })).toThrow(HeapOptionError);
    expect(() => createHeap({ simulated: "linux/amd64", numPs: 0 })).toThrow(HeapOptionError);
    const sys = new SimSysMemory({ addressSpaceEnd: 2 ** 47 });
    createHeap({ memory: sys });
    expect(() => createHeap({ memory: sys })).toThrow(HeapOptionError);
  });

  it("refuses a buffer, SharedArrayBuffer or wasm memory that already holds a heap unless told to overwrite it", () => {
    const makers: [string, () => CreateHeapOptions][] = [
      ["buffer", () => ({ buffer: new ArrayBuffer(8 << 20) })],
      ["sab", () => ({ sab: new SharedArrayBuffer(8 << 20) })],
      ["wasmMemory", () => ({ wasmMemory: new WebAssembly.Memory({ initial: 128, maximum: 128 }), maximumPages: 128 })],
    ];
    for (const [key, make] of makers) {
      const o = make();
      const a = createHeap(o);
      const p = a.malloc(100);
      a.u8[p] = 42;
      expect(() => createHeap(o)).toThrow(HeapOptionError);
      expect(() => createHeap(o)).toThrow(new RegExp(`${key}.*attachHeap`));
      // Refused, so the first heap is untouched and keeps working.
      expect(a.u8[p]).toBe(42);
      a.free(p);
      a.checkInvariants();
      expect(() => createHeap({ ...o, overwrite: "yes" as unknown as boolean })).toThrow(HeapOptionError);
      // With overwrite: a new, empty heap in the same memory.
      const b = createHeap({ ...o, overwrite: true });
      expect(b.readMemStats().HeapObjects).toBe(0);
      b.free(b.malloc(8));
      b.checkInvariants();
      // Memory holding no heap (zeroed, or other data) is formatted as before.
      const c = make();
      const raw = "buffer" in c ? c.buffer! : "sab" in c ? c.sab! : c.wasmMemory!.buffer;
      new Uint32Array(raw).fill(0x4d4d4f47); // even the os-mem header's magic everywhere
      expect(() => createHeap(c).checkInvariants()).not.toThrow();
    }
  });
});

describe("the inline span lookup by 32-bit shifts (Heap.intAddr)", () => {
  it("finds spans of objects above 2^31 as the plain-number path does", () => {
    // A 32-bit address space that starts above 2^31: every object's address has bit 31 set, where
    // `p >> k` would go negative and `p >>> k` must be used.
    const sys = new SimSysMemory({ heapAddrBits: 32, addressSpaceStart: 0x90000000 });
    const heap = createHeap({ memory: sys, profile: getProfile("1.26", "linux", "386") });
    expect(heap.intAddr).toBe(true);
    const xs: number[] = [];
    for (let i = 0; i < 5000; i++) xs.push(heap.malloc(1 + ((i * 37) % 3000)));
    expect(Math.min(...xs)).toBeGreaterThan(2 ** 31);
    for (let i = 0; i < xs.length; i += 97) {
      expect(heap.spanWord(xs[i]!)).toBe((heap.h.spanOf(xs[i]!) - heap.v.base) / 4);
      expect(heap.usableSize(xs[i]!)).toBeGreaterThanOrEqual(1 + ((i * 37) % 3000));
    }
    for (const x of xs) heap.free(x);
    expect(() => heap.free(xs[5]!)).toThrow(DoubleFreeError);
    heap.checkInvariants();
    // A 48-bit simulated heap has an arena base offset: the plain-number path.
    expect(createHeap({ simulated: "linux/amd64" }).intAddr).toBe(false);
  });
});

describe("template heaps (keeping V8's maps of the heap's handles alive)", () => {
  it("the first heap of each backend kind makes one template heap on memory of its own", () => {
    const kindOf = [
      "sim-linux/amd64",
      "sim-linux/386",
      "ab-resizable",
      "ab-fixed",
      "wasm",
      "wasm-shared",
      "sab-growable",
      "sab-fixed",
      "sab-growable",
    ];
    heapBackends.forEach((b, i) => {
      const heap = createHeap(b.opts());
      const t = templateHeaps().get(kindOf[i]!);
      expect(t, b.name).toBeInstanceOf(Heap);
      expect(t!.sys).not.toBe(heap.sys);
      expect(t!.sys.constructor).toBe(heap.sys.constructor);
      expect(heap.readMemStats()).toMatchObject({ Mallocs: 0, Frees: 0, HeapAlloc: 0 });
      // Its tiny, small and large object, all freed; the tiny block stays held by the mcache.
      expect(t!.readMemStats()).toMatchObject({ Mallocs: 3, Frees: 2, HeapAlloc: 16 });
      t!.checkInvariants();
    });
    const before = templateHeaps().size;
    for (const b of heapBackends) createHeap(b.opts());
    // A heap over a caller's SysMemory has no template.
    createHeap({ memory: new SimSysMemory({ addressSpaceEnd: 2 ** 47 }) });
    expect(templateHeaps().size).toBe(before);
  });
});

describe("a non-shared wasm memory replaces its arrays when it grows", () => {
  it("a span set's spine lock survives a growth inside spine growth (regression)", () => {
    const heap = createHeap({ wasmMemory: new WebAssembly.Memory({ initial: 1, maximum: 4096 }), maximumPages: 4096 });
    let seed = 7;
    const rnd = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      return seed;
    };
    const live: number[] = [];
    for (let i = 0; i < 200000; i++) {
      live.push(heap.malloc(1 + (rnd() % (1 << (rnd() % 15)))));
      if (live.length > 3000) {
        const k = rnd() % live.length;
        heap.free(live[k]!);
        live[k] = live[live.length - 1]!;
        live.pop();
      }
    }
    for (const p of live) heap.free(p);
    heap.freeCycle();
    heap.checkInvariants();
    expect(heap.readMemStats()).toMatchObject({ HeapAlloc: 0, Mallocs: 200000, Frees: 200000 });
  });
});

describe("attachHeap: a second handle sees the same heap", () => {
  it("over a SharedArrayBuffer: stats, objects and Ps are shared", () => {
    const a = createHeap({ growableSab: { maxByteLength: 64 << 20 }, numPs: 2 });
    const p = a.malloc(100);
    a.fill(p, 100, 7);
    const sys = SabSysMemory.attach((a.sys as SabSysMemory).sab);
    const b = attachHeap(sys);
    expect(b.readMemStats()).toEqual(a.readMemStats());
    expect(b.usableSize(p)).toBe(112);
    expect(b.view(p, 100).every((x) => x === 7)).toBe(true);
    expect(() => b.malloc(10)).toThrow(NoProcessorError);
    const c = attachHeap(sys, { p: "any" });
    expect(c.p).toBe(1);
    const q = c.malloc(100);
    expect(q).not.toBe(p);
    expect(() => attachHeap(sys, { p: "any" })).toThrow(NoProcessorError);
    c.free(q);
    c.close();
    expect(attachHeap(sys, { p: "any" }).p).toBe(1);
    a.checkInvariants();
  });
  it("a handle over the same non-shared memory, and typed errors for memory without a heap", () => {
    const a = flat();
    const p = a.malloc(5000);
    const b = attachHeap(a.sys, { p: 0 }); // takes P 0 over (e.g. after a structured clone)
    b.free(p);
    expect(a.readMemStats().HeapAlloc).toBe(0);
    expect(() => attachHeap(ArrayBufferSysMemory.create(new ArrayBuffer(1 << 20)))).toThrow(HeapAttachError);
    expect(() => attachHeap(a.sys, { p: 5 })).toThrow(HeapOptionError);
  });
});

describe("Go's malloc.go details", () => {
  it("size 0 returns one shared zerobase; freeing it is a no-op; its usable size is 0", () => {
    const heap = flat();
    const z = heap.malloc(0);
    expect(heap.malloc(0)).toBe(z);
    expect(z).toBe(heap.zerobase);
    heap.free(z);
    heap.free(0);
    expect(heap.usableSize(z)).toBe(0);
    expect(heap.readMemStats().Mallocs).toBe(0);
  });
  it("tiny objects align to 8, 4 or 2 by size and pack into 16-byte blocks", () => {
    const heap = flat();
    const a = heap.malloc(1);
    const b = heap.malloc(2); // 2-aligned
    const c = heap.malloc(4); // 4-aligned
    const d = heap.malloc(8); // 8-aligned: a new block
    expect([b - a, c - a]).toEqual([2, 4]);
    expect(d % 8).toBe(0);
    expect(a % 16).toBe(0);
    expect(Math.floor(c / 16)).toBe(Math.floor(a / 16));
    heap.checkInvariants();
  });
  it("12-byte tiny objects align to 8 on 32-bit profiles, 4 on 64-bit ones (Go issue 37262)", () => {
    for (const [pair, align] of [
      ["linux/386", 8],
      ["linux/amd64", 4],
    ] as const) {
      const heap = createHeap({ simulated: pair });
      const a = heap.malloc(1);
      const b = heap.malloc(12);
      if (align === 4) expect(b - a).toBe(4);
      else expect([b % 16, Math.floor(b / 16) === Math.floor(a / 16)]).toEqual([0, false]); // no room at 8: a new block
    }
  });
  it("a tiny block returns when all its objects are freed and the mcache let go of it", () => {
    const heap = flat();
    const xs = [heap.malloc(3), heap.malloc(3), heap.malloc(3)];
    const block = Math.floor(xs[0]! / 16) * 16;
    expect(xs.every((x) => Math.floor(x / 16) * 16 === block)).toBe(true);
    for (const x of xs) heap.free(x);
    // Still held by the mcache: the block is allocated until it moves on.
    expect(heap.readMemStats().HeapAlloc).toBe(16);
    heap.malloc(8); // 8-aligned: a new block with more room left, so the mcache moves on
    heap.checkInvariants();
    expect(heap.readMemStats().HeapObjects).toBe(1);
  });
  it.each(heapBackends)(
    "$name: a tiny block whose objects were all freed is the next new block, with no sweep",
    (b) => {
      const heap = createHeap(b.opts());
      const a = heap.malloc(12); // block A, filled to 12
      const held = heap.malloc(8); // no room in A: block B, which leaves more room and becomes the held block
      expect(Math.floor(held / 16)).not.toBe(Math.floor(a / 16));
      heap.view(a, 16).fill(0xa5);
      heap.free(a); // A's last object, and A is not held: A is freed and goes on the tiny-block reuse stack
      const filler = heap.malloc(8); // packed beside held: B is full
      expect(filler).toBe(held + 8);
      const before = heap.readMemStats();
      const c = heap.malloc(12); // no room in B, and a new block leaves more: a new held block, A again
      expect(c).toBe(a);
      expect(heap.usableSize(c)).toBe(12); // the block's only object: it runs to the fill mark
      expect(heap.view(c, 12)[0]).toBe(0xa5); // malloc hands the block out as it is (A's old bytes)
      const after = heap.readMemStats();
      expect(after.NumGC).toBe(before.NumGC);
      expect(after.HeapAlloc - before.HeapAlloc).toBe(16); // one 16-byte block more in use
      expect(after.Mallocs - before.Mallocs).toBe(1);
      expect(() => heap.free(a + 4)).toThrow(); // not an object start in the reused block
      heap.free(c);
      expect(() => heap.free(c)).toThrow(DoubleFreeError);
      heap.free(held);
      heap.free(filler);
      heap.checkInvariants();
    },
  );
  it.each(heapBackends)(
    "$name: a new tiny block that would not become the held one is a 16-byte object of Go's tinySpanClass",
    (b) => {
      const heap = createHeap(b.opts());
      const a = heap.malloc(12); // block A, held, filled to 12
      const before = heap.readMemStats();
      const x = heap.malloc(13); // no room in A, and a new block would leave less: Go keeps A
      expect(x % 16).toBe(0);
      expect(heap.usableSize(x)).toBe(16); // nothing is ever packed beside it
      const after = heap.readMemStats();
      expect(after.HeapAlloc - before.HeapAlloc).toBe(16);
      expect(after.Mallocs - before.Mallocs).toBe(1);
      expect(heap.malloc(3)).toBe(a + 12); // A is still the held block
      expect(() => heap.free(x + 4)).toThrow(InteriorPointerError);
      heap.free(x);
      expect(() => heap.free(x)).toThrow(DoubleFreeError);
      expect(heap.malloc(16)).toBe(x); // a 16-byte object: the class's reuse stack gives it back
      heap.checkInvariants();
    },
  );
  it("usableSize of a tiny object runs to the next object or the block's fill mark", () => {
    const heap = flat();
    const a = heap.malloc(1);
    const b = heap.malloc(4); // at +4: a's usable size is 4
    expect(heap.usableSize(a)).toBe(4);
    expect(heap.usableSize(b)).toBe(4);
    heap.free(b);
    expect(heap.usableSize(a)).toBe(4); // b's start is still a boundary
  });
  it("mallocArray and calloc reject overflow and sizes over maxAlloc; large sizes check page overflow", () => {
    const heap = flat();
    expect(() => heap.mallocArray(2 ** 31, 2 ** 31)).toThrow(BadSizeError);
    expect(() => heap.mallocArray(2 ** 20, 2 ** 13)).toThrow(BadSizeError); // 8 GiB > maxAlloc on wasm
    expect(() => heap.calloc(-1, 8)).toThrow(BadSizeError);
    expect(() => heap.malloc(2 ** 32 + 1)).toThrow(BadSizeError);
    const h386 = createHeap({ simulated: "linux/386" });
    expect(h386.maxAlloc).toBe(2 ** 32 - 1);
    expect(h386.tryMalloc(2 ** 32 - 100)).toBe(0); // size + pageSize overflows a 32-bit uintptr
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "8" as unknown as number]) {
      expect(() => heap.malloc(bad)).toThrow(BadSizeError);
    }
    const p = heap.mallocArray(10, 12);
    expect(heap.usableSize(p)).toBe(128);
  });
});

describe("zeroing: needzero only where memory may be dirty", () => {
  it("fresh memory is zero; reused memory is zeroed by calloc and { zero: true } only", () => {
    const heap = flat();
    const a = heap.malloc(256);
    heap.malloc(256); // keeps the span in use across cycles
    expect(heap.view(a, 256).every((x) => x === 0)).toBe(true);
    heap.fill(a, 256, 0xee);
    heap.free(a);
    heap.freeCycle();
    const b = heap.malloc(256);
    expect(b).toBe(a);
    expect(heap.view(b, 256).every((x) => x === 0xee)).toBe(true); // malloc: uninitialised, like C
    heap.free(b);
    heap.freeCycle();
    const c = heap.calloc(1, 256);
    expect(c).toBe(a);
    expect(heap.view(c, 256).every((x) => x === 0)).toBe(true);
    // 25 pages: past the page cache (Go's npages < 16), so first fit gives the same pages back.
    const big = heap.malloc(200000);
    heap.fill(big, 200000, 1);
    heap.free(big);
    const big2 = heap.malloc(200000, { zero: true });
    expect(big2).toBe(big);
    expect(heap.view(big2, 200000).every((x) => x === 0)).toBe(true);
  });
});

describe("calloc follows Go's needzero", () => {
  it("trusts a clean span's never-used slots, and clears every slot once an object of the span was reused", () => {
    const heap = flat();
    const a = heap.malloc(64); // a fresh span: its pages came zeroed (needzero 0)
    // Bytes written into the next slot, never handed out (no program may do this; it shows what
    // calloc trusts): calloc takes that slot and, as Go, does not clear fresh memory.
    heap.fill(a + 64, 64, 0xab);
    const b = heap.calloc(1, 64);
    expect(b).toBe(a + 64);
    expect(heap.view(b, 64).every((x) => x === 0xab)).toBe(true);
    heap.free(a);
    expect(heap.malloc(64)).toBe(a); // taken back off the reuse stack: a freed object, dirty
    heap.fill(b + 64, 64, 0xcd); // the next never-used slot again
    const c = heap.calloc(1, 64);
    expect(c).toBe(b + 64);
    expect(heap.view(c, 64).every((x) => x === 0)).toBe(true); // the span needs zeroing from now on
    for (const p of [a, b, c]) heap.free(p);
    heap.checkInvariants();
  });
});

describe("calloc and { zero: true } through the fast paths", () => {
  // A slot freed a moment ago comes straight back from the P's reuse stack, dirty: both must clear
  // it, on a flat buffer (one view from 0) and on the simulated backend (views per arena).
  for (const [name, make] of [
    ["flat", flat],
    ["simulated linux/amd64", () => createHeap({ simulated: "linux/amd64" })],
  ] as const) {
    it(`${name}: every size from 1 to 2048 and the largest small ones`, () => {
      const heap = make();
      const sizes = [...Array.from({ length: 2048 }, (_, i) => i + 1), 16384, 32768];
      for (const size of sizes) {
        for (const how of ["calloc", "zero"] as const) {
          const keep = heap.malloc(size); // keeps the span in use
          const a = heap.malloc(size);
          heap.fill(a, size, 0xee);
          heap.free(a);
          const b = how === "calloc" ? heap.calloc(1, size) : heap.malloc(size, { zero: true });
          const got = heap.view(b, size);
          if (!got.every((x) => x === 0)) throw new Error(`${how}(${size}) at 0x${b.toString(16)} is not zero`);
          if (size >= 16) expect(b).toBe(a); // the reuse stack gave the dirty slot back
          heap.free(b);
          heap.free(keep);
        }
      }
      expect(heap.calloc(3, 5)).not.toBe(0); // 15 bytes: tiny
      heap.checkInvariants();
    });
    it(`${name}: a tiny block or slot back from a reuse stack holds its last life's bytes; both clear the object`, () => {
      for (const how of ["calloc", "zero"] as const) {
        const heap = make();
        const a = heap.malloc(12); // block A, held, filled to 12
        const held = heap.malloc(8); // no room in A: block B becomes the held one
        const filler = heap.malloc(8); // B is full
        heap.fill(a, 12, 0xee);
        heap.free(a); // A has no live object and no holder: freed, on the tiny-block reuse stack
        const b = how === "calloc" ? heap.calloc(1, 12) : heap.malloc(12, { zero: true });
        expect(b).toBe(a); // a new held block: A, dirty
        if (!heap.view(b, 12).every((x) => x === 0)) throw new Error(`${how}(12) at 0x${b.toString(16)} is not zero`);
        const x = heap.malloc(13); // no room in A, which stays held: a 16-byte object
        heap.fill(x, 16, 0xee);
        heap.free(x);
        const y = how === "calloc" ? heap.calloc(1, 14) : heap.malloc(14, { zero: true });
        expect(y).toBe(x); // the 16-byte class's reuse stack: the same slot, dirty
        if (!heap.view(y, 14).every((v) => v === 0)) throw new Error(`${how}(14) at 0x${y.toString(16)} is not zero`);
        for (const p of [b, held, filler, y]) heap.free(p);
        heap.checkInvariants();
      }
    });
  }
});

describe("realloc", () => {
  it("shrinks in place while the object fills at least half its slot, and moves below that", () => {
    const heap = flat();
    const p = heap.malloc(256);
    heap.fill(p, 256, 7);
    expect(heap.realloc(p, 200)).toBe(p); // another class (208), but 200 ≥ 256 / 2
    expect(heap.realloc(p, 128)).toBe(p);
    expect(heap.usableSize(p)).toBe(256);
    const q = heap.realloc(p, 127); // under half: a 128-byte slot
    expect(q).not.toBe(p);
    expect(heap.usableSize(q)).toBe(128);
    expect(heap.view(q, 127).every((x) => x === 7)).toBe(true);
    heap.free(q);
    heap.checkInvariants();
  });
  it("stays in place within a size class, moves across classes keeping the bytes", () => {
    const heap = flat();
    const p = heap.malloc(100);
    heap.fill(p, 100, 9);
    expect(heap.realloc(p, 110)).toBe(p);
    const q = heap.realloc(p, 300);
    expect(q).not.toBe(p);
    expect(heap.view(q, 100).every((x) => x === 9)).toBe(true);
    expect(heap.usableSize(q)).toBeGreaterThanOrEqual(300);
    expect(() => heap.usableSize(p)).toThrow(); // p was freed
    expect(heap.realloc(0, 10)).toBeGreaterThan(0);
    expect(heap.realloc(q, 0)).toBe(heap.zerobase);
    heap.checkInvariants();
  });
  it("grows large objects in place when the next pages are free, shrinks them in place", () => {
    const heap = flat();
    const p = heap.malloc(40000);
    heap.fill(p, 40000, 3);
    const q = heap.realloc(p, 80000);
    expect(q).toBe(p);
    expect(heap.usableSize(q)).toBe(80 << 10);
    heap.checkInvariants();
    expect(heap.realloc(q, 50000)).toBe(p);
    expect(heap.usableSize(p)).toBe(56 << 10);
    expect(heap.view(p, 40000).every((x) => x === 3)).toBe(true);
    heap.checkInvariants();
    const blocker = heap.malloc(40000);
    expect(blocker).toBe(p + (56 << 10));
    const r = heap.realloc(p, 200000);
    expect(r).not.toBe(p);
    expect(heap.view(r, 40000).every((x) => x === 3)).toBe(true);
    heap.checkInvariants();
  });
  it("growth follows Go's growslice: double below 256 bytes, then 1.25x + 192", () => {
    expect(growCapacity(100, 101)).toBe(200);
    expect(growCapacity(100, 500)).toBe(500);
    expect(growCapacity(1024, 1025)).toBe(1024 + (1024 + 768) / 4);
  });
});

describe("memory access", () => {
  it("flat getters cover the whole buffer and follow growth; simulated heaps use view/read/write", () => {
    const heap = createHeap({
      wasmMemory: new WebAssembly.Memory({ initial: 1, maximum: 4096 }),
      maximumPages: 4096,
    });
    const p = heap.malloc(64);
    heap.u32[p / 4] = 0xdeadbeef;
    heap.f32[p / 4 + 1] = 1.5;
    heap.f64[p / 8 + 1] = 2.5;
    heap.dv.setUint16(p + 16, 513, true);
    const big = heap.malloc(64 << 20); // grows (and detaches) the memory
    expect(heap.u32[p / 4]).toBe(0xdeadbeef);
    expect(heap.f32[p / 4 + 1]).toBe(1.5);
    expect(heap.u16[(p + 16) / 2]).toBe(513);
    expect(heap.u8.length).toBeGreaterThan(big);
    expect(heap.i32[p / 4]).toBe(0xdeadbeef | 0);
    const sim = createHeap({ simulated: "linux/amd64" });
    expect(() => sim.u8).toThrow(MemoryAccessError);
    const q = sim.malloc(10);
    sim.write(q, new Uint8Array([1, 2, 3]));
    expect([...sim.view(q, 3)]).toEqual([1, 2, 3]);
    expect(() => sim.view(q, 1 << 30)).toThrow(MemoryAccessError);
    expect(() => sim.read(0x1000, new Uint8Array(4))).toThrow(MemoryFault);
    expect(sim.sys.statLoad(SysStat.heapInUse)).toBeGreaterThan(0);
  });
});
