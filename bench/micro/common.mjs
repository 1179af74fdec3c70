// Shared bench helpers: a seeded xorshift, the replay workloads, and a tinybench suite runner
// that prints throughput per task (no assertions).
import { Bench } from "tinybench";

/** xorshift32 with its state in a Uint32Array (a closure variable over 2^30 is boxed on every call). */
export function xorshift(seed) {
  const st = new Uint32Array([seed >>> 0 || 1]);
  return () => {
    let s = st[0];
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    st[0] = s;
    return s >>> 0;
  };
}

/** The replay bench's workloads (src/replay.ts), as @gomalloc/trace generator options. */
export const workloads = {
  "small-churn": { kind: "small-churn", ops: 1_000_000, seed: 1 },
  mixed: { kind: "mixed", ops: 1_000_000, seed: 1, meanLifetime: 20_000 },
  bulk: { kind: "bulk", ops: 1_000_000, seed: 1, batch: 50_000 },
  large: { kind: "large", ops: 100_000, seed: 1 },
};

/**
 * A fresh compiled copy of the bare replay loop, `(a, trace, ptrs) => void`: every operation of
 * `trace` on allocator `a` (malloc / free / realloc), addresses kept in `ptrs` (a Float64Array of
 * `trace.slots`), nothing else — no accounting, unlike @gomalloc/trace's loop. One copy per
 * allocator keeps its call sites monomorphic (as src/replay.ts does with isolatedReplayLoop).
 */
export function bareReplayLoop() {
  return new Function(
    "a",
    "trace",
    "ptrs",
    `const { op, slot, size, length } = trace;
    for (let i = 0; i < length; i++) {
      const o = op[i];
      if (o === 0) ptrs[slot[i]] = a.malloc(size[i]);
      else if (o === 1) a.free(ptrs[slot[i]]);
      else ptrs[slot[i]] = a.realloc(ptrs[slot[i]], size[i]);
    }`,
  );
}

/**
 * Runs `tasks` ({ name: [fn, batch] }) and prints ops/s and ns per operation,
 * where one call of `fn` performs `batch` operations (batching keeps the
 * timer's own cost out of nanosecond-scale operations).
 */
export async function runSuite(title, tasks, opts = {}) {
  const bench = new Bench({ time: opts.time ?? 400, warmupTime: 100 });
  for (const [name, [fn]] of Object.entries(tasks)) bench.add(name, fn);
  await bench.run();
  console.log(`\n${title}`);
  const rows = bench.tasks.map((t) => {
    const batch = tasks[t.name][1];
    const r = t.result;
    const hz = (r?.throughput?.mean ?? r?.hz ?? 0) * batch;
    return { task: t.name, "ops/s": Math.round(hz).toLocaleString("en-US"), "ns/op": (1e9 / hz).toFixed(1) };
  });
  console.table(rows);
}
