import { describe, expect, test } from "vitest";
import { checkArch, checkDump, formatReport } from "../src/index.js";

describe("formatReport", () => {
  test("a passing report: one row per pair and a summary", () => {
    const text = formatReport(checkArch("1.19"));
    const lines = text.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^Go 1\.19 constants vs fixtures \(go1\.19\.\d+\)$/);
    expect(lines[1]).toBe("  pair             checked  result");
    expect(lines).toContain("  linux/amd64           85  pass");
    expect(lines.at(-1)).toMatch(/^ {2}46 pairs: 46 passed, 0 failed; \d+ values compared, 0 differ$/);
  });

  test("a failing report lists each difference under its pair", () => {
    const r = checkDump("1.26", {
      constants: { "linux/amd64": { heapAddrBits: 47 }, "js/wasm": { pallocChunkPages: 64 } },
      sizeclasses: { tables: { SizeClassToSize: [0, 8, 16, 24, 33] } },
    });
    expect(formatReport(r, "dump")).toBe(
      [
        "Go 1.26 dump vs fixtures (go1.26.8)",
        "  pair          checked  result",
        "  js/wasm             1  pass",
        "  linux/amd64         1  FAIL (1)",
        "      go1.26 linux/amd64 heapAddrBits: expected 48, actual 47",
        "  size classes        5  FAIL (2)",
        "      go1.26 SizeClassToSize: expected 68 entries, actual 5",
        "      go1.26 SizeClassToSize[4]: expected 32, actual 33",
        "  2 pairs: 1 passed, 1 failed; 7 values compared, 3 differ",
        "",
      ].join("\n"),
    );
  });
});
