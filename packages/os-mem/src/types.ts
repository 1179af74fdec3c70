/**
 * The os-mem contract: page states, sys memory stats, backend capabilities and
 * the `SysMemory` interface that every backend implements (Go's mem.go).
 *
 * Go's runtime moves regions of address space between four states — None,
 * Reserved, Prepared, Ready — through a handful of `sys*` calls, and keeps a
 * few byte counters as it goes. This file fixes the vocabulary and the
 * signatures; `mem.ts` implements the transitions once for all backends, and
 * each `mem_<backend>.ts` supplies placement and backing storage. Addresses
 * and sizes are plain numbers (bytes); states are tracked per physical page
 * (`physPageSize`). See docs/design.md, "Managed memory".
 */
import type { FaultInjector } from "./faults.js";
import type { MemView } from "./memview.js";

/**
 * State of one physical page (Go's mem.go). Legal moves:
 * None→Ready (`sysAlloc`), None→Reserved (`sysReserve`), Reserved→Prepared
 * (`sysMap`), Prepared→Ready (`sysUsed`), Ready→Prepared (`sysUnused`),
 * Ready/Prepared→Reserved (`sysFault`), any→None (`sysFree`), Reserved→None
 * (`sysUnreserve`).
 */
export const PageState = {
  /** Not owned: the default state of all address space. */
  None: 0,
  /** Owned, but any access faults; costs no memory. */
  Reserved: 1,
  /** Owned, may be made Ready cheaply; contents undefined (here: zero), access faults. */
  Prepared: 2,
  /** Owned and accessible. */
  Ready: 3,
} as const;
/** One of the four page states (a small integer, see {@link PageState}). */
export type PageState = (typeof PageState)[keyof typeof PageState];

/** Names of the page states, indexed by {@link PageState}. */
export const pageStateNames: readonly string[] = ["None", "Reserved", "Prepared", "Ready"];

/**
 * Go's sys memory statistics (`sysMemStat` fields of `memstats` in mstats.go and
 * of `gcController` in mgcpacer.go), as small integer ids so that the counters
 * can live in a typed array (inside the buffer for shared backends). Go's
 * `HeapSys` is `heapInUse + heapFree + heapReleased`.
 */
export const SysStat = {
  /** `gcController.heapInUse`: bytes in in-use heap spans. */
  heapInUse: 0,
  /** `gcController.heapFree`: free heap bytes not released to the OS. */
  heapFree: 1,
  /** `gcController.heapReleased`: heap bytes released to the OS (Go maps new heap memory here). */
  heapReleased: 2,
  /** `memstats.stacks_sys`. */
  stacks_sys: 3,
  /** `memstats.mspan_sys`: mspan records (fixalloc). */
  mspan_sys: 4,
  /** `memstats.mcache_sys`: mcache records (fixalloc). */
  mcache_sys: 5,
  /** `memstats.buckhash_sys`: profiling bucket hash tables. */
  buckhash_sys: 6,
  /** `memstats.gcMiscSys`: GC metadata (heapArena records, bitmaps...). */
  gcMiscSys: 7,
  /** `memstats.other_sys`: everything else (persistentalloc chunks are charged here first). */
  other_sys: 8,
} as const;
/** One of Go's sys memory stats (a small integer, see {@link SysStat}). */
export type SysStat = (typeof SysStat)[keyof typeof SysStat];

/** Number of {@link SysStat} ids. */
export const sysStatCount = 9;

/** Names of the sys stats, indexed by {@link SysStat}. */
export const sysStatNames: readonly (keyof typeof SysStat)[] = [
  "heapInUse",
  "heapFree",
  "heapReleased",
  "stacks_sys",
  "mspan_sys",
  "mcache_sys",
  "buckhash_sys",
  "gcMiscSys",
  "other_sys",
];

/** What a backend can do, declared as data (mimalloc's prim.h style) rather than by type checks. */
export interface SysCaps {
  /** Short backend name: "simulated", "wasm", "sab", "arraybuffer". */
  readonly backend: string;
  /** Size in bytes of the unit whose state is tracked; every transition works on whole physical pages. */
  readonly physPageSize: number;
  /** Placement granularity of reservations (64 KiB on Windows, else `physPageSize`). */
  readonly allocGranularity: number;
  /** Reserved memory costs no backing storage (false for a fixed ArrayBuffer, whose bytes all exist). */
  readonly canReserveWithoutCommit: boolean;
  /** `sysUnused` gives the backing storage back (false for linear memories that can only grow). */
  readonly canDecommit: boolean;
  /** Part of a reservation can be released (false on Windows-like backends: only whole reservations). */
  readonly canReleasePart: boolean;
  /** The backend can grow its buffer after creation. */
  readonly canGrow: boolean;
  /** Several workers can attach to the same memory and see one page-state table. */
  readonly sharedBetweenWorkers: boolean;
  /** Go's `isSbrkPlatform`: one linear address space growing upward (js/wasm, plan9). */
  readonly sbrk: boolean;
  /** First address a reservation may occupy. */
  readonly addressSpaceStart: number;
  /** One past the last address a reservation may occupy. */
  readonly addressSpaceEnd: number;
}

/** A snapshot of the accounting of one {@link SysMemory}. All values are bytes. */
export interface SysMemStats {
  /** Exact: bytes of pages in the Reserved state. */
  reserved: number;
  /** Exact: bytes of pages in the Prepared state. */
  prepared: number;
  /** Exact: bytes of pages in the Ready state (committed). */
  ready: number;
  /** Exact: `prepared + ready`. */
  mapped: number;
  /** Exact: bytes mapped but not Ready, i.e. released to the OS (`prepared`). */
  released: number;
  /**
   * Go's `gcController.mappedReady`, updated exactly as mem.go does: `+n` on
   * sysAlloc, `+prepared` on sysUsed, `-n` on sysUnused, sysFree and sysFault
   * whatever the pages' states were. Equals `ready` as long as callers follow
   * Go's conventions (free and fault only Ready memory, page-multiple sizes).
   */
  mappedReady: number;
  /** Ready pages written since they last became Ready (checked writes and `touch`). */
  resident: number;
  /** Go's total `sys`: the sum of all {@link SysStat} counters. */
  sys: number;
  /** Each {@link SysStat} counter by name. */
  stats: Record<(typeof sysStatNames)[number], number>;
}

/**
 * Checked access to managed memory: every call verifies that the touched pages
 * are Ready and throws a `MemoryFault` otherwise (like touching a PROT_NONE
 * page). Values are little-endian; addresses need no alignment.
 */
export interface CheckedMemory {
  /** Reads the byte at `addr`. */
  read8(addr: number): number;
  /** Writes the low 8 bits of `value` at `addr`. */
  write8(addr: number, value: number): void;
  /** Reads the u32 at `addr`. */
  read32(addr: number): number;
  /** Writes `value` (taken mod 2^32) as a u32 at `addr`. */
  write32(addr: number, value: number): void;
  /** Reads the f64 at `addr`. */
  readF64(addr: number): number;
  /** Writes the f64 `value` at `addr`. */
  writeF64(addr: number, value: number): void;
  /** Copies `dst.length` bytes starting at `addr` into `dst`. */
  readBytes(addr: number, dst: Uint8Array): void;
  /** Copies `src` into memory starting at `addr`. */
  writeBytes(addr: number, src: Uint8Array): void;
  /** Sets `n` bytes starting at `addr` to `value` (Go's memclrNoHeapPointers when 0). */
  fill(addr: number, n: number, value: number): void;
}

/**
 * Go's OS memory abstraction (mem.go) over one backend. Every transition checks
 * the whole range first: if any page is not in a legal source state it throws
 * an `IllegalTransitionError` naming the page, its state and the transition,
 * and changes nothing. Ranges are `[v, v + n)` with `v` a multiple of
 * `physPageSize` and `n` rounded up to whole pages (as mmap does), except
 * `sysUsed`, which covers every page the range touches.
 */
export interface SysMemory extends CheckedMemory {
  /** Size of the unit whose state is tracked (Go's `physPageSize`). */
  readonly physPageSize: number;
  /** What this backend can do. */
  readonly caps: SysCaps;
  /** None→Ready at a place the backend picks, zeroed; counts `n` in `stat` and mappedReady. Returns 0 on failure. */
  sysAlloc(n: number, stat: SysStat): number;
  /** Any (not None)→None; subtracts `n` from `stat` and mappedReady. */
  sysFree(v: number, n: number, stat: SysStat): void;
  /** None→Reserved at `v` if that range is free (`v` = 0: anywhere). Returns 0 on failure. */
  sysReserve(v: number, n: number): number;
  /**
   * None→Reserved, `align`-aligned: reserves `size + align` and trims the ends,
   * or, when part of a reservation cannot be released, re-reserves the aligned
   * sub-range (Go's sysReserveAligned). Returns `[0, 0]` on failure.
   */
  sysReserveAligned(v: number, size: number, align: number): [addr: number, size: number];
  /** Reserved→Prepared; counts `n` in `stat`. Returns false, changing nothing, if the backend refuses. */
  sysMap(v: number, n: number, stat: SysStat): boolean;
  /**
   * Prepared→Reserved; subtracts `n` from `stat` (the inverse of sysMap, for
   * rolling back a mapping whose next step failed). Not in Go.
   */
  sysUnmap(v: number, n: number, stat: SysStat): void;
  /**
   * Prepared (or already Ready)→Ready; adds `prepared` (the caller's count of
   * Prepared bytes in the range) to mappedReady. Returns false, changing
   * nothing, if the backend refuses to commit.
   */
  sysUsed(v: number, n: number, prepared: number): boolean;
  /** Ready→Prepared; the contents are forfeit (here: zeroed). */
  sysUnused(v: number, n: number): void;
  /** Ready/Prepared→Reserved; contents zeroed, later access faults. */
  sysFault(v: number, n: number): void;
  /** Records a hint that huge pages would help `[v, v+n)` (rounded inward to huge pages). */
  sysHugePage(v: number, n: number): void;
  /** Records a hint that huge pages would not help `[v, v+n)`. */
  sysNoHugePage(v: number, n: number): void;
  /** The MemView covering `addr`; flat backends: one view over the whole buffer, base 0. */
  viewOf(addr: number): MemView;
  /**
   * Whether another handle grew the memory past this handle's whole-buffer
   * view (a shared buffer or WebAssembly.Memory grown by another worker, or a
   * non-shared one grown by another handle in this thread, which detaches
   * this handle's arrays). Decided by the buffer object and its length, not
   * by the old arrays' length alone: V8's optimized code has been seen to
   * read a detached array's old length. Always false on the simulated
   * backend, whose views follow its reservations.
   */
  grownElsewhere(): boolean;
  /**
   * Re-points this handle's whole-buffer view at the memory as it is now if
   * {@link grownElsewhere}; returns whether it did.
   */
  syncView(): boolean;

  /** Reserved→None without touching any counter (Go's sysUnreserve). */
  sysUnreserve(v: number, n: number): void;
  /** Whether memory that went through sysUnused must be zeroed by the caller after sysUsed (Go's needZeroAfterSysUnused). */
  needZeroAfterSysUnused(): boolean;
  /** State of the page containing `addr` (None outside the address space). */
  pageState(addr: number): PageState;
  /** Huge-page hint recorded for the page containing `addr`. */
  hugePageHint(addr: number): "none" | "huge" | "nohuge";
  /** Marks the Ready pages of `[v, v+n)` resident, for writes made through raw MemViews. */
  touch(v: number, n: number): void;
  /** Adds `delta` to one stat (Go's `sysMemStat.add`); throws `RuntimeThrow("sysMemStat overflow")` below 0. */
  statAdd(stat: SysStat, delta: number): void;
  /** Two {@link statAdd}s under one lock: no reader sees one without the other. */
  statAddPair(statA: SysStat, deltaA: number, statB: SysStat, deltaB: number): void;
  /** Current value of one stat. */
  statLoad(stat: SysStat): number;
  /** A snapshot of all counters. */
  stats(): SysMemStats;
  /** Number of root slots. */
  readonly rootSlotCount: number;
  /** Reads root slot `i` (0 if never set): where upper layers keep the address of their root record. */
  getRoot(i: number): number;
  /** Writes root slot `i`. */
  setRoot(i: number, value: number): void;
  /** Sets root slot `i` to `value` only if it holds `expected`; returns the value found. */
  casRoot(i: number, expected: number, value: number): number;
  /** Deterministic fault injection for this instance. */
  readonly faults: FaultInjector;
  /**
   * Checks the invariants documented on the backend (page table, counters,
   * zeroed non-Ready memory when `contents` is set) and throws a
   * `RuntimeThrow` naming the first one broken.
   */
  checkInvariants(opts?: { contents?: boolean }): void;
}
