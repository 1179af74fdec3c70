/**
 * `gomalloc sizeclasses`: runs the port of Go's size-class generator
 * (@gomalloc/sizeclass) with Go's parameters or others, and prints the result
 * as Go's sizeclasses.go (byte for byte, for the chosen Go version), JSON, or
 * a readable table. Parameters Go's generator refuses, or whose table Go's
 * runtime could not use, end with the reason and exit code 1.
 */
import {
  emitGo,
  emitJSON,
  emitTable,
  type GoVersion,
  goVersions,
  MkSizeClassesError,
  mksizeclasses,
  type SizeClassParams,
  SizeClassParamsError,
} from "@gomalloc/sizeclass";
import { type Command, InvalidArgumentError, Option } from "commander";

type Format = "go" | "json" | "table";

interface Options {
  go: GoVersion;
  format: Format;
  pageShift?: number;
  maxSmallSize?: number;
  smallSizeDiv?: number;
  smallSizeMax?: number;
  largeSizeDiv?: number;
  minHeapAlign?: number;
  tinySize?: number;
  smallScanNoHeaderMax?: number;
  numSizeClasses?: number | "any";
}

/** Generator parameters as flags: [flag, option key, help]. */
const numericFlags: [string, keyof SizeClassParams, string][] = [
  ["--page-shift <n>", "pageShift", "log2 of the page size (Go: 13)"],
  ["--max-small-size <n>", "maxSmallSize", "largest small-object size (Go: 32768)"],
  ["--small-size-div <n>", "smallSizeDiv", "granule of size_to_class8 (Go: 8)"],
  ["--small-size-max <n>", "smallSizeMax", "last size size_to_class8 covers (Go: 1024)"],
  ["--large-size-div <n>", "largeSizeDiv", "granule of size_to_class128 (Go: 128)"],
  ["--min-heap-align <n>", "minHeapAlign", "first alignment step (Go: 8)"],
  ["--tiny-size <n>", "tinySize", "tiny allocator block size (Go: 16)"],
  ["--small-scan-no-header-max <n>", "smallScanNoHeaderMax", "Go 1.26's mkmalloc size→class map limit (Go: 512)"],
];

const flagOf = new Map<string, string>([
  ...numericFlags.map(([flag, key]) => [key, flag.split(" ")[0]!] as [string, string]),
  ["expectNumSizeClasses", "--num-size-classes"],
  ["goVersion", "--go"],
]);

function nonNegativeInt(value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError("Not a non-negative integer.");
  }
  return Number(value);
}

function classCount(value: string): number | "any" {
  return value === "any" ? "any" : nonNegativeInt(value);
}

/** Registers `gomalloc sizeclasses` on `program`. */
export function registerSizeclasses(program: Command): void {
  const cmd = program
    .command("sizeclasses")
    .description(
      "Run Go's size-class generator (mksizeclasses) and print its tables: as Go's sizeclasses.go, JSON or a readable table",
    )
    .addOption(
      new Option("--go <version>", "Go version: generator and output format").choices(goVersions).default("1.26"),
    )
    .addOption(new Option("--format <format>", "output format").choices(["go", "json", "table"]).default("table"));
  for (const [flag, , help] of numericFlags) cmd.option(flag, help, nonNegativeInt);
  cmd
    .option(
      "--num-size-classes <n|any>",
      "the class count Go's generator insists on (Go: 68); 'any' drops the check",
      classCount,
    )
    .addHelpText(
      "after",
      "\nExamples:\n  gomalloc sizeclasses --go 1.19 --format go   # Go 1.19's src/runtime/sizeclasses.go, byte for byte\n" +
        "  gomalloc sizeclasses --page-shift 14 --num-size-classes any --format json",
    )
    .action((opts: Options, command: Command) => {
      const params: Partial<SizeClassParams> = { goVersion: opts.go };
      const writable = params as Record<string, unknown>;
      for (const [, key] of numericFlags)
        if (opts[key as keyof Options] !== undefined) writable[key] = opts[key as keyof Options];
      if (opts.numSizeClasses !== undefined) {
        writable.expectNumSizeClasses = opts.numSizeClasses === "any" ? null : opts.numSizeClasses;
      }
      let table: ReturnType<typeof mksizeclasses>;
      try {
        table = mksizeclasses(params);
      } catch (e) {
        if (e instanceof SizeClassParamsError) {
          command.error(`error: option '${flagOf.get(e.param) ?? e.param}': ${e.message.replace(/^sizeclass: /, "")}`);
        }
        if (e instanceof MkSizeClassesError && e.numSizeClasses !== undefined) {
          throw new Error(
            `Go ${e.goVersion}'s mksizeclasses panics: ${e.goReason}: these parameters make ${e.numSizeClasses} ` +
              `size classes, Go's generator insists on ${params.expectNumSizeClasses ?? 68}. ` +
              `Pass --num-size-classes ${e.numSizeClasses} (or any) to accept them.`,
          );
        }
        throw e;
      }
      const text = opts.format === "go" ? emitGo(table) : opts.format === "json" ? emitJSON(table) : emitTable(table);
      process.stdout.write(text);
    });
}
