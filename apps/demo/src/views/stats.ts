/**
 * The figures panel: the replay's progress, the invariant check, the
 * MemStats fields the demo shows (Go's names) and the page counts of the map.
 */
import { PageMapState } from "@gomalloc/runtime";
import { formatBytes, formatCount } from "../format.js";
import { type MemStatsFigures, memStatsFigureNames, type Snapshot } from "../protocol.js";

const countFields = new Set<keyof MemStatsFigures>(["HeapObjects", "Mallocs", "Frees", "NumGC", "NumForcedGC"]);

/** Pages of each state in a snapshot's page map, by state name. */
export interface PageCounts {
  inUse: number;
  cached: number;
  free: number;
  released: number;
  ungrown: number;
}

/** Counts the page map's states. */
export function pageCounts(s: Snapshot): PageCounts {
  const c = [0, 0, 0, 0, 0];
  for (const st of s.pageMap.state) c[st]!++;
  return {
    inUse: c[PageMapState.inUse]!,
    cached: c[PageMapState.cached]!,
    free: c[PageMapState.free]!,
    released: c[PageMapState.released]!,
    ungrown: c[PageMapState.ungrown]!,
  };
}

/** Fills the panel's elements (found by id inside `root`). */
export function renderStats(root: HTMLElement, s: Snapshot): void {
  const r = s.replay;
  const progress = root.querySelector<HTMLProgressElement>("#progress")!;
  progress.max = Math.max(1, r.total);
  progress.value = r.position;
  set(
    root,
    "progress-text",
    `${formatCount(r.position)} / ${formatCount(r.total)} operations${r.done ? " (done)" : ""}`,
  );
  set(root, "workload-text", r.workload);
  set(
    root,
    "live-text",
    `${formatCount(r.liveObjects)} objects, ${formatBytes(r.liveBytes)} requested (peak ${formatBytes(r.peakLiveBytes)})`,
  );
  const rate = s.stepMs > 0 ? ` · last step ${formatCount(s.stepOps)} ops in ${s.stepMs.toFixed(1)} ms` : "";
  set(root, "source-text", `${sourceText(s.source)}${rate}`);
  const inv = root.querySelector<HTMLElement>("#invariants")!;
  inv.textContent = s.invariants.ok
    ? `all hold (${formatCount(s.invariants.checks)} checks)`
    : `BROKEN: ${s.invariants.error}`;
  inv.className = s.invariants.ok ? "ok" : "bad";
  const dl = root.querySelector<HTMLDListElement>("#memstats")!;
  const items: HTMLElement[] = [];
  for (const k of memStatsFigureNames) {
    const pair = document.createElement("div");
    const dt = document.createElement("dt");
    dt.textContent = k;
    const dd = document.createElement("dd");
    dd.id = `ms-${k}`;
    dd.textContent = countFields.has(k) ? formatCount(s.memStats[k]) : formatBytes(s.memStats[k]);
    pair.append(dt, dd);
    items.push(pair);
  }
  dl.replaceChildren(...items);
  const pc = pageCounts(s);
  const i = s.inspection;
  set(
    root,
    "map-summary",
    `${i.totals.arenas} arena${i.totals.arenas === 1 ? "" : "s"} of ${formatBytes(i.heapArenaBytes)}, ` +
      `${formatBytes(i.pageSize)} pages: ${formatCount(pc.inUse)} in use in ${formatCount(i.totals.spans)} spans, ` +
      `${formatCount(pc.cached)} cached, ${formatCount(pc.free)} free, ${formatCount(pc.released)} released, ` +
      `${formatCount(pc.ungrown)} not grown. Backend ${i.memory.backend}: ${formatBytes(i.memory.bufferBytes ?? 0)} buffer, ` +
      `${formatBytes(i.memory.ready)} ready.`,
  );
}

function sourceText(src: Snapshot["source"]): string {
  switch (src) {
    case "page":
      return "heap in the page";
    case "worker":
      return "heap in a Web Worker; snapshot posted by the worker";
    case "attached":
      return "heap in a Web Worker; read by the page through a second handle on the shared memory (attachHeap)";
  }
}

function set(root: HTMLElement, id: string, text: string): void {
  const el = root.querySelector<HTMLElement>(`#${id}`);
  if (el !== null) el.textContent = text;
}
