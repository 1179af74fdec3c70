/**
 * The streaming parser of the trace text format. Text arrives in chunks of any
 * size (strings, or bytes decoded as UTF-8); each complete line is parsed as
 * soon as it is seen, by scanning characters (no regular expressions, no
 * `split`), and appended to a {@link TraceBuilder}. The first bad line throws a
 * {@link TraceParseError} with its 1-based line number. The format is
 * specified in the package README ("Trace format"); see also docs/design.md.
 *
 * @module
 */
import { InvalidTraceOp, type TraceErrorReason, TraceParseError } from "./errors.js";
import { maxTraceId, type Trace, TraceBuilder, type TraceHeader, traceFormatVersion } from "./trace.js";

/** The first field of a header line. */
export const traceMagic = "gomalloc-trace";

const SP = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const HASH = 0x23;
const D0 = 0x30;
const D9 = 0x39;

/** Parses text pushed in chunks. Call {@link TraceParser.end} once the input is over. */
export class TraceParser {
  private builder: TraceBuilder | undefined;
  private header: TraceHeader | undefined;
  private rest = "";
  private lineNo = 0;
  private sawOp = false;
  private readonly capacity: number;

  /** @param capacity - initial number of operations to make room for. */
  constructor(capacity = 1024) {
    this.capacity = capacity;
  }

  /** Number of lines parsed so far. */
  get line(): number {
    return this.lineNo;
  }

  /** Parses every complete line in `rest + chunk`; keeps the unfinished tail. Throws {@link TraceParseError}. */
  push(chunk: string): void {
    const text = this.rest.length > 0 ? this.rest + chunk : chunk;
    let start = 0;
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
      this.parseLine(text, start, nl);
      start = nl + 1;
    }
    this.rest = start === 0 ? text : text.slice(start);
  }

  /** Parses the last line (which needs no line terminator) and returns the trace. */
  end(): Trace {
    if (this.rest.length > 0) {
      const text = this.rest;
      this.rest = "";
      this.parseLine(text, 0, text.length);
    }
    return this.build().finish();
  }

  private build(): TraceBuilder {
    if (this.builder === undefined) this.builder = new TraceBuilder(this.header, this.capacity);
    return this.builder;
  }

  private parseLine(text: string, start: number, end: number): void {
    this.lineNo++;
    if (end > start && text.charCodeAt(end - 1) === CR) end--;
    // Cut the comment, then trailing blanks.
    for (let k = start; k < end; k++) {
      if (text.charCodeAt(k) === HASH) {
        end = k;
        break;
      }
    }
    let i = skipBlanks(text, start, end);
    if (i === end) return;
    const opStart = i;
    while (i < end && !isBlank(text.charCodeAt(i))) i++;
    const opName = text.slice(opStart, i);
    if (opName === traceMagic) {
      this.parseHeader(text, start, i, end);
      return;
    }
    const op =
      opName === "a" || opName === "alloc"
        ? 0
        : opName === "f" || opName === "free"
          ? 1
          : opName === "r" || opName === "realloc"
            ? 2
            : -1;
    if (op < 0) this.fail("unknown-op", text, start, `unknown operation ${JSON.stringify(opName)}`);
    i = skipBlanks(text, i, end);
    if (i === end) this.fail("field-count", text, start, `${opName} needs an id`);
    const id = scanUint(text, i, end, maxTraceId);
    if (id < 0) this.fail("bad-id", text, start, "id must be a decimal integer in [0, 2^32)");
    i = skipBlanks(text, scanEnd, end);
    let size = 0;
    if (op !== 1) {
      if (i === end) this.fail("field-count", text, start, `${opName} needs an id and a size`);
      size = scanUint(text, i, end, Number.MAX_SAFE_INTEGER);
      if (size < 0) this.fail("bad-size", text, start, "size must be a decimal integer in [0, 2^53)");
      i = skipBlanks(text, scanEnd, end);
    }
    if (i !== end) this.fail("field-count", text, start, `extra field after ${opName}`);
    this.sawOp = true;
    const b = this.build();
    try {
      if (op === 0) b.alloc(id, size);
      else if (op === 1) b.free(id);
      else b.realloc(id, size);
    } catch (err) {
      if (err instanceof InvalidTraceOp) this.fail(err.reason, text, start, err.detail);
      throw err;
    }
  }

  private parseHeader(text: string, start: number, i: number, end: number): void {
    if (this.sawOp || this.header !== undefined) {
      this.fail("bad-header", text, start, "the header must come before every operation, once");
    }
    i = skipBlanks(text, i, end);
    let j = i;
    while (j < end && !isBlank(text.charCodeAt(j))) j++;
    const vtok = text.slice(i, j);
    const v = vtok.length > 1 && vtok[0] === "v" ? scanUint(vtok, 1, vtok.length, 0xffff) : -1;
    if (v < 0 || scanEnd !== vtok.length) this.fail("bad-header", text, start, `want "v<version>" after ${traceMagic}`);
    if (v !== traceFormatVersion) {
      this.fail("unsupported-version", text, start, `format v${v}; this reader knows v${traceFormatVersion}`);
    }
    const params: Record<string, string> = {};
    for (i = skipBlanks(text, j, end); i < end; i = skipBlanks(text, j, end)) {
      j = i;
      while (j < end && !isBlank(text.charCodeAt(j))) j++;
      const tok = text.slice(i, j);
      const eq = tok.indexOf("=");
      const key = tok.slice(0, eq);
      if (eq < 0 || !isParamKey(key) || eq === tok.length - 1) {
        this.fail("bad-header", text, start, `want key=value, got ${JSON.stringify(tok)}`);
      }
      if (Object.hasOwn(params, key)) this.fail("bad-header", text, start, `parameter ${key} given twice`);
      params[key] = tok.slice(eq + 1);
    }
    this.header = { version: v, params };
  }

  private fail(reason: TraceErrorReason, text: string, start: number, detail: string): never {
    // Report the whole line (with its comment), not the part that was scanned.
    let lineEnd = text.indexOf("\n", start);
    if (lineEnd < 0) lineEnd = text.length;
    if (lineEnd > start && text.charCodeAt(lineEnd - 1) === CR) lineEnd--;
    throw new TraceParseError(reason, this.lineNo, text.slice(start, lineEnd), detail);
  }
}

/** True for a header parameter name: a letter, then letters, digits, `_`, `-` or `.`. */
export function isParamKey(key: string): boolean {
  if (key.length === 0) return false;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    const letter = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
    if (letter) continue;
    if (i > 0 && ((c >= D0 && c <= D9) || c === 0x5f || c === 0x2d || c === 0x2e)) continue;
    return false;
  }
  return true;
}

function isBlank(c: number): boolean {
  return c === SP || c === TAB;
}

function skipBlanks(text: string, i: number, end: number): number {
  while (i < end && isBlank(text.charCodeAt(i))) i++;
  return i;
}

// Where the last scanUint stopped; read right after each call.
let scanEnd = 0;

/**
 * Scans a decimal integer token at `i` (the token ends at a blank or `end`);
 * returns it, or -1 when the token is not all digits or its value exceeds `max`.
 */
function scanUint(text: string, i: number, end: number, max: number): number {
  let v = 0;
  let j = i;
  for (; j < end; j++) {
    const c = text.charCodeAt(j);
    if (c < D0 || c > D9) break;
    // v ≤ max < 2^53 here, so a v * 10 + digit beyond max still compares above it after rounding.
    v = v * 10 + (c - D0);
    if (v > max) return -1;
  }
  scanEnd = j;
  if (j === i || (j < end && !isBlank(text.charCodeAt(j)))) return -1;
  return v;
}

/** Parses a whole trace held in one string. Throws {@link TraceParseError}. */
export function parseTrace(text: string): Trace {
  const p = new TraceParser(Math.max(16, Math.floor(text.length / 8)));
  p.push(text);
  return p.end();
}

/**
 * Parses a trace from a stream of text or UTF-8 bytes, e.g.
 * `fs.createReadStream(path)` or a web `ReadableStream`. Throws
 * {@link TraceParseError}.
 */
export async function readTrace(source: AsyncIterable<string | Uint8Array>): Promise<Trace> {
  const p = new TraceParser();
  const dec = new TextDecoder("utf-8", { fatal: true });
  for await (const chunk of source) p.push(typeof chunk === "string" ? chunk : decode(dec, p, chunk));
  p.push(decode(dec, p, undefined));
  return p.end();
}

function decode(dec: TextDecoder, p: TraceParser, chunk: Uint8Array | undefined): string {
  try {
    return chunk === undefined ? dec.decode() : dec.decode(chunk, { stream: true });
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
    // The bad bytes are on a line after the ones already parsed (or on the unfinished one).
    throw new TraceParseError("bad-encoding", p.line + 1, "", "the input is not valid UTF-8");
  }
}
