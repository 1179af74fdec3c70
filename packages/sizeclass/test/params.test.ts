import { describe, expect, it } from "vitest";
import {
  defaultGoVersion,
  defaultParams,
  goVersions,
  isGoVersion,
  mksizeclasses,
  paramRanges,
  resolveParams,
  type SizeClassParams,
  SizeClassParamsError,
} from "../src/index.js";

function attempt(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe("defaultParams", () => {
  it("are Go's constants, the same for both versions", () => {
    expect(defaultParams("1.19")).toEqual({
      goVersion: "1.19",
      pageShift: 13,
      maxSmallSize: 32768,
      smallSizeDiv: 8,
      smallSizeMax: 1024,
      largeSizeDiv: 128,
      minHeapAlign: 8,
      tinySize: 16,
      smallScanNoHeaderMax: 512,
      expectNumSizeClasses: 68,
    });
    expect(defaultParams("1.26")).toEqual({ ...defaultParams("1.19"), goVersion: "1.26" });
    expect(defaultParams()).toBe(defaultParams(defaultGoVersion));
    expect(Object.isFrozen(defaultParams())).toBe(true);
    expect(goVersions).toEqual(["1.19", "1.26"]);
    expect([isGoVersion("1.19"), isGoVersion("1.20"), isGoVersion(1.19)]).toEqual([true, false, false]);
  });

  it("resolveParams fills the defaults of the chosen version", () => {
    expect(resolveParams({ goVersion: "1.19", pageShift: 14 })).toEqual({ ...defaultParams("1.19"), pageShift: 14 });
    expect(resolveParams({ pageShift: undefined })).toEqual(defaultParams());
    expect(resolveParams({ expectNumSizeClasses: null }).expectNumSizeClasses).toBeNull();
  });
});

describe("resolveParams: validation", () => {
  it.each([
    [{ pageShift: 21 }, "pageShift"],
    [{ pageShift: 12.5 }, "pageShift"],
    [{ maxSmallSize: -1 }, "maxSmallSize"],
    [{ smallSizeDiv: 0 }, "smallSizeDiv"],
    [{ largeSizeDiv: Number.NaN }, "largeSizeDiv"],
    [{ minHeapAlign: 0 }, "minHeapAlign"],
    [{ tinySize: 0 }, "tinySize"],
    [{ expectNumSizeClasses: 0 }, "expectNumSizeClasses"],
    [{ pageShift: 4, maxSmallSize: 8192 }, "maxSmallSize"],
    [{ pageshift: 12 } as Partial<SizeClassParams>, "pageshift"],
    [{ goVersion: "1.20" } as unknown as Partial<SizeClassParams>, "goVersion"],
    [{ smallSizeMax: "1024" } as unknown as Partial<SizeClassParams>, "smallSizeMax"],
  ])("%o is refused (%s)", (overrides, param) => {
    const e = attempt(() => mksizeclasses(overrides));
    expect(e).toBeInstanceOf(SizeClassParamsError);
    expect((e as SizeClassParamsError).param).toBe(param);
    expect((e as SizeClassParamsError)._tag).toBe("SizeClassParamsError");
  });

  it("accepts both ends of every range", () => {
    for (const [key, [lo, hi]] of Object.entries(paramRanges)) {
      if (key === "maxSmallSize" || key === "pageShift") continue; // tied together: checked below
      expect(resolveParams({ [key]: lo })[key as keyof SizeClassParams]).toBe(lo);
      expect(resolveParams({ [key]: hi })[key as keyof SizeClassParams]).toBe(hi);
    }
    expect(resolveParams({ pageShift: 0, maxSmallSize: 256 }).maxSmallSize).toBe(256);
    expect(resolveParams({ pageShift: 20, maxSmallSize: 1 << 20 }).pageShift).toBe(20);
  });
});
