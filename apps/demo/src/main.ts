/**
 * The page: reads the controls into a {@link DemoConfig}, opens a heap in the
 * page or in a worker (clients.ts), runs the replay in timed steps, and after
 * each step draws the snapshot — the arena map, the size-class table, the
 * MemStats charts and figures, the events — and publishes it as
 * `window.__gomallocDemo`. Every call to the heap's owner goes through one
 * queue, so a snapshot read from shared memory never races the worker.
 * The URL's query (`?backend=sab&where=worker&kind=bulk&ops=50000&seed=3&autostart=0`)
 * presets the controls.
 */
import "./style.css";
import { type TraceKind, traceKinds } from "@gomalloc/trace";
import { type EngineClient, openClient } from "./clients.js";
import { formatBytes, formatCount } from "./format.js";
import { backendKinds, backendLabels, type DemoConfig, isSharedBackend, type Snapshot } from "./protocol.js";
import { describeError } from "./snapshot.js";
import { newStatus, statusFromSnapshot } from "./status.js";
import { Charts } from "./views/charts.js";
import { renderClasses } from "./views/classes.js";
import { classColor, stateColors, stateLegend } from "./views/colors.js";
import { type DemoEvent, diffEvents, EventLog } from "./views/events.js";
import { PageMapView } from "./views/pagemap.js";
import { renderStats } from "./views/stats.js";

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`the page has no #${id}`);
  return el as T;
}

const ui = {
  form: byId<HTMLFormElement>("config"),
  backend: byId<HTMLSelectElement>("backend"),
  maxMiB: byId<HTMLSelectElement>("max-mib"),
  gcPercent: byId<HTMLInputElement>("gc-percent"),
  verify: byId<HTMLInputElement>("verify"),
  kind: byId<HTMLSelectElement>("kind"),
  ops: byId<HTMLInputElement>("ops"),
  seed: byId<HTMLInputElement>("seed"),
  live: byId<HTMLInputElement>("live"),
  reallocRate: byId<HTMLInputElement>("realloc-rate"),
  traceFile: byId<HTMLInputElement>("trace-file"),
  run: byId<HTMLButtonElement>("run"),
  step: byId<HTMLButtonElement>("step"),
  reset: byId<HTMLButtonElement>("reset"),
  opsPerStep: byId<HTMLInputElement>("ops-per-step"),
  speed: byId<HTMLInputElement>("speed"),
  speedValue: byId<HTMLOutputElement>("speed-value"),
  scavenge: byId<HTMLButtonElement>("scavenge"),
  freeCycle: byId<HTMLButtonElement>("free-cycle"),
  rate: byId<HTMLInputElement>("rate"),
  applyRate: byId<HTMLButtonElement>("apply-rate"),
  profile: byId<HTMLButtonElement>("profile"),
  message: byId<HTMLElement>("message"),
  figures: byId<HTMLElement>("figures-title").parentElement!,
  map: byId<HTMLElement>("map-title").parentElement!,
  canvas: byId<HTMLCanvasElement>("pagemap"),
  pageInfo: byId<HTMLElement>("page-info"),
  legend: byId<HTMLUListElement>("legend"),
  classes: byId<HTMLTableSectionElement>("classes"),
  events: byId<HTMLOListElement>("events"),
  charts: byId<HTMLElement>("charts"),
  isolation: byId<HTMLElement>("isolation"),
};

const status = newStatus();
window.__gomallocDemo = status;
const mapView = new PageMapView(ui.canvas);
const charts = new Charts(ui.charts);
const log = new EventLog(ui.events);

let client: EngineClient | null = null;
let last: Snapshot | null = null;
let running = false;
let timer: ReturnType<typeof setTimeout> | null = null;
let traceFile: { name: string; text: string } | null = null;
let queue: Promise<unknown> = Promise.resolve();

/** Runs `f` after every earlier call to the heap's owner has finished. */
function serial<T>(f: () => Promise<T>): Promise<T> {
  const p = queue.then(f, f);
  queue = p.catch(() => undefined);
  return p;
}

function say(text: string): void {
  ui.message.textContent = text;
}

function fail(e: unknown): void {
  status.error = describeError(e);
  say(status.error);
  log.add([{ kind: "error", at: last?.replay.position ?? 0, text: status.error }]);
  publishEvents();
  pause();
}

function publishEvents(): void {
  status.events = { counts: { ...log.counts }, recent: [...log.recent] };
}

// ---- configuration ---------------------------------------------------------------------------

function int(input: HTMLInputElement, fallback: number): number {
  const n = Number(input.value);
  return Number.isInteger(n) ? n : fallback;
}

function readConfig(): DemoConfig {
  const where = (ui.form.elements.namedItem("where") as RadioNodeList).value === "worker" ? "worker" : "page";
  const kind = ui.kind.value;
  const file = kind === "file" ? traceFile : null;
  return {
    backend: backendKinds.find((b) => b === ui.backend.value) ?? "arraybuffer",
    where,
    maxBytes: Number(ui.maxMiB.value) * 2 ** 20,
    gcPercent: int(ui.gcPercent, 100),
    memProfileRate: Math.max(0, int(ui.rate, 0)),
    verify: ui.verify.checked,
    kind: (traceKinds as readonly string[]).includes(kind) ? (kind as TraceKind) : "mixed",
    ops: Math.max(2, int(ui.ops, 200_000)),
    seed: Math.max(0, int(ui.seed, 1)),
    live: ui.live.value === "" ? null : Math.max(0, int(ui.live, 0)),
    reallocRate: Math.min(1, Math.max(0, Number(ui.reallocRate.value) || 0)),
    traceText: file?.text ?? null,
    traceName: file?.name ?? null,
  };
}

/** Presets the controls from the URL's query. */
function applyQuery(q: URLSearchParams): void {
  const set = (el: HTMLInputElement | HTMLSelectElement, key: string) => {
    const v = q.get(key);
    if (v !== null) el.value = v;
  };
  set(ui.backend, "backend");
  set(ui.maxMiB, "maxMiB");
  set(ui.gcPercent, "gcPercent");
  set(ui.kind, "kind");
  set(ui.ops, "ops");
  set(ui.seed, "seed");
  set(ui.live, "live");
  set(ui.reallocRate, "reallocRate");
  set(ui.opsPerStep, "opsPerStep");
  set(ui.speed, "speed");
  set(ui.rate, "rate");
  const where = q.get("where");
  if (where === "page" || where === "worker") {
    for (const r of ui.form.querySelectorAll<HTMLInputElement>('input[name="where"]')) r.checked = r.value === where;
  }
  if (q.has("verify")) ui.verify.checked = q.get("verify") !== "0";
  ui.speedValue.value = ui.speed.value;
}

// ---- drawing ---------------------------------------------------------------------------------

function draw(s: Snapshot, extra: DemoEvent[] = []): void {
  const events = [...diffEvents(last, s), ...extra];
  log.add(events);
  const marks: ("cycle" | "scavenge")[] = [];
  for (const e of events) if (e.kind === "cycle" || e.kind === "scavenge") marks.push(e.kind);
  charts.push(s.replay.position, s.memStats, marks);
  charts.draw();
  mapView.draw(s.pageMap);
  renderClasses(ui.classes, s.inspection);
  renderStats(ui.figures, s);
  ui.canvas.setAttribute(
    "aria-label",
    `Map of ${s.inspection.totals.arenas} heap arenas, one square per ${formatBytes(s.pageMap.pageSize)} page`,
  );
  last = s;
  statusFromSnapshot(status, s);
  status.canvas = { frames: mapView.frames, grownCells: mapView.grownCells };
  publishEvents();
  status.ready = true;
}

function buildLegend(): void {
  const items = stateLegend.map((e) => {
    const li = document.createElement("li");
    const sw = document.createElement("span");
    sw.className = "swatch";
    sw.style.background =
      e.label === "in use"
        ? `linear-gradient(90deg, ${classColor(1)}, ${classColor(2)}, ${classColor(3)}, ${classColor(4)})`
        : stateColors[e.state]!;
    li.append(sw, ` ${e.label}`);
    li.title = e.help;
    return li;
  });
  ui.legend.replaceChildren(...items);
}

// ---- running ---------------------------------------------------------------------------------

function stepsPerSecond(): number {
  return Math.min(30, Math.max(1, int(ui.speed, 15)));
}

function setRunning(on: boolean): void {
  running = on;
  status.running = on;
  ui.run.textContent = on ? "Pause" : "Start";
  ui.run.setAttribute("aria-pressed", String(on));
  ui.step.disabled = on;
}

function pause(): void {
  if (timer !== null) clearTimeout(timer);
  timer = null;
  setRunning(false);
}

function finished(s: Snapshot): boolean {
  return s.replay.done || s.replay.error !== null || !s.invariants.ok;
}

async function stepOnce(): Promise<Snapshot | null> {
  const c = client;
  if (c === null) return null;
  const budget = Math.min(40, 600 / stepsPerSecond());
  const s = await serial(() => c.step(Math.max(1, int(ui.opsPerStep, 2000)), budget));
  if (c !== client) return null; // reset meanwhile
  draw(s);
  return s;
}

async function tick(): Promise<void> {
  timer = null;
  if (!running) return;
  const t0 = performance.now();
  try {
    const s = await stepOnce();
    if (s === null || finished(s)) {
      pause();
      if (s !== null)
        say(s.replay.error ?? (s.invariants.ok ? "workload done" : `invariant broken: ${s.invariants.error}`));
      return;
    }
  } catch (e) {
    fail(e);
    return;
  }
  if (running) timer = setTimeout(tick, Math.max(0, 1000 / stepsPerSecond() - (performance.now() - t0)));
}

async function reset(): Promise<void> {
  pause();
  const old = client;
  client = null;
  if (old !== null) await serial(async () => old.close());
  last = null;
  status.ready = false;
  status.error = null;
  status.snapshots = 0;
  status.lastScavenged = null;
  charts.clear();
  log.clear();
  const config = readConfig();
  const { traceText: _, ...shown } = config;
  status.config = shown;
  say("making the heap…");
  try {
    const c = await openClient(config);
    client = c;
    const s = await serial(() => c.snapshot());
    if (c !== client) return;
    draw(s, [
      {
        kind: "action",
        at: 0,
        text: `heap made on ${backendLabels[config.backend]} (max ${formatBytes(config.maxBytes)}) in the ${config.where}`,
      },
    ]);
    say(`ready: ${s.replay.workload}`);
  } catch (e) {
    fail(e);
  }
}

async function action(name: string, f: (c: EngineClient) => Promise<void>): Promise<void> {
  const c = client;
  if (c === null) return;
  try {
    await f(c);
  } catch (e) {
    fail(new Error(`${name}: ${describeError(e)}`));
  }
}

// ---- wiring ----------------------------------------------------------------------------------

function init(): void {
  for (const b of backendKinds) {
    const o = new Option(backendLabels[b], b);
    if (isSharedBackend(b) && !globalThis.crossOriginIsolated) o.disabled = true;
    ui.backend.append(o);
  }
  ui.isolation.textContent = globalThis.crossOriginIsolated
    ? "This page is cross-origin isolated: SharedArrayBuffer and shared WebAssembly.Memory are available."
    : "This page is not cross-origin isolated (no COOP/COEP headers): the shared backends are off.";
  ui.isolation.classList.add(globalThis.crossOriginIsolated ? "ok" : "bad");
  buildLegend();
  const q = new URLSearchParams(location.search);
  applyQuery(q);

  ui.run.addEventListener("click", () => {
    if (running) {
      pause();
      say("paused");
      return;
    }
    if (last !== null && finished(last)) {
      say("the workload has ended: press Reset for a new heap");
      return;
    }
    setRunning(true);
    say("running");
    void tick();
  });
  ui.step.addEventListener("click", () => {
    void stepOnce().catch(fail);
  });
  ui.reset.addEventListener("click", () => void reset());
  ui.speed.addEventListener("input", () => {
    ui.speedValue.value = ui.speed.value;
  });
  ui.scavenge.addEventListener("click", () =>
    action("scavenge", async (c) => {
      const r = await serial(() => c.scavenge());
      status.lastScavenged = r.released;
      draw(r.snapshot, [
        {
          kind: "action",
          at: r.snapshot.replay.position,
          text: `Scavenge pressed: ${formatBytes(r.released)} released`,
        },
      ]);
      say(`scavenged ${formatBytes(r.released)}`);
    }),
  );
  ui.freeCycle.addEventListener("click", () =>
    action("free cycle", async (c) => {
      const s = await serial(() => c.freeCycle());
      draw(s, [{ kind: "action", at: s.replay.position, text: "Free cycle pressed (runtime.GC)" }]);
    }),
  );
  ui.applyRate.addEventListener("click", () =>
    action("MemProfileRate", async (c) => {
      const rate = int(ui.rate, -1);
      await serial(() => c.setMemProfileRate(rate));
      say(`MemProfileRate = ${formatCount(rate)}`);
    }),
  );
  ui.profile.addEventListener("click", () =>
    action("heap profile", async (c) => {
      const bytes = await serial(() => c.profile());
      status.profile = {
        downloads: status.profile.downloads + 1,
        lastBytes: bytes.length,
        lastMagic: [bytes[0] ?? -1, bytes[1] ?? -1],
      };
      const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: "application/gzip" }));
      const a = document.createElement("a");
      a.href = url;
      a.download = `heap-${status.config?.backend ?? "heap"}-op${last?.replay.position ?? 0}.pb.gz`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      say(`heap profile: ${formatBytes(bytes.length)} (read it with go tool pprof)`);
    }),
  );
  ui.traceFile.addEventListener("change", async () => {
    const f = ui.traceFile.files?.[0];
    if (f === undefined) return;
    traceFile = { name: f.name, text: await f.text() };
    const opt = ui.kind.querySelector<HTMLOptionElement>('option[value="file"]')!;
    opt.disabled = false;
    opt.textContent = `trace file: ${f.name}`;
    ui.kind.value = "file";
    say(`loaded ${f.name}: press Reset to replay it`);
  });
  const showPage = (j: number) => {
    const sc = last?.inspection.sizeClasses ?? [];
    const text = mapView.describe(j, (c) => sc.find((u) => u.sizeclass === c)?.elemsize ?? 0);
    if (text !== null) ui.pageInfo.textContent = text;
  };
  ui.canvas.addEventListener("mousemove", (e) => {
    const r = ui.canvas.getBoundingClientRect();
    showPage(mapView.pageAt(e.clientX - r.left, e.clientY - r.top));
  });
  ui.canvas.addEventListener("keydown", (e) => {
    if (!mapView.moveCursor(e.key)) return;
    e.preventDefault();
    showPage(mapView.cursor);
  });
  window.addEventListener("resize", () => {
    if (last !== null) mapView.draw(last.pageMap);
  });

  void reset().then(() => {
    if (q.get("autostart") !== "0" && client !== null) ui.run.click();
  });
}

init();
