/**
 * Explicit free as Go's sweep (design decision 5; Go's mgcsweep.go). Go frees
 * small objects only by sweeping: the mark bits of a GC cycle become the
 * span's alloc bits. Here `free` records an object in the span's freed bitmap
 * (an atomic OR when the memory is shared, so any worker may free) and
 * `sweep`, run by the span's owner, builds the mark bits Go's GC would have
 * produced — every object already in allocBits or handed out since the last
 * sweep (index < freeindex), minus the freed ones — and then does what Go's
 * sweep does with them. See docs/design.md, "Managed memory".
 */

import { RuntimeThrow } from "@gomalloc/os-mem";
import { mulHi32, onesCount32 } from "./bits.js";
import { DoubleFreeError, ForeignPointerError, InteriorPointerError } from "./errors.js";
import { refillAllocCache } from "./mbitmap.js";
import {
  F_allocBits,
  F_allocCount,
  F_divMul,
  F_elemsize,
  F_freed,
  F_freeindex,
  F_gcmarkBits,
  F_limit,
  F_nelems,
  F_startAddr,
  F_state,
  type MSpanTable,
  mSpanInUse,
} from "./mspan.js";

/** {@link sweep} result: no object of the span is allocated any more. */
export const sweepEmpty = 0;
/** {@link sweep} result: some objects are allocated, some free. */
export const sweepPartial = 1;
/** {@link sweep} result: every object is allocated. */
export const sweepFull = 2;

const W_freeindex = F_freeindex / 4;
const W_nelems = F_nelems / 4;
const W_allocCount = F_allocCount / 4;
const W_divMul = F_divMul / 4;
const D_start = F_startAddr / 8;
const D_limit = F_limit / 8;
const D_elemsize = F_elemsize / 8;
const W_allocBits = F_allocBits / 4;
const W_gcmarkBits = F_gcmarkBits / 4;
const W_freed = F_freed / 4;

/**
 * Frees the object at `p` in span s: marks it in a freed bitmap (one bit,
 * no count: {@link MSpanTable.freedCount} counts the bits) — the remote one
 * by `Atomics.or` when `remote` (any worker may call it then), else the local
 * one with a plain store (the caller owns the span: no other thread writes
 * its local words); the next {@link sweep} makes it allocatable again. Throws ForeignPointerError if s is not an in-use
 * heap span or p is outside its objects, InteriorPointerError if p is not an
 * object's first byte, and DoubleFreeError if the object is not allocated or
 * already freed; the span is unchanged then. Misuse racing with
 * the owner's allocation from another worker is detected on a best-effort basis.
 */
export function free(t: MSpanTable, s: number, p: number, remote = t.v.shared): void {
  const v = t.v;
  const u = v.u32;
  const w = (s - v.base) / 4;
  const f = w / 2;
  if (v.u8[s - v.base + F_state] !== mSpanInUse) throw new ForeignPointerError(p, s, "span is not an in-use heap span");
  const start = v.f64[f + D_start]!;
  if (!(p >= start && p < v.f64[f + D_limit]!))
    throw new ForeignPointerError(p, s, "pointer is outside the span's objects");
  const elemsize = v.f64[f + D_elemsize]!;
  const divMul = u[w + W_divMul]!;
  // Go's objIndex; divMul is 0 for a one-object span, whose index is 0.
  const idx = mulHi32(p - start, divMul);
  const objStart = start + idx * elemsize;
  if (p !== objStart) throw new InteriorPointerError(p, objStart);
  const word = idx >>> 5;
  const mask = 1 << (idx & 31);
  if (idx >= u[w + W_freeindex]!) {
    if ((u[u[w + W_allocBits]! + word]! & mask) === 0) throw new DoubleFreeError(p, s);
  }
  const fl = u[w + W_freed]! + 2 * word; // the local word; the remote one follows it
  if (remote) {
    if ((u[fl]! & mask) !== 0) throw new DoubleFreeError(p, s);
    const old = Atomics.or(v.i32, fl + 1, mask);
    if ((old & mask) !== 0) throw new DoubleFreeError(p, s);
  } else {
    const old = u[fl]!;
    if (((old | u[fl + 1]!) & mask) !== 0) throw new DoubleFreeError(p, s);
    u[fl] = old | mask;
  }
}

/**
 * Sweeps span s (its owner only): gcmarkBits ← (allocBits ∪ {i < freeindex})
 * − (local freed ∪ remote freed), both freed words cleared, then as Go's
 * `mspan.sweep`: allocCount ← countAlloc, freeindex ← 0, allocBits ↔
 * gcmarkBits (the old alloc bits, cleared, become the next mark bits),
 * allocCache refilled from object 0. Frees that land while it runs
 * stay recorded for the next sweep. Returns {@link sweepEmpty},
 * {@link sweepPartial} or {@link sweepFull}.
 */
export function sweep(t: MSpanTable, s: number): number {
  const v = t.v;
  const u = v.u32;
  const w = (s - v.base) / 4;
  if (v.u8[s - v.base + F_state] !== mSpanInUse) throw new RuntimeThrow("mspan.sweep: bad span state");
  const nelems = u[w + W_nelems]!;
  const fi = u[w + W_freeindex]!;
  const ab = u[w + W_allocBits]!;
  const mb = u[w + W_gcmarkBits]!;
  const fb = u[w + W_freed]!;
  const n32 = ((nelems + 63) >>> 6) * 2;
  const shared = v.shared;
  let taken = 0;
  let nalloc = 0;
  for (let i = 0; i < n32; i++) {
    const lo = i * 32;
    const below = fi >= lo + 32 ? 0xffffffff : fi <= lo ? 0 : (1 << (fi - lo)) - 1;
    let fw: number;
    const fl = fb + 2 * i;
    if (shared) {
      fw = Atomics.exchange(v.i32, fl, 0) | Atomics.exchange(v.i32, fl + 1, 0);
    } else {
      fw = u[fl]! | u[fl + 1]!;
      u[fl] = 0;
      u[fl + 1] = 0;
    }
    const kept = ((u[ab + i]! | below) & ~fw) >>> 0;
    u[mb + i] = kept;
    taken += onesCount32(fw);
    nalloc += onesCount32(kept);
  }
  const allocCount = u[w + W_allocCount]!;
  if (nalloc > allocCount) throw new RuntimeThrow("sweep increased allocation count");
  if (allocCount - nalloc !== taken) throw new RuntimeThrow("sweep: freed objects were not allocated");
  u[w + W_allocCount] = nalloc;
  // gcmarkBits becomes allocBits; the old alloc bits, cleared, are the next mark bits.
  // allocBits moves before freeindex drops to 0: a free racing from another worker reads
  // freeindex first, and if it sees 0 it must find the object in the new allocBits.
  u[w + W_allocBits] = mb;
  u[w + W_gcmarkBits] = ab;
  if (shared) Atomics.store(v.i32, w + W_freeindex, 0);
  else u[w + W_freeindex] = 0;
  u.fill(0, ab, ab + n32);
  refillAllocCache(t, s, 0);
  if (nalloc === 0) return sweepEmpty;
  return nalloc === nelems ? sweepFull : sweepPartial;
}
