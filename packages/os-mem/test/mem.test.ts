// Random transition sequences (legal, illegal and refused) against a simple
// model of Go's mem.go: after every step the page states, the exact counters,
// Go's mappedReady and every stat agree, and the backend's invariants hold.
import {
  IllegalTransitionError,
  PartialReleaseError,
  RuntimeThrow,
  type SysMemory,
  type SysStat,
  sysStatCount,
} from "@gomalloc/os-mem";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backendCases, None, Prepared, Ready, Reserved } from "./backends.js";
import { propSeed } from "./seed.js";

/** The obviously-correct model: a map from page address to state, and Go's counters. */
class Model {
  readonly states = new Map<number, number>();
  /** Reservation extents, for the Windows whole-release rule. */
  readonly reservations = new Map<number, number>();
  readonly acct = { reserved: 0, prepared: 0, ready: 0, mappedReady: 0 };
  readonly stats: number[] = new Array(sysStatCount).fill(0);
  constructor(
    readonly P: number,
    readonly wholeOnly: boolean,
  ) {}
  state(a: number): number {
    return this.states.get(a) ?? None;
  }
  /** First page of `[v, v+bytes)` whose state is not in `ok`, or -1. */
  firstBad(v: number, bytes: number, ok: number[]): number {
    for (let a = v; a < v + bytes; a += this.P) if (!ok.includes(this.state(a))) return a;
    return -1;
  }
  set(v: number, bytes: number, to: number): void {
    const key = ["", "reserved", "prepared", "ready"] as const;
    for (let a = v; a < v + bytes; a += this.P) {
      const s = this.state(a);
      if (s !== None) this.acct[key[s] as "reserved"] -= this.P;
      if (to !== None) this.acct[key[to] as "reserved"] += this.P;
      if (to === None) this.states.delete(a);
      else this.states.set(a, to);
    }
  }
  count(v: number, bytes: number, s: number): number {
    let n = 0;
    for (let a = v; a < v + bytes; a += this.P) if (this.state(a) === s) n += this.P;
    return n;
  }
  releasable(v: number, bytes: number): boolean {
    return !this.wholeOnly || this.reservations.get(v) === bytes;
  }
}

type Op =
  | { k: "alloc"; pages: number; short: number; stat: number; refuse: boolean }
  | { k: "reserve"; pages: number; hint: number; refuse: boolean }
  | {
      k: "map" | "used" | "unused" | "fault" | "free" | "unreserve";
      slot: number;
      off: number;
      pages: number;
      stat: number;
      refuse: boolean;
    };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    k: fc.constant("alloc" as const),
    pages: fc.integer({ min: 1, max: 4 }),
    short: fc.nat(100),
    stat: fc.nat(sysStatCount - 1),
    refuse: fc.boolean(),
  }),
  fc.record({
    k: fc.constant("reserve" as const),
    pages: fc.integer({ min: 1, max: 8 }),
    hint: fc.integer({ min: -1, max: 6 }),
    refuse: fc.boolean(),
  }),
  fc.record({
    k: fc.constantFrom("map", "used", "unused", "fault", "free", "unreserve"),
    slot: fc.nat(),
    off: fc.nat(7),
    pages: fc.integer({ min: 1, max: 8 }),
    stat: fc.nat(sysStatCount - 1),
    refuse: fc.boolean(),
  }),
);

/** Applies `op` to the backend and, where the model says it is legal and not refused, to the model. */
function step(sys: SysMemory, m: Model, regions: [number, number][], op: Op): void {
  const P = m.P;
  const before = JSON.stringify([...m.states]);
  const expectUnchanged = () => expect(JSON.stringify([...m.states])).toBe(before);
  if (op.k === "alloc") {
    const n = op.pages * P - Math.min(op.short, P - 1);
    if (op.refuse) sys.faults.refuseNextReserve();
    const p = sys.sysAlloc(n, op.stat as SysStat);
    if (op.refuse) {
      expect(p).toBe(0);
      return;
    }
    expect(p).not.toBe(0);
    expect(m.firstBad(p, op.pages * P, [None])).toBe(-1);
    m.set(p, op.pages * P, Ready);
    m.reservations.set(p, op.pages * P);
    m.stats[op.stat]! += n;
    m.acct.mappedReady += n;
    regions.push([p, op.pages]);
    return;
  }
  if (op.k === "reserve") {
    const bytes = op.pages * P;
    const gran = sys.caps.allocGranularity;
    const anchor = op.hint < 0 || regions.length === 0 ? 0 : regions[op.hint % regions.length]![0];
    const hint = anchor === 0 ? 0 : Math.ceil((anchor + ((op.hint % 3) - 1) * gran) / gran) * gran;
    if (op.refuse) sys.faults.refuseNextReserve();
    const p = sys.sysReserve(hint, bytes);
    if (op.refuse) {
      expect(p).toBe(0);
      return;
    }
    const { addressSpaceStart: lo, addressSpaceEnd: hi } = sys.caps;
    const hintFree = hint !== 0 && hint >= lo && hint + bytes <= hi && m.firstBad(hint, bytes, [None]) < 0;
    if (hintFree) expect(p).toBe(hint);
    else if (hint !== 0 && sys.caps.sbrk) {
      expect(p).toBe(0);
      return;
    }
    expect(p).not.toBe(0);
    expect(m.firstBad(p, bytes, [None])).toBe(-1);
    m.set(p, bytes, Reserved);
    m.reservations.set(p, bytes);
    regions.push([p, op.pages]);
    return;
  }
  if (regions.length === 0) return;
  const [rb, rp] = regions[op.slot % regions.length]!;
  let v = rb + Math.min(op.off, rp - 1) * P;
  let bytes = Math.min(op.pages, rp + 2) * P;
  if (op.k === "free" || op.k === "unreserve") {
    // Mostly whole regions (always legal on Windows-like backends), sometimes parts.
    if (op.off % 2 === 0) {
      v = rb;
      bytes = rp * P;
    }
  }
  if (v + bytes > sys.caps.addressSpaceEnd) bytes = sys.caps.addressSpaceEnd - v;
  const legal: Record<string, number[]> = {
    map: [Reserved],
    used: [Prepared, Ready],
    unused: [Ready],
    fault: [Prepared, Ready],
    free: [Reserved, Prepared, Ready],
    unreserve: [Reserved],
  };
  const bad = m.firstBad(v, bytes, legal[op.k]!);
  const call = (): unknown => {
    switch (op.k) {
      case "map":
        if (op.refuse) sys.faults.refuseNextMap();
        return sys.sysMap(v, bytes, op.stat as SysStat);
      case "used":
        if (op.refuse) sys.faults.refuseNextUsed();
        return sys.sysUsed(v, bytes, m.count(v, bytes, Prepared));
      case "unused":
        return sys.sysUnused(v, bytes);
      case "fault":
        return sys.sysFault(v, bytes);
      case "free":
        return sys.sysFree(v, bytes, op.stat as SysStat);
      case "unreserve":
        return sys.sysUnreserve(v, bytes);
    }
  };
  let result: unknown;
  let err: unknown;
  try {
    result = call();
  } catch (e) {
    err = e;
  } finally {
    sys.faults.clear();
  }
  if (bad >= 0) {
    expect(err).toBeInstanceOf(IllegalTransitionError);
    expect((err as IllegalTransitionError).page).toBe(bad);
    expect((err as IllegalTransitionError).state).toBe(m.state(bad));
    expectUnchanged();
    return;
  }
  if ((op.k === "free" || op.k === "unreserve") && !m.releasable(v, bytes)) {
    expect(err).toBeInstanceOf(PartialReleaseError);
    expectUnchanged();
    return;
  }
  if (op.k === "free" && m.stats[op.stat]! - bytes < 0) {
    expect(err).toBeInstanceOf(RuntimeThrow);
    expectUnchanged();
    return;
  }
  if (err !== undefined) throw err;
  if ((op.k === "map" || op.k === "used") && op.refuse) {
    expect(result).toBe(false);
    expectUnchanged();
    return;
  }
  switch (op.k) {
    case "map":
      expect(result).toBe(true);
      m.set(v, bytes, Prepared);
      m.stats[op.stat]! += bytes;
      break;
    case "used":
      expect(result).toBe(true);
      m.acct.mappedReady += m.count(v, bytes, Prepared);
      m.set(v, bytes, Ready);
      break;
    case "unused":
      m.set(v, bytes, Prepared);
      m.acct.mappedReady -= bytes;
      break;
    case "fault":
      m.set(v, bytes, Reserved);
      m.acct.mappedReady -= bytes;
      break;
    case "free":
    case "unreserve":
      if (op.k === "free") {
        m.stats[op.stat]! -= bytes;
        m.acct.mappedReady -= bytes;
      }
      m.set(v, bytes, None);
      m.reservations.delete(v);
      break;
  }
}

function agree(sys: SysMemory, m: Model, regions: [number, number][]): void {
  for (const [b, pages] of regions) {
    for (let a = b - m.P; a < b + (pages + 2) * m.P; a += m.P) {
      if (a < sys.caps.addressSpaceStart || a >= sys.caps.addressSpaceEnd) continue;
      expect(sys.pageState(a), `page ${a}`).toBe(m.state(a));
    }
  }
  const st = sys.stats();
  expect({ reserved: st.reserved, prepared: st.prepared, ready: st.ready, mappedReady: st.mappedReady }).toEqual(
    m.acct,
  );
  expect(Object.values(st.stats)).toEqual(m.stats);
  expect(st.sys).toBe(m.stats.reduce((x, y) => x + y, 0));
}

describe("mem.go transitions against a model", () => {
  it.each(backendCases)("random sequences agree with the model after every step: $name", ({ make }) => {
    const seed = propSeed("mem.go model");
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => {
        const sys = make();
        const m = new Model(sys.physPageSize, !sys.caps.canReleasePart);
        const regions: [number, number][] = [];
        for (const op of ops) {
          step(sys, m, regions, op);
          agree(sys, m, regions);
          sys.checkInvariants({ contents: sys.caps.backend !== "arraybuffer" || sys.caps.canGrow });
        }
      }),
      { seed, numRuns: 30 },
    );
  });
});
