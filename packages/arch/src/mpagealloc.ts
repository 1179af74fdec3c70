/**
 * runtime/mpagealloc.go, mpagealloc_32bit.go / mpagealloc_64bit.go and
 * mpagecache.go: the page allocator's chunk size, the shape of its radix tree
 * of packed summaries (levels, bits per level, the per-level shift and page
 * span arrays) and the two-level chunk map. The 64-bit file is chosen by
 * GOARCH (amd64, arm64, loong64, mips64(le), ppc64(le), riscv64, s390x); 386,
 * arm, mips(le) and wasm use the 32-bit one. Go 1.26 made wasm chunks 64
 * pages instead of 512. See docs/design.md, "Layers".
 */
import type { FormulaEnv } from "./env.js";
import { shl } from "./env.js";

/** GOARCHes whose build constraint selects mpagealloc_64bit.go (the same in 1.19 and 1.26). */
export const pageAlloc64BitArches: readonly string[] = Object.freeze([
  "amd64",
  "arm64",
  "loong64",
  "mips64",
  "mips64le",
  "ppc64",
  "ppc64le",
  "riscv64",
  "s390x",
]);

/** What the page allocator's formulas take from malloc.go. */
export interface PageAllocInputs {
  readonly heapAddrBits: number;
  readonly pageSize: number;
  readonly pageShift: number;
}

/** The page allocator constants of one port. */
export function mpagealloc(env: FormulaEnv, m: PageAllocInputs) {
  const { a } = env;
  const logPallocChunkPages = env.version === "1.19" ? 9 : 9 * (1 - a.IsWasm) + 6 * a.IsWasm;
  const pallocChunkPages = shl(1, logPallocChunkPages);
  const pallocChunkBytes = pallocChunkPages * m.pageSize;
  const logPallocChunkBytes = logPallocChunkPages + m.pageShift;

  // mpagealloc_64bit.go or mpagealloc_32bit.go
  const is64 = pageAlloc64BitArches.includes(a.GOARCH);
  const summaryLevels = is64 ? 5 : 4;
  const pageAlloc32Bit = is64 ? 0 : 1;
  const pageAlloc64Bit = is64 ? 1 : 0;
  const pallocChunksL1Bits = is64 ? 13 : 0;

  const summaryLevelBits = 3;
  const summaryL0Bits = m.heapAddrBits - logPallocChunkBytes - (summaryLevels - 1) * summaryLevelBits;
  const pallocChunksL2Bits = m.heapAddrBits - logPallocChunkBytes - pallocChunksL1Bits;
  const logMaxPackedValue = logPallocChunkPages + (summaryLevels - 1) * summaryLevelBits;
  // The three fields of a packed summary do not overlap (each < 2^logMaxPackedValue),
  // so Go's `a | a<<L | a<<2L` is a sum; it stays below 2^53 on every port.
  const freeChunkSum =
    pallocChunkPages + shl(pallocChunkPages, logMaxPackedValue) + shl(pallocChunkPages, 2 * logMaxPackedValue);

  const levelBits: number[] = [];
  const levelShift: number[] = [];
  const levelLogPages: number[] = [];
  for (let l = 0; l < summaryLevels; l++) {
    levelBits.push(l === 0 ? summaryL0Bits : summaryLevelBits);
    levelShift.push(m.heapAddrBits - summaryL0Bits - l * summaryLevelBits);
    levelLogPages.push(logPallocChunkPages + (summaryLevels - 1 - l) * summaryLevelBits);
  }

  return {
    pallocChunkPages,
    pallocChunkBytes,
    logPallocChunkPages,
    logPallocChunkBytes,
    summaryLevelBits,
    summaryL0Bits,
    pallocChunksL2Bits,
    pallocChunksL1Shift: pallocChunksL2Bits,
    pallocSumBytes: 8,
    maxPackedValue: shl(1, logMaxPackedValue),
    logMaxPackedValue,
    freeChunkSum,
    summaryLevels,
    pageAlloc32Bit,
    pageAlloc64Bit,
    pallocChunksL1Bits,
    levelBits: Object.freeze(levelBits) as readonly number[],
    levelShift: Object.freeze(levelShift) as readonly number[],
    levelLogPages: Object.freeze(levelLogPages) as readonly number[],
    // mpagecache.go: one bit per page in a uint64.
    pageCachePages: 8 * 8,
  };
}
