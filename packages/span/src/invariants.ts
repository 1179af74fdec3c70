/**
 * Invariant checkers for spans and span lists: slow recomputations of the
 * formulas S1–S9 on MSpanTable and L1–L2 on MSpanList. Tests call them after
 * every operation; they throw `RuntimeThrow("invariant <ID> broken: …")` on
 * the first violation. See docs/design.md, "Managed memory".
 */
import { RuntimeThrow } from "@gomalloc/os-mem";
import {
  F_allocBits,
  F_allocCacheHi,
  F_allocCacheLo,
  F_freed,
  F_gcmarkBits,
  F_list,
  F_next,
  F_prev,
  type MSpanTable,
  mSpanDead,
  mSpanInUse,
  mSpanManual,
} from "./mspan.js";
import type { MSpanList } from "./mspanlist.js";

function broken(id: string, what: string): never {
  throw new RuntimeThrow(`invariant ${id} broken: ${what}`);
}

function bit(t: MSpanTable, bitmapW: number, i: number): number {
  return (t.v.u32[bitmapW + (i >>> 5)]! >>> (i & 31)) & 1;
}

/** Checks S1–S9 on span s. */
export function checkSpan(t: MSpanTable, s: number): void {
  const state = t.state(s);
  if (state !== mSpanDead && state !== mSpanInUse && state !== mSpanManual) broken("S9", `state ${state}`);
  if (state !== mSpanInUse) return;
  const nelems = t.nelems(s);
  const fi = t.freeindex(s);
  if (fi > nelems) broken("S1", `freeindex ${fi} > nelems ${nelems}`);
  const ab = t.getU32(s, F_allocBits);
  const mb = t.getU32(s, F_gcmarkBits);
  const fb = t.getU32(s, F_freed);
  const cap = t.bitmapBytes(s) * 8;
  if (cap < nelems) broken("S8", `bitmaps of ${cap} bits for ${nelems} objects`);
  let allocated = 0;
  for (let i = 0; i < cap; i++) {
    const a = bit(t, ab, i);
    const m = bit(t, mb, i);
    const f = bit(t, fb + 2 * (i >>> 5), i & 31); // local
    const r = bit(t, fb + 2 * (i >>> 5) + 1, i & 31); // remote
    if (m !== 0) broken("S8", `gcmarkBits bit ${i} set between sweeps`);
    if (i >= nelems) {
      if (a !== 0 || f !== 0 || r !== 0) broken("S8", `bit ${i} ≥ nelems set`);
      continue;
    }
    const isAlloc = i < fi || a === 1;
    if (isAlloc) allocated++;
    if ((f | r) === 1 && !isAlloc) broken("S5", `object ${i} freed but not allocated`);
    if ((f & r) === 1) broken("S5", `object ${i} is in both freed bitmaps`);
  }
  if (t.allocCount(s) !== allocated) broken("S4", `allocCount ${t.allocCount(s)}, allocated objects ${allocated}`);
  // S3: the cache window.
  const lo = t.getU32(s, F_allocCacheLo);
  const hi = t.getU32(s, F_allocCacheHi);
  const n = Math.min(64 - (fi % 64), nelems - fi);
  for (let k = 0; k < n; k++) {
    const c = k < 32 ? (lo >>> k) & 1 : (hi >>> (k - 32)) & 1;
    if (c !== 1 - bit(t, ab, fi + k)) broken("S3", `allocCache bit ${k} disagrees with allocBits[${fi + k}]`);
  }
  // S6, S7.
  const base = t.base(s);
  const es = t.elemsize(s);
  if (t.limit(s) !== base + nelems * es) broken("S6", `limit ${t.limit(s)} ≠ base + nelems·elemsize`);
  if (t.limit(s) > base + t.npages(s) * t.pageSize) broken("S6", "objects run past the span's pages");
  if (t.spanclass(s) >>> 1 !== 0) {
    if (t.divMul(s) !== Math.floor(0xffffffff / es) + 1) broken("S7", `divMul ${t.divMul(s)} for elemsize ${es}`);
  } else if (nelems !== 1 || t.divMul(s) !== 0) {
    broken("S7", "a large-object span must hold one object with divMul 0");
  }
}

/** Checks L1–L2 on a span list and returns the spans in order. */
export function checkSpanList(l: MSpanList): number[] {
  const t = l.t;
  const out: number[] = [];
  if ((l.first === 0) !== (l.last === 0)) broken("L1", "first and last disagree on emptiness");
  let prev = 0;
  for (let s = l.first; s !== 0; s = t.getF64(s, F_next)) {
    if (t.getF64(s, F_prev) !== prev) broken("L2", "prev link does not match");
    if (t.getF64(s, F_list) !== l.rec) broken("L2", "span records another list");
    out.push(s);
    prev = s;
    if (out.length > 1e7) broken("L2", "cycle");
  }
  if (prev !== l.last) broken("L1", "last is not the final span");
  return out;
}
