import { fc, test as ptest } from "@fast-check/vitest";
import {
  formatTrace,
  parseTrace,
  readTrace,
  type TraceErrorReason,
  TraceParseError,
  TraceParser,
  traceChunks,
} from "@gomalloc/trace";
import { describe, expect, test } from "vitest";
import { headerArb, plain, traceArb } from "./arb.js";

function parseError(text: string): TraceParseError {
  try {
    parseTrace(text);
  } catch (e) {
    expect(e).toBeInstanceOf(TraceParseError);
    return e as TraceParseError;
  }
  throw new Error(`parsed without error: ${JSON.stringify(text)}`);
}

describe("parseTrace round trip", () => {
  ptest.prop([traceArb(), fc.option(headerArb, { nil: undefined })])(
    "parse(format(t)) gives back the same arrays and header",
    (t0, header) => {
      const t = { ...t0, header };
      expect(plain(parseTrace(formatTrace(t)))).toEqual(plain(t));
    },
  );

  ptest.prop([traceArb(80), fc.array(fc.nat(), { maxLength: 20 })])(
    "any split of the text into chunks parses the same as the whole",
    (t, cuts) => {
      const text = formatTrace(t);
      const at = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
      const p = new TraceParser(1);
      let prev = 0;
      for (const c of [...at, text.length]) {
        p.push(text.slice(prev, c));
        prev = c;
      }
      expect(plain(p.end())).toEqual(plain(parseTrace(text)));
    },
  );

  ptest.prop([traceArb(60), fc.integer({ min: 1, max: 50 })])(
    "readTrace over byte chunks (split inside UTF-8 sequences) equals parseTrace",
    async (t, step) => {
      const text = `# trace — ünïcödé comment ✓\n${formatTrace(t)}`;
      const bytes = new TextEncoder().encode(text);
      async function* chunks() {
        for (let i = 0; i < bytes.length; i += step) yield bytes.subarray(i, i + step);
      }
      expect(plain(await readTrace(chunks()))).toEqual(plain(parseTrace(text)));
    },
  );

  test("readTrace takes string chunks too, e.g. the writer's own", async () => {
    const t = parseTrace("gomalloc-trace v1 kind=x\na 1 2\nf 1\n");
    async function* chunks() {
      yield* traceChunks(t, 3);
    }
    expect(plain(await readTrace(chunks()))).toEqual(plain(t));
  });
});

describe("TraceParser syntax", () => {
  test("long op names, comments, blank lines, tabs, CRLF, no final newline, leading zeros", () => {
    const text = [
      "# a comment before the header",
      "",
      "gomalloc-trace v1 kind=mixed seed=7   # trailing comment",
      "alloc 1 24",
      "\ta\t2\t0032  ",
      "realloc 1 48 # grow",
      "   # indented comment",
      "free 1\r",
      "r 2 0",
      "f 0002",
    ].join("\n");
    const t = parseTrace(text);
    expect(t.header).toEqual({ version: 1, params: { kind: "mixed", seed: "7" } });
    expect([...t.op]).toEqual([0, 0, 2, 1, 2, 1]);
    expect([...t.id]).toEqual([1, 2, 1, 1, 2, 2]);
    expect([...t.size]).toEqual([24, 32, 48, 48, 0, 0]);
  });

  test("a trace without a header and an empty trace", () => {
    expect(parseTrace("a 1 1\nf 1").header).toBeUndefined();
    const e = parseTrace("");
    expect(e.length).toBe(0);
    expect(e.slots).toBe(0);
    expect(parseTrace("# only comments\n\n").length).toBe(0);
  });

  test("an id freed and allocated again is a new object", () => {
    const t = parseTrace("a 5 1\nf 5\na 5 2\nf 5\n");
    expect([...t.size]).toEqual([1, 1, 2, 2]);
  });

  const cases: [string, string, TraceErrorReason, number][] = [
    ["unknown op", "a 1 2\nx 1 2\n", "unknown-op", 2],
    ["op name case", "A 1 2", "unknown-op", 1],
    ["negative id", "a -1 2", "bad-id", 1],
    ["id with letters", "a 1x 2", "bad-id", 1],
    ["id of 2^32", "a 4294967296 2", "bad-id", 1],
    ["hex id", "a 0x10 2", "bad-id", 1],
    ["fractional size", "a 1 2.5", "bad-size", 1],
    ["negative size", "a 1 -2", "bad-size", 1],
    ["size of 2^53", "a 1 9007199254740992", "bad-size", 1],
    ["huge size", "a 1 99999999999999999999999", "bad-size", 1],
    ["alloc without size", "a 1", "field-count", 1],
    ["alloc without id", "a", "field-count", 1],
    ["free with a size", "a 1 2\nf 1 2", "field-count", 2],
    ["free without id", "f", "field-count", 1],
    ["realloc without size", "a 1 2\nr 1", "field-count", 2],
    ["extra field", "a 1 2 3", "field-count", 1],
    ["free of unknown id", "a 1 2\nf 2", "unknown-id", 2],
    ["realloc of unknown id", "r 9 2", "unknown-id", 1],
    ["double free", "a 1 2\nf 1\n# c\nf 1", "already-freed", 4],
    ["realloc after free", "a 1 2\nf 1\nr 1 3", "already-freed", 3],
    ["duplicate live id", "a 1 2\na 1 3", "duplicate-live-id", 2],
    ["header after an op", "a 1 2\ngomalloc-trace v1", "bad-header", 2],
    ["header twice", "gomalloc-trace v1\ngomalloc-trace v1", "bad-header", 2],
    ["header without version", "gomalloc-trace", "bad-header", 1],
    ["header version not vN", "gomalloc-trace 1", "bad-header", 1],
    ["header version with junk", "gomalloc-trace v1x", "bad-header", 1],
    ["header version 2", "gomalloc-trace v2 kind=x", "unsupported-version", 1],
    ["header param without =", "gomalloc-trace v1 kind", "bad-header", 1],
    ["header param with empty value", "gomalloc-trace v1 kind=", "bad-header", 1],
    ["header param with bad key", "gomalloc-trace v1 1k=2", "bad-header", 1],
    ["header param twice", "gomalloc-trace v1 k=1 k=2", "bad-header", 1],
  ];
  for (const [name, text, reason, line] of cases) {
    test(`${name} → ${reason} at line ${line}`, () => {
      const e = parseError(text);
      expect(e.reason).toBe(reason);
      expect(e.line).toBe(line);
      expect(e.text).toBe(text.split("\n")[line - 1]);
      expect(e.message).toContain(`line ${line}:`);
    });
  }

  test("line numbers count across chunk boundaries", () => {
    const p = new TraceParser();
    p.push("a 1 1\na 2");
    p.push(" 2\nf 3");
    let err: unknown;
    try {
      p.push("\n");
    } catch (e) {
      err = e;
    }
    expect((err as TraceParseError).line).toBe(3);
    expect((err as TraceParseError).text).toBe("f 3");
  });

  test("invalid UTF-8 bytes → bad-encoding", async () => {
    async function* chunks() {
      yield new TextEncoder().encode("a 1 1\n");
      yield new Uint8Array([0x61, 0x20, 0xff, 0x0a]);
    }
    await expect(readTrace(chunks())).rejects.toMatchObject({
      _tag: "TraceParseError",
      reason: "bad-encoding",
      line: 2,
    });
  });
});
