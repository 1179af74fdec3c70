import { writeFileSync } from "node:fs";
import { HeapProfiler, Wyrand, writeHeapProfile } from "@gomalloc/profiling";

// One sample per 64 KiB on average; a fixed seed makes the run replay exactly.
const prof = new HeapProfiler({
  MemProfileRate: 64 * 1024,
  rand: new Wyrand(1),
  isLibraryFrame: (frame) => frame.functionName === "malloc", // hide our allocator's frame
});

// A toy bump allocator standing in for the runtime. Its fast path is Go's
// mcache check: one subtraction, and profilealloc only when it goes negative.
let nextSample = prof.nextSample();
let memProfRate = prof.MemProfileRate;
let brk = 0x10000;
function malloc(size) {
  const addr = brk;
  brk += size;
  nextSample -= size;
  if (nextSample < 0 || memProfRate !== prof.MemProfileRate) {
    memProfRate = prof.MemProfileRate;
    nextSample = prof.profilealloc(addr, size);
  }
  return addr;
}
function free(addr) {
  prof.recordFree(addr);
}

function loadTextures() {
  const textures = [];
  for (let i = 0; i < 64; i++) textures.push(malloc(256 * 1024));
  return textures;
}
function parseRows() {
  const rows = [];
  for (let i = 0; i < 50_000; i++) rows.push(malloc(64));
  return rows;
}

loadTextures();
for (const row of parseRows()) free(row);
prof.publish(); // the profile now describes this moment

for (const r of prof.memProfile()) {
  const site = r.stack.find((f) => f.functionName !== "malloc");
  console.log(site.functionName, r.size, "B:", r.InUseObjects, "of", r.AllocObjects, "samples in use");
}
writeFileSync("heap.pb.gz", await writeHeapProfile(prof));
// go tool pprof -top heap.pb.gz
