import { describe, expect, it } from "vitest";
import {
  checkSizeClassTable,
  mksizeclasses,
  SizeClassParamsError,
  type SizeClassTable,
  SizeClassTableError,
} from "../src/index.js";

type Mutable = {
  -readonly [K in keyof SizeClassTable]: SizeClassTable[K] extends readonly (infer E)[] ? E[] : SizeClassTable[K];
};

function broken(edit: (t: Mutable) => void): SizeClassTable {
  const t = JSON.parse(JSON.stringify(mksizeclasses())) as Mutable;
  edit(t);
  return t as SizeClassTable;
}

function brokenInvariant(t: SizeClassTable): string | undefined {
  try {
    checkSizeClassTable(t);
  } catch (e) {
    expect(e).toBeInstanceOf(SizeClassTableError);
    expect((e as SizeClassTableError)._tag).toBe("SizeClassTableError");
    return (e as SizeClassTableError).invariant;
  }
  return undefined;
}

describe("checkSizeClassTable", () => {
  it("passes Go's tables", () => {
    expect(brokenInvariant(mksizeclasses({ goVersion: "1.19" }))).toBeUndefined();
    expect(brokenInvariant(mksizeclasses({ goVersion: "1.26" }))).toBeUndefined();
  });

  it.each<[string, string, (t: Mutable) => void]>([
    [
      "SC0",
      "a missing parameter",
      (t) => {
        delete (t.params as unknown as Record<string, unknown>).tinySize;
      },
    ],
    ["SC0", "a short array", (t) => t.class_to_size.pop()],
    [
      "SC0",
      "a fractional entry",
      (t) => {
        t.size_to_class128[0] = 1.5;
      },
    ],
    [
      "SC1",
      "a non-zero class 0",
      (t) => {
        t.class_to_divmagic[0] = 1;
      },
    ],
    [
      "SC2",
      "two equal sizes",
      (t) => {
        t.class_to_size[2] = 8;
      },
    ],
    [
      "SC3",
      "a misaligned size",
      (t) => {
        t.class_to_size[2] = 12;
      },
    ],
    [
      "SC4",
      "a span without objects",
      (t) => {
        t.class_to_allocnpages[67] = 0;
      },
    ],
    [
      "SC4",
      "too much tail waste",
      (t) => {
        t.class_to_allocnpages[45] = 1;
      },
    ],
    [
      "SC5",
      "a wrong magic",
      (t) => {
        t.class_to_divmagic[3]! += 1;
      },
    ],
    [
      "SC6",
      "a lookup entry one class too big",
      (t) => {
        t.size_to_class8[1] = 2;
      },
    ],
    [
      "SC6",
      "a lookup entry that is too small",
      (t) => {
        t.size_to_class128[5] = 30;
      },
    ],
    [
      "SC9",
      "a wrong tiny class",
      (t) => {
        t.tinySizeClass = 3;
      },
    ],
    [
      "SC9",
      "stale comment-table rows",
      (t) => {
        t.classes[4] = { ...t.classes[4]!, objects: 1 };
      },
    ],
    [
      "SC9",
      "a wrong maximum",
      (t) => {
        t.maxObjsPerSpan = 1;
      },
    ],
  ])("reports %s for %s", (id, _, edit) => {
    expect(brokenInvariant(broken(edit))).toBe(id);
  });

  it("reports SC7 and SC8 on tables Go's generator prints but its runtime cannot use", () => {
    const sc7 = (() => {
      try {
        mksizeclasses({ maxSmallSize: 32832, expectNumSizeClasses: null });
      } catch (e) {
        return e as SizeClassTableError;
      }
    })();
    expect(sc7?.invariant).toBe("SC7");
    expect(sc7?.message).toMatch(
      /^Go 1\.26's mksizeclasses would print this table, but it breaks invariant SC7: no class holds size 32769/,
    );
    const many = { pageShift: 8, smallSizeDiv: 16, smallSizeMax: 2048, largeSizeDiv: 256, minHeapAlign: 16 };
    expect(() => mksizeclasses({ ...many, expectNumSizeClasses: null })).toThrow(
      /breaks invariant SC8: 146 classes do not fit a uint8 spanClass/,
    );
  });

  it("refuses parameters outside the supported domain", () => {
    const t = broken((m) => {
      m.params = { ...m.params, pageShift: 40 };
    });
    expect(() => checkSizeClassTable(t)).toThrow(SizeClassParamsError);
  });
});
