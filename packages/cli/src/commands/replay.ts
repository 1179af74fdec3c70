/**
 * `gomalloc replay <trace|->`: replays an allocation trace (the text format
 * of @gomalloc/trace, from a file or stdin, e.g. piped from `gomalloc trace
 * gen`) on a gomalloc heap over the backend, GOOS/GOARCH and Go release the
 * flags choose, and prints the report of report.ts. `--verify` fills every
 * object with its id's pattern and checks it; `--profile` writes the heap
 * profile (gzipped pprof, as of the trace's peak) that `go tool pprof` opens,
 * its allocation sites named after the request-size bucket. See
 * packages/cli/README.md and docs/design.md.
 */
import { createReadStream, writeFileSync } from "node:fs";
import { type GoVersion, goVersions } from "@gomalloc/arch";
import { defaultMemProfileRate, writeHeapProfile } from "@gomalloc/profiling";
import { readTrace, type Trace } from "@gomalloc/trace";
import { type Command, InvalidArgumentError, Option } from "commander";
import { type BackendName, backendNames, makeHeap, runTrace } from "../heaprun.js";
import { formatReport } from "../report.js";

/** Flags of `gomalloc replay` as commander hands them over. */
export interface ReplayFlags {
  backend?: BackendName;
  pair?: string;
  go: GoVersion;
  verify?: boolean;
  profile?: string;
  profileRate?: number;
  progress: boolean;
}

/** Parses a safe integer ≥ min for commander. */
export function intArg(min: number) {
  return (value: string): number => {
    const v = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(v) || v < min) {
      throw new InvalidArgumentError(`want an integer ≥ ${min}`);
    }
    return v;
  };
}

/** The heap-selection options `demo` and `replay` share. */
export function addHeapOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option("--backend <backend>", "memory backend (default arraybuffer; simulated with --pair)").choices(
        backendNames,
      ),
    )
    .option("--pair <goos/goarch>", "simulated address space of this port (implies --backend simulated)")
    .addOption(
      new Option("--go <version>", "Go release whose constants and policies apply").choices(goVersions).default("1.26"),
    )
    .option("--no-progress", "no progress bar");
}

/** The backend the flags select: --pair alone means simulated. */
export function backendOf(flags: { backend?: BackendName; pair?: string }): BackendName {
  return flags.backend ?? (flags.pair !== undefined ? "simulated" : "arraybuffer");
}

async function load(file: string): Promise<Trace> {
  try {
    return await readTrace(file === "-" ? process.stdin : createReadStream(file));
  } catch (err) {
    if (err instanceof Error) err.message = `${file === "-" ? "stdin" : file}: ${err.message}`;
    throw err;
  }
}

function headerNote(t: Trace): string {
  if (t.header === undefined) return "";
  const params = Object.entries(t.header.params).map(([k, v]) => `${k}=${v}`);
  return `trace v${t.header.version} ${params.join(" ")}`.trim();
}

async function replayAction(file: string, flags: ReplayFlags): Promise<void> {
  if (flags.profileRate !== undefined && flags.profile === undefined) {
    throw new Error("--profile-rate needs --profile <file>");
  }
  const profileRate = flags.profile === undefined ? 0 : (flags.profileRate ?? defaultMemProfileRate);
  const trace = await load(file);
  const backend = backendOf(flags);
  const heap = makeHeap({ backend, pair: flags.pair, go: flags.go });
  const r = await runTrace(heap, trace, {
    verify: flags.verify === true,
    profileRate,
    progress: flags.progress,
    label: "replay",
  });
  let profile: { file: string; rate: number; records: ReturnType<typeof heap.profiler.memProfile> } | undefined;
  if (flags.profile !== undefined) {
    writeFileSync(flags.profile, await writeHeapProfile(heap.profiler));
    profile = { file: flags.profile, rate: profileRate, records: heap.profiler.memProfile(true) };
  }
  const name = file === "-" ? "stdin" : file;
  process.stdout.write(formatReport(r, { title: `gomalloc replay · ${name}`, traceNote: headerNote(trace), profile }));
}

/** Registers `gomalloc replay`. */
export function registerReplay(program: Command): void {
  const cmd = program
    .command("replay")
    .description("replay an allocation trace ('-' for stdin) on a gomalloc heap and print the report")
    .argument("<trace>", "trace file (a id size / f id / r id size), or - for stdin");
  addHeapOptions(cmd)
    .option("--verify", "fill every object with its id's pattern, check it, check the heap's invariants")
    .option("--profile <file>", "write the heap profile (gzipped pprof, as of the peak) to this file")
    .option("--profile-rate <bytes>", `MemProfileRate for --profile (default ${defaultMemProfileRate})`, intArg(1))
    .action((file: string, flags: ReplayFlags) => replayAction(file, flags));
}
