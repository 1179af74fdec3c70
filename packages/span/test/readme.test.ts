// The README's usage example, run as written.
import { SimSysMemory } from "@gomalloc/os-mem";
import { expect, it } from "vitest";
import {
  checkSpan,
  type DoubleFreeError,
  free,
  MSpanTable,
  nextFree,
  nextFreeFast,
  objIndex,
  SpanAlloc,
  sweep,
  sweepPartial,
} from "../src/index.js";

it("README: a span of 48-byte objects, explicit free and sweep", () => {
  // --- README ---
  const sys = new SimSysMemory({ addressSpaceEnd: 2 ** 47 });
  const spans = new MSpanTable(SpanAlloc.create(sys)); // records + bitmaps in managed memory

  // A span for size class 5 (48 B objects, 1 page), as mheap.initSpan makes it.
  const s = spans.allocSpan();
  spans.init(s, 0xc000000000, 1); // its pages (from the page allocator)
  spans.initSpan(s, (5 << 1) | 1, 48, Math.floor(0xffffffff / 48) + 1, true, 0);
  spans.nelems(s); // 170

  // malloc's fast path, then the slow path at each 64-object window.
  const p = nextFreeFast(spans, s) || nextFree(spans, s); // 0xc000000000
  const q = nextFree(spans, s); // 0xc000000030
  objIndex(spans, s, q + 7); // 1

  // free records the object (an atomic OR when memory is shared); sweep applies it.
  free(spans, s, p);
  let tag = "";
  try {
    free(spans, s, p);
  } catch (e) {
    tag = (e as DoubleFreeError)._tag; // "DoubleFreeError": the span is unchanged
  }
  sweep(spans, s); // sweepPartial: q is still allocated
  nextFree(spans, s); // p again: allocation restarts from object 0
  checkSpan(spans, s); // S1–S9 hold
  // --- end ---
  expect([p, q, objIndex(spans, s, q + 7), spans.nelems(s), spans.allocCount(s)]).toEqual([
    0xc000000000, 0xc000000030, 1, 170, 2,
  ]);
  expect(tag).toBe("DoubleFreeError");
  expect(() => free(spans, s, q + 1)).toThrow();
  expect(sweepPartial).toBe(1);
});
