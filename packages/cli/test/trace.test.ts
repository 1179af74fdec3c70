import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "@gomalloc/cli";
import { formatTrace, generateTrace, parseTrace, traceStats } from "@gomalloc/trace";
import { afterAll, describe, expect, test, vi } from "vitest";

/** Runs `gomalloc ...argv` and captures what it prints. */
async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const o = vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
  const e = vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => {
    err += String(s);
    return true;
  });
  try {
    const code = await main(argv);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

const dir = mkdtempSync(join(tmpdir(), "gomalloc-trace-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("gomalloc trace gen", () => {
  test("writes the generated trace to stdout, byte for byte what the library formats", async () => {
    const r = await run("trace", "gen", "--kind", "mixed", "--ops", "2000", "--seed", "7");
    expect(r.code).toBe(0);
    expect(r.out).toBe(formatTrace(generateTrace({ kind: "mixed", ops: 2000, seed: 7 })));
  });

  test("passes generator parameters through and records them in the header", async () => {
    const r = await run(
      ...["trace", "gen", "--kind", "small-churn", "--ops", "100", "--seed", "1"],
      ...["--live", "5", "--min-size", "10", "--max-size", "12", "--realloc-rate", "0.25"],
    );
    expect(r.code).toBe(0);
    const t = parseTrace(r.out);
    expect(t.header!.params).toEqual({
      kind: "small-churn",
      ops: "100",
      seed: "1",
      live: "5",
      minSize: "10",
      maxSize: "12",
      reallocRate: "0.25",
    });
    expect(traceStats(t).peakLiveObjects).toBe(5);
    const bulk = parseTrace(
      (await run("trace", "gen", "--kind", "bulk", "--ops", "40", "--seed", "2", "--batch", "4", "--order", "lifo"))
        .out,
    );
    expect(bulk.header!.params).toMatchObject({ batch: "4", order: "lifo" });
    const mixed = parseTrace(
      (await run("trace", "gen", "--kind", "mixed", "--ops", "40", "--seed", "2", "--mean-lifetime", "3")).out,
    );
    expect(mixed.header!.params).toMatchObject({ meanLifetime: "3" });
  });

  test("--out writes a file and says so on stderr", async () => {
    const file = join(dir, "large.trace");
    const r = await run("trace", "gen", "--kind", "large", "--ops", "300", "--seed", "3", "--out", file);
    expect(r.code).toBe(0);
    expect(r.out).toBe("");
    expect(r.err).toContain("wrote 300 ops");
    expect(readFileSync(file, "utf8")).toBe(formatTrace(generateTrace({ kind: "large", ops: 300, seed: 3 })));
  });

  const bad: [string[], RegExp][] = [
    [["--ops", "1", "--seed", "1"], /required option '--kind <kind>'/],
    [["--kind", "tiny", "--ops", "1", "--seed", "1"], /Allowed choices are small-churn, mixed, bulk, large/],
    [["--kind", "mixed", "--seed", "1"], /required option '--ops <n>'/],
    [["--kind", "mixed", "--ops", "-1", "--seed", "1"], /'--ops <n>' argument '-1' is invalid/],
    [["--kind", "mixed", "--ops", "1e3", "--seed", "1"], /'--ops <n>' argument '1e3' is invalid/],
    [["--kind", "mixed", "--ops", "3000000000", "--seed", "1"], /invalid option ops=3000000000/],
    [["--kind", "mixed", "--ops", "1", "--seed", "x"], /'--seed <s>' argument 'x' is invalid/],
    [["--kind", "mixed", "--ops", "1", "--seed", "1", "--batch", "2"], /batch=2: not a parameter of mixed/],
    [["--kind", "mixed", "--ops", "1", "--seed", "1", "--realloc-rate", "2"], /reallocRate=2/],
    [["--kind", "bulk", "--ops", "1", "--seed", "1", "--order", "up"], /Allowed choices are random, fifo, lifo/],
    [["--kind", "small-churn", "--ops", "1", "--seed", "1", "--min-size", "9", "--max-size", "8"], /maxSize=8/],
    [["--kind", "mixed", "--ops", "1", "--seed", "1", "--out", join(dir, "no/such/dir/x")], /ENOENT/],
  ];
  for (const [args, message] of bad) {
    test(`${args.join(" ")} → non-zero exit, ${message}`, async () => {
      const r = await run("trace", "gen", ...args);
      expect(r.code).not.toBe(0);
      expect(r.err).toMatch(message);
      expect(r.out).toBe("");
    });
  }
});

describe("gomalloc trace stats", () => {
  const file = join(dir, "small.trace");
  writeFileSync(file, "gomalloc-trace v1 note=hand\na 1 10\na 2 100\nr 1 20\nf 2\n# end\n");

  test("prints op counts, live and peak bytes and the size histogram", async () => {
    const r = await run("trace", "stats", file);
    expect(r.code).toBe(0);
    expect(r.out).toContain("[v1 note=hand]");
    expect(r.out).toContain("ops        4  (alloc 2, free 1, realloc 1)");
    expect(r.out).toContain("live       1 objects, 20 B at the end");
    expect(r.out).toContain("peak live  120 B (first at op 2); 2 objects at most");
    expect(r.out).toMatch(/ {2}9\.\.16 +1 +33\.3 +10 {2}#+/);
    expect(r.out).toMatch(/ {2}65\.\.128 +1 +33\.3 +100 {2}#+/);
  });

  test("--json gives traceStats' figures", async () => {
    const r = await run("trace", "stats", "--json", file);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    const s = traceStats(parseTrace(readFileSync(file, "utf8")));
    expect(j).toEqual({ file, header: { version: 1, params: { note: "hand" } }, ...JSON.parse(JSON.stringify(s)) });
  });

  test("a malformed file → non-zero exit naming the file and the line", async () => {
    const badFile = join(dir, "bad.trace");
    writeFileSync(badFile, "a 1 10\nf 1\nf 1\n");
    const r = await run("trace", "stats", badFile);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${badFile}: line 3: already-freed`);
  });

  test("a missing file or argument → non-zero exit", async () => {
    expect((await run("trace", "stats", join(dir, "missing"))).err).toMatch(/ENOENT/);
    const r = await run("trace", "stats");
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/missing required argument 'file'/);
  });

  test("`gomalloc trace` without a subcommand prints help and fails", async () => {
    const r = await run("trace");
    expect(r.code).not.toBe(0);
    expect(r.err + r.out).toMatch(/gen \[options\]/);
  });
});
