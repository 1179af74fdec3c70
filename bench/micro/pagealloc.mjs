// Page allocator: alloc/free at several sizes, and the per-P page cache. No assertions.

import { PageAlloc, PageCache } from "@gomalloc/mheap";
import { ArrayBufferSysMemory, SimSysMemory, SysStat } from "@gomalloc/os-mem";
import { runSuite } from "./common.mjs";

const amd64 = {
  pageShift: 13,
  heapAddrBits: 48,
  logPallocChunkPages: 9,
  summaryLevels: 5,
  pallocChunksL1Bits: 13,
  arenaBaseOffsetAdd: 2 ** 47,
};
const wasm = { pageShift: 13, heapAddrBits: 32, logPallocChunkPages: 6, summaryLevels: 4, pallocChunksL1Bits: 0 };

function suite(sys, opts, heapBase, heapBytes) {
  const p = PageAlloc.create(sys, opts);
  p.grow(heapBase, heapBytes);
  const ps = 2 ** opts.pageShift;
  // Fragment the first part of the heap: every other 3-page run stays allocated.
  for (let i = 0; i < 200; i++) {
    const a = p.alloc(3);
    if (i % 2 === 0) p.free(a, 3);
  }
  const tasks = {};
  for (const n of [1, 8, 64, 700]) {
    tasks[`alloc(${n}) + free, fragmented heap (per pair)`] = [
      () => {
        for (let i = 0; i < 64; i++) {
          const a = p.alloc(n);
          p.free(a, n);
        }
      },
      64,
    ];
  }
  const rec = sys.sysAlloc(sys.physPageSize, SysStat.other_sys);
  const c = new PageCache(sys.viewOf(rec), rec, ps);
  const held = new Float64Array(64);
  let h = 0;
  tasks["page cache: allocToCache, 64 × alloc(1), free them (per page)"] = [
    () => {
      p.allocToCache(c);
      for (let a = c.alloc(1); a !== 0; a = c.alloc(1)) held[h++] = a;
      c.flush(p);
      for (let i = 0; i < h; i++) p.free(held[i], 1);
      const n = h;
      h = 0;
      return n;
    },
    64,
  ];
  return tasks;
}

export async function main() {
  await runSuite(
    "page allocator: linux/amd64 geometry (5 levels) on simulated memory",
    suite(new SimSysMemory({ addressSpaceEnd: 2 ** 47 }), amd64, 0xc000000000, 256 << 20),
  );
  await runSuite(
    "page allocator: js/wasm geometry (4 levels, 64-page chunks) on an ArrayBuffer",
    suite(ArrayBufferSysMemory.create(new ArrayBuffer(16 << 20)), wasm, 64 << 20, 256 << 20),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
