import { fc, test as ptest } from "@fast-check/vitest";
import { OP_ALLOC, OP_FREE, parseTrace, sizeBucket, type Trace, traceStats } from "@gomalloc/trace";
import { describe, expect, test } from "vitest";
import { traceArb } from "./arb.js";

// Slow oracle: replay with a Map from id to size.
function statsOracle(t: Trace) {
  const live = new Map<number, number>();
  let bytes = 0;
  let peak = 0;
  let peakObjects = 0;
  let maxSize = 0;
  const hist = new Map<number, { count: number; bytes: number }>();
  for (let i = 0; i < t.length; i++) {
    const id = t.id[i]!;
    const n = t.size[i]!;
    if (t.op[i] === OP_FREE) {
      bytes -= live.get(id)!;
      live.delete(id);
      continue;
    }
    bytes += n - (live.get(id) ?? 0);
    live.set(id, n);
    peak = Math.max(peak, bytes);
    peakObjects = Math.max(peakObjects, live.size);
    maxSize = Math.max(maxSize, n);
    // Bucket by the definition: the smallest power of two ≥ n.
    let max = 0;
    if (n > 0) for (max = 1; max < n; max *= 2);
    const h = hist.get(max) ?? { count: 0, bytes: 0 };
    h.count++;
    h.bytes += n;
    hist.set(max, h);
  }
  return { live, bytes, peak, peakObjects, maxSize, hist };
}

describe("traceStats", () => {
  ptest.prop([traceArb(300)])("agrees with a Map-based oracle", (t) => {
    const s = traceStats(t);
    const o = statsOracle(t);
    expect(s.ops).toBe(t.length);
    expect(s.allocs + s.frees + s.reallocs).toBe(t.length);
    expect(s.allocs).toBe([...t.op].filter((x) => x === OP_ALLOC).length);
    expect(s.liveObjects).toBe(o.live.size);
    expect(s.liveBytes).toBe(o.bytes);
    expect(s.peakLiveBytes).toBe(o.peak);
    expect(s.peakLiveObjects).toBe(o.peakObjects);
    expect(s.peakLiveObjects).toBe(t.slots);
    expect(s.maxSize).toBe(o.maxSize);
    const hist = [...o.hist.entries()].sort((a, b) => a[0] - b[0]).map(([max, h]) => ({ max, ...h }));
    expect(s.histogram.map(({ max, count, bytes }) => ({ max, count, bytes }))).toEqual(hist);
    expect(s.histogram.reduce((a, h) => a + h.count, 0)).toBe(s.allocs + s.reallocs);
  });

  test("peakLiveAt is the op right after which the peak was first reached", () => {
    const s = traceStats(parseTrace("a 1 10\na 2 5\nf 2\nr 1 15\nf 1\n"));
    expect(s.peakLiveBytes).toBe(15);
    expect(s.peakLiveAt).toBe(1);
    expect(traceStats(parseTrace("")).peakLiveAt).toBe(-1);
  });

  test("histogram bucket bounds", () => {
    const s = traceStats(parseTrace("a 1 0\na 2 1\na 3 2\na 4 3\na 5 4\na 6 5\na 7 4294967297\n"));
    expect(s.histogram.map((h) => [h.min, h.max, h.count])).toEqual([
      [0, 0, 1],
      [1, 1, 1],
      [2, 2, 1],
      [3, 4, 2],
      [5, 8, 1],
      [2 ** 32 + 1, 2 ** 33, 1],
    ]);
  });
});

describe("sizeBucket", () => {
  test("boundaries", () => {
    expect([0, 1, 2, 3, 4, 5, 8, 9].map(sizeBucket)).toEqual([0, 1, 2, 3, 3, 4, 4, 5]);
    expect(sizeBucket(2 ** 31)).toBe(32);
    expect(sizeBucket(2 ** 31 + 1)).toBe(33);
    expect(sizeBucket(2 ** 32)).toBe(33);
    expect(sizeBucket(2 ** 53 - 1)).toBe(54);
  });
  ptest.prop([fc.maxSafeNat()])("bucket k ≥ 2 holds (2^(k-2), 2^(k-1)]", (n) => {
    const k = sizeBucket(n);
    if (n <= 1) expect(k).toBe(n);
    else {
      expect(n > 2 ** (k - 2)).toBe(true);
      expect(n <= 2 ** (k - 1)).toBe(true);
    }
  });
});
