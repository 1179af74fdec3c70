/**
 * `window.__gomallocDemo`: what the page shows, as plain data, for tests and
 * for anyone poking at the demo from the devtools console. Updated after every
 * snapshot and action; never read by the page itself.
 */
import type { HeapUsageTotals } from "@gomalloc/runtime";
import type { DemoConfig, InvariantState, MemStatsFigures, ReplayState, Snapshot } from "./protocol.js";
import type { DemoEventKind } from "./views/events.js";
import { type PageCounts, pageCounts } from "./views/stats.js";

/** The status object's shape. */
export interface DemoStatus {
  /** The page is cross-origin isolated (SharedArrayBuffer and shared wasm memory work). */
  crossOriginIsolated: boolean;
  /** A heap exists and its first snapshot is drawn. */
  ready: boolean;
  /** The replay is running (Start pressed). */
  running: boolean;
  /** The run's configuration (the trace file's text left out). */
  config: Omit<DemoConfig, "traceText"> | null;
  /** Snapshots drawn since the heap was made. */
  snapshots: number;
  /** Who took the last snapshot. */
  source: Snapshot["source"] | null;
  replay: ReplayState | null;
  invariants: InvariantState | null;
  memStats: MemStatsFigures | null;
  /** inspectHeap's totals. */
  totals: HeapUsageTotals | null;
  /** Size classes with spans in use (0 = large). */
  sizeClassesInUse: number[];
  /** Pages of each state on the map. */
  pages: PageCounts | null;
  /** Bytes per page and per arena. */
  pageSize: number;
  heapArenaBytes: number;
  /** The arena map canvas: frames drawn, grown pages drawn in the last frame. */
  canvas: { frames: number; grownCells: number };
  /** Events seen per kind, and the latest texts. */
  events: { counts: Record<DemoEventKind, number>; recent: string[] };
  /** Heap profiles downloaded: count, size and first two bytes of the last one. */
  profile: { downloads: number; lastBytes: number; lastMagic: number[] };
  /** Bytes the last "Scavenge" button press released. */
  lastScavenged: number | null;
  /** The last error an action or the setup raised, or null. */
  error: string | null;
}

/** A fresh status object. */
export function newStatus(): DemoStatus {
  return {
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    ready: false,
    running: false,
    config: null,
    snapshots: 0,
    source: null,
    replay: null,
    invariants: null,
    memStats: null,
    totals: null,
    sizeClassesInUse: [],
    pages: null,
    pageSize: 0,
    heapArenaBytes: 0,
    canvas: { frames: 0, grownCells: 0 },
    events: { counts: { cycle: 0, scavenge: 0, grow: 0, done: 0, error: 0, action: 0 }, recent: [] },
    profile: { downloads: 0, lastBytes: 0, lastMagic: [] },
    lastScavenged: null,
    error: null,
  };
}

/** Copies a snapshot's figures into the status. */
export function statusFromSnapshot(st: DemoStatus, s: Snapshot): void {
  st.snapshots++;
  st.source = s.source;
  st.replay = s.replay;
  st.invariants = s.invariants;
  st.memStats = s.memStats;
  st.totals = s.inspection.totals;
  st.sizeClassesInUse = s.inspection.sizeClasses.map((c) => c.sizeclass);
  st.pages = pageCounts(s);
  st.pageSize = s.inspection.pageSize;
  st.heapArenaBytes = s.inspection.heapArenaBytes;
}

declare global {
  interface Window {
    /** The demo's status (see status.ts). */
    __gomallocDemo: DemoStatus;
  }
}
