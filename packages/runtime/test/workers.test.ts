// Many workers, one heap: real worker_threads attach to one SharedArrayBuffer
// heap, each with a P of its own, and run random malloc/free/realloc with
// objects handed between them through a shared ring queue (so a share of
// frees are cross-worker, lock-free Atomics.or frees). Every object carries
// its id's pattern, checked before every free and realloc and at the end;
// the live objects of all workers are scanned for overlap; then everything
// is freed and every worker detaches, and the heap's statistics must balance
// and its invariants hold. Sizes: GOMALLOC_STRESS_OPS operations per worker
// (default 1 000 000 under CI=true, the full run: about 37 s for the three
// runs on 2 cores; 100 000 otherwise, a few seconds), GOMALLOC_STRESS_SEED to
// replay. Workers load the built package.

import { once } from "node:events";
import type { Worker } from "node:worker_threads";
import type { SabSysMemory } from "@gomalloc/os-mem";
import { setLockRankChecking } from "@gomalloc/os-mem";
import { createHeap, type Heap, pInfo } from "@gomalloc/runtime";
import { describe, expect, it } from "vitest";
import { exited, requireDist, startWorker } from "./workerutil.js";

const OPS = Number(process.env.GOMALLOC_STRESS_OPS ?? (process.env.CI === "true" ? 1_000_000 : 100_000));
const SEED = Number(process.env.GOMALLOC_STRESS_SEED ?? Date.now() % 2 ** 31);
const QUEUE_CAPACITY = 4096;

interface WorkerCounts {
  malloc: number;
  free: number;
  realloc: number;
  sent: number;
  remoteFree: number;
}

/** Runs the stress with n workers; returns the heap (its creator's handle, P 0) and the workers' counts. */
async function stress(n: number, ops: number, seed: number): Promise<{ heap: Heap; counts: WorkerCounts[] }> {
  requireDist();
  const heap = createHeap({ growableSab: { maxByteLength: 1 << 30 }, numPs: n + 1 });
  const sab = (heap.sys as SabSysMemory).sab;
  const qsab = new SharedArrayBuffer(16 + 16 * QUEUE_CAPACITY);
  const ctrl = new SharedArrayBuffer(16);
  const ctrl32 = new Int32Array(ctrl);
  const lives: { addrs: Float64Array; sizes: Float64Array }[] = [];
  const counts: WorkerCounts[] = [];
  const workers: Worker[] = [];
  const overlapErrors: string[] = [];
  for (let w = 0; w < n; w++) {
    const worker = startWorker(
      "stress-worker.mjs",
      { sab, qsab, ctrl, w, nworkers: n, ops, seed, maxLive: 3000 },
      (m) => {
        if (m.type === "live") {
          lives.push(m as unknown as { addrs: Float64Array; sizes: Float64Array });
          if (lives.length === n) {
            // The final scan: no two live objects of any workers overlap.
            const all: [number, number][] = [];
            for (const l of lives) for (let i = 0; i < l.addrs.length; i++) all.push([l.addrs[i]!, l.sizes[i]!]);
            all.sort((a, b) => a[0] - b[0]);
            for (let i = 1; i < all.length; i++) {
              if (all[i - 1]![0] + Math.max(all[i - 1]![1], 1) > all[i]![0]) {
                overlapErrors.push(`${all[i - 1]![0]}+${all[i - 1]![1]} overlaps ${all[i]![0]}`);
              }
            }
            Atomics.store(ctrl32, 1, 1);
            Atomics.notify(ctrl32, 1);
          }
        } else if (m.type === "done") {
          counts.push(m.counts as WorkerCounts);
        }
      },
    );
    workers.push(worker);
  }
  const codes = await Promise.all(workers.map(exited));
  expect(codes).toEqual(workers.map(() => 0));
  expect(overlapErrors).toEqual([]);
  return { heap, counts };
}

function reproducer(n: number, ops: number, seed: number): string {
  return `GOMALLOC_STRESS_SEED=${seed} GOMALLOC_STRESS_OPS=${ops} pnpm exec vitest run --project runtime test/workers.test.ts -t "${n} workers"`;
}

describe("many workers, one heap (worker_threads stress)", () => {
  for (const n of [2, 4, 8]) {
    it(`${n} workers × ${OPS} mixed ops, cross-worker frees through a shared queue`, async () => {
      const seed = SEED + n;
      console.log(`stress ${n} workers seed=${seed} ops=${OPS}; reproduce: ${reproducer(n, OPS, seed)}`);
      setLockRankChecking(true);
      try {
        const { heap, counts } = await stress(n, OPS, seed);
        expect(counts).toHaveLength(n);
        const sent = counts.reduce((a, c) => a + c.sent, 0);
        const remote = counts.reduce((a, c) => a + c.remoteFree, 0);
        expect(remote).toBe(sent); // every object handed over was freed by some worker
        expect(remote).toBeGreaterThan(0);
        // Every P but the creator's went back idle.
        expect(pInfo(heap).map((p) => p.state)).toEqual(["running", ...counts.map(() => "idle")]);
        let ms = heap.readMemStats();
        expect(ms.Mallocs - ms.Frees).toBe(ms.HeapObjects);
        expect(ms.HeapObjects).toBe(0);
        expect(ms.HeapAlloc).toBe(0);
        expect(ms.Mallocs).toBeGreaterThanOrEqual(counts.reduce((a, c) => a + c.malloc, 0));
        heap.freeCycle();
        heap.checkInvariants();
        ms = heap.readMemStats();
        expect(ms.HeapObjects).toBe(0);
        heap.close();
      } catch (e) {
        console.error(`FAILED: reproduce with ${reproducer(n, OPS, seed)}`);
        throw e;
      } finally {
        setLockRankChecking(false);
      }
    }, 600_000);
  }
});

describe("double free across worker_threads", () => {
  it("an object freed by one worker is a DoubleFreeError when any worker frees it again", async () => {
    requireDist();
    const heap = createHeap({ growableSab: { maxByteLength: 256 << 20 }, numPs: 3 });
    const sab = (heap.sys as SabSysMemory).sab;
    const [a, b] = [0, 1].map((w) => startWorker("free-worker.mjs", { sab, w }, () => {}));
    const ask = async (w: Worker, m: unknown): Promise<unknown> => {
      w.postMessage(m);
      return (await once(w, "message"))[0];
    };
    // Tiny, small (several classes) and large objects, allocated by a and freed by b.
    const sizes = [5, 12, 16, 100, 700, 5000, 30_000, 40_000, 300_000];
    const addrs = (await ask(a!, { op: "alloc", sizes })) as number[];
    expect(await ask(b!, { op: "free", addrs })).toEqual(sizes.map(() => null));
    // Neither a nor b allocates in between, so nothing can have reused the objects.
    expect(await ask(a!, { op: "free", addrs })).toEqual(sizes.map(() => "DoubleFreeError"));
    expect(await ask(b!, { op: "free", addrs })).toEqual(sizes.map(() => "DoubleFreeError"));
    // Both at once, racing: exactly one free of each object succeeds.
    const more = (await ask(a!, {
      op: "alloc",
      sizes: Array.from({ length: 2000 }, (_, i) => 16 + (i % 64) * 8),
    })) as number[];
    const [ra, rb] = (await Promise.all([
      ask(a!, { op: "free", addrs: more }),
      ask(b!, { op: "free", addrs: more }),
    ])) as (string | null)[][];
    for (let i = 0; i < more.length; i++) {
      expect([ra![i], rb![i]].filter((x) => x === null)).toHaveLength(1);
      expect([ra![i], rb![i]].filter((x) => x === "DoubleFreeError")).toHaveLength(1);
    }
    await Promise.all([ask(a!, { op: "detach" }), ask(b!, { op: "detach" })]);
    heap.freeCycle();
    heap.checkInvariants();
    const ms = heap.readMemStats();
    expect(ms.HeapObjects).toBe(0);
    expect(ms.HeapAlloc).toBe(0);
  }, 60_000);
});
