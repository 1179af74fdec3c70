import { createHeap } from "@gomalloc/runtime";
import { mallocSlow } from "../../packages/runtime/dist/malloc.js";
const ZERO = { zero: true };
for (const n of [1024, 4096, 8192, 16384, 32768]) {
  for (const mode of ["fast+fill", "slow(needzero)"]) {
    const h = createHeap({ growableSab: { maxByteLength: 2 ** 31 } });
    const slots = new Float64Array(64);
    let x = 7;
    const run = (ops) => { for (let i = 0; i < ops; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; const k = (x >>> 0) & 63; if (slots[k] !== 0) { h.free(slots[k]); slots[k] = 0; } else slots[k] = mode === "fast+fill" ? h.calloc(1, n) : mallocSlow(h, n, ZERO, false); } };
    run(200000); const t0 = performance.now(); run(400000); const dt = performance.now() - t0;
    console.log(n, mode, (dt * 1e6 / 400000).toFixed(0), "ns/op");
  }
}
