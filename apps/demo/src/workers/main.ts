/**
 * The workers page (workers.html): makes a heap in a growable
 * SharedArrayBuffer with one P per Web Worker plus one for the page, starts
 * the workers (stress.worker.ts), keeps allocating and freeing on the page's
 * own P while they run — on a thread that may not `Atomics.wait`, where a
 * contended heap lock is a LockWouldBlockError, never a hang — scans the
 * workers' live objects for overlap, and at the end checks that everything
 * was freed, the statistics balance and the heap's invariants hold. The
 * outcome is in `window.__gomallocWorkers` (for the e2e test) and on the page.
 */
import { canBlock, type SabSysMemory } from "@gomalloc/os-mem";
import { createHeap, pInfo } from "@gomalloc/runtime";
import type { StressJob, StressMessage } from "./stress.js";

/** `window.__gomallocWorkers`: the run's outcome as plain data. */
export interface WorkersStatus {
  crossOriginIsolated: boolean;
  /** Whether this thread may Atomics.wait (false on a browser main thread). */
  mainThreadCanBlock: boolean;
  workers: number;
  ops: number;
  seed: number;
  done: boolean;
  error: string | null;
  /** Cross-worker frees (objects taken from the queue) and objects handed over. */
  remoteFrees: number;
  sent: number;
  mallocs: number;
  /** Live objects scanned for overlap, and overlaps found. */
  scanned: number;
  overlaps: number;
  /** The page's own mallocs during the run, and those refused with LockWouldBlockError. */
  pageMallocs: number;
  pageWouldBlock: number;
  heapObjects: number;
  heapAlloc: number;
  mallocsMinusFrees: number;
  invariantsOk: boolean;
  pStates: string[];
  ms: number;
}

declare global {
  interface Window {
    __gomallocWorkers: WorkersStatus;
  }
}

const q = new URLSearchParams(location.search);
const n = Number(q.get("workers") ?? 4);
const ops = Number(q.get("ops") ?? 20_000);
const seed = Number(q.get("seed") ?? Date.now() % 2 ** 31);
const status: WorkersStatus = {
  crossOriginIsolated: globalThis.crossOriginIsolated === true,
  mainThreadCanBlock: canBlock(),
  workers: n,
  ops,
  seed,
  done: false,
  error: null,
  remoteFrees: 0,
  sent: 0,
  mallocs: 0,
  scanned: 0,
  overlaps: 0,
  pageMallocs: 0,
  pageWouldBlock: 0,
  heapObjects: -1,
  heapAlloc: -1,
  mallocsMinusFrees: -1,
  invariantsOk: false,
  pStates: [],
  ms: 0,
};
window.__gomallocWorkers = status;
const log = document.getElementById("log")!;
const show = () => {
  log.textContent = JSON.stringify(status, null, 2);
};

async function run(): Promise<void> {
  const t0 = performance.now();
  const heap = createHeap({ growableSab: { maxByteLength: 1 << 30 }, numPs: n + 1 });
  const sab = (heap.sys as SabSysMemory).sab;
  const qsab = new SharedArrayBuffer(16 + 16 * 4096);
  const ctrl = new SharedArrayBuffer(16);
  const ctrl32 = new Int32Array(ctrl);
  const lives: { addrs: Float64Array; sizes: Float64Array }[] = [];
  let running = n;
  let pageLive: number[] = [];
  // The page's own churn while the workers run: a few objects every few milliseconds.
  const timer = setInterval(() => {
    try {
      for (const p of pageLive) heap.free(p);
      pageLive = [];
      for (let i = 0; i < 16; i++) {
        pageLive.push(heap.malloc(8 + i * 100));
        status.pageMallocs++;
      }
    } catch (e) {
      if ((e as { _tag?: string })._tag === "LockWouldBlockError") status.pageWouldBlock++;
      else status.error ??= `page: ${(e as Error).message}`;
    }
  }, 5);
  await new Promise<void>((resolve, reject) => {
    for (let w = 0; w < n; w++) {
      const worker = new Worker(new URL("./stress.worker.ts", import.meta.url), {
        type: "module",
        name: `stress-${w}`,
      });
      worker.onerror = (e) => reject(new Error(`worker ${w}: ${e.message}`));
      worker.onmessage = (e: MessageEvent<StressMessage>) => {
        const m = e.data;
        if (m.type === "error") reject(new Error(m.message));
        else if (m.type === "live") {
          lives.push(m);
          if (lives.length === n) {
            const all: [number, number][] = [];
            for (const l of lives) for (let i = 0; i < l.addrs.length; i++) all.push([l.addrs[i]!, l.sizes[i]!]);
            all.sort((a, b) => a[0] - b[0]);
            status.scanned = all.length;
            for (let i = 1; i < all.length; i++) if (all[i - 1]![0] + all[i - 1]![1] > all[i]![0]) status.overlaps++;
            Atomics.store(ctrl32, 1, 1);
            Atomics.notify(ctrl32, 1);
          }
        } else if (m.type === "done") {
          status.mallocs += m.mallocs;
          status.remoteFrees += m.remoteFrees;
          status.sent += m.sent;
          worker.terminate();
          if (--running === 0) resolve();
        }
        show();
      };
      const job: StressJob = { sab, qsab, ctrl, w, nworkers: n, ops, seed };
      worker.postMessage(job);
    }
  });
  clearInterval(timer);
  for (const p of pageLive) heap.free(p);
  heap.freeCycle();
  heap.checkInvariants();
  status.invariantsOk = true;
  const ms = heap.readMemStats();
  status.heapObjects = ms.HeapObjects;
  status.heapAlloc = ms.HeapAlloc;
  status.mallocsMinusFrees = ms.Mallocs - ms.Frees;
  status.pStates = pInfo(heap).map((p) => p.state);
  status.ms = Math.round(performance.now() - t0);
}

run()
  .catch((e: unknown) => {
    status.error = (e as Error).stack ?? String(e);
  })
  .finally(() => {
    status.done = true;
    show();
  });
show();
