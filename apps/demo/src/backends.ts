/**
 * The memory each backend runs on, made the way a user of `createHeap` would
 * make it: a resizable ArrayBuffer, a WebAssembly.Memory (plain or shared),
 * or a growable SharedArrayBuffer, all starting small and allowed to grow to
 * the configured maximum. Shared memory can be posted to a worker and read
 * back by the page through a second, read-only heap handle (`attachHeap`).
 */
import { SabSysMemory, type SysMemory, WasmSysMemory, wasmPageSize } from "@gomalloc/os-mem";
import { attachHeap, type CreateHeapOptions, type Heap } from "@gomalloc/runtime";
import type { BackendKind, SharedMemory } from "./protocol.js";

/** The largest maximum the demo offers (WebAssembly.Memory's 4 GiB less one page fits every backend). */
export const maxBackendBytes = 2 ** 31;

/** Checks a maximum size: a whole number of 64 KiB pages in [1 MiB, 2 GiB]. */
export function checkMaxBytes(maxBytes: number): number {
  if (!Number.isInteger(maxBytes) || maxBytes < 2 ** 20 || maxBytes > maxBackendBytes || maxBytes % wasmPageSize) {
    throw new RangeError(`memory maximum ${maxBytes}: want a multiple of 64 KiB in [1 MiB, 2 GiB]`);
  }
  return maxBytes;
}

/**
 * Makes the shared memory of a shared backend (null for the others), so the
 * page can hand it to a worker and keep a reference to read it.
 */
export function makeSharedMemory(backend: BackendKind, maxBytes: number): SharedMemory | null {
  checkMaxBytes(maxBytes);
  if (backend === "sab") return new SharedArrayBuffer(0, { maxByteLength: maxBytes });
  if (backend === "wasm-shared") {
    return new WebAssembly.Memory({ initial: 1, maximum: maxBytes / wasmPageSize, shared: true });
  }
  return null;
}

/** createHeap's memory options for a backend, over `shared` when the backend is shared and it is given. */
export function heapMemoryOptions(
  backend: BackendKind,
  maxBytes: number,
  shared: SharedMemory | null,
): CreateHeapOptions {
  checkMaxBytes(maxBytes);
  const pages = maxBytes / wasmPageSize;
  switch (backend) {
    case "arraybuffer":
      return { buffer: new ArrayBuffer(0, { maxByteLength: maxBytes }) };
    case "wasm":
      return { wasmMemory: new WebAssembly.Memory({ initial: 1, maximum: pages }), maximumPages: pages };
    case "wasm-shared": {
      const m = shared ?? makeSharedMemory(backend, maxBytes);
      if (!(m instanceof WebAssembly.Memory)) throw new TypeError("wasm-shared wants a WebAssembly.Memory");
      return { wasmMemory: m, maximumPages: pages };
    }
    case "sab": {
      const m = shared ?? makeSharedMemory(backend, maxBytes);
      if (!(m instanceof SharedArrayBuffer)) throw new TypeError("sab wants a SharedArrayBuffer");
      return { sab: m };
    }
  }
}

/** A second handle, holding no P, on the heap a worker made in `shared` (read-only: statistics and inspection). */
export function attachReadOnly(shared: SharedMemory): Heap {
  const sys: SysMemory =
    shared instanceof SharedArrayBuffer ? SabSysMemory.attach(shared) : WasmSysMemory.attach(shared);
  return attachHeap(sys, { p: "none" });
}
