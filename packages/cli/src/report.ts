/**
 * The report `gomalloc demo` and `gomalloc replay` print after a replay, in
 * 80 columns: the heap and trace, throughput, Go's MemStats at the peak and
 * at the end, the size classes in use at the peak with their spans and
 * waste, the heap's growth over the replay, what the scavenger returned and
 * what the backend holds, and the verification and profile summaries. Pure
 * formatting of a {@link RunResult}; see packages/cli/README.md.
 */
import type { MemProfileRecord, MemStats } from "@gomalloc/profiling";
import { scaleHeapSample } from "@gomalloc/profiling";
import type { SizeClassUsage } from "@gomalloc/runtime";
import type { RunResult, TimelinePoint } from "./heaprun.js";

/** Report width. */
export const reportWidth = 80;

/** Integer with thousands separators. */
export const count = (n: number): string => Math.round(n).toLocaleString("en-US");

/** `n` bytes as a value in the largest binary unit it reaches: `[1.5, "MiB"]`. */
export function binaryUnits(n: number): [value: number, unit: string] {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return [v, units[u]!];
}

/** Bytes in B/KiB/MiB/GiB with one decimal (three significant digits at most). */
export function bytes(n: number): string {
  const [v, unit] = binaryUnits(n);
  if (unit === "B") return `${Math.round(v)} B`;
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${unit}`;
}

/** Operations per second as `1.75 M` / `310 k`. */
export function rate(perSec: number): string {
  if (perSec >= 1e6) return `${(perSec / 1e6).toFixed(2)} M`;
  if (perSec >= 1e3) return `${(perSec / 1e3).toFixed(1)} k`;
  return perSec.toFixed(0);
}

/**
 * Lays out rows two spaces apart: columns left-aligned where `left` has an
 * "l" at their index, right-aligned otherwise (by default only the first is left).
 */
export function table(rows: readonly (readonly string[])[], left = "l", indent = "  "): string[] {
  const widths: number[] = [];
  for (const r of rows) for (let i = 0; i < r.length; i++) widths[i] = Math.max(widths[i] ?? 0, r[i]!.length);
  return rows.map((r) =>
    (indent + r.map((c, i) => (left[i] === "l" ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ")).trimEnd(),
  );
}

/** Splits `text` at spaces into lines of at most {@link reportWidth} columns, each starting with `indent`. */
export function wrap(text: string, indent: string): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(" ").filter((w) => w !== "")) {
    if (line !== "" && indent.length + line.length + 1 + word.length > reportWidth) {
      out.push(indent + line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  if (line !== "") out.push(indent + line);
  return out;
}

/** What the report needs besides the run. */
export interface ReportHead {
  /** First line: what ran, e.g. "gomalloc replay · mixed.trace". */
  title: string;
  /** One line about the trace's origin (header parameters), or "". */
  traceNote: string;
  /** The profile written: file and rate, or undefined. */
  profile?: { file: string; rate: number; records: readonly MemProfileRecord[] };
  /** How many size-class rows to list (the rest are summed). @defaultValue 16 */
  classRows?: number;
}

const memStatRows: [keyof MemStats, string, "bytes" | "count"][] = [
  ["HeapAlloc", "live objects' bytes", "bytes"],
  ["HeapInuse", "bytes in in-use spans", "bytes"],
  ["HeapIdle", "bytes in free spans", "bytes"],
  ["HeapReleased", "idle bytes returned", "bytes"],
  ["HeapSys", "heap bytes obtained", "bytes"],
  ["Sys", "all bytes, metadata too", "bytes"],
  ["HeapObjects", "live objects", "count"],
  ["Mallocs", "allocations", "count"],
  ["Frees", "frees", "count"],
  ["TotalAlloc", "bytes allocated", "bytes"],
  ["NumGC", "free cycles", "count"],
];

function memStatsSection(r: RunResult): string[] {
  const rows: string[][] = [["", "", "peak", "end", "after GC"]];
  for (const [k, what, kind] of memStatRows) {
    const f = (ms: MemStats) => (kind === "bytes" ? bytes(ms[k] as number) : count(ms[k] as number));
    rows.push([k, what, f(r.peak.memStats), f(r.end.memStats), f(r.after.memStats)]);
  }
  return [
    "MemStats (Go's runtime.MemStats fields)",
    ...table(rows, "ll"),
    `  peak = op ${count(r.peak.op)}, where the most requested bytes were live; after GC =`,
    "  heap.freeCycle() + heap.scavenge(0), Go's runtime.GC + debug.FreeOSMemory.",
  ];
}

function classLabel(c: SizeClassUsage): string {
  return c.sizeclass === 0 ? "large" : String(c.sizeclass);
}

function classRow(c: SizeClassUsage): string[] {
  const used = c.spanBytes === 0 ? 0 : c.bytesInUse / c.spanBytes;
  return [
    classLabel(c),
    c.sizeclass === 0 ? "-" : count(c.elemsize),
    count(c.spans),
    count(c.pages),
    count(c.objects),
    bytes(c.bytesInUse),
    c.sizeclass === 0 ? "-" : bytes(c.freeSlotBytes),
    c.sizeclass === 0 ? "-" : bytes(c.tailWasteBytes),
    `${(100 * used).toFixed(0)}%`,
  ];
}

function sizeClassSection(r: RunResult, limit: number): string[] {
  const x = r.peak.inspection;
  const classes = x.sizeClasses;
  const out = [
    `Size classes in use at the peak (op ${count(r.peak.op)}): ${classes.length} classes, ${count(x.totals.spans)} spans`,
  ];
  if (classes.length === 0) return [...out, "  (none: the heap held no objects)"];
  const head = ["class", "size", "spans", "pages", "objects", "in use", "free slots", "span tail", "used"];
  const shown = [...classes].sort((a, b) => b.spanBytes - a.spanBytes).slice(0, limit);
  const rest = classes.filter((c) => !shown.includes(c));
  const rows = [head, ...shown.sort((a, b) => a.sizeclass - b.sizeclass).map(classRow)];
  const sum = (cs: readonly SizeClassUsage[], label: string): string[] => {
    const t = (f: (c: SizeClassUsage) => number) => cs.reduce((a, c) => a + f(c), 0);
    const spanBytes = t((c) => c.spanBytes);
    return [
      label,
      "",
      count(t((c) => c.spans)),
      count(t((c) => c.pages)),
      count(t((c) => c.objects)),
      bytes(t((c) => c.bytesInUse)),
      bytes(t((c) => c.freeSlotBytes)),
      bytes(t((c) => c.tailWasteBytes)),
      `${spanBytes === 0 ? 0 : ((100 * t((c) => c.bytesInUse)) / spanBytes).toFixed(0)}%`,
    ];
  };
  if (rest.length > 0) rows.push(sum(rest, `+${rest.length}`));
  rows.push(sum(classes, "all"));
  return [
    ...out,
    ...table(rows),
    "  in use = objects × size; free slots = slots with no live object (a freed one",
    "  comes back through its P's reuse stack or its span's next sweep); span tail =",
    "  bytes after the last slot; used = in use ÷ span bytes. Requested sizes are not",
    "  kept, so rounding inside an object is not counted.",
  ];
}

/** Up to `n` timeline points, evenly spaced, with the last one and the peak op included. */
function pickPoints(t: readonly TimelinePoint[], n: number, peakOp: number): TimelinePoint[] {
  if (t.length <= n) return [...t];
  const idx = new Set<number>();
  for (let i = 0; i < n - 1; i++) idx.add(Math.round((i * (t.length - 1)) / (n - 1)));
  idx.add(t.length - 1);
  const p = t.findIndex((x) => x.op === peakOp);
  if (p >= 0) idx.add(p);
  return [...idx].sort((a, b) => a - b).map((i) => t[i]!);
}

function growthSection(r: RunResult): string[] {
  const rows = [["op", "live (req.)", "HeapInuse", "idle kept", "released", "arenas", "Ready"]];
  for (const p of pickPoints(r.timeline, 11, r.peak.op)) {
    rows.push([
      `${count(p.op)}${p.op === r.peak.op ? "*" : ""}`,
      bytes(p.liveBytes),
      bytes(p.heapInuse),
      bytes(p.heapFree),
      bytes(p.heapReleased),
      count(p.arenas),
      bytes(p.ready),
    ]);
  }
  return [
    "Heap growth over the replay (* = the peak)",
    ...table(rows),
    "  idle kept = free heap bytes still backed; released = free bytes returned (or",
    "  never used yet); Ready = committed bytes of the backend, metadata included.",
  ];
}

/** How the report names a backend. */
const backendTitle: Record<string, string> = {
  arraybuffer: "ArrayBuffer",
  sab: "SharedArrayBuffer",
  wasm: "WebAssembly.Memory",
  simulated: "simulated",
};

function scavengerSection(r: RunResult): string[] {
  const end = r.end.inspection;
  const after = r.after.inspection;
  const peakReady = Math.max(...r.timeline.map((p) => p.ready), after.memory.ready);
  const goal = end.cycles.scavengeGoal;
  const goalText = goal === Number.POSITIVE_INFINITY ? "off" : `retain at most ${bytes(goal)} now`;
  const lines = [
    "Scavenger and backend",
    `  released during the replay: ${bytes(r.scavenged)} (goal: ${goalText})`,
    `  retained (in use + idle kept): ${bytes(end.cycles.retained)} at the end, ${bytes(after.cycles.retained)} after GC`,
    `  backend Ready (committed): ${bytes(peakReady)} at most, ${bytes(end.memory.ready)} at the end,`,
    `    ${bytes(after.memory.ready)} after GC`,
  ];
  const buf = after.memory.bufferBytes;
  if (buf !== null) {
    lines.push(
      `  ${backendTitle[after.memory.backend] ?? after.memory.backend} length: ${bytes(buf)}. A flat buffer cannot shrink:`,
      "    released pages are zeroed and kept for reuse.",
    );
  } else {
    lines.push("  the simulated backend decommits released pages, as madvise does on Linux.");
  }
  return lines;
}

function profileSection(head: NonNullable<ReportHead["profile"]>): string[] {
  const bySite = new Map<string, { inuse: number; objects: number; alloc: number }>();
  let samples = 0;
  for (const rec of head.records) {
    const name = rec.stack.find((f) => /^(malloc|realloc) /.test(f.functionName))?.functionName ?? "(other)";
    const [io, ib] = scaleHeapSample(rec.InUseObjects, rec.InUseBytes, head.rate);
    const [, ab] = scaleHeapSample(rec.AllocObjects, rec.AllocBytes, head.rate);
    const s = bySite.get(name) ?? { inuse: 0, objects: 0, alloc: 0 };
    s.inuse += ib;
    s.objects += io;
    s.alloc += ab;
    bySite.set(name, s);
    samples += rec.AllocObjects;
  }
  const top = [...bySite].sort((a, b) => b[1].inuse - a[1].inuse || b[1].alloc - a[1].alloc).slice(0, 8);
  return [
    `Heap profile: ${head.file} (MemProfileRate ${count(head.rate)}, as of the peak)`,
    `  ${count(samples)} sampled allocations in ${bySite.size} sites; estimated (unsampled) figures:`,
    ...table([
      ["site", "inuse_space", "inuse_objects", "alloc_space"],
      ...top.map(([name, s]) => [name, bytes(s.inuse), count(s.objects), bytes(s.alloc)]),
    ]),
    `  go tool pprof -top ${head.file}`,
    `  go tool pprof -http=:8080 ${head.file}`,
  ];
}

/** The whole report (see the file header). */
export function formatReport(r: RunResult, head: ReportHead): string {
  const x = r.end.inspection;
  const lines: string[] = [
    head.title,
    `  heap    ${backendTitle[x.memory.backend] ?? x.memory.backend} backend, ${x.pair} profile, Go ${x.goVersion}:`,
    `          ${bytes(x.pageSize)} pages, ${bytes(x.heapArenaBytes)} arenas, ${bytes(x.physPageSize)} physical pages`,
    `  trace   ${count(r.ops)} ops: ${count(r.allocs)} allocs, ${count(r.frees)} frees, ${count(r.reallocs)} reallocs`,
    `          peak live ${bytes(r.peakLiveBytes)} requested in ${count(r.peakLiveObjects)} objects`,
    ...wrap(head.traceNote, "          "),
  ];
  const secs = r.seconds;
  lines.push(
    "",
    "Throughput",
    `  ${count(r.ops)} ops in ${secs.toFixed(2)} s: ${rate(secs > 0 ? r.ops / secs : 0)} ops/s (replay loop and allocator only)`,
    "",
    ...memStatsSection(r),
    "",
    ...sizeClassSection(r, head.classRows ?? 16),
    "",
    ...growthSection(r),
    "",
    ...scavengerSection(r),
  );
  if (r.verified > 0) {
    lines.push(
      "",
      `Verified: ${count(r.verified)} objects filled with their id's pattern and checked on free,`,
      "  realloc and at the end; heap invariants held at the peak and at the end.",
    );
  }
  if (head.profile !== undefined) lines.push("", ...profileSection(head.profile));
  return `${lines.join("\n")}\n`;
}
