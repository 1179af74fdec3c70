// The browser the e2e test drives (not a test file): Debian's chromium via
// playwright-core, never a downloaded browser. CHROMIUM_PATH overrides the
// path. Where chromium is missing the test is skipped on a workstation but
// fails under CI=true, since .ci/setup-machine installs it there.
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/** Where chromium lives. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** True under CI (CI=true or CI=1), where a missing browser is a failure, not a skip. */
export const inCI = process.env.CI === "true" || process.env.CI === "1";

/** Whether chromium is where {@link chromiumPath} says. */
export const haveChromium = existsSync(chromiumPath);

/** Whether the e2e test can run here; under CI it always "can" (and fails loudly without chromium). */
export const runBrowserTests = inCI || haveChromium;

/** Launches headless chromium with the flags verified in TOOLCHAIN.md. Throws a clear error when it is missing. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `chromium not found at ${chromiumPath}: install Debian's chromium (.ci/setup-machine does) or set CHROMIUM_PATH`,
    );
  }
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}
