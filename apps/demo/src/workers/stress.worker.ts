/** The Web Worker of the workers page: runs {@link runStress} on the job the page posts. */
import { setLockRankChecking } from "@gomalloc/os-mem";
import { runStress, type StressJob, type StressMessage } from "./stress.js";

interface WorkerScope {
  onmessage: ((e: MessageEvent<StressJob>) => void) | null;
  postMessage(message: StressMessage): void;
}
const scope = globalThis as unknown as WorkerScope;

scope.onmessage = (e) => {
  setLockRankChecking(true); // Go's lock ranks, checked (this page is a test harness)
  try {
    runStress(e.data, (m) => scope.postMessage(m));
  } catch (err) {
    scope.postMessage({ type: "error", message: (err as Error).stack ?? String(err) });
  }
};
