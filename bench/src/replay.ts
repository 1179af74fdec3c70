/**
 * The benchmark runner: replays the same generated traces (small churn, mixed,
 * bulk, large) on every allocator in the registry, in one process, and prints
 * ops/s and peak backing bytes ÷ peak live bytes per allocator, with ratios
 * against the reference (the registry's first entry unless `--reference`).
 *
 * Per workload and allocator: a checked replay of a prefix with the id
 * pattern written into every object and verified on free (so a broken
 * adapter fails loudly), a footprint round that samples `backingBytes()` 4096
 * times over the trace (a peak between two samples is missed), warm-up rounds, then timed rounds (median
 * reported). Each allocator gets its own copy of the replay loop
 * (`isolatedReplayLoop`), so its `malloc` call site stays monomorphic, and a
 * fresh allocator per round, made before the clock starts. A round that runs
 * past `--budget` seconds stops early and is reported on the operations it
 * did (marked with `*`). Run: `pnpm --filter @gomalloc/bench run bench`
 * (after building), options below. See bench/README.md.
 */
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import {
  type GenerateOptions,
  generateTrace,
  generatorDefaults,
  isolatedReplayLoop,
  Replay,
  type ReplayLoop,
  type Trace,
  traceStats,
} from "@gomalloc/trace";
import { type AllocatorEntry, allocators, type BenchAllocator, type TraceHint } from "./registry.js";

/** The workloads, with the generator parameters each uses (ops scaled by `--scale`). */
export const workloads: readonly { readonly name: string; readonly options: GenerateOptions }[] = [
  { name: "small-churn", options: { kind: "small-churn", ops: 1_000_000, seed: 1 } },
  { name: "mixed", options: { kind: "mixed", ops: 1_000_000, seed: 1, meanLifetime: 20_000 } },
  { name: "bulk", options: { kind: "bulk", ops: 1_000_000, seed: 1, batch: 50_000 } },
  { name: "large", options: { kind: "large", ops: 100_000, seed: 1 } },
];

/** The parameter that sets each kind's live set: what `--live-scale` multiplies. */
export const liveParams: Readonly<Record<GenerateOptions["kind"], "live" | "meanLifetime" | "batch">> = {
  "small-churn": "live",
  mixed: "meanLifetime",
  bulk: "batch",
  large: "live",
};

/**
 * A workload's options with its op count multiplied by `scale` and its live
 * set by `liveScale` (objects kept live, mean lifetime or batch size; a
 * parameter the workload leaves at its default is scaled from the default).
 * Each result is rounded to an integer of at least 1 (ops: at least 0).
 */
export function scaleWorkload(options: GenerateOptions, scale: number, liveScale: number): GenerateOptions {
  const out: GenerateOptions = { ...options, ops: Math.max(0, Math.round(options.ops * scale)) };
  if (liveScale !== 1) {
    const key = liveParams[options.kind];
    const base = options[key] ?? (generatorDefaults[options.kind][key] as number);
    out[key] = Math.max(1, Math.round(base * liveScale));
  }
  return out;
}

const gc = (globalThis as { gc?: () => void }).gc;

/** One allocator's figures on one workload. */
export interface Result {
  /** Workload name. */
  workload: string;
  /** Allocator name, as registered. */
  allocator: string;
  /** Median ops/s over the timed rounds. */
  opsPerSec: number;
  /** Slowest and fastest timed round, ops/s. */
  range: [number, number];
  /** Operations replayed per timed round (less than the trace when the budget stopped it). */
  ops: number;
  /** Operations in the trace. */
  traceOps: number;
  /** Peak requested bytes live, over the footprint round's operations. */
  peakLiveBytes: number;
  /** Largest `backingBytes()` sample in the footprint round. */
  peakBackingBytes: number;
  /** Peak backing ÷ peak live. */
  overhead: number;
  /** Empty when the checked prefix passed; else the error, and the other figures are 0. */
  error: string;
}

interface Round {
  ms: number;
  ops: number;
  peakLive: number;
  peakBacking: number;
}

async function round(
  entry: AllocatorEntry,
  trace: Trace,
  hint: TraceHint,
  loop: ReplayLoop,
  budgetMs: number,
  sample: boolean,
): Promise<Round> {
  // The allocator is made before the collection, so that it is alive during it: with none of its
  // kind alive, V8 may collect the object shapes (maps) its optimized code depends on, and every
  // round would then re-optimize from scratch — a program keeps its allocator (see the README).
  const a: BenchAllocator = await entry.create(hint);
  gc?.();
  const r = new Replay(trace, a, { loop });
  const chunk = sample ? Math.ceil(trace.length / 4096) : 1 << 16;
  let peakBacking = sample ? a.backingBytes() : 0;
  const t0 = performance.now();
  while (!r.done) {
    r.run(chunk);
    if (sample) peakBacking = Math.max(peakBacking, a.backingBytes());
    if (performance.now() - t0 > budgetMs) break;
  }
  const ms = performance.now() - t0;
  return { ms, ops: r.position, peakLive: r.peakLiveBytes, peakBacking };
}

async function verify(entry: AllocatorEntry, trace: Trace, hint: TraceHint, ops: number): Promise<string> {
  const a = await entry.create(hint);
  if (a.bytes === undefined) return "";
  try {
    const r = new Replay(trace, a, { bytes: a.bytes });
    r.run(ops);
    r.checkLive();
    return "";
  } catch (err) {
    return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Runs one workload on every selected allocator. */
async function runWorkload(
  name: string,
  trace: Trace,
  entries: readonly AllocatorEntry[],
  loops: Map<string, ReplayLoop>,
  opts: { rounds: number; warmup: number; budgetMs: number; verifyOps: number },
): Promise<Result[]> {
  const s = traceStats(trace);
  const hint: TraceHint = { ops: trace.length, peakLiveBytes: s.peakLiveBytes, maxSize: s.maxSize };
  const out: Result[] = [];
  for (const entry of entries) {
    const loop = loops.get(entry.name)!;
    const base = { workload: name, allocator: entry.name, traceOps: trace.length };
    const error = await verify(entry, trace, hint, opts.verifyOps);
    if (error !== "") {
      out.push({
        ...base,
        opsPerSec: 0,
        range: [0, 0],
        ops: 0,
        peakLiveBytes: 0,
        peakBackingBytes: 0,
        overhead: 0,
        error,
      });
      continue;
    }
    const foot = await round(entry, trace, hint, loop, opts.budgetMs, true);
    for (let i = 0; i < opts.warmup; i++) await round(entry, trace, hint, loop, opts.budgetMs, false);
    const rates: number[] = [];
    let ops = trace.length;
    for (let i = 0; i < opts.rounds; i++) {
      const r = await round(entry, trace, hint, loop, opts.budgetMs, false);
      rates.push((r.ops / r.ms) * 1000);
      ops = Math.min(ops, r.ops);
    }
    out.push({
      ...base,
      opsPerSec: median(rates),
      range: [Math.min(...rates), Math.max(...rates)],
      ops,
      peakLiveBytes: foot.peakLive,
      peakBackingBytes: foot.peakBacking,
      overhead: foot.peakLive > 0 ? foot.peakBacking / foot.peakLive : 0,
      error,
    });
  }
  return out;
}

const mops = (x: number): string => (x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : `${(x / 1e3).toFixed(1)} k`);
const mib = (x: number): string => `${(x / 1048576).toFixed(2)} MiB`;

/** Formats the results of one workload as a table with ratios against `reference`. */
export function formatTable(results: readonly Result[], reference: string): string {
  const ref = results.find((r) => r.allocator === reference && r.error === "");
  const head = ["allocator", "ops/s", "×ref", "spread", "peak live", "peak backing", "backing/live", "×ref"];
  const rows = results.map((r) => {
    if (r.error !== "") return [r.allocator, "FAILED", "", "", "", "", "", r.error];
    const partial = r.ops < r.traceOps ? `* (${r.ops}/${r.traceOps} ops)` : "";
    const spread = r.opsPerSec > 0 ? `±${((50 * (r.range[1] - r.range[0])) / r.opsPerSec).toFixed(0)}%` : "";
    return [
      r.allocator,
      mops(r.opsPerSec) + partial,
      ref ? (r.opsPerSec / ref.opsPerSec).toFixed(2) : "-",
      spread,
      mib(r.peakLiveBytes),
      mib(r.peakBackingBytes),
      r.overhead.toFixed(2),
      ref && ref.overhead > 0 ? (r.overhead / ref.overhead).toFixed(2) : "-",
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(head), ...rows.map(line)].map((l) => l.trimEnd()).join("\n");
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      allocators: { type: "string" },
      workloads: { type: "string" },
      reference: { type: "string" },
      rounds: { type: "string", default: "5" },
      warmup: { type: "string", default: "2" },
      budget: { type: "string", default: "5" },
      scale: { type: "string", default: "1" },
      "live-scale": { type: "string", default: "1" },
      "verify-ops": { type: "string", default: "20000" },
      json: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(
      [
        "usage: node dist/replay.js [options]",
        `  --allocators a,b   only these (registered: ${allocators.map((a) => a.name).join(", ")})`,
        `  --workloads a,b    only these (${workloads.map((w) => w.name).join(", ")})`,
        "  --reference name   allocator the ratios are against (default: the registry's first)",
        "  --rounds n         timed rounds, median reported (default 5)",
        "  --warmup n         untimed rounds first (default 2)",
        "  --budget s         seconds after which a round stops early (default 5)",
        "  --scale f          multiply every workload's op count (default 1)",
        "  --live-scale f     multiply every workload's live set: live objects, mean lifetime or batch (default 1)",
        "  --verify-ops n     operations replayed with the pattern check first (default 20000)",
        "  --json file        also write the results as JSON",
        "",
      ].join("\n"),
    );
    return 0;
  }
  const num = (key: string, v: string, min: number): number => {
    const x = Number(v);
    if (!Number.isFinite(x) || x < min) throw new Error(`--${key} ${v}: want a number ≥ ${min}`);
    return x;
  };
  const pick = <T extends { name: string }>(all: readonly T[], list: string | undefined, what: string): T[] => {
    if (list === undefined) return [...all];
    return list.split(",").map((n) => {
      const found = all.find((x) => x.name === n.trim());
      if (!found) throw new Error(`unknown ${what} ${n}: registered are ${all.map((x) => x.name).join(", ")}`);
      return found;
    });
  };
  const entries = pick(allocators, values.allocators, "allocator");
  const chosen = pick(workloads, values.workloads, "workload");
  const reference = values.reference ?? entries[0]!.name;
  if (!entries.some((e) => e.name === reference))
    throw new Error(`reference ${reference} is not among the allocators run`);
  const opts = {
    rounds: Math.floor(num("rounds", values.rounds, 1)),
    warmup: Math.floor(num("warmup", values.warmup, 0)),
    budgetMs: num("budget", values.budget, 0.001) * 1000,
    verifyOps: Math.floor(num("verify-ops", values["verify-ops"], 0)),
  };
  const scale = num("scale", values.scale, 0);
  const liveScale = num("live-scale", values["live-scale"], 0.000001);
  const loops = new Map(entries.map((e) => [e.name, isolatedReplayLoop()]));

  const cpu = cpus()[0]?.model ?? "unknown CPU";
  process.stdout.write(
    `gomalloc bench: node ${process.version} (V8 ${process.versions.v8}), ${cpu} × ${cpus().length}, gc ${gc ? "exposed" : "not exposed"}\n` +
      `rounds ${opts.rounds} (median), warm-up ${opts.warmup}, budget ${opts.budgetMs / 1000} s, reference ${reference}\n\n`,
  );
  const variants = entries.filter((e) => e.name.startsWith("gomalloc")).map((e) => e.name);
  if (variants.length > 1) {
    process.stdout.write(
      `note: ${variants.join(", ")} share one compiled runtime, which runs polymorphic once a second one has run;\n` +
        `      to compare one of them with the peers, run it alone (--allocators ${variants[1]},as-tlsf). bench/README.md, Results.\n\n`,
    );
  }
  const all: Result[] = [];
  for (const w of chosen) {
    const trace = generateTrace(scaleWorkload(w.options, scale, liveScale));
    const s = traceStats(trace);
    const params = Object.entries(trace.header!.params)
      .map(([k, v]) => `${k}=${v}`)
      .join(" ");
    process.stdout.write(
      `## ${w.name}: ${params}\n   peak live ${mib(s.peakLiveBytes)} in ${s.peakLiveObjects} objects\n`,
    );
    const results = await runWorkload(w.name, trace, entries, loops, opts);
    all.push(...results);
    process.stdout.write(`${formatTable(results, reference)}\n\n`);
  }
  process.stdout.write("backing bytes:\n");
  for (const e of entries) process.stdout.write(`  ${e.name}: ${e.backing}\n`);
  if (all.some((r) => r.ops < r.traceOps && r.error === "")) {
    process.stdout.write("* the round hit --budget and was stopped: figures are over the operations it did\n");
  }
  if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify(all, null, 2)}\n`);
  return all.some((r) => r.error !== "") ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
