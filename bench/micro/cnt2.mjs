import { createHeap } from "@gomalloc/runtime";
import { generateTrace } from "@gomalloc/trace";
const w = { mixed: { kind: "mixed", ops: 1_000_000, seed: 1, meanLifetime: 20_000 }, "small-churn": { kind: "small-churn", ops: 1_000_000, seed: 1 }, bulk: { kind: "bulk", ops: 1_000_000, seed: 1, batch: 50_000 }}[process.argv[2]];
const trace = generateTrace(w);
const { op, slot, size, length } = trace;
const ptrs = new Float64Array(trace.slots);
const heap = createHeap({ wasmMemory: new WebAssembly.Memory({ initial: 0, maximum: 32768 }) });
for (let i = 0; i < length; i++) { const o = op[i]; if (o === 0) ptrs[slot[i]] = heap.malloc(size[i]); else if (o === 1) heap.free(ptrs[slot[i]]); else ptrs[slot[i]] = heap.realloc(ptrs[slot[i]], size[i]); }
const C = globalThis.C; const top = Object.entries(C).filter(([k])=>k.startsWith("refill")&&k!=="refills").sort((a,b)=>b[1]-a[1]).slice(0,12);
console.log(process.argv[2], "slowTiny", C.slowTiny, "slowSmall", C.slowSmall, "slowLarge", C.slowLarge, "refills", C.refills, JSON.stringify(top), "NumGC", heap.readMemStats().NumGC);
