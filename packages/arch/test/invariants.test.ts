import { fc, test as propTest } from "@fast-check/vitest";
import { describe, expect, test } from "vitest";
import {
  allProfiles,
  assertProfile,
  checkProfile,
  getProfile,
  getProfileByPair,
  goVersions,
  listPairs,
  type Profile,
  ProfileInvariantError,
} from "../src/index.js";

/** Numeric fields that take part in at least one ARCH-n relation. */
const covered = [
  "heapAddrBits",
  "logHeapArenaBytes",
  "arenaL1Bits",
  "arenaL2Bits",
  "arenaL1Shift",
  "arenaBits",
  "heapArenaBytes",
  "pagesPerArena",
  "pageSize",
  "_PageSize",
  "_PageShift",
  "pallocChunkBytes",
  "pagesPerReclaimerChunk",
  "arenaBaseOffsetAdd",
  "summaryL0Bits",
  "summaryLevelBits",
  "logPallocChunkBytes",
  "pallocChunksL1Bits",
  "pallocChunksL2Bits",
  "pallocChunksL1Shift",
  "maxPackedValue",
  "logMaxPackedValue",
  "freeChunkSum",
  "pallocChunkPages",
  "_FixedStack",
  "maxAlloc",
  "PtrSize",
  "_64bit",
  "numSpanClasses",
  "_NumSizeClasses",
  "tinySpanClass",
  "tinySizeClass",
  "DefaultPhysPageSize",
  "minPhysPageSize",
  "maxPhysPageSize",
  "maxPhysHugePageSize",
  "maxPagesPerPhysPage",
] as const;

const withField = (p: Profile, field: string, value: unknown): Profile => ({ ...p, [field]: value }) as Profile;

describe("checkProfile", () => {
  test("every profile of every version satisfies ARCH-1…ARCH-12", () => {
    for (const v of goVersions) {
      for (const p of allProfiles(v)) {
        expect(checkProfile(p), `${v} ${p.pair}`).toEqual([]);
        expect(() => assertProfile(p)).not.toThrow();
      }
    }
  });

  const profileArb = fc
    .constantFrom(...goVersions)
    .chain((v) => fc.constantFrom(...listPairs(v)).map((pair) => getProfileByPair(v, pair)));

  test("changing any covered field of any profile by ±1…3 breaks a relation", () => {
    let checked = 0;
    for (const v of goVersions) {
      for (const p of allProfiles(v)) {
        for (const field of covered) {
          for (const delta of [-3, -2, -1, 1, 2, 3]) {
            const value = (p[field] as number) + delta;
            // Beyond 2^53 a small delta vanishes in rounding (aix/ppc64's arenaBaseOffsetAdd).
            if (value === p[field]) continue;
            expect(checkProfile(withField(p, field, value)).length, `${v} ${p.pair} ${field}${delta}`).toBeGreaterThan(
              0,
            );
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(20000);
  });

  propTest.prop([profileArb, fc.integer({ min: 0, max: 3 }), fc.integer({ min: -2, max: 2 }).filter((d) => d !== 0)])(
    "changing an entry of levelShift/levelBits/levelLogPages breaks ARCH-4 or ARCH-6",
    (p, index, delta) => {
      for (const field of ["levelShift", "levelBits", "levelLogPages"] as const) {
        const arr = [...p[field]];
        arr[index] = (arr[index] as number) + delta;
        const ids = checkProfile(withField(p, field, arr)).map((x) => x.id);
        expect(
          ids.some((id) => id === "ARCH-4" || id === "ARCH-6"),
          `${field}[${index}]`,
        ).toBe(true);
      }
    },
  );

  test("Go's throw texts for the checks mallocinit makes", () => {
    const p19 = getProfile("1.19", "linux", "amd64");
    const bad19 = withField(p19, "heapArenaBitmapBytes", 3 << 20);
    const err = (() => {
      try {
        assertProfile(bad19);
      } catch (e) {
        return e as ProfileInvariantError;
      }
      throw new Error("no throw");
    })();
    expect(err).toBeInstanceOf(ProfileInvariantError);
    expect(err._tag).toBe("ProfileInvariantError");
    expect(err.violations.map((v) => v.message)).toContain("1.19 linux/amd64: heapArenaBitmapBytes not a power of 2");

    const p26 = getProfile("1.26", "linux", "amd64");
    expect(checkProfile(withField(p26, "heapArenaBitmapWords", 3)).map((v) => v.message)).toContain(
      "1.26 linux/amd64: heapArenaBitmapWords not a power of 2",
    );
    expect(checkProfile(withField(p26, "DefaultPhysPageSize", 1 << 20)).map((v) => v.message)).toContain(
      "1.26 linux/amd64: bad system page size",
    );
    expect(checkProfile(withField(p26, "pagesPerReclaimerChunk", 3000)).map((v) => v.message)).toContain(
      "1.26 linux/amd64: bad pagesPerReclaimerChunk",
    );
    expect(checkProfile(withField(p26, "_PageShift", 12)).map((v) => v.id)).toContain("ARCH-12");
  });
});
