import { describe, expect, it } from "vitest";
import {
  defaultSizeClasses,
  mksizeclasses,
  SizeClasses,
  SizeClassRangeError,
  type SizeClassTable,
  SizeClassTableError,
} from "../src/index.js";

const tables: [string, SizeClasses][] = [
  ["defaults (Go 1.26)", defaultSizeClasses],
  ["Go 1.19", SizeClasses.generate({ goVersion: "1.19" })],
  ["pageShift 14", SizeClasses.generate({ pageShift: 14, expectNumSizeClasses: null })],
  ["Go 1.19, pageShift 15", SizeClasses.generate({ goVersion: "1.19", pageShift: 15, expectNumSizeClasses: null })],
  ["maxSmallSize 16384", SizeClasses.generate({ maxSmallSize: 16384, expectNumSizeClasses: null })],
  ["minHeapAlign 16", SizeClasses.generate({ minHeapAlign: 16, expectNumSizeClasses: null })],
  ["largeSizeDiv 64", SizeClasses.generate({ largeSizeDiv: 64, expectNumSizeClasses: null })],
  [
    "pageShift 4, maxSmallSize 1024",
    SizeClasses.generate({ pageShift: 4, maxSmallSize: 1024, expectNumSizeClasses: null }),
  ],
];

/** smallest[s] = the smallest class whose size is ≥ s, for s in [0, maxSmallSize]. */
function smallestClasses(t: SizeClasses): number[] {
  const out: number[] = [];
  let c = 0;
  for (let s = 0; s <= t.maxSmallSize; s++) {
    while (t.class_to_size[c]! < s) c++;
    out.push(c);
  }
  return out;
}

function roundupOracle(t: SizeClasses, smallest: number[], size: number, noscan: boolean, hdr: number): number {
  const large = Math.ceil(size / t.pageSize) * t.pageSize;
  if (t.goVersion === "1.19") return size < t.maxSmallSize ? t.class_to_size[smallest[size]!]! : large;
  if (size > t.maxSmallSize - 8) return large;
  const req = !noscan && size > hdr ? size + 8 : size;
  return t.class_to_size[smallest[req]!]! - (req - size);
}

describe.each(tables)("SizeClasses: %s", (_, t) => {
  const smallest = smallestClasses(t);

  it("sizeToClass is the smallest class that fits, for every size; 0 past maxSmallSize", () => {
    for (let s = 0; s <= t.maxSmallSize; s++) if (t.sizeToClass(s) !== smallest[s]) expect.fail(`size ${s}`);
    for (const s of [t.maxSmallSize + 1, t.maxSmallSize + 12345, 2 ** 32, 2 ** 53 - 1])
      expect(t.sizeToClass(s)).toBe(0);
  });

  it("roundupsize follows Go's msize.go for every small size and beyond", () => {
    for (let s = 0; s <= t.maxSmallSize + 3 * t.pageSize; s++) {
      for (const noscan of [true, false]) {
        for (const hdr of [512, 128]) {
          const want = roundupOracle(t, smallest, s, noscan, hdr);
          if (t.roundupsize(s, noscan, hdr) !== want) expect.fail(`roundupsize(${s}, ${noscan}, ${hdr}) ≠ ${want}`);
        }
      }
    }
    expect(t.roundupsize(2 ** 40 + 1)).toBe(2 ** 40 + t.pageSize);
    expect(t.roundupsize(2 ** 53 - t.pageSize)).toBe(2 ** 53 - t.pageSize);
  });

  it("class lookups return the table's entries, and nelems is objects per span", () => {
    for (let c = 0; c < t.numSizeClasses; c++) {
      expect(t.classToSize(c)).toBe(t.table.class_to_size[c]);
      expect(t.classToNPages(c)).toBe(t.table.class_to_allocnpages[c]);
      expect(t.classToDivMagic(c)).toBe(t.table.class_to_divmagic[c]);
      expect(t.classToNElems(c)).toBe(c === 0 ? 0 : Math.floor((t.classToNPages(c) * t.pageSize) / t.classToSize(c)));
    }
  });

  it("objIndex(c, off) = floor(off / size) for every class and every offset in its span", () => {
    for (let c = 1; c < t.numSizeClasses; c++) {
      const size = t.class_to_size[c]!;
      const span = t.class_to_allocnpages[c]! * t.pageSize;
      for (let off = 0; off <= span; off++)
        if (t.objIndex(c, off) !== Math.floor(off / size)) expect.fail(`${c} ${off}`);
    }
    expect(t.objIndex(0, 0)).toBe(0);
    expect(t.objIndex(0, 2 ** 32 - 1)).toBe(0);
  });

  it("span classes round-trip: makeSpanClass, sizeclass, noscan", () => {
    expect(t.numSpanClasses).toBe(t.numSizeClasses * 2);
    expect(t.tinySpanClass).toBe(t.makeSpanClass(t.tinySizeClass, true));
    expect(t.class_to_size[t.tinySizeClass]).toBeGreaterThanOrEqual(t.tinySize);
    for (let c = 0; c < t.numSizeClasses; c++) {
      for (const ns of [false, true]) {
        const spc = t.makeSpanClass(c, ns);
        expect(spc).toBe(c * 2 + (ns ? 1 : 0));
        expect(t.sizeclass(spc)).toBe(c);
        expect(t.noscan(spc)).toBe(ns);
      }
    }
  });

  it("answers misuse with SizeClassRangeError and leaves the tables as they were", () => {
    const before = JSON.stringify([...t.class_to_size, ...t.size_to_class8, ...t.size_to_class128]);
    const bad: [string, () => unknown][] = [
      ["sizeToClass(-1)", () => t.sizeToClass(-1)],
      ["sizeToClass(1.5)", () => t.sizeToClass(1.5)],
      ["sizeToClass(NaN)", () => t.sizeToClass(Number.NaN)],
      ["sizeToClass(2^53)", () => t.sizeToClass(2 ** 53)],
      ["classToSize(n)", () => t.classToSize(t.numSizeClasses)],
      ["classToNPages(-1)", () => t.classToNPages(-1)],
      ["classToDivMagic(0.5)", () => t.classToDivMagic(0.5)],
      ["classToNElems(n)", () => t.classToNElems(t.numSizeClasses)],
      ["roundupsize(-8)", () => t.roundupsize(-8)],
      ["roundupsize(2^53)", () => t.roundupsize(2 ** 53)],
      ["roundupsize(header NaN)", () => t.roundupsize(600, false, Number.NaN)],
      ["objIndex(1, span+1)", () => t.objIndex(1, t.class_to_allocnpages[1]! * t.pageSize + 1)],
      ["objIndex(1, -1)", () => t.objIndex(1, -1)],
      ["objIndex(n, 0)", () => t.objIndex(t.numSizeClasses, 0)],
      ["makeSpanClass(n)", () => t.makeSpanClass(t.numSizeClasses, true)],
      ["sizeclass(numSpanClasses)", () => t.sizeclass(t.numSpanClasses)],
      ["noscan(-1)", () => t.noscan(-1)],
    ];
    for (const [what, f] of bad) {
      expect(f, what).toThrow(SizeClassRangeError);
      try {
        f();
      } catch (e) {
        expect((e as SizeClassRangeError)._tag).toBe("SizeClassRangeError");
      }
    }
    expect(JSON.stringify([...t.class_to_size, ...t.size_to_class8, ...t.size_to_class128])).toBe(before);
    expect(t.sizeToClass(1)).toBe(1);
  });
});

describe("SizeClasses.fromTable", () => {
  it("wraps a checked copy of a generated table", () => {
    const copy = JSON.parse(
      JSON.stringify(mksizeclasses({ minHeapAlign: 16, expectNumSizeClasses: null })),
    ) as SizeClassTable;
    const t = SizeClasses.fromTable(copy);
    expect(t.sizeToClass(17)).toBe(2);
    expect(t.numSizeClasses).toBe(copy.numSizeClasses);
  });

  it("refuses a table with a wrong entry", () => {
    const copy = JSON.parse(JSON.stringify(mksizeclasses())) as { size_to_class8: number[] } & SizeClassTable;
    copy.size_to_class8[3] = 4;
    expect(() => SizeClasses.fromTable(copy)).toThrow(SizeClassTableError);
  });

  it("exposes Go's defaults", () => {
    expect(SizeClasses.defaults).toBe(defaultSizeClasses);
    expect(defaultSizeClasses.goVersion).toBe("1.26");
    expect([
      defaultSizeClasses.numSizeClasses,
      defaultSizeClasses.numSpanClasses,
      defaultSizeClasses.tinySpanClass,
    ]).toEqual([68, 136, 5]);
  });
});
