// `gomalloc replay` through main(argv): every backend, GOOS/GOARCH and Go
// release, stdin and the `trace gen | replay -` pipe, --verify (and that it
// catches a heap that damages objects), figures that match the trace, the
// 80-column report, and bad arguments / malformed traces answered with a
// message and a non-zero exit.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { formatTrace, generateTrace, PatternMismatch, parseTrace, traceStats } from "@gomalloc/trace";
import { afterAll, describe, expect, test, vi } from "vitest";
import { makeHeap, runTrace } from "../src/heaprun.js";
import { run } from "./run.js";

const dir = mkdtempSync(join(tmpdir(), "gomalloc-replay-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const trace = generateTrace({ kind: "mixed", ops: 6000, seed: 5, meanLifetime: 800, reallocRate: 0.05 });
const file = join(dir, "mixed.trace");
writeFileSync(file, formatTrace(trace));
const stats = traceStats(trace);

/** The three value columns of a MemStats row of the report. */
function memStat(out: string, name: string): string[] {
  const line = out.split("\n").find((l) => l.startsWith(`  ${name} `));
  if (line === undefined) throw new Error(`no ${name} row in:\n${out}`);
  return line.trim().split(/ {2,}/).slice(2);
}

/** Runs `gomalloc ...argv` with `input` as stdin. */
async function runWithStdin(input: string, ...argv: string[]) {
  const spy = vi.spyOn(process, "stdin", "get").mockReturnValue(Readable.from([input]) as typeof process.stdin);
  try {
    return await run(...argv);
  } finally {
    spy.mockRestore();
  }
}

function expectReport(out: string): void {
  for (const l of out.split("\n")) expect(l.length, l).toBeLessThanOrEqual(80);
  for (const section of ["Throughput", "MemStats", "Size classes in use", "Heap growth", "Scavenger"]) {
    expect(out).toContain(section);
  }
}

describe("gomalloc replay", () => {
  const setups: [string, string[], RegExp][] = [
    ["arraybuffer", ["--backend", "arraybuffer"], /ArrayBuffer backend, js\/wasm profile, Go 1\.26/],
    ["sab", ["--backend", "sab"], /SharedArrayBuffer backend, js\/wasm profile, Go 1\.26/],
    ["wasm", ["--backend", "wasm"], /WebAssembly\.Memory backend, js\/wasm profile, Go 1\.26/],
    ["simulated", ["--backend", "simulated"], /simulated backend, linux\/amd64 profile, Go 1\.26/],
    ["--pair linux/386 --go 1.19", ["--pair", "linux/386", "--go", "1.19"], /simulated backend, linux\/386.*Go 1\.19/],
    ["arraybuffer --go 1.19", ["--go", "1.19"], /ArrayBuffer backend, js\/wasm profile, Go 1\.19/],
  ];
  for (const [name, args, heapLine] of setups) {
    test(`${name}: verified replay, figures that match the trace`, async () => {
      const r = await run("replay", file, "--verify", "--no-progress", ...args);
      expect(r.err).toBe("");
      expect(r.code).toBe(0);
      expect(r.out).toMatch(heapLine);
      expectReport(r.out);
      expect(r.out).toContain(
        `${stats.ops.toLocaleString("en-US")} ops: ${stats.allocs.toLocaleString("en-US")} allocs`,
      );
      expect(r.out).toContain("Verified: ");
      // Every alloc but the zero-sized ones is one of Mallocs (a realloc that moves adds one);
      // after the final free cycle every object is freed and nothing is in use.
      const zeroSized = [...trace.size].filter((n, i) => n === 0 && trace.op[i] === 0).length;
      const mallocs = Number(memStat(r.out, "Mallocs")[2]!.replaceAll(",", ""));
      expect(mallocs).toBeGreaterThanOrEqual(stats.allocs - zeroSized);
      expect(mallocs).toBeLessThanOrEqual(stats.allocs + stats.reallocs);
      expect(memStat(r.out, "Frees")[2]).toBe(memStat(r.out, "Mallocs")[2]);
      expect(memStat(r.out, "HeapAlloc")[2]).toBe("0 B");
      expect(memStat(r.out, "HeapObjects")[2]).toBe("0");
      expect(memStat(r.out, "HeapInuse")[2]).toBe("0 B");
    });
  }

  test("reads '-' from stdin, and `trace gen | replay -` works", async () => {
    const gen = await run("trace", "gen", "--kind", "bulk", "--ops", "3000", "--seed", "9", "--batch", "500");
    expect(gen.code).toBe(0);
    const r = await runWithStdin(gen.out, "replay", "-", "--no-progress");
    expect(r.code).toBe(0);
    expect(r.out).toContain("gomalloc replay · stdin");
    expect(r.out).toContain("3,000 ops: 1,500 allocs, 1,500 frees, 0 reallocs");
    expect(r.out).toContain("trace v1 kind=bulk ops=3000 seed=9");
    expectReport(r.out);
  });

  test("shows a progress bar on stderr when not told otherwise (lines, without a terminal)", async () => {
    const r = await run("replay", file);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/replay \[=+\] 100% \| 6000\/6000 ops/);
  });

  const bad: [string, string[], RegExp][] = [
    ["no trace argument", [], /missing required argument 'trace'/],
    ["a missing file", [join(dir, "none.trace")], /none\.trace: ENOENT/],
    ["an unknown backend", [file, "--backend", "mmap"], /Allowed choices are arraybuffer, sab, wasm, simulated/],
    ["an unknown Go release", [file, "--go", "1.20"], /Allowed choices are 1\.19, 1\.26/],
    ["--pair on a flat backend", [file, "--backend", "sab", "--pair", "linux/amd64"], /needs --backend simulated/],
    ["an unknown port", [file, "--pair", "linux/vax"], /Go 1\.26 has no port linux\/vax/],
    ["a port whose addresses exceed 2^53", [file, "--pair", "aix/ppc64"], /exceed 2\^53/],
    ["--profile-rate without --profile", [file, "--profile-rate", "64"], /--profile-rate needs --profile/],
    ["--profile-rate 0", [file, "--profile", join(dir, "p.pb.gz"), "--profile-rate", "0"], /want an integer ≥ 1/],
  ];
  for (const [name, args, message] of bad) {
    test(`${name} → message and non-zero exit`, async () => {
      const r = await run("replay", "--no-progress", ...args);
      expect(r.code).not.toBe(0);
      expect(r.err).toMatch(message);
      expect(r.out).toBe("");
    });
  }

  const malformed: [string, string, RegExp][] = [
    ["a double free", "a 1 10\nf 1\nf 1\n", /line 3: already-freed/],
    ["a free of an unknown id", "a 1 10\nf 2\n", /line 2: unknown-id/],
    ["an unknown operation", "a 1 10\nx 1\n", /line 2: /],
    ["a size that is not a number", "a 1 ten\n", /line 1: /],
  ];
  for (const [name, text, message] of malformed) {
    test(`a trace with ${name} → the file and line, non-zero exit`, async () => {
      const f = join(dir, "bad.trace");
      writeFileSync(f, text);
      const r = await run("replay", f, "--no-progress");
      expect(r.code).toBe(1);
      expect(r.err).toContain(`gomalloc: ${f}: `);
      expect(r.err).toMatch(message);
      expect(r.out).toBe("");
      const s = await runWithStdin(text, "replay", "-", "--no-progress");
      expect(s.code).toBe(1);
      expect(s.err).toMatch(/gomalloc: stdin: line \d+: /);
    });
  }

  test("a trace larger than the heap's address space → out of memory named with its operation", async () => {
    const f = join(dir, "huge.trace");
    writeFileSync(f, "a 1 1000\na 2 3000000000\n");
    const r = await run("replay", f, "--no-progress");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/gomalloc: op 1 \(id 2, 3000000000 bytes\): .*out of memory/);
  });

  test("a size over the profile's maxAlloc → the heap's BadSizeError named with its operation", async () => {
    const f = join(dir, "over-max.trace");
    writeFileSync(f, "a 1 1000\na 2 999999999999999\n");
    const r = await run("replay", f, "--no-progress");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/gomalloc: op 1 \(id 2, 999999999999999 bytes\): malloc: bad size .*over maxAlloc/);
  });
});

describe("--verify", () => {
  test("catches a heap that damages a live object (PatternMismatch)", async () => {
    const heap = makeHeap({ backend: "arraybuffer", go: "1.26" });
    const malloc = heap.malloc.bind(heap);
    let last = 0;
    // A broken heap: each allocation also scribbles over the object handed out before it.
    heap.malloc = (size: number) => {
      const p = malloc(size);
      if (last > heap.zerobase && size >= 16) heap.u8[last] = heap.u8[last]! ^ 0xff;
      last = p;
      return p;
    };
    const t = generateTrace({ kind: "small-churn", ops: 2000, seed: 1, minSize: 16 });
    await expect(runTrace(heap, t, { verify: true, profileRate: 0, progress: false, label: "t" })).rejects.toThrow(
      PatternMismatch,
    );
  });

  // Two 3 MB objects on js/wasm (4 MiB arenas, each reserved on its own) or two 50 MB
  // ones on linux/amd64 (64 MiB arenas): the second object straddles two arenas, which
  // the simulated backend cannot view in one piece.
  for (const [pair, size] of [
    ["js/wasm", 3_000_000],
    ["linux/amd64", 50_000_000],
  ] as const) {
    test(`on the simulated ${pair}, an object straddling two arenas is filled and checked through copies`, async () => {
      const f = join(dir, `straddle-${pair.replace("/", "-")}.trace`);
      writeFileSync(f, `a 1 ${size}\na 2 ${size}\nr 1 ${size + 1000}\nf 2\nf 1\n`);
      const r = await run("replay", f, "--pair", pair, "--verify", "--no-progress");
      expect(r.err).toBe("");
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/verified/i);
    });
  }

  test("on the simulated backend, damage to an object that straddles two arenas is still caught", async () => {
    const heap = makeHeap({ backend: "simulated", pair: "js/wasm", go: "1.26" });
    const malloc = heap.malloc.bind(heap);
    let last = 0;
    // A broken heap: each allocation also scribbles on the last byte of the object handed out before it.
    heap.malloc = (size: number) => {
      const p = malloc(size);
      if (last > 0) {
        const b = new Uint8Array(1);
        heap.read(last + 2_999_999, b);
        b[0] = b[0]! ^ 0xff;
        heap.write(last + 2_999_999, b);
      }
      last = size === 3_000_000 ? p : 0;
      return p;
    };
    // Object 2 straddles two arenas; the allocation of object 3 damages its tail, which free 2 must see.
    const t = parseTrace("a 1 3000000\na 2 3000000\na 3 16\nf 2\nf 1\nf 3\n");
    const opts = { verify: true, profileRate: 0, progress: false, label: "t" };
    const err = await runTrace(heap, t, opts).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PatternMismatch);
    expect((err as PatternMismatch).id).toBe(2);
  });

  test("without it the same broken heap goes unnoticed (the check is what catches it)", async () => {
    const heap = makeHeap({ backend: "arraybuffer", go: "1.26" });
    const malloc = heap.malloc.bind(heap);
    heap.malloc = (size: number) => malloc(size);
    const t = generateTrace({ kind: "small-churn", ops: 2000, seed: 1, minSize: 16 });
    const r = await runTrace(heap, t, { verify: false, profileRate: 0, progress: false, label: "t" });
    expect(r.ops).toBe(2000);
    expect(r.verified).toBe(0);
  });
});
