/**
 * The arena map: every page of every heap arena as a small square on a
 * canvas, one tile per arena (Go's heapArena), tiles in address order. Pages
 * of in-use spans take their size class's colour and the first page of each
 * span gets a dark left edge, so spans read as runs; free pages show their
 * state (cached, free, released, not grown). Pointing at a page, or moving
 * the keyboard cursor over the map with the arrow keys, names the page.
 */
import { type HeapPageMap, PageMapState } from "@gomalloc/runtime";
import { formatBytes } from "../format.js";
import { classColor, stateColors } from "./colors.js";

/** How tiles and cells are laid out for one map. */
interface Layout {
  cell: number;
  gap: number;
  tileCols: number;
  tileRows: number;
  tilesPerRow: number;
  tileW: number;
  tileH: number;
  width: number;
  height: number;
}

const labelH = 12;
const tileGap = 6;
const maxHeight = 560;

/** Columns of an arena tile: a power of two about twice the rows. */
function tileColumns(pagesPerArena: number): number {
  return Math.min(pagesPerArena, 2 ** Math.ceil(Math.log2(Math.sqrt(pagesPerArena * 4))));
}

function layoutFor(map: HeapPageMap, width: number): Layout {
  const tileCols = tileColumns(map.pagesPerArena);
  const tileRows = Math.ceil(map.pagesPerArena / tileCols);
  const n = Math.max(1, map.arenas.length);
  let best: Layout | null = null;
  for (let cell = 14; cell >= 2; cell--) {
    const gap = cell >= 5 ? 1 : 0;
    const tileW = tileCols * cell;
    const tileH = tileRows * cell + labelH;
    const tilesPerRow = Math.max(1, Math.floor((width + tileGap) / (tileW + tileGap)));
    const height = Math.ceil(n / tilesPerRow) * (tileH + tileGap);
    best = { cell, gap, tileCols, tileRows, tilesPerRow, tileW, tileH, width, height };
    if (height <= maxHeight && tileW <= width) break;
  }
  return best!;
}

/** Draws a {@link HeapPageMap} and answers which page lies under a point. */
export class PageMapView {
  private map: HeapPageMap | null = null;
  private layout: Layout | null = null;
  /** Frames drawn so far. */
  frames = 0;
  /** Cells drawn in the last frame that are not "not grown" (pages the heap has grown into). */
  grownCells = 0;
  /** The keyboard cursor: index of a page in the map's arrays, or -1. */
  cursor = -1;

  constructor(private readonly canvas: HTMLCanvasElement) {}

  /** Redraws the whole map. */
  draw(map: HeapPageMap): void {
    const canvas = this.canvas;
    const cssW = Math.max(200, Math.floor(canvas.parentElement?.clientWidth ?? 800));
    const L = layoutFor(map, cssW);
    const dpr = globalThis.devicePixelRatio || 1;
    const h = Math.max(L.height, 40);
    if (canvas.width !== Math.round(cssW * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(cssW * dpr);
      canvas.height = Math.round(h * dpr);
      canvas.style.width = `${cssW}px`;
      canvas.style.height = `${h}px`;
    }
    const ctx = canvas.getContext("2d");
    if (ctx === null) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, cssW, h);
    ctx.font = "10px system-ui, sans-serif";
    ctx.textBaseline = "top";
    const ppa = map.pagesPerArena;
    const inner = L.cell - L.gap;
    let grown = 0;
    map.arenas.forEach((a, k) => {
      const tx = (k % L.tilesPerRow) * (L.tileW + tileGap);
      const ty = Math.floor(k / L.tilesPerRow) * (L.tileH + tileGap);
      ctx.fillStyle = "#475569";
      ctx.fillText(`arena ${a.index} @ 0x${a.base.toString(16)}`, tx, ty, L.tileW);
      for (let i = 0; i < ppa; i++) {
        const j = k * ppa + i;
        const st = map.state[j]!;
        const x = tx + (i % L.tileCols) * L.cell;
        const y = ty + labelH + Math.floor(i / L.tileCols) * L.cell;
        if (st !== PageMapState.ungrown) grown++;
        ctx.fillStyle = st === PageMapState.inUse ? classColor(map.sizeclass[j]!) : stateColors[st]!;
        ctx.fillRect(x, y, inner, inner);
        if (map.spanStart[j] === 1 && L.cell >= 3) {
          ctx.fillStyle = "rgba(0,0,0,0.75)";
          ctx.fillRect(x, y, 1, inner);
        }
      }
    });
    if (this.cursor >= map.state.length) this.cursor = map.state.length - 1;
    if (this.cursor >= 0) {
      const k = Math.floor(this.cursor / ppa);
      const i = this.cursor % ppa;
      const x = (k % L.tilesPerRow) * (L.tileW + tileGap) + (i % L.tileCols) * L.cell;
      const y = Math.floor(k / L.tilesPerRow) * (L.tileH + tileGap) + labelH + Math.floor(i / L.tileCols) * L.cell;
      ctx.strokeStyle = "#f8fafc";
      ctx.lineWidth = 3;
      ctx.strokeRect(x - 1, y - 1, inner + 2, inner + 2);
      ctx.strokeStyle = "#0f172a";
      ctx.lineWidth = 1.5;
      ctx.strokeRect(x - 1, y - 1, inner + 2, inner + 2);
    }
    if (map.arenas.length === 0) {
      ctx.fillStyle = "#475569";
      ctx.fillText("no arenas yet", 4, 4);
    }
    this.map = map;
    this.layout = L;
    this.frames++;
    this.grownCells = grown;
  }

  /** The page under CSS pixel (x, y): its index in the map's arrays, or -1. */
  pageAt(x: number, y: number): number {
    const map = this.map;
    const L = this.layout;
    if (map === null || L === null) return -1;
    const col = Math.floor(x / (L.tileW + tileGap));
    const row = Math.floor(y / (L.tileH + tileGap));
    const inX = x - col * (L.tileW + tileGap);
    const inY = y - row * (L.tileH + tileGap) - labelH;
    if (col >= L.tilesPerRow || inX >= L.tileW || inY < 0 || inY >= L.tileRows * L.cell) return -1;
    const k = row * L.tilesPerRow + col;
    const i = Math.floor(inY / L.cell) * L.tileCols + Math.floor(inX / L.cell);
    if (k >= map.arenas.length || i >= map.pagesPerArena) return -1;
    return k * map.pagesPerArena + i;
  }

  /**
   * Moves the keyboard cursor for a key (arrows: a page sideways or a row of
   * the tile up or down; Home/End: first or last page) and redraws; false for
   * other keys.
   */
  moveCursor(key: string): boolean {
    const map = this.map;
    const L = this.layout;
    if (map === null || L === null || map.state.length === 0) return false;
    const n = map.state.length;
    const steps: Record<string, number> = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -L.tileCols, ArrowDown: L.tileCols };
    if (key === "Home") this.cursor = 0;
    else if (key === "End") this.cursor = n - 1;
    else if (key in steps) this.cursor = this.cursor < 0 ? 0 : Math.min(n - 1, Math.max(0, this.cursor + steps[key]!));
    else return false;
    this.draw(map);
    return true;
  }

  /** Describes page j of the map (an index from {@link pageAt} or {@link cursor}), or null. */
  describe(j: number, elemsizeOf: (sizeclass: number) => number): string | null {
    const map = this.map;
    if (map === null || j < 0 || j >= map.state.length) return null;
    const i = j % map.pagesPerArena;
    const a = map.arenas[Math.floor(j / map.pagesPerArena)]!;
    const addr = a.base + i * map.pageSize;
    const where = `arena ${a.index}, page ${i} (0x${addr.toString(16)})`;
    const st = map.state[j]!;
    if (st !== PageMapState.inUse) return `${where}: ${stateName(st)}`;
    const c = map.sizeclass[j]!;
    const span = map.spanStart[j] === 1 ? "first page of a span" : "span continues";
    if (c === 0) return `${where}: in use, large object (${span})`;
    return `${where}: in use, size class ${c} (${formatBytes(elemsizeOf(c))} objects, ${span})`;
  }
}

/** A page state's name. */
export function stateName(st: number): string {
  switch (st) {
    case PageMapState.ungrown:
      return "not grown";
    case PageMapState.released:
      return "free, released to the backend";
    case PageMapState.free:
      return "free, backed";
    case PageMapState.cached:
      return "free, in a P's page cache";
    default:
      return "in use";
  }
}
