// linearAlloc (Go's malloc.go): on-demand mapping, alignment, exhaustion,
// refusals that leave the record consistent, misuse, attach, and random use.

import { PageState, type SysMemory, SysStat } from "@gomalloc/os-mem";
import { BadAllocAlignError, BadAllocSizeError, BadInitError, BadRecordError, LinearAlloc } from "@gomalloc/persistent";
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { backendCases, propSeed, recordSpace } from "./backends.js";

const { Reserved, Prepared, Ready } = PageState;

describe.each(backendCases)("linearAlloc: $name", ({ make }) => {
  let sys: SysMemory;
  let P: number;
  let rec: number;
  let base: number;
  beforeEach(() => {
    sys = make();
    P = sys.physPageSize;
    rec = recordSpace(sys);
    base = sys.sysReserve(0, 8 * P);
  });

  it("maps pages Reserved→Prepared→Ready as next advances (mapMemory)", () => {
    const l = LinearAlloc.init(sys, rec, base, 8 * P, true);
    expect(l.alloc(100, 8, SysStat.gcMiscSys)).toBe(base);
    expect([l.next, l.mapped, l.end]).toEqual([base + 100, base + P, base + 8 * P]);
    expect([sys.pageState(base), sys.pageState(base + P)]).toEqual([Ready, Reserved]);
    expect(l.alloc(P, 64, SysStat.gcMiscSys)).toBe(base + 128);
    expect(l.mapped).toBe(base + 2 * P);
    expect(sys.pageState(base + P)).toBe(Ready);
    expect(sys.statLoad(SysStat.gcMiscSys)).toBe(2 * P);
    expect(sys.stats().mappedReady).toBe(2 * P + 4096);
    l.check(base);
  });

  it("maps the page holding the last byte even when next-1 falls on a page boundary (Go's alignUp(next-1) does not)", () => {
    const l = LinearAlloc.init(sys, rec, base, 8 * P, true);
    expect(l.alloc(P + 1, 8, SysStat.gcMiscSys)).toBe(base);
    expect(l.mapped).toBe(base + 2 * P);
    expect(sys.pageState(base + P)).toBe(Ready);
    sys.write8(base + P, 1);
    l.check(base);
  });

  it("without mapMemory advances mapped but leaves the pages Reserved", () => {
    const l = LinearAlloc.init(sys, rec, base, 8 * P, false);
    expect(l.alloc(3 * P, 1, SysStat.gcMiscSys)).toBe(base);
    expect(l.mapped).toBe(base + 3 * P);
    expect(sys.pageState(base)).toBe(Reserved);
    l.check(base);
  });

  it("returns 0 when the region is exhausted, changing nothing", () => {
    const l = LinearAlloc.init(sys, rec, base, 8 * P, true);
    expect(l.alloc(8 * P - 8, 8, SysStat.gcMiscSys)).toBe(base);
    expect(l.alloc(16, 8, SysStat.gcMiscSys)).toBe(0);
    expect(l.alloc(8, 16, SysStat.gcMiscSys)).toBe(0);
    expect(l.alloc(8, 8, SysStat.gcMiscSys)).toBe(base + 8 * P - 8);
    l.check(base);
  });

  it("surfaces a refused map or commit as 0 and retries cleanly later", () => {
    const l = LinearAlloc.init(sys, rec, base, 8 * P, true);
    sys.faults.refuseNextMap();
    expect(l.alloc(2 * P, 8, SysStat.gcMiscSys)).toBe(0);
    expect([l.next, l.mapped, l.prepared]).toEqual([base, base, base]);
    expect(sys.pageState(base)).toBe(Reserved);
    l.check(base);
    sys.faults.refuseNextUsed();
    expect(l.alloc(2 * P, 8, SysStat.gcMiscSys)).toBe(0);
    expect([l.next, l.mapped, l.prepared]).toEqual([base, base, base + 2 * P]);
    expect(sys.pageState(base)).toBe(Prepared);
    l.check(base);
    expect(l.alloc(2 * P, 8, SysStat.gcMiscSys)).toBe(base);
    expect(sys.pageState(base + P)).toBe(Ready);
    expect(sys.statLoad(SysStat.gcMiscSys)).toBe(2 * P);
    l.check(base);
  });

  it("answers misuse with typed errors", () => {
    const l = LinearAlloc.init(sys, rec, base, 8 * P, true);
    expect(() => l.alloc(0, 8, SysStat.gcMiscSys)).toThrow(BadAllocSizeError);
    expect(() => l.alloc(8, 3, SysStat.gcMiscSys)).toThrow(BadAllocAlignError);
    expect(() => LinearAlloc.init(sys, rec + 4, base, 8 * P, true)).toThrow(BadRecordError);
    expect(() => LinearAlloc.init(sys, base, base, 8 * P, true)).toThrow(BadRecordError);
    expect(() => LinearAlloc.init(sys, rec + 64, base + 8, 8 * P, true)).toThrow(BadInitError);
    expect(() => LinearAlloc.attach(sys, rec + 64)).toThrow(BadRecordError);
    expect(l.next).toBe(base);
  });

  it("keeps its state in managed memory: a second handle continues where the first stopped", () => {
    const l = LinearAlloc.init(sys, rec, base, 8 * P, true);
    l.alloc(24, 8, SysStat.gcMiscSys);
    const l2 = LinearAlloc.attach(sys, rec);
    expect(l2.alloc(8, 8, SysStat.gcMiscSys)).toBe(base + 24);
    expect(l.next).toBe(base + 32);
  });

  it("random allocations never overlap, stay aligned and Ready", () => {
    const seed = propSeed("linearAlloc");
    fc.assert(
      fc.property(
        fc.array(fc.record({ size: fc.integer({ min: 1, max: 2 * P }), alignLog: fc.integer({ min: 0, max: 12 }) }), {
          maxLength: 40,
        }),
        (reqs) => {
          const s = make();
          const r = recordSpace(s);
          const b = s.sysReserve(0, 16 * s.physPageSize);
          const l = LinearAlloc.init(s, r, b, 16 * s.physPageSize, true);
          let prevEnd = b;
          for (const { size, alignLog } of reqs) {
            const align = 2 ** alignLog;
            const p = l.alloc(size, align, SysStat.gcMiscSys);
            if (p === 0) {
              expect(Math.ceil(prevEnd / align) * align + size).toBeGreaterThan(b + 16 * s.physPageSize);
              continue;
            }
            expect(p % align).toBe(0);
            expect(p).toBeGreaterThanOrEqual(prevEnd);
            expect(s.pageState(p)).toBe(Ready);
            expect(s.pageState(p + size - 1)).toBe(Ready);
            prevEnd = p + size;
            l.check(b);
          }
          s.checkInvariants();
        },
      ),
      { seed, numRuns: 25 },
    );
  });
});
