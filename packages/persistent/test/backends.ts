// Backends the persistent allocators are tested on, and the fast-check seed helper (not a test file).
import {
  ArrayBufferSysMemory,
  SabSysMemory,
  SimSysMemory,
  type SysMemory,
  SysStat,
  WasmSysMemory,
} from "@gomalloc/os-mem";

export interface BackendCase {
  name: string;
  make: () => SysMemory;
}

export const backendCases: BackendCase[] = [
  { name: "simulated linux/amd64", make: () => new SimSysMemory({ addressSpaceEnd: 2 ** 47 }) },
  { name: "simulated windows/amd64", make: () => new SimSysMemory({ goos: "windows", addressSpaceEnd: 2 ** 47 }) },
  { name: "simulated js/wasm", make: () => new SimSysMemory({ physPageSize: 65536, heapAddrBits: 32, sbrk: true }) },
  { name: "sab", make: () => SabSysMemory.create({ maxByteLength: 256 << 20 }) },
  {
    name: "wasm",
    make: () => WasmSysMemory.create(new WebAssembly.Memory({ initial: 1, maximum: 4096 }), { maximumPages: 4096 }),
  },
  {
    name: "wasm shared",
    make: () =>
      WasmSysMemory.create(new WebAssembly.Memory({ initial: 1, maximum: 4096, shared: true }), { maximumPages: 4096 }),
  },
  {
    name: "arraybuffer resizable",
    make: () => ArrayBufferSysMemory.create(new ArrayBuffer(0, { maxByteLength: 256 << 20 })),
  },
  { name: "arraybuffer fixed", make: () => ArrayBufferSysMemory.create(new ArrayBuffer(16 << 20)) },
];

/** A Ready, zeroed block of `n` bytes to hold records. */
export function recordSpace(sys: SysMemory, n = 4096): number {
  const p = sys.sysAlloc(n, SysStat.other_sys);
  if (p === 0) throw new Error("recordSpace: sysAlloc failed");
  return p;
}

/** The fast-check seed of this run: FC_SEED if set, else random; always logged so a failure can be replayed. */
export function propSeed(name: string): number {
  const seed = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : (Math.random() * 2 ** 31) | 0;
  console.info(`[fast-check] ${name}: seed ${seed} (replay with FC_SEED=${seed})`);
  return seed;
}
