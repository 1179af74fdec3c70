/**
 * Heap events, found by comparing two snapshots: free cycles started (Go's
 * NumGC; gomalloc's sweep of explicit frees) and forced ones, scavenger
 * releases (bytes the scavenger returned to the backend), arenas added, and
 * the replay finishing or failing; plus what the user did. Shown newest
 * first in a list that screen readers announce.
 */
import { formatBytes, formatCount } from "../format.js";
import type { Snapshot } from "../protocol.js";

/** Kinds of events. */
export type DemoEventKind = "cycle" | "scavenge" | "grow" | "done" | "error" | "action";

/** One event. */
export interface DemoEvent {
  readonly kind: DemoEventKind;
  /** Replay position when it was seen. */
  readonly at: number;
  readonly text: string;
}

/** The events between snapshot `a` (null: none yet) and `b`. */
export function diffEvents(a: Snapshot | null, b: Snapshot): DemoEvent[] {
  const out: DemoEvent[] = [];
  const at = b.replay.position;
  if (a === null) return out;
  const ca = a.inspection.cycles;
  const cb = b.inspection.cycles;
  const cycles = cb.freeCycles - ca.freeCycles;
  if (cycles > 0) {
    const forced = cb.forcedCycles - ca.forcedCycles;
    const what = cycles === 1 ? "free cycle" : `${cycles} free cycles`;
    const note = forced > 0 ? ` (${forced} forced)` : "";
    out.push({
      kind: "cycle",
      at,
      text: `${what}${note}: NumGC ${cb.freeCycles}, HeapAlloc ${formatBytes(b.memStats.HeapAlloc)}, NextGC ${formatBytes(b.memStats.NextGC)}`,
    });
  }
  const released = cb.scavengedTotal - ca.scavengedTotal;
  if (released > 0) {
    out.push({
      kind: "scavenge",
      at,
      text: `scavenger released ${formatBytes(released)}; retained ${formatBytes(cb.retained)}, goal ${formatBytes(cb.scavengeGoal)}`,
    });
  }
  const grew = b.inspection.totals.arenas - a.inspection.totals.arenas;
  if (grew > 0) {
    out.push({
      kind: "grow",
      at,
      text: `heap grew by ${grew} arena${grew === 1 ? "" : "s"} to ${b.inspection.totals.arenas}; Sys ${formatBytes(b.memStats.Sys)}`,
    });
  }
  if (b.replay.done && !a.replay.done) {
    out.push({ kind: "done", at, text: `workload done: ${formatCount(b.replay.total)} operations` });
  }
  if (b.replay.error !== null && a.replay.error === null) out.push({ kind: "error", at, text: b.replay.error });
  if (!b.invariants.ok && a.invariants.ok) {
    out.push({ kind: "error", at, text: `invariant broken: ${b.invariants.error}` });
  }
  return out;
}

const maxShown = 200;

/** The event list and per-kind counts. */
export class EventLog {
  /** Events seen per kind since the last clear. */
  readonly counts: Record<DemoEventKind, number> = { cycle: 0, scavenge: 0, grow: 0, done: 0, error: 0, action: 0 };
  /** The latest events' texts, newest last (for the status object). */
  readonly recent: string[] = [];

  constructor(private readonly list: HTMLOListElement) {}

  /** Empties the log (a new heap). */
  clear(): void {
    this.list.replaceChildren();
    for (const k of Object.keys(this.counts) as DemoEventKind[]) this.counts[k] = 0;
    this.recent.length = 0;
  }

  /** Adds events at the top of the list. */
  add(events: readonly DemoEvent[]): void {
    for (const e of events) {
      this.counts[e.kind]++;
      this.recent.push(`${e.kind}@${e.at}: ${e.text}`);
      if (this.recent.length > 50) this.recent.shift();
      const li = document.createElement("li");
      li.className = `event event-${e.kind}`;
      const tag = document.createElement("span");
      tag.className = "event-kind";
      tag.textContent = e.kind;
      const pos = document.createElement("span");
      pos.className = "event-at";
      pos.textContent = `op ${formatCount(e.at)}`;
      li.append(tag, " ", pos, " ", e.text);
      this.list.prepend(li);
    }
    while (this.list.childElementCount > maxShown) this.list.lastElementChild?.remove();
  }
}
