/**
 * The many-workers benchmark: one gomalloc heap on a SharedArrayBuffer,
 * worker_threads attached to it, throughput measured with 1 and 2 workers.
 * Runs, each with 1 and then 2 workers started together on a barrier:
 *
 * - `cpu`: a pure compute loop (no heap): the machine's own scaling.
 * - `separate-heaps`: each worker makes its own one-P heap and replays its
 *   trace there — nothing shared, the ceiling for allocation-bound work.
 * - `separate-heaps-2p`: the same on heaps made with two Ps (one used): the
 *   several-P code paths with nothing shared, which tells what `independent`
 *   loses to sharing one heap from what it loses to those paths.
 * - `independent`: each worker replays its own small-churn trace (1024 live
 *   slots, 8–256 B, its own seed) through its own P.
 * - `global-lock`: the same traces on a heap with one P that every worker
 *   uses under one Mutex around each malloc and free — the way dlmalloc
 *   serialises threads (the heap's buffer is fixed, so no handle's view goes
 *   stale).
 * - `producer-consumer`: one worker allocates and hands each object through
 *   a single-producer ring to the other, which frees it RING/2 allocations
 *   later (a cross-worker free every time); the 1-worker figure does both
 *   halves on one thread, with the same lifetimes. Also under the global lock,
 *   and with no heap at all (`producer-consumer-ring`: numbers through the
 *   same ring), what the hand-over alone costs.
 *
 * Prints ops/s and the ratios (2 workers ÷ 1 worker, per-P ÷ global lock).
 * No assertions. Run: `pnpm --filter @gomalloc/bench run bench:workers`
 * (`node dist/workers.js [--ops n] [--warmup n] [--rounds n] [--kinds a,b]`).
 * Each worker runs `--warmup` operations (1.5 M by default) alone, then as
 * many again together with the other worker, each phase ending at a barrier,
 * before the timed run: throughput takes about that long to settle (after
 * 300 k the first timed half-million ran 15–45 % slower than the rest on
 * separate heaps and 20–90 % on a shared one), and V8 must be done
 * re-optimizing what the shared phase first reaches. See bench/README.md.
 */
import { availableParallelism, cpus } from "node:os";
import { parseArgs } from "node:util";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { Mutex, SabSysMemory } from "@gomalloc/os-mem";
import { attachHeap, createHeap, type Heap } from "@gomalloc/runtime";

type Kind =
  | "cpu"
  | "separate-heaps"
  | "separate-heaps-2p"
  | "independent"
  | "global-lock"
  | "producer-consumer"
  | "producer-consumer-lock"
  | "producer-consumer-ring";

interface Job {
  kind: Kind;
  role: "solo" | "producer" | "consumer";
  w: number;
  ops: number;
  /** Operations each worker runs before the barrier. */
  warmup: number;
  sab: SharedArrayBuffer | null;
  ctrl: SharedArrayBuffer;
  ring: SharedArrayBuffer | null;
}

// ctrl (i32): [0] workers warmed up alone, [1] go on together, [2] global mutex word,
// [3] workers warmed up together, [4] go: the timed run.
// ring: four i32 words, each on a cache line of its own — head (the consumer's), tail (the
// producer's), consumer waiting, producer waiting — then the f64 slots from byte RING_HDR.
const LIVE = 1024;
const RING = 4096;
const HEAD = 0;
const TAIL = 16;
const CWAIT = 32;
const PWAIT = 48;
const RING_HDR = 256;
/** Operations per warm-up call (see workerMain). */
const WARMUP_CALL = 100_000;
/** Each side publishes its index every PUBLISH objects (a power of two). */
const PUBLISH = 16;

/** A seeded xorshift32. */
function rng(seed: number): XorShift32 {
  return new XorShift32(seed);
}

/**
 * xorshift32. The state lives in a Uint32Array: kept in a closure variable,
 * every value over 2^30 was boxed as a heap number (about 8 bytes of garbage
 * per operation, and a scavenge every half-million operations). A class, not
 * a closure: a loop that inlined one closure deoptimizes ("wrong call
 * target") when it is called again with another, and each run makes its own
 * generator — which put a re-optimization of the loop, with the malloc and
 * free inlined in it, inside the timed phase.
 */
class XorShift32 {
  private readonly st: Uint32Array;
  constructor(seed: number) {
    this.st = new Uint32Array([seed >>> 0 || 1]);
  }
  next(): number {
    let s = this.st[0]!;
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    this.st[0] = s;
    return s >>> 0;
  }
}

/** A compute loop of `ops` × 8 steps (the CPU-bound baseline; × 8 so that a run lasts about as long as a heap run). */
function cpuLoop(ops: number, seed: number): number {
  const a = new Float64Array(1024);
  const r = rng(seed);
  let acc = 0;
  for (let i = 0; i < ops * 8; i++) {
    const k = r.next() & 1023;
    a[k] = a[k]! * 0.5 + i;
    acc += a[(k * 7) & 1023]!;
  }
  return acc;
}

/** heap.malloc, under the global lock when there is one. */
function lockedMalloc(heap: Heap, mu: Mutex | null, size: number): number {
  if (mu === null) return heap.malloc(size);
  mu.lock();
  try {
    return heap.malloc(size);
  } finally {
    mu.unlock();
  }
}

/** heap.free, under the global lock when there is one. */
function lockedFree(heap: Heap, mu: Mutex | null, p: number): void {
  if (mu === null) {
    heap.free(p);
    return;
  }
  mu.lock();
  try {
    heap.free(p);
  } finally {
    mu.unlock();
  }
}

/** Small churn: a random slot of LIVE is freed if taken, else filled with a fresh 8–256 B object. */
function churn(heap: Heap, ops: number, seed: number, mu: Mutex | null): void {
  const slots = new Float64Array(LIVE);
  const r = rng(seed);
  for (let i = 0; i < ops; i++) {
    const x = r.next();
    const k = x & (LIVE - 1);
    const p = slots[k]!;
    if (p !== 0) {
      lockedFree(heap, mu, p);
      slots[k] = 0;
    } else {
      slots[k] = lockedMalloc(heap, mu, 8 + ((x >>> 10) % 249));
    }
  }
  for (let k = 0; k < LIVE; k++) if (slots[k] !== 0) lockedFree(heap, mu, slots[k]!);
}

/**
 * Waits until `ht[i]` differs from `seen`: a short spin, then Atomics.wait with
 * `ht[flag]` raised so that the other side knows to notify (on a loaded
 * machine a pure spin would take the CPU the other side needs).
 */
function waitChange(ht: Int32Array, i: number, seen: number, flag: number): void {
  for (let s = 0; s < 200; s++) if (Atomics.load(ht, i) !== seen) return;
  Atomics.store(ht, flag, 1);
  while (Atomics.load(ht, i) === seen) Atomics.wait(ht, i, seen, 1);
  Atomics.store(ht, flag, 0);
}

/**
 * The producer half: allocates `ops` objects and pushes each into the ring
 * (with no heap, the `producer-consumer-ring` baseline, it pushes numbers).
 * It re-reads the consumer's head only when its last copy says the ring is full.
 */
function produce(heap: Heap | null, ops: number, ring: SharedArrayBuffer, mu: Mutex | null): void {
  const ht = new Int32Array(ring, 0, RING_HDR / 4);
  const slots = new Float64Array(ring, RING_HDR, RING);
  const r = rng(7);
  let tail = 0;
  let h = 0;
  for (let i = 0; i < ops; i++) {
    const p = heap === null ? i + 1 : lockedMalloc(heap, mu, 8 + (r.next() % 249));
    if (tail - h >= RING) {
      for (h = Atomics.load(ht, HEAD); tail - h >= RING; h = Atomics.load(ht, HEAD)) waitChange(ht, HEAD, h, PWAIT);
    }
    slots[tail % RING] = p;
    tail++;
    // Published every PUBLISH objects (and at the end): each Atomics.store is a full fence.
    if ((tail & (PUBLISH - 1)) === 0 || tail === ops) {
      Atomics.store(ht, TAIL, tail);
      if (Atomics.load(ht, CWAIT) !== 0) Atomics.notify(ht, TAIL);
    }
  }
}

/**
 * The consumer half: pops `ops` objects from the ring and frees each, RING/2
 * allocations after it was made — the lifetime {@link produceConsumeSolo}
 * gives them. (A consumer that frees as soon as it can runs right behind the
 * producer when it is the faster side, freeing into the span the producer is
 * filling: every free then reads a line the producer just wrote, and the
 * result measures the two threads' relative speed more than the heap.) It
 * re-reads the producer's tail only when its last copy has nothing to pop.
 */
function consume(heap: Heap | null, ops: number, ring: SharedArrayBuffer, mu: Mutex | null): number {
  const ht = new Int32Array(ring, 0, RING_HDR / 4);
  const slots = new Float64Array(ring, RING_HDR, RING);
  let head = 0;
  let t = 0;
  let sum = 0;
  for (let i = 0; i < ops; i++) {
    if (t - head <= RING / 2 && t < ops) {
      for (t = Atomics.load(ht, TAIL); t - head <= RING / 2 && t < ops; t = Atomics.load(ht, TAIL))
        waitChange(ht, TAIL, t, CWAIT);
    }
    const p = slots[head % RING]!;
    head++;
    if ((head & (PUBLISH - 1)) === 0 || head === ops) {
      Atomics.store(ht, HEAD, head);
      if (Atomics.load(ht, PWAIT) !== 0) Atomics.notify(ht, HEAD);
    }
    if (heap === null) sum += p;
    else lockedFree(heap, mu, p);
  }
  return sum;
}

/** Both halves on one thread, in the same order of objects (FIFO of RING/2 objects); numbers only without a heap. */
function produceConsumeSolo(heap: Heap | null, ops: number, mu: Mutex | null): number {
  const fifo = new Float64Array(RING);
  const r = rng(7);
  let head = 0;
  let tail = 0;
  let sum = 0;
  for (let i = 0; i < ops || head < tail; i++) {
    if (i < ops) fifo[tail++ % RING] = heap === null ? i + 1 : lockedMalloc(heap, mu, 8 + (r.next() % 249));
    if (tail - head < RING / 2 && i < ops) continue;
    const p = fifo[head++ % RING]!;
    if (heap === null) sum += p;
    else lockedFree(heap, mu, p);
  }
  return sum;
}

/** Worker side of a barrier: counts itself in ctrl[arrived] and waits for ctrl[go]. */
function barrier(ctrl: Int32Array, arrived: number, go: number): void {
  Atomics.add(ctrl, arrived, 1);
  Atomics.notify(ctrl, arrived);
  while (Atomics.load(ctrl, go) === 0) Atomics.wait(ctrl, go, 0);
}

/** Worker side: attach, warm up alone then together, run, report the elapsed time. */
function workerMain(job: Job): void {
  const ctrl = new Int32Array(job.ctrl);
  const locked = job.kind === "global-lock" || job.kind === "producer-consumer-lock";
  let heap: Heap | null = null;
  let mu: Mutex | null = null;
  if (job.kind === "separate-heaps" || job.kind === "separate-heaps-2p") {
    heap = createHeap({ growableSab: { maxByteLength: 1 << 30 }, numPs: job.kind === "separate-heaps" ? 1 : 2 });
  } else if (job.sab !== null) {
    // With the global lock every worker uses P 0 (taken over: only one runs at a time under the lock).
    heap = attachHeap(SabSysMemory.attach(job.sab), { p: locked ? 0 : "any" });
    if (locked) mu = new Mutex(ctrl, 2, { name: "global", spins: 100 });
  }
  const run = (ops: number) => {
    if (job.kind === "cpu") return cpuLoop(ops, job.w + 1);
    if (
      job.kind === "independent" ||
      job.kind === "global-lock" ||
      job.kind === "separate-heaps" ||
      job.kind === "separate-heaps-2p"
    ) {
      churn(heap!, ops, job.w + 1, mu);
      return 0;
    }
    // The pair kinds; producer-consumer-ring has no heap.
    if (job.role === "producer") produce(heap, ops, job.ring!, mu);
    else if (job.role === "consumer") return consume(heap, ops, job.ring!, mu);
    else return produceConsumeSolo(heap, ops, mu);
    return 0;
  };
  // Warm-up: the pair kinds warm up on the solo loop (no partner yet); it compiles the same calls.
  // In calls of WARMUP_CALL operations, so that the loop is optimized as a function, not only
  // on-stack-replaced inside one long call: the timed call would otherwise start in unoptimized
  // code and be optimized (on a background thread, which two workers then compete with) while
  // it runs.
  for (let done = 0; done < job.warmup; done += WARMUP_CALL) {
    const n = Math.min(WARMUP_CALL, job.warmup - done);
    if (job.role === "solo") run(n);
    else produceConsumeSolo(heap, n, mu);
  }
  barrier(ctrl, 0, 1);
  // Then together, as in the timed run: paths that only sharing takes (and code only they
  // reach) get their first run, and V8 its re-optimizations, before the clock starts. Without
  // it, two workers timed on one heap ran into 2–3 deoptimizations of malloc at rare branches
  // first taken after the barrier, whose background recompiles had to share the two cores
  // with them: 2 ÷ 1 read 1.54–1.71 against 1.92–1.96 with V8's recompilation on the
  // workers' own threads (`--no-concurrent-recompilation`).
  run(job.warmup);
  barrier(ctrl, 3, 4);
  const t0 = performance.now();
  const sink = run(job.ops);
  const ms = performance.now() - t0;
  parentPort!.postMessage({ ms, sink });
}

const allKinds: Kind[] = [
  "cpu",
  "separate-heaps",
  "separate-heaps-2p",
  "independent",
  "global-lock",
  "producer-consumer",
  "producer-consumer-lock",
  "producer-consumer-ring",
];

interface Options {
  ops: number;
  warmup: number;
  rounds: number;
  kinds: Kind[];
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      ops: { type: "string", default: "4000000" },
      warmup: { type: "string", default: "1500000" },
      rounds: { type: "string", default: "3" },
      kinds: { type: "string", default: allKinds.join(",") },
    },
  });
  const ops = Number(values.ops);
  const warmup = Number(values.warmup);
  const rounds = Number(values.rounds);
  const kinds = values.kinds.split(",") as Kind[];
  if (!Number.isInteger(ops) || ops < 1000) throw new Error(`--ops ${values.ops}: want an integer ≥ 1000`);
  if (!Number.isInteger(warmup) || warmup < 0) throw new Error(`--warmup ${values.warmup}: want an integer ≥ 0`);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds ${values.rounds}: want an integer ≥ 1`);
  for (const k of kinds)
    if (!allKinds.includes(k)) throw new Error(`--kinds: ${k} is not one of ${allKinds.join(", ")}`);
  return { ops, warmup, rounds, kinds };
}

/** Runs one configuration: `n` workers (roles as the kind needs) on a fresh heap; returns total ops/s. */
async function runOnce(kind: Kind, n: number, ops: number, warmup: number): Promise<number> {
  const ctrl = new SharedArrayBuffer(32);
  const ctrl32 = new Int32Array(ctrl);
  let sab: SharedArrayBuffer | null = null;
  let main: Heap | null = null;
  if (
    kind !== "cpu" &&
    kind !== "separate-heaps" &&
    kind !== "separate-heaps-2p" &&
    kind !== "producer-consumer-ring"
  ) {
    const locked = kind === "global-lock" || kind === "producer-consumer-lock";
    main = locked
      ? createHeap({ sab: new SharedArrayBuffer(256 << 20), numPs: 1 })
      : createHeap({ growableSab: { maxByteLength: 1 << 30 }, numPs: 2 });
    sab = (main.sys as SabSysMemory).sab;
    main.close(); // the workers take the Ps
  }
  const pair = kind === "producer-consumer" || kind === "producer-consumer-lock" || kind === "producer-consumer-ring";
  const ring = pair ? new SharedArrayBuffer(RING_HDR + 8 * RING) : null;
  const roles: Job["role"][] = pair && n === 2 ? ["producer", "consumer"] : n === 2 ? ["solo", "solo"] : ["solo"];
  const workers = roles.map(
    (role, w) =>
      new Worker(new URL(import.meta.url), {
        workerData: { kind, role, w, ops, warmup, sab, ctrl, ring } satisfies Job,
      }),
  );
  const done = workers.map(
    (wk) =>
      new Promise<number>((resolve, reject) => {
        wk.once("message", (m: { ms: number }) => resolve(m.ms));
        wk.once("error", reject);
      }),
  );
  const release = async (arrived: number, go: number) => {
    while (Atomics.load(ctrl32, arrived) < workers.length) await new Promise((r) => setTimeout(r, 5));
    // The pair kinds' ring starts empty for each run (its halves count from 0).
    if (ring !== null) new Int32Array(ring, 0, RING_HDR / 4).fill(0);
    Atomics.store(ctrl32, go, 1);
    Atomics.notify(ctrl32, go);
  };
  await release(0, 1);
  await release(3, 4);
  const times = await Promise.all(done);
  await Promise.all(workers.map((wk) => wk.terminate()));
  // Pair runs count one op per object (allocated and freed once); the rest count per worker.
  const total = pair && n === 2 ? ops : ops * n;
  return total / (Math.max(...times) / 1000);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function fmt(x: number): string {
  return x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : `${(x / 1e3).toFixed(0)} k`;
}

async function main(): Promise<void> {
  const { ops, warmup, rounds, kinds } = parseOptions(process.argv.slice(2));
  process.stdout.write(
    `gomalloc workers bench: node ${process.version}, ${cpus()[0]?.model ?? "?"} × ${availableParallelism()}, ` +
      `${ops} ops per worker after ${warmup} of warm-up, median of ${rounds}\n`,
  );
  const res = new Map<Kind, [number, number]>();
  process.stdout.write("| run | 1 worker | 2 workers | 2 ÷ 1 |\n| --- | --- | --- | --- |\n");
  for (const kind of kinds) {
    const one: number[] = [];
    const two: number[] = [];
    for (let r = 0; r < rounds; r++) {
      one.push(await runOnce(kind, 1, ops, warmup));
      two.push(await runOnce(kind, 2, ops, warmup));
    }
    const a = median(one);
    const b = median(two);
    res.set(kind, [a, b]);
    process.stdout.write(`| ${kind} | ${fmt(a)} | ${fmt(b)} | ${(b / a).toFixed(2)} |\n`);
  }
  const ind = res.get("independent");
  const gl = res.get("global-lock");
  const pc = res.get("producer-consumer");
  const pcl = res.get("producer-consumer-lock");
  const cpu = res.get("cpu");
  const sep = res.get("separate-heaps");
  const sep2 = res.get("separate-heaps-2p");
  const ring = res.get("producer-consumer-ring");
  if (!ind || !gl || !pc || !pcl || !cpu || !sep) return; // a subset: no summary
  process.stdout.write(
    `\nscaling: cpu-bound ${(cpu[1] / cpu[0]).toFixed(2)}×, separate heaps ${(sep[1] / sep[0]).toFixed(2)}×, ` +
      (sep2 ? `separate 2-P heaps ${(sep2[1] / sep2[0]).toFixed(2)}×, ` : "") +
      `per-P heap ${(ind[1] / ind[0]).toFixed(2)}×, ` +
      `global lock ${(gl[1] / gl[0]).toFixed(2)}×\n` +
      `2 workers: per-P ÷ separate heaps ${(ind[1] / sep[1]).toFixed(2)}×; ` +
      `per-P ÷ global lock: independent ${(ind[1] / gl[1]).toFixed(2)}×, ` +
      `producer/consumer ${(pc[1] / pcl[1]).toFixed(2)}×\n` +
      (ring ? `producer/consumer ÷ the ring alone, 2 workers: ${(pc[1] / ring[1]).toFixed(2)}×\n` : ""),
  );
}

if (isMainThread) {
  main().catch((e) => {
    process.stderr.write(`${(e as Error).stack}\n`);
    process.exitCode = 1;
  });
} else {
  workerMain(workerData as Job);
}
