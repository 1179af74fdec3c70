import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { checkSpan } from "../src/invariants.js";
import {
  countAlloc,
  divideByElemSize,
  isFree,
  nextFree,
  nextFreeFast,
  nextFreeIndex,
  objIndex,
} from "../src/mbitmap.js";
import { free, sweep, sweepEmpty, sweepFull, sweepPartial } from "../src/mgcsweep.js";
import { F_allocCacheHi, F_allocCacheLo, type MSpanTable } from "../src/mspan.js";
import { backends, newTable } from "./backends.js";

interface SpanVec {
  Class: number;
  Base: number;
  Npages: number;
  Nelems: number;
  Elemsize: number;
  DivMul: number;
  ObjIndex: Array<[number, number]>;
  Rounds: Array<{
    Freed: number[] | null;
    Nalloc: number;
    AfterSweep: [number, number, number, number, number];
    Steps: Array<[number, number, number, number, number]> | null;
  }>;
}

const vectors = JSON.parse(
  gunzipSync(readFileSync(new URL("./fixtures/go-span-vectors.json.gz", import.meta.url))).toString("utf8"),
) as { Geometry: { GoVersion: string }; Spans: SpanVec[] };

function state(t: MSpanTable, s: number): [number, number, number, number] {
  return [t.freeindex(s), t.getU32(s, F_allocCacheLo), t.getU32(s, F_allocCacheHi), t.allocCount(s)];
}

/** A span initialised for a size class of Go's table, as mheap.initSpan does. */
export function classSpan(t: MSpanTable, v: SpanVec): number {
  const s = t.allocSpan();
  t.init(s, v.Base, v.Npages);
  expect(t.initSpan(s, (v.Class << 1) | 1, v.Elemsize, v.DivMul, false, 0)).toBe(true);
  return s;
}

describe(`Go ${vectors.Geometry.GoVersion} mspan vectors: nextFreeFast, nextFreeIndex, refillAllocCache, countAlloc, sweep`, () => {
  it.each(backends)("every size class on $name memory", (b) => {
    const t = newTable(b);
    for (const v of vectors.Spans) {
      const s = classSpan(t, v);
      expect([t.nelems(s), t.elemsize(s), t.divMul(s), t.limit(s)]).toEqual([
        v.Nelems,
        v.Elemsize,
        v.DivMul,
        v.Base + v.Nelems * v.Elemsize,
      ]);
      checkSpan(t, s);
      for (const [off, idx] of v.ObjIndex) {
        expect(objIndex(t, s, v.Base + off), `objIndex(+${off})`).toBe(idx);
        expect(divideByElemSize(t, s, off)).toBe(idx);
      }
      v.Rounds.forEach((r, ri) => {
        if (r.Freed !== null) {
          for (const i of r.Freed) free(t, s, v.Base + i * v.Elemsize);
          checkSpan(t, s);
          const res = sweep(t, s);
          expect(res).toBe(r.Nalloc === 0 ? sweepEmpty : r.Nalloc === v.Nelems ? sweepFull : sweepPartial);
          expect(state(t, s), `round ${ri} after sweep`).toEqual(r.AfterSweep.slice(1));
          expect(t.allocCount(s)).toBe(r.Nalloc);
          checkSpan(t, s);
        }
        (r.Steps ?? []).forEach(([idx, ...st], k) => {
          const p = nextFree(t, s);
          expect(p === 0 ? -1 : (p - v.Base) / v.Elemsize, `round ${ri} step ${k}`).toBe(idx);
          expect(state(t, s), `round ${ri} step ${k}`).toEqual(st);
          checkSpan(t, s);
        });
      });
      t.init(s, 0, 0);
      t.freeSpan(s);
    }
  });
});

describe("nextFreeFast (the 64-object window rule)", () => {
  it("stops at each 64-object boundary and leaves the refill to nextFreeIndex", () => {
    const v = vectors.Spans[0]!; // 8-byte objects, 1024 per span
    const t = newTable();
    const s = classSpan(t, v);
    for (let i = 0; i < 63; i++) expect(nextFreeFast(t, s)).toBe(v.Base + i * 8);
    // Object 63 would end the window: the fast path declines, the slow path takes it and refills.
    expect(nextFreeFast(t, s)).toBe(0);
    expect(nextFreeIndex(t, s)).toBe(63);
    expect(t.freeindex(s)).toBe(64);
    expect([t.getU32(s, F_allocCacheLo), t.getU32(s, F_allocCacheHi)]).toEqual([0xffffffff, 0xffffffff]);
    expect(nextFreeFast(t, s)).toBe(v.Base + 64 * 8);
  });
  it("isFree and countAlloc follow allocation and sweep", () => {
    const v = vectors.Spans[4]!;
    const t = newTable();
    const s = classSpan(t, v);
    for (let i = 0; i < 10; i++) nextFree(t, s);
    expect(isFree(t, s, 9)).toBe(false);
    expect(isFree(t, s, 10)).toBe(true);
    free(t, s, v.Base + 3 * v.Elemsize);
    expect(isFree(t, s, 3)).toBe(false); // freed objects stay allocated until the sweep
    sweep(t, s);
    expect(isFree(t, s, 3)).toBe(true);
    expect(countAlloc(t, s)).toBe(0); // gcmarkBits is cleared after the sweep
    expect(t.allocCount(s)).toBe(9);
  });
});
