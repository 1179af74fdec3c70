/**
 * JavaScript call stacks as allocation sites — the part of mprof.go's
 * `callers(3, mp.profStack)` that JavaScript can do. Capture is cheap and only
 * happens for sampled allocations: `Error.captureStackTrace` with a lowered
 * `Error.stackTraceLimit` records the frames below a boundary function, and the
 * raw text is kept as the bucket key. Parsing into frames happens lazily, when
 * a profile is read. Frames of gomalloc's own packages at the top of a stack
 * are hidden when the profile is written, as runtime/pprof hides `runtime.*`
 * frames. See docs/design.md and the package README.
 *
 * @module
 */

/** One parsed JavaScript stack frame, the analogue of Go's `runtime.Frame`. */
export interface StackFrame {
  /** Function name as the engine prints it (`Class.method`, `new Ctor`, `(anonymous)`). */
  readonly functionName: string;
  /** Script path or URL (`file://` URLs become paths); "" when unknown. */
  readonly fileName: string;
  /** 1-based line, 0 when unknown. */
  readonly line: number;
  /** 1-based column, 0 when unknown. */
  readonly column: number;
}

/** Decides whether a frame belongs to the allocator (hidden at the top of a stack). */
export type FramePredicate = (frame: StackFrame) => boolean;

interface ErrorConstructorV8 {
  captureStackTrace?: (target: object, boundary?: unknown) => void;
  stackTraceLimit?: number;
}

/**
 * Captures the current JavaScript stack as raw engine text, at most `depth`
 * frames, starting below the most recent call of `boundary` (V8's
 * `Error.captureStackTrace`; engines without it fall back to `new Error().stack`,
 * whose extra top frames are gomalloc's and are hidden when the profile is
 * written). `Error.stackTraceLimit` is restored before returning.
 */
export function captureStack(depth: number, boundary: (...args: never[]) => unknown): string {
  const E = Error as unknown as ErrorConstructorV8;
  const saved = E.stackTraceLimit;
  E.stackTraceLimit = depth;
  try {
    if (typeof E.captureStackTrace === "function") {
      const holder: { stack?: string } = {};
      E.captureStackTrace(holder, boundary);
      return holder.stack ?? "";
    }
    return new Error().stack ?? "";
  } finally {
    E.stackTraceLimit = saved;
  }
}

const v8Frame = /^\s*at (?:(.*?) \((.*)\)|(.*))$/;
const geckoFrame = /^(.*?)@(.*)$/;
const location = /^(.*?):(\d+)(?::(\d+))?$/;

function toPath(file: string): string {
  if (!file.startsWith("file://")) return file;
  try {
    return decodeURIComponent(new URL(file).pathname);
  } catch {
    return file;
  }
}

function frameOf(name: string, loc: string): StackFrame {
  // V8 marks frames resumed after an await with "async "; the function is the same one.
  if (name.startsWith("async ")) name = name.slice(6);
  else if (name === "" && loc.startsWith("async ")) loc = loc.slice(6);
  const m = location.exec(loc);
  const functionName = name === "" ? "(anonymous)" : name;
  if (m === null) return { functionName, fileName: toPath(loc), line: 0, column: 0 };
  return {
    functionName,
    fileName: toPath(m[1]!),
    line: Number(m[2]),
    column: m[3] === undefined ? 0 : Number(m[3]),
  };
}

/**
 * Parses raw stack text from {@link captureStack} into frames, innermost first.
 * Understands V8 (`    at fn (file:line:col)`, `    at file:line:col`) and
 * SpiderMonkey/JavaScriptCore (`fn@file:line:col`) lines; V8's `async ` prefix
 * is dropped (the frame is the same function's), a header line such as `Error`
 * is skipped, and any other line becomes a frame named by its text.
 */
export function parseStack(raw: string): StackFrame[] {
  const frames: StackFrame[] = [];
  const lines = raw.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trimEnd();
    if (line.trim() === "") continue;
    const v = v8Frame.exec(line);
    if (v !== null) {
      frames.push(v[3] !== undefined ? frameOf("", v[3]) : frameOf(v[1]!, v[2]!));
      continue;
    }
    if (i === 0 && !line.includes("@")) continue; // "Error" / "Error: message" header
    const g = geckoFrame.exec(line);
    if (g !== null) {
      frames.push(frameOf(g[1]!, g[2]!));
      continue;
    }
    frames.push({ functionName: line.trim(), fileName: "", line: 0, column: 0 });
  }
  return frames;
}

/** The gomalloc library packages whose frames count as the allocator's own. */
export const gomallocLibraryPackages: readonly string[] = [
  "arch",
  "sizeclass",
  "os-mem",
  "persistent",
  "span",
  "mheap",
  "profiling",
  "runtime",
];

const installed = /[\\/]node_modules[\\/]@gomalloc[\\/]/;
const codeDir = /^([^\\/]+)[\\/](?:src|dist)[\\/]/;

// In the monorepo (or any checkout) this file is <packages>/profiling/{src,dist}/jsstack.*:
// sibling library packages live under the same <packages>/ directory.
function workspacePackagesDir(): string | undefined {
  try {
    const here = new URL(import.meta.url);
    if (here.protocol !== "file:") return undefined;
    const path = decodeURIComponent(here.pathname);
    const m = /^(.*[\\/])profiling[\\/](?:src|dist)[\\/][^\\/]+$/.exec(path);
    return m === null ? undefined : m[1];
  } catch {
    return undefined;
  }
}

const packagesDir = workspacePackagesDir();

/**
 * The default {@link FramePredicate}: true for frames in an installed
 * `@gomalloc/*` package (`node_modules/@gomalloc/…`), or in the `src/` or
 * `dist/` of one of {@link gomallocLibraryPackages} beside this package in a
 * checkout (their tests are not the allocator). In a
 * bundle (one file for everything) it cannot tell, and returns false; pass
 * your own predicate there.
 */
export function isGomallocFrame(frame: StackFrame): boolean {
  const f = frame.fileName;
  if (installed.test(f)) return true;
  if (packagesDir === undefined || !f.startsWith(packagesDir)) return false;
  const m = codeDir.exec(f.slice(packagesDir.length));
  return m !== null && gomallocLibraryPackages.includes(m[1]!);
}

/**
 * runtime/pprof's `hideRuntime` step: drops the allocator's frames at the top
 * of a stack (up to the first frame `isLibrary` rejects); if that leaves
 * nothing, keeps the whole stack. Library frames below user code are kept.
 */
export function hideLibraryFrames(frames: readonly StackFrame[], isLibrary: FramePredicate): readonly StackFrame[] {
  for (let i = 0; i < frames.length; i++) {
    if (!isLibrary(frames[i]!)) return i === 0 ? frames : frames.slice(i);
  }
  return frames;
}
