// The Heap API's small-object entry points against each other and against what a user would write
// instead, on one long-lived heap each (a resizable ArrayBuffer, one P): malloc, tryMalloc, calloc,
// malloc(size, { zero: true }), malloc followed by u8.fill, realloc, and realloc written by hand
// (usableSize, malloc, copyWithin, free). Each operation picks one of 1024 slots and sizes of
// 8–256 bytes from a xorshift; the allocating tasks free a live slot and fill an empty one, the
// realloc tasks resize (or, one time in eight, free) the slot. No assertions.
import { createHeap } from "@gomalloc/runtime";
import { runSuite } from "./common.mjs";

const SLOTS = 1024;
const BATCH = 10_000;

/** A heap, its slots, and a xorshift whose state lives in a typed array (no boxing). */
function setup() {
  const heap = createHeap({ buffer: new ArrayBuffer(0, { maxByteLength: 256 << 20 }) });
  const st = new Uint32Array([12345]);
  const next = () => {
    let s = st[0];
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    st[0] = s;
    return s >>> 0;
  };
  return { heap, slots: new Float64Array(SLOTS), next };
}

/** A task that frees a live slot or fills an empty one with `alloc(heap, size)`. */
function churn(alloc) {
  const { heap, slots, next } = setup();
  return () => {
    for (let i = 0; i < BATCH; i++) {
      const x = next();
      const k = x & (SLOTS - 1);
      const p = slots[k];
      if (p !== 0) {
        heap.free(p);
        slots[k] = 0;
      } else slots[k] = alloc(heap, 8 + ((x >>> 10) % 249));
    }
  };
}

/** A task that resizes a slot with `resize(heap, p, size)` (p = 0 for an empty slot), or frees it. */
function resizing(resize) {
  const { heap, slots, next } = setup();
  return () => {
    for (let i = 0; i < BATCH; i++) {
      const x = next();
      const k = x & (SLOTS - 1);
      const p = slots[k];
      if (p !== 0 && x >>> 29 === 0) {
        heap.free(p);
        slots[k] = 0;
      } else slots[k] = resize(heap, p, 8 + ((x >>> 10) % 249));
    }
  };
}

const ZERO = { zero: true };

export async function main() {
  await runSuite("Heap API, small objects (one op = one malloc-like call or one free)", {
    "malloc / free": [churn((h, n) => h.malloc(n)), BATCH],
    "tryMalloc / free": [churn((h, n) => h.tryMalloc(n)), BATCH],
    "calloc / free": [churn((h, n) => h.calloc(1, n)), BATCH],
    "malloc { zero } / free": [churn((h, n) => h.malloc(n, ZERO)), BATCH],
    "malloc + u8.fill / free": [
      churn((h, n) => {
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

if (import.meta.url === `file://${process.argv[1]}`) await main();
