// The persistent allocators keep their state in managed memory: worker_threads
// attached to one SharedArrayBuffer share a fixalloc (found through a root
// slot) under a Mutex in the same memory.
import { Worker } from "node:worker_threads";
import { SabSysMemory, SysStat } from "@gomalloc/os-mem";
import { FixAlloc, PersistentAlloc } from "@gomalloc/persistent";
import { describe, expect, it } from "vitest";
import { osMemForWorkers, persistentForWorkers } from "./worker-build.js";

describe("fixalloc shared by worker_threads", () => {
  it("hands out disjoint records to racing workers and loses none", async () => {
    const sys = SabSysMemory.create({ maxByteLength: 64 << 20 });
    const meta = sys.sysAlloc(4096, SysStat.other_sys);
    const pa = PersistentAlloc.init(sys, meta + 64);
    const fa = FixAlloc.init(sys, meta + 128, 40, pa, SysStat.mspan_sys);
    sys.viewOf(meta).setF64(meta + 8, fa.rec);
    sys.setRoot(0, meta);
    const rounds = 3000;
    const results = await Promise.all(
      [1, 2, 3, 4].map(
        (id) =>
          new Promise<{ live: [number, number][] }>((resolve, reject) => {
            const w = new Worker(new URL("./workers/fixalloc-worker.mjs", import.meta.url), {
              workerData: { osmem: osMemForWorkers(), persistent: persistentForWorkers(), sab: sys.sab, id, rounds },
            });
            w.once("message", resolve);
            w.once("error", reject);
          }),
      ),
    );
    const live = results.flatMap((r) => r.live).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < live.length; i++) expect(live[i - 1]![0] + fa.size).toBeLessThanOrEqual(live[i]![0]);
    for (const [p, tag] of live) expect(sys.read32(p + fa.size - 4)).toBe(tag);
    expect(fa.inuse).toBe(live.length * fa.size);
    const free = new Set(fa.freeList());
    for (const [p] of live) expect(free.has(p)).toBe(false);
    fa.check();
    pa.check();
    sys.checkInvariants({ contents: true });
  });
});
