/**
 * `gomalloc trace gen` and `gomalloc trace stats`: make seeded synthetic
 * allocation traces and summarise trace files, through @gomalloc/trace. The
 * format and the generators are described in packages/trace/README.md; see
 * also docs/design.md.
 */
import { closeSync, createReadStream, openSync, writeSync } from "node:fs";
import {
  type GenerateOptions,
  generateTrace,
  readTrace,
  type TraceStats,
  traceChunks,
  traceKinds,
  traceStats,
} from "@gomalloc/trace";
import { type Command, InvalidArgumentError, Option } from "commander";
import { binaryUnits, count } from "../report.js";

function intArg(min: number) {
  return (value: string): number => {
    const v = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(v) || v < min) {
      throw new InvalidArgumentError(`want an integer ≥ ${min}`);
    }
    return v;
  };
}

function numArg(value: string): number {
  const v = Number(value);
  if (value.trim() === "" || !Number.isFinite(v)) throw new InvalidArgumentError("want a number");
  return v;
}

/** What commander hands the `gen` action: the generator options plus `--out`. */
type GenFlags = GenerateOptions & { out?: string };

/** Writes a string to a file descriptor completely. */
function writeAll(fd: number, s: string): void {
  const buf = Buffer.from(s, "utf8");
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off);
}

function gen(flags: GenFlags): void {
  const { out, ...rest } = flags;
  const trace = generateTrace(rest);
  if (out === undefined) {
    for (const chunk of traceChunks(trace)) process.stdout.write(chunk);
    return;
  }
  const fd = openSync(out, "w");
  try {
    for (const chunk of traceChunks(trace)) writeAll(fd, chunk);
  } finally {
    closeSync(fd);
  }
  process.stderr.write(`wrote ${trace.length} ops to ${out}\n`);
}

const group = count;

function bytesText(n: number): string {
  const [v, unit] = binaryUnits(n);
  return unit === "B" ? `${group(n)} B` : `${group(n)} B (${v.toFixed(1)} ${unit})`;
}

/** Formats {@link TraceStats} as the text `trace stats` prints. */
export function formatTraceStats(name: string, header: string, s: TraceStats): string {
  const lines = [
    `trace      ${name}${header === "" ? "" : `  [${header}]`}`,
    `ops        ${group(s.ops)}  (alloc ${group(s.allocs)}, free ${group(s.frees)}, realloc ${group(s.reallocs)})`,
    `requested  ${bytesText(s.allocBytes)} by allocs, ${bytesText(s.reallocBytes)} by reallocs`,
    `live       ${group(s.liveObjects)} objects, ${bytesText(s.liveBytes)} at the end`,
    `peak live  ${bytesText(s.peakLiveBytes)} (first at op ${group(s.peakLiveAt)}); ${group(s.peakLiveObjects)} objects at most`,
    `max size   ${bytesText(s.maxSize)}`,
    "",
    "size histogram (allocs and reallocs):",
    `  ${"size".padEnd(24)}${"count".padStart(12)}${"%".padStart(7)}${"bytes".padStart(16)}`,
  ];
  const total = s.allocs + s.reallocs;
  const widest = Math.max(1, ...s.histogram.map((h) => h.count));
  for (const h of s.histogram) {
    const range = h.min === h.max ? `${group(h.min)}` : `${group(h.min)}..${group(h.max)}`;
    const pct = total === 0 ? 0 : (100 * h.count) / total;
    const bar = "#".repeat(Math.max(1, Math.round((30 * h.count) / widest)));
    lines.push(
      `  ${range.padEnd(24)}${group(h.count).padStart(12)}${pct.toFixed(1).padStart(7)}${group(h.bytes).padStart(16)}  ${bar}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

async function stats(file: string, flags: { json?: boolean }): Promise<void> {
  const source = file === "-" ? process.stdin : createReadStream(file);
  let trace: Awaited<ReturnType<typeof readTrace>>;
  try {
    trace = await readTrace(source);
  } catch (err) {
    if (err instanceof Error) err.message = `${file}: ${err.message}`;
    throw err;
  }
  const s = traceStats(trace);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ file, header: trace.header ?? null, ...s }, null, 2)}\n`);
    return;
  }
  const header =
    trace.header === undefined
      ? ""
      : `v${trace.header.version} ${Object.entries(trace.header.params)
          .map(([k, v]) => `${k}=${v}`)
          .join(" ")}`.trim();
  process.stdout.write(formatTraceStats(file, header, s));
}

/** Adds `trace gen` and `trace stats` to the program. */
export function registerTrace(program: Command): void {
  const trace = program
    .command("trace")
    .description("make and inspect allocation traces (a id size / f id / r id size)");
  trace
    .command("gen")
    .description("write a seeded synthetic trace (stdout unless --out)")
    .addOption(new Option("--kind <kind>", "generator").choices(traceKinds).makeOptionMandatory())
    .requiredOption("--ops <n>", "exact number of operations", intArg(0))
    .requiredOption("--seed <s>", "seed (a safe integer ≥ 0)", intArg(0))
    .option("--out <file>", "write to this file instead of stdout")
    .option("--live <n>", "small-churn, large: live objects in steady state", intArg(1))
    .option("--min-size <bytes>", "small-churn, large: smallest size", intArg(0))
    .option("--max-size <bytes>", "largest size", intArg(0))
    .option("--realloc-rate <p>", "small-churn, mixed, large: chance a step resizes instead", numArg)
    .option("--mean-lifetime <allocs>", "mixed: mean object lifetime in allocations", numArg)
    .option("--batch <n>", "bulk: objects per batch (0 = one batch)", intArg(0))
    .addOption(new Option("--order <order>", "bulk: free order").choices(["random", "fifo", "lifo"]))
    .action((flags: GenFlags) => gen(flags));
  trace
    .command("stats")
    .description("summarise a trace file ('-' for stdin): op counts, live and peak bytes, size histogram")
    .argument("<file>", "trace file")
    .option("--json", "print the figures as JSON")
    .action((file: string, flags: { json?: boolean }) => stats(file, flags));
}
