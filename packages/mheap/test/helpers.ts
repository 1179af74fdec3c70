// Shared test helpers: Go vector fixtures, a port of export_test.go's
// NewPageAlloc, bit-range builders and 64-bit hex conversions.
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { type SysMemory, SysStat } from "@gomalloc/os-mem";
import { PageAlloc, type PageAllocOptions } from "../src/index.js";
import { pageBitsClearRange, pageBitsSetRange } from "../src/mpallocbits.js";
import { backendsFor } from "./backends.js";

export interface GoGeometry {
  GOOS: string;
  GOARCH: string;
  GoVersion: string;
  PageShift: number;
  HeapAddrBits: number;
  LogChunkPages: number;
  SummaryLevels: number;
  L1Bits: number;
  ArenaBaseOffsetAdd: number;
  PhysPageSize: number;
  PhysHugePageSize: number;
  BaseChunkIdx: number;
  PallocChunkPages: number;
}

export type Ranges = Record<string, Array<[number, number]>>;
export type Op = Array<string | number>;

export interface Scenario {
  Name: string;
  Chunks: Ranges;
  Scav?: Ranges;
  NoScav: boolean;
  Ops: Op[];
  Final: Record<string, { Alloc: string[]; Scav: string[] }>;
  Sums: Array<[number, number]>;
  SumHex: string[];
  InUse: Array<[number, number]>;
  Search: number;
}

export interface GoVectors {
  Geometry: GoGeometry;
  PallocBits: Array<{
    Words: string[];
    Sum: string;
    Start: number;
    Max: number;
    End: number;
    Finds: Array<[number, number, number, number]>;
    Popcnt: Array<[number, number, number]>;
  }>;
  FindBitRange: Array<[string | number, number, number]>;
  FillAligned: Array<[string | number, number, string | number]>;
  ScavCand: Array<{ Alloc: string[]; Scav: string[]; Cases: Array<[number, number, number, number, number]> }>;
  PageAlloc: Scenario[];
}

/** The vector files, one per Go target. */
export const TARGETS = ["linux-amd64", "linux-386", "js-wasm"] as const;

const cache = new Map<string, GoVectors>();
/** Loads test/fixtures/go-vectors-<target>.json.gz (written by govectors). */
export function loadVectors(target: string): GoVectors {
  let v = cache.get(target);
  if (v === undefined) {
    const raw = gunzipSync(readFileSync(new URL(`./fixtures/go-vectors-${target}.json.gz`, import.meta.url)));
    v = JSON.parse(raw.toString("utf8")) as GoVectors;
    cache.set(target, v);
  }
  return v;
}

/** Page allocator options for a Go target's geometry. */
export function optsFor(g: GoGeometry): PageAllocOptions {
  return {
    pageShift: g.PageShift,
    heapAddrBits: g.HeapAddrBits,
    logPallocChunkPages: g.LogChunkPages,
    summaryLevels: g.SummaryLevels,
    pallocChunksL1Bits: g.L1Bits,
    arenaBaseOffsetAdd: g.ArenaBaseOffsetAdd,
    physHugePageSize: g.PhysHugePageSize,
  };
}

/** The primary backend for a Go target's geometry (see backends.ts). */
export function sysFor(g: GoGeometry): SysMemory {
  return backendsFor[`${g.GOOS}-${g.GOARCH}`]![0]!.make();
}

/** A Ready, zeroed block of one physical page for test records. */
export function recordSpace(sys: SysMemory): number {
  const p = sys.sysAlloc(sys.physPageSize, SysStat.other_sys);
  if (p === 0) throw new Error("recordSpace: sysAlloc failed");
  return p;
}

/** [lo, hi] u32 halves of a 16-digit hex uint64 (or a JSON number below 2^53). */
export function halves(x: string | number): [number, number] {
  if (typeof x === "number") return [x % 2 ** 32, Math.floor(x / 2 ** 32)];
  return [Number.parseInt(x.slice(8), 16), Number.parseInt(x.slice(0, 8), 16)];
}

/** A u32 bitmap for `pages` bits from Go uint64 hex words. */
export function wordsToU32(words: string[]): Uint32Array {
  const out = new Uint32Array(words.length * 2);
  words.forEach((w, i) => {
    const [lo, hi] = halves(w);
    out[2 * i] = lo;
    out[2 * i + 1] = hi;
  });
  return out;
}

/** Hex uint64 words of a u32 bitmap, as Go prints them. */
export function u32ToWords(u: Uint32Array, off: number, n32: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n32; i += 2) {
    out.push(u[off + i + 1]!.toString(16).padStart(8, "0") + u[off + i]!.toString(16).padStart(8, "0"));
  }
  return out;
}

/** A chunk bitmap with the ranges [i, i+n) set (Go's makePallocBits). */
export function makeBits(pages: number, ranges: Array<[number, number]>): Uint32Array {
  const u = new Uint32Array(pages / 32);
  for (const [i, n] of ranges) if (n > 0) pageBitsSetRange(u, 0, i, n);
  return u;
}

/**
 * Port of export_test.go's NewPageAlloc: grows one chunk per key of `chunks`,
 * clears the scavenged bits grow set, applies `scav` then `chunks` (alloc)
 * ranges, and keeps the scavenge index and summaries in step.
 */
export function newPageAlloc(sys: SysMemory, opts: PageAllocOptions, chunks: Ranges, scav?: Ranges): PageAlloc {
  const p = PageAlloc.create(sys, opts);
  const g = p.g;
  const P = g.pallocChunkPages;
  for (const key of Object.keys(chunks).sort((a, b) => Number(a) - Number(b))) {
    const c = Number(key);
    p.grow(c * g.pallocChunkBytes - g.arenaBaseOffsetAdd, g.pallocChunkBytes);
    let off = p.chunkOf(c);
    pageBitsClearRange(p.cu32, off + p.pb.scavOff, 0, P);
    p.scavIndex.alloc(c, P);
    p.scavIndex.free(c, 0, P);
    for (const [i, n] of scav?.[key] ?? []) {
      if (n === 0) continue;
      off = p.chunkOf(c);
      pageBitsSetRange(p.cu32, off + p.pb.scavOff, i, n);
    }
    for (const [i, n] of chunks[key]!) {
      if (n === 0) continue;
      p.chunkOf(c);
      p.pb.dataAllocRange(i, n);
      p.scavIndex.alloc(c, n);
    }
    p.update(c * g.pallocChunkBytes, P, false, false);
  }
  return p;
}

/** A string of the allocator state a failed call must leave untouched (bounds, ranges, chunk bitmaps, index words, leaf summaries). */
export function fingerprint(p: PageAlloc, chunks: number[]): string {
  const parts: unknown[] = [p.searchAddr, p.start, p.end, p.inUse.len, p.inUse.totalBytes];
  for (const c of chunks) {
    const off = p.chunkOf(c);
    parts.push(Array.from(p.cu32.subarray(off, off + 2 * p.pb.n32)), p.scavIndex.chunkLo(c), p.scavIndex.chunkHi(c));
    parts.push(p.summaryLo(p.g.summaryLevels - 1, c), p.summaryHi(p.g.summaryLevels - 1, c));
  }
  return JSON.stringify(parts);
}
