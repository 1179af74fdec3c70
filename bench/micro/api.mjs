// The Heap API's small-object entry points against each other and against what a user would write
// instead, on one long-lived heap each (a resizable ArrayBuffer, one P): malloc, tryMalloc, calloc,
// malloc(size, { zero: true }), malloc followed by u8.fill, realloc, and realloc written by hand
// (usableSize, malloc, copyWithin, free). Each operation picks one of 1024 slots and sizes of
// 8–256 bytes from a xorshift; the allocating tasks free a live slot and fill an empty one, the
// realloc tasks resize (or, one time in eight, free) the slot. No assertions.
import { createHeap } from "@gomalloc/runtime";
import { runSuite, xorshift } from "./common.mjs";

const SLOTS = 1024;
const BATCH = 10_000;

// One batch of operations on 1024 slots: a live slot is freed when (x >>> 29) < freeEighths (every
// time for 8, one time in eight for 1), else the slot becomes op(heap, p, size) (p = 0 if empty).
// Each task gets its own compiled copy (as src/replay.ts does for its loop), so that its `op` call
// site sees one function, as a program's would; a shared closure would be megamorphic.
const loopSource = `
  const heap = makeHeap();
  const slots = new Float64Array(${SLOTS});
  const next = xorshift(12345);
  return () => {
    for (let i = 0; i < ${BATCH}; i++) {
      const x = next();
      const k = x & ${SLOTS - 1};
      const p = slots[k];
      if (p !== 0 && x >>> 29 < freeEighths) {
        heap.free(p);
        slots[k] = 0;
      } else slots[k] = op(heap, p, 8 + ((x >>> 10) % 249));
    }
  };`;

const makeHeap = () => createHeap({ buffer: new ArrayBuffer(0, { maxByteLength: 256 << 20 }) });

/** A task running loopSource with its own compiled copy; `op(heap, p, size)` as above. */
const task = (op, freeEighths) =>
  new Function("makeHeap", "xorshift", "op", "freeEighths", loopSource)(makeHeap, xorshift, op, freeEighths);
/** Frees live slots and fills empty ones (p is always 0 then). */
const churn = (op) => task(op, 8);
/** Resizes slots (p = 0 for an empty one), freeing one time in eight. */
const resizing = (op) => task(op, 1);

const ZERO = { zero: true };

export async function main() {
  await runSuite("Heap API, small objects (one op = one malloc-like call or one free)", {
    "malloc / free": [churn((h, _p, n) => h.malloc(n)), BATCH],
    "tryMalloc / free": [churn((h, _p, n) => h.tryMalloc(n)), BATCH],
    "calloc / free": [churn((h, _p, n) => h.calloc(1, n)), BATCH],
    "malloc { zero } / free": [churn((h, _p, n) => h.malloc(n, ZERO)), BATCH],
    "malloc + u8.fill / free": [
      churn((h, _p, n) => {
        const p = h.malloc(n);
        h.u8.fill(0, p, p + n);
        return p;
      }),
      BATCH,
    ],
    realloc: [resizing((h, p, n) => h.realloc(p, n)), BATCH],
    "by hand: usableSize, malloc, copyWithin, free": [
      resizing((h, p, n) => {
        if (p === 0) return h.malloc(n);
        const have = h.usableSize(p);
        if (n <= have && n * 2 >= have) return p; // realloc's in-place rule
        const q = h.malloc(n);
        h.u8.copyWithin(q, p, p + Math.min(n, have));
        h.free(p);
        return q;
      }),
      BATCH,
    ],
  });
}

/**
 * `heap.u8[x]` through the getter (which re-points the array when another handle grew the memory)
 * on each backend a user would share or grow, against the same stores into an array fetched once.
 * One op = one byte stored and one loaded.
 */
function u8Access(heap, hoisted) {
  const p = heap.malloc(4096);
  return () => {
    let s = 0;
    const u8 = hoisted ? heap.u8 : null;
    for (let i = 0; i < BATCH; i++) {
      const a = hoisted ? u8 : heap.u8;
      a[p + (i & 4095)] = i;
      s += (hoisted ? u8 : heap.u8)[p + ((i * 7) & 4095)];
    }
    return s;
  };
}

export async function u8Main() {
  const rab = () => createHeap({ buffer: new ArrayBuffer(0, { maxByteLength: 256 << 20 }) });
  const gsab = () => createHeap({ growableSab: { maxByteLength: 256 << 20 } });
  await runSuite("heap.u8 per access vs an array fetched once (one op = one store and one load)", {
    "heap.u8 each time, resizable ArrayBuffer": [u8Access(rab(), false), BATCH],
    "heap.u8 each time, growable SharedArrayBuffer": [u8Access(gsab(), false), BATCH],
    "heap.u8 fetched once, growable SharedArrayBuffer": [u8Access(gsab(), true), BATCH],
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main();
  await u8Main();
}
