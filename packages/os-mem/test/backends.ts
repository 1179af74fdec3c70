// The backends every contract and property test runs on (not a test file).
import {
  ArrayBufferSysMemory,
  PageState,
  SabSysMemory,
  SimSysMemory,
  type SysMemory,
  type SysMemStats,
  WasmSysMemory,
} from "@gomalloc/os-mem";

export interface BackendCase {
  name: string;
  make: () => SysMemory;
}

/** One instance of each backend shape, small enough for fast tests. */
export const backendCases: BackendCase[] = [
  {
    name: "simulated linux/amd64",
    make: () => new SimSysMemory({ physPageSize: 4096, heapAddrBits: 48, addressSpaceEnd: 2 ** 47 }),
  },
  { name: "simulated windows/amd64", make: () => new SimSysMemory({ goos: "windows", addressSpaceEnd: 2 ** 47 }) },
  {
    name: "simulated js/wasm (sbrk)",
    make: () => new SimSysMemory({ physPageSize: 65536, heapAddrBits: 32, sbrk: true }),
  },
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
  { name: "arraybuffer fixed", make: () => ArrayBufferSysMemory.create(new ArrayBuffer(8 << 20)) },
];

/** Everything a transition could change in `[lo, hi)`: counters, page states, hints. */
export interface Snapshot {
  stats: SysMemStats;
  states: number[];
  hints: string[];
}

export function snapshot(sys: SysMemory, lo: number, hi: number): Snapshot {
  const states: number[] = [];
  const hints: string[] = [];
  for (let a = lo; a < hi; a += sys.physPageSize) {
    states.push(sys.pageState(a));
    hints.push(sys.hugePageHint(a));
  }
  return { stats: sys.stats(), states, hints };
}

/** States of the pages of `[v, v+n)`. */
export function statesOf(sys: SysMemory, v: number, n: number): PageState[] {
  const out: PageState[] = [];
  for (let a = v; a < v + n; a += sys.physPageSize) out.push(sys.pageState(a));
  return out;
}

export const { None, Reserved, Prepared, Ready } = PageState;
