#!/usr/bin/env node
// Regenerates docs/screenshot.png: builds the app into a temporary directory,
// serves it with `vite preview`, runs a mixed workload in a Web Worker on a
// SharedArrayBuffer for a fixed number of steps (seeded, so the picture is the
// same each time), and captures the page in Debian's chromium.
// Usage: pnpm --filter @gomalloc/demo screenshot   (CHROMIUM_PATH overrides /usr/bin/chromium)
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { build, preview } from "vite";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = join(root, "docs", "screenshot.png");
const outDir = mkdtempSync(join(tmpdir(), "gomalloc-demo-shot-"));
const query = "backend=sab&where=worker&kind=mixed&ops=300000&seed=1&live=30000&opsPerStep=5000&autostart=0";
const steps = 30;

await build({ root, logLevel: "warn", build: { outDir, emptyOutDir: true, sourcemap: false } });
const server = await preview({ root, logLevel: "warn", build: { outDir }, preview: { port: 0, strictPort: false } });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 1060 }, deviceScaleFactor: 1 });
  await page.goto(`${server.resolvedUrls.local[0]}?${query}`);
  await page.waitForFunction(() => window.__gomallocDemo?.ready === true);
  for (let i = 0; i < steps; i++) {
    const before = await page.evaluate(() => window.__gomallocDemo.snapshots);
    await page.click("#step");
    await page.waitForFunction((n) => window.__gomallocDemo.snapshots > n, before);
  }
  await page.mouse.move(-1, -1);
  await page.screenshot({ path: out, fullPage: false });
  console.log(`wrote ${out} (${statSync(out).size} bytes)`);
} finally {
  await browser.close();
  await server.close();
  rmSync(outDir, { recursive: true, force: true });
}
