// worker_threads entry of the multi-worker stress test (workers.test.ts):
// attaches to the heap in workerData.sab with a P of its own, runs
// workerData.ops random operations — malloc of tiny, small and large sizes,
// free, realloc, handing objects to other workers through a shared ring
// queue and freeing objects taken from it — filling every object with its
// id's pattern and checking it before each free and realloc. Then, between
// barriers in workerData.ctrl: drains the queue, reports its live objects
// for the overlap scan, frees everything and detaches. Loads the built
// @gomalloc/runtime (dist), as a user's worker would. Not a test file.
import { parentPort, workerData } from "node:worker_threads";
import { SabSysMemory, setLockRankChecking } from "@gomalloc/os-mem";
import { attachHeap } from "@gomalloc/runtime";
import { checkPattern, fillPattern } from "./pattern.mjs";
import { RingQueue } from "./queue.mjs";

const { sab, qsab, ctrl: ctrlSab, w, nworkers, ops, seed, maxLive } = workerData;
const ctrl = new Int32Array(ctrlSab);
setLockRankChecking(true); // Go's lock ranks, checked in this worker (tests are the debug build)
const heap = attachHeap(SabSysMemory.attach(sab), { p: "any" });
const queue = new RingQueue(qsab);
parentPort.postMessage({ type: "attached", p: heap.p, token: heap.token });

let st = (seed ^ Math.imul(w + 1, 0x85ebca6b)) >>> 0 || 1;
function rand() {
  st ^= st << 13;
  st ^= st >>> 17;
  st ^= st << 5;
  st >>>= 0;
  return st / 4294967296;
}
function size() {
  const r = rand();
  if (r < 0.2) return 1 + Math.floor(rand() * 15);
  if (r < 0.9) return 16 + Math.floor(rand() * 1008);
  if (r < 0.997) return 1024 + Math.floor(rand() * 31744);
  return 32769 + Math.floor(rand() * 98304);
}

const addrs = [];
const ids = [];
const sizes = [];
let nextId = w * 2 ** 24 + 1;
const counts = { malloc: 0, free: 0, realloc: 0, sent: 0, remoteFree: 0 };
const got = [0, 0, 0];

function fail(what, p, id, sz, off) {
  throw new Error(`worker ${w}: ${what}: object ${id} at ${p} (${sz} B), byte ${off} (seed ${seed})`);
}
function verify(p, id, sz, what) {
  const off = checkPattern(heap.u8, p, sz, id);
  if (off >= 0) fail(`pattern broken before ${what}`, p, id, sz, off);
}
function removeAt(k) {
  const last = addrs.length - 1;
  addrs[k] = addrs[last];
  ids[k] = ids[last];
  sizes[k] = sizes[last];
  addrs.pop();
  ids.pop();
  sizes.pop();
}
function freeRemote() {
  const [p, id, sz] = got;
  verify(p, id, sz, "remote free");
  heap.free(p);
  counts.remoteFree++;
}

for (let k = 0; k < ops; k++) {
  const r = rand();
  const n = addrs.length;
  if (n === 0 || (r < 0.5 && n < maxLive)) {
    const sz = size();
    const p = heap.malloc(sz);
    const id = nextId++;
    fillPattern(heap.u8, p, sz, id);
    addrs.push(p);
    ids.push(id);
    sizes.push(sz);
    counts.malloc++;
  } else if (r < 0.7) {
    const i = Math.floor(rand() * n);
    verify(addrs[i], ids[i], sizes[i], "free");
    heap.free(addrs[i]);
    removeAt(i);
    counts.free++;
  } else if (r < 0.82) {
    const i = Math.floor(rand() * n);
    if (queue.push(addrs[i], ids[i], sizes[i])) {
      removeAt(i);
      counts.sent++;
    }
  } else if (r < 0.97) {
    if (queue.pop(got)) freeRemote();
  } else {
    const i = Math.floor(rand() * n);
    const p = addrs[i];
    const old = sizes[i];
    verify(p, ids[i], old, "realloc");
    const sz = size();
    const q = heap.realloc(p, sz);
    const keep = Math.min(old, sz);
    const off = checkPattern(heap.u8, q, keep, ids[i]);
    if (off >= 0) fail("realloc lost contents", q, ids[i], keep, off);
    const id = nextId++;
    fillPattern(heap.u8, q, sz, id);
    addrs[i] = q;
    ids[i] = id;
    sizes[i] = sz;
    counts.realloc++;
  }
}

// Barrier 1: every worker has finished its operations; drain what is left in the queue.
Atomics.add(ctrl, 0, 1);
Atomics.notify(ctrl, 0);
for (let c = Atomics.load(ctrl, 0); c < nworkers; c = Atomics.load(ctrl, 0)) Atomics.wait(ctrl, 0, c, 1000);
while (queue.pop(got)) freeRemote();

// Barrier 2: report the live objects (checked) for the overlap scan, wait for the go-ahead.
for (let i = 0; i < addrs.length; i++) verify(addrs[i], ids[i], sizes[i], "the overlap scan");
parentPort.postMessage({ type: "live", addrs: Float64Array.from(addrs), sizes: Float64Array.from(sizes) });
while (Atomics.load(ctrl, 1) === 0) Atomics.wait(ctrl, 1, 0, 1000);

for (let i = 0; i < addrs.length; i++) {
  verify(addrs[i], ids[i], sizes[i], "the final free");
  heap.free(addrs[i]);
  counts.free++;
}
heap.detach();
parentPort.postMessage({ type: "done", counts });
