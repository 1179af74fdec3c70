/**
 * runtime/mheap.go's constants (physical page bounds, span classes, the page
 * reclaimer's chunk, gcBits arenas) and mspanset.go's block sizes, used by
 * mcentral's span sets. See docs/design.md, "Layers".
 */
import type { FormulaEnv } from "./env.js";
import { shl } from "./env.js";

/** What mheap.go's formulas take from the other files. */
export interface MheapInputs {
  readonly pallocChunkBytes: number;
  readonly pagesPerArena: number;
  readonly numSizeClasses: number;
  readonly tinySizeClass: number;
}

/** mheap.go and mspanset.go constants of one port. */
export function mheap(env: FormulaEnv, m: MheapInputs) {
  return {
    minPhysPageSize: 4096,
    maxPhysPageSize: shl(512, 10),
    maxPhysHugePageSize: m.pallocChunkBytes,
    pagesPerReclaimerChunk: env.version === "1.19" ? 512 : Math.min(512, m.pagesPerArena),
    physPageAlignedStacks: env.o.GOOS === "openbsd",
    numSpanClasses: m.numSizeClasses * 2,
    tinySpanClass: (m.tinySizeClass << 1) | 1,
    gcBitsChunkBytes: shl(64, 10),
    // unsafe.Sizeof(gcBitsHeader{}): two uintptr fields.
    gcBitsHeaderBytes: 2 * env.g.PtrSize,
    spanSetBlockEntries: 512,
    spanSetInitSpineCap: 256,
  };
}
