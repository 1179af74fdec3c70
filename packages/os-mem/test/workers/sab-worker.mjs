// worker_threads entry for the SharedArrayBuffer tests. It imports the
// transpiled os-mem sources (see ../worker-build.ts) named in workerData.osmem.
import { parentPort, workerData } from "node:worker_threads";

const m = await import(workerData.osmem);

/** Small deterministic PRNG (mulberry32). */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const tasks = {
  /** Non-atomic increments of i32[1] under the Mutex over i32[0]. */
  counter({ sab, iterations }) {
    const i32 = new Int32Array(sab);
    const mu = new m.Mutex(i32, 0, { name: "counter", spins: 10 });
    for (let i = 0; i < iterations; i++) {
      mu.lock();
      const v = i32[1];
      i32[1] = v + 1;
      mu.unlock();
    }
    return { done: true };
  },

  /** Random transitions racing the other workers; returns this worker's live blocks. */
  race({ sab, id, rounds, seed }) {
    const sys = m.SabSysMemory.attach(sab);
    const P = sys.physPageSize;
    const rand = rng(seed);
    const live = [];
    let tag = id * 1_000_000;
    for (let r = 0; r < rounds; r++) {
      const x = rand();
      if (x < 0.35 || live.length === 0) {
        const pages = 1 + Math.floor(rand() * 3);
        const p = sys.sysAlloc(pages * P, m.SysStat.other_sys);
        if (p === 0) continue;
        tag++;
        sys.write32(p, tag);
        sys.write32(p + pages * P - 4, tag);
        live.push({ p, bytes: pages * P, tag, stat: m.SysStat.other_sys });
      } else if (x < 0.55) {
        const pages = 1 + Math.floor(rand() * 3);
        const p = sys.sysReserve(0, pages * P);
        if (p === 0) continue;
        if (!sys.sysMap(p, pages * P, m.SysStat.heapReleased)) throw new Error("sysMap refused");
        if (!sys.sysUsed(p, pages * P, pages * P)) throw new Error("sysUsed refused");
        tag++;
        sys.write32(p, tag);
        sys.write32(p + pages * P - 4, tag);
        live.push({ p, bytes: pages * P, tag, stat: m.SysStat.heapReleased });
      } else if (x < 0.8) {
        const [b] = live.splice(Math.floor(rand() * live.length), 1);
        if (sys.read32(b.p) !== b.tag) throw new Error(`worker ${id}: block ${b.p} lost its tag`);
        sys.sysFree(b.p, b.bytes, b.stat);
      } else {
        const b = live[Math.floor(rand() * live.length)];
        sys.sysUnused(b.p, b.bytes);
        if (!sys.sysUsed(b.p, b.bytes, b.bytes)) throw new Error("sysUsed refused");
        if (sys.read32(b.p) !== 0) throw new Error("sysUnused+sysUsed did not zero");
        sys.write32(b.p, b.tag);
        sys.write32(b.p + b.bytes - 4, b.tag);
      }
    }
    return { live };
  },
};

if (workerData.task === "serve") {
  // Message-driven: the main thread relays addresses between two workers.
  const sys = m.SabSysMemory.attach(workerData.sab);
  parentPort.on("message", (msg) => {
    try {
      if (msg.op === "alloc") {
        const p = sys.sysAlloc(msg.bytes, m.SysStat.other_sys);
        sys.write32(p, msg.tag);
        parentPort.postMessage({ p });
      } else if (msg.op === "look") {
        const state = sys.pageState(msg.p);
        parentPort.postMessage({ state, value: state === m.PageState.Ready ? sys.read32(msg.p) : -1 });
      } else if (msg.op === "free") {
        sys.sysFree(msg.p, msg.bytes, m.SysStat.other_sys);
        parentPort.postMessage({ freed: true });
      } else if (msg.op === "exit") {
        process.exit(0);
      }
    } catch (e) {
      parentPort.postMessage({ error: String(e) });
    }
  });
} else {
  parentPort.postMessage(tasks[workerData.task](workerData));
}
