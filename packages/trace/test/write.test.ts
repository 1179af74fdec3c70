import { fc, test as ptest } from "@fast-check/vitest";
import {
  formatHeader,
  formatTrace,
  InvalidTraceOption,
  parseTrace,
  type TraceHeader,
  traceChunks,
} from "@gomalloc/trace";
import { describe, expect, test } from "vitest";
import { traceArb } from "./arb.js";

describe("formatTrace", () => {
  test("writes the documented line forms", () => {
    const t = parseTrace("gomalloc-trace v1 kind=mixed ops=5\nalloc 7 24\nrealloc 7 48\nfree 7\na 3 0\n");
    expect(formatTrace(t)).toBe("gomalloc-trace v1 kind=mixed ops=5\na 7 24\nr 7 48\nf 7\na 3 0\n");
  });

  test("a trace without a header starts with its first op; an empty one is empty", () => {
    expect(formatTrace(parseTrace("a 1 2"))).toBe("a 1 2\n");
    expect(formatTrace(parseTrace(""))).toBe("");
  });

  ptest.prop([traceArb(), fc.integer({ min: 1, max: 64 })])(
    "chunks end at line ends, respect the size bound (plus one line) and concatenate to formatTrace",
    (t, n) => {
      const chunks = [...traceChunks(t, n)];
      for (const c of chunks) {
        expect(c.endsWith("\n")).toBe(true);
        expect(c.slice(0, -1).split("\n").slice(0, -1).join("\n").length).toBeLessThan(n);
      }
      expect(chunks.join("")).toBe(formatTrace(t));
    },
  );

  test("bad chunk sizes are refused", () => {
    const t = parseTrace("a 1 2");
    for (const n of [0, -1, 1.5, Number.NaN]) expect(() => [...traceChunks(t, n)]).toThrow(InvalidTraceOption);
  });
});

describe("formatHeader", () => {
  test("writes version and params in order", () => {
    expect(formatHeader({ version: 1, params: { kind: "bulk", order: "lifo" } })).toBe(
      "gomalloc-trace v1 kind=bulk order=lifo",
    );
    expect(formatHeader({ version: 1, params: {} })).toBe("gomalloc-trace v1");
  });

  test("refuses what the parser could not read back", () => {
    const bad: TraceHeader[] = [
      { version: 1, params: { "": "x" } },
      { version: 1, params: { "1a": "x" } },
      { version: 1, params: { a: "" } },
      { version: 1, params: { a: "x y" } },
      { version: 1, params: { a: "x#y" } },
      { version: 1, params: { a: 3 as unknown as string } },
      { version: -1, params: {} },
      { version: 1.5, params: {} },
    ];
    for (const h of bad) expect(() => formatHeader(h)).toThrow(InvalidTraceOption);
  });
});
