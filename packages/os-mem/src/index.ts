/**
 * @packageDocumentation
 * Go's OS memory state machine (None/Reserved/Prepared/Ready, mem.go) with
 * simulated, WebAssembly.Memory, SharedArrayBuffer and ArrayBuffer backends,
 * the MemView through which every layer reads managed memory, and the
 * Atomics-based Mutex the upper layers reuse. See docs/design.md.
 */
export {
  AttachError,
  BackingAllocationError,
  BadAddressError,
  BadAlignError,
  BadArgumentError,
  BadOptionError,
  BadSizeError,
  hex,
  IllegalTransitionError,
  LockRankError,
  LockWouldBlockError,
  MemoryFault,
  OsMemError,
  PartialReleaseError,
  RuntimeThrow,
} from "./errors.js";
export { FaultInjector } from "./faults.js";
export {
  canBlock,
  type LockWordSource,
  lockRankChecking,
  Mutex,
  type MutexOptions,
  setLockRankChecking,
} from "./lock.js";
export { SysMemoryBase, sysReserveAlignedRetries } from "./mem.js";
export { type ArrayBufferOptions, ArrayBufferSysMemory } from "./mem_arraybuffer.js";
export {
  FLAT_MAGIC,
  FLAT_VERSION,
  type FlatLayout,
  FlatSysMemory,
  type FlatTraits,
  lockRankSysMem,
} from "./mem_flat.js";
export { type SabOptions, SabSysMemory } from "./mem_sab.js";
export { type SimMapping, type SimOptions, SimSysMemory } from "./mem_sim.js";
export { type WasmOptions, WasmSysMemory, wasmPageSize } from "./mem_wasm.js";
export { alignDown, alignUp, isPowerOfTwo } from "./memaccess.js";
export { isGrowableBuffer, isSharedBuffer, MemView } from "./memview.js";
export { SysAccountingBase } from "./mstats.js";
export {
  type CheckedMemory,
  PageState,
  pageStateNames,
  type SysCaps,
  type SysMemory,
  type SysMemStats,
  SysStat,
  sysStatCount,
  sysStatNames,
} from "./types.js";

/** The package name. */
export const packageName = "@gomalloc/os-mem";
