/**
 * The WebAssembly.Memory backend: Go's js/wasm memory (mem_wasm.go, mem_js.go,
 * mem_sbrk.go). 64 KiB pages; reservations may extend up to the memory's
 * maximum and the memory grows with `memory.grow` when pages become Ready. A
 * grow of a non-shared memory detaches the old buffer and a grow of a shared
 * one yields a new, longer SharedArrayBuffer: either way the backend rebinds
 * its MemView in place (Go's resetMemoryDataView), and a handle in another
 * worker rebinds on its next call. The header (page table, accounting, root
 * slots, lock) lives in the memory at `base`, so workers sharing a shared
 * memory see one truth. See docs/design.md, "Managed memory".
 */
import { BadOptionError } from "./errors.js";
import { type FlatLayout, FlatSysMemory, flatLayout, readFlatLayout } from "./mem_flat.js";
import { isSharedBuffer } from "./memview.js";

/** Size of a WebAssembly page. */
export const wasmPageSize = 65536;

/** Options of {@link WasmSysMemory.create}. */
export interface WasmOptions {
  /** First byte the backend manages (the module's own data lies below). @defaultValue 0 */
  base?: number;
  /** The memory's maximum in wasm pages (JS cannot read it back). @defaultValue 65536 (4 GiB) */
  maximumPages?: number;
  /** Physical page size. @defaultValue 65536 */
  physPageSize?: number;
}

/** A backend over a WebAssembly.Memory, shared or not. */
export class WasmSysMemory extends FlatSysMemory {
  readonly memory: WebAssembly.Memory;

  private constructor(memory: WebAssembly.Memory, layout: FlatLayout, init: boolean) {
    const shared = isSharedBuffer(memory.buffer);
    super(
      memory.buffer,
      layout,
      { backend: "wasm", canGrow: true, canReserveWithoutCommit: true, sharedBetweenWorkers: shared },
      init,
    );
    this.memory = memory;
  }

  /** Formats `[base, maximum)` of `memory` and returns its first handle. */
  static create(memory: WebAssembly.Memory, opts: WasmOptions = {}): WasmSysMemory {
    const maxPages = opts.maximumPages ?? 65536;
    if (!Number.isInteger(maxPages) || maxPages < 1 || maxPages > 65536) {
      throw new BadOptionError("maximumPages", `${maxPages} is not in [1, 65536]`);
    }
    const layout = flatLayout(opts.base ?? 0, maxPages * wasmPageSize, opts.physPageSize ?? wasmPageSize);
    const need = layout.base + layout.headerBytes;
    const have = memory.buffer.byteLength;
    if (have < need) {
      try {
        memory.grow(Math.ceil((need - have) / wasmPageSize));
      } catch (e) {
        throw new BadOptionError("memory", `cannot grow to hold the header: ${String(e)}`);
      }
    }
    return new WasmSysMemory(memory, layout, true);
  }

  /** A handle on a memory already formatted by `create` at `base`. */
  static attach(memory: WebAssembly.Memory, base = 0): WasmSysMemory {
    return new WasmSysMemory(memory, readFlatLayout(memory.buffer, base), false);
  }

  protected currentBuffer(): ArrayBufferLike {
    return this.memory.buffer;
  }

  protected growTo(bytes: number): boolean {
    const have = this.memory.buffer.byteLength;
    if (have >= bytes) return true;
    try {
      this.memory.grow(Math.ceil((bytes - have) / wasmPageSize));
      return true;
    } catch {
      return false;
    }
  }
}
