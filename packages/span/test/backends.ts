// The os-mem backends the span layer is tested on (not a test file): every
// backend kind, the shared ones exercising the Atomics paths of free/sweep.
import { ArrayBufferSysMemory, SabSysMemory, SimSysMemory, type SysMemory, WasmSysMemory } from "@gomalloc/os-mem";
import { MSpanTable } from "../src/mspan.js";
import { SpanAlloc, type SpanAllocOptions } from "../src/spanalloc.js";

export interface Backend {
  name: string;
  make: () => SysMemory;
}

export const backends: Backend[] = [
  { name: "simulated linux/amd64", make: () => new SimSysMemory({ addressSpaceEnd: 2 ** 47 }) },
  { name: "simulated js/wasm", make: () => new SimSysMemory({ physPageSize: 65536, heapAddrBits: 32, sbrk: true }) },
  { name: "sab", make: () => SabSysMemory.create({ maxByteLength: 64 << 20 }) },
  {
    name: "wasm",
    make: () => WasmSysMemory.create(new WebAssembly.Memory({ initial: 1, maximum: 1024 }), { maximumPages: 1024 }),
  },
  {
    name: "wasm shared",
    make: () =>
      WasmSysMemory.create(new WebAssembly.Memory({ initial: 1, maximum: 1024, shared: true }), { maximumPages: 1024 }),
  },
  {
    name: "arraybuffer resizable",
    make: () => ArrayBufferSysMemory.create(new ArrayBuffer(0, { maxByteLength: 64 << 20 })),
  },
  { name: "arraybuffer fixed", make: () => ArrayBufferSysMemory.create(new ArrayBuffer(16 << 20)) },
];

/** A span table over a fresh backend. */
export function newTable(b: Backend = backends[0]!, opts: SpanAllocOptions = {}): MSpanTable {
  return new MSpanTable(SpanAlloc.create(b.make(), opts));
}
