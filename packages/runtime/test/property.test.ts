// Property tests on every backend: random malloc/calloc/free/realloc of tiny,
// small and large sizes against a shadow model (patterns derived from each
// object's id checked before it is freed, no overlap, MemStats as the model
// predicts), with the heap's invariants checked after every step on short
// runs and periodically on long ones. Seeds are logged; replay with FC_SEED.
import fc from "fast-check";
import { describe, it } from "vitest";
import { createHeap } from "../src/index.js";
import { heapBackends, seedOf } from "./backends.js";
import { HeapModel } from "./model.js";

type Op =
  | { k: "malloc"; size: number; zero: boolean }
  | { k: "free"; pick: number }
  | { k: "realloc"; pick: number; size: number }
  | { k: "cycle" };

const sizeArb = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 15 }) },
  { weight: 6, arbitrary: fc.integer({ min: 16, max: 1024 }) },
  { weight: 2, arbitrary: fc.integer({ min: 1025, max: 32768 }) },
  { weight: 1, arbitrary: fc.integer({ min: 32769, max: 300_000 }) },
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ k: fc.constant("malloc" as const), size: sizeArb, zero: fc.boolean() }) },
  { weight: 8, arbitrary: fc.record({ k: fc.constant("free" as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant("realloc" as const), pick: fc.nat(), size: sizeArb }) },
  { weight: 1, arbitrary: fc.constant({ k: "cycle" as const }) },
);

function run(model: HeapModel, op: Op): void {
  const objs = model.objects();
  switch (op.k) {
    case "malloc":
      model.malloc(op.size, op.zero);
      break;
    case "free":
      if (objs.length > 0) model.free(objs[op.pick % objs.length]!);
      break;
    case "realloc":
      if (objs.length > 0) model.realloc(objs[op.pick % objs.length]!, op.size);
      break;
    case "cycle":
      model.cycle();
      break;
  }
}

describe("random malloc/free/realloc against a shadow model, every step checked", () => {
  for (const b of heapBackends) {
    it(`on ${b.name}`, () => {
      const seed = seedOf();
      console.log(`property (${b.name}) seed=${seed}`);
      fc.assert(
        fc.property(fc.array(opArb, { maxLength: 120 }), (ops) => {
          const heap = createHeap({ ...b.opts(), gcPercent: 10 });
          const model = new HeapModel(heap);
          for (const op of ops) {
            run(model, op);
            model.check();
            heap.checkInvariants();
          }
        }),
        { seed, numRuns: 6 },
      );
    });
  }
});

describe("a long churn with a Go-like mix of sizes and lifetimes", () => {
  it.each([heapBackends[0]!, heapBackends[2]!, heapBackends[6]!])("on $name", (b) => {
    const seed = seedOf();
    console.log(`long churn (${b.name}) seed=${seed}`);
    const heap = createHeap(b.opts());
    const model = new HeapModel(heap);
    const rnd = fc.sample(fc.tuple(opArb, fc.nat()), { seed, numRuns: 4000 });
    let step = 0;
    for (const [op] of rnd) {
      // Geometric lifetimes: free about as often as we allocate once 300 objects live.
      if (op.k === "malloc" && model.live.size > 300) run(model, { k: "free", pick: step * 7919 });
      run(model, op.k === "cycle" ? { k: "malloc", size: 48, zero: false } : op);
      if (++step % 250 === 0) {
        model.check();
        heap.checkInvariants();
      }
    }
    for (const o of model.objects()) model.free(o);
    model.cycle();
    model.check();
    heap.checkInvariants();
  });
});
