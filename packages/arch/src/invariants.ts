/**
 * The relations every profile satisfies, as formulas with IDs, and the
 * checker that tests (and callers building profiles by hand) run. Several
 * are checks Go itself makes in mallocinit, and carry Go's throw text; the
 * others restate how the arena map, the page allocator's radix tree and the
 * heap bitmap cover the address space. See docs/design.md, "Errors".
 *
 * - ARCH-1 arena map covers the address space: `heapAddrBits = logHeapArenaBytes + arenaL1Bits + arenaL2Bits`,
 *   `arenaBits = arenaL1Bits + arenaL2Bits`, `arenaL1Shift = arenaL2Bits`.
 * - ARCH-2 arenas are whole pages and chunks: `heapArenaBytes = 2^logHeapArenaBytes = pagesPerArena · pageSize`,
 *   `heapArenaBytes mod pallocChunkBytes = 0`, `pagesPerArena mod pagesPerReclaimerChunk = 0`.
 * - ARCH-3 `(arenaBaseOffset + arenaBaseOffsetAdd) mod 2^64 = 0`, `arenaBaseOffsetUintptr = arenaBaseOffset`.
 * - ARCH-4 summaries cover the address space: `summaryL0Bits + (summaryLevels − 1) · summaryLevelBits + logPallocChunkBytes = heapAddrBits`;
 *   `levelBits`, `levelShift`, `levelLogPages` have `summaryLevels` entries, `levelShift[l] = heapAddrBits − Σ levelBits[0..l]`,
 *   `levelLogPages[l] = levelShift[l] − pageShift`.
 * - ARCH-5 the chunk map covers chunk indexes: `pallocChunksL1Bits + pallocChunksL2Bits = heapAddrBits − logPallocChunkBytes`.
 * - ARCH-6 packed summaries hold a root's pages: `maxPackedValue = 2^logMaxPackedValue = 2^levelLogPages[0]`,
 *   `freeChunkSum = pallocChunkPages · (1 + 2^logMaxPackedValue + 2^(2·logMaxPackedValue))`.
 * - ARCH-7 the smallest stack is the power of two at or above `stackMin + stackSystem`.
 * - ARCH-8 pages: `pageSize = _PageSize = 2^_PageShift`, `maxAlloc = 2^heapAddrBits − (1 − _64bit)`, `PtrSize = 4 + 4 · _64bit`.
 * - ARCH-9 span classes: `numSpanClasses = 2 · _NumSizeClasses`, `tinySpanClass = 2 · tinySizeClass + 1`.
 * - ARCH-10 the heap bitmap covers an arena and is a power of two (Go: "heapArenaBitmapBytes not a power of 2",
 *   "heapArenaBitmapWords not a power of 2").
 * - ARCH-11 the default physical page size is a power of two in `[minPhysPageSize, maxPhysPageSize]` (Go: "bad system page size"),
 *   both bounds are powers of two, `maxPagesPerPhysPage · pageSize = maxPhysPageSize` and `maxPhysHugePageSize = pallocChunkBytes`.
 * - ARCH-12 on Go 1.26 each Go 1.19 name equals the constant it was renamed to.
 */
import { go126Aliases } from "./constants.js";
import { ProfileInvariantError } from "./errors.js";
import type { Profile } from "./profile.js";

/** One broken relation of a profile. */
export interface ProfileViolation {
  /** `ARCH-n`, as listed in this module's documentation. */
  readonly id: string;
  /** What does not hold, with the values involved (Go's throw text where Go checks it). */
  readonly message: string;
}

const isPow2 = (n: number): boolean => Number.isInteger(n) && n > 0 && Number.isInteger(Math.log2(n));

/** Checks every ARCH-n relation of a profile; returns the violations (empty when all hold). */
export function checkProfile(p: Profile): ProfileViolation[] {
  const out: ProfileViolation[] = [];
  const need = (id: string, ok: boolean, message: string) => {
    if (!ok) out.push({ id, message: `${p.goVersion} ${p.pair}: ${message}` });
  };

  need(
    "ARCH-1",
    p.heapAddrBits === p.logHeapArenaBytes + p.arenaL1Bits + p.arenaL2Bits &&
      p.arenaBits === p.arenaL1Bits + p.arenaL2Bits &&
      p.arenaL1Shift === p.arenaL2Bits,
    `arena map bits ${p.logHeapArenaBytes}+${p.arenaL1Bits}+${p.arenaL2Bits} do not make heapAddrBits ${p.heapAddrBits}`,
  );
  need(
    "ARCH-2",
    p.heapArenaBytes === 2 ** p.logHeapArenaBytes &&
      p.heapArenaBytes === p.pagesPerArena * p.pageSize &&
      p.heapArenaBytes % p.pallocChunkBytes === 0,
    `heapArenaBytes ${p.heapArenaBytes} is not 2^${p.logHeapArenaBytes} = ${p.pagesPerArena} pages, whole chunks`,
  );
  need("ARCH-2", p.pagesPerArena % p.pagesPerReclaimerChunk === 0, "bad pagesPerReclaimerChunk");
  const off = BigInt(p.arenaBaseOffset);
  need(
    "ARCH-3",
    (off + BigInt(p.arenaBaseOffsetAdd)) % 2n ** 64n === 0n && BigInt(p.arenaBaseOffsetUintptr) === off,
    `arenaBaseOffsetAdd ${p.arenaBaseOffsetAdd} does not cancel arenaBaseOffset ${off}`,
  );

  const L = p.summaryLevels;
  const shapes = p.levelBits.length === L && p.levelShift.length === L && p.levelLogPages.length === L;
  let sum = 0;
  let shifts = shapes;
  for (let l = 0; shapes && l < L; l++) {
    sum += p.levelBits[l] as number;
    shifts &&=
      p.levelShift[l] === p.heapAddrBits - sum && p.levelLogPages[l] === (p.levelShift[l] as number) - p._PageShift;
  }
  need(
    "ARCH-4",
    p.summaryL0Bits + (L - 1) * p.summaryLevelBits + p.logPallocChunkBytes === p.heapAddrBits &&
      shifts &&
      p.levelBits[0] === p.summaryL0Bits,
    `summary levels ${JSON.stringify(p.levelBits)} / shifts ${JSON.stringify(p.levelShift)} do not cover heapAddrBits ${p.heapAddrBits}`,
  );
  need(
    "ARCH-5",
    p.pallocChunksL1Bits + p.pallocChunksL2Bits === p.heapAddrBits - p.logPallocChunkBytes &&
      p.pallocChunksL1Shift === p.pallocChunksL2Bits,
    `chunk map bits ${p.pallocChunksL1Bits}+${p.pallocChunksL2Bits} do not cover the chunk index`,
  );
  const lm = p.logMaxPackedValue;
  need(
    "ARCH-6",
    p.maxPackedValue === 2 ** lm &&
      lm === p.levelLogPages[0] &&
      p.freeChunkSum === p.pallocChunkPages * (1 + 2 ** lm + 2 ** (2 * lm)),
    `maxPackedValue ${p.maxPackedValue} / freeChunkSum ${p.freeChunkSum} do not match logMaxPackedValue ${lm}`,
  );
  const stackNeed = p._StackMin + p._StackSystem;
  need(
    "ARCH-7",
    isPow2(p._FixedStack) && p._FixedStack >= stackNeed && p._FixedStack < 2 * stackNeed,
    `_FixedStack ${p._FixedStack} is not the power of two at or above ${stackNeed}`,
  );
  need(
    "ARCH-8",
    p.pageSize === p._PageSize &&
      p.pageSize === 2 ** p._PageShift &&
      p.maxAlloc === 2 ** p.heapAddrBits - (1 - p._64bit) &&
      p.PtrSize === 4 + 4 * p._64bit,
    `page size ${p.pageSize}, maxAlloc ${p.maxAlloc} or PtrSize ${p.PtrSize} inconsistent`,
  );
  need(
    "ARCH-9",
    p.numSpanClasses === 2 * p._NumSizeClasses && p.tinySpanClass === 2 * p.tinySizeClass + 1,
    `span classes ${p.numSpanClasses}/${p.tinySpanClass} do not match ${p._NumSizeClasses} size classes`,
  );
  if (p.goVersion === "1.19") {
    need("ARCH-10", isPow2(p.heapArenaBitmapBytes), "heapArenaBitmapBytes not a power of 2");
    need(
      "ARCH-10",
      p.heapArenaBitmapBytes * p.wordsPerBitmapByte * p.PtrSize === p.heapArenaBytes,
      "heap bitmap does not cover the arena",
    );
  } else {
    need("ARCH-10", isPow2(p.heapArenaBitmapWords), "heapArenaBitmapWords not a power of 2");
    need(
      "ARCH-10",
      p.heapArenaBitmapWords * p.ptrBits * p.PtrSize === p.heapArenaBytes,
      "heap bitmap does not cover the arena",
    );
    for (const [old, now] of Object.entries(go126Aliases)) {
      const rec = p as unknown as Record<string, unknown>;
      need("ARCH-12", rec[old] === rec[now], `${old} ${String(rec[old])} differs from ${now} ${String(rec[now])}`);
    }
  }
  need(
    "ARCH-11",
    isPow2(p.DefaultPhysPageSize) &&
      p.DefaultPhysPageSize >= p.minPhysPageSize &&
      p.DefaultPhysPageSize <= p.maxPhysPageSize &&
      isPow2(p.minPhysPageSize) &&
      isPow2(p.maxPhysPageSize) &&
      p.maxPagesPerPhysPage * p.pageSize === p.maxPhysPageSize &&
      p.maxPhysHugePageSize === p.pallocChunkBytes,
    "bad system page size",
  );
  return out;
}

/** Throws ProfileInvariantError listing every violation when {@link checkProfile} finds any. */
export function assertProfile(p: Profile): void {
  const v = checkProfile(p);
  if (v.length > 0) throw new ProfileInvariantError(v);
}
