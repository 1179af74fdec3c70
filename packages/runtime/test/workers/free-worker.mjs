// worker_threads entry of the cross-worker double-free test (workers.test.ts):
// attaches with a P of its own and answers the test's messages — "alloc"
// (sizes → addresses), "free" (addresses → the error tag of each free, or
// null), "detach". Not a test file.
import { parentPort, workerData } from "node:worker_threads";
import { SabSysMemory, setLockRankChecking } from "@gomalloc/os-mem";
import { attachHeap } from "@gomalloc/runtime";

setLockRankChecking(true);
const heap = attachHeap(SabSysMemory.attach(workerData.sab), { p: "any" });
parentPort.on("message", (m) => {
  if (m.op === "alloc") {
    parentPort.postMessage(m.sizes.map((n) => heap.malloc(n)));
  } else if (m.op === "free") {
    parentPort.postMessage(
      m.addrs.map((p) => {
        try {
          heap.free(p);
          return null;
        } catch (e) {
          return e._tag ?? String(e);
        }
      }),
    );
  } else if (m.op === "detach") {
    heap.detach();
    parentPort.postMessage("detached");
    parentPort.close();
  }
});
