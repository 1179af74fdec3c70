/**
 * The demo's colours: one hue per size class (golden-angle steps, so
 * neighbouring classes differ), a dark slate for large objects (class 0), and
 * a colour per free page state, shared by the page map, the legend, the size
 * class bars and the charts.
 */
import { PageMapState } from "@gomalloc/runtime";

/** Colour of large-object spans (size class 0). */
export const largeColor = "#1e293b";

const classColors: string[] = [largeColor];
for (let c = 1; c < 256; c++) classColors.push(`hsl(${Math.round((c * 137.508) % 360)} 70% 48%)`);

/** The colour of size class `c`'s spans. */
export function classColor(c: number): string {
  return classColors[c] ?? largeColor;
}

/** Colours of free page states (in-use pages take their class's colour). */
export const stateColors: Readonly<Record<number, string>> = {
  [PageMapState.ungrown]: "#eef0f3",
  [PageMapState.released]: "#bfd4ea",
  [PageMapState.free]: "#9aa3ae",
  [PageMapState.cached]: "#5b6472",
};

/** Legend entries for the page states, in the order a page moves through them when it is freed. */
export const stateLegend: readonly { state: number; label: string; help: string }[] = [
  {
    state: PageMapState.inUse,
    label: "in use",
    help: "in a span; coloured by size class, dark slate for large objects",
  },
  { state: PageMapState.cached, label: "cached", help: "free, in a P's page cache" },
  {
    state: PageMapState.free,
    label: "free",
    help: "free in the page allocator, still backed (HeapIdle − HeapReleased)",
  },
  { state: PageMapState.released, label: "released", help: "returned to the backend by the scavenger (HeapReleased)" },
  {
    state: PageMapState.ungrown,
    label: "not grown",
    help: "reserved arena space the page allocator has not taken yet",
  },
];

/** Colours of the per-class bar parts. */
export const barColors = {
  freed: "#f59e0b",
  freeSlots: "#cbd5e1",
  tail: "#ef4444",
} as const;

/** Colours of the event markers on the charts. */
export const eventColors = {
  cycle: "#d97706",
  scavenge: "#2563eb",
  grow: "#16a34a",
  error: "#dc2626",
  info: "#6b7280",
} as const;
