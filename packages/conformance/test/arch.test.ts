// The conformance suite: every constant of every @gomalloc/arch profile,
// for every pair × Go version, against what Go's type checker computed.
import { constantCatalog, getConstant, getProfileByPair, goVersions, listPairs, profileToJSON } from "@gomalloc/arch";
import { describe, expect, test } from "vitest";
import { loadFixtures, sameValue, showValue } from "../src/index.js";

describe.each(goVersions)("Go %s", (v) => {
  const fx = loadFixtures(v);

  test("the pairs are `go tool dist list`'s", () => {
    expect(listPairs(v)).toEqual(Object.keys(fx.constants));
    expect(listPairs(v)).toEqual(fx.meta.pairs);
  });

  test.each(listPairs(v))("%s: every constant equals Go's", (pair) => {
    const want = fx.constants[pair];
    if (want === undefined) throw new Error(`go${v} ${pair}: no fixture`);
    const got = profileToJSON(getProfileByPair(v, pair));
    for (const [name, expected] of Object.entries(want)) {
      const actual = got[name];
      expect
        .soft(
          actual !== undefined && sameValue(expected, actual),
          `go${v} ${pair} ${name}: expected ${showValue(expected)}, actual ${showValue(actual)}`,
        )
        .toBe(true);
    }
    for (const name of Object.keys(got)) {
      expect.soft(Object.hasOwn(want, name), `go${v} ${pair} ${name}: Go declares no such constant`).toBe(true);
    }
  });

  test("every catalogue entry names the package and files Go declares it in", () => {
    for (const c of constantCatalog(v)) {
      const m = fx.meta.constants[c.name];
      expect.soft(m, `go${v} ${c.name}: not in meta.json`).toBeDefined();
      if (m === undefined) continue;
      expect.soft(c.goPackage, `go${v} ${c.name} package`).toBe(m.package);
      expect.soft(c.goFiles, `go${v} ${c.name} files`).toEqual(m.files);
      expect.soft(m.pairs, `go${v} ${c.name} is declared on every pair`).toBe(listPairs(v).length);
    }
    expect(constantCatalog(v).map((c) => c.name)).toEqual(Object.keys(fx.meta.constants));
  });

  test("big values are bigints in profiles and decimal strings in Go's fixtures", () => {
    for (const pair of listPairs(v)) {
      for (const [name, expected] of Object.entries(fx.constants[pair] ?? {})) {
        const value = getConstant(getProfileByPair(v, pair), name);
        if (typeof expected === "string") expect(value, `${pair} ${name}`).toBe(BigInt(expected));
      }
    }
  });
});
