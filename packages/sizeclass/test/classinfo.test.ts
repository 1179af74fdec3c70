import { describe, expect, it } from "vitest";
import { classStats } from "../src/classinfo.js";
import { defaultSizeClasses } from "../src/index.js";

describe("classStats (printComment's numbers)", () => {
  const t = defaultSizeClasses.table;

  it("gives the rows of Go's comment table", () => {
    // Go's sizeclasses.go: "//     3         24        8192      341           8     29.24%          8"
    expect(t.classes[3]).toMatchObject({ size: 24, bytesPerSpan: 8192, objects: 341, tailWaste: 8, minAlign: 8 });
    expect(t.classes[3]!.maxWaste.toFixed(2)).toBe("29.24");
    // "//    65      27264       81920        3         128     10.00%        128"
    expect(t.classes[65]).toMatchObject({ size: 27264, npages: 10, bytesPerSpan: 81920, objects: 3, tailWaste: 128 });
    expect(t.classes[0]).toMatchObject({ sizeclass: 0, size: 0, objects: 0 });
  });

  it("gives Go's alignment table and maxima", () => {
    expect(t.minAligns.map((r) => [r.alignment, r.bits, r.minObjSize])).toEqual([
      [8, 3, 8],
      [16, 4, 32],
      [32, 5, 256],
      [64, 6, 512],
      [128, 7, 768],
      [4096, 12, 28672],
      [8192, 13, 32768],
    ]);
    expect([t.maxObjsPerSpan, t.maxSizeClassNPages]).toEqual([1024, 10]);
  });

  it("caps alignment at the page size and follows the arrays", () => {
    const s = classStats({ pageShift: 4 }, [0, 16, 64], [0, 1, 4]);
    expect(s.classes.map((r) => r.minAlign)).toEqual([0, 16, 16]);
    expect(s.minAligns).toEqual([{ alignment: 16, bits: 4, minObjSize: 16 }]);
    expect(s.classes[2]).toMatchObject({ bytesPerSpan: 64, objects: 1, tailWaste: 0, maxWaste: (100 * (47 * 1)) / 64 });
  });
});
