/**
 * Making heaps: `createHeap` (Go's mallocinit over a backend — the heap
 * record, the P table with one mcache per P, the heap's root record in
 * os-mem root slot 0) and `attachHeap` (a second handle on the same memory:
 * another worker over a SharedArrayBuffer, or after a structured clone),
 * with their options. The `Heap` handle itself is in heap.ts. See
 * docs/design.md, "The heap".
 */
import { type GoVersion, getProfileByPair, isGoVersion, type Profile } from "@gomalloc/arch";
import { MHeap, type MHeapOptions } from "@gomalloc/mheap";
import {
  ArrayBufferSysMemory,
  isSharedBuffer,
  type MemView,
  SabSysMemory,
  SimSysMemory,
  type SysMemory,
  SysStat,
  WasmSysMemory,
} from "@gomalloc/os-mem";
import { FixAlloc } from "@gomalloc/persistent";
import type { CheapRand } from "@gomalloc/profiling";
import { SizeClasses } from "@gomalloc/sizeclass";
import { HeapAttachError, HeapOptionError, NoProcessorError } from "./errors.js";
import {
  checkScavengeGoal,
  Heap,
  heapRootSlot,
  R_CACHEALLOC,
  R_EMPTY,
  R_GOVERSION,
  R_HUGE,
  R_LAYOUT,
  R_MAGIC,
  R_MHEAP,
  R_NUMPS,
  R_PAIR,
  R_PTABLE,
  ROOT_BYTES,
  ROOT_LAYOUT,
  ROOT_MAGIC,
} from "./heap.js";
import { checkProfileRunnable, defaultProfile, mallocinitChecks } from "./mallocinit.js";
import { initMCache, MCacheLayout } from "./mcache.js";
import { initP, pRecordBytes } from "./proc.js";
import { tinyBlockSpanClass, tinySideBytes } from "./tiny.js";

/** Where a heap's memory comes from: exactly one of these. */
export interface HeapMemoryOptions {
  /** Any os-mem backend. */
  memory?: SysMemory;
  /** A caller's ArrayBuffer (fixed or resizable); formatted from byte 0 (unless it holds a heap: see `overwrite`). */
  buffer?: ArrayBuffer;
  /** A WebAssembly.Memory (shared or not); pass its maximum in `maximumPages`. */
  wasmMemory?: WebAssembly.Memory;
  /** The wasm memory's maximum, in 64 KiB pages (JS cannot read it back). @defaultValue 65536 */
  maximumPages?: number;
  /** A SharedArrayBuffer (growable or fixed) to format. */
  sab?: SharedArrayBuffer;
  /** A new growable SharedArrayBuffer of this maximum. */
  growableSab?: { maxByteLength: number };
  /**
   * Format `buffer`, `sab` or `wasmMemory` even if it already holds a
   * gomalloc heap (one made by createHeap, its handles perhaps still in use
   * in other workers). Without it, such memory is refused with
   * HeapOptionError: attach to that heap with {@link attachHeap}.
   * @defaultValue false
   */
  overwrite?: boolean;
  /** A simulated address space for a GOOS/GOARCH pair, e.g. "linux/amd64" (any pair but aix). */
  simulated?: string;
}

/** Options of {@link createHeap}. */
export interface CreateHeapOptions extends HeapMemoryOptions {
  /** The Go release whose constants and policies the heap follows. @defaultValue "1.26" */
  goVersion?: GoVersion;
  /** The platform profile (overrides goVersion); flat backends run js/wasm only. @defaultValue js/wasm on flat backends, linux/amd64 on simulated ones */
  profile?: Profile;
  /** Number of Ps (mcaches) in the P table; fixed for the heap's life. @defaultValue 1 */
  numPs?: number;
  /** Go's physHugePageSize (0 = none); one larger than a chunk is ignored, as mallocinit does. @defaultValue 0 */
  physHugePageSize?: number;
  /**
   * gomalloc's GOGC: start a free cycle when the bytes freed but not yet
   * swept reach this percentage of the live heap (at least 4 MiB·gcPercent/100);
   * negative turns that trigger off (cycles then run only before the heap grows).
   * An integer in Go's int32 range, else HeapOptionError.
   * @defaultValue 100
   */
  gcPercent?: number;
  /**
   * The scavenger's goal: keep at most this much heap memory retained (in
   * use plus free, not released): `{ retainedBytes }`, `{ fraction: f }` =
   * (1 + f) × the in-use heap, or `{ heapGoalFraction: f }` = (1 + f) × the
   * heap goal (NextGC), Go's own rule. The value must be ≥ 0 (Infinity: no
   * releases), else HeapOptionError, as for {@link Heap.setScavengeGoal}.
   * @defaultValue `{ heapGoalFraction: 0.1 }` (Go's retainExtraPercent)
   */
  scavengeGoal?: ScavengeGoal;
  /** Go's MemProfileRate for this handle's profiler (0 = off, Go's default is 512 KiB). @defaultValue 0 */
  memProfileRate?: number;
  /** Random source of the profiler's sampling (seed it for replayable samples). */
  profilerRand?: CheapRand;
  /**
   * JavaScript frames captured per sampled allocation (0: no stacks, each
   * sample is keyed by its size alone). @defaultValue 32 (Go's maxProfStackDepth is larger; JS stacks cost more to capture)
   */
  profilerStackDepth?: number;
}

/** A goal for the scavenger (see {@link CreateHeapOptions.scavengeGoal}). */
export type ScavengeGoal = { retainedBytes: number } | { fraction: number } | { heapGoalFraction: number };

/** Options of {@link attachHeap}. */
export interface AttachHeapOptions {
  /**
   * Which P to hold: "none" (read statistics only), "any" (an idle one, or
   * throw NoProcessorError), or an index — taken even if another handle holds
   * it, for a handle that went away without `close` (e.g. after a structured
   * clone of an ArrayBuffer).
   * @defaultValue "none"
   */
  p?: "none" | "any" | number;
  /** Go's MemProfileRate for this handle's profiler. @defaultValue 0 */
  memProfileRate?: number;
  /** Random source of this handle's profiler. */
  profilerRand?: CheapRand;
  /** JavaScript frames captured per sampled allocation (see {@link CreateHeapOptions.profilerStackDepth}). */
  profilerStackDepth?: number;
  /**
   * Whether this thread may sleep in `Atomics.wait` when a heap lock is
   * contended (detected by default: false on a browser main thread). When
   * false, a contended lock is spun on for a bounded time and then
   * LockWouldBlockError is thrown, leaving the heap unchanged — never a hang.
   */
  blocking?: boolean;
}

const sizeClassesCache = new Map<string, SizeClasses>();
function sizeClassesFor(v: GoVersion): SizeClasses {
  let sc = sizeClassesCache.get(v);
  if (sc === undefined) {
    sc = v === "1.26" ? SizeClasses.defaults : SizeClasses.generate({ goVersion: v });
    sizeClassesCache.set(v, sc);
  }
  return sc;
}

/**
 * Throws HeapOptionError if the memory `attach` opens already holds a heap
 * (an os-mem header whose root slot 0 points at a heap's root record) and
 * `overwrite` was not given: formatting it would wipe a heap other handles
 * may still be using.
 */
function refuseLiveHeap(o: CreateHeapOptions, key: string, attach: () => SysMemory): void {
  if (o.overwrite === true) return;
  let sys: SysMemory;
  try {
    sys = attach();
  } catch {
    return; // no os-mem header: nothing to lose
  }
  const root = sys.getRoot(heapRootSlot);
  let magic = 0;
  try {
    if (root !== 0) magic = sys.viewOf(root).getU32(root + R_MAGIC);
  } catch {
    return; // the slot points outside managed memory: no heap
  }
  if (magic === ROOT_MAGIC) {
    throw new HeapOptionError(
      key,
      "it already holds a gomalloc heap: attach to it with attachHeap, or pass overwrite: true to format a new one",
    );
  }
}

/** Builds the backend the options name. */
function buildMemory(o: CreateHeapOptions, version: GoVersion): { sys: SysMemory; profile: Profile | undefined } {
  const given = [o.memory, o.buffer, o.wasmMemory, o.sab, o.growableSab, o.simulated].filter((x) => x !== undefined);
  if (given.length !== 1) {
    throw new HeapOptionError("memory", "give exactly one of memory, buffer, wasmMemory, sab, growableSab, simulated");
  }
  if (o.memory !== undefined) return { sys: o.memory, profile: undefined };
  if (o.overwrite !== undefined && typeof o.overwrite !== "boolean") {
    throw new HeapOptionError("overwrite", `${String(o.overwrite)} is not a boolean`);
  }
  if (o.buffer !== undefined) {
    const buffer = o.buffer;
    refuseLiveHeap(o, "buffer", () => ArrayBufferSysMemory.attach(buffer));
    return { sys: ArrayBufferSysMemory.create(buffer), profile: undefined };
  }
  if (o.wasmMemory !== undefined) {
    const memory = o.wasmMemory;
    refuseLiveHeap(o, "wasmMemory", () => WasmSysMemory.attach(memory));
    return { sys: WasmSysMemory.create(memory, { maximumPages: o.maximumPages }), profile: undefined };
  }
  if (o.sab !== undefined) {
    const sab = o.sab;
    refuseLiveHeap(o, "sab", () => SabSysMemory.attach(sab));
    return { sys: SabSysMemory.create({ buffer: sab }), profile: undefined };
  }
  if (o.growableSab !== undefined) {
    return { sys: SabSysMemory.create({ maxByteLength: o.growableSab.maxByteLength }), profile: undefined };
  }
  const p = o.profile ?? getProfileByPair(version, o.simulated!);
  const sbrk = p.goarch === "wasm" || p.goos === "plan9";
  if (p.heapAddrBits > 52 || p.goos === "aix") checkProfileRunnable(p, new SimSysMemory({ heapAddrBits: 48 }));
  const sys = new SimSysMemory({
    physPageSize: p.DefaultPhysPageSize,
    heapAddrBits: p.heapAddrBits,
    addressSpaceEnd: p.heapAddrBits === 48 ? 2 ** 47 : undefined,
    goos: p.goos,
    sbrk,
  });
  return { sys, profile: p };
}

/**
 * Creates a heap over a backend: mallocinit's checks, the heap record and
 * page allocator, arena hints, the P table with one mcache per P, the root
 * record in root slot 0. The returned handle holds P 0. Throws
 * HeapOptionError, UnsupportedProfileError, MallocInitError, or
 * MHeapInitError (the backend refused the heap's metadata).
 *
 * @example
 * ```ts
 * const heap = createHeap({ buffer: new ArrayBuffer(0, { maxByteLength: 64 << 20 }) });
 * const p = heap.malloc(100);
 * heap.u8.set([1, 2, 3], p);
 * heap.free(p);
 * ```
 */
export function createHeap(opts: CreateHeapOptions): Heap {
  const heap = newHeap(opts);
  keepShapes(opts);
  return heap;
}

/**
 * V8 specialises the heap's optimized code on the hidden classes ("maps") of
 * its handle objects (Heap, MemView, MHeap, the backend…), and holds those
 * maps weakly: when the last object with a map dies, the map goes and every
 * function optimized against it is thrown away. A program that drops its
 * only heap and makes another (a fresh heap per request, per test, per
 * benchmark round) would then run each new heap's first few hundred thousand
 * operations unoptimized. So the first heap of each backend kind also makes a
 * small template heap of that kind (a few hundred KiB of its own memory, one
 * tiny, one small and one large object allocated and freed) and keeps it for
 * the life of the process: its objects keep the maps alive.
 */
const shapeKeepers = new Map<string, Heap | null>();

/** @internal The template heaps made so far, by backend kind (null: being made, or its making failed). */
export function templateHeaps(): ReadonlyMap<string, Heap | null> {
  return shapeKeepers;
}

/** The backend kind of createHeap's options, and a maker of a small memory of that kind; null for `memory`. */
function templateOf(o: CreateHeapOptions): [string, () => CreateHeapOptions] | null {
  if (o.buffer !== undefined) {
    return o.buffer.resizable
      ? ["ab-resizable", () => ({ buffer: new ArrayBuffer(0, { maxByteLength: 4 << 20 }) })]
      : ["ab-fixed", () => ({ buffer: new ArrayBuffer(2 << 20) })];
  }
  if (o.wasmMemory !== undefined) {
    const shared = isSharedBuffer(o.wasmMemory.buffer);
    return [
      shared ? "wasm-shared" : "wasm",
      () => ({ wasmMemory: new WebAssembly.Memory({ initial: 0, maximum: 64, shared }), maximumPages: 64 }),
    ];
  }
  if (o.growableSab !== undefined || o.sab?.growable === true) {
    return ["sab-growable", () => ({ growableSab: { maxByteLength: 4 << 20 } })];
  }
  if (o.sab !== undefined) return ["sab-fixed", () => ({ sab: new SharedArrayBuffer(2 << 20) })];
  if (o.simulated !== undefined) {
    const pair = o.simulated;
    return [`sim-${pair}`, () => ({ simulated: pair })];
  }
  return null;
}

/** Makes the template heap of opts' backend kind once per process (see {@link shapeKeepers}); never throws. */
function keepShapes(opts: CreateHeapOptions): void {
  const kind = templateOf(opts);
  if (kind === null || shapeKeepers.has(kind[0])) return;
  shapeKeepers.set(kind[0], null);
  try {
    const t = newHeap({ ...kind[1](), goVersion: opts.profile?.goVersion ?? opts.goVersion });
    const a = t.malloc(8);
    const b = t.malloc(100);
    const c = t.malloc(t.sizeClasses.maxSmallSize + 1);
    t.free(a);
    t.free(b);
    t.free(c);
    shapeKeepers.set(kind[0], t);
  } catch {
    // A template is only an optimisation: without it, heaps still work.
  }
}

function newHeap(opts: CreateHeapOptions): Heap {
  const version = opts.profile?.goVersion ?? opts.goVersion ?? "1.26";
  if (!isGoVersion(version)) throw new HeapOptionError("goVersion", `${String(version)} is not 1.19 or 1.26`);
  const numPs = opts.numPs ?? 1;
  if (!Number.isInteger(numPs) || numPs < 1 || numPs > 256) {
    throw new HeapOptionError("numPs", `${numPs} is not an integer in [1, 256]`);
  }
  const gcPercent = opts.gcPercent ?? 100;
  if (!Number.isInteger(gcPercent) || gcPercent < -(2 ** 31) || gcPercent >= 2 ** 31) {
    throw new HeapOptionError("gcPercent", `${gcPercent} is not an integer in Go's int32 range`);
  }
  if (opts.scavengeGoal !== undefined) checkScavengeGoal(opts.scavengeGoal);
  const built = buildMemory(opts, version);
  const sys = built.sys;
  const profile = opts.profile ?? built.profile ?? defaultProfile(sys, version);
  checkProfileRunnable(profile, sys);
  const sc = sizeClassesFor(profile.goVersion);
  const { physHugePageSize } = mallocinitChecks({
    profile,
    sizeClasses: sc,
    physPageSize: sys.physPageSize,
    physHugePageSize: opts.physHugePageSize ?? 0,
  });
  if (sys.getRoot(heapRootSlot) !== 0) {
    throw new HeapOptionError("memory", "it already holds a heap (root slot 0 is set): use attachHeap");
  }
  const mopts: MHeapOptions = {
    profile,
    sizeClasses: sc,
    physHugePageSize,
    tinySideBytes: tinySideBytes(sc.class_to_nelems[sc.tinySizeClass]!),
    tinySideSpanClass: tinyBlockSpanClass(sc),
    // Several workers: span bitmaps a cache line each, so that frees into different spans do not
    // write one line from two cores (measured: 2-worker scaling 1.45× → 1.62×, bench:workers).
    ...(numPs > 1 && sys.caps.sharedBetweenWorkers ? { spanTable: { minBitmapBytes: 64 } } : {}),
  };
  const h = MHeap.create(sys, mopts);
  h.setField("gcPercent", gcPercent);
  h.setScavengeGoal(opts.scavengeGoal ?? { heapGoalFraction: profile.retainExtraPercent / 100 });
  const v = h.v;
  const layout = new MCacheLayout(sc);
  const root = h.spanAlloc.allocMeta(ROOT_BYTES, 8, SysStat.other_sys);
  const ptable = h.spanAlloc.allocMeta(numPs * pRecordBytes, 64, SysStat.other_sys); // a P per cache line
  const empty = h.spans.allocSpan();
  if (root === 0 || ptable === 0 || empty === 0) throw new HeapOptionError("memory", "no room for the heap's records");
  // One mcache per P, all made now: a chunk of exactly numPs records (at most Go's 16 KiB chunk).
  const cachealloc = FixAlloc.init(sys, root + R_CACHEALLOC, layout.bytes, h.spanAlloc.palloc, SysStat.mcache_sys, {
    chunkBytes: Math.max(layout.bytes, Math.min(16 << 10, numPs * layout.bytes)),
  });
  v.setU32(root + R_LAYOUT, ROOT_LAYOUT);
  v.setU32(root + R_GOVERSION, profile.goVersion === "1.19" ? 119 : 126);
  v.setU32(root + R_NUMPS, numPs);
  v.setF64(root + R_MHEAP, h.rec);
  v.setF64(root + R_PTABLE, ptable);
  v.setF64(root + R_EMPTY, empty);
  v.setF64(root + R_HUGE, physHugePageSize);
  const pair = new TextEncoder().encode(profile.pair);
  v.u8.set(pair.subarray(0, 32), root + R_PAIR - v.base);
  const heap = new Heap(sys, profile, sc, h, root, opts);
  for (let i = 0; i < numPs; i++) {
    const mc = cachealloc.alloc();
    if (mc === 0) throw new HeapOptionError("memory", "no room for the mcaches");
    if (!initMCache(heap, mc)) throw new HeapOptionError("memory", "no room for the mcaches");
    initP(v, ptable, i, mc);
  }
  v.setU32(root + R_MAGIC, ROOT_MAGIC);
  sys.setRoot(heapRootSlot, root);
  heap.claim(0, false);
  return heap;
}

/**
 * A handle on the heap already in `sys` (created by {@link createHeap} in this
 * or another worker): the same records, so it sees the same heap. Throws
 * HeapAttachError if there is none, NoProcessorError if `p: "any"` finds no
 * idle P.
 */
export function attachHeap(sys: SysMemory, opts: AttachHeapOptions = {}): Heap {
  const root = sys.getRoot(heapRootSlot);
  if (root === 0) throw new HeapAttachError("root slot 0 is empty: no heap in this memory");
  let v: MemView;
  try {
    v = sys.viewOf(root);
  } catch {
    throw new HeapAttachError(`root slot 0 holds ${root}, which is not managed memory`);
  }
  if (v.getU32(root + R_MAGIC) !== ROOT_MAGIC) throw new HeapAttachError("root slot 0 does not point at a heap");
  if (v.getU32(root + R_LAYOUT) !== ROOT_LAYOUT) throw new HeapAttachError(`layout ${v.getU32(root + R_LAYOUT)}`);
  const version: GoVersion = v.getU32(root + R_GOVERSION) === 119 ? "1.19" : "1.26";
  const raw = v.u8.subarray(root + R_PAIR - v.base, root + R_PAIR - v.base + 32);
  // A copy: browsers refuse TextDecoder on views over shared or resizable buffers.
  const pair = new TextDecoder().decode(raw.slice(0, raw.indexOf(0) < 0 ? 32 : raw.indexOf(0)));
  const profile = getProfileByPair(version, pair);
  const sc = sizeClassesFor(version);
  const h = MHeap.attach(sys, v.getF64(root + R_MHEAP), profile, {
    sizeClasses: sc,
    physHugePageSize: v.getF64(root + R_HUGE),
  });
  const heap = new Heap(sys, profile, sc, h, root, opts);
  const want = opts.p ?? "none";
  if (want === "any") {
    let got = false;
    for (let i = 0; i < heap.numPs && !got; i++) got = heap.claim(i, false);
    if (!got) throw new NoProcessorError("attachHeap");
  } else if (want !== "none") {
    if (!Number.isInteger(want) || want < 0 || want >= heap.numPs) {
      throw new HeapOptionError("p", `${want} is not a P index in [0, ${heap.numPs})`);
    }
    heap.claim(want, true);
  }
  return heap;
}
