/**
 * The replay driver: runs a {@link Trace} against any allocator with
 * `malloc(size) → ptr`, `free(ptr)` and optionally `realloc(ptr, size) → ptr`.
 * Trace ids map to pointers through the trace's dense slots (one Float64Array,
 * no Map); the hot loop reads typed arrays, calls the allocator and keeps live
 * and peak-live bytes in locals, so a timed replay measures the allocator and
 * not the driver. With a `bytes` accessor the driver also writes a pattern
 * derived from each object's id into the object and checks it before every
 * free and realloc (and on demand for every live object), so overlapping
 * objects, lost realloc contents or reused live memory show up as a
 * {@link PatternMismatch}. See the package README ("Replay") and docs/design.md.
 *
 * @module
 */
import { AllocatorFailure, InvalidTraceOption, PatternMismatch, ReplayUnsupported } from "./errors.js";
import { OP_ALLOC, OP_FREE, OP_REALLOC, type Trace } from "./trace.js";

/** The allocator interface the driver replays against. Pointers are numbers; 0 means failure. */
export interface Allocator {
  /** Allocates `size` bytes; returns a pointer > 0, or 0 on failure (0 is also accepted for size 0). */
  malloc(size: number): number;
  /** Frees a pointer `malloc` or `realloc` returned. The driver never passes 0. */
  free(ptr: number): void;
  /** Resizes, keeping the first min(old, new) bytes; returns the new pointer, or 0 on failure (the old one stays valid). */
  realloc?(ptr: number, size: number): number;
}

/**
 * Returns a view whose elements `[0, size)` are the bytes of the object at `ptr`,
 * or a copy of them when the memory cannot be viewed in one piece (then give
 * {@link StoreBytes} too, or the driver's writes into the copy are lost).
 */
export type ObjectBytes = (ptr: number, size: number) => Uint8Array;

/**
 * Writes `bytes[0, bytes.length)` to the object at `ptr`: the driver calls it with
 * what {@link ObjectBytes} returned, after it wrote into it, so an accessor that
 * returns copies sees its writes land in memory.
 */
export type StoreBytes = (ptr: number, bytes: Uint8Array) => void;

/**
 * The hot loop: replays operations `[from, to)`; returns the index it stopped
 * at (`to`, or the failing operation). `acc` holds
 * `[liveBytes, peakLiveBytes, liveObjects, peakLiveObjects, lastBadPointer]`.
 */
export type ReplayLoop = (
  op: Uint8Array,
  slot: Uint32Array,
  size: Float64Array,
  from: number,
  to: number,
  a: Allocator,
  ptrs: Float64Array,
  slotSize: Float64Array,
  acc: Float64Array,
) => number;

/** Options of {@link Replay} and {@link replay}. */
export interface ReplayOptions {
  /** Accessor of object bytes; when given, objects are filled with their id's pattern and checked. */
  bytes?: ObjectBytes;
  /** Write-back of the driver's writes, for a `bytes` accessor that may return copies (see {@link StoreBytes}). */
  store?: StoreBytes;
  /** The hot loop to run; pass one {@link isolatedReplayLoop} per allocator to keep call sites monomorphic. */
  loop?: ReplayLoop;
}

/** What a finished {@link replay} reports. */
export interface ReplayResult {
  /** Operations replayed. */
  readonly ops: number;
  /** Requested bytes live at the end. */
  readonly liveBytes: number;
  /** Most requested bytes live at once. */
  readonly peakLiveBytes: number;
  /** Objects live at the end. */
  readonly liveObjects: number;
  /** Most objects live at once. */
  readonly peakLiveObjects: number;
}

// Constants are literals inside the loop: isolatedReplayLoop recompiles its source text alone.
const replayLoop: ReplayLoop = function replayLoop(op, slot, size, from, to, a, ptrs, slotSize, acc) {
  let live = acc[0]!;
  let peak = acc[1]!;
  let objs = acc[2]!;
  let peakObjs = acc[3]!;
  let i = from;
  for (; i < to; i++) {
    const s = slot[i]!;
    const n = size[i]!;
    const o = op[i]!;
    if (o === 0) {
      const p = a.malloc(n);
      if (!(p > 0) && (p !== 0 || n !== 0)) {
        acc[4] = p;
        break;
      }
      ptrs[s] = p;
      slotSize[s] = n;
      live += n;
      if (live > peak) peak = live;
      objs++;
      if (objs > peakObjs) peakObjs = objs;
    } else if (o === 1) {
      const p = ptrs[s]!;
      if (p !== 0) a.free(p);
      live -= n;
      objs--;
    } else {
      const old = ptrs[s]!;
      const p = old === 0 ? a.malloc(n) : a.realloc!(old, n);
      if (!(p > 0) && (p !== 0 || n !== 0)) {
        acc[4] = p;
        break;
      }
      ptrs[s] = p;
      live += n - slotSize[s]!;
      slotSize[s] = n;
      if (live > peak) peak = live;
    }
  }
  acc[0] = live;
  acc[1] = peak;
  acc[2] = objs;
  acc[3] = peakObjs;
  return i;
};

/**
 * Returns a fresh copy of the hot loop, compiled from its source text, with
 * its own JIT type feedback. A benchmark that replays several allocators in
 * one process gives each its own copy, so the `a.malloc` call site stays
 * monomorphic. Where code generation from strings is not allowed (a strict
 * Content-Security-Policy) it returns the shared loop.
 */
export function isolatedReplayLoop(): ReplayLoop {
  try {
    return new Function(`"use strict"; return (${replayLoop.toString()});`)() as ReplayLoop;
  } catch {
    return replayLoop;
  }
}

/** The pattern byte at `offset` of the object with trace id `id` (a hash of id and offset / 4). */
export function patternByte(id: number, offset: number): number {
  return (patternWord(id, Math.floor(offset / 4)) >>> ((offset & 3) * 8)) & 0xff;
}

function patternWord(id: number, word: number): number {
  let x = Math.imul(id ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(word + 1, 0x85ebca77);
  x ^= x >>> 15;
  x = Math.imul(x, 0x2c1b3c6d);
  x ^= x >>> 12;
  return x;
}

/**
 * Throws InvalidTraceOption unless `[from, size)` is a range of `bytes`:
 * integers with 0 ≤ from and size ≤ bytes.length (from ≥ size: empty).
 */
function checkPatternRange(bytes: Uint8Array, size: number, from: number): void {
  if (!(Number.isInteger(size) && size <= bytes.length)) {
    throw new InvalidTraceOption("size", size, `want an integer ≤ bytes.length (${bytes.length})`);
  }
  if (!(Number.isInteger(from) && from >= 0)) throw new InvalidTraceOption("from", from, "want an integer ≥ 0");
}

/** Writes the pattern of `id` into `bytes[from, size)`. Throws InvalidTraceOption for a range outside `bytes`. */
export function fillPattern(bytes: Uint8Array, size: number, id: number, from = 0): void {
  checkPatternRange(bytes, size, from);
  for (let off = from; off < size; off++) bytes[off] = patternByte(id, off);
}

/**
 * Returns the first offset in `[from, size)` where `bytes` differs from the
 * pattern of `id`, or -1. Throws InvalidTraceOption for a range outside `bytes`.
 */
export function findPatternMismatch(bytes: Uint8Array, size: number, id: number, from = 0): number {
  checkPatternRange(bytes, size, from);
  for (let off = from; off < size; off++) if (bytes[off] !== patternByte(id, off)) return off;
  return -1;
}

/**
 * A replay in progress: run it all at once or in steps (to sample the
 * allocator's memory between steps). Throws {@link ReplayUnsupported} up front
 * when the trace reallocates and the allocator has no `realloc` and no `bytes`
 * accessor was given (a realloc is then emulated as malloc + copy + free).
 */
export class Replay {
  /** The trace being replayed. */
  readonly trace: Trace;
  /** The allocator. */
  readonly allocator: Allocator;
  /** Pointer of the object in each slot (0 for a size-0 object that got 0, or a free slot's last pointer). */
  readonly ptrs: Float64Array;
  private readonly slotSize: Float64Array;
  private readonly slotId: Uint32Array;
  private readonly acc = new Float64Array(5);
  private readonly loop: ReplayLoop;
  private readonly bytes: ObjectBytes | undefined;
  private readonly store: StoreBytes | undefined;
  private pos = 0;

  constructor(trace: Trace, allocator: Allocator, options: ReplayOptions = {}) {
    this.trace = trace;
    this.allocator = allocator;
    this.ptrs = new Float64Array(trace.slots);
    this.slotSize = new Float64Array(trace.slots);
    this.slotId = new Uint32Array(options.bytes === undefined ? 0 : trace.slots);
    this.loop = options.loop ?? replayLoop;
    this.bytes = options.bytes;
    this.store = options.store;
    if (typeof allocator.realloc !== "function" && this.bytes === undefined && trace.op.includes(OP_REALLOC)) {
      throw new ReplayUnsupported(
        "the trace reallocates; give the allocator a realloc, or a bytes accessor to emulate it",
      );
    }
  }

  /** Index of the next operation. */
  get position(): number {
    return this.pos;
  }
  /** True when every operation has run. */
  get done(): boolean {
    return this.pos >= this.trace.length;
  }
  /** Requested bytes live now. */
  get liveBytes(): number {
    return this.acc[0]!;
  }
  /** Most requested bytes live at once so far. */
  get peakLiveBytes(): number {
    return this.acc[1]!;
  }
  /** Objects live now. */
  get liveObjects(): number {
    return this.acc[2]!;
  }
  /** Most objects live at once so far. */
  get peakLiveObjects(): number {
    return this.acc[3]!;
  }

  /**
   * Runs up to `maxOps` further operations (all remaining by default) and
   * returns how many ran. Throws {@link AllocatorFailure} (the replay then
   * stands before the failing operation, every earlier one applied, and may
   * go on) or {@link PatternMismatch} (the allocator is broken: `position` is
   * the operation that found the damage; do not go on).
   */
  run(maxOps = Number.POSITIVE_INFINITY): number {
    if (!(maxOps >= 0)) throw new InvalidTraceOption("maxOps", maxOps, "want a number ≥ 0");
    const from = this.pos;
    const to = Math.min(this.trace.length, from + maxOps);
    const t = this.trace;
    const stop =
      this.bytes === undefined
        ? this.loop(t.op, t.slot, t.size, from, to, this.allocator, this.ptrs, this.slotSize, this.acc)
        : this.checkedLoop(from, to, this.bytes);
    this.pos = stop;
    if (stop < to) throw new AllocatorFailure(stop, t.id[stop]!, t.size[stop]!, this.acc[4]);
    return stop - from;
  }

  /** Checks the pattern of every live object (needs the `bytes` option). Throws {@link PatternMismatch}. */
  checkLive(): void {
    const bytes = this.bytes;
    if (bytes === undefined) throw new ReplayUnsupported("checkLive needs the bytes option");
    // A slot is live when the last operation on it before pos was not a free.
    const t = this.trace;
    const last = new Int32Array(t.slots).fill(-1);
    for (let i = 0; i < this.pos; i++) last[t.slot[i]!] = i;
    for (let s = 0; s < t.slots; s++) {
      const i = last[s]!;
      if (i >= 0 && t.op[i] !== OP_FREE) this.check(bytes, this.pos, s, this.slotSize[s]!);
    }
  }

  private check(bytes: ObjectBytes, opIndex: number, s: number, n: number): void {
    const p = this.ptrs[s]!;
    if (p === 0 || n === 0) return;
    const id = this.slotId[s]!;
    const view = viewOf(bytes, p, n);
    const off = findPatternMismatch(view, n, id);
    if (off >= 0) throw new PatternMismatch(opIndex, id, p, off, patternByte(id, off), view[off]!);
  }

  private checkedLoop(from: number, to: number, bytes: ObjectBytes): number {
    const t = this.trace;
    const a = this.allocator;
    const acc = this.acc;
    for (let i = from; i < to; i++) {
      this.pos = i;
      const s = t.slot[i]!;
      const n = t.size[i]!;
      const o = t.op[i]!;
      const id = t.id[i]!;
      if (o === OP_FREE) {
        this.check(bytes, i, s, n);
        const p = this.ptrs[s]!;
        if (p !== 0) a.free(p);
        acc[0] = acc[0]! - n;
        acc[2] = acc[2]! - 1;
        continue;
      }
      let p: number;
      let keep = 0;
      const old = this.ptrs[s]!;
      const oldSize = o === OP_ALLOC ? 0 : this.slotSize[s]!;
      if (o === OP_ALLOC) p = a.malloc(n);
      else {
        this.check(bytes, i, s, oldSize);
        keep = Math.min(oldSize, n);
        if (old === 0) p = a.malloc(n);
        else if (typeof a.realloc === "function") p = a.realloc(old, n);
        else {
          // Emulated realloc: malloc, copy the kept prefix (views taken after malloc, which may grow memory), free.
          p = a.malloc(n);
          if (p > 0 && keep > 0) {
            const dst = viewOf(bytes, p, n);
            dst.set(viewOf(bytes, old, oldSize).subarray(0, keep));
            this.store?.(p, dst.subarray(0, n));
          }
          if (p > 0 || (p === 0 && n === 0)) a.free(old);
        }
      }
      if (!(p > 0) && (p !== 0 || n !== 0)) {
        acc[4] = p;
        return i;
      }
      this.ptrs[s] = p;
      this.slotSize[s] = n;
      this.slotId[s] = id;
      if (p !== 0 && n > 0) {
        const view = viewOf(bytes, p, n);
        const off = findPatternMismatch(view, keep, id);
        if (off >= 0) throw new PatternMismatch(i, id, p, off, patternByte(id, off), view[off]!);
        fillPattern(view, n, id, keep);
        if (keep < n) this.store?.(p, view.subarray(0, n));
      }
      acc[0] = acc[0]! + n - oldSize;
      if (acc[0]! > acc[1]!) acc[1] = acc[0]!;
      if (o === OP_ALLOC) {
        acc[2] = acc[2]! + 1;
        if (acc[2]! > acc[3]!) acc[3] = acc[2]!;
      }
    }
    return to;
  }
}

function viewOf(bytes: ObjectBytes, p: number, n: number): Uint8Array {
  const v = bytes(p, n);
  if (!(v instanceof Uint8Array) || v.length < n) {
    throw new InvalidTraceOption("bytes", v, `the accessor must return a Uint8Array of at least ${n} bytes for ${p}`);
  }
  return v;
}

/** Replays the whole trace (see {@link Replay}) and returns the live and peak figures. */
export function replay(trace: Trace, allocator: Allocator, options?: ReplayOptions): ReplayResult {
  const r = new Replay(trace, allocator, options);
  r.run();
  return {
    ops: r.position,
    liveBytes: r.liveBytes,
    peakLiveBytes: r.peakLiveBytes,
    liveObjects: r.liveObjects,
    peakLiveObjects: r.peakLiveObjects,
  };
}
