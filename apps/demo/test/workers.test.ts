// End to end, many workers on one heap in the browser: builds the app, serves
// it with `vite preview` (cross-origin isolated), opens workers.html in
// Debian's chromium, and waits for its Web Workers — each attached to one
// SharedArrayBuffer heap with a P of its own, handing objects to each other
// through a shared queue — to finish; then checks what the page reports:
// patterns intact (a worker error fails the run), no overlap among the live
// objects, all freed, statistics balanced, invariants held, every worker's P
// idle again, and the page's own mallocs on a thread that may not block.
// Under CI=true a missing chromium is a failed test (see browser.ts), and each
// worker runs the full million operations (20 000 otherwise; GOMALLOC_STRESS_OPS).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { build, type PreviewServer, preview } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WorkersStatus } from "../src/workers/main.js";
import { chromiumPath, haveChromium, launchChromium, runBrowserTests } from "./browser.js";

const root = fileURLToPath(new URL("..", import.meta.url));
/** Operations per worker: the full million under CI=true (as the Node stress), 20 000 otherwise; GOMALLOC_STRESS_OPS overrides. */
const OPS = Number(process.env.GOMALLOC_STRESS_OPS ?? (process.env.CI === "true" ? 1_000_000 : 20_000));
let outDir = "";
let server: PreviewServer | null = null;
let browser: Browser | null = null;
let baseUrl = "";

it.runIf(runBrowserTests)(`finds chromium at ${chromiumPath} (workers page)`, () => {
  expect(haveChromium).toBe(true);
});

describe.runIf(runBrowserTests)("workers.html: Web Workers on one heap in chromium", () => {
  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), "gomalloc-demo-workers-"));
    await build({ root, logLevel: "warn", build: { outDir, emptyOutDir: true, sourcemap: false } });
    server = await preview({ root, logLevel: "warn", build: { outDir }, preview: { port: 0, strictPort: false } });
    baseUrl = server.resolvedUrls!.local[0]!;
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (outDir !== "") rmSync(outDir, { recursive: true, force: true });
  });

  for (const workers of [2, 4, 8]) {
    it(`${workers} Web Workers allocate and free on one SharedArrayBuffer heap`, async () => {
      const seed = Date.now() % 2 ** 31;
      console.log(`workers.html?workers=${workers}&ops=${OPS}&seed=${seed}`);
      const page = await browser!.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      const res = await page.goto(`${baseUrl}workers.html?workers=${workers}&ops=${OPS}&seed=${seed}`);
      expect(res?.status()).toBe(200);
      await page.waitForFunction(() => window.__gomallocWorkers?.done === true, undefined, { timeout: 120_000 });
      const st = (await page.evaluate(() => JSON.parse(JSON.stringify(window.__gomallocWorkers)))) as WorkersStatus;
      expect(errors).toEqual([]);
      expect(st.error).toBeNull();
      expect(st.crossOriginIsolated).toBe(true);
      expect(st.mainThreadCanBlock).toBe(false);
      expect(st.remoteFrees).toBe(st.sent);
      expect(st.remoteFrees).toBeGreaterThan(0);
      expect(st.scanned).toBeGreaterThan(0);
      expect(st.overlaps).toBe(0);
      expect(st.invariantsOk).toBe(true);
      expect(st.heapObjects).toBe(0);
      expect(st.heapAlloc).toBe(0);
      expect(st.mallocsMinusFrees).toBe(0);
      expect(st.pStates).toEqual(["running", ...Array.from({ length: workers }, () => "idle")]);
      expect(st.pageMallocs + st.pageWouldBlock).toBeGreaterThan(0);
      await page.close();
    }, 180_000);
  }
});
