import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { DoubleFreeError, ForeignPointerError, InteriorPointerError } from "../src/errors.js";
import { checkSpan } from "../src/invariants.js";
import { nextFree } from "../src/mbitmap.js";
import { free, sweep, sweepEmpty, sweepFull, sweepPartial } from "../src/mgcsweep.js";
import { F_allocBits, F_bitsLog, F_gcmarkBits, type MSpanTable, mSpanDead, mspanBytes } from "../src/mspan.js";
import { backends, newTable } from "./backends.js";

// A few of Go's size classes: (elemsize, npages).
const CLASSES: Array<[number, number]> = [
  [8, 1],
  [48, 1],
  [112, 1],
  [128, 1],
  [1152, 1],
  [1408, 2],
  [3072, 3],
  [6784, 5],
  [27264, 10],
];
const BASE = 0xc000000000;

function makeSpan(t: MSpanTable, elemsize: number, npages: number, sizeclass = 5): number {
  const s = t.allocSpan();
  t.init(s, BASE, npages);
  expect(t.initSpan(s, (sizeclass << 1) | 1, elemsize, Math.floor(0xffffffff / elemsize) + 1, true, 0)).toBe(true);
  return s;
}

/** Bytes of the record and its bitmap block, to prove a failed call changed nothing. */
function snapshot(t: MSpanTable, s: number): number[] {
  const r = Array.from(t.v.u8.subarray(s - t.v.base, s - t.v.base + mspanBytes));
  const b = 4 * Math.min(t.getU32(s, F_allocBits), t.getU32(s, F_gcmarkBits));
  return r.concat(Array.from(t.v.u8.subarray(b, b + 4 * t.bitmapBytes(s))));
}

type Op =
  | { k: "alloc" }
  | { k: "free"; pick: number; remote: boolean }
  | { k: "sweep" }
  | { k: "bad"; off: number; remote: boolean };
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ k: "alloc" as const }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant("free" as const), pick: fc.nat(), remote: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ k: "sweep" as const }) },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant("bad" as const),
      off: fc.integer({ min: -100000, max: 400000 }),
      remote: fc.boolean(),
    }),
  },
);

function runModel(t: MSpanTable, cls: [number, number], ops: Op[]): void {
  const [elemsize, npages] = cls;
  const s = makeSpan(t, elemsize, npages);
  const nelems = Math.floor((npages * 8192) / elemsize);
  const allocated = new Set<number>();
  const freed = new Set<number>();
  for (const op of ops) {
    switch (op.k) {
      case "alloc": {
        const p = nextFree(t, s);
        let want = -1;
        for (let i = 0; i < nelems; i++) {
          if (!allocated.has(i)) {
            want = i;
            break;
          }
        }
        expect(p === 0 ? -1 : (p - BASE) / elemsize).toBe(want);
        if (want >= 0) allocated.add(want);
        break;
      }
      case "free": {
        const live = [...allocated].filter((i) => !freed.has(i));
        if (live.length === 0) break;
        const i = live[op.pick % live.length]!;
        free(t, s, BASE + i * elemsize, op.remote); // the local or the remote bitmap
        freed.add(i);
        break;
      }
      case "sweep": {
        for (const i of freed) allocated.delete(i);
        freed.clear();
        const r = sweep(t, s);
        expect(r).toBe(allocated.size === 0 ? sweepEmpty : allocated.size === nelems ? sweepFull : sweepPartial);
        break;
      }
      case "bad": {
        const p = BASE + op.off;
        const idx = Math.floor(op.off / elemsize);
        let want: unknown;
        if (op.off < 0 || idx >= nelems) want = ForeignPointerError;
        else if (op.off % elemsize !== 0) want = InteriorPointerError;
        else if (!allocated.has(idx) || freed.has(idx)) want = DoubleFreeError;
        else break; // a valid free: not misuse
        const before = snapshot(t, s);
        expect(() => free(t, s, p, op.remote)).toThrow(want as never);
        expect(snapshot(t, s)).toEqual(before);
        break;
      }
    }
    expect(t.allocCount(s)).toBe(allocated.size);
    expect(t.freedCount(s)).toBe(freed.size);
    checkSpan(t, s);
  }
  t.init(s, 0, 0);
  t.freeSpan(s);
}

describe("explicit free as Go's sweep (model)", () => {
  for (const b of backends) {
    const t = newTable(b);
    test.prop([fc.constantFrom(...CLASSES), fc.array(opArb, { maxLength: 300 })], { numRuns: 12 })(
      `alloc/free/sweep against a set model on ${b.name} memory${t.v.shared ? " (Atomics paths)" : ""}`,
      (cls, ops) => runModel(t, cls, ops),
    );
  }
  it("fills, frees everything, sweeps empty, and refills from object 0", () => {
    const t = newTable();
    const s = makeSpan(t, 48, 1);
    const ps: number[] = [];
    for (let p = nextFree(t, s); p !== 0; p = nextFree(t, s)) ps.push(p);
    expect(ps.length).toBe(170);
    expect(sweep(t, s)).toBe(sweepFull);
    for (const p of ps) free(t, s, p);
    expect(t.freedCount(s)).toBe(170);
    expect(sweep(t, s)).toBe(sweepEmpty);
    expect(nextFree(t, s)).toBe(BASE);
    checkSpan(t, s);
  });
});

describe("a swept span's bitmaps go back to their pool whole", () => {
  it("after an odd number of sweeps (allocBits and gcmarkBits swapped) the block is reused without overlap", () => {
    const t = newTable();
    const a = makeSpan(t, 48, 1);
    sweep(t, a); // swaps allocBits and gcmarkBits
    const block = Math.min(t.bitmapAddr(a, F_allocBits), t.bitmapAddr(a, F_gcmarkBits));
    t.init(a, 0, 0); // releases the bitmaps
    const b = makeSpan(t, 48, 1);
    expect(Math.min(t.bitmapAddr(b, F_allocBits), t.bitmapAddr(b, F_gcmarkBits))).toBe(block);
    const c = makeSpan(t, 48, 1);
    const cb = t.bitmapAddr(c, F_allocBits);
    // c's block does not overlap b's.
    expect(cb >= block + 3 * t.bitmapBytes(b) || cb + 3 * t.bitmapBytes(c) <= block).toBe(true);
    checkSpan(t, b);
    checkSpan(t, c);
  });
});

describe("a freed span's record and bitmaps come back clean", () => {
  it("a span made from a reused record and reused bitmaps starts with every field and bit zero", () => {
    const t = newTable();
    const a = makeSpan(t, 48, 1);
    for (let i = 0; i < 100; i++) free(t, a, nextFree(t, a)); // dirty allocBits, freeindex, freed bits
    sweep(t, a); // dirty gcmarkBits (swapped in), allocCount
    const block = Math.min(t.bitmapAddr(a, F_allocBits), t.bitmapAddr(a, F_gcmarkBits));
    t.setState(a, mSpanDead);
    t.freeSpan(a);
    const b = t.allocSpan();
    expect(b).toBe(a); // the same record, handed out again
    expect(t.state(b)).toBe(mSpanDead);
    expect(t.bitmapBytes(b)).toBe(0);
    const rec = Array.from(t.v.u8.subarray(b - t.v.base, b - t.v.base + mspanBytes));
    rec[F_bitsLog] = 0; // the "no bitmaps" marker
    expect(rec.every((x) => x === 0)).toBe(true);
    t.init(b, BASE, 1);
    expect(t.initSpan(b, (5 << 1) | 1, 48, Math.floor(0xffffffff / 48) + 1, true, 0)).toBe(true);
    expect(Math.min(t.bitmapAddr(b, F_allocBits), t.bitmapAddr(b, F_gcmarkBits))).toBe(block);
    const bits = t.v.u8.subarray(block - t.v.base, block - t.v.base + 3 * t.bitmapBytes(b));
    expect(bits.every((x) => x === 0)).toBe(true);
    expect(nextFree(t, b)).toBe(BASE);
    checkSpan(t, b);
  });
});

describe("free misuse is rejected with typed errors", () => {
  it("rejects double free, interior and foreign pointers, and frees into dead spans", () => {
    const t = newTable();
    const s = makeSpan(t, 112, 1);
    const p = nextFree(t, s);
    free(t, s, p);
    expect(() => free(t, s, p)).toThrow(DoubleFreeError);
    expect(() => free(t, s, p + 8)).toThrow(InteriorPointerError);
    expect(() => free(t, s, BASE - 8)).toThrow(ForeignPointerError);
    expect(() => free(t, s, BASE + 73 * 112)).toThrow(ForeignPointerError); // past limit (73 objects)
    expect(() => free(t, s, BASE + 112)).toThrow(DoubleFreeError); // never allocated
    sweep(t, s);
    expect(() => free(t, s, p)).toThrow(DoubleFreeError); // freed and swept
    t.init(s, BASE, 1);
    expect(t.state(s)).toBe(mSpanDead);
    expect(() => free(t, s, BASE)).toThrow(ForeignPointerError);
  });
  it("a large-object span (size class 0) holds one object", () => {
    const t = newTable();
    const s = t.allocSpan();
    t.init(s, BASE, 40);
    expect(t.initSpan(s, 1, 0, 0, false, 0)).toBe(true);
    expect([t.nelems(s), t.elemsize(s), t.divMul(s)]).toEqual([1, 40 * 8192, 0]);
    const p = nextFree(t, s);
    expect(p).toBe(BASE);
    expect(nextFree(t, s)).toBe(0);
    expect(() => free(t, s, BASE + 8192)).toThrow(InteriorPointerError);
    free(t, s, BASE);
    expect(sweep(t, s)).toBe(sweepEmpty);
    checkSpan(t, s);
  });
});
