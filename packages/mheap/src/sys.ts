/**
 * The slice of os-mem's `SysMemory` contract the page allocator uses (Go's
 * mem.go: sysAlloc, sysReserve, sysMap, sysUsed, sysFault, sysFree). Kept
 * structural so the page allocator runs on any backend that provides it.
 * See docs/design.md, "Managed memory".
 */

/**
 * The parts of os-mem's MemView the page allocator reads (typed arrays over
 * `[base, base + byteLength)`); os-mem's class satisfies it.
 */
export interface MemView {
  base: number;
  shared: boolean;
  u8: Uint8Array;
  u32: Uint32Array;
  i32: Int32Array;
  f64: Float64Array;
}

/** Opaque statistic handle forwarded to the backend (Go's `*sysMemStat`). */
export type SysStat = unknown;

/** The OS-memory operations the page allocator needs. */
export interface SysMemory {
  readonly physPageSize: number;
  sysAlloc(n: number, stat: SysStat): number;
  sysFree(v: number, n: number, stat: SysStat): void;
  sysReserve(v: number, n: number): number;
  sysMap(v: number, n: number, stat: SysStat): boolean;
  sysUsed(v: number, n: number, prepared: number): boolean;
  sysFault(v: number, n: number): void;
  viewOf(addr: number): MemView;
}
