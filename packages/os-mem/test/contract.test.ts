// The one contract suite every backend passes: Go's mem.go transitions, their
// accounting, typed errors that change nothing, placement, checked access,
// views, root slots and fault injection.
import {
  BadAddressError,
  BadAlignError,
  BadArgumentError,
  BadSizeError,
  IllegalTransitionError,
  MemoryFault,
  RuntimeThrow,
  type SysMemory,
  SysStat,
} from "@gomalloc/os-mem";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { backendCases, None, Prepared, Ready, Reserved, snapshot, statesOf } from "./backends.js";

describe.each(backendCases)("SysMemory contract: $name", ({ make }) => {
  let sys: SysMemory;
  let P: number;
  beforeEach(() => {
    sys = make();
    P = sys.physPageSize;
  });
  afterEach(() => {
    sys.checkInvariants({ contents: true });
  });

  it("declares its capabilities as data", () => {
    const c = sys.caps;
    expect(c.physPageSize).toBe(P);
    expect(c.allocGranularity % P).toBe(0);
    expect(c.addressSpaceStart).toBeGreaterThan(0);
    expect(c.addressSpaceEnd).toBeGreaterThan(c.addressSpaceStart);
    expect(sys.needZeroAfterSysUnused()).toBe(false);
    for (const k of [
      "canReserveWithoutCommit",
      "canDecommit",
      "canReleasePart",
      "canGrow",
      "sharedBetweenWorkers",
      "sbrk",
    ]) {
      expect(typeof (c as unknown as Record<string, unknown>)[k]).toBe("boolean");
    }
  });

  it("sysAlloc: None→Ready, page-aligned and zeroed, with Go's accounting", () => {
    const n = 3 * P + 100;
    const p = sys.sysAlloc(n, SysStat.other_sys);
    expect(p).toBeGreaterThan(0);
    expect(p % P).toBe(0);
    expect(statesOf(sys, p, 4 * P)).toEqual([Ready, Ready, Ready, Ready]);
    const st = sys.stats();
    expect(st).toMatchObject({ ready: 4 * P, mapped: 4 * P, reserved: 0, prepared: 0, mappedReady: n, sys: n });
    expect(st.stats.other_sys).toBe(n);
    const bytes = new Uint8Array(4 * P);
    sys.readBytes(p, bytes);
    expect(bytes.every((b) => b === 0)).toBe(true);
    sys.sysFree(p, n, SysStat.other_sys);
    expect(sys.pageState(p)).toBe(None);
    expect(sys.stats()).toMatchObject({ ready: 0, mappedReady: 0, sys: 0 });
  });

  it("sysReserve→sysMap→sysUsed→sysUnused→sysUsed: states, counters, and zeroed contents", () => {
    const v = sys.sysReserve(0, 4 * P);
    expect(v).toBeGreaterThan(0);
    expect(statesOf(sys, v, 4 * P)).toEqual([Reserved, Reserved, Reserved, Reserved]);
    expect(sys.stats()).toMatchObject({ reserved: 4 * P, mapped: 0, sys: 0 });
    expect(sys.sysMap(v, 4 * P, SysStat.heapReleased)).toBe(true);
    expect(sys.stats()).toMatchObject({ reserved: 0, prepared: 4 * P, released: 4 * P, mappedReady: 0 });
    expect(sys.stats().stats.heapReleased).toBe(4 * P);
    expect(sys.sysUsed(v + P, 2 * P, 2 * P)).toBe(true);
    expect(statesOf(sys, v, 4 * P)).toEqual([Prepared, Ready, Ready, Prepared]);
    expect(sys.stats()).toMatchObject({ prepared: 2 * P, ready: 2 * P, mappedReady: 2 * P });
    sys.fill(v + P, 2 * P, 0xab);
    sys.write32(v + P + 12, 0xdeadbeef);
    expect(sys.stats().resident).toBe(2 * P);
    sys.sysUnused(v + P, P);
    expect(statesOf(sys, v, 4 * P)).toEqual([Prepared, Prepared, Ready, Prepared]);
    expect(sys.stats()).toMatchObject({ ready: P, mappedReady: P, resident: P });
    expect(sys.sysUsed(v + P, P, P)).toBe(true);
    expect(sys.read32(v + P + 12)).toBe(0);
    expect(sys.read8(v + P + P - 1)).toBe(0);
    expect(sys.read8(v + 2 * P)).toBe(0xab);
    expect(sys.stats()).toMatchObject({ ready: 2 * P, mappedReady: 2 * P, resident: P });
  });

  it("sysUsed covers every page its range touches and leaves Ready pages Ready", () => {
    const v = sys.sysReserve(0, 3 * P);
    sys.sysMap(v, 3 * P, SysStat.heapReleased);
    expect(sys.sysUsed(v + 8, 16, 16)).toBe(true);
    expect(statesOf(sys, v, 3 * P)).toEqual([Ready, Prepared, Prepared]);
    expect(sys.sysUsed(v, 2 * P, P)).toBe(true);
    expect(statesOf(sys, v, 3 * P)).toEqual([Ready, Ready, Prepared]);
    expect(sys.stats()).toMatchObject({ ready: 2 * P, mappedReady: 16 + P });
  });

  it("sysFault: Ready/Prepared→Reserved; access faults; mappedReady drops by n (Go's quirk)", () => {
    const v = sys.sysReserve(0, 2 * P);
    sys.sysMap(v, 2 * P, SysStat.heapReleased);
    sys.sysUsed(v, P, P);
    sys.write8(v, 7);
    sys.sysFault(v, 2 * P);
    expect(statesOf(sys, v, 2 * P)).toEqual([Reserved, Reserved]);
    expect(sys.stats()).toMatchObject({ reserved: 2 * P, ready: 0, resident: 0, mappedReady: P - 2 * P });
    expect(() => sys.read8(v)).toThrow(MemoryFault);
    expect(sys.sysMap(v, 2 * P, SysStat.heapReleased)).toBe(true);
    expect(sys.sysUsed(v, P, P)).toBe(true);
    expect(sys.read8(v)).toBe(0);
  });

  it("sysFree from Reserved, Prepared and Ready; sysUnreserve of a whole reservation", () => {
    const v = sys.sysReserve(0, 3 * P);
    sys.sysMap(v, 3 * P, SysStat.gcMiscSys);
    sys.sysUsed(v + 2 * P, P, P);
    sys.sysFault(v, P);
    expect(statesOf(sys, v, 3 * P)).toEqual([Reserved, Prepared, Ready]);
    sys.sysFree(v, 3 * P, SysStat.gcMiscSys);
    expect(statesOf(sys, v, 3 * P)).toEqual([None, None, None]);
    // mappedReady: +P (sysUsed) -P (sysFault) -3P (sysFree), Go's deltas exactly.
    expect(sys.stats()).toMatchObject({ reserved: 0, prepared: 0, ready: 0, sys: 0, mappedReady: -3 * P });
    const w = sys.sysReserve(0, 2 * P);
    sys.sysUnreserve(w, 2 * P);
    expect(statesOf(sys, w, 2 * P)).toEqual([None, None]);
  });

  it("sysUnmap: Prepared→Reserved, undoing sysMap's stat and leaving mappedReady alone", () => {
    const v = sys.sysReserve(0, 3 * P);
    expect(sys.sysMap(v, 3 * P, SysStat.heapReleased)).toBe(true);
    expect(sys.sysUsed(v, P, P)).toBe(true);
    expect(() => sys.sysUnmap(v, 2 * P, SysStat.heapReleased)).toThrow(IllegalTransitionError);
    expect(statesOf(sys, v, 3 * P)).toEqual([Ready, Prepared, Prepared]);
    sys.sysUnmap(v + P, 2 * P, SysStat.heapReleased);
    expect(statesOf(sys, v, 3 * P)).toEqual([Ready, Reserved, Reserved]);
    expect(sys.stats()).toMatchObject({ reserved: 2 * P, prepared: 0, ready: P, mappedReady: P });
    expect(sys.stats().stats.heapReleased).toBe(P);
    expect(() => sys.sysUnmap(v, P, SysStat.heapReleased)).toThrow(IllegalTransitionError);
    expect(sys.sysMap(v + P, 2 * P, SysStat.heapReleased)).toBe(true);
    expect(sys.stats().stats.heapReleased).toBe(3 * P);
  });

  const illegal: [string, (s: SysMemory, v: number, P: number) => void, number][] = [
    ["sysMap of a Ready page", (s, v, P) => s.sysMap(v + P, 2 * P, SysStat.heapReleased), Ready],
    ["sysMap of a None page", (s, v, P) => s.sysMap(v + 3 * P, 2 * P, SysStat.heapReleased), None],
    ["sysUsed of a Reserved page", (s, v, P) => s.sysUsed(v + 2 * P, P, P), Reserved],
    ["sysUnused of a Prepared page", (s, v, P) => s.sysUnused(v, 2 * P), Prepared],
    ["sysFault of a Reserved page", (s, v, P) => s.sysFault(v, 3 * P), Reserved],
    ["sysFree of a None page", (s, v, P) => s.sysFree(v, 4 * P, SysStat.other_sys), None],
    ["sysUnreserve of a Ready page", (s, v, P) => s.sysUnreserve(v + P, 2 * P), Ready],
  ];
  it.each(illegal)(
    "illegal transition (%s) throws IllegalTransitionError naming page and state, changing nothing",
    (_, op, state) => {
      // Pages: v Prepared, v+P Ready, v+2P Reserved, v+3P and v+4P None.
      const v = sys.sysReserve(0, 5 * P);
      sys.sysUnreserve(v, 5 * P);
      expect(sys.sysReserve(v, 3 * P)).toBe(v);
      sys.sysMap(v, 2 * P, SysStat.other_sys);
      sys.sysUsed(v + P, P, P);
      sys.write8(v + P, 1);
      const before = snapshot(sys, v, v + 5 * P);
      let err: unknown;
      try {
        op(sys, v, P);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(IllegalTransitionError);
      const e = err as IllegalTransitionError;
      expect(e._tag).toBe("IllegalTransition");
      expect(e.state).toBe(state);
      expect(sys.pageState(e.page)).toBe(state);
      expect(e.message).toContain(`0x${e.page.toString(16)}`);
      expect(snapshot(sys, v, v + 5 * P)).toEqual(before);
      expect(sys.read8(v + P)).toBe(1);
    },
  );

  it("misuse (unaligned, out of range, bad sizes, stats, alignments) throws typed errors and changes nothing", () => {
    const v = sys.sysReserve(0, 2 * P);
    sys.sysMap(v, 2 * P, SysStat.other_sys);
    const before = snapshot(sys, v, v + 2 * P);
    const end = sys.caps.addressSpaceEnd;
    expect(() => sys.sysMap(v + 8, P, SysStat.other_sys)).toThrow(BadAddressError);
    expect(() => sys.sysUnused(v + 1, P)).toThrow(BadAddressError);
    expect(() => sys.sysFree(end, P, SysStat.other_sys)).toThrow(BadAddressError);
    expect(() => sys.sysFault(-P, P)).toThrow(BadAddressError);
    expect(() => sys.sysReserve(v + 4, P)).toThrow(BadAddressError);
    expect(() => sys.sysUsed(v, 0, 0)).toThrow(BadSizeError);
    expect(() => sys.sysUsed(v, P, P + 1)).toThrow(BadSizeError);
    expect(() => sys.sysAlloc(0, SysStat.other_sys)).toThrow(BadSizeError);
    expect(() => sys.sysAlloc(1.5, SysStat.other_sys)).toThrow(BadSizeError);
    expect(() => sys.sysReserve(0, -1)).toThrow(BadSizeError);
    expect(() => sys.sysAlloc(P, 9 as SysStat)).toThrow(BadArgumentError);
    expect(() => sys.sysReserveAligned(0, P, 3 * P)).toThrow(BadAlignError);
    expect(() => sys.sysReserveAligned(0, P + 1, P)).toThrow(BadSizeError);
    expect(() => sys.sysNoHugePage(v + 1, P)).toThrow(BadAddressError);
    expect(() => sys.getRoot(sys.rootSlotCount)).toThrow(BadArgumentError);
    expect(() => sys.statAdd(SysStat.mspan_sys, -1)).toThrow(RuntimeThrow);
    expect(() => sys.sysFree(v, 2 * P, SysStat.mspan_sys)).toThrow("sysMemStat overflow");
    expect(snapshot(sys, v, v + 2 * P)).toEqual(before);
  });

  it("sysReserve honours a free hint and never overlaps an occupied one", () => {
    const a = sys.sysReserve(0, 4 * P);
    sys.sysUnreserve(a, 4 * P);
    const gran = sys.caps.allocGranularity;
    const hint = Math.ceil(a / gran) * gran;
    expect(sys.sysReserve(hint, P)).toBe(hint);
    const b = sys.sysReserve(hint, 2 * P);
    if (sys.caps.sbrk) {
      expect(b).toBe(0);
    } else {
      expect(b).not.toBe(0);
      expect(b + 2 * P <= hint || b >= hint + P).toBe(true);
    }
    expect(sys.stats().reserved).toBe(b === 0 ? P : 3 * P);
  });

  it("sysReserveAligned returns an aligned reservation of the size it reports", () => {
    const align = 16 * sys.caps.allocGranularity;
    sys.sysReserve(0, P); // disturb the alignment of whatever comes next
    const [p, size] = sys.sysReserveAligned(0, 2 * align, align);
    expect(p).toBeGreaterThan(0);
    expect(p % align).toBe(0);
    expect([2 * align, 3 * align]).toContain(size);
    expect(statesOf(sys, p, size).every((s) => s === Reserved)).toBe(true);
    expect(sys.stats().reserved).toBe(P + size);
  });

  it("checked access faults on pages that are not Ready and round-trips values", () => {
    const v = sys.sysReserve(0, 3 * P);
    sys.sysMap(v, 2 * P, SysStat.other_sys);
    sys.sysUsed(v, 2 * P, 2 * P);
    sys.write32(v + P - 2, 0x11223344); // straddles two pages
    expect(sys.read32(v + P - 2)).toBe(0x11223344);
    expect(sys.read8(v + P - 2)).toBe(0x44);
    sys.writeF64(v + 16, Math.PI);
    expect(sys.readF64(v + 16)).toBe(Math.PI);
    sys.writeBytes(v + 100, Uint8Array.of(1, 2, 3));
    const out = new Uint8Array(4);
    sys.readBytes(v + 99, out);
    expect([...out]).toEqual([0, 1, 2, 3]);
    for (const [addr, state] of [
      [v + 2 * P, Reserved],
      [v + 3 * P - 1, Reserved],
    ] as const) {
      const f = (() => {
        try {
          sys.read8(addr);
        } catch (e) {
          return e as MemoryFault;
        }
      })();
      expect(f).toBeInstanceOf(MemoryFault);
      expect(f!.state).toBe(state);
      expect(f!.access).toBe("read");
    }
    expect(() => sys.write32(v + 2 * P - 2, 1)).toThrow(MemoryFault);
    expect(sys.read8(v + 2 * P - 2)).toBe(0); // the faulting write changed nothing
    expect(() => sys.fill(v, 2 * P + 1, 0)).toThrow(MemoryFault);
    expect(() => sys.readF64(sys.caps.addressSpaceEnd - 8)).toThrow(MemoryFault);
  });

  it("viewOf gives the MemView covering an address, sharing bytes with the checked API", () => {
    const p = sys.sysAlloc(2 * P, SysStat.other_sys);
    const view = sys.viewOf(p + P);
    expect(view.covers(p, 2 * P)).toBe(true);
    view.setU32(p + 8, 42);
    view.setF64(p + P, 2.5);
    expect(sys.read32(p + 8)).toBe(42);
    expect(sys.readF64(p + P)).toBe(2.5);
    sys.write8(p + 3, 9);
    expect(view.u8[p + 3 - view.base]).toBe(9);
    sys.touch(p, 2 * P);
    expect(sys.stats().resident).toBe(2 * P);
  });

  it("keeps root slots", () => {
    expect(sys.rootSlotCount).toBeGreaterThanOrEqual(4);
    expect(sys.getRoot(0)).toBe(0);
    sys.setRoot(1, 2 ** 40 + 8);
    expect(sys.getRoot(1)).toBe(2 ** 40 + 8);
    expect(sys.casRoot(1, 5, 6)).toBe(2 ** 40 + 8);
    expect(sys.casRoot(1, 2 ** 40 + 8, 6)).toBe(2 ** 40 + 8);
    expect(sys.getRoot(1)).toBe(6);
  });

  it("fault injection: refusals return Go's failure values and change nothing", () => {
    const v = sys.sysReserve(0, 4 * P);
    const before = snapshot(sys, v, v + 4 * P);
    sys.faults.refuseNextReserve();
    expect(sys.sysReserve(0, P)).toBe(0);
    sys.faults.refuseNextReserve();
    expect(sys.sysAlloc(P, SysStat.other_sys)).toBe(0);
    sys.faults.refuseNextReserve();
    expect(sys.sysReserveAligned(0, P, 4 * P)).toEqual([0, 0]);
    sys.faults.refuseNextMap();
    expect(sys.sysMap(v, 2 * P, SysStat.other_sys)).toBe(false);
    expect(snapshot(sys, v, v + 4 * P)).toEqual(before);
    sys.faults.mappedLimit = P;
    expect(sys.sysMap(v, 2 * P, SysStat.other_sys)).toBe(false);
    expect(sys.sysMap(v, P, SysStat.other_sys)).toBe(true);
    sys.faults.mappedLimit = Number.POSITIVE_INFINITY;
    expect(sys.sysMap(v + P, P, SysStat.other_sys)).toBe(true);
    const mid = snapshot(sys, v, v + 4 * P);
    sys.faults.refuseNextUsed();
    expect(sys.sysUsed(v, 2 * P, 2 * P)).toBe(false);
    sys.faults.commitLimit = P;
    expect(sys.sysUsed(v, 2 * P, 2 * P)).toBe(false);
    expect(sys.sysAlloc(2 * P, SysStat.other_sys)).toBe(0);
    expect(snapshot(sys, v, v + 4 * P)).toEqual(mid);
    expect(sys.sysUsed(v, P, P)).toBe(true);
    sys.faults.clear();
    expect(sys.sysUsed(v, 2 * P, P)).toBe(true);
    expect(sys.faults.reserveCalls).toBe(5);
  });

  it("returns 0 when the address space is exhausted", () => {
    const span = sys.caps.addressSpaceEnd - sys.caps.addressSpaceStart;
    expect(sys.sysReserve(0, span + P)).toBe(0);
    expect(sys.sysAlloc(span + P, SysStat.other_sys)).toBe(0);
    expect(sys.stats().reserved).toBe(0);
  });

  it("records huge-page hints on pages that are not None", () => {
    const v = sys.sysReserve(0, 4 * P);
    sys.sysHugePage(v + 1, 3 * P);
    expect([0, 1, 2, 3].map((i) => sys.hugePageHint(v + i * P))).toEqual(["none", "huge", "huge", "none"]);
    sys.sysNoHugePage(v + 2 * P, 1);
    expect(sys.hugePageHint(v + 2 * P)).toBe("nohuge");
    sys.sysMap(v, 4 * P, SysStat.other_sys);
    expect(sys.hugePageHint(v + P)).toBe("huge");
    sys.sysFree(v, 4 * P, SysStat.other_sys);
    expect(sys.hugePageHint(v + P)).toBe("none");
  });
});
