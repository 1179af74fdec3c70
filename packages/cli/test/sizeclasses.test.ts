import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type GoVersion, goNames } from "@gomalloc/sizeclass";
import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../src/main.js";

/** Runs `gomalloc ...argv` in-process and captures what it writes. */
async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await main(argv);
    return { code, stdout, stderr };
  } finally {
    vi.restoreAllMocks();
  }
}

function goFile(v: GoVersion): { path: string; text: string | undefined } {
  const go = spawnSync("go", ["env", "GOROOT"], { encoding: "utf8" });
  const root =
    v === "1.19"
      ? (process.env.GOMALLOC_GOROOT_1_19 ?? "/usr/lib/go-1.19")
      : (process.env.GOMALLOC_GOROOT_1_26 ?? (go.status === 0 ? go.stdout.trim() : "/usr/local/go"));
  const path = join(root, goNames(v).file);
  return { path, text: existsSync(path) ? readFileSync(path, "utf8") : undefined };
}

afterEach(() => vi.restoreAllMocks());

describe("gomalloc sizeclasses --format go", () => {
  for (const v of ["1.19", "1.26"] as const) {
    const file = goFile(v);
    const required = process.env.CI === "true";
    if (file.text === undefined && !required) console.warn(`skipping: ${file.path} not found`);
    (file.text === undefined && !required ? it.skip : it)(
      `--go ${v} prints ${goNames(v).file} byte for byte`,
      async () => {
        expect(file.text, `${file.path} is missing (CI installs it via .ci/setup-machine)`).toBeDefined();
        const r = await run("sizeclasses", "--go", v, "--format", "go");
        expect(r.code).toBe(0);
        expect(r.stderr).toBe("");
        expect(r.stdout === file.text, "output differs from Go's file").toBe(true);
      },
    );
  }
});

describe("gomalloc sizeclasses", () => {
  it("prints the readable table by default", async () => {
    const r = await run("sizeclasses");
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe(
      "Go 1.26 size classes: pageShift 13, maxSmallSize 32768, smallSizeDiv 8, smallSizeMax 1024, largeSizeDiv 128, minHeapAlign 8, tinySize 16",
    );
    expect(r.stdout).toContain("   67      32768       32768      4        1");
  });

  it("prints JSON with the Go version's identifiers", async () => {
    const r = await run("sizeclasses", "--go", "1.19", "--format", "json");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.constants._NumSizeClasses).toBe(68);
    expect(doc.tables.size_to_class8.slice(0, 4)).toEqual([0, 1, 2, 3]);
  });

  it("passes generator parameters through", async () => {
    const r = await run("sizeclasses", "--page-shift", "14", "--num-size-classes", "any", "--format", "json");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.params).toMatchObject({ pageShift: 14, expectNumSizeClasses: null });
    expect(doc.constants.NumSizeClasses).toBe(71);
    const again = await run("sizeclasses", "--page-shift", "14", "--num-size-classes", "71", "--format", "json");
    expect(JSON.parse(again.stdout).tables).toEqual(doc.tables);
  });

  it("explains Go's class-count check and how to pass it", async () => {
    const r = await run("sizeclasses", "--page-shift", "14");
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("number of size classes has changed");
    expect(r.stderr).toContain("Pass --num-size-classes 71 (or any)");
  });

  it.each([
    [
      ["--page-shift", "16", "--num-size-classes", "any"],
      "size class requires more than 32 bits of precision (d=19584",
    ],
    [["--min-heap-align", "12"], "incorrect alignment"],
    [["--max-small-size", "32832", "--num-size-classes", "any"], "breaks invariant SC7"],
    [["--max-small-size", "512", "--small-size-max", "2048"], "does not compile"],
  ])("refuses %j with Go's reason and exit code 1", async (args, reason) => {
    const r = await run("sizeclasses", ...args);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(reason);
  });

  it.each([
    [["--page-shift", "abc"], "'--page-shift <n>' argument 'abc' is invalid"],
    [["--page-shift", "-1"], "'--page-shift <n>' argument '-1' is invalid"],
    [["--page-shift", "40"], "option '--page-shift': pageShift = 40 is not supported"],
    [["--page-shift", "4"], "option '--max-small-size': maxSmallSize = 32768 is not supported"],
    [["--num-size-classes", "0"], "option '--num-size-classes'"],
    [["--go", "1.20"], "Allowed choices are 1.19, 1.26"],
    [["--format", "xml"], "Allowed choices are go, json, table"],
    [["--bogus"], "unknown option '--bogus'"],
  ])("answers bad arguments %j with a message and a non-zero exit", async (args, message) => {
    const r = await run("sizeclasses", ...args);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(message);
  });

  it("prints help", async () => {
    const r = await run("sizeclasses", "--help");
    expect(r.code).toBe(0);
    for (const flag of [
      "--go <version>",
      "--format <format>",
      "--page-shift <n>",
      "--max-small-size <n>",
      "--num-size-classes",
    ]) {
      expect(r.stdout).toContain(flag);
    }
  });
});
