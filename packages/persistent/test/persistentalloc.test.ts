// persistentalloc (Go's malloc.go): chunks, alignment, the chunk list, stats,
// Go's misuse texts, exhaustion as 0, a LinearAlloc source, and random use.
import { type SysMemory, SysStat } from "@gomalloc/os-mem";
import {
  BadAllocAlignError,
  BadAllocSizeError,
  BadInitError,
  LinearAlloc,
  PersistentAlloc,
  persistentChunkSize,
  persistentMaxBlock,
} from "@gomalloc/persistent";
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { backendCases, propSeed, recordSpace } from "./backends.js";

describe.each(backendCases)("persistentalloc: $name", ({ make }) => {
  let sys: SysMemory;
  let rec: number;
  beforeEach(() => {
    sys = make();
    rec = recordSpace(sys);
  });

  it("carves small blocks from 256 KiB chunks after the link word, aligned as asked", () => {
    const pa = PersistentAlloc.init(sys, rec);
    const p = pa.alloc(20, 0, SysStat.gcMiscSys);
    const chunk = pa.chunksHead();
    expect(p).toBe(chunk + 8);
    expect(pa.alloc(8, 0, SysStat.gcMiscSys)).toBe(chunk + 32);
    expect(pa.alloc(1, 64, SysStat.gcMiscSys)).toBe(chunk + 64);
    expect(pa.alloc(1, 1, SysStat.gcMiscSys)).toBe(chunk + 65);
    expect(pa.alloc(8, 8192, SysStat.gcMiscSys) % 8192).toBe(0);
    expect(pa.chunks()).toEqual([chunk]);
    expect(pa.inPersistentAlloc(p)).toBe(true);
    expect(pa.inPersistentAlloc(chunk + persistentChunkSize)).toBe(false);
    pa.check();
  });

  it("charges chunks to other_sys and moves each block to the caller's stat", () => {
    const base = sys.statLoad(SysStat.other_sys);
    const pa = PersistentAlloc.init(sys, rec);
    pa.alloc(100, 0, SysStat.gcMiscSys);
    pa.alloc(50, 0, SysStat.other_sys);
    expect(sys.statLoad(SysStat.gcMiscSys)).toBe(100);
    expect(sys.statLoad(SysStat.other_sys)).toBe(base + persistentChunkSize - 100);
  });

  it("starts a new chunk when the block does not fit, and links it first", () => {
    const pa = PersistentAlloc.init(sys, rec);
    pa.alloc(persistentMaxBlock - 1, 0, SysStat.gcMiscSys);
    pa.alloc(persistentMaxBlock - 1, 0, SysStat.gcMiscSys);
    pa.alloc(persistentMaxBlock - 1, 0, SysStat.gcMiscSys);
    const first = pa.chunksHead();
    const p = pa.alloc(persistentMaxBlock - 1, 0, SysStat.gcMiscSys);
    const second = pa.chunksHead();
    expect(second).not.toBe(first);
    expect(p).toBe(second + 8);
    expect(pa.chunks()).toEqual([second, first]);
    pa.check();
  });

  it("sends blocks of 64 KiB and more straight to sysAlloc, outside the chunk list", () => {
    const pa = PersistentAlloc.init(sys, rec);
    const p = pa.alloc(persistentMaxBlock, 0, SysStat.buckhash_sys);
    expect(p % sys.physPageSize).toBe(0);
    expect(pa.chunks()).toEqual([]);
    expect(pa.inPersistentAlloc(p)).toBe(false);
    expect(sys.statLoad(SysStat.buckhash_sys)).toBe(persistentMaxBlock);
  });

  it("answers misuse with Go's throw texts, changing nothing", () => {
    const pa = PersistentAlloc.init(sys, rec);
    pa.alloc(8, 0, SysStat.gcMiscSys);
    const before = sys.stats();
    expect(() => pa.alloc(0, 0, SysStat.gcMiscSys)).toThrow(BadAllocSizeError);
    expect(() => pa.alloc(0, 0, SysStat.gcMiscSys)).toThrow("persistentalloc: size == 0");
    expect(() => pa.alloc(8, 24, SysStat.gcMiscSys)).toThrow("persistentalloc: align is not a power of 2");
    expect(() => pa.alloc(8, 16384, SysStat.gcMiscSys)).toThrow(BadAllocAlignError);
    expect(() => pa.alloc(8, 16384, SysStat.gcMiscSys)).toThrow("persistentalloc: align is too large");
    expect(sys.stats()).toEqual(before);
    expect(pa.alloc(8, 0, SysStat.gcMiscSys)).toBe(pa.chunksHead() + 16);
  });

  it("returns 0 when no chunk can be had, leaving the allocator usable", () => {
    const pa = PersistentAlloc.init(sys, rec);
    sys.faults.refuseNextReserve();
    expect(pa.alloc(8, 0, SysStat.gcMiscSys)).toBe(0);
    expect(pa.chunks()).toEqual([]);
    sys.faults.refuseNextReserve();
    expect(pa.alloc(persistentMaxBlock, 0, SysStat.gcMiscSys)).toBe(0);
    expect(sys.statLoad(SysStat.gcMiscSys)).toBe(0);
    const p = pa.alloc(8, 0, SysStat.gcMiscSys);
    expect(p).toBe(pa.chunksHead() + 8);
    pa.check();
  });

  it("takes chunks from a LinearAlloc region when given one", () => {
    const P = sys.physPageSize;
    const size = Math.ceil((2 * persistentChunkSize + persistentMaxBlock) / P) * P + P;
    const base = sys.sysReserve(0, size);
    const la = LinearAlloc.init(sys, rec + 64, base, size, true);
    const pa = PersistentAlloc.init(sys, rec, { source: la });
    const small = pa.alloc(40, 0, SysStat.gcMiscSys);
    const big = pa.alloc(persistentMaxBlock, 0, SysStat.gcMiscSys);
    for (const p of [small, big]) {
      expect(p).toBeGreaterThanOrEqual(base);
      expect(p).toBeLessThan(base + size);
    }
    expect(pa.chunksHead() % P).toBe(0);
    const attached = PersistentAlloc.attach(sys, rec);
    expect(attached.alloc(8, 0, SysStat.gcMiscSys)).toBe(small + 40);
    expect(() => PersistentAlloc.init(sys, rec, { source: LinearAlloc.init(sys, rec + 128, base, P, false) })).toThrow(
      BadInitError,
    );
  });

  it("takes chunks of chunkBytes when asked (a flat buffer's metadata), half a chunk and more straight to the source", () => {
    const small = 64 << 10;
    const pa = PersistentAlloc.init(sys, rec, { chunkBytes: small });
    expect(pa.chunkBytes).toBe(small);
    const p = pa.alloc(small - 64, 0, SysStat.gcMiscSys); // over half a chunk: straight to sysAlloc
    expect(pa.chunks()).toEqual([]);
    expect(p).toBeGreaterThan(0);
    const a = pa.alloc(25000, 0, SysStat.gcMiscSys);
    const b = pa.alloc(25000, 0, SysStat.gcMiscSys);
    const c = pa.alloc(25000, 0, SysStat.gcMiscSys); // does not fit the rest of the first chunk
    const [second, first] = pa.chunks();
    expect([a, b]).toEqual([first! + 8, first! + 25008]);
    expect(c).toBe(second! + 8);
    expect(pa.inPersistentAlloc(first! + small - 1)).toBe(true);
    pa.check();
    expect(PersistentAlloc.init(sys, rec + 64, { shareChunksWith: pa }).chunkBytes).toBe(small);
    expect(() => PersistentAlloc.init(sys, rec + 128, { chunkBytes: 48 << 10 })).toThrow(BadInitError);
    expect(() => PersistentAlloc.init(sys, rec + 128, { chunkBytes: 8 << 10 })).toThrow(BadInitError);
    expect(() =>
      PersistentAlloc.init(sys, rec + 128, { shareChunksWith: pa, chunkBytes: persistentChunkSize }),
    ).toThrow(BadInitError);
  });

  it("shares one chunk list between allocators (Go's per-P palloc)", () => {
    const a = PersistentAlloc.init(sys, rec);
    const b = PersistentAlloc.init(sys, rec + 64, { shareChunksWith: a });
    const pa = a.alloc(8, 0, SysStat.gcMiscSys);
    const pb = b.alloc(8, 0, SysStat.gcMiscSys);
    expect(a.chunks()).toHaveLength(2);
    expect(b.chunks()).toEqual(a.chunks());
    expect(a.inPersistentAlloc(pb) && b.inPersistentAlloc(pa)).toBe(true);
  });

  it("random requests never overlap, are aligned and zeroed", () => {
    const seed = propSeed("persistentalloc");
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            size: fc.oneof(fc.integer({ min: 1, max: 512 }), fc.integer({ min: 1, max: 80 << 10 })),
            alignLog: fc.option(fc.integer({ min: 0, max: 13 }), { nil: undefined }),
          }),
          { maxLength: 30 },
        ),
        (reqs) => {
          const s = make();
          const pa = PersistentAlloc.init(s, recordSpace(s));
          const blocks: [number, number][] = [];
          for (const [i, { size, alignLog }] of reqs.entries()) {
            const align = alignLog === undefined ? 0 : 2 ** alignLog;
            const p = pa.alloc(size, align, SysStat.gcMiscSys);
            expect(p).not.toBe(0);
            // Go's sysAlloc path (size ≥ 64 KiB) gives page alignment only.
            const want = size >= persistentMaxBlock ? Math.min(align || 8, s.physPageSize) : align || 8;
            expect(p % want).toBe(0);
            const bytes = new Uint8Array(size);
            s.readBytes(p, bytes);
            expect(bytes.every((x) => x === 0)).toBe(true);
            s.fill(p, size, (i % 255) + 1);
            blocks.push([p, size]);
          }
          blocks.sort((x, y) => x[0] - y[0]);
          for (let i = 1; i < blocks.length; i++)
            expect(blocks[i - 1]![0] + blocks[i - 1]![1]).toBeLessThanOrEqual(blocks[i]![0]);
          pa.check();
          s.checkInvariants();
        },
      ),
      { seed, numRuns: 15 },
    );
  });
});
