import { describe, expect, it } from "vitest";
import {
  emitJSON,
  emitTable,
  goNames,
  goVersions,
  mksizeclasses,
  SizeClassParamsError,
  SizeClassTableError,
  tableFromJSON,
  toJSON,
} from "../src/index.js";

describe("emitJSON / tableFromJSON", () => {
  it.each(goVersions)("Go %s: keys are Go's identifiers, and the document reads back to the same table", (v) => {
    for (const params of [{ goVersion: v }, { goVersion: v, pageShift: 14, expectNumSizeClasses: null }]) {
      const t = mksizeclasses(params);
      const text = emitJSON(t);
      const doc = JSON.parse(text);
      const g = goNames(v);
      expect(Object.keys(doc.tables)).toEqual([
        g.class_to_size,
        g.class_to_allocnpages,
        g.class_to_divmagic,
        g.size_to_class8,
        g.size_to_class128,
      ]);
      expect(doc.constants[g.numSizeClasses]).toBe(t.numSizeClasses);
      expect(doc).toEqual(JSON.parse(JSON.stringify(toJSON(t))));
      expect(tableFromJSON(text)).toEqual(t);
      expect(tableFromJSON(doc)).toEqual(t);
    }
  });

  it("writes number arrays and flat records on one line each", () => {
    const text = emitJSON(mksizeclasses());
    expect(text).toContain('"SizeClassToSize": [0, 8, 16, 24, 32, 48,');
    expect(text).toContain('{ "sizeclass": 1, "size": 8, "npages": 1,');
    expect(text.split("\n").length).toBeLessThan(120);
  });

  it("refuses documents that are not a valid table", () => {
    const doc = JSON.parse(emitJSON(mksizeclasses({ goVersion: "1.19" })));
    expect(() => tableFromJSON({})).toThrow(SizeClassTableError);
    expect(() => tableFromJSON(null)).toThrow(SizeClassTableError);
    // Text that is not JSON: the shape invariant too (JSON.parse's SyntaxError before).
    for (const text of ["", "{", "not json", emitJSON(mksizeclasses()).slice(0, 100)]) {
      expect(() => tableFromJSON(text)).toThrow(SizeClassTableError);
    }
    doc.tables.class_to_size[5] = 40;
    expect(() => tableFromJSON(doc)).toThrow(SizeClassTableError);
    doc.tables.class_to_size[5] = 48;
    expect(tableFromJSON(doc).class_to_size[5]).toBe(48);
    doc.params.pageShift = 99;
    expect(() => tableFromJSON(doc)).toThrow(SizeClassParamsError);
  });
});

describe("emitTable", () => {
  it("prints the parameters, a summary, one row per class and the alignments", () => {
    const text = emitTable(mksizeclasses());
    const lines = text.split("\n");
    expect(lines[0]).toBe(
      "Go 1.26 size classes: pageShift 13, maxSmallSize 32768, smallSizeDiv 8, smallSizeMax 1024, largeSizeDiv 128, minHeapAlign 8, tinySize 16",
    );
    expect(lines[1]).toBe(
      "68 size classes (136 span classes), tiny size class 2, at most 1024 objects and 10 pages per span",
    );
    expect(lines[3]).toBe("class  bytes/obj  bytes/span  pages  objects  tail waste  max waste  min align    divmagic");
    expect(lines[4]).toBe("    1          8        8192      1     1024           0     87.50%          8   536870912");
    expect(lines[4 + 66]).toMatch(/^ {3}67 {6}32768 {7}32768 {6}4 {8}1 /);
    expect(text).toContain("alignment  bits  min obj size\n        8     3             8\n");
    expect(text.endsWith("     8192    13         32768\n")).toBe(true);
  });
});
