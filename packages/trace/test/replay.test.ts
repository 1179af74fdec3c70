import { fc, test as ptest } from "@fast-check/vitest";
import {
  type Allocator,
  AllocatorFailure,
  fillPattern,
  findPatternMismatch,
  generateTrace,
  InvalidTraceOption,
  isolatedReplayLoop,
  PatternMismatch,
  parseTrace,
  patternByte,
  Replay,
  ReplayUnsupported,
  replay,
  traceKinds,
  traceStats,
} from "@gomalloc/trace";
import { describe, expect, test } from "vitest";
import { traceArb } from "./arb.js";

/** A trivially correct allocator: bump pointer in one ArrayBuffer, never reuses memory, realloc copies. */
class Bump implements Allocator {
  mem: Uint8Array;
  top = 8;
  sizes = new Map<number, number>();
  freed: number[] = [];
  constructor(cap: number) {
    this.mem = new Uint8Array(cap);
  }
  malloc(n: number): number {
    const p = this.top;
    if (p + n > this.mem.length) return 0;
    this.top += Math.max(8, Math.ceil(n / 8) * 8);
    this.sizes.set(p, n);
    return p;
  }
  free(p: number): void {
    if (!this.sizes.delete(p)) throw new Error(`free of ${p}, not allocated`);
    this.freed.push(p);
  }
  realloc(p: number, n: number): number {
    const old = this.sizes.get(p);
    if (old === undefined) throw new Error(`realloc of ${p}, not allocated`);
    const q = this.malloc(n);
    if (q === 0) return 0;
    this.mem.copyWithin(q, p, p + Math.min(old, n));
    this.sizes.delete(p);
    return q;
  }
  bytes = (p: number, n: number): Uint8Array => this.mem.subarray(p, p + n);
}

const bumpFor = (t: { size: Float64Array }) =>
  new Bump(8 + t.size.reduce((a, n) => a + Math.max(8, Math.ceil(n / 8) * 8), 0));

describe("replay on a bump allocator", () => {
  ptest.prop([traceArb(300), fc.boolean()])(
    "random traces replay with the pattern intact; figures equal traceStats",
    (t, isolated) => {
      const a = bumpFor(t);
      const r = replay(t, a, { bytes: a.bytes, ...(isolated ? { loop: isolatedReplayLoop() } : {}) });
      const s = traceStats(t);
      expect(r).toEqual({
        ops: t.length,
        liveBytes: s.liveBytes,
        peakLiveBytes: s.peakLiveBytes,
        liveObjects: s.liveObjects,
        peakLiveObjects: s.peakLiveObjects,
      });
      expect(a.sizes.size).toBe(s.liveObjects); // the bump allocator never returns 0
      const fast = replay(t, bumpFor(t), isolated ? { loop: isolatedReplayLoop() } : {});
      expect(fast).toEqual(r);
    },
  );

  for (const kind of traceKinds) {
    test(`${kind}: a generated trace replays checked, and in steps equals all at once`, () => {
      const t = generateTrace({ kind, ops: 4000, seed: 11, ...(kind === "large" ? { maxSize: 100000 } : {}) });
      const a = bumpFor(t);
      const stepped = new Replay(t, a, { bytes: a.bytes });
      let n = 0;
      while (!stepped.done) {
        n += stepped.run(333);
        stepped.checkLive();
      }
      expect(n).toBe(t.length);
      expect(stepped.position).toBe(t.length);
      const whole = replay(t, bumpFor(t));
      expect(stepped.peakLiveBytes).toBe(whole.peakLiveBytes);
      expect(stepped.peakLiveObjects).toBe(whole.peakLiveObjects);
    });
  }

  test("free gets exactly the pointers malloc and realloc returned", () => {
    const t = parseTrace("a 1 8\na 2 16\nr 1 32\nf 2\nf 1\n");
    const a = bumpFor(t);
    replay(t, a);
    expect(a.freed).toEqual([16, 32]);
  });
});

describe("size 0", () => {
  test("an allocator may return 0 for size 0; the driver then never frees or reallocs 0", () => {
    const calls: string[] = [];
    const a: Allocator = {
      malloc: (n) => {
        calls.push(`m${n}`);
        return n === 0 ? 0 : 64;
      },
      free: (p) => void calls.push(`f${p}`),
      realloc: (p, n) => {
        calls.push(`r${p},${n}`);
        return 64;
      },
    };
    const r = replay(parseTrace("a 1 0\nf 1\na 2 0\nr 2 8\nf 2\n"), a);
    expect(calls).toEqual(["m0", "m0", "m8", "f64"]);
    expect(r.peakLiveBytes).toBe(8);
  });
});

describe("broken allocators are caught", () => {
  test("overlapping objects → PatternMismatch at the free that finds the damage", () => {
    const mem = new Uint8Array(1024);
    const handOut = [20, 16]; // the second object starts inside the first
    const a: Allocator = { malloc: () => handOut.shift()!, free: () => {} };
    const t = parseTrace("a 1 16\na 2 16\nf 1\nf 2\n");
    let err: unknown;
    try {
      replay(t, a, { bytes: (p, n) => mem.subarray(p, p + n) });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PatternMismatch);
    expect(err).toMatchObject({ opIndex: 2, id: 1, ptr: 20, offset: 0 });
  });

  test("realloc that loses the contents → PatternMismatch at the realloc", () => {
    const b = new Bump(4096);
    const a: Allocator = { malloc: (n) => b.malloc(n), free: (p) => b.free(p), realloc: (_p, n) => b.malloc(n) };
    expect(() => replay(parseTrace("a 7 40\nr 7 80\n"), a, { bytes: b.bytes })).toThrow(
      expect.objectContaining({ _tag: "PatternMismatch", opIndex: 1, id: 7, offset: 0 }),
    );
  });

  test("checkLive finds a live object scribbled on from outside", () => {
    const a = new Bump(4096);
    const r = new Replay(parseTrace("a 1 10\na 2 10\n"), a, { bytes: a.bytes });
    r.run();
    r.checkLive();
    a.mem[24 + 3]! ^= 1;
    expect(() => r.checkLive()).toThrow(expect.objectContaining({ _tag: "PatternMismatch", id: 2, offset: 3 }));
  });

  for (const bad of [0, -8, Number.NaN, undefined]) {
    test(`malloc returning ${String(bad)} → AllocatorFailure; the replay stops before it and can go on`, () => {
      for (const checked of [false, true]) {
        const b = new Bump(4096);
        let fail = true;
        const a: Allocator = {
          malloc: (n) => (n === 24 && fail ? (bad as number) : b.malloc(n)),
          free: (p) => b.free(p),
          realloc: (p, n) => b.realloc(p, n),
        };
        const t = parseTrace("a 1 8\na 2 24\nf 1\nf 2\n");
        const r = new Replay(t, a, checked ? { bytes: b.bytes } : {});
        let err: unknown;
        try {
          r.run();
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(AllocatorFailure);
        expect(err).toMatchObject({ opIndex: 1, id: 2, size: 24 });
        expect(r.position).toBe(1);
        expect(r.liveObjects).toBe(1);
        fail = false;
        expect(r.run()).toBe(3);
        expect(r.liveObjects).toBe(0);
      }
    });
  }

  test("realloc returning 0 keeps the old object", () => {
    const b = new Bump(4096);
    const a: Allocator = { malloc: (n) => b.malloc(n), free: (p) => b.free(p), realloc: () => 0 };
    const r = new Replay(parseTrace("a 1 8\nr 1 16\nf 1\n"), a, { bytes: b.bytes });
    expect(() => r.run()).toThrow(AllocatorFailure);
    expect(r.position).toBe(1);
    expect(r.liveBytes).toBe(8);
  });
});

describe("allocators without realloc", () => {
  const t = parseTrace("a 1 8\nr 1 20\nr 1 4\nf 1\n");
  test("with a bytes accessor, realloc is malloc + copy + free and the contents survive", () => {
    const b = new Bump(4096);
    const a: Allocator = { malloc: (n) => b.malloc(n), free: (p) => b.free(p) };
    const r = replay(t, a, { bytes: b.bytes });
    expect(r.peakLiveBytes).toBe(20);
    expect(b.freed).toEqual([8, 16, 40]);
  });
  test("without one, the replay refuses up front", () => {
    const b = new Bump(4096);
    expect(() => new Replay(t, { malloc: (n) => b.malloc(n), free: (p) => b.free(p) })).toThrow(ReplayUnsupported);
    // A trace without reallocs is fine.
    replay(parseTrace("a 1 8\nf 1"), { malloc: (n) => b.malloc(n), free: (p) => b.free(p) });
  });
});

describe("a bytes accessor that returns copies (memory not viewable in one piece)", () => {
  const copies = (b: Bump) => (p: number, n: number) => b.mem.slice(p, p + n);
  const store = (b: Bump) => (p: number, v: Uint8Array) => b.mem.set(v, p);
  ptest.prop([traceArb(300), fc.boolean()])(
    "with store, every pattern write reaches memory: random traces replay intact, with and without realloc",
    (t, withRealloc) => {
      const b = bumpFor(t);
      const a: Allocator = withRealloc ? b : { malloc: (n) => b.malloc(n), free: (p) => b.free(p) };
      const r = new Replay(t, a, { bytes: copies(b), store: store(b) });
      r.run();
      // Each check reads a fresh copy of memory, so this (and every check before a free or
      // realloc) finds the pattern in memory itself.
      r.checkLive();
    },
  );
  test("with store, an emulated realloc's copied prefix reaches the new object", () => {
    const b = new Bump(4096);
    const a: Allocator = { malloc: (n) => b.malloc(n), free: (p) => b.free(p) };
    replay(parseTrace("a 1 8\nr 1 20\nr 1 4\nf 1\n"), a, { bytes: copies(b), store: store(b) });
    expect(b.freed).toEqual([8, 16, 40]);
    for (let off = 0; off < 20; off++) expect(b.mem[16 + off], `offset ${off}`).toBe(patternByte(1, off));
  });
  test("without store the writes are lost, and the check says so (PatternMismatch)", () => {
    const b = new Bump(4096);
    expect(() => replay(parseTrace("a 1 8\nf 1\n"), b, { bytes: copies(b) })).toThrow(PatternMismatch);
  });
});

describe("misuse", () => {
  test("a bytes accessor that returns too little → InvalidTraceOption", () => {
    const b = new Bump(4096);
    expect(() => replay(parseTrace("a 1 8"), b, { bytes: () => new Uint8Array(4) })).toThrow(InvalidTraceOption);
  });
  test("checkLive without bytes → ReplayUnsupported; run(-1) → InvalidTraceOption", () => {
    const r = new Replay(parseTrace("a 1 8"), new Bump(64));
    expect(() => r.checkLive()).toThrow(ReplayUnsupported);
    expect(() => r.run(-1)).toThrow(InvalidTraceOption);
    expect(r.run(0)).toBe(0);
  });
});

describe("pattern", () => {
  ptest.prop([fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 300 })])(
    "fill then find: no mismatch; one flipped byte is found at its offset",
    (id, n) => {
      const v = new Uint8Array(n);
      fillPattern(v, n, id);
      expect(findPatternMismatch(v, n, id)).toBe(-1);
      for (let i = 0; i < n; i++) expect(v[i]).toBe(patternByte(id, i));
      if (n > 0) {
        const k = id % n;
        v[k]! ^= 0x80;
        expect(findPatternMismatch(v, n, id)).toBe(k);
      }
    },
  );

  test("neighbouring ids have different patterns (a shifted copy is not mistaken for the object)", () => {
    const a = new Uint8Array(64);
    const b = new Uint8Array(64);
    for (let id = 0; id < 1000; id++) {
      fillPattern(a, 64, id);
      fillPattern(b, 64, id + 1);
      expect(findPatternMismatch(b, 64, id)).toBeGreaterThanOrEqual(0);
      expect(findPatternMismatch(a.subarray(4), 60, id)).toBeGreaterThanOrEqual(0);
    }
  });
});

describe("pattern helpers take a range of the given bytes", () => {
  test("a size past bytes.length, Infinity, NaN or a fraction is InvalidTraceOption (Infinity looped for ever)", () => {
    const b = new Uint8Array(16);
    for (const size of [Number.POSITIVE_INFINITY, Number.NaN, 17, 2 ** 53, 4.5]) {
      expect(() => fillPattern(b, size, 1)).toThrow(InvalidTraceOption);
      expect(() => findPatternMismatch(b, size, 1)).toThrow(InvalidTraceOption);
    }
    for (const from of [-1, Number.NaN, 0.5]) {
      expect(() => fillPattern(b, 16, 1, from)).toThrow(InvalidTraceOption);
      expect(() => findPatternMismatch(b, 16, 1, from)).toThrow(InvalidTraceOption);
    }
    fillPattern(b, 16, 1);
    expect(findPatternMismatch(b, 16, 1)).toBe(-1);
    expect(findPatternMismatch(b, 16, 1, 20)).toBe(-1); // from ≥ size: an empty range
    b[3] = (b[3]! + 1) & 0xff;
    expect(findPatternMismatch(b, 16, 1)).toBe(3);
  });
});
