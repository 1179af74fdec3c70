import { fileURLToPath } from "node:url";
import {
  captureStack,
  gomallocLibraryPackages,
  hideLibraryFrames,
  isGomallocFrame,
  parseStack,
  type StackFrame,
} from "@gomalloc/profiling";
import { describe, expect, test } from "vitest";

const frame = (functionName: string, fileName = "/app/x.js", line = 1, column = 1): StackFrame => ({
  functionName,
  fileName,
  line,
  column,
});

describe("parseStack", () => {
  test("V8 frames: named, anonymous, async, constructor, eval, native", () => {
    const raw = [
      "Error",
      "    at user (file:///tmp/st.mjs:2:25)",
      "    at file:///tmp/st.mjs:3:27",
      "    at async ModuleLoader.import (node:internal/modules/esm/loader:606:24)",
      "    at async file:///tmp/run.mjs:9:1",
      "    at new Foo (/srv/a%20b/foo.js:6:37)",
      "    at eval (eval at <anonymous> (file:///tmp/st.mjs:5:28), <anonymous>:1:1)",
      "    at new Promise (<anonymous>)",
      "    at Array.map (native)",
    ].join("\n");
    expect(parseStack(raw)).toEqual([
      frame("user", "/tmp/st.mjs", 2, 25),
      frame("(anonymous)", "/tmp/st.mjs", 3, 27),
      frame("ModuleLoader.import", "node:internal/modules/esm/loader", 606, 24),
      frame("(anonymous)", "/tmp/run.mjs", 9, 1),
      frame("new Foo", "/srv/a%20b/foo.js", 6, 37),
      frame("eval", "eval at <anonymous> (file:///tmp/st.mjs:5:28), <anonymous>", 1, 1),
      frame("new Promise", "<anonymous>", 0, 0),
      frame("Array.map", "native", 0, 0),
    ]);
  });

  test("file URLs become decoded paths", () => {
    expect(parseStack("    at f (file:///srv/a%20b/c.js:1:2)")).toEqual([frame("f", "/srv/a b/c.js", 1, 2)]);
  });

  test("SpiderMonkey / JavaScriptCore frames", () => {
    const raw = "load@https://x.test/app.js:10:5\n@https://x.test/app.js:20:1\nrun/<@https://x.test/a.js:3\n";
    expect(parseStack(raw)).toEqual([
      frame("load", "https://x.test/app.js", 10, 5),
      frame("(anonymous)", "https://x.test/app.js", 20, 1),
      frame("run/<", "https://x.test/a.js", 3, 0),
    ]);
  });

  test("an empty stack has no frames; an unknown line becomes a frame named by its text", () => {
    expect(parseStack("")).toEqual([]);
    expect(parseStack("Error: boom\n[native code]")).toEqual([frame("[native code]", "", 0, 0)]);
  });
});

function innerCapture(depth: number): string {
  return captureStack(depth, innerCapture);
}
function middle(depth: number): string {
  return innerCapture(depth);
}
function outer(depth: number): string {
  return middle(depth);
}

describe("captureStack", () => {
  test("starts below the boundary, keeps at most depth frames, restores stackTraceLimit", () => {
    const before = Error.stackTraceLimit;
    const frames = parseStack(outer(2));
    expect(frames.map((f) => f.functionName)).toEqual(["middle", "outer"]);
    expect(frames[0]!.fileName).toBe(fileURLToPath(import.meta.url));
    expect(Error.stackTraceLimit).toBe(before);
    expect(parseStack(outer(0))).toEqual([]);
    expect(parseStack(outer(5)).length).toBe(5);
  });
});

describe("isGomallocFrame", () => {
  const here = (rel: string): string => fileURLToPath(new URL(rel, import.meta.url));
  test("installed @gomalloc packages, and library packages beside this one", () => {
    expect(isGomallocFrame(frame("malloc", "/app/node_modules/@gomalloc/runtime/dist/malloc.js"))).toBe(true);
    expect(
      isGomallocFrame(
        frame("m", "/app/node_modules/.pnpm/@gomalloc+runtime@1.0.0/node_modules/@gomalloc/runtime/dist/m.js"),
      ),
    ).toBe(true);
    expect(isGomallocFrame(frame("x", "C:\\app\\node_modules\\@gomalloc\\span\\dist\\x.js"))).toBe(true);
    expect(isGomallocFrame(frame("profilealloc", here("../src/mprof.ts")))).toBe(true);
    for (const p of gomallocLibraryPackages) {
      expect(isGomallocFrame(frame("f", here(`../../${p}/src/index.ts`)))).toBe(true);
      expect(isGomallocFrame(frame("f", here(`../../${p}/dist/index.js`)))).toBe(true);
    }
  });

  test("user code, the CLI, tests and unknown files are not the allocator", () => {
    expect(isGomallocFrame(frame("t", fileURLToPath(import.meta.url)))).toBe(false);
    expect(isGomallocFrame(frame("c", here("../../cli/src/main.ts")))).toBe(false);
    expect(isGomallocFrame(frame("u", "/app/src/game.js"))).toBe(false);
    expect(isGomallocFrame(frame("u", "/app/node_modules/gomalloc-like/x.js"))).toBe(false);
    expect(isGomallocFrame(frame("u", ""))).toBe(false);
  });
});

describe("hideRuntime (hideLibraryFrames)", () => {
  const lib = (f: StackFrame): boolean => f.functionName.startsWith("lib.");
  test("drops the allocator's frames at the top only", () => {
    const s = [frame("lib.malloc"), frame("lib.mallocgc"), frame("user"), frame("lib.callback"), frame("main")];
    expect(hideLibraryFrames(s, lib).map((f) => f.functionName)).toEqual(["user", "lib.callback", "main"]);
  });
  test("keeps a stack that is all allocator frames, and one with none", () => {
    const all = [frame("lib.a"), frame("lib.b")];
    expect(hideLibraryFrames(all, lib)).toEqual(all);
    const none = [frame("a"), frame("b")];
    expect(hideLibraryFrames(none, lib)).toEqual(none);
    expect(hideLibraryFrames([], lib)).toEqual([]);
  });
});
