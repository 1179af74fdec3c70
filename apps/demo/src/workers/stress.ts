/**
 * The stress run one Web Worker of the workers page performs (the browser
 * twin of packages/runtime/test/workers/stress-worker.mjs): attach to the
 * heap with a P of its own, random malloc/free/realloc of tiny, small and
 * large objects, each filled with its id's pattern and checked before every
 * free and realloc; objects handed to other workers through a ring queue in
 * a second SharedArrayBuffer (so those frees are cross-worker); then, between
 * barriers in the control buffer, drain the queue, report the live objects
 * for the page's overlap scan, free everything and detach.
 */
import { Mutex, SabSysMemory } from "@gomalloc/os-mem";
import { attachHeap, type Heap } from "@gomalloc/runtime";

/** What the page sends each worker. */
export interface StressJob {
  sab: SharedArrayBuffer;
  /** The queue: i32 lock, head, count, pad; then 16-byte entries (f64 address, u32 id, u32 size). */
  qsab: SharedArrayBuffer;
  /** i32 [0] workers past their operations, [1] the page's go-ahead after the overlap scan. */
  ctrl: SharedArrayBuffer;
  w: number;
  nworkers: number;
  ops: number;
  seed: number;
}

/** What a worker posts back. */
export type StressMessage =
  | { type: "attached"; p: number; token: number }
  | { type: "live"; addrs: Float64Array; sizes: Float64Array }
  | { type: "done"; mallocs: number; frees: number; remoteFrees: number; sent: number }
  | { type: "error"; message: string };

/** Fills [p, p+size) with id's pattern. */
export function fillPattern(u8: Uint8Array, p: number, size: number, id: number): void {
  const x = Math.imul(id, 0x9e3779b1);
  for (let i = 0; i < size; i++) u8[p + i] = (x >>> (i & 24)) + i;
}

/** The first offset in [p, p+size) not holding id's pattern, or -1. */
export function checkPattern(u8: Uint8Array, p: number, size: number, id: number): number {
  const x = Math.imul(id, 0x9e3779b1);
  for (let i = 0; i < size; i++) if (u8[p + i] !== (((x >>> (i & 24)) + i) & 0xff)) return i;
  return -1;
}

class RingQueue {
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  private readonly u32: Uint32Array;
  private readonly capacity: number;
  private readonly mu: Mutex;
  constructor(sab: SharedArrayBuffer) {
    this.i32 = new Int32Array(sab, 0, 4);
    this.f64 = new Float64Array(sab, 16);
    this.u32 = new Uint32Array(sab, 16);
    this.capacity = (sab.byteLength - 16) / 16;
    this.mu = new Mutex(this.i32, 0, { name: "stress queue" });
  }
  push(addr: number, id: number, size: number): boolean {
    this.mu.lock();
    try {
      const n = this.i32[2]!;
      if (n === this.capacity) return false;
      const k = (this.i32[1]! + n) % this.capacity;
      this.f64[2 * k] = addr;
      this.u32[4 * k + 2] = id;
      this.u32[4 * k + 3] = size;
      this.i32[2] = n + 1;
      return true;
    } finally {
      this.mu.unlock();
    }
  }
  pop(out: number[]): boolean {
    this.mu.lock();
    try {
      const n = this.i32[2]!;
      if (n === 0) return false;
      const k = this.i32[1]!;
      out[0] = this.f64[2 * k]!;
      out[1] = this.u32[4 * k + 2]!;
      out[2] = this.u32[4 * k + 3]!;
      this.i32[1] = (k + 1) % this.capacity;
      this.i32[2] = n - 1;
      return true;
    } finally {
      this.mu.unlock();
    }
  }
}

/** Runs one worker's share; `post` sends messages to the page. */
export function runStress(job: StressJob, post: (m: StressMessage) => void): void {
  const ctrl = new Int32Array(job.ctrl);
  const heap: Heap = attachHeap(SabSysMemory.attach(job.sab), { p: "any" });
  const queue = new RingQueue(job.qsab);
  post({ type: "attached", p: heap.p, token: heap.token });
  let st = (job.seed ^ Math.imul(job.w + 1, 0x85ebca6b)) >>> 0 || 1;
  const rand = () => {
    st ^= st << 13;
    st ^= st >>> 17;
    st ^= st << 5;
    st >>>= 0;
    return st / 4294967296;
  };
  const size = () => {
    const r = rand();
    if (r < 0.2) return 1 + Math.floor(rand() * 15);
    if (r < 0.9) return 16 + Math.floor(rand() * 1008);
    if (r < 0.997) return 1024 + Math.floor(rand() * 31744);
    return 32769 + Math.floor(rand() * 98304);
  };
  const addrs: number[] = [];
  const ids: number[] = [];
  const sizes: number[] = [];
  let nextId = job.w * 2 ** 24 + 1;
  let mallocs = 0;
  let frees = 0;
  let remoteFrees = 0;
  let sent = 0;
  const got = [0, 0, 0];
  const verify = (p: number, id: number, sz: number, what: string) => {
    const off = checkPattern(heap.u8, p, sz, id);
    if (off >= 0)
      throw new Error(`worker ${job.w}: object ${id} at ${p} (${sz} B) broken at byte ${off} before ${what}`);
  };
  const removeAt = (k: number) => {
    addrs[k] = addrs[addrs.length - 1]!;
    ids[k] = ids[ids.length - 1]!;
    sizes[k] = sizes[sizes.length - 1]!;
    addrs.pop();
    ids.pop();
    sizes.pop();
  };
  const freeRemote = () => {
    verify(got[0]!, got[1]!, got[2]!, "a remote free");
    heap.free(got[0]!);
    remoteFrees++;
  };
  for (let k = 0; k < job.ops; k++) {
    const r = rand();
    const n = addrs.length;
    if (n === 0 || (r < 0.5 && n < 3000)) {
      const sz = size();
      const p = heap.malloc(sz);
      const id = nextId++;
      fillPattern(heap.u8, p, sz, id);
      addrs.push(p);
      ids.push(id);
      sizes.push(sz);
      mallocs++;
    } else if (r < 0.7) {
      const i = Math.floor(rand() * n);
      verify(addrs[i]!, ids[i]!, sizes[i]!, "free");
      heap.free(addrs[i]!);
      removeAt(i);
      frees++;
    } else if (r < 0.82) {
      const i = Math.floor(rand() * n);
      if (queue.push(addrs[i]!, ids[i]!, sizes[i]!)) {
        removeAt(i);
        sent++;
      }
    } else if (r < 0.97) {
      if (queue.pop(got)) freeRemote();
    } else {
      const i = Math.floor(rand() * n);
      verify(addrs[i]!, ids[i]!, sizes[i]!, "realloc");
      const sz = size();
      const q = heap.realloc(addrs[i]!, sz);
      const keep = Math.min(sizes[i]!, sz);
      const off = checkPattern(heap.u8, q, keep, ids[i]!);
      if (off >= 0) throw new Error(`worker ${job.w}: realloc lost byte ${off} of object ${ids[i]}`);
      const id = nextId++;
      fillPattern(heap.u8, q, sz, id);
      addrs[i] = q;
      ids[i] = id;
      sizes[i] = sz;
    }
  }
  Atomics.add(ctrl, 0, 1);
  Atomics.notify(ctrl, 0);
  for (let c = Atomics.load(ctrl, 0); c < job.nworkers; c = Atomics.load(ctrl, 0)) Atomics.wait(ctrl, 0, c, 1000);
  while (queue.pop(got)) freeRemote();
  for (let i = 0; i < addrs.length; i++) verify(addrs[i]!, ids[i]!, sizes[i]!, "the overlap scan");
  post({ type: "live", addrs: Float64Array.from(addrs), sizes: Float64Array.from(sizes) });
  while (Atomics.load(ctrl, 1) === 0) Atomics.wait(ctrl, 1, 0, 1000);
  for (let i = 0; i < addrs.length; i++) {
    verify(addrs[i]!, ids[i]!, sizes[i]!, "the final free");
    heap.free(addrs[i]!);
    frees++;
  }
  heap.detach();
  post({ type: "done", mallocs, frees, remoteFrees, sent });
}
