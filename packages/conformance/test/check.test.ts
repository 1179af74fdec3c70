import { fc, test as propTest } from "@fast-check/vitest";
import { goVersions, listPairs, profilesToJSON, UnknownGoVersionError } from "@gomalloc/arch";
import { describe, expect, test } from "vitest";
import {
  type ConformanceReport,
  checkArch,
  checkDump as checkDumpRaw,
  DumpFormatError,
  type GoFixtures,
  loadFixtures,
  parseDump,
  reportViolations,
} from "../src/index.js";

/** checkDump, with REPORT-1…3 checked on every report it returns. */
function checkDump(...args: Parameters<typeof checkDumpRaw>): ConformanceReport {
  const r = checkDumpRaw(...args);
  expect(reportViolations(r)).toEqual([]);
  return r;
}

describe("checkArch", () => {
  test.each(goVersions)("Go %s: every pair passes against the fixtures", (v) => {
    const r = checkArch(v);
    expect(reportViolations(r)).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.failed).toBe(0);
    expect(r.pairs.map((p) => p.pair)).toEqual(listPairs(v));
    expect(r.checked).toBe(r.pairs.reduce((n, p) => n + p.checked, 0) + (r.sizeclasses?.checked ?? 0));
    expect(r.sizeclasses?.ok).toBe(true);
    expect(r.source).toBe(`fixtures (${loadFixtures(v).goVersion})`);
  });

  test("fails, naming the constant, when Go's values differ", () => {
    const fx = loadFixtures("1.26");
    const constants = { ...fx.constants, "linux/amd64": { ...fx.constants["linux/amd64"], heapAddrBits: 47 } };
    const against: GoFixtures = { ...fx, constants };
    const r = checkArch("1.26", { against, source: "edited" });
    expect(reportViolations(r)).toEqual([]);
    expect(r.ok).toBe(false);
    expect(r.failed).toBe(1);
    const bad = r.pairs.filter((p) => !p.ok);
    expect(bad.map((p) => p.issues[0]?.message)).toEqual(["go1.26 linux/amd64 heapAddrBits: expected 47, actual 48"]);
    expect(r.source).toBe("edited");
  });

  test("refuses Go values of another release", () => {
    expect(() => checkArch("1.19", { against: loadFixtures("1.26") })).toThrow(DumpFormatError);
    expect(() => checkArch("1.22")).toThrow(UnknownGoVersionError);
  });
});

describe("checkDump", () => {
  test("a full dump made from arch passes, complete", () => {
    for (const v of goVersions) {
      const fx = loadFixtures(v);
      const dump = { goVersion: fx.goVersion, constants: profilesToJSON(v), sizeclasses: fx.sizeclasses };
      const r = checkDump(v, JSON.parse(JSON.stringify(dump)), { requireComplete: true });
      expect(r.ok).toBe(true);
      expect(r.sizeclasses?.checked).toBeGreaterThan(300);
    }
  });

  test("a partial dump is checked for what it has", () => {
    const r = checkDump("1.19", { constants: { "linux/amd64": { heapAddrBits: 48, _PageShift: 13 } } });
    expect([r.ok, r.checked, r.pairs.length, r.sizeclasses]).toEqual([true, 2, 1, undefined]);
    const c = checkDump("1.19", { constants: { "linux/amd64": { heapAddrBits: 48 } } }, { requireComplete: true });
    expect(c.ok).toBe(false);
    expect(c.sizeclasses?.issues.length).toBeGreaterThan(0);
    expect(c.pairs.filter((p) => p.issues.some((i) => i.kind === "missing" && i.constant === undefined))).toHaveLength(
      45,
    );
  });

  test("bare constants maps and bare sizeclasses files are dumps too", () => {
    expect(checkDump("1.26", { "js/wasm": { heapArenaBytes: 524288 } }).ok).toBe(true);
    const r = checkDump("1.26", { tables: { SizeClassToSize: [0, 8, 16, 32] } });
    expect(r.ok).toBe(false);
    expect(r.sizeclasses?.issues.map((i) => i.message)).toContain("go1.26 SizeClassToSize[3]: expected 24, actual 32");
  });

  propTest.prop([
    fc.constantFrom(...goVersions).chain((v) => {
      const fx = loadFixtures(v);
      const pairs = Object.keys(fx.constants);
      return fc.tuple(
        fc.constant(v),
        fc.constantFrom(...pairs),
        fc.constantFrom(...Object.keys(fx.constants[pairs[0] as string] ?? {})),
        fc.integer({ min: 1, max: 1000 }),
      );
    }),
  ])(
    "changing one value of a correct dump is reported with its pair, constant and values",
    ([v, pair, name, delta]) => {
      const fx = loadFixtures(v);
      const want = fx.constants[pair]?.[name];
      fc.pre(want !== undefined);
      const bad =
        typeof want === "boolean"
          ? !want
          : typeof want === "string"
            ? (BigInt(want) + BigInt(delta)).toString()
            : Array.isArray(want)
              ? [...want, delta]
              : (want as number) + delta;
      const r = checkDump(v, { constants: { [pair]: { ...fx.constants[pair], [name]: bad } } });
      expect(r.failed).toBe(1);
      const issue = r.pairs[0]?.issues[0];
      expect(issue).toMatchObject({ kind: "mismatch", pair, constant: name, expected: want, actual: bad });
      expect(issue?.message.startsWith(`go${v} ${pair} ${name}: expected `)).toBe(true);
    },
  );

  test.each([
    [null, "$"],
    [[1], "$"],
    [{}, "$"],
    [{ constants: { linux: {} } }, '$.constants["linux"]'],
    [{ constants: { "linux/amd64": { heapAddrBits: "48.0" } } }, '$.constants["linux/amd64"].heapAddrBits'],
    [{ constants: { "linux/amd64": { heapAddrBits: null } } }, '$.constants["linux/amd64"].heapAddrBits'],
    [{ constants: { "linux/amd64": { levelBits: [1, "2"] } } }, '$.constants["linux/amd64"].levelBits[1]'],
    [{ sizeclasses: { tables: { class_to_size: 5 } } }, "$.sizeclasses.tables.class_to_size"],
    [{ sizeclasses: [] }, "$.sizeclasses"],
    [{ goVersion: 1.19, constants: {} }, "$.goVersion"],
    [{ goVersion: "go1.26.8", constants: {} }, "$.goVersion"],
    [{ goVersion: "go9", constants: {} }, "$.goVersion"],
    [{ consts: {} }, "$.consts"],
  ])("bad dump %j is a DumpFormatError at %s", (dump, path) => {
    expect(() => checkDump("1.19", dump)).toThrow(DumpFormatError);
    expect(() => checkDump("1.19", dump)).toThrow(expect.objectContaining({ _tag: "DumpFormatError", path }));
  });

  test("reportViolations catches an inconsistent report", () => {
    const r = checkDump("1.19", { constants: { "linux/amd64": { heapAddrBits: 47 } } });
    expect(reportViolations({ ...r, ok: true })).toEqual(["REPORT-1: ok=true with failed=1"]);
    expect(reportViolations({ ...r, checked: 5 })).toEqual(["REPORT-3: checked=5, sum=1"]);
    expect(reportViolations({ ...r, failed: 0, ok: true })).toEqual(["REPORT-2: failed=0, issues=1"]);
  });

  test("parseDump keeps what it validated", () => {
    expect(parseDump({ goVersion: "go1.19.8", constants: { "linux/386": { PtrSize: 4 } } })).toEqual({
      goVersion: "go1.19.8",
      constants: { "linux/386": { PtrSize: 4 } },
    });
  });
});
