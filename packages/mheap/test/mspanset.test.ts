// Go's spanSet: push/pop against a multiset model across blocks and spine
// growth, reset rules, block reuse, and the overflow list when metadata
// memory runs out.
import { getProfile } from "@gomalloc/arch";
import { ArrayBufferSysMemory, RuntimeThrow, SimSysMemory, SysStat } from "@gomalloc/os-mem";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  MHeap,
  spanSetBytes,
  spanSetContents,
  spanSetInit,
  spanSetLen,
  spanSetPop,
  spanSetPush,
  spanSetReset,
} from "../src/index.js";

const amd64 = getProfile("1.26", "linux", "amd64");
const wasm = getProfile("1.26", "js", "wasm");

function setup(flat = false) {
  const sys = flat
    ? ArrayBufferSysMemory.create(new ArrayBuffer(0, { maxByteLength: 64 << 20 }))
    : new SimSysMemory({ addressSpaceEnd: 2 ** 47 });
  const h = MHeap.create(sys, { profile: flat ? wasm : amd64 });
  const set = h.spanAlloc.allocMeta(spanSetBytes, 8, SysStat.gcMiscSys);
  spanSetInit(h, set);
  const spans: number[] = [];
  const span = (i: number) => {
    while (spans.length <= i) spans.push(h.spans.allocSpan());
    return spans[i]!;
  };
  return { sys, h, set, span };
}

describe("spanSet push/pop (Go's TestSpanSet-like model)", () => {
  it("pop returns exactly the pushed spans, FIFO, across block boundaries", () => {
    const { h, set, span } = setup();
    for (let i = 0; i < 1500; i++) spanSetPush(h, set, span(i));
    expect(spanSetLen(h, set)).toBe(1500);
    for (let i = 0; i < 1500; i++) expect(spanSetPop(h, set)).toBe(span(i));
    expect(spanSetPop(h, set)).toBe(0);
    spanSetReset(h, set);
    expect(spanSetLen(h, set)).toBe(0);
    // Freed blocks come back from the pool.
    for (let i = 0; i < 600; i++) spanSetPush(h, set, span(i));
    expect(spanSetContents(h, set)).toEqual(Array.from({ length: 600 }, (_, i) => span(i)));
  });

  it("random push/pop/reset sequences agree with a model (seed logged)", () => {
    const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
    console.log(`spanSet model seed=${seed}`);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom("push", "pop", "reset"), fc.nat(2000)), { maxLength: 400 }),
        (ops) => {
          const { h, set, span } = setup(true);
          const model: number[] = [];
          let next = 0;
          for (const [op, k] of ops) {
            if (op === "push") {
              for (let j = 0; j < (k % 700) + 1; j++) {
                const s = span(next++ % 3000);
                spanSetPush(h, set, s);
                model.push(s);
              }
            } else if (op === "pop") {
              for (let j = 0; j < (k % 700) + 1; j++) {
                const s = spanSetPop(h, set);
                expect(s).toBe(model.length === 0 ? 0 : model.shift());
              }
            } else if (model.length === 0) {
              spanSetReset(h, set);
            } else {
              expect(() => spanSetReset(h, set)).toThrow(RuntimeThrow);
            }
            expect(spanSetContents(h, set)).toEqual(model);
          }
        },
      ),
      { seed, numRuns: 20 },
    );
  });

  it("the spine grows past spanSetInitSpineCap blocks", () => {
    const { h, set, span } = setup(true);
    const s = span(0);
    const n = 256 * 512 + 3;
    for (let i = 0; i < n; i++) spanSetPush(h, set, s);
    expect(spanSetLen(h, set)).toBe(n);
    let k = 0;
    while (spanSetPop(h, set) === s) k++;
    expect(k).toBe(n);
  });

  it("a push that cannot get a block parks the span on the overflow list; pop still finds it", () => {
    const { sys, h, set, span } = setup(true);
    for (let i = 0; i < 512; i++) spanSetPush(h, set, span(i));
    const extra = span(600);
    sys.faults.refuseNextReserve(1e6);
    for (const n of [4096, 8]) while (h.spanAlloc.allocMeta(n, 8, SysStat.other_sys) !== 0) {} // drain the chunk
    spanSetPush(h, set, extra);
    sys.faults.clear();
    expect(h.v.getF64(set + spanSetBytes - 16)).toBe(extra); // on the overflow list
    expect(spanSetLen(h, set)).toBe(513);
    const got: number[] = [];
    for (let s = spanSetPop(h, set); s !== 0; s = spanSetPop(h, set)) got.push(s);
    expect(got.length).toBe(513);
    expect(got[512]).toBe(extra);
    spanSetReset(h, set);
    // The next push grows normally.
    spanSetPush(h, set, extra);
    expect(spanSetPop(h, set)).toBe(extra);
  });
});
