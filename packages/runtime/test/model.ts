// A shadow model of a heap for the property tests (not a test file): live
// objects with their id-derived byte patterns, an interval set proving no two
// live objects overlap, Go's tiny-block bookkeeping mirrored exactly, and the
// MemStats figures (HeapAlloc, HeapObjects, Mallocs, Frees) they imply.
import { SizeClasses } from "@gomalloc/sizeclass";
import { expect } from "vitest";
import { growCapacity, type Heap } from "../src/index.js";
import { patternByte } from "./backends.js";

export interface Obj {
  id: number;
  p: number;
  /** Requested bytes (the pattern covers them). */
  size: number;
  tiny: boolean;
  /** Bytes the object holds in the statistics (class size or pages); 0 for tiny objects. */
  slot: number;
}

const sc = SizeClasses.defaults;
const PATTERN_MAX = 96;

/** The statistics slot of a non-tiny object of `size` bytes. */
export function slotOf(size: number, pageSize: number): number {
  if (size <= sc.maxSmallSize) return sc.class_to_size[sc.sizeToClass(size)]!;
  return Math.ceil(size / pageSize) * pageSize;
}

export class HeapModel {
  readonly live = new Map<number, Obj>();
  /** Live tiny objects per 16-byte block. */
  readonly blocks = new Map<number, number>();
  tiny = 0;
  tinyoffset = 0;
  mallocs = 0;
  nextId = 1;
  cycles = 0;
  constructor(readonly heap: Heap) {}

  private pattern(o: Obj, check: boolean): void {
    const n = Math.min(o.size, PATTERN_MAX);
    const tailFrom = Math.max(n, o.size - PATTERN_MAX);
    const ranges: Array<[number, number]> = [
      [0, n],
      [tailFrom, o.size],
    ];
    for (const [a, b] of ranges) {
      if (b <= a) continue;
      const bytes = new Uint8Array(b - a);
      if (check) {
        this.heap.read(o.p + a, bytes);
        for (let i = 0; i < bytes.length; i++) {
          if (bytes[i] !== patternByte(o.id, a + i)) {
            throw new Error(`object ${o.id} at 0x${o.p.toString(16)} byte ${a + i} is ${bytes[i]}`);
          }
        }
      } else {
        for (let i = 0; i < bytes.length; i++) bytes[i] = patternByte(o.id, a + i);
        this.heap.write(o.p + a, bytes);
      }
    }
  }

  /** Checks that [p, p+size) overlaps no live object. */
  private noOverlap(p: number, size: number, except: number): void {
    for (const o of this.live.values()) {
      if (o.p === except) continue;
      if (p < o.p + Math.max(o.size, 1) && o.p < p + Math.max(size, 1)) {
        throw new Error(`new object [0x${p.toString(16)}, +${size}) overlaps object ${o.id} at 0x${o.p.toString(16)}`);
      }
    }
  }

  /** Mirrors Go's tiny path for an allocation of n < 16 bytes that returned p. */
  private tinyAlloc(p: number, n: number): void {
    let off = this.tinyoffset;
    if ((n & 7) === 0 || (this.heap.profile.PtrSize === 4 && n === 12)) off = (off + 7) & ~7;
    else if ((n & 3) === 0) off = (off + 3) & ~3;
    else if ((n & 1) === 0) off = (off + 1) & ~1;
    if (off + n <= 16 && this.tiny !== 0) {
      expect(p).toBe(this.tiny + off);
      this.tinyoffset = off + n;
    } else {
      expect(p % 16).toBe(0);
      if (n < this.tinyoffset || this.tiny === 0) {
        this.tiny = p;
        this.tinyoffset = n;
      }
    }
    const b = p - (p % 16);
    this.blocks.set(b, (this.blocks.get(b) ?? 0) + 1);
  }

  /** Whether the last call ran a free cycle (which made the mcache let go of its tiny block first). */
  private cycled(): boolean {
    const c = this.heap.readMemStats().NumGC;
    if (c === this.cycles) return false;
    this.cycles = c;
    this.tiny = 0;
    this.tinyoffset = 0;
    return true;
  }

  add(p: number, size: number): Obj {
    const tiny = size > 0 && size < 16;
    const o: Obj = { id: this.nextId++, p, size, tiny, slot: tiny ? 0 : slotOf(size, this.heap.pageSize) };
    this.cycled();
    if (size === 0) {
      expect(p).toBe(this.heap.zerobase);
      return o;
    }
    this.mallocs++;
    this.noOverlap(p, size, -1);
    if (tiny) this.tinyAlloc(p, size);
    else expect(this.heap.usableSize(p)).toBe(o.slot);
    this.live.set(p, o);
    this.pattern(o, false);
    return o;
  }

  malloc(size: number, zero = false): Obj {
    const p = zero ? this.heap.calloc(1, size) : this.heap.malloc(size);
    if (zero) {
      const n = Math.min(size, PATTERN_MAX);
      const got = new Uint8Array(n);
      if (n > 0) this.heap.read(p, got);
      expect(got.every((x) => x === 0)).toBe(true);
    }
    return this.add(p, size);
  }

  private drop(o: Obj): void {
    this.live.delete(o.p);
    if (o.tiny) {
      const b = o.p - (o.p % 16);
      const n = this.blocks.get(b)! - 1;
      if (n === 0) this.blocks.delete(b);
      else this.blocks.set(b, n);
    }
  }

  free(o: Obj): void {
    this.pattern(o, true);
    this.heap.free(o.p);
    this.drop(o);
    this.cycled();
  }

  realloc(o: Obj, size: number): Obj {
    this.pattern(o, true);
    const usable = this.heap.usableSize(o.p);
    const q = this.heap.realloc(o.p, size);
    if (size === 0) {
      this.drop(o);
      expect(q).toBe(this.heap.zerobase);
      this.cycled();
      return o;
    }
    const keep = Math.min(o.size, size);
    if (q === o.p) {
      // In place: the object keeps its block or its class; large objects may have changed pages.
      if (o.tiny) expect(size).toBeLessThanOrEqual(usable);
      o.size = size;
      if (!o.tiny) o.slot = this.heap.usableSize(q);
      this.pattern(o, false);
      this.cycled();
      return o;
    }
    // Moved: the new object starts with the old bytes.
    const got = new Uint8Array(Math.min(keep, PATTERN_MAX));
    this.heap.read(q, got);
    for (let i = 0; i < got.length; i++) expect(got[i]).toBe(patternByte(o.id, i));
    this.drop(o);
    const want = size > usable ? growCapacity(usable, size) : size;
    return this.add(q, want);
  }

  /** Runs a forced free cycle (the mcache lets go of its tiny block). */
  cycle(): void {
    this.heap.freeCycle();
    this.cycled();
  }

  /** The objects, in allocation order. */
  objects(): Obj[] {
    return [...this.live.values()];
  }

  /** Checks every live pattern and the MemStats figures the model implies. */
  check(): void {
    for (const o of this.live.values()) this.pattern(o, true);
    const ms = this.heap.readMemStats();
    const blocks = new Set(this.blocks.keys());
    if (this.tiny !== 0) blocks.add(this.tiny);
    let bytes = 16 * blocks.size;
    let objects = blocks.size;
    for (const o of this.live.values()) {
      if (o.tiny) continue;
      bytes += o.slot;
      objects++;
    }
    expect(ms.HeapAlloc).toBe(bytes);
    expect(ms.HeapObjects).toBe(objects);
    expect(ms.Mallocs).toBe(this.mallocs);
    expect(ms.Frees).toBe(this.mallocs - objects);
  }
}
