/**
 * The size classes in use, one table row each (inspectHeap's SizeClassUsage):
 * spans, live objects, objects freed but not yet swept, free slots, and a bar
 * splitting the class's span bytes into live objects, freed-unswept slots,
 * free slots and the span tail no object fits in (IN1: spanBytes = bytesInUse
 * + freeSlotBytes + tailWasteBytes). Bars share one scale across classes.
 */
import type { HeapInspection, SizeClassUsage } from "@gomalloc/runtime";
import { formatBytes, formatCount } from "../format.js";
import { barColors, classColor } from "./colors.js";

function cell(row: HTMLTableRowElement, text: string, className = "num"): HTMLTableCellElement {
  const td = row.insertCell();
  td.textContent = text;
  if (className !== "") td.className = className;
  return td;
}

function segment(bar: HTMLElement, bytes: number, scale: number, color: string, title: string): void {
  if (bytes <= 0) return;
  const s = document.createElement("span");
  s.style.width = `${(100 * bytes) / scale}%`;
  s.style.background = color;
  s.title = title;
  bar.append(s);
}

/** Renders the rows of `x.sizeClasses` into `tbody` (replacing what was there). */
export function renderClasses(tbody: HTMLTableSectionElement, x: HeapInspection): void {
  let scale = 1;
  for (const c of x.sizeClasses) scale = Math.max(scale, c.spanBytes);
  const rows: HTMLTableRowElement[] = [];
  for (const c of x.sizeClasses) rows.push(classRow(c, scale));
  tbody.replaceChildren(...rows);
  if (rows.length === 0) {
    const r = document.createElement("tr");
    const td = cell(r, "no spans in use", "");
    td.colSpan = 8;
    tbody.append(r);
  }
}

function classRow(c: SizeClassUsage, scale: number): HTMLTableRowElement {
  const r = document.createElement("tr");
  const name = r.insertCell();
  const sw = document.createElement("span");
  sw.className = "swatch";
  sw.style.background = classColor(c.sizeclass);
  name.append(sw, c.sizeclass === 0 ? "large" : String(c.sizeclass));
  cell(r, c.sizeclass === 0 ? "> 32 KiB" : formatBytes(c.elemsize));
  cell(r, c.cachedSpans > 0 ? `${formatCount(c.spans)} (${c.cachedSpans} cached)` : formatCount(c.spans));
  cell(r, formatCount(c.objects));
  cell(r, formatCount(c.freedUnswept));
  cell(r, formatCount(c.freeSlots));
  cell(r, formatBytes(c.freeSlotBytes + c.tailWasteBytes));
  const td = r.insertCell();
  const bar = document.createElement("div");
  bar.className = "bar";
  bar.setAttribute("role", "img");
  const live = c.bytesInUse;
  const freed = c.freedUnswept * c.elemsize;
  const free = c.freeSlotBytes - freed;
  bar.setAttribute(
    "aria-label",
    `${formatBytes(c.spanBytes)} of spans: ${formatBytes(live)} live, ${formatBytes(freed)} freed unswept, ` +
      `${formatBytes(free)} free slots, ${formatBytes(c.tailWasteBytes)} span tail`,
  );
  segment(bar, live, scale, classColor(c.sizeclass), `live objects ${formatBytes(live)}`);
  segment(bar, freed, scale, barColors.freed, `freed, not yet swept ${formatBytes(freed)}`);
  segment(bar, free, scale, barColors.freeSlots, `free slots ${formatBytes(free)}`);
  segment(bar, c.tailWasteBytes, scale, barColors.tail, `span tail ${formatBytes(c.tailWasteBytes)}`);
  td.append(bar);
  return r;
}
