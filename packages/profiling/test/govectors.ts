// Loads the vectors real Go wrote (govectors/generate.sh): one file per Go
// version × GOARCH. amd64 runs Go's wyrand, 386 its xorshift64+ fallback.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export interface GoVectors {
  goVersion: string;
  goarch: string;
  defaultMemProfileRate: number;
  fastlogNumBits: number;
  fastlog2Table: number[];
  fastlog2: { x: number; y: number }[];
  cheaprand: { state: string; r: number; after: string }[];
  fastexprand: { mean: number; state: string; v: number; after: string }[];
  sequences: { mean: number; seed: string; distances: number[]; after: string }[];
  nextSample: { rate: number; state: string; v: string; after: string }[];
  scaleHeapSample: { count: number; size: number; rate: number; objects: number; bytes: number }[];
  memStatsFields: { name: string; type: string }[];
  bySizeFields: { name: string; type: string }[];
  bySizeLen: number;
  bySizeSizes: number[];
  metrics: { name: string; kind: string; cumulative: boolean }[];
}

export const fixtureNames = ["go1.26-amd64", "go1.26-386", "go1.19-amd64", "go1.19-386"] as const;

export function loadVectors(name: (typeof fixtureNames)[number]): GoVectors {
  const path = fileURLToPath(new URL(`./fixtures/govectors-${name}.json`, import.meta.url));
  return JSON.parse(readFileSync(path, "utf8")) as GoVectors;
}

export const vectors = fixtureNames.map((name) => ({ name, v: loadVectors(name) }));

/** A decimal uint64 string as [lo, hi] u32 halves. */
export function halves(dec: string): [number, number] {
  const b = BigInt(dec);
  return [Number(b & 0xffffffffn), Number(b >> 32n)];
}

/** [lo, hi] halves as a decimal uint64 string. */
export function joined(lo: number, hi: number): string {
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}
