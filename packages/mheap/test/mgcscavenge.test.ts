import { fc, test } from "@fast-check/vitest";
import { RuntimeThrow } from "@gomalloc/os-mem";
import { describe, expect, it } from "vitest";
import { fillAlignedHi, fillAlignedLo, findScavengeCandidate } from "../src/mgcscavenge.js";
import { PallocBits, pageBitsSetRange } from "../src/mpallocbits.js";
import { halves, loadVectors, TARGETS, wordsToU32 } from "./helpers.js";

const P = 512;

/** Go's fillAlignedSlow. */
function fillAlignedSlow(x: bigint, m: number): bigint {
  if (m === 1) return x;
  let out = 0n;
  for (let i = 0; i < 64; i += m) {
    for (let j = 0; j < m; j++) {
      if ((x >> BigInt(i + j)) & 1n) {
        out |= ((1n << BigInt(m)) - 1n) << BigInt(i);
        break;
      }
    }
  }
  return out;
}
const fill = (x: bigint, m: number) => {
  const lo = Number(x & 0xffffffffn);
  const hi = Number(x >> 32n);
  return (BigInt(fillAlignedHi(lo, hi, m)) << 32n) | BigInt(fillAlignedLo(lo, hi, m));
};

describe("TestFillAligned", () => {
  it("Go's fixed cases for every m", () => {
    for (let m = 1; m <= 64; m *= 2) {
      const xs = [
        0x0000000000000000n,
        0x00000000ffffffffn,
        0xffffffff00000000n,
        0x8000000000000001n,
        0xf00000000000000fn,
        0xf00000010050000fn,
        0xffffffffffffffffn,
        0x0000000000000001n,
        0x0000000000000002n,
        0x0000000000000008n,
        1n << BigInt(m - 1),
        m < 64 ? 1n << BigInt(m) : 0n,
        0xb02b9effcf137016n,
        0x3975a076a9fbff18n,
        0x0f8c88ec3b81506en,
        0x60f14d80ef2fa0e6n,
      ];
      for (const x of xs) expect(fill(x, m), `fillAligned(${x.toString(16)}, ${m})`).toBe(fillAlignedSlow(x, m));
    }
    expect(fill(0x0100a3n, 8)).toBe(0xff00ffn);
  });
  test.prop([fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.constantFrom(1, 2, 4, 8, 16, 32, 64)])(
    "random",
    (x, m) => {
      expect(fill(x, m)).toBe(fillAlignedSlow(x, m));
    },
  );
  it("rejects m that is not a power of two ≤ 64 with Go's throw", () => {
    expect(() => fillAlignedLo(1, 0, 3)).toThrow(RuntimeThrow);
  });
});

function makeData(alloc: Array<[number, number]>, scav: Array<[number, number]>): PallocBits {
  const u = new Uint32Array(P / 16);
  const b = new PallocBits(P).at(u, 0);
  for (const [i, n] of alloc) if (n > 0) b.dataAllocRange(i, n);
  for (const [i, n] of scav) if (n > 0) pageBitsSetRange(u, b.scavOff, i, n);
  return b;
}

describe("TestPallocDataFindScavengeCandidate", () => {
  type Case = {
    alloc?: Array<[number, number]>;
    scav?: Array<[number, number]>;
    min: number;
    max: number;
    want: [number, number];
  };
  const tests: Record<string, Case> = {
    MixedMin1: {
      alloc: [
        [0, 40],
        [42, P - 42],
      ],
      scav: [
        [0, 41],
        [42, P - 42],
      ],
      min: 1,
      max: P,
      want: [41, 1],
    },
    MultiMin1: {
      alloc: [
        [0, 63],
        [65, 20],
        [87, P - 87],
      ],
      scav: [[86, 1]],
      min: 1,
      max: P,
      want: [85, 1],
    },
  };
  for (let m = 1; m <= 64; m *= 2) {
    tests[`AllFreeMin${m}`] = { min: m, max: P, want: [0, P] };
    tests[`AllScavengedMin${m}`] = { scav: [[0, P]], min: m, max: P, want: [0, 0] };
    tests[`NoneFreeMin${m}`] = { alloc: [[0, P]], scav: [[P / 2, P / 2]], min: m, max: P, want: [0, 0] };
    tests[`StartFreeMin${m}`] = { alloc: [[m, P - m]], min: m, max: P, want: [0, m] };
    tests[`EndFreeMin${m}`] = { alloc: [[0, P - m]], min: m, max: P, want: [P - m, m] };
    tests[`Straddle64Min${m}`] = {
      alloc: [
        [0, 64 - m],
        [64 + m, P - (64 + m)],
      ],
      min: m,
      max: 2 * m,
      want: [64 - m, 2 * m],
    };
    tests[`BottomEdge64WithFullMin${m}`] = {
      alloc: [
        [64, 64],
        [128 + 3 * m, P - (128 + 3 * m)],
      ],
      scav: [[1, 10]],
      min: m,
      max: 3 * m,
      want: [128, 3 * m],
    };
    tests[`BottomEdge64WithPocketMin${m}`] = {
      alloc: [
        [64, 62],
        [127, 1],
        [128 + 3 * m, P - (128 + 3 * m)],
      ],
      scav: [[1, 10]],
      min: m,
      max: 3 * m,
      want: [128, 3 * m],
    };
    tests[`Max0Min${m}`] = { scav: [[0, P - m]], min: m, max: 0, want: [P - m, m] };
    if (m <= 8) {
      tests.OneFree = {
        alloc: [
          [0, 40],
          [40 + m, P - (40 + m)],
        ],
        min: m,
        max: P,
        want: [40, m],
      };
      tests.OneScavenged = {
        alloc: [
          [0, 40],
          [40 + m, P - (40 + m)],
        ],
        scav: [[40, 1]],
        min: m,
        max: P,
        want: [0, 0],
      };
    }
    if (m > 1) {
      tests[`MaxUnalignedMin${m}`] = { scav: [[0, P - (m * 2 - 1)]], min: m, max: m - 2, want: [P - m, m] };
      tests[`SkipSmallMin${m}`] = {
        alloc: [
          [0, 64 - m],
          [64, 5],
          [70, 11],
          [82, P - 82],
        ],
        min: m,
        max: m,
        want: [64 - m, m],
      };
      tests[`SkipMisalignedMin${m}`] = {
        alloc: [
          [0, 64 - m],
          [64, 63],
          [127 + m, P - (127 + m)],
        ],
        min: m,
        max: m,
        want: [64 - m, m],
      };
      tests[`MaxLessThanMin${m}`] = { scav: [[0, P - m]], min: m, max: 1, want: [P - m, m] };
    }
  }
  // Huge pages of 2 MiB = 256 runtime pages, as on linux/amd64.
  const bits = 256;
  const huge: Record<string, Case> = {
    PreserveHugePageBottom: { alloc: [[bits + 2, P - (bits + 2)]], min: 1, max: 3, want: [0, bits + 2] },
    PreserveHugePageTop: { alloc: [[0, P - bits]], min: 1, max: 1, want: [P - bits, bits] },
  };
  const run = (c: Case, hugePage: number) => {
    const b = makeData(c.alloc ?? [], c.scav ?? []);
    const start = findScavengeCandidate(b, P - 1, c.min, c.max, 8192, 4096, hugePage, 64);
    const got: [number, number] = [start, b.candidateSize];
    if (!(got[1] === 0 && c.want[1] === 0)) expect(got).toEqual(c.want);
  };
  for (const [name, c] of Object.entries(tests)) it(name, () => run(c, 0));
  for (const [name, c] of Object.entries(huge)) it(name, () => run(c, 2 << 20));
  it("min must be a non-zero power of 2 ≤ maxPagesPerPhysPage (Go's throws)", () => {
    const b = makeData([], []);
    expect(() => findScavengeCandidate(b, P - 1, 3, P, 8192, 4096, 0, 64)).toThrow(RuntimeThrow);
    expect(() => findScavengeCandidate(b, P - 1, 128, P, 8192, 4096, 0, 64)).toThrow(RuntimeThrow);
  });
});

for (const target of TARGETS) {
  describe(`Go vectors ${target}: fillAligned, findScavengeCandidate`, () => {
    const v = loadVectors(target);
    const G = v.Geometry;
    it(`${v.FillAligned.length} fillAligned cases`, () => {
      for (const [x, m, r] of v.FillAligned) {
        const [lo, hi] = halves(x);
        expect([fillAlignedLo(lo, hi, m), fillAlignedHi(lo, hi, m)]).toEqual(halves(r));
      }
    });
    it(`${v.ScavCand.length} pallocData findScavengeCandidate`, () => {
      for (const c of v.ScavCand) {
        const n = G.PallocChunkPages / 32;
        const u = new Uint32Array(2 * n);
        u.set(wordsToU32(c.Alloc), 0);
        u.set(wordsToU32(c.Scav), n);
        const b = new PallocBits(G.PallocChunkPages).at(u, 0);
        for (const [si, min, max, start, size] of c.Cases) {
          const got = findScavengeCandidate(b, si, min, max, 2 ** G.PageShift, G.PhysPageSize, G.PhysHugePageSize, 64);
          expect([got, b.candidateSize], `(${si}, ${min}, ${max})`).toEqual([start, size]);
        }
      }
    });
  });
}
