import { fc, test as propTest } from "@fast-check/vitest";
import { describe, expect, test } from "vitest";
import { compareConstants, compareSizeClasses, sameValue, showValue } from "../src/index.js";

describe("sameValue", () => {
  propTest.prop([fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n })])(
    "an integer equals itself as a decimal string, and as a JSON number only when that is exact",
    (b) => {
      const s = b.toString();
      expect(sameValue(s, s)).toBe(true);
      const n = Number(b);
      const exact = b <= 2n ** 53n && b >= -(2n ** 53n);
      expect(sameValue(s, n)).toBe(exact);
      if (exact) expect(sameValue(n, s)).toBe(true);
      expect(sameValue(s, (b + 1n).toString())).toBe(false);
    },
  );

  test("booleans, floats and arrays compare exactly", () => {
    expect(sameValue(true, true)).toBe(true);
    expect(sameValue(false, 0)).toBe(false);
    expect(sameValue(0, false)).toBe(false);
    expect(sameValue(0.7, 0.7)).toBe(true);
    expect(sameValue(0.7, 0.70000001)).toBe(false);
    expect(sameValue([1, 2], [1, 2])).toBe(true);
    expect(sameValue([1, 2], [1, 2, 3])).toBe(false);
    expect(sameValue([1, 2], 1)).toBe(false);
    expect(sameValue(1, [1])).toBe(false);
  });

  test("showValue", () => {
    expect(showValue("18446603336221196288")).toBe("18446603336221196288");
    expect(showValue([1, 2])).toBe("[1,2]");
    expect(showValue(undefined)).toBe("(absent)");
  });
});

describe("compareConstants", () => {
  const go = { "linux/amd64": { a: 1, b: "18446603336221196288" }, "js/wasm": { a: 2, b: 0 } };

  test("names version, pair, constant, expected and actual", () => {
    const r = compareConstants("go1.26", go, { "linux/amd64": { a: 1, b: 1.8446603336221196e19 } }, false);
    expect(r).toHaveLength(1);
    expect(r[0]?.issues[0]?.message).toBe(
      "go1.26 linux/amd64 b: expected 18446603336221196288, actual 18446603336221196000 (a JSON number beyond 2^53 loses precision; write it as a decimal string)",
    );
    expect(r[0]?.issues[0]).toMatchObject({ kind: "mismatch", pair: "linux/amd64", constant: "b" });
  });

  test("partial vs complete", () => {
    const partial = compareConstants("go1.26", go, { "linux/amd64": { a: 1 } }, false);
    expect(partial.map((p) => [p.pair, p.checked, p.ok])).toEqual([["linux/amd64", 1, true]]);
    const complete = compareConstants("go1.26", go, { "linux/amd64": { a: 1 } }, true);
    expect(complete.flatMap((p) => p.issues.map((i) => i.message))).toEqual([
      "go1.26 linux/amd64 b: expected 18446603336221196288, actual (absent)",
      "go1.26 js/wasm: expected 2 constants, actual (pair absent)",
    ]);
  });

  test("unknown pairs and constants are always failures", () => {
    const r = compareConstants("go1.19", go, { "linux/amd64": { a: 1, zz: 3 }, "plan9/wasm": { a: 1 } }, false);
    expect(r.flatMap((p) => p.issues.map((i) => [i.kind, i.message]))).toEqual([
      ["unexpected", "go1.19 linux/amd64 zz: Go declares no such constant, actual 3"],
      ["unexpected", "go1.19 plan9/wasm: not a pair of `go tool dist list`"],
    ]);
  });
});

describe("compareSizeClasses", () => {
  const go = { constants: { N: 3 }, tables: { t: [0, 8, 16] } };

  test("entry by entry, with lengths", () => {
    const r = compareSizeClasses("go1.19", go, { tables: { t: [0, 8, 24, 32] } }, false);
    expect(r.checked).toBe(3);
    expect(r.issues.map((i) => i.message)).toEqual([
      "go1.19 t: expected 3 entries, actual 4",
      "go1.19 t[2]: expected 16, actual 24",
    ]);
  });

  test("missing only when complete; unknown names always", () => {
    expect(compareSizeClasses("go1.19", go, {}, false).issues).toEqual([]);
    expect(compareSizeClasses("go1.19", go, { constants: { M: 1 } }, true).issues.map((i) => i.kind)).toEqual([
      "missing",
      "missing",
      "unexpected",
    ]);
  });
});
