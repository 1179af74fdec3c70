// `gomalloc demo` (npm start) through main(argv) with a tiny --ops: the
// report's sections in 80 columns, figures consistent with the generated
// workload and with each other, every kind, backend, port and Go release,
// the progress bar without a terminal, and bad arguments.
import { generateTrace, traceStats } from "@gomalloc/trace";
import { describe, expect, test } from "vitest";
import { demoWorkloads } from "../src/commands/demo.js";
import { run } from "./run.js";

/** The three value columns (peak, end, after GC) of a MemStats row. */
function memStat(out: string, name: string): string[] {
  const line = out.split("\n").find((l) => l.startsWith(`  ${name} `));
  if (line === undefined) throw new Error(`no ${name} row in:\n${out}`);
  return line.trim().split(/ {2,}/).slice(2);
}

/** Parses the report's "1.5 MiB" / "1016 KiB" / "0 B" back to bytes (to the report's precision). */
function parseBytes(text: string): number {
  const m = /^([\d.]+) (B|KiB|MiB|GiB)$/.exec(text);
  if (m === null) throw new Error(`not a byte figure: ${text}`);
  return Number(m[1]) * 1024 ** ["B", "KiB", "MiB", "GiB"].indexOf(m[2]!);
}

describe("gomalloc demo", () => {
  test("replays a Go-shaped workload and reports throughput, MemStats, size classes, growth, scavenging", async () => {
    const r = await run("demo", "--ops", "20000", "--no-progress");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    for (const l of r.out.split("\n")) expect(l.length, l).toBeLessThanOrEqual(80);
    const t = traceStats(generateTrace({ kind: "mixed", ops: 20000, seed: 1, ...demoWorkloads.mixed }));
    expect(r.out).toContain("ArrayBuffer backend, js/wasm profile, Go 1.26:");
    expect(r.out).toContain(`20,000 ops: ${t.allocs.toLocaleString("en-US")} allocs`);
    expect(r.out).toMatch(/Throughput\n {2}20,000 ops in \d+\.\d\d s: [\d.]+ [kM]? ?ops\/s/);
    expect(r.out).toContain(`peak = op ${(t.peakLiveAt + 1).toLocaleString("en-US")}, where the most requested`);
    for (const name of ["HeapAlloc", "HeapInuse", "HeapIdle", "HeapReleased", "HeapSys", "Sys", "Mallocs", "Frees"]) {
      expect(memStat(r.out, name)).toHaveLength(3);
    }
    expect(memStat(r.out, "HeapObjects")[2]).toBe("0");
    expect(memStat(r.out, "HeapInuse")[2]).toBe("0 B");
    // After the final cycle and scavenge(0) the scavenger has given back most of the idle heap
    // (not the physical pages a P's page cache still touches).
    const [, relEnd, relAfter] = memStat(r.out, "HeapReleased").map(parseBytes);
    const idleAfter = parseBytes(memStat(r.out, "HeapIdle")[2]!);
    expect(relAfter).toBeGreaterThan(relEnd!);
    expect(relAfter).toBeGreaterThan(0.8 * idleAfter);
    expect(relAfter).toBeLessThanOrEqual(idleAfter);
    expect(r.out).toMatch(/Size classes in use at the peak \(op [\d,]+\): \d+ classes, \d+ spans/);
    expect(r.out).toMatch(/\n {2}all +[\d,]+ +[\d,]+ +[\d,]+ /);
    expect(r.out).toMatch(/Heap growth over the replay \(\* = the peak\)\n {2}op +live \(req\.\)/);
    expect(r.out).toMatch(/released during the replay: /);
    expect(r.out).toContain("ArrayBuffer length: ");
  });

  const kinds = ["small-churn", "mixed", "bulk", "large"];
  for (const kind of kinds) {
    test(`--kind ${kind}`, async () => {
      const r = await run("demo", "--kind", kind, "--ops", "3000", "--seed", "2", "--no-progress", "--verify");
      expect(r.code).toBe(0);
      expect(r.out).toContain(`generated: kind=${kind} ops=3000 seed=2`);
      expect(r.out).toContain("Verified: ");
    });
  }

  const heaps: [string[], RegExp][] = [
    [["--backend", "sab"], /SharedArrayBuffer backend, js\/wasm profile, Go 1\.26:\n.*512 KiB arenas/],
    [["--backend", "wasm"], /WebAssembly\.Memory backend, js\/wasm profile/],
    [["--pair", "linux/amd64"], /simulated backend, linux\/amd64 profile, Go 1\.26:\n.*64\.0 MiB arenas, 4\.0 KiB/],
    [["--backend", "simulated", "--pair", "windows/arm64"], /simulated backend, windows\/arm64 profile/],
    [["--go", "1.19"], /ArrayBuffer backend, js\/wasm profile, Go 1\.19:\n.*4\.0 MiB arenas/],
  ];
  for (const [args, heapLine] of heaps) {
    test(args.join(" "), async () => {
      const r = await run("demo", "--ops", "3000", "--no-progress", ...args);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(heapLine);
    });
  }

  test("the simulated backend says it decommits; flat ones give their buffer length", async () => {
    const sim = await run("demo", "--ops", "2000", "--no-progress", "--backend", "simulated");
    expect(sim.out).toContain("the simulated backend decommits released pages");
    const sab = await run("demo", "--ops", "2000", "--no-progress", "--backend", "sab");
    expect(sab.out).toContain("SharedArrayBuffer length: ");
  });

  test("prints a progress bar on stderr, as lines when stderr is not a terminal", async () => {
    const r = await run("demo", "--ops", "5000");
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/demo \[=+\] 100% \| 5000\/5000 ops/);
  });

  const bad: [string[], RegExp][] = [
    [["--ops", "-5"], /'--ops <n>' argument '-5' is invalid/],
    [["--kind", "tiny"], /Allowed choices are small-churn, mixed, bulk, large/],
    [["--backend", "disk"], /Allowed choices are arraybuffer, sab, wasm, simulated/],
    [["--go", "1.21"], /Allowed choices are 1\.19, 1\.26/],
    [["--backend", "wasm", "--pair", "linux/arm64"], /--pair linux\/arm64 needs --backend simulated/],
    [["--pair", "plan10/amd64"], /no port plan10\/amd64/],
  ];
  for (const [args, message] of bad) {
    test(`${args.join(" ")} → message and non-zero exit`, async () => {
      const r = await run("demo", "--ops", "100", "--no-progress", ...args);
      expect(r.code).not.toBe(0);
      expect(r.err).toMatch(message);
      expect(r.out).toBe("");
    });
  }
});
