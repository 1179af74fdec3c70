// `gomalloc replay --profile`: the written file opens in `go tool pprof`
// (Go at /usr/local/go/bin/go, or GO_BIN), its entries are named after the
// allocation sites (request-size buckets), and its in-use figures are the
// live bytes at the trace's peak: exact at --profile-rate 1, and at a real
// sampling rate unsampled (scaled) to within statistical error of the truth,
// which the raw samples are orders of magnitude below. Without Go the tests
// skip, except under CI=true, where they fail.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SizeClasses } from "@gomalloc/sizeclass";
import { formatTrace, generateTrace, type Trace, traceStats } from "@gomalloc/trace";
import { afterAll, describe, expect, test } from "vitest";
import { run } from "./run.js";

const goBin = process.env.GO_BIN ?? "/usr/local/go/bin/go";
const haveGo = existsSync(goBin);
const ci = process.env.CI === "true";

const dir = mkdtempSync(join(tmpdir(), "gomalloc-profile-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `go tool pprof -top` rows of one sample type, in bytes: function name → flat. */
function pprofTop(profile: string, sampleIndex: string): Map<string, number> {
  const args = ["tool", "pprof", "-top", "-unit=B", "-nodefraction=0", `-sample_index=${sampleIndex}`, profile];
  const out = execFileSync(goBin, args, { encoding: "utf8", env: { ...process.env, PPROF_TMPDIR: dir } });
  const rows = new Map<string, number>();
  for (const line of out.split("\n")) {
    const m = /^\s*(\d+)B?\s+\S+%\s+\S+%\s+\d+B?\s+\S+%\s+(.+)$/.exec(line);
    if (m !== null && Number(m[1]) > 0) rows.set(m[2]!.trim(), Number(m[1]));
  }
  if (rows.size === 0 && !/accounting for 0/.test(out)) throw new Error(`no rows parsed from:\n${out}`);
  return rows;
}

/** The site name of a request, computed here from its size alone: `malloc lo..hiB` over powers of two. */
function expectedSite(size: number): string {
  if (size <= 2) return `malloc ${size}B`;
  const k = Math.ceil(Math.log2(size));
  return `malloc ${2 ** (k - 1) + 1}..${2 ** k}B`;
}

/** The bytes the heap gives a request: tiny block, size class or whole pages. */
function slotBytes(size: number): number {
  const sc = SizeClasses.defaults;
  if (size < 16) return 16;
  if (size <= sc.maxSmallSize) return sc.class_to_size[sc.sizeToClass(size)]!;
  return Math.ceil(size / 8192) * 8192;
}

/** Live slot bytes per site at the trace's peak (the state the profile describes). */
function liveAtPeak(t: Trace): Map<string, number> {
  const peak = traceStats(t).peakLiveAt;
  const live = new Map<number, number>();
  for (let i = 0; i <= peak; i++) {
    if (t.op[i] === 0) live.set(t.id[i]!, t.size[i]!);
    else live.delete(t.id[i]!);
  }
  const bySite = new Map<string, number>();
  for (const size of live.values()) {
    if (size === 0) continue;
    const s = expectedSite(size);
    bySite.set(s, (bySite.get(s) ?? 0) + slotBytes(size));
  }
  return bySite;
}

const sum = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);

describe("gomalloc replay --profile opens in go tool pprof", () => {
  test("Go is available (required under CI=true)", () => {
    if (!haveGo && !ci) {
      console.warn(`${goBin} not found: the pprof tests below are skipped (set GO_BIN)`);
      return;
    }
    expect(haveGo, `${goBin} must exist when CI=true`).toBe(true);
  });

  // Go samples a tiny allocation only when it starts a new 16-byte block, so the
  // exact comparison uses requests of 16 bytes and more (small and large).
  const exact = generateTrace({ kind: "small-churn", ops: 6000, seed: 4, live: 300, minSize: 16, maxSize: 70_000 });
  const exactFile = join(dir, "exact.trace");
  writeFileSync(exactFile, formatTrace(exact));
  const trace = generateTrace({ kind: "mixed", ops: 8000, seed: 11, meanLifetime: 3000 });
  const file = join(dir, "mixed.trace");
  writeFileSync(file, formatTrace(trace));
  const truth = liveAtPeak(trace);

  test.skipIf(!haveGo && !ci)("--profile-rate 1: entries named after the sites, in-use bytes exact", async () => {
    const out = join(dir, "every.pb.gz");
    const r = await run("replay", exactFile, "--no-progress", "--profile", out, "--profile-rate", "1");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Heap profile: ${out} (MemProfileRate 1, as of the peak)`);
    expect(r.out).toContain(`go tool pprof -top ${out}`);
    const want = liveAtPeak(exact);
    expect(pprofTop(out, "inuse_space")).toEqual(want);
    expect(want.size).toBeGreaterThanOrEqual(8);
    expect([...want.keys()].some((k) => k.startsWith("malloc 32769..65536B"))).toBe(true);
  });

  test.skipIf(!haveGo && !ci)("--profile-rate 16384: in-use figures scaled up to the live bytes", async () => {
    const out = join(dir, "sampled.pb.gz");
    const r = await run("replay", file, "--no-progress", "--profile", out, "--profile-rate", "16384");
    expect(r.code).toBe(0);
    const sampled = Number(/ {2}([\d,]+) sampled allocations/.exec(r.out)![1]!.replaceAll(",", ""));
    expect(sampled).toBeGreaterThan(10);
    expect(sampled).toBeLessThan(traceStats(trace).allocs / 20);
    const top = pprofTop(out, "inuse_space");
    const total = sum(top);
    const exact = sum(truth);
    // Unbiased estimate of the live bytes: within 30% here (fixed seed: the same samples every run).
    expect(Math.abs(total - exact) / exact).toBeLessThan(0.3);
    // Every entry is a site that really holds memory at the peak.
    for (const name of top.keys()) expect(truth.has(name), name).toBe(true);
    // Raw samples would be about exact × (average object size / rate): the figures are scaled.
    const objects = pprofTop(out, "inuse_objects");
    const liveObjects = traceStats(trace).peakLiveObjects;
    expect(sum(objects)).toBeGreaterThan(liveObjects / 3);
    expect(sum(objects)).toBeLessThan(liveObjects * 3);
  });

  test.skipIf(!haveGo && !ci)("the default rate (512 KiB) writes a profile pprof opens", async () => {
    const out = join(dir, "default.pb.gz");
    const r = await run("replay", file, "--no-progress", "--profile", out);
    expect(r.code).toBe(0);
    expect(r.out).toContain("(MemProfileRate 524,288, as of the peak)");
    const top = pprofTop(out, "alloc_space");
    for (const name of top.keys()) expect(name).toMatch(/^malloc \d+(\.\.\d+)?B$/);
  });
});
