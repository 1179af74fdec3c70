/**
 * `gomalloc demo`, what `npm start` runs: a short, realistic workload on a
 * gomalloc heap — by default two million operations of a Go-shaped trace
 * from @gomalloc/trace (Go's own mix of object sizes, geometric lifetimes
 * averaging 20 000 allocations, everything freed at the end) over a
 * resizable ArrayBuffer — with a progress bar, then the replay report:
 * throughput, MemStats at the peak and at the end, the size classes in use
 * with their spans and waste, the heap's growth and what the scavenger gave
 * back. The flags choose the workload and the heap as `gomalloc replay`'s
 * do. See packages/cli/README.md and docs/design.md.
 */
import { type GenerateOptions, generateTrace, type TraceKind, traceKinds } from "@gomalloc/trace";
import { type Command, Option } from "commander";
import { makeHeap, runTrace } from "../heaprun.js";
import { formatReport } from "../report.js";
import { addHeapOptions, backendOf, intArg, type ReplayFlags } from "./replay.js";

/** The demo's workload per kind: the generator's defaults, with more objects live for mixed and bulk. */
export const demoWorkloads: Record<TraceKind, Partial<GenerateOptions>> = {
  "small-churn": {},
  mixed: { meanLifetime: 20_000 },
  bulk: { batch: 50_000 },
  large: {},
};

/** Default number of operations of `gomalloc demo` per kind (large objects cost more per operation). */
export const demoOps: Record<TraceKind, number> = {
  "small-churn": 2_000_000,
  mixed: 2_000_000,
  bulk: 2_000_000,
  large: 50_000,
};

type DemoFlags = Omit<ReplayFlags, "profile" | "profileRate"> & { ops?: number; kind: TraceKind; seed: number };

async function demo(flags: DemoFlags): Promise<void> {
  const ops = flags.ops ?? demoOps[flags.kind];
  const options: GenerateOptions = { kind: flags.kind, ops, seed: flags.seed, ...demoWorkloads[flags.kind] };
  const trace = generateTrace(options);
  const heap = makeHeap({ backend: backendOf(flags), pair: flags.pair, go: flags.go });
  const r = await runTrace(heap, trace, {
    verify: flags.verify === true,
    profileRate: 0,
    progress: flags.progress,
    label: "demo",
  });
  const params = Object.entries(trace.header!.params).map(([k, v]) => `${k}=${v}`);
  process.stdout.write(
    formatReport(r, {
      title: "gomalloc demo: Go's allocator in TypeScript, replaying a Go-shaped workload",
      traceNote: `generated: ${params.join(" ")}`,
    }),
  );
}

/** Registers `gomalloc demo`. */
export function registerDemo(program: Command): void {
  const cmd = program
    .command("demo")
    .description("run a short Go-shaped workload on a gomalloc heap and print what the heap did (npm start)")
    .option("--ops <n>", "operations to replay (default 2000000; 50000 for large)", intArg(0))
    .addOption(new Option("--kind <kind>", "workload generator").choices(traceKinds).default("mixed"))
    .option("--seed <s>", "generator seed", intArg(0), 1);
  addHeapOptions(cmd)
    .option("--verify", "fill every object with its id's pattern, check it, check the heap's invariants")
    .action((flags: DemoFlags) => demo(flags));
}
