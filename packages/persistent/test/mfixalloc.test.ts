// fixalloc (Go's mfixalloc.go): chunk sizing, LIFO free list in managed
// memory, zeroing, inuse, first-use callback, contiguous tables over a
// LinearAlloc, exhaustion as 0, misuse, attach, and random alloc/free.
import { type SysMemory, SysStat } from "@gomalloc/os-mem";
import {
  BadAllocSizeError,
  BadInitError,
  BadRecordError,
  FixAlloc,
  FixAllocMisuseError,
  fixAllocChunk,
  LinearAlloc,
  PersistentAlloc,
} from "@gomalloc/persistent";
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { backendCases, propSeed, recordSpace } from "./backends.js";

describe.each(backendCases)("fixalloc: $name", ({ make }) => {
  let sys: SysMemory;
  let rec: number;
  let pa: PersistentAlloc;
  beforeEach(() => {
    sys = make();
    rec = recordSpace(sys);
    pa = PersistentAlloc.init(sys, rec);
  });

  it("cuts 16 KiB chunks into a whole number of records (Go's nalloc)", () => {
    // nalloc = _FixAllocChunk / size * size (mfixalloc.go), size ≥ sizeof(mlink) = 8; sizes round up to 8 here.
    const cases: [number, number, number][] = [
      [1, 8, 16384],
      [8, 8, 16384],
      [24, 24, 16368],
      [160, 160, 16320],
      [1000, 1000, 16000],
      [1001, 1008, 16128],
      [16384, 16384, 16384],
    ];
    for (const [i, [asked, size, nalloc]] of cases.entries()) {
      const f = FixAlloc.init(sys, rec + 64 + 64 * i, asked, pa, SysStat.mspan_sys);
      expect([f.size, f.nalloc, f.inuse, f.zero]).toEqual([size, nalloc, 0, true]);
      expect(nalloc).toBe(Math.floor(fixAllocChunk / size) * size);
    }
  });

  it("cuts smaller chunks when asked (chunkBytes), still whole records; rejects a chunk outside [size, 16 KiB]", () => {
    const f = FixAlloc.init(sys, rec + 64, 24, pa, SysStat.mspan_sys, { chunkBytes: 100 });
    expect(f.nalloc).toBe(96);
    const got = [f.alloc(), f.alloc(), f.alloc(), f.alloc(), f.alloc()];
    expect(got.slice(1, 4).map((p) => p - got[0]!)).toEqual([24, 48, 72]);
    f.check();
    expect(() => FixAlloc.init(sys, rec + 128, 24, pa, SysStat.mspan_sys, { chunkBytes: 16 })).toThrow(BadInitError);
    expect(() => FixAlloc.init(sys, rec + 128, 24, pa, SysStat.mspan_sys, { chunkBytes: 32 << 10 })).toThrow(
      BadInitError,
    );
  });

  it("aligns each chunk to chunkAlign (records of a multiple of it each start a line); rejects bad alignments", () => {
    pa.alloc(8, 0, SysStat.other_sys); // the next chunk would be 8-aligned, not 64-aligned
    const f = FixAlloc.init(sys, rec + 64, 128, pa, SysStat.mspan_sys, { chunkAlign: 64, chunkBytes: 256 });
    const got = Array.from({ length: 5 }, () => f.alloc());
    expect(got.every((p) => p % 64 === 0)).toBe(true);
    expect(got[1]! - got[0]!).toBe(128);
    f.check();
    expect(FixAlloc.attach(sys, rec + 64).alloc() % 64).toBe(0);
    for (const bad of [0, 4, 24, 100, 16384, 8.5, Number.NaN]) {
      expect(() => FixAlloc.init(sys, rec + 128, 24, pa, SysStat.mspan_sys, { chunkAlign: bad }), String(bad)).toThrow(
        BadInitError,
      );
    }
  });

  it("hands records out in order, reuses freed ones LIFO, zeroed, and counts inuse", () => {
    const f = FixAlloc.init(sys, rec + 64, 48, pa, SysStat.mspan_sys);
    const a = f.alloc();
    const b = f.alloc();
    const c = f.alloc();
    expect([b - a, c - b]).toEqual([48, 48]);
    expect(f.inuse).toBe(3 * 48);
    expect(sys.statLoad(SysStat.mspan_sys)).toBe(f.nalloc);
    sys.fill(a, 48, 0x5a);
    sys.fill(b, 48, 0x5b);
    f.free(a);
    f.free(b);
    expect(f.freeList()).toEqual([b, a]);
    expect(f.inuse).toBe(48);
    expect(f.alloc()).toBe(b);
    const bytes = new Uint8Array(48);
    sys.readBytes(b, bytes);
    expect(bytes.every((x) => x === 0)).toBe(true);
    f.zero = false;
    expect(f.alloc()).toBe(a);
    sys.readBytes(a, bytes);
    expect(bytes.subarray(8).every((x) => x === 0x5a)).toBe(true);
    expect(f.alloc()).toBe(c + 48);
    f.check();
  });

  it("calls first() only for records never handed out before", () => {
    const seen: number[] = [];
    const f = FixAlloc.init(sys, rec + 64, 16, pa, SysStat.mcache_sys, { first: (p) => seen.push(p) });
    const a = f.alloc();
    f.free(a);
    expect(f.alloc()).toBe(a);
    const b = f.alloc();
    expect(seen).toEqual([a, b]);
  });

  it("over a LinearAlloc region makes a contiguous table: record i at base + i·size", () => {
    const P = sys.physPageSize;
    const size = 160;
    const n = 300;
    const bytes = Math.ceil((n * size) / P) * P + P;
    const base = sys.sysReserve(0, bytes);
    const la = LinearAlloc.init(sys, rec + 64, base, bytes, true);
    const f = FixAlloc.init(sys, rec + 128, size, la, SysStat.mspan_sys);
    const view = sys.viewOf(base);
    for (let i = 0; i < n; i++) {
      expect(f.alloc()).toBe(base + i * size);
      view.setU32(base + i * size + 8, i);
    }
    expect(view.covers(base, n * size)).toBe(true);
    for (let i = 0; i < n; i++) expect(sys.read32(base + i * size + 8)).toBe(i);
    f.check();
  });

  it("returns 0 when its source is exhausted, changing nothing, and recovers", () => {
    // 4 records per 16 KiB chunk; a 256 KiB persistentalloc chunk holds 15 such chunks after its link word.
    const f = FixAlloc.init(sys, rec + 64, 4096, pa, SysStat.mspan_sys);
    for (let i = 0; i < 60; i++) expect(f.alloc()).not.toBe(0);
    expect(pa.chunks()).toHaveLength(1);
    sys.faults.refuseNextReserve();
    expect(f.alloc()).toBe(0);
    expect(f.inuse).toBe(60 * 4096);
    expect(pa.chunks()).toHaveLength(1);
    f.check();
    expect(f.alloc()).not.toBe(0);
    expect(pa.chunks()).toHaveLength(2);
  });

  it("answers misuse with typed errors, changing nothing", () => {
    expect(() => FixAlloc.init(sys, rec + 64, 0, pa, SysStat.mspan_sys)).toThrow(BadAllocSizeError);
    expect(() => FixAlloc.init(sys, rec + 64, fixAllocChunk + 1, pa, SysStat.mspan_sys)).toThrow(
      "runtime: fixalloc size too large",
    );
    expect(() => FixAlloc.attach(sys, rec + 64)).toThrow(BadRecordError);
    const f = FixAlloc.init(sys, rec + 64, 32, pa, SysStat.mspan_sys, { debug: true });
    expect(() => f.free(32)).toThrow(FixAllocMisuseError);
    const a = f.alloc();
    expect(() => f.free(a + 4)).toThrow(FixAllocMisuseError);
    expect(() => f.free(0)).toThrow(FixAllocMisuseError);
    f.free(a);
    expect(() => f.free(a)).toThrow(FixAllocMisuseError);
    const b = f.alloc();
    f.alloc();
    f.free(b);
    expect(() => f.free(b)).toThrow("double free");
    const gone = sys.sysReserve(0, sys.physPageSize);
    sys.sysUnreserve(gone, sys.physPageSize);
    expect(() => f.free(gone)).toThrow("not Ready memory");
    expect(f.freeList()).toEqual([b]);
    expect(f.inuse).toBe(32);
    f.check();
  });

  it("keeps its state in managed memory: a second handle shares the free list", () => {
    const f = FixAlloc.init(sys, rec + 64, 64, pa, SysStat.mspan_sys);
    const a = f.alloc();
    f.free(a);
    const g = FixAlloc.attach(sys, rec + 64);
    expect(g.alloc()).toBe(a);
    expect(f.inuse).toBe(64);
    expect(g.alloc()).toBe(a + 64);
  });

  it("random alloc/free never hands out overlapping records and never loses one", () => {
    const seed = propSeed("fixalloc");
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3000 }),
        fc.boolean(),
        fc.array(fc.oneof(fc.constant(-1), fc.nat()), { maxLength: 120 }),
        (asked, linear, ops) => {
          const s = make();
          const r = recordSpace(s);
          const P = s.physPageSize;
          const src = linear
            ? LinearAlloc.init(s, r, s.sysReserve(0, 128 * P), 128 * P, true)
            : PersistentAlloc.init(s, r);
          const f = FixAlloc.init(s, r + 64, asked, src, SysStat.mspan_sys);
          const size = f.size;
          const live = new Map<number, number>(); // record → tag
          const freed = new Set<number>();
          let tag = 0;
          for (const op of ops) {
            if (op === -1 || live.size === 0) {
              const p = f.alloc();
              expect(p).not.toBe(0);
              expect(live.has(p)).toBe(false);
              freed.delete(p);
              live.set(p, ++tag);
              s.write32(p + size - 4, tag);
            } else {
              const p = [...live.keys()][op % live.size]!;
              expect(s.read32(p + size - 4)).toBe(live.get(p));
              f.free(p);
              live.delete(p);
              freed.add(p);
            }
            expect(f.inuse).toBe(live.size * size);
            expect(new Set(f.freeList())).toEqual(freed);
          }
          const all = [...live.keys(), ...freed].sort((x, y) => x - y);
          for (let i = 1; i < all.length; i++) expect(all[i - 1]! + size).toBeLessThanOrEqual(all[i]!);
          for (const [p, t] of live) expect(s.read32(p + size - 4)).toBe(t);
          f.check();
          s.checkInvariants();
        },
      ),
      { seed, numRuns: 20 },
    );
  });
});
