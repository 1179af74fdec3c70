// End to end: builds the app with Vite, serves it with `vite preview` (COOP and
// COEP headers), and drives it in Debian's chromium. It checks that the page is
// cross-origin isolated; replays a short workload on every backend, in the page
// and in a Web Worker (where the page reads shared memory through its own
// read-only handle); and checks what the page reports against itself: MemStats
// against the arena map's page counts and inspectHeap's totals, the invariant
// checks, the replay's end state, the canvas's pixels, the events, the Scavenge
// button, and the heap profile download (gzip, then pprof with Go's sample types).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { formatTrace, generateTrace } from "@gomalloc/trace";
import type { Browser, Page } from "playwright-core";
import { Profile } from "pprof-format";
import { build, type PreviewServer, preview } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DemoStatus } from "../src/status.js";
import { chromiumPath, haveChromium, launchChromium, runBrowserTests } from "./browser.js";

const root = fileURLToPath(new URL("..", import.meta.url));

let outDir = "";
let server: PreviewServer | null = null;
let browser: Browser | null = null;
let baseUrl = "";

async function status(page: Page): Promise<DemoStatus> {
  return page.evaluate(() => JSON.parse(JSON.stringify(window.__gomallocDemo)) as DemoStatus);
}

async function open(query: string): Promise<Page> {
  const page = await browser!.newPage({ acceptDownloads: true });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const res = await page.goto(`${baseUrl}?${query}&autostart=0`);
  expect(res?.status()).toBe(200);
  await page.waitForFunction(() => window.__gomallocDemo?.ready === true || window.__gomallocDemo?.error !== null);
  const st = await status(page);
  expect(st.error, `setup error (page errors: ${errors.join("; ")})`).toBeNull();
  return page;
}

async function runToEnd(page: Page): Promise<DemoStatus> {
  await page.click("#run");
  await page.waitForFunction(() => {
    const s = window.__gomallocDemo;
    return !s.running && s.replay !== null && (s.replay.done || s.replay.error !== null || s.error !== null);
  });
  return status(page);
}

/** What the page reports must agree with itself. */
function expectConsistent(st: DemoStatus): void {
  const m = st.memStats!;
  const p = st.pages!;
  const t = st.totals!;
  expect(st.invariants!.ok, st.invariants!.error ?? "").toBe(true);
  expect(st.invariants!.checks).toBeGreaterThan(0);
  expect(m.HeapInuse).toBe(p.inUse * st.pageSize);
  expect(m.HeapIdle - m.HeapReleased).toBe((p.cached + p.free) * st.pageSize);
  expect(m.HeapReleased).toBe(p.released * st.pageSize);
  expect(m.HeapAlloc).toBe(t.bytesInUse);
  expect(m.HeapSys).toBe(m.HeapInuse + m.HeapIdle);
  expect(m.Sys).toBeGreaterThanOrEqual(m.HeapSys);
  expect(m.HeapObjects).toBe(m.Mallocs - m.Frees);
  const pagesPerArena = st.heapArenaBytes / st.pageSize;
  expect(p.inUse + p.cached + p.free + p.released + p.ungrown).toBe(t.arenas * pagesPerArena);
  expect(st.canvas.frames).toBeGreaterThan(0);
  expect(st.canvas.grownCells).toBe(t.arenas * pagesPerArena - p.ungrown);
}

/** Pixels of the arena map that are drawn (not transparent), and how many colours they use. */
async function canvasInk(page: Page): Promise<{ drawn: number; colors: number }> {
  return page.evaluate(() => {
    const c = document.getElementById("pagemap") as HTMLCanvasElement;
    const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
    let drawn = 0;
    const colors = new Set<number>();
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] === 0) continue;
      drawn++;
      colors.add((d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!);
    }
    return { drawn, colors: colors.size };
  });
}

// Under CI a missing browser is a failed test, not a skipped one.
it.runIf(runBrowserTests)(`finds chromium at ${chromiumPath}`, () => {
  expect(haveChromium).toBe(true);
});

describe.runIf(runBrowserTests)("apps/demo in chromium", () => {
  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), "gomalloc-demo-e2e-"));
    await build({ root, logLevel: "warn", build: { outDir, emptyOutDir: true, sourcemap: false } });
    server = await preview({ root, logLevel: "warn", build: { outDir }, preview: { port: 0, strictPort: false } });
    baseUrl = server.resolvedUrls!.local[0]!;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (outDir !== "") rmSync(outDir, { recursive: true, force: true });
  });

  it("is served cross-origin isolated (COOP + COEP), so SharedArrayBuffer exists", async () => {
    const page = await browser!.newPage();
    const res = await page.goto(`${baseUrl}?autostart=0`);
    const h = res!.headers();
    expect(h["cross-origin-opener-policy"]).toBe("same-origin");
    expect(h["cross-origin-embedder-policy"]).toBe("require-corp");
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    expect(await page.evaluate(() => typeof SharedArrayBuffer)).toBe("function");
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("en");
    await page.waitForFunction(() => window.__gomallocDemo?.ready === true);
    expect((await status(page)).crossOriginIsolated).toBe(true);
    await page.close();
  });

  const runs = [
    { backend: "arraybuffer", where: "page", kind: "mixed", source: "page" },
    { backend: "wasm", where: "page", kind: "small-churn", source: "page" },
    { backend: "sab", where: "page", kind: "bulk", source: "page" },
    { backend: "wasm-shared", where: "page", kind: "large", source: "page" },
    { backend: "arraybuffer", where: "worker", kind: "small-churn", source: "worker" },
    { backend: "wasm", where: "worker", kind: "mixed", source: "worker" },
    { backend: "sab", where: "worker", kind: "mixed", source: "attached" },
    { backend: "wasm-shared", where: "worker", kind: "bulk", source: "attached" },
  ] as const;

  for (const r of runs) {
    it(`replays ${r.kind} on ${r.backend} in the ${r.where}, and the figures agree`, async () => {
      const ops = r.kind === "large" ? 600 : 12_000;
      const page = await open(
        `backend=${r.backend}&where=${r.where}&kind=${r.kind}&ops=${ops}&seed=7&opsPerStep=${ops / 4}&speed=30&maxMiB=256`,
      );
      const first = await status(page);
      expect(first.config).toMatchObject({ backend: r.backend, where: r.where, kind: r.kind, ops });
      // One step, then the map must show in-use pages in size-class colours.
      await page.click("#step");
      await page.waitForFunction(() => (window.__gomallocDemo.replay?.position ?? 0) > 0);
      const mid = await status(page);
      expectConsistent(mid);
      expect(mid.source).toBe(r.source);
      expect(mid.pages!.inUse).toBeGreaterThan(0);
      const ink = await canvasInk(page);
      expect(ink.drawn).toBeGreaterThan(1000);
      expect(ink.colors).toBeGreaterThan(3);

      const st = await runToEnd(page);
      expect(st.error).toBeNull();
      expect(st.replay!.error).toBeNull();
      expect(st.replay!.done).toBe(true);
      expect(st.replay!.position).toBe(ops);
      expect(st.replay!.liveObjects).toBe(ops % 2);
      expectConsistent(st);
      expect(st.events.counts.done).toBe(1);
      if (st.memStats!.NumGC > 0) expect(st.events.counts.cycle).toBeGreaterThan(0);
      expect(st.memStats!.Mallocs).toBeGreaterThan(0);

      // Scavenge: everything free goes back to the backend except what shares a physical page with a live span.
      const before = st.memStats!.HeapReleased;
      await page.click("#scavenge");
      await page.waitForFunction(() => window.__gomallocDemo.lastScavenged !== null);
      const sc = await status(page);
      expectConsistent(sc);
      expect(sc.memStats!.HeapReleased).toBe(before + sc.lastScavenged!);
      expect(sc.events.counts.action).toBeGreaterThanOrEqual(2);
      await page.close();
    });
  }

  it("downloads a heap profile: gzip of a pprof profile with Go's heap sample types", async () => {
    const page = await open("backend=sab&where=worker&kind=mixed&ops=6000&seed=3&opsPerStep=2000&speed=30");
    await page.fill("#rate", "1");
    await page.click("#apply-rate");
    await page.click("#step");
    await page.waitForFunction(() => (window.__gomallocDemo.replay?.position ?? 0) > 0);
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#profile")]);
    expect(download.suggestedFilename()).toMatch(/^heap-sab-op\d+\.pb\.gz$/);
    const bytes = readFileSync((await download.path())!);
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
    const st = await status(page);
    expect(st.profile).toEqual({ downloads: 1, lastBytes: bytes.length, lastMagic: [0x1f, 0x8b] });
    const prof = Profile.decode(gunzipSync(bytes));
    const names = prof.sampleType.map((t) => prof.stringTable.strings[Number(t.type)]);
    expect(names).toEqual(["alloc_objects", "alloc_space", "inuse_objects", "inuse_space"]);
    expect(prof.sample.length).toBeGreaterThan(0); // MemProfileRate 1 samples every allocation
    await page.close();
  });

  it("replays a trace file chosen in the page (gomalloc trace gen's format)", async () => {
    const page = await open("backend=arraybuffer&where=page&opsPerStep=5000&speed=30");
    const text = formatTrace(generateTrace({ kind: "small-churn", ops: 4000, seed: 9 }));
    await page.setInputFiles("#trace-file", { name: "churn.trace", mimeType: "text/plain", buffer: Buffer.from(text) });
    await page.waitForFunction(() => (document.getElementById("kind") as HTMLSelectElement).value === "file");
    await page.click("#reset");
    await page.waitForFunction(() => window.__gomallocDemo.ready && window.__gomallocDemo.config?.traceName !== null);
    const st = await runToEnd(page);
    expect(st.config!.traceName).toBe("churn.trace");
    expect(st.replay!.workload).toContain("churn.trace");
    expect(st.replay!.position).toBe(4000);
    expectConsistent(st);
    // The map answers the keyboard: focus it, move the cursor, read the page it names.
    await page.focus("#pagemap");
    await page.keyboard.press("Home");
    await page.keyboard.press("ArrowRight");
    expect(await page.textContent("#page-info")).toMatch(/^arena \d+, page 1 \(0x[0-9a-f]+\): /);
    await page.close();
  });
});
