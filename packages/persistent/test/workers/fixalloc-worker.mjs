// worker_threads entry: attaches to a SharedArrayBuffer heap, finds the shared
// fixalloc and its lock from root slot 0, and allocates/frees records racing
// the other workers. Imports the transpiled sources named in workerData.
import { parentPort, workerData } from "node:worker_threads";

const os = await import(workerData.osmem);
const { FixAlloc } = await import(workerData.persistent);

const sys = os.SabSysMemory.attach(workerData.sab);
const root = sys.getRoot(0); // [i32 lock, pad, f64 fixalloc record address]
const view = sys.viewOf(root);
const mu = new os.Mutex(view.i32, (root - view.base) / 4, { name: "fixalloc", spins: 20 });
const fa = FixAlloc.attach(sys, view.getF64(root + 8));
const size = fa.size;
const live = [];
let seed = workerData.id * 7919;
const rand = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
for (let r = 0; r < workerData.rounds; r++) {
  if (rand() < 0.6 || live.length === 0) {
    mu.lock();
    const p = fa.alloc();
    mu.unlock();
    if (p === 0) throw new Error("fixalloc exhausted");
    const tag = workerData.id * 1_000_000 + r;
    sys.write32(p + size - 4, tag);
    live.push([p, tag]);
  } else {
    const [p, tag] = live.splice(Math.floor(rand() * live.length), 1)[0];
    if (sys.read32(p + size - 4) !== tag) throw new Error(`record ${p} was overwritten`);
    mu.lock();
    fa.free(p);
    mu.unlock();
  }
}
parentPort.postMessage({ live });
