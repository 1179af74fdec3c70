// worker_threads entry of the fault-path test (faultworkers.test.ts). As the
// "victim" it attaches, reports its P and token, and churns small objects
// until the test terminates it at a random point — holding its P, not (unless
// it was unlucky) a lock. As a "survivor" it churns with pattern checks
// until the test says the victim's P was reclaimed, keeps going for `ops`
// more operations, then frees everything and detaches. Not a test file.
import { parentPort, workerData } from "node:worker_threads";
import { SabSysMemory, setLockRankChecking } from "@gomalloc/os-mem";
import { attachHeap } from "@gomalloc/runtime";
import { checkPattern, fillPattern } from "./pattern.mjs";

const { sab, ctrl: ctrlSab, role, w, ops, seed } = workerData;
const ctrl = new Int32Array(ctrlSab);
setLockRankChecking(true);
const heap = attachHeap(SabSysMemory.attach(sab), { p: "any" });
parentPort.postMessage({ type: "attached", p: heap.p, token: heap.token });

let st = (seed ^ Math.imul(w + 1, 0x85ebca6b)) >>> 0 || 1;
function rand() {
  st ^= st << 13;
  st ^= st >>> 17;
  st ^= st << 5;
  st >>>= 0;
  return st / 4294967296;
}
const addrs = [];
const ids = [];
const sizes = [];
let nextId = (w + 1) * 2 ** 24;

function step(minSize, maxSize) {
  const n = addrs.length;
  if (n === 0 || (rand() < 0.5 && n < 2000)) {
    const sz = minSize + Math.floor(rand() * (maxSize - minSize + 1));
    const p = heap.malloc(sz);
    const id = nextId++;
    fillPattern(heap.u8, p, sz, id);
    addrs.push(p);
    ids.push(id);
    sizes.push(sz);
  } else {
    const i = Math.floor(rand() * n);
    const off = checkPattern(heap.u8, addrs[i], sizes[i], ids[i]);
    if (off >= 0) throw new Error(`worker ${w}: object ${ids[i]} at ${addrs[i]} broken at byte ${off} (seed ${seed})`);
    heap.free(addrs[i]);
    addrs[i] = addrs[n - 1];
    ids[i] = ids[n - 1];
    sizes[i] = sizes[n - 1];
    addrs.pop();
    ids.pop();
    sizes.pop();
  }
}

if (role === "victim") {
  for (let k = 0; ; k++) {
    step(16, 512); // no tiny sizes: one killed between a tiny free's two steps strands its block (procfault.ts)
    if (k === 2000) parentPort.postMessage({ type: "running" });
  }
}
while (Atomics.load(ctrl, 0) === 0) step(1, 4096);
for (let k = 0; k < ops; k++) step(1, k % 100 === 0 ? 100_000 : 4096);
for (let i = 0; i < addrs.length; i++) {
  const off = checkPattern(heap.u8, addrs[i], sizes[i], ids[i]);
  if (off >= 0) throw new Error(`worker ${w}: object ${ids[i]} broken at byte ${off} (seed ${seed})`);
  heap.free(addrs[i]);
}
heap.detach();
parentPort.postMessage({ type: "done" });
