// mstats.go for one backend: sysMemStat counters, the stats snapshot, and the
// invariant checker — which must notice a corrupted page table or dirty
// memory that is not Ready.
import { RuntimeThrow, SabSysMemory, SimSysMemory, SysStat, sysStatNames } from "@gomalloc/os-mem";
import { describe, expect, it } from "vitest";

describe("sysMemStat accounting", () => {
  it("adds, loads and sums the counters; below zero is Go's throw", () => {
    const sys = new SimSysMemory();
    sys.statAdd(SysStat.mspan_sys, 160);
    sys.statAdd(SysStat.other_sys, 40);
    sys.statAdd(SysStat.mspan_sys, -60);
    expect(sys.statLoad(SysStat.mspan_sys)).toBe(100);
    const st = sys.stats();
    expect(Object.keys(st.stats)).toEqual(sysStatNames);
    expect(st.sys).toBe(140);
    expect(() => sys.statAdd(SysStat.other_sys, -41)).toThrow("sysMemStat overflow");
    expect(sys.statLoad(SysStat.other_sys)).toBe(40);
    expect(() => sys.statAdd(SysStat.other_sys, 0.5)).toThrow();
  });

  it("statAddPair moves bytes between two counters at once, or changes neither", () => {
    for (const sys of [new SimSysMemory(), SabSysMemory.create({ maxByteLength: 16 << 20 })]) {
      sys.statAdd(SysStat.heapFree, 1000);
      sys.statAddPair(SysStat.heapFree, -600, SysStat.heapInUse, 600);
      expect([sys.statLoad(SysStat.heapFree), sys.statLoad(SysStat.heapInUse)]).toEqual([400, 600]);
      expect(() => sys.statAddPair(SysStat.heapInUse, 500, SysStat.heapFree, -500)).toThrow("sysMemStat overflow");
      expect([sys.statLoad(SysStat.heapFree), sys.statLoad(SysStat.heapInUse)]).toEqual([400, 600]);
      sys.statAddPair(SysStat.heapFree, 10, SysStat.heapFree, -30); // one counter twice: the sum
      expect(sys.statLoad(SysStat.heapFree)).toBe(380);
      expect(() => sys.statAddPair(SysStat.heapFree, -1, SysStat.heapInUse, Number.NaN)).toThrow();
      expect(() => sys.statAddPair(99 as SysStat, 1, SysStat.heapInUse, 1)).toThrow();
      expect(sys.statLoad(SysStat.heapFree)).toBe(380);
    }
  });
});

describe("checkInvariants", () => {
  it("notices a page-state byte changed behind the accounting (OS1)", () => {
    const sys = SabSysMemory.create({ maxByteLength: 16 << 20 });
    sys.sysReserve(0, 65536);
    sys.checkInvariants();
    new Uint8Array(sys.sab)[256] = 3; // the first managed page's state byte, now "Ready"
    expect(() => sys.checkInvariants()).toThrow(RuntimeThrow);
    expect(() => sys.checkInvariants()).toThrow(/^OS1/);
  });

  it("notices a covered length that does not reach a Ready page or a view (FLAT4)", () => {
    const sys = SabSysMemory.create({ maxByteLength: 16 << 20 });
    const v = sys.sysAlloc(65536, SysStat.other_sys);
    sys.checkInvariants();
    const h = new Int32Array(sys.sab, 0, 16);
    const covered = h[9]!;
    h[9] = (v + 65536) / 8 - 1; // the covered word stops a little short of the Ready page
    expect(() => sys.checkInvariants()).toThrow(/^FLAT4: Ready page/);
    h[9] = covered + (1 << 20); // past the buffer, so past this handle's view at the same count
    expect(() => sys.checkInvariants()).toThrow(/^FLAT4: view of/);
    h[9] = covered;
    sys.checkInvariants();
  });

  it("notices bytes written into pages that are not Ready (OS3: FLAT3, SIM4)", () => {
    const sab = SabSysMemory.create({ maxByteLength: 16 << 20 });
    const v = sab.sysReserve(0, 2 * 65536);
    sab.sysMap(v, 2 * 65536, SysStat.heapReleased);
    sab.sysUsed(v + 65536, 65536, 65536); // backs the Prepared page below it too
    sab.checkInvariants({ contents: true });
    sab.viewOf(v).u8[v + 100] = 1; // a raw write the checked API would have refused
    expect(() => sab.checkInvariants({ contents: true })).toThrow(/^FLAT3/);
    const sim = new SimSysMemory();
    const p = sim.sysAlloc(8192, SysStat.other_sys);
    const view = sim.viewOf(p);
    sim.sysUnused(p + 4096, 4096);
    view.u8[4096 + 7] = 1;
    expect(() => sim.checkInvariants({ contents: true })).toThrow(/^SIM4/);
  });
});
