import { fc, test } from "@fast-check/vitest";
import { ArrayBufferSysMemory, RuntimeThrow, type SysMemory, SysStat } from "@gomalloc/os-mem";
import { describe, expect, it } from "vitest";
import { checkAddrRanges } from "../src/invariants.js";
import { AddrRanges, addrRangeBytes } from "../src/mranges.js";

const newSys = (bytes = 4 << 20) => ArrayBufferSysMemory.create(new ArrayBuffer(bytes), { physPageSize: 4096 });
function newRanges(sys: SysMemory = newSys(), cap = 16): AddrRanges {
  const rec = sys.sysAlloc(4096, SysStat.other_sys);
  const a = new AddrRanges(
    sys.viewOf(rec),
    rec,
    (n) => sys.sysAlloc(n, SysStat.other_sys),
    (x) => sys.viewOf(x),
  );
  a.init(0, cap);
  return a;
}
function ranges(a: AddrRanges): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < a.len; i++) out.push([a.base(i), a.limit(i)]);
  return out;
}
/** Go's MakeAddrRanges: an immutable set built from sorted ranges. */
function makeRanges(rs: Array<[number, number]>): AddrRanges {
  const a = newRanges(undefined, Math.max(16, rs.length));
  for (const [b, l] of rs) a.add(b, l);
  return a;
}

describe("TestAddrRangesAdd", () => {
  it("coalesces up, down and both ways, and grows its array", () => {
    const a = newRanges();
    const check = (...want: Array<[number, number]>) => {
      checkAddrRanges(a);
      expect(ranges(a)).toEqual(want);
      expect(a.totalBytes).toBe(want.reduce((s, [b, l]) => s + l - b, 0));
    };
    a.add(512, 1024);
    check([512, 1024]);
    a.add(1024, 2048);
    check([512, 2048]);
    a.add(4096, 8192);
    check([512, 2048], [4096, 8192]);
    a.add(3776, 4096);
    check([512, 2048], [3776, 8192]);
    a.add(2048, 3776);
    check([512, 8192]);
    const expected: Array<[number, number]> = [[512, 8192]];
    for (let i = 0; i < 64; i++) {
      const r: [number, number] = [8192 + (i + 1) * 2048, 8192 + (i + 1) * 2048 + 10];
      a.add(r[0], r[1]);
      expected.push(r);
      check(...expected);
    }
    const bottom: Array<[number, number]> = [];
    for (let i = 0; i < 63; i++) {
      const r: [number, number] = [8 + i * 8, 8 + i * 8 + 4];
      a.add(r[0], r[1]);
      bottom.push(r);
      check(...bottom, ...expected);
    }
    expect(a.cap).toBeGreaterThanOrEqual(128);
  });
  it("rejects an empty range", () => {
    expect(() => newRanges().add(10, 10)).toThrow(RuntimeThrow);
  });
});

describe("TestAddrRangesFindSucc", () => {
  const large: Array<[number, number]> = [];
  for (let i = 0; i < 100; i++) large.push([5 + i * 5, 5 + i * 5 + 3]);
  const three: Array<[number, number]> = [
    [6, 10],
    [12, 16],
    [19, 22],
  ];
  const M = Number.MAX_SAFE_INTEGER;
  const cases: Array<[string, number, number, Array<[number, number]>]> = [
    ["Empty", 12, 0, []],
    ["OneBefore", 12, 0, [[14, 16]]],
    ["OneWithin", 14, 1, [[14, 16]]],
    ["OneAfterLimit", 16, 1, [[14, 16]]],
    ["OneAfter", 17, 1, [[14, 16]]],
    ["ThreeBefore", 3, 0, three],
    ["ThreeAfter", 24, 3, three],
    ["ThreeBetween", 11, 1, three],
    ["ThreeWithin", 9, 1, three],
    ["Zero", 0, 1, [[0, 10]]],
    ["Max", M, 1, [[M - 5, M]]],
    ["LargeBefore", 2, 0, large],
    ["LargeAfter", 5 + large.length * 5 + 30, large.length, large],
    ["LargeBetweenLow", 14, 2, large],
    ["LargeBetweenHigh", 249, 49, large],
    ["LargeWithinLow", 25, 5, large],
    ["LargeWithinHigh", 396, 79, large],
    ["LargeWithinMiddle", 250, 50, large],
  ];
  for (const [name, base, want, rs] of cases) {
    it(name, () => expect(makeRanges(rs).findSucc(base)).toBe(want));
  }
});

describe("addrRanges against a sorted-array model", () => {
  test.prop([
    fc.array(fc.tuple(fc.nat(400), fc.integer({ min: 1, max: 12 })), { maxLength: 120 }),
    fc.array(fc.nat(420), { maxLength: 40 }),
  ])("add, contains, findAddrGreaterEqual, removeLast, removeGreaterEqual", (adds, probes) => {
    const a = newRanges(undefined, 2);
    const covered = new Set<number>();
    for (const [b, n] of adds) {
      let free = true;
      for (let x = b; x < b + n; x++) if (covered.has(x)) free = false;
      if (!free) continue;
      a.add(b, b + n);
      for (let x = b; x < b + n; x++) covered.add(x);
      checkAddrRanges(a);
    }
    for (const x of probes) {
      expect(a.contains(x)).toBe(covered.has(x));
      let ge = -1;
      for (let y = x; y <= 420; y++) {
        if (covered.has(y)) {
          ge = y;
          break;
        }
      }
      expect(a.findAddrGreaterEqual(x)).toBe(ge);
    }
    const total = a.totalBytes;
    if (a.len > 0) {
      const lim = a.limit(a.len - 1);
      const b = a.removeLast(3);
      expect(a.removedLimit).toBe(lim);
      expect(a.totalBytes).toBe(total - (lim - b));
      checkAddrRanges(a);
    }
    const cut = probes[0] ?? 200;
    a.removeGreaterEqual(cut);
    checkAddrRanges(a);
    for (let i = 0; i < a.len; i++) expect(a.limit(i)).toBeLessThanOrEqual(cut);
  });
  it("reserve fails cleanly when the metadata allocator is out of memory", () => {
    const sys = newSys();
    const a = newRanges(sys, 1);
    a.add(100, 200);
    sys.faults.refuseNextReserve();
    expect(a.reserve(5)).toBe(false);
    expect(ranges(a)).toEqual([[100, 200]]);
    expect(a.cap).toBe(1);
    expect(addrRangeBytes).toBe(16);
  });
});
