// The heap's malloc+free churn on each backend, one backend per child process
// (so no run sees another's typed-array shapes). Prints ops/s, where an op is
// one malloc or one free. No assertions. Run after a build:
//   node bench/heap.mjs            (every backend)
//   node bench/heap.mjs "sab fixed" (one backend, by its name below)
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createHeap } from "@gomalloc/runtime";

const backends = {
  // V8 (Node 20) reads typed arrays over resizable/growable buffers more slowly than over fixed ones.
  "arraybuffer resizable": () => ({ buffer: new ArrayBuffer(0, { maxByteLength: 512 << 20 }) }),
  "arraybuffer fixed": () => ({ buffer: new ArrayBuffer(256 << 20) }),
  "sab growable": () => ({ growableSab: { maxByteLength: 512 << 20 } }),
  "sab fixed": () => ({ sab: new SharedArrayBuffer(256 << 20) }),
  simulated: () => ({ simulated: "linux/amd64" }),
};

const workloads = {
  // A working set of 1000 small objects (16..512 bytes): free one at random, allocate one.
  "small churn (16-512 B, 1000 live)": { live: 1000, min: 16, spread: 63, step: 8 },
  // The same with tiny objects in the mix (1..256 bytes).
  "tiny+small churn (1-256 B, 1000 live)": { live: 1000, min: 1, spread: 255, step: 1 },
  // LIFO: allocate 256 objects of 64 bytes, free them all, repeat.
  "bulk alloc/free (64 B x 256)": { bulk: 256, size: 64 },
};

function lcg(s) {
  return (Math.imul(s, 1103515245) + 12345) & 0x7fffffff;
}

function churn(heap, w, rounds) {
  const live = new Float64Array(w.live);
  let seed = 1;
  for (let i = 0; i < w.live; i++) {
    seed = lcg(seed);
    live[i] = heap.malloc(w.min + (seed % (w.spread + 1)) * w.step);
  }
  for (let r = 0; r < rounds; r++) {
    seed = lcg(seed);
    const i = seed % w.live;
    heap.free(live[i]);
    live[i] = heap.malloc(w.min + ((seed >>> 8) % (w.spread + 1)) * w.step);
  }
  for (let i = 0; i < w.live; i++) heap.free(live[i]);
  return 2 * rounds;
}

function bulk(heap, w, rounds) {
  const ps = new Float64Array(w.bulk);
  const n = Math.max(1, Math.floor(rounds / w.bulk));
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < w.bulk; i++) ps[i] = heap.malloc(w.size);
    for (let i = 0; i < w.bulk; i++) heap.free(ps[i]);
  }
  return 2 * n * w.bulk;
}

function measure(name) {
  const out = [];
  for (const [wname, w] of Object.entries(workloads)) {
    const heap = createHeap(backends[name]());
    const run = (rounds) => (w.bulk ? bulk(heap, w, rounds) : churn(heap, w, rounds));
    run(200_000); // warm up
    let best = 0;
    for (let k = 0; k < 3; k++) {
      const t0 = performance.now();
      const ops = run(2_000_000);
      best = Math.max(best, ops / ((performance.now() - t0) / 1000));
    }
    heap.checkInvariants();
    out.push({ backend: name, workload: wname, "M ops/s": (best / 1e6).toFixed(1), "ns/op": (1e9 / best).toFixed(1) });
  }
  return out;
}

const which = process.argv[2];
if (which !== undefined) {
  console.log(JSON.stringify(measure(which)));
} else {
  console.log(`node ${process.version}, ${process.arch}: gomalloc malloc+free churn (one op = one malloc or one free)`);
  const rows = [];
  for (const name of Object.keys(backends)) {
    const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), name], { encoding: "utf8" });
    rows.push(...JSON.parse(out.trim().split("\n").pop()));
  }
  console.table(rows);
}
