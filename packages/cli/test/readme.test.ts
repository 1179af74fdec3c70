// The root README's first example, taken from the README itself and run, with
// what its comments promise checked; and its Profiling commands, which must be
// commands this CLI accepts.
import { readFileSync } from "node:fs";
import { createHeap } from "@gomalloc/runtime";
import { describe, expect, test } from "vitest";

const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");

describe("README.md", () => {
  test("the first screen: the two commands, then a runnable createHeap example", () => {
    const sh = readme.indexOf("```sh\nnpm start");
    const ts = readme.indexOf("```ts\n");
    expect(sh).toBeGreaterThan(0);
    expect(readme.slice(sh, ts)).toContain("npm test");
    expect(ts).toBeGreaterThan(sh);
    const code = readme.slice(ts + 6, readme.indexOf("```", ts + 6));
    expect(code.split("\n").filter((l) => l.trim() !== "").length).toBeLessThanOrEqual(12);
    const body = code.replace('import { createHeap } from "@gomalloc/runtime";', "");
    const logged: unknown[][] = [];
    const fakeConsole = { log: (...args: unknown[]) => logged.push(args) };
    const run = new Function("createHeap", "console", `${body}\nreturn sim.malloc(100).toString(16);`);
    const next = run(createHeap, fakeConsole) as string;
    // "console.log(ms.Mallocs, ms.Frees, ms.HeapAlloc, ms.HeapSys); // 1 1 0 …"
    expect(logged).toHaveLength(1);
    const [mallocs, frees, heapAlloc, heapSys] = logged[0] as number[];
    expect([mallocs, frees, heapAlloc]).toEqual([1, 1, 0]);
    expect(heapSys).toBeGreaterThan(0);
    expect(code).toContain('sim.malloc(100).toString(16); // "c000000000"');
    expect(createHeap({ simulated: "linux/amd64" }).malloc(100).toString(16)).toBe("c000000000");
    expect(next).toMatch(/^c0000[0-9a-f]{5}$/);
  });

  test("the Profiling section shows replay --profile, pprof -top and -http", () => {
    const section = readme.slice(readme.indexOf("## Profiling"));
    expect(section).toContain("gomalloc replay --profile heap.pb.gz trace.txt");
    expect(section).toContain("go tool pprof -top heap.pb.gz");
    expect(section).toContain("go tool pprof -http=:8080 heap.pb.gz");
  });
});
