// Replays one bench workload's trace straight on gomalloc heaps (no adapter, no
// footprint sampling) and reports ops per second of this process's CPU time
// (user + system), median over fresh heaps. On a shared, loaded machine CPU time
// moves far less than wall-clock time, so two builds can be compared A/B in one
// session. Usage (after building): node --expose-gc micro/cputime.mjs
// [small-churn|mixed|bulk|large] [heaps=10] [arraybuffer|sab|wasm|fixed]: a
// resizable ArrayBuffer (the bench's reference), a growable SharedArrayBuffer, a
// WebAssembly.Memory, or a fixed 256 MiB ArrayBuffer. No assertions.
import { createHeap } from "@gomalloc/runtime";
import { generateTrace } from "@gomalloc/trace";
import { bareReplayLoop, workloads } from "./common.mjs";

const name = process.argv[2] ?? "large";
const heaps = Number(process.argv[3] ?? 10);
const backend = process.argv[4] ?? "arraybuffer";
if (!(name in workloads) || !(heaps >= 1) || !["arraybuffer", "sab", "wasm", "fixed"].includes(backend)) {
  console.error(
    "usage: node --expose-gc micro/cputime.mjs [small-churn|mixed|bulk|large] [heaps] [arraybuffer|sab|wasm|fixed]",
  );
  process.exit(2);
}
const trace = generateTrace(workloads[name]);
const ptrs = new Float64Array(trace.slots);
const loop = bareReplayLoop();
const rates = [];
for (let r = 0; r < heaps; r++) {
  const heap =
    backend === "sab"
      ? createHeap({ growableSab: { maxByteLength: 2 ** 31 } })
      : backend === "wasm"
        ? createHeap({ wasmMemory: new WebAssembly.Memory({ initial: 0, maximum: 32768 }) })
        : backend === "fixed"
          ? createHeap({ buffer: new ArrayBuffer(256 << 20) })
          : createHeap({ buffer: new ArrayBuffer(0, { maxByteLength: 2 ** 31 }) });
  globalThis.gc?.();
  const c0 = process.cpuUsage();
  loop(heap, trace, ptrs);
  const c = process.cpuUsage(c0);
  rates.push(trace.length / ((c.user + c.system) / 1e6));
}
const sorted = [...rates].sort((a, b) => a - b);
const m = (x) => (x / 1e6).toFixed(3);
console.log(`${name} (${backend}): ${m(sorted[sorted.length >> 1])} M ops/s of CPU time, median of ${heaps} heaps`);
console.log(`  every heap: ${rates.map(m).join(" ")}`);
