// Property test with several Ps on one shared heap (growable and fixed
// SharedArrayBuffers, shared WebAssembly.Memory), driven from one thread:
// random malloc/free/realloc through random handles, so that objects (tiny
// ones above all) are freed by Ps other than the one that allocated them,
// blocks are released while other Ps free into them, Ps detach and attach
// again, and handles vanish without detaching and have their P reclaimed by
// another, with calloc checked for zeroes after scavenges. Every object carries an id-derived pattern checked before it is
// freed; no two live objects overlap; the heap's invariants are checked after
// every step; stale frees from any P get typed errors and change nothing; at
// the end everything is freed and the heap is empty. Seeds are logged; replay
// with FC_SEED.
import { ArrayBufferSysMemory, SabSysMemory, type SysMemory, WasmSysMemory } from "@gomalloc/os-mem";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  attachHeap,
  type CreateHeapOptions,
  createHeap,
  DoubleFreeError,
  ForeignPointerError,
  type Heap,
  InteriorPointerError,
} from "../src/index.js";
import { patternByte, seedOf } from "./backends.js";

const NUM_PS = 3;

/** The typed errors a free of a stale address may give: freed, inside another object, or no object. */
function misuse(e: unknown): boolean {
  return e instanceof DoubleFreeError || e instanceof InteriorPointerError || e instanceof ForeignPointerError;
}

type Op =
  | { k: "malloc"; h: number; size: number }
  | { k: "calloc"; h: number; size: number }
  | { k: "scavenge"; h: number }
  | { k: "free"; h: number; pick: number }
  | { k: "realloc"; h: number; pick: number; size: number }
  | { k: "refree"; h: number; pick: number }
  | { k: "reattach"; h: number }
  | { k: "abandon"; h: number }
  | { k: "cycle"; h: number };

const hArb = fc.nat({ max: NUM_PS - 1 });
const sizeArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 15 }) },
  { weight: 3, arbitrary: fc.integer({ min: 16, max: 512 }) },
  { weight: 1, arbitrary: fc.integer({ min: 513, max: 40_000 }) },
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ k: fc.constant("malloc" as const), h: hArb, size: sizeArb }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant("calloc" as const), h: hArb, size: sizeArb }) },
  { weight: 9, arbitrary: fc.record({ k: fc.constant("free" as const), h: hArb, pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("scavenge" as const), h: hArb }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant("realloc" as const), h: hArb, pick: fc.nat(), size: sizeArb }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("refree" as const), h: hArb, pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("reattach" as const), h: hArb }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("abandon" as const), h: hArb }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("cycle" as const), h: hArb }) },
);

/** A backend several workers can share: how to make the heap's memory, and how another worker attaches to it. */
interface SharedBackend {
  name: string;
  opts: () => CreateHeapOptions;
  attach: (h: Heap) => SysMemory;
}

const sharedBackends: SharedBackend[] = [
  {
    name: "growable sab",
    opts: () => ({ growableSab: { maxByteLength: 256 << 20 } }),
    attach: (h) => SabSysMemory.attach((h.sys as SabSysMemory).sab),
  },
  {
    name: "sab fixed",
    opts: () => ({ sab: new SharedArrayBuffer(64 << 20) }),
    attach: (h) => SabSysMemory.attach((h.sys as SabSysMemory).sab),
  },
  {
    // One thread only, but several handles and Ps over one resizable ArrayBuffer work the same
    // way (plain stores: nothing runs concurrently).
    name: "arraybuffer resizable",
    opts: () => ({ buffer: new ArrayBuffer(0, { maxByteLength: 256 << 20 }) }),
    attach: (h) => ArrayBufferSysMemory.attach((h.sys as ArrayBufferSysMemory).arrayBuffer),
  },
  {
    name: "wasm memory (not shared)",
    opts: () => ({ wasmMemory: new WebAssembly.Memory({ initial: 1, maximum: 4096 }), maximumPages: 4096 }),
    attach: (h) => WasmSysMemory.attach((h.sys as WasmSysMemory).memory),
  },
  {
    name: "wasm memory shared",
    opts: () => ({
      wasmMemory: new WebAssembly.Memory({ initial: 1, maximum: 4096, shared: true }),
      maximumPages: 4096,
    }),
    attach: (h) => WasmSysMemory.attach((h.sys as WasmSysMemory).memory),
  },
];

interface Obj {
  id: number;
  size: number;
}

class Run {
  readonly hs: Heap[];
  readonly live = new Map<number, Obj>();
  /** Addresses freed so far (some may be live again). */
  readonly freed: number[] = [];
  private nextId = 1;
  constructor(readonly b: SharedBackend) {
    const a = createHeap({ ...b.opts(), numPs: NUM_PS, gcPercent: 10 });
    this.hs = [a];
    for (let i = 1; i < NUM_PS; i++) this.hs.push(attachHeap(b.attach(a), { p: "any" }));
  }

  private write(h: Heap, p: number, o: Obj): void {
    const u8 = h.u8;
    for (let i = 0; i < o.size; i++) u8[p + i] = patternByte(o.id, i);
  }

  private verify(h: Heap, p: number, o: Obj, n = o.size): void {
    const u8 = h.u8;
    for (let i = 0; i < n; i++)
      if (u8[p + i] !== patternByte(o.id, i))
        throw new Error(`object ${o.id} at 0x${p.toString(16)} byte ${i} changed`);
  }

  private add(h: Heap, p: number, size: number): void {
    for (const [q, o] of this.live)
      if (p < q + o.size && q < p + size)
        throw new Error(`new object [0x${p.toString(16)}, +${size}) overlaps object ${o.id} at 0x${q.toString(16)}`);
    expect(h.usableSize(p)).toBeGreaterThanOrEqual(size);
    const o = { id: this.nextId++, size };
    this.live.set(p, o);
    this.write(h, p, o);
  }

  private pick(n: number): number | undefined {
    const ps = [...this.live.keys()];
    return ps.length === 0 ? undefined : ps[n % ps.length];
  }

  step(op: Op): void {
    const h = this.hs[op.h]!;
    switch (op.k) {
      case "malloc":
        this.add(h, h.malloc(op.size), op.size);
        break;
      case "calloc": {
        // Zeroed whatever the memory held before: another P's freed object, or released pages.
        const p = h.calloc(1, op.size);
        const u8 = h.u8;
        for (let i = 0; i < op.size; i++)
          if (u8[p + i] !== 0) throw new Error(`calloc(${op.size}) at 0x${p.toString(16)}: byte ${i} is ${u8[p + i]}`);
        this.add(h, p, op.size);
        break;
      }
      case "scavenge":
        h.scavenge(0); // every free page back to the backend (accounted as released, re-zeroed on reuse)
        break;
      case "free": {
        const p = this.pick(op.pick);
        if (p === undefined) return;
        this.verify(h, p, this.live.get(p)!);
        h.free(p);
        this.live.delete(p);
        this.freed.push(p);
        break;
      }
      case "refree": {
        // Misuse from any P: free an address already freed that no live object starts at.
        // It must throw a typed error and change nothing (the invariants and patterns say so).
        const p = this.freed[op.pick % Math.max(1, this.freed.length)];
        if (p === undefined || this.live.has(p)) return;
        let err: unknown = null;
        try {
          h.free(p);
        } catch (e) {
          err = e;
        }
        if (!misuse(err))
          throw new Error(`free of stale 0x${p.toString(16)}: ${String(err)}, not a typed misuse error`);
        break;
      }
      case "realloc": {
        const p = this.pick(op.pick);
        if (p === undefined) return;
        const o = this.live.get(p)!;
        this.verify(h, p, o);
        this.live.delete(p);
        const q = h.realloc(p, op.size);
        if (q !== p) this.freed.push(p);
        this.verify(h, q, o, Math.min(o.size, op.size)); // the kept prefix moved with it
        this.add(h, q, op.size);
        break;
      }
      case "reattach": {
        // The P flushes its spans and tiny block; a new handle takes a P (maybe another one).
        const sys = this.b.attach(h);
        h.detach();
        this.hs[op.h] = attachHeap(sys, { p: "any" });
        break;
      }
      case "abandon": {
        // The handle goes away without detach (a worker that died); the next handle reclaims
        // its P under its token, and a new handle takes a P. Its objects stay live.
        const other = this.hs[(op.h + 1) % NUM_PS]!;
        const sys = this.b.attach(other);
        expect(other.reclaimP(h.p, h.token)).toBe(true);
        expect(other.reclaimP(h.p, h.token)).toBe(false); // idle now
        this.hs[op.h] = attachHeap(sys, { p: "any" });
        break;
      }
      case "cycle":
        h.freeCycle();
        break;
    }
  }

  /** Checks every live object's pattern. */
  verifyAll(): void {
    for (const [p, o] of this.live) this.verify(this.hs[0]!, p, o);
  }

  /** Frees what is left, lets every P go and checks the heap holds nothing. */
  drain(): void {
    for (const [p, o] of this.live) {
      this.verify(this.hs[0]!, p, o);
      this.hs[o.id % NUM_PS]!.free(p);
    }
    this.live.clear();
    const sys = this.b.attach(this.hs[0]!);
    for (const h of this.hs) h.detach();
    const last = attachHeap(sys, { p: "any" });
    last.freeCycle();
    last.checkInvariants();
    const ms = last.readMemStats();
    expect(ms.HeapObjects).toBe(0);
    expect(ms.HeapAlloc).toBe(0);
    expect(ms.Mallocs).toBe(ms.Frees);
  }
}

describe(`random malloc/free/realloc from ${NUM_PS} Ps on one heap, every step checked`, () => {
  for (const b of sharedBackends) {
    it(`on ${b.name}: objects freed by other Ps, blocks released under them, stale frees, Ps detached and attached again`, () => {
      const seed = seedOf();
      console.log(`multi-P property (${b.name}) seed=${seed}`);
      fc.assert(
        fc.property(fc.array(opArb, { maxLength: 160 }), (ops) => {
          const run = new Run(b);
          for (const op of ops) {
            run.step(op);
            run.hs[0]!.checkInvariants();
            run.verifyAll();
          }
          run.drain();
        }),
        { seed, numRuns: 25 },
      );
    });
  }
});
