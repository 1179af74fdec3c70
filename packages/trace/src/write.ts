/**
 * The writer of the trace text format: the header line, then one line per
 * operation (`a id size`, `f id`, `r id size`), produced in chunks of bounded
 * length so a trace of millions of operations streams to a file or stdout
 * without one giant string. What the writer emits, the parser reads back to
 * the same arrays. See the package README ("Trace format") and docs/design.md.
 *
 * @module
 */
import { InvalidTraceOption } from "./errors.js";
import { isParamKey, traceMagic } from "./parse.js";
import { OP_ALLOC, OP_FREE, type Trace, type TraceHeader } from "./trace.js";

/**
 * Formats a header line (without the newline): `gomalloc-trace v1 key=value ...`.
 * Throws {@link InvalidTraceOption} for a key or value the parser could not read back.
 */
export function formatHeader(header: TraceHeader): string {
  let line = `${traceMagic} v${header.version}`;
  if (!Number.isInteger(header.version) || header.version < 0 || header.version > 0xffff) {
    throw new InvalidTraceOption("version", header.version, "want an integer in [0, 65535]");
  }
  for (const [key, value] of Object.entries(header.params)) {
    if (!isParamKey(key)) throw new InvalidTraceOption("params", key, "a key is a letter then letters, digits, _ - .");
    if (typeof value !== "string" || value.length === 0 || /[\s#]/.test(value)) {
      throw new InvalidTraceOption(`params.${key}`, value, "a value is a non-empty string without blanks or #");
    }
    line += ` ${key}=${value}`;
  }
  return line;
}

/**
 * Yields the trace as text in chunks of about `chunkChars` characters, each
 * ending at a line end: the header line first (if the trace has one), then
 * every operation. Throws {@link InvalidTraceOption} for a bad `chunkChars`.
 */
export function* traceChunks(trace: Trace, chunkChars = 1 << 16): Generator<string, void, undefined> {
  if (!Number.isSafeInteger(chunkChars) || chunkChars < 1) {
    throw new InvalidTraceOption("chunkChars", chunkChars, "want a positive integer");
  }
  let buf = trace.header === undefined ? "" : `${formatHeader(trace.header)}\n`;
  const { op, id, size } = trace;
  for (let i = 0; i < trace.length; i++) {
    const o = op[i];
    buf += o === OP_ALLOC ? `a ${id[i]} ${size[i]}\n` : o === OP_FREE ? `f ${id[i]}\n` : `r ${id[i]} ${size[i]}\n`;
    if (buf.length >= chunkChars) {
      yield buf;
      buf = "";
    }
  }
  if (buf.length > 0) yield buf;
}

/** Formats the whole trace as one string (header line, then one line per operation). */
export function formatTrace(trace: Trace): string {
  let s = "";
  for (const chunk of traceChunks(trace)) s += chunk;
  return s;
}
