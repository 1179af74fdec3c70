/**
 * runtime/malloc.go's constants: the heap address width, arena size and the
 * two-level arena map split, arenaBaseOffset, the tiny allocator and the
 * chunk sizes of fixalloc and persistentalloc. The formulas are Go's, term
 * for term: each `Is*` flag is 0 or 1, so a product selects a case. Go 1.26
 * shrank wasm arenas from 4 MiB to 512 KiB and replaced the 2-bit heap bitmap
 * size with a 1-bit word count. See docs/design.md, "Managed memory".
 */
import type { FormulaEnv } from "./env.js";
import { div, exact, shl } from "./env.js";

/** The page and tiny-allocator parameters malloc.go takes from the size-class scalars. */
export interface MallocInputs {
  readonly pageShift: number;
  readonly tinySize: number;
  readonly tinySizeClass: number;
  readonly maxSmallSize: number;
}

/** `(1 << heapAddrBits)`-style arena geometry shared by both versions. */
function arenas(env: FormulaEnv, logHeapArenaBytes: number, _64bit: number, pageSize: number) {
  const { o, a } = env;
  const heapAddrBits =
    _64bit * (1 - a.IsWasm) * (1 - o.IsIos * a.IsArm64) * 48 +
    (1 - _64bit + a.IsWasm) * (32 - (a.IsMips + a.IsMipsle)) +
    40 * o.IsIos * a.IsArm64;
  const maxAlloc = shl(1, heapAddrBits) - (1 - _64bit) * 1;
  const heapArenaBytes = shl(1, logHeapArenaBytes);
  const pagesPerArena = div(heapArenaBytes, pageSize);
  const arenaL1Bits = 6 * (_64bit * o.IsWindows);
  const arenaL2Bits = heapAddrBits - logHeapArenaBytes - arenaL1Bits;
  const arenaL1Shift = arenaL2Bits;
  const arenaBits = arenaL1Bits + arenaL2Bits;
  const arenaBaseOffset = exact(0xffff800000000000n * BigInt(a.IsAmd64) + 0x0a00000000000000n * BigInt(o.IsAix));
  return {
    heapAddrBits,
    maxAlloc,
    heapArenaBytes,
    pagesPerArena,
    arenaL1Bits,
    arenaL2Bits,
    arenaL1Shift,
    arenaBits,
    arenaBaseOffset,
  };
}

/** `1 << (^uintptr(0) >> 63) / 2`: 1 on 64-bit ports, 0 on 32-bit ones. */
function is64bit(PtrSize: number): number {
  const topBit = PtrSize === 8 ? 1 : 0;
  return div(shl(1, topBit), 2);
}

function stackOrders(env: FormulaEnv): number {
  return 4 - div(env.g.PtrSize, 4) * env.o.IsWindows - 1 * env.o.IsPlan9;
}

/** Go 1.19's malloc.go. */
export function malloc119(env: FormulaEnv, m: MallocInputs) {
  const { o, a, g } = env;
  const _64bit = is64bit(g.PtrSize);
  const _PageSize = shl(1, m.pageShift);
  const logHeapArenaBytes =
    (6 + 20) * (_64bit * (1 - o.IsWindows) * (1 - a.IsWasm) * (1 - o.IsIos * a.IsArm64)) +
    (2 + 20) * (_64bit * o.IsWindows) +
    (2 + 20) * (1 - _64bit) +
    (2 + 20) * a.IsWasm +
    (2 + 20) * o.IsIos * a.IsArm64;
  const ar = arenas(env, logHeapArenaBytes, _64bit, _PageSize);
  return {
    maxTinySize: m.tinySize,
    tinySizeClass: m.tinySizeClass,
    maxSmallSize: m.maxSmallSize,
    pageShift: m.pageShift,
    pageSize: _PageSize,
    _PageSize,
    _PageMask: _PageSize - 1,
    _64bit,
    _TinySize: m.tinySize,
    _TinySizeClass: m.tinySizeClass,
    _FixAllocChunk: shl(16, 10),
    _StackCacheSize: 32 * 1024,
    _NumStackOrders: stackOrders(env),
    heapAddrBits: ar.heapAddrBits,
    maxAlloc: ar.maxAlloc,
    heapArenaBytes: ar.heapArenaBytes,
    logHeapArenaBytes,
    heapArenaBitmapBytes: div(ar.heapArenaBytes, div(g.PtrSize * 8, 2)),
    pagesPerArena: ar.pagesPerArena,
    arenaL1Bits: ar.arenaL1Bits,
    arenaL2Bits: ar.arenaL2Bits,
    arenaL1Shift: ar.arenaL1Shift,
    arenaBits: ar.arenaBits,
    arenaBaseOffset: ar.arenaBaseOffset,
    arenaBaseOffsetUintptr: ar.arenaBaseOffset,
    minLegalPointer: 4096,
    persistentChunkSize: shl(256, 10),
  };
}

/** Go 1.26's malloc.go (with internal/runtime/gc's malloc-header constants). */
export function malloc126(
  env: FormulaEnv,
  m: MallocInputs,
  gc: { MinSizeForMallocHeader: number; MallocHeaderSize: number },
) {
  const { o, a, g } = env;
  const _64bit = is64bit(g.PtrSize);
  const pageSize = shl(1, m.pageShift);
  const logHeapArenaBytes =
    (6 + 20) * (_64bit * (1 - o.IsWindows) * (1 - a.IsWasm) * (1 - o.IsIos * a.IsArm64)) +
    (2 + 20) * (_64bit * o.IsWindows) +
    (2 + 20) * (1 - _64bit) +
    (9 + 10) * a.IsWasm +
    (2 + 20) * o.IsIos * a.IsArm64;
  const ar = arenas(env, logHeapArenaBytes, _64bit, pageSize);
  const heapArenaWords = div(ar.heapArenaBytes, g.PtrSize);
  return {
    maxTinySize: m.tinySize,
    tinySizeClass: m.tinySizeClass,
    maxSmallSize: m.maxSmallSize,
    pageSize,
    pageMask: pageSize - 1,
    _PageSize: pageSize,
    minSizeForMallocHeader: gc.MinSizeForMallocHeader,
    mallocHeaderSize: gc.MallocHeaderSize,
    _64bit,
    _TinySize: m.tinySize,
    _TinySizeClass: m.tinySizeClass,
    _FixAllocChunk: shl(16, 10),
    _StackCacheSize: 32 * 1024,
    _NumStackOrders: stackOrders(env),
    heapAddrBits: ar.heapAddrBits,
    maxAlloc: ar.maxAlloc,
    heapArenaBytes: ar.heapArenaBytes,
    heapArenaWords,
    logHeapArenaBytes,
    heapArenaBitmapWords: div(heapArenaWords, 8 * g.PtrSize),
    pagesPerArena: ar.pagesPerArena,
    arenaL1Bits: ar.arenaL1Bits,
    arenaL2Bits: ar.arenaL2Bits,
    arenaL1Shift: ar.arenaL1Shift,
    arenaBits: ar.arenaBits,
    arenaBaseOffset: ar.arenaBaseOffset,
    arenaBaseOffsetUintptr: ar.arenaBaseOffset,
    minLegalPointer: 4096,
    persistentChunkSize: shl(256, 10),
  };
}

/**
 * `(2^64 − arenaBaseOffset) mod 2^64` as a number: what to add to an address
 * (as a plain number) before dividing by heapArenaBytes to get its arena
 * index. 2^47 on amd64, 0 where arenaBaseOffset is 0, and 0xf600000000000000
 * on aix/ppc64 (exact as a double, but only useful with addresses kept
 * relative to arenaBaseOffset there, since aix heap addresses exceed 2^53).
 */
export function arenaBaseOffsetAdd(arenaBaseOffset: number | bigint): number {
  const off = BigInt(arenaBaseOffset);
  return Number((2n ** 64n - off) % 2n ** 64n);
}
