// The os-mem backends the page allocator is tested on (not a test file). The
// page allocator keeps only its metadata in the backend; the pages it manages
// are abstract, so each Go target's vectors run on every backend whose
// physical page size matches the one Go ran with (scavenging works in
// physical pages): linux/amd64 on the simulated 48-bit space, linux/386 on a
// simulated 32-bit space and an ArrayBuffer with 4 KiB pages, js/wasm on
// every flat backend (64 KiB pages) and the simulated js/wasm space.
import { ArrayBufferSysMemory, SabSysMemory, SimSysMemory, type SysMemory, WasmSysMemory } from "@gomalloc/os-mem";

export interface Backend {
  name: string;
  make: () => SysMemory;
}

const sim64: Backend = { name: "simulated linux/amd64", make: () => new SimSysMemory({ addressSpaceEnd: 2 ** 47 }) };
const sim32: Backend = { name: "simulated linux/386", make: () => new SimSysMemory({ heapAddrBits: 32 }) };
const ab4k: Backend = {
  name: "arraybuffer 4 KiB pages",
  make: () => ArrayBufferSysMemory.create(new ArrayBuffer(2 << 20), { physPageSize: 4096 }),
};
const wasmBackends: Backend[] = [
  { name: "simulated js/wasm", make: () => new SimSysMemory({ physPageSize: 65536, heapAddrBits: 32, sbrk: true }) },
  { name: "sab", make: () => SabSysMemory.create({ maxByteLength: 8 << 20 }) },
  {
    name: "wasm",
    make: () => WasmSysMemory.create(new WebAssembly.Memory({ initial: 1, maximum: 128 }), { maximumPages: 128 }),
  },
  {
    name: "wasm shared",
    make: () =>
      WasmSysMemory.create(new WebAssembly.Memory({ initial: 1, maximum: 128, shared: true }), { maximumPages: 128 }),
  },
  {
    name: "arraybuffer resizable",
    make: () => ArrayBufferSysMemory.create(new ArrayBuffer(0, { maxByteLength: 8 << 20 })),
  },
  { name: "arraybuffer fixed", make: () => ArrayBufferSysMemory.create(new ArrayBuffer(4 << 20)) },
];

/** Backends for each Go target's vectors; the first is the primary one. */
export const backendsFor: Record<string, Backend[]> = {
  "linux-amd64": [sim64],
  "linux-386": [sim32, ab4k],
  "js-wasm": wasmBackends,
};

/** Every backend kind once. */
export const allBackends: Backend[] = [sim64, sim32, ab4k, ...wasmBackends];
