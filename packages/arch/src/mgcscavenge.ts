/**
 * runtime/mgcscavenge.go's constants: the background scavenger's CPU and
 * retention targets, its cost model (scavenging is only costly on darwin and
 * ios) and, in Go 1.26, the packed per-chunk occupancy record of the
 * scavenge index. See docs/design.md, "Layers".
 */
import type { FormulaEnv } from "./env.js";
import { div, shl, toInt } from "./env.js";

/** What the scavenger's formulas take from the other files. */
export interface ScavengeInputs {
  readonly maxPhysPageSize: number;
  readonly pageSize: number;
  readonly pallocChunkPages: number;
  readonly logPallocChunkPages: number;
}

/** Constants both versions declare. */
export function mgcscavenge(env: FormulaEnv, m: ScavengeInputs) {
  return {
    scavengePercent: 1,
    retainExtraPercent: 10,
    reduceExtraPercent: 5,
    maxPagesPerPhysPage: div(m.maxPhysPageSize, m.pageSize),
    scavengeCostRatio: 0.7 * (env.o.IsDarwin + env.o.IsIos),
  };
}

/** Go 1.26's scavenge-index chunk record. */
export function mgcscavenge126(m: ScavengeInputs) {
  const scavChunkHiOccFrac = 0.96875;
  const scavChunkMaxFlags = 6;
  const logScavChunkInUseMax = m.logPallocChunkPages + 1;
  return {
    scavChunkHiOccFrac,
    scavChunkHiOccPages: toInt(scavChunkHiOccFrac * m.pallocChunkPages, "scavChunkHiOccPages"),
    scavChunkMaxFlags,
    scavChunkFlagsMask: shl(1, scavChunkMaxFlags) - 1,
    logScavChunkInUseMax,
    scavChunkInUseMask: shl(1, logScavChunkInUseMax) - 1,
  };
}
