import { describe, expect, it } from "vitest";
import * as sc from "../src/index.js";

const d = sc.defaultSizeClasses;

describe("msize: module-level lookups on the default tables", () => {
  it("export Go's constants", () => {
    expect([sc.pageShift, sc.pageSize, sc.maxSmallSize, sc.smallSizeDiv, sc.smallSizeMax, sc.largeSizeDiv]).toEqual([
      13, 8192, 32768, 8, 1024, 128,
    ]);
    expect([sc.numSizeClasses, sc.tinySize, sc.tinySizeClass, sc.maxObjsPerSpan]).toEqual([68, 16, 2, 1024]);
    expect(sc.class_to_size).toBe(d.class_to_size);
    expect(sc.size_to_class128).toBe(d.size_to_class128);
  });

  it("agree with defaultSizeClasses for every size, class and offset", () => {
    for (let s = 0; s <= sc.maxSmallSize + 2 * sc.pageSize; s++) {
      if (sc.sizeToClass(s) !== d.sizeToClass(s)) expect.fail(`sizeToClass(${s})`);
      for (const noscan of [true, false]) {
        if (sc.roundupsize(s, noscan) !== d.roundupsize(s, noscan)) expect.fail(`roundupsize(${s}, ${noscan})`);
        if (sc.roundupsize(s, noscan, 128) !== d.roundupsize(s, noscan, 128)) expect.fail(`roundupsize(${s}, 128)`);
      }
    }
    for (let c = 0; c < sc.numSizeClasses; c++) {
      expect([sc.classToSize(c), sc.classToNPages(c), sc.classToDivMagic(c), sc.classToNElems(c)]).toEqual([
        d.classToSize(c),
        d.classToNPages(c),
        d.classToDivMagic(c),
        d.classToNElems(c),
      ]);
      const span = d.class_to_allocnpages[c]! * d.pageSize;
      for (let off = 0; off <= span; off += 7)
        if (sc.objIndex(c, off) !== d.objIndex(c, off)) expect.fail(`${c} ${off}`);
    }
  });

  it("give Go's answers", () => {
    expect([1, 8, 9, 16, 17, 24, 25, 1023, 1024, 1025, 1152, 1153, 32767, 32768, 32769].map(sc.sizeToClass)).toEqual([
      1, 1, 2, 2, 3, 3, 4, 32, 32, 33, 33, 34, 67, 67, 0,
    ]);
    expect(sc.roundupsize(0)).toBe(0);
    expect(sc.roundupsize(1)).toBe(8);
    expect(sc.roundupsize(600)).toBe(640);
    expect(sc.roundupsize(600, false)).toBe(632); // 608 with its header → 640, minus the header
    expect(sc.roundupsize(512, false)).toBe(512); // at MinSizeForMallocHeader: no header
    expect(sc.roundupsize(32761)).toBe(32768); // past maxSmallSize - MallocHeaderSize: whole pages
    expect(sc.roundupsize(40000)).toBe(40960);
    expect(sc.classToNElems(1)).toBe(1024);
    expect(sc.objIndex(5, 48 * 170 - 1)).toBe(169);
  });

  it("refuse what is outside their domain", () => {
    for (const f of [
      () => sc.sizeToClass(-1),
      () => sc.sizeToClass(0.5),
      () => sc.roundupsize(-1),
      () => sc.roundupsize(2 ** 53),
      () => sc.roundupsize(100, false, -1),
      () => sc.classToSize(68),
      () => sc.classToNPages(68),
      () => sc.classToDivMagic(-1),
      () => sc.classToNElems(1.5),
      () => sc.objIndex(1, 8193),
      () => sc.objIndex(68, 0),
    ]) {
      expect(f).toThrow(sc.SizeClassRangeError);
    }
  });
});
