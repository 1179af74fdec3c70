import { describe, expect, test } from "vitest";
import { goarchConstants } from "../src/goarch.js";
import { goarchFlags, goarchInputs, goosFlags, goVersions, knownGoos, listPairs } from "../src/index.js";

describe("internal/goarch", () => {
  test("exactly one Is* flag per GOARCH", () => {
    for (const goarch of ["386", "amd64", "arm", "arm64", "loong64", "mips", "mips64", "ppc64le", "s390x", "wasm"]) {
      const f = goarchFlags(goarch);
      const ones = Object.entries(f).filter(([k, v]) => k !== "GOARCH" && v === 1);
      expect(ones, goarch).toHaveLength(1);
    }
    expect(Object.values(goarchFlags("vax")).filter((v) => v === 1)).toHaveLength(0);
  });

  test("BigEndian is the big-endian GOARCH list of goarch.go", () => {
    const big = new Set<string>();
    for (const v of goVersions) {
      for (const pair of listPairs(v)) {
        const goarch = pair.split("/")[1] as string;
        const inputs = goarchInputs(v, goarch);
        if (inputs === undefined) throw new Error(goarch);
        if (goarchConstants(inputs, goarchFlags(goarch)).BigEndian) big.add(goarch);
      }
    }
    expect([...big].sort()).toEqual(["mips", "mips64", "ppc64", "s390x"]);
  });

  test("riscv64's PC quantum changed from 4 to 2 in Go 1.26", () => {
    expect(goarchInputs("1.19", "riscv64")?._PCQuantum).toBe(4);
    expect(goarchInputs("1.26", "riscv64")?._PCQuantum).toBe(2);
    expect(goarchInputs("1.26", "vax")).toBeUndefined();
    expect(goarchInputs("1.26", "toString")).toBeUndefined();
  });
});

describe("internal/goos", () => {
  test("exactly one Is* flag per known GOOS; ios is not darwin, android is not linux", () => {
    for (const goos of knownGoos) {
      const ones = Object.entries(goosFlags(goos)).filter(([k, v]) => k !== "GOOS" && v === 1);
      expect(
        ones.map(([k]) => k.slice(2).toLowerCase()),
        goos,
      ).toEqual([goos]);
    }
    expect(goosFlags("ios").IsDarwin).toBe(0);
    expect(goosFlags("android").IsLinux).toBe(0);
  });
});
