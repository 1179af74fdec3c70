import { readFileSync } from "node:fs";
import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import {
  checkSizeClassTable,
  emitGo,
  MkSizeClassesError,
  mksizeclasses,
  type SizeClassParams,
  SizeClassParamsError,
  type SizeClassTable,
  SizeClassTableError,
} from "../src/index.js";
import { mksizeclassesUnchecked } from "../src/mksizeclasses.js";

interface GoCase {
  name: string;
  goVersion: "1.19" | "1.26";
  params: Omit<SizeClassParams, "goVersion">;
  output: string | null;
  panic: string | null;
  printed: string;
  compileError: string | null;
}

const fixture = JSON.parse(readFileSync(new URL("./fixtures/mksizeclasses-go.json", import.meta.url), "utf8")) as {
  generator: GoCase[];
};

function attempt<T>(f: () => T): { value?: T; error?: unknown } {
  try {
    return { value: f() };
  } catch (error) {
    return { error };
  }
}

describe("TestMksizeclasses: Go's own generator on other parameters (goracle fixtures)", () => {
  it.each(fixture.generator.map((c) => [`Go ${c.goVersion}: ${c.name}`, c] as const))("%s", (_, c) => {
    const params = { ...c.params, goVersion: c.goVersion };
    const raw = attempt(() => mksizeclassesUnchecked(params));
    if (c.output !== null) {
      // Go prints a table: ours is the same file; we hand it out unless it breaks an invariant.
      expect(raw.error).toBeUndefined();
      expect(emitGo(raw.value!)).toBe(c.output);
      const checked = attempt(() => mksizeclasses(params));
      if (checked.error !== undefined) {
        expect(checked.error).toBeInstanceOf(SizeClassTableError);
        expect((checked.error as Error).message).toMatch(
          /^Go 1\.\d+'s mksizeclasses would print this table, but it breaks/,
        );
      } else {
        expect(emitGo(checked.value!)).toBe(c.output);
      }
    } else {
      // Go refuses: so do we, with Go's words.
      expect(raw.error).toBeInstanceOf(MkSizeClassesError);
      const e = raw.error as MkSizeClassesError;
      expect(e._tag).toBe("MkSizeClassesError");
      expect(e.goFailure).toBe(c.panic !== null ? "panic" : "compile");
      expect(e.goReason).toBe(c.panic ?? c.compileError);
      expect(e.goPrinted).toBe(c.printed);
      expect(() => mksizeclasses(params)).toThrow(MkSizeClassesError);
    }
  });

  it("covers accepted tables, Go refusals and tables only we refuse", () => {
    const kinds = new Set(
      fixture.generator.map((c) => {
        if (c.output === null) return "go-refuses";
        return attempt(() => mksizeclasses({ ...c.params, goVersion: c.goVersion })).error ? "we-refuse" : "accepted";
      }),
    );
    expect([...kinds].sort()).toEqual(["accepted", "go-refuses", "we-refuse"]);
  });
});

describe("default tables", () => {
  it("Go 1.19 and Go 1.26 generate the same tables", () => {
    const a = mksizeclasses({ goVersion: "1.19" });
    const b = mksizeclasses({ goVersion: "1.26" });
    const { params: _a, ...ta } = a;
    const { params: _b, ...tb } = b;
    expect(ta).toEqual(tb);
    expect(a.numSizeClasses).toBe(68);
    expect(a.tinySizeClass).toBe(2);
    expect(a.maxObjsPerSpan).toBe(1024);
    expect(a.maxSizeClassNPages).toBe(10);
  });

  it("asks for 68 classes by default, like Go", () => {
    const e = attempt(() => mksizeclasses({ pageShift: 14 })).error as MkSizeClassesError;
    expect(e.goReason).toBe("number of size classes has changed");
    expect(e.message).toContain("set expectNumSizeClasses to");
    expect(mksizeclasses({ pageShift: 14, expectNumSizeClasses: null }).numSizeClasses).toBeGreaterThan(0);
  });
});

// Independent oracles for accepted tables.

/** floor(n * m / 2^32), by plain doubles while the product is exact, else BigInt. */
function mulhiOracle(n: number, m: number): number {
  return n * m < 2 ** 53 ? Math.floor((n * m) / 2 ** 32) : Number((BigInt(n) * BigInt(m)) >> 32n);
}

/** Brute force like Go's own check: every offset of every class. */
function bruteForceDivMagic(t: SizeClassTable): void {
  const pageSize = 2 ** t.params.pageShift;
  for (let c = 1; c < t.numSizeClasses; c++) {
    const d = t.class_to_size[c]!;
    const m = t.class_to_divmagic[c]!;
    expect(m).toBe(Number(((2n ** 32n - 1n) / BigInt(d) + 1n) % 2n ** 32n));
    const max = t.class_to_allocnpages[c]! * pageSize;
    for (let n = 0; n <= max; n++) {
      if (mulhiOracle(n, m) !== Math.floor(n / d)) expect.fail(`class ${c}: d=${d} m=${m} n=${n}`);
    }
  }
}

/** Every size maps, through Go's two tables, to the smallest class that holds it. */
function bruteForceLookup(t: SizeClassTable): void {
  const p = t.params;
  for (let s = 1; s <= p.maxSmallSize; s++) {
    const smallest = t.class_to_size.findIndex((size) => size >= s);
    const got =
      s <= p.smallSizeMax
        ? t.size_to_class8[Math.ceil(s / p.smallSizeDiv)]
        : t.size_to_class128[Math.ceil((s - p.smallSizeMax) / p.largeSizeDiv)];
    if (got !== smallest) expect.fail(`size ${s}: lookup ${got}, smallest ${smallest}`);
  }
}

const arbParams = fc.record({
  goVersion: fc.constantFrom("1.19" as const, "1.26" as const),
  pageShift: fc.integer({ min: 6, max: 15 }),
  maxSmallSize: fc.oneof(fc.constantFrom(4096, 8192, 16384, 32768), fc.integer({ min: 0, max: 40000 })),
  smallSizeDiv: fc.constantFrom(4, 8, 16),
  smallSizeMax: fc.constantFrom(256, 512, 1024, 2048),
  largeSizeDiv: fc.constantFrom(32, 64, 128, 256, 96),
  minHeapAlign: fc.constantFrom(4, 8, 16, 32, 12),
  tinySize: fc.constantFrom(8, 16, 24, 32),
  smallScanNoHeaderMax: fc.constantFrom(128, 512),
  expectNumSizeClasses: fc.constant(null),
});

/** Parameters shaped so that Go's lookups can work: about a third give accepted tables. */
const arbLookupFriendly = fc
  .record({
    goVersion: fc.constantFrom("1.19" as const, "1.26" as const),
    pageShift: fc.integer({ min: 11, max: 15 }),
    smallSizeDiv: fc.constantFrom(8, 16),
    smallSizeMax: fc.constantFrom(512, 1024, 2048),
    largeSizeDiv: fc.constantFrom(64, 128),
    minHeapAlign: fc.constantFrom(8, 16),
    tinySize: fc.constantFrom(8, 16),
    smallScanNoHeaderMax: fc.constantFrom(128, 512),
    expectNumSizeClasses: fc.constant(null),
    k: fc.integer({ min: 0, max: 500 }),
  })
  .map(({ k, ...p }) => ({ ...p, maxSmallSize: p.smallSizeMax + k * p.largeSizeDiv }));

/** Accepted → the checker and both brute-force oracles agree; refused → one of our typed errors. */
function acceptedTablesHold(params: Partial<SizeClassParams>): boolean {
  const r = attempt(() => mksizeclasses(params));
  if (r.error !== undefined) {
    const typed =
      r.error instanceof MkSizeClassesError ||
      r.error instanceof SizeClassTableError ||
      r.error instanceof SizeClassParamsError;
    expect(typed, String(r.error)).toBe(true);
    return false;
  }
  const t = r.value!;
  checkSizeClassTable(t);
  for (let c = 1; c < t.numSizeClasses; c++) {
    expect(t.class_to_size[c]!).toBeGreaterThan(t.class_to_size[c - 1]!);
    expect(t.class_to_size[c]! % t.params.minHeapAlign).toBe(0);
  }
  bruteForceDivMagic(t);
  bruteForceLookup(t);
  return true;
}

describe("mksizeclasses over a range of parameters", () => {
  test.prop([arbParams], { numRuns: 150 })("any parameters: a valid table or a typed refusal", (params) => {
    acceptedTablesHold(params);
  });

  test.prop([arbLookupFriendly], { numRuns: 25 })(
    "lookup-friendly parameters: a valid table or a typed refusal",
    (params) => {
      acceptedTablesHold(params);
    },
  );

  it("accepts enough of a fixed sample (seed 42) for the properties above not to be vacuous", () => {
    const accepted = fc.sample(arbLookupFriendly, { seed: 42, numRuns: 80 }).filter(acceptedTablesHold).length;
    expect(accepted).toBeGreaterThanOrEqual(15);
  });

  it("accepts Go's parameters with 16 KiB and 32 KiB pages", () => {
    for (const pageShift of [14, 15]) expect(acceptedTablesHold({ pageShift, expectNumSizeClasses: null })).toBe(true);
  });
});
