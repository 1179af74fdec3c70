/**
 * `gomalloc constants`: the allocator constants of a Go version and
 * GOOS/GOARCH, computed by @gomalloc/arch, as a readable table or as JSON in
 * the conformance fixture format (`{"linux/amd64": {"heapAddrBits": 48, ...}}`).
 * `--all` covers every pair of `go tool dist list` at once. See docs/design.md,
 * "Layers".
 */
import {
  allProfiles,
  type ConstantValue,
  constantInfoOf,
  getConstant,
  getProfile,
  go126Aliases,
  type Profile,
  parseGoVersion,
  profileEntries,
  profileToJSON,
} from "@gomalloc/arch";
import { type Command, CommanderError } from "commander";

/** Writes `gomalloc <command>: <message>` to stderr and stops with exit code 2 (a usage error). */
export function usageError(command: string, message: string): never {
  process.stderr.write(`gomalloc ${command}: ${message}\n`);
  throw new CommanderError(2, "gomalloc.usage", message);
}

/** Runs `f`, turning a typed error of the libraries (they all carry `_tag`) into a usage error. */
export function orUsageError<T>(command: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof Error && "_tag" in e) usageError(command, e.message);
    throw e;
  }
}

/** A constant's value for people: bigints also in hex, arrays as lists. */
export function showConstant(v: ConstantValue): string {
  if (typeof v === "bigint") return `0x${v.toString(16)} (${v})`;
  if (Array.isArray(v)) return `[${v.join(", ")}]`;
  return String(v);
}

function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) {
    for (let i = 0; i < r.length; i++) widths[i] = Math.max(widths[i] ?? 0, (r[i] as string).length);
  }
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join("  ")).join("\n");
}

function onePair(p: Profile): string {
  const rows: string[][] = [["constant", "value", "declared in"]];
  for (const [name, v] of profileEntries(p)) {
    rows.push([name, showConstant(v), constantInfoOf(p.goVersion, name)?.goFiles.join(", ") ?? ""]);
  }
  const out = [
    `Go ${p.goVersion} ${p.pair}: ${rows.length - 1} constants, named as Go names them`,
    "",
    table(rows),
    "",
  ];
  if (p.goVersion === "1.26") {
    const pairs = Object.entries(go126Aliases).map(([old, now]) => `${old} = ${now}`);
    out.push(`Go 1.19 names, also fields of this profile: ${pairs.join(", ")}`);
  }
  out.push(
    `arenaBaseOffsetAdd = ${p.arenaBaseOffsetAdd}: add it to an address before dividing by heapArenaBytes (Go's arenaIndex)`,
  );
  return `${out.join("\n")}\n`;
}

function manyPairs(version: string, profiles: readonly Profile[]): string {
  const first = profiles[0] as Profile;
  const rows: string[][] = [["constant", "value", "pairs"]];
  for (const [name] of profileEntries(first)) {
    const groups = new Map<string, string[]>();
    for (const p of profiles) {
      const key = showConstant(getConstant(p, name));
      const list = groups.get(key) ?? [];
      list.push(p.pair);
      groups.set(key, list);
    }
    const sorted = [...groups].sort((a, b) => b[1].length - a[1].length);
    sorted.forEach(([value, pairs], i) => {
      const which =
        sorted.length === 1 ? "all" : i === 0 && pairs.length > 3 ? `the rest (${pairs.length})` : pairs.join(" ");
      rows.push([i === 0 ? name : "", value, which]);
    });
  }
  const head = `Go ${version}: ${profiles.length} pairs, ${profileEntries(first).length} constants; the most common value first, then the pairs that differ`;
  return `${head}\n\n${table(rows)}\n`;
}

interface ConstantsOptions {
  go: string;
  goos?: string;
  goarch?: string;
  all?: boolean;
  json?: boolean;
}

/** Adds `gomalloc constants` to the program. */
export function registerConstants(program: Command): void {
  program
    .command("constants")
    .description("print Go's allocator constants for a Go version and GOOS/GOARCH (computed with Go's formulas)")
    .option("--go <version>", "Go version: 1.19 or 1.26", "1.26")
    .option("--goos <goos>", "GOOS (default linux; with --all, only this GOOS)")
    .option("--goarch <goarch>", "GOARCH (default amd64; with --all, only this GOARCH)")
    .option("--all", "every pair that `go tool dist list` prints for that version")
    .option("--json", 'JSON in the fixture format: {"goos/goarch": {"name": value}}, big integers as decimal strings')
    .action((opts: ConstantsOptions) => {
      const version = orUsageError("constants", () => parseGoVersion(opts.go));
      let profiles: readonly Profile[];
      if (opts.all) {
        profiles = allProfiles(version).filter(
          (p) =>
            (opts.goos === undefined || p.goos === opts.goos) &&
            (opts.goarch === undefined || p.goarch === opts.goarch),
        );
        if (profiles.length === 0) {
          usageError("constants", `Go ${version} has no pair matching ${opts.goos ?? "*"}/${opts.goarch ?? "*"}`);
        }
      } else {
        profiles = [orUsageError("constants", () => getProfile(version, opts.goos ?? "linux", opts.goarch ?? "amd64"))];
      }
      if (opts.json) {
        const out: Record<string, unknown> = {};
        for (const p of profiles) out[p.pair] = profileToJSON(p);
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      } else if (opts.all) {
        process.stdout.write(manyPairs(version, profiles));
      } else {
        process.stdout.write(onePair(profiles[0] as Profile));
      }
    });
}
