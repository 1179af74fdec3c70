// The backends the runtime is tested on (not a test file): every os-mem
// backend kind, each building a heap with createHeap's convenience options.
import type { CreateHeapOptions } from "../src/index.js";

export interface HeapBackend {
  name: string;
  opts: () => CreateHeapOptions;
}

export const heapBackends: HeapBackend[] = [
  { name: "simulated linux/amd64", opts: () => ({ simulated: "linux/amd64" }) },
  { name: "simulated linux/386", opts: () => ({ simulated: "linux/386" }) },
  { name: "arraybuffer resizable", opts: () => ({ buffer: new ArrayBuffer(0, { maxByteLength: 64 << 20 }) }) },
  { name: "arraybuffer fixed", opts: () => ({ buffer: new ArrayBuffer(32 << 20) }) },
  {
    name: "wasm memory",
    opts: () => ({ wasmMemory: new WebAssembly.Memory({ initial: 1, maximum: 1024 }), maximumPages: 1024 }),
  },
  {
    name: "wasm memory shared",
    opts: () => ({
      wasmMemory: new WebAssembly.Memory({ initial: 1, maximum: 1024, shared: true }),
      maximumPages: 1024,
    }),
  },
  { name: "growable sab", opts: () => ({ growableSab: { maxByteLength: 64 << 20 } }) },
  { name: "sab fixed", opts: () => ({ sab: new SharedArrayBuffer(32 << 20) }) },
  // Two Ps: the fast paths take their Atomics branches.
  { name: "growable sab, 2 Ps", opts: () => ({ growableSab: { maxByteLength: 64 << 20 }, numPs: 2 }) },
];

/** A deterministic seed from FC_SEED or the clock, logged by the caller. */
export function seedOf(): number {
  return Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
}

/** The byte pattern object `id` is filled with. */
export function patternByte(id: number, i: number): number {
  return (id * 31 + i * 7 + 1) & 0xff;
}
