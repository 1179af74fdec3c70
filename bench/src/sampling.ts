/**
 * What heap-profile sampling costs the allocation path: the same malloc+free
 * churn on three heaps in one process, with MemProfileRate 0 (off), Go's
 * default 512 KiB, and 1 (record every allocation), timed in interleaved
 * blocks (so drift and GC hit every rate alike) and printed as ratios to
 * "off". A second "off" heap, timed the same way, shows the run's noise:
 * a ratio inside that noise is nothing measurable. The countdown is Go's
 * `c.nextSample` check: every allocation subtracts its size from the
 * mcache's next-sample distance and only a negative result leaves the fast
 * path (`profilealloc`: a stack capture and a bucket update); with rate 0 the
 * distance starts at 2^53 − 1 and never runs out. Run:
 * `pnpm --filter @gomalloc/bench run bench:sampling` (after building).
 * See bench/README.md.
 */
import { parseArgs } from "node:util";
import { createHeap, type Heap } from "@gomalloc/runtime";

/** One timed configuration. */
interface Config {
  readonly name: string;
  readonly rate: number;
  readonly depth: number;
  readonly heap: Heap;
  readonly rates: number[];
}

const window = 1024;

/** Sizes 16..512 B from a fixed xorshift sequence (the small fast path). */
function sizes(n: number): Float64Array {
  const out = new Float64Array(n);
  let x = 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = 16 + ((x >>> 0) % 497);
  }
  return out;
}

/**
 * Churn: each step frees the oldest of `window` live objects and allocates
 * the next size. Returns the steps per second.
 */
function churn(heap: Heap, live: Float64Array, size: Float64Array, steps: number, start: number): number {
  const t0 = performance.now();
  const n = size.length;
  for (let i = 0; i < steps; i++) {
    const k = (start + i) % window;
    const p = live[k]!;
    if (p !== 0) heap.free(p);
    live[k] = heap.malloc(size[(start + i) % n]!);
  }
  return (steps / (performance.now() - t0)) * 1000;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function main(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      steps: { type: "string", default: "2000000" },
      rounds: { type: "string", default: "9" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(
      "usage: node dist/sampling.js [--steps n (malloc+free pairs per block, default 2000000)] [--rounds n (default 9)]\n",
    );
    return 0;
  }
  const steps = Number(values.steps);
  const rounds = Number(values.rounds);
  if (!Number.isSafeInteger(steps) || steps < window || !Number.isSafeInteger(rounds) || rounds < 1) {
    throw new Error(`want --steps ≥ ${window} and --rounds ≥ 1 (integers)`);
  }
  const size = sizes(1 << 16);
  const make = (name: string, rate: number, depth = 32): Config => ({
    name,
    rate,
    depth,
    heap: createHeap({
      buffer: new ArrayBuffer(0, { maxByteLength: 1 << 30 }),
      memProfileRate: rate,
      profilerStackDepth: depth,
    }),
    rates: [],
  });
  // "default, no stacks" separates the per-allocation countdown from the per-sample stack capture.
  const configs = [
    make("off", 0),
    make("default", 512 * 1024),
    make("default, no stacks", 512 * 1024, 0),
    make("countdown, ~no samples", 2 ** 40, 0),
    make("every", 1),
    make("off (again)", 0),
  ];
  // Rate 1 captures a stack per allocation: give it fewer steps so a round stays short.
  const stepsOf = (c: Config) => (c.rate === 1 ? Math.max(window, Math.floor(steps / 50)) : steps);
  const lives = configs.map(() => new Float64Array(window));
  let pos = 0;
  process.stdout.write(
    `gomalloc sampling cost: node ${process.version}, ArrayBuffer heap, malloc+free churn of 16–512 B objects (${window} live), ` +
      `${steps} pairs per block (rate 1: ${stepsOf(configs.find((c) => c.rate === 1)!)}), ${rounds} rounds (median), 1 warm-up\n\n`,
  );
  for (let r = -1; r < rounds; r++) {
    for (let i = 0; i < configs.length; i++) {
      const c = configs[i]!;
      const x = churn(c.heap, lives[i]!, size, stepsOf(c), pos);
      if (r >= 0) c.rates.push(x);
    }
    pos += steps;
  }
  const off = median(configs[0]!.rates);
  const rows = configs.map((c) => {
    const m = median(c.rates);
    const recs = c.heap.profiler.memProfile(true);
    const samples = recs.reduce((a, x) => a + x.AllocObjects, 0);
    const allocs = c.heap.readMemStats().Mallocs;
    return [
      c.name,
      c.rate === 0 ? "0" : String(c.rate),
      c.rate === 0 ? "-" : String(c.depth),
      `${(m / 1e6).toFixed(2)} M`,
      (m / off).toFixed(3),
      `±${((50 * (Math.max(...c.rates) - Math.min(...c.rates))) / m).toFixed(1)}%`,
      `${samples} of ${allocs}`,
    ];
  });
  const head = ["MemProfileRate", "rate", "stack", "pairs/s", "×off", "spread", "samples recorded"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)));
  for (const l of [head, ...rows]) process.stdout.write(`${line(l).join("  ").trimEnd()}\n`);
  process.stdout.write(
    "\n×off: median pairs/s over the median of the first 'off' heap. 'off (again)' is a second heap at rate 0\n" +
      "timed the same way: its distance from 1.000 is the noise of this run. stack: JS frames captured per\n" +
      "sample (profilerStackDepth); 'default, no stacks' is the countdown plus the bucket updates of its\n" +
      "samples; 'countdown, ~no samples' (rate 2^40, which Go caps to a mean of 2^30 - 1 bytes) is Go's\n" +
      "c.nextSample check nearly alone.\n",
  );
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`bench:sampling: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 2;
}
