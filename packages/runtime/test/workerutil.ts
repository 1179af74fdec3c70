// Shared by the multi-worker tests (not a test file): where the built
// @gomalloc/runtime is (workers load dist, as a user's worker would), and a
// promise-based runner for one worker_threads Worker.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

/** Throws unless packages/runtime/dist is built (npm test builds before running vitest). */
export function requireDist(): void {
  const dist = fileURLToPath(new URL("../dist/index.js", import.meta.url));
  if (!existsSync(dist)) throw new Error(`${dist} is missing: run \`pnpm run build\` first (workers load the build)`);
}

/** A Worker running test/workers/<name>, with its messages delivered to onMessage. */
export function startWorker(
  name: string,
  workerData: unknown,
  onMessage: (m: Record<string, unknown>) => void,
): Worker {
  // Without the test runner's "@gomalloc/source" condition: workers load dist, as a user's would.
  const execArgv = process.execArgv.filter((a) => !a.includes("conditions") && !a.includes("@gomalloc/source"));
  const w = new Worker(new URL(`./workers/${name}`, import.meta.url), { workerData, execArgv });
  w.on("message", onMessage);
  return w;
}

/** Resolves with the exit code when w exits; rejects on an uncaught error in it. */
export function exited(w: Worker): Promise<number> {
  return new Promise((resolve, reject) => {
    w.once("error", reject);
    w.once("exit", resolve);
  });
}
