// Generate a Go-shaped trace, write it as text, read it back, and replay it on
// a small first-fit allocator with the id pattern checked in every object.
// Run after `pnpm build`: node examples/replay.mjs
import { formatTrace, generateTrace, parseTrace, replay, traceStats } from "@gomalloc/trace";

const trace = generateTrace({ kind: "mixed", ops: 20000, seed: 42, meanLifetime: 256 });
const text = formatTrace(trace);
console.log(text.split("\n").slice(0, 4).join("\n"), "\n...");

const again = parseTrace(text); // the same arrays, header included
const stats = traceStats(again);
console.log(`${stats.allocs} allocs, ${stats.frees} frees, peak live ${stats.peakLiveBytes} B`);

// A first-fit free list over one ArrayBuffer: 8-byte header holding the block size.
const mem = new Uint8Array(1 << 24);
const dv = new DataView(mem.buffer);
let top = 8;
const freeList = []; // [addr, size] of free blocks
const allocator = {
  malloc(n) {
    const need = Math.ceil((n + 8) / 8) * 8;
    const i = freeList.findIndex(([, size]) => size >= need);
    if (i >= 0) {
      const [addr, size] = freeList.splice(i, 1)[0];
      dv.setUint32(addr, size);
      return addr + 8;
    }
    if (top + need > mem.length) return 0;
    dv.setUint32(top, need);
    top += need;
    return top - need + 8;
  },
  free(p) {
    freeList.push([p - 8, dv.getUint32(p - 8)]);
  },
};

const result = replay(again, allocator, { bytes: (p, n) => mem.subarray(p, p + n) });
console.log(`replayed ${result.ops} ops, pattern intact; heap top ${top} B for peak live ${result.peakLiveBytes} B`);
