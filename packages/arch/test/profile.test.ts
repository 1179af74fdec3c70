import { fc, test as propTest } from "@fast-check/vitest";
import { describe, expect, test } from "vitest";
import {
  allProfiles,
  constantNames,
  getProfile,
  getProfileByPair,
  go126Aliases,
  goVersions,
  listPairs,
  type Profile,
  UnknownGoVersionError,
  UnknownPairError,
} from "../src/index.js";

const infoKeys = ["goVersion", "goos", "goarch", "pair", "arenaBaseOffsetAdd"];

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe("getProfile", () => {
  test("every pair of every version has exactly its catalogue's constants", () => {
    for (const v of goVersions) {
      const aliases = v === "1.26" ? Object.keys(go126Aliases) : [];
      const want = [...infoKeys, ...constantNames(v), ...aliases].sort();
      for (const p of allProfiles(v)) {
        expect(Object.keys(p).sort(), `${v} ${p.pair}`).toEqual(want);
        for (const [k, val] of Object.entries(p)) {
          const ok =
            typeof val === "boolean" ||
            typeof val === "bigint" ||
            typeof val === "string" ||
            (typeof val === "number" && Number.isFinite(val)) ||
            (Array.isArray(val) && val.every(Number.isSafeInteger));
          expect(ok, `${v} ${p.pair} ${k} = ${String(val)}`).toBe(true);
          if (typeof val === "number" && k !== "scavengeCostRatio" && k !== "scavChunkHiOccFrac") {
            expect(Number.isSafeInteger(val) || k === "arenaBaseOffsetAdd", `${v} ${p.pair} ${k}`).toBe(true);
          }
        }
      }
    }
  });

  test("profiles are frozen and cached", () => {
    const p = getProfile("1.26", "linux", "amd64");
    expect(Object.isFrozen(p)).toBe(true);
    expect(Object.isFrozen(p.levelShift)).toBe(true);
    expect(getProfile("go1.26.8", "linux", "amd64")).toBe(p);
    expect(getProfileByPair("1.26", "linux/amd64")).toBe(p);
    expect(allProfiles("1.26").map((q) => q.pair)).toEqual(listPairs("1.26"));
  });

  // The platform table in Go's malloc.go: address bits, arena size, L1 and L2 entries.
  test.each([
    ["1.26", "linux/amd64", 48, 64 << 20, 1, 4 << 20],
    ["1.26", "darwin/arm64", 48, 64 << 20, 1, 4 << 20],
    ["1.26", "windows/amd64", 48, 4 << 20, 64, 1 << 20],
    ["1.26", "windows/arm64", 48, 4 << 20, 64, 1 << 20],
    ["1.26", "ios/arm64", 40, 4 << 20, 1, 256 << 10],
    ["1.26", "linux/386", 32, 4 << 20, 1, 1024],
    ["1.26", "windows/386", 32, 4 << 20, 1, 1024],
    ["1.26", "linux/mips", 31, 4 << 20, 1, 512],
    ["1.26", "linux/mipsle", 31, 4 << 20, 1, 512],
    ["1.26", "js/wasm", 32, 512 << 10, 1, 8192],
    ["1.26", "wasip1/wasm", 32, 512 << 10, 1, 8192],
    ["1.19", "linux/amd64", 48, 64 << 20, 1, 4 << 20],
    ["1.19", "windows/amd64", 48, 4 << 20, 64, 1 << 20],
    // Go 1.19's comment table says 33 bits and 2048 L2 entries here; its formula says 40.
    ["1.19", "ios/arm64", 40, 4 << 20, 1, 256 << 10],
    ["1.19", "linux/arm", 32, 4 << 20, 1, 1024],
    ["1.19", "linux/mips", 31, 4 << 20, 1, 512],
    ["1.19", "js/wasm", 32, 4 << 20, 1, 1024],
  ] as const)("Go %s %s: %i address bits, %i-byte arenas, %i×%i arena map", (v, pair, bits, arena, l1, l2) => {
    const p = getProfileByPair(v, pair);
    expect(p.heapAddrBits).toBe(bits);
    expect(p.heapArenaBytes).toBe(arena);
    expect(2 ** p.arenaL1Bits).toBe(l1);
    expect(2 ** p.arenaL2Bits).toBe(l2);
    expect(2 ** p.heapAddrBits).toBe(arena * l1 * l2);
  });

  test("arenaBaseOffset is a bigint on amd64 and aix, 0 elsewhere", () => {
    for (const v of goVersions) {
      for (const p of allProfiles(v)) {
        if (p.goarch === "amd64") expect(p.arenaBaseOffset).toBe(0xffff800000000000n);
        else if (p.goos === "aix") expect(p.arenaBaseOffset).toBe(0x0a00000000000000n);
        else expect(p.arenaBaseOffset).toBe(0);
      }
    }
  });

  test("arenaBaseOffsetAdd turns an amd64 user address into Go's arena index", () => {
    const p = getProfile("1.26", "linux", "amd64");
    expect(p.arenaBaseOffsetAdd).toBe(2 ** 47);
    // Go: arenaIndex(p) = (p - arenaBaseOffset) / heapArenaBytes, in uintptr arithmetic.
    const addr = 0xc000000000;
    const goIndex = ((BigInt(addr) - BigInt(p.arenaBaseOffset)) & (2n ** 64n - 1n)) / BigInt(p.heapArenaBytes);
    expect(Math.floor((addr + p.arenaBaseOffsetAdd) / p.heapArenaBytes)).toBe(Number(goIndex));
    expect(getProfile("1.26", "linux", "arm64").arenaBaseOffsetAdd).toBe(0);
    expect(getProfile("1.26", "aix", "ppc64").arenaBaseOffsetAdd).toBe(0xf600000000000000);
  });

  test("version-only constants narrow on goVersion", () => {
    const sum = (p: Profile): number =>
      p.goVersion === "1.19" ? p.heapArenaBitmapBytes : p.heapArenaBitmapWords * p.PtrSize;
    expect(sum(getProfile("1.19", "linux", "amd64"))).toBe(2 << 20);
    expect(sum(getProfile("1.26", "linux", "amd64"))).toBe(1 << 20);
  });

  test("Go 1.19 names work on Go 1.26 profiles", () => {
    for (const p of allProfiles("1.26")) {
      for (const [old, now] of Object.entries(go126Aliases)) {
        expect((p as unknown as Record<string, unknown>)[old], `${p.pair} ${old}`).toBe(
          (p as unknown as Record<string, unknown>)[now],
        );
      }
    }
    const w = getProfile("1.26", "windows", "386");
    expect([w._FixedStack, w.fixedStack, w._StackSystem]).toEqual([8192, 8192, 4096]);
    const w19 = getProfile("1.19", "windows", "386");
    expect([w19._FixedStack, w19._StackSystem]).toEqual([4096, 2048]);
  });

  test.each([
    ["1.26", "windows", "arm", "GOOS=windows supports GOARCH 386, amd64, arm64"],
    ["1.26", "linux", "sparc64", "GOOS=linux supports GOARCH 386"],
    ["1.19", "wasip1", "wasm", "see listPairs"],
    ["1.19", "openbsd", "ppc64", "GOOS=openbsd supports GOARCH 386, amd64, arm, arm64, mips64"],
    ["1.26", "", "", "no port /"],
    ["1.26", "Linux", "amd64", "no port Linux/amd64"],
  ])("Go %s %s/%s is an UnknownPairError", (v, goos, goarch, text) => {
    const err = thrown(() => getProfile(v, goos, goarch)) as UnknownPairError;
    expect(err).toBeInstanceOf(UnknownPairError);
    expect(err._tag).toBe("UnknownPairError");
    expect([err.goVersion, err.goos, err.goarch]).toEqual([v, goos, goarch]);
    expect(err.pairs).toEqual(listPairs(v));
    expect(err.message).toContain(text);
    // The refused request leaves the cache working.
    expect(getProfile(v, "linux", "amd64").pair).toBe("linux/amd64");
  });

  test("unknown versions and malformed pairs are typed errors", () => {
    expect(thrown(() => getProfile("1.21", "linux", "amd64"))).toBeInstanceOf(UnknownGoVersionError);
    expect(thrown(() => allProfiles("2"))).toBeInstanceOf(UnknownGoVersionError);
    expect(thrown(() => getProfileByPair("1.26", "linux-amd64"))).toBeInstanceOf(UnknownPairError);
  });

  propTest.prop([fc.constantFrom(...goVersions), fc.string(), fc.string()])(
    "any goos/goarch is a profile of a listed pair or an UnknownPairError",
    (v, goos, goarch) => {
      const listed = listPairs(v).includes(`${goos}/${goarch}`);
      const err = thrown(() => getProfile(v, goos, goarch));
      if (listed) expect(err).toBeUndefined();
      else expect(err).toBeInstanceOf(UnknownPairError);
    },
  );

  propTest.prop([
    fc.constantFrom(...goVersions).chain((v) => fc.tuple(fc.constant(v), fc.constantFrom(...listPairs(v)))),
  ])("goos/goarch of a profile are the ones asked for", ([v, pair]) => {
    const p = getProfileByPair(v, pair);
    expect([p.goVersion, `${p.goos}/${p.goarch}`, p.pair]).toEqual([v, pair, pair]);
  });
});
