import { describe, expect, test } from "vitest";
import { run } from "./run.js";

describe("gomalloc demo", () => {
  test("prints the size-class table and a passing conformance summary for each Go version", async () => {
    const r = await run("demo");
    expect(r.code).toBe(0);
    expect(r.out).toContain("32768");
    expect(r.out).toMatch(/Go 1\.19: 46 GOOS\/GOARCH profiles .* 0 differ/);
    expect(r.out).toMatch(/Go 1\.26: 47 GOOS\/GOARCH profiles .* 0 differ/);
  });
});
