// What the replay loop itself costs, and what each allocator costs on top of it: one workload's
// trace replayed on a null allocator (a bump counter, free does nothing), on AssemblyScript's TLSF
// (its exports called directly) and on gomalloc (a growable SharedArrayBuffer heap), round by
// round in one process, each with its own compiled copy of the loop. Prints the median wall-clock
// ns per operation over the later rounds and the same less the null allocator's ("own").
// Usage (after `pnpm --filter @gomalloc/bench... run build`):
//   node --expose-gc micro/floor.mjs [small-churn|mixed|bulk|large] [--rounds n] [--skip n]
// No assertions.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { createHeap } from "@gomalloc/runtime";
import { generateTrace } from "@gomalloc/trace";
import { bareReplayLoop, workloads } from "./common.mjs";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { rounds: { type: "string", default: "16" }, skip: { type: "string", default: "6" } },
});
const name = positionals[0] ?? "mixed";
const rounds = Number(values.rounds);
const skip = Number(values.skip);
if (!(name in workloads) || !(rounds > skip) || !(skip >= 0)) {
  console.error("usage: node --expose-gc micro/floor.mjs [small-churn|mixed|bulk|large] [--rounds n] [--skip n]");
  process.exit(2);
}
const trace = generateTrace(workloads[name]);

const tlsfModule = new WebAssembly.Module(readFileSync(new URL("../dist/tlsf.wasm", import.meta.url)));
const makers = {
  null: () => {
    let next = 8;
    return { malloc: () => (next += 16), free: () => {}, realloc: () => (next += 16) };
  },
  "as-tlsf": () => {
    const ex = new WebAssembly.Instance(tlsfModule, {
      env: {
        abort() {
          throw new Error("TLSF abort");
        },
      },
    }).exports;
    return { malloc: (n) => ex.alloc(n) >>> 0, free: (p) => ex.free(p), realloc: (p, n) => ex.realloc(p, n) >>> 0 };
  },
  gomalloc: () => createHeap({ growableSab: { maxByteLength: 2 ** 31 } }),
};

// One compiled loop per allocator, so that each call site sees one allocator (as in src/replay.ts).
const loops = Object.fromEntries(Object.keys(makers).map((k) => [k, bareReplayLoop()]));

const ns = Object.fromEntries(Object.keys(makers).map((k) => [k, []]));
// Each allocator's last instance stays referenced until its next round has made a new one, as a
// program keeps its allocator: with no gomalloc heap alive during a collection, V8 may drop the
// heap's object shapes (maps), and every round would re-optimize from scratch (bench/README.md).
const last = {};
for (let r = 0; r < rounds; r++) {
  for (const k of Object.keys(makers)) {
    const a = makers[k]();
    last[k] = a;
    globalThis.gc?.();
    const ptrs = new Float64Array(trace.slots);
    const t0 = performance.now();
    loops[k](a, trace, ptrs);
    if (r >= skip) ns[k].push(((performance.now() - t0) * 1e6) / trace.length);
  }
}
const median = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
const floor = median(ns.null);
console.log(`${name}: ${trace.length} ops, median of rounds ${skip + 1}–${rounds}, wall clock`);
for (const k of Object.keys(makers)) {
  const m = median(ns[k]);
  const own = k === "null" ? "" : `, own ${(m - floor).toFixed(1)} ns`;
  console.log(`  ${k.padEnd(9)} ${(1e3 / m).toFixed(2).padStart(6)} M ops/s  ${m.toFixed(1).padStart(6)} ns/op${own}`);
}
