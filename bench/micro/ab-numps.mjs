// One thread's small churn (8–256 B, 1024 live slots) on a growable-SAB heap with
// numPs 1 or 2, each measurement in a fresh child process, builds alternated,
// medians printed (wall-clock, or the process's CPU time with --cpu). An A/B of the
// per-operation cost several Ps add, between two checkouts' built packages. No assertions.
//   node bench/micro/ab-numps.mjs [--cpu] ROUNDS OPS LABEL=ROOT:NUMPS ...
//   e.g. node bench/micro/ab-numps.mjs 5 3000000 old=/path/to/old:2 new=.:2
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { xorshift } from "./common.mjs";

function churn(heap, ops, seed) {
  const live = 1024;
  const slots = new Float64Array(live);
  const r = xorshift(seed);
  for (let i = 0; i < ops; i++) {
    const x = r();
    const k = x & (live - 1);
    const p = slots[k];
    if (p !== 0) {
      heap.free(p);
      slots[k] = 0;
    } else slots[k] = heap.malloc(8 + ((x >>> 10) % 249));
  }
  for (let k = 0; k < live; k++) if (slots[k] !== 0) heap.free(slots[k]);
}

const args = process.argv.slice(2);
if (args[0] === "child") {
  const [, root, numPs, ops, cpu] = args;
  const rt = await import(pathToFileURL(`${root}/packages/runtime/dist/index.js`).href);
  const heap = rt.createHeap({ growableSab: { maxByteLength: 1 << 30 }, numPs: Number(numPs) });
  churn(heap, 400_000, 9);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  churn(heap, Number(ops), 1);
  const c = process.cpuUsage(c0);
  const s = cpu === "1" ? (c.user + c.system) / 1e6 : (performance.now() - t0) / 1000;
  process.stdout.write(String(Number(ops) / s));
} else {
  const cpu = args[0] === "--cpu";
  if (cpu) args.shift();
  const [rounds, ops, ...cfgs] = args;
  if (!(Number(rounds) >= 1) || !(Number(ops) >= 1000) || cfgs.length === 0) {
    throw new Error("usage: ab-numps.mjs [--cpu] ROUNDS OPS LABEL=ROOT:NUMPS ...");
  }
  const res = new Map(cfgs.map((c) => [c, []]));
  for (let r = 0; r < Number(rounds); r++) {
    for (const c of cfgs) {
      const [, rest] = c.split("=");
      const [root, numPs] = rest.split(":");
      const out = execFileSync(process.execPath, [
        process.argv[1],
        "child",
        resolve(root),
        numPs,
        ops,
        cpu ? "1" : "0",
      ]);
      res.get(c).push(Number(out.toString()));
    }
  }
  for (const [c, xs] of res) {
    const s = [...xs].sort((a, b) => a - b);
    const all = s.map((x) => (x / 1e6).toFixed(2)).join(" ");
    console.log(`${c.padEnd(36)} median ${(s[s.length >> 1] / 1e6).toFixed(2)} M ops/s  (${all})`);
  }
}
