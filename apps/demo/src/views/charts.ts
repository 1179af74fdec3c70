/**
 * Small line charts of MemStats over time (HeapAlloc, HeapInuse, HeapIdle,
 * HeapReleased, Sys), one canvas each, sharing one history of samples. Free
 * cycles and scavenger releases are drawn as vertical marks in every chart,
 * so the drop they cause lines up across the figures.
 */
import { formatBytes } from "../format.js";
import type { MemStatsFigures } from "../protocol.js";
import { eventColors } from "./colors.js";

/** The charted figures, with a line colour each. */
export const chartedFigures: readonly { key: keyof MemStatsFigures; color: string; help: string }[] = [
  { key: "HeapAlloc", color: "#2563eb", help: "bytes of live objects" },
  { key: "HeapInuse", color: "#7c3aed", help: "bytes in in-use spans" },
  { key: "HeapIdle", color: "#64748b", help: "bytes in free spans, released or not" },
  { key: "HeapReleased", color: "#0891b2", help: "free bytes returned to the backend" },
  { key: "Sys", color: "#b45309", help: "all memory obtained from the backend" },
];

/** One sample: the replay position and the figures. */
interface Sample {
  at: number;
  values: number[];
  marks: ("cycle" | "scavenge")[];
}

const maxSamples = 400;

/** The history and its canvases. */
export class Charts {
  private samples: Sample[] = [];
  private readonly canvases: HTMLCanvasElement[];
  private readonly values: HTMLElement[];

  /** Builds one figure (caption, value, canvas) per charted field inside `root`. */
  constructor(root: HTMLElement) {
    this.canvases = [];
    this.values = [];
    for (const f of chartedFigures) {
      const fig = document.createElement("figure");
      fig.className = "chart";
      const cap = document.createElement("figcaption");
      const name = document.createElement("span");
      name.className = "chart-name";
      name.textContent = f.key;
      name.title = f.help;
      name.style.color = f.color;
      const value = document.createElement("output");
      value.className = "chart-value";
      value.id = `chart-${f.key}`;
      cap.append(name, " ", value);
      const canvas = document.createElement("canvas");
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label", `${f.key} over time: ${f.help}`);
      canvas.width = 240;
      canvas.height = 64;
      fig.append(cap, canvas);
      root.append(fig);
      this.canvases.push(canvas);
      this.values.push(value);
    }
  }

  /** Forgets the history (a new heap). */
  clear(): void {
    this.samples = [];
  }

  /** Adds a sample; `marks` are events that happened since the previous one. */
  push(at: number, m: MemStatsFigures, marks: ("cycle" | "scavenge")[]): void {
    this.samples.push({ at, values: chartedFigures.map((f) => m[f.key]), marks });
    if (this.samples.length > maxSamples) this.samples.splice(0, this.samples.length - maxSamples);
  }

  /** Redraws every chart. */
  draw(): void {
    const n = this.samples.length;
    chartedFigures.forEach((f, k) => {
      const canvas = this.canvases[k]!;
      const ctx = canvas.getContext("2d");
      if (ctx === null) return;
      const w = canvas.width;
      const h = canvas.height;
      ctx.clearRect(0, 0, w, h);
      ctx.fillStyle = "#f8fafc";
      ctx.fillRect(0, 0, w, h);
      let max = 1;
      for (const s of this.samples) max = Math.max(max, s.values[k]!);
      const x = (i: number) => (n <= 1 ? w - 1 : (i / (n - 1)) * (w - 1));
      const y = (v: number) => h - 2 - (v / max) * (h - 14);
      this.samples.forEach((s, i) => {
        for (const mark of s.marks) {
          ctx.fillStyle = eventColors[mark];
          ctx.fillRect(Math.round(x(i)), 10, 1, h - 10);
        }
      });
      if (n > 0) {
        ctx.beginPath();
        ctx.moveTo(x(0), h - 1);
        this.samples.forEach((s, i) => {
          ctx.lineTo(x(i), y(s.values[k]!));
        });
        ctx.lineTo(x(n - 1), h - 1);
        ctx.closePath();
        ctx.fillStyle = `${f.color}33`;
        ctx.fill();
        ctx.beginPath();
        this.samples.forEach((s, i) => {
          if (i === 0) ctx.moveTo(x(i), y(s.values[k]!));
          else ctx.lineTo(x(i), y(s.values[k]!));
        });
        ctx.strokeStyle = f.color;
        ctx.lineWidth = 1.5;
        ctx.stroke();
      }
      ctx.fillStyle = "#475569";
      ctx.font = "10px system-ui, sans-serif";
      ctx.textBaseline = "top";
      ctx.fillText(`max ${formatBytes(max)}`, 2, 0);
      const last = n > 0 ? this.samples[n - 1]!.values[k]! : 0;
      this.values[k]!.textContent = formatBytes(last);
    });
  }
}
