// Span hot paths: nextFreeFast / nextFree, explicit free, sweep. No assertions.
import { SabSysMemory, SimSysMemory } from "@gomalloc/os-mem";
import {
  F_allocCacheHi,
  F_allocCacheLo,
  F_allocCount,
  F_freeindex,
  free,
  MSpanTable,
  nextFree,
  nextFreeFast,
  SpanAlloc,
  sweep,
} from "@gomalloc/span";
import { runSuite } from "./common.mjs";

const BASE = 0xc000000000;

function classSpan(t, elemsize, npages) {
  const s = t.allocSpan();
  t.init(s, BASE, npages);
  t.initSpan(s, (5 << 1) | 1, elemsize, Math.floor(0xffffffff / elemsize) + 1, false, 0);
  return s;
}

/** Makes a never-swept span empty again (allocBits are all zero). */
function reset(t, s) {
  t.setU32(s, F_freeindex, 0);
  t.setU32(s, F_allocCacheLo, 0xffffffff);
  t.setU32(s, F_allocCacheHi, 0xffffffff);
  t.setU32(s, F_allocCount, 0);
}

function suite(sys) {
  const t = new MSpanTable(SpanAlloc.create(sys));
  const tasks = {};
  for (const [es, np] of [
    [8, 1],
    [128, 1],
    [1024, 1],
  ]) {
    // One call fills the span through nextFreeFast (falling back to nextFree at
    // each 64-object window, as mallocgc does), then resets it: nelems allocations.
    const s = classSpan(t, es, np);
    const n = t.nelems(s);
    tasks[`nextFreeFast, ${es} B objects (${n} per span)`] = [
      () => {
        for (let i = 0; i < n; i++) if (nextFreeFast(t, s) === 0) nextFree(t, s);
        reset(t, s);
      },
      n,
    ];
  }
  // free + sweep: free every object of a full span, sweep it empty, refill it.
  for (const [es, np] of [
    [8, 1],
    [48, 1],
  ]) {
    const s = classSpan(t, es, np);
    const n = t.nelems(s);
    const objs = new Float64Array(n);
    for (let i = 0; i < n; i++) objs[i] = nextFree(t, s);
    tasks[`free all ${n} objects + sweep, ${es} B objects (per object)`] = [
      () => {
        for (let i = 0; i < n; i++) free(t, s, objs[i]);
        sweep(t, s);
        for (let i = 0; i < n; i++) objs[i] = nextFree(t, s);
      },
      n,
    ];
    const s2 = classSpan(t, es, np);
    for (let i = 0; i < n; i++) nextFree(t, s2);
    tasks[`sweep with nothing freed, ${es} B objects (per sweep)`] = [() => sweep(t, s2), 1];
  }
  return tasks;
}

export async function main() {
  await runSuite(
    "span: simulated linux/amd64 memory (ArrayBuffer views)",
    suite(new SimSysMemory({ addressSpaceEnd: 2 ** 47 })),
  );
  await runSuite(
    "span: SharedArrayBuffer memory (Atomics on free and sweep)",
    suite(SabSysMemory.create({ maxByteLength: 64 << 20 })),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
