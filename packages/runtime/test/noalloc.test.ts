// The fast paths allocate no JS objects: a million mallocs and frees after
// warm-up, sampled by V8's allocation-sampling heap profiler with objects the
// young-generation GC collected included, leave well under a byte per
// operation (a boxed number or an object literal per call would leave 12 to
// 16+). Tiny, small and the several-P (atomic) branches; addresses kept in a
// Float64Array, as users do. Not timed.
import { Session } from "node:inspector/promises";
import { describe, expect, it } from "vitest";
import { type CreateHeapOptions, createHeap, type Heap } from "../src/index.js";

const OPS = 1_000_000;

/** xorshift32 with its state in a typed array (a closure variable over 2^30 would itself be boxed). */
function rng(seed: number): () => number {
  const st = new Uint32Array([seed]);
  return () => {
    let s = st[0]!;
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    st[0] = s;
    return s >>> 0;
  };
}

function churn(heap: Heap, slots: Float64Array, r: () => number, ops: number, lo: number, span: number): void {
  const mask = slots.length - 1;
  for (let i = 0; i < ops; i++) {
    const x = r();
    const k = x & mask;
    const p = slots[k]!;
    if (p !== 0) {
      heap.free(p);
      slots[k] = 0;
    } else {
      slots[k] = heap.malloc(lo + ((x >>> 10) % span));
    }
  }
}

/** Bytes of JS heap allocated per operation while `run` runs, garbage included. */
async function bytesPerOp(run: () => void, ops: number): Promise<number> {
  const s = new Session();
  s.connect();
  try {
    await s.post("HeapProfiler.enable");
    await s.post("HeapProfiler.startSampling", {
      samplingInterval: 256,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    run();
    const { profile } = await s.post("HeapProfiler.stopSampling");
    let bytes = 0;
    const walk = (n: { selfSize: number; children: unknown[] }): void => {
      bytes += n.selfSize;
      for (const c of n.children) walk(c as typeof n);
    };
    walk(profile.head as never);
    return bytes / ops;
  } finally {
    s.disconnect();
  }
}

const cases: Array<{ name: string; opts: () => CreateHeapOptions; lo: number; span: number }> = [
  {
    name: "ArrayBuffer, 16–256 B",
    opts: () => ({ buffer: new ArrayBuffer(0, { maxByteLength: 64 << 20 }) }),
    lo: 16,
    span: 241,
  },
  {
    name: "ArrayBuffer, tiny 1–15 B",
    opts: () => ({ buffer: new ArrayBuffer(0, { maxByteLength: 64 << 20 }) }),
    lo: 1,
    span: 15,
  },
  {
    name: "SharedArrayBuffer with 2 Ps, 8–256 B",
    opts: () => ({ growableSab: { maxByteLength: 64 << 20 }, numPs: 2 }),
    lo: 8,
    span: 249,
  },
];

describe("malloc and free allocate no JS objects", () => {
  for (const c of cases) {
    it(c.name, async () => {
      const heap = createHeap(c.opts());
      const slots = new Float64Array(1024);
      const r = rng(12345);
      churn(heap, slots, r, 2 * OPS, c.lo, c.span); // warm-up: optimised code, spans in place
      const perOp = await bytesPerOp(() => churn(heap, slots, r, OPS, c.lo, c.span), OPS);
      expect(perOp).toBeLessThan(1);
      for (const p of slots) if (p !== 0) heap.free(p);
      heap.checkInvariants();
    });
  }
});
