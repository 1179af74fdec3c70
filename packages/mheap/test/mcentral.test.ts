// mcentral (cacheSpan / uncacheSpan / grow) and the sweeper's free cycles,
// driven by a minimal mcache: random allocation, explicit free, cycles and
// sweeping, with the heap and mcentral invariants checked after every step.
import { getProfile, type Profile } from "@gomalloc/arch";
import { ArrayBufferSysMemory, SimSysMemory, type SysMemory, SysStat } from "@gomalloc/os-mem";
import { free, isFree, nextFree, objIndex } from "@gomalloc/span";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  cacheSpan,
  checkCentral,
  checkMHeap,
  finishSweep,
  freeCycleTrigger,
  fullSwept,
  MHeap,
  partialSwept,
  spanSetContents,
  startFreeCycle,
  sweepOwned,
  sweepone,
  uncacheSpan,
} from "../src/index.js";

const amd64 = getProfile("1.26", "linux", "amd64");
const wasm = getProfile("1.26", "js", "wasm");

/** A minimal mcache: one cached span per class, refilled as Go's mcache.refill does. */
class MiniCache {
  readonly alloc = new Map<number, number>();
  constructor(readonly h: MHeap) {}
  malloc(spc: number): number {
    const h = this.h;
    const t = h.spans;
    let s = this.alloc.get(spc) ?? 0;
    if (s !== 0) {
      const p = nextFree(t, s);
      if (p !== 0) return p;
      // The span is full: apply its frees in place if it has any (the runtime's refill does too).
      if (t.freedCount(s) > 0 && sweepOwned(h, s, 0) > 0) return nextFree(t, s);
      uncacheSpan(h, spc, s, 0);
      this.alloc.delete(spc);
    }
    s = cacheSpan(h, spc, null, true, 0);
    if (s === 0) return 0;
    t.setSweepgen(s, (h.sweepgen + 3) >>> 0);
    this.alloc.set(spc, s);
    return nextFree(t, s);
  }
  releaseAll(): void {
    for (const [spc, s] of this.alloc) uncacheSpan(this.h, spc, s, 0);
    this.alloc.clear();
  }
}

function make(p: Profile): { sys: SysMemory; h: MHeap } {
  const sys =
    p.goarch === "wasm"
      ? ArrayBufferSysMemory.create(new ArrayBuffer(0, { maxByteLength: 256 << 20 }))
      : new SimSysMemory({ addressSpaceEnd: 2 ** 47 });
  return { sys, h: MHeap.create(sys, { profile: p }) };
}

function check(h: MHeap, c: MiniCache): void {
  const inUse = checkMHeap(h);
  checkCentral(h, inUse, new Set(c.alloc.values()));
}

describe("mcentral.cacheSpan / uncacheSpan", () => {
  it("takes swept partial spans first, sweeps unswept ones, and grows last", () => {
    const { h } = make(amd64);
    const c = new MiniCache(h);
    const t = h.spans;
    const spc = (5 << 1) | 1; // 48-byte objects, 170 per span
    const objs: number[] = [];
    for (let i = 0; i < 170 * 3; i++) objs.push(c.malloc(spc));
    check(h, c);
    const sg = h.sweepgen;
    expect(spanSetContents(h, fullSwept(h, spc, sg)).length).toBe(2);
    // Free one object in the first span: it stays full until swept.
    const first = h.spanOfHeap(objs[0]!);
    free(t, first, objs[0]!);
    expect(t.freedCount(first)).toBe(1);
    check(h, c);
    // A free cycle makes every set unswept; cacheSpan sweeps the full one and uses it.
    c.releaseAll();
    startFreeCycle(h, 0);
    check(h, c);
    const pagesBefore = h.pagesInUse;
    const p = c.malloc(spc);
    expect(p).toBe(objs[0]);
    expect(h.pagesInUse).toBe(pagesBefore);
    expect(t.needzero(first)).toBe(true); // freed slots may be dirty
    check(h, c);
  });

  it("a stale span (cached across a cycle) is swept when it comes back", () => {
    const { h } = make(wasm);
    const c = new MiniCache(h);
    const t = h.spans;
    const spc = (2 << 1) | 1;
    const a = c.malloc(spc);
    const s = h.spanOfHeap(a);
    free(t, s, a);
    startFreeCycle(h, 0);
    expect(t.sweepgen(s)).toBe((h.sweepgen + 1) >>> 0);
    check(h, c);
    const pages = h.pagesInUse;
    c.releaseAll(); // uncacheSpan sweeps it: empty, so it goes back to the heap
    expect(h.pagesInUse).toBe(pages - 1);
    expect(t.state(s) === 1 && t.base(s) === h.spans.base(s) && h.spanOfHeap(a) === s).toBe(false);
    check(h, c);
  });
});

describe("free cycles (sweepone, finishSweep) against a model", () => {
  it.each([
    ["simulated linux/amd64", amd64],
    ["arraybuffer js/wasm", wasm],
  ] as const)("on %s: no live object is disturbed, empty spans return to the heap, memory is reused", (_, p) => {
    const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
    console.log(`mcentral model seed=${seed} (${p.pair})`);
    const classes = [1, 2, 5, 11, 24, 40, 55, 67].map((k) => (k << 1) | 1);
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant("alloc" as const), k: fc.nat(7), n: fc.integer({ min: 1, max: 300 }) }),
            fc.record({ op: fc.constant("free" as const), frac: fc.double({ min: 0, max: 1, noNaN: true }) }),
            fc.record({ op: fc.constantFrom("cycle" as const, "sweepone" as const, "finish" as const) }),
          ),
          { maxLength: 40 },
        ),
        (ops) => {
          const { sys, h } = make(p);
          const c = new MiniCache(h);
          const t = h.spans;
          const live = new Map<number, number>(); // address → span class
          for (const o of ops) {
            if (o.op === "alloc") {
              const spc = classes[o.k]!;
              for (let i = 0; i < o.n; i++) {
                const x = c.malloc(spc);
                expect(x).toBeGreaterThan(0);
                expect(live.has(x)).toBe(false);
                live.set(x, spc);
              }
            } else if (o.op === "free") {
              const keys = [...live.keys()];
              const n = Math.floor(keys.length * o.frac);
              for (let i = 0; i < n; i++) {
                const x = keys[(i * 7919) % keys.length]!;
                if (!live.has(x)) continue;
                free(t, h.spanOfHeap(x), x);
                live.delete(x);
              }
            } else if (o.op === "cycle") {
              // Go flushes every mcache at each cycle (prepareForSweep); a span
              // cached across two cycles would look like one being swept.
              startFreeCycle(h, 0);
              c.releaseAll();
            } else if (o.op === "sweepone") {
              sweepone(h, 0);
            } else {
              finishSweep(h, 0);
            }
            check(h, c);
            for (const [x, spc] of live) {
              const s = h.spanOfHeap(x);
              expect(t.spanclass(s)).toBe(spc);
              expect(isFree(t, s, objIndex(t, s, x))).toBe(false);
            }
          }
          // Free everything, run a cycle to its end: only cached spans stay in use.
          for (const x of live.keys()) free(t, h.spanOfHeap(x), x);
          c.releaseAll();
          startFreeCycle(h, 0);
          finishSweep(h, 0);
          check(h, c);
          expect(h.pagesInUse).toBe(0);
          expect(sys.statLoad(SysStat.heapInUse)).toBe(0);
        },
      ),
      { seed, numRuns: 12 },
    );
  });
});

describe("freeCycleTrigger (gomalloc's GOGC)", () => {
  it("is gcPercent% of the live heap, at least 4 MiB·gcPercent/100, and off below 0", () => {
    expect(freeCycleTrigger(100 << 20, 100)).toBe(100 << 20);
    expect(freeCycleTrigger(1 << 20, 100)).toBe(4 << 20);
    expect(freeCycleTrigger(100 << 20, 50)).toBe(50 << 20);
    expect(freeCycleTrigger(100 << 20, -1)).toBe(Number.POSITIVE_INFINITY);
  });
  it("partialSwept and fullSwept swap roles every cycle", () => {
    const { h } = make(amd64);
    const sg = h.sweepgen;
    expect(partialSwept(h, 3, sg + 2)).not.toBe(partialSwept(h, 3, sg));
    expect(partialSwept(h, 3, sg + 4)).toBe(partialSwept(h, 3, sg));
  });
});
