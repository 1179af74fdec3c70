/**
 * LinearAlloc: Go's linearAlloc (malloc.go) — a bump allocator over a region
 * reserved once, which (when `mapMemory` is set) moves the pages it hands out
 * Reserved→Prepared→Ready as `next` advances. Go uses it for heap arena
 * metadata on 32-bit platforms; here it is also the chunk source that makes a
 * fixalloc table contiguous (record i at base + i·size under one MemView).
 *
 * The state is a 40-byte record in managed memory: f64 `next`, `mapped`,
 * `end`, `prepared`, u32 `mapMemory`, u32 magic. `prepared` (≥ `mapped`) is
 * ours: it remembers pages already moved to Prepared when the backend then
 * refused to commit them, so that a later call retries only the commit and
 * the region never holds an unaccounted Prepared page. Returns 0 on failure;
 * the caller is responsible for locking (as in Go). See docs/design.md.
 */
import { alignUp, isPowerOfTwo, type MemView, type SysMemory, type SysStat } from "@gomalloc/os-mem";
import { BadAllocAlignError, BadAllocSizeError, BadInitError } from "./errors.js";
import { attachView, recordView } from "./record.js";

const F_NEXT = 0;
const F_MAPPED = 8;
const F_END = 16;
const F_PREPARED = 24;
const F_MAP_MEMORY = 32;
const F_MAGIC = 36;
/** Magic word of a LinearAlloc record ("LINA"). */
const MAGIC = 0x414e494c;

/**
 * A handle on a linearAlloc record. Invariants (checked by `check`):
 * - LIN1: base ≤ next ≤ end, and mapped ≤ prepared.
 * - LIN2: mapped = alignUp(next, physPageSize) (the end of the page holding byte next-1), or base while next = base.
 * - LIN3 (mapMemory): every page of [base, mapped) is Ready and every page of [mapped, prepared) is Prepared.
 */
export class LinearAlloc {
  /** Bytes of the record. */
  static readonly recordBytes = 40;
  readonly sys: SysMemory;
  /** Address of the record. */
  readonly rec: number;
  private readonly view: MemView;

  private constructor(sys: SysMemory, rec: number, view: MemView) {
    this.sys = sys;
    this.rec = rec;
    this.view = view;
  }

  /**
   * Writes a fresh record at `rec` (8-aligned Ready memory) for the reserved
   * region `[base, base+size)` and returns its handle (Go's linearAlloc.init).
   * With `mapMemory`, `base` and `size` must be multiples of physPageSize.
   */
  static init(sys: SysMemory, rec: number, base: number, size: number, mapMemory: boolean): LinearAlloc {
    const view = recordView(sys, "linearAlloc", rec, LinearAlloc.recordBytes);
    if (!Number.isSafeInteger(base) || base <= 0) throw new BadInitError("linearAlloc.init", `base ${base}`);
    if (!Number.isSafeInteger(size) || size <= 0) throw new BadInitError("linearAlloc.init", `size ${size}`);
    const pps = sys.physPageSize;
    if (mapMemory && (base % pps !== 0 || size % pps !== 0)) {
      throw new BadInitError("linearAlloc.init", `with mapMemory, base and size must be multiples of ${pps}`);
    }
    view.setF64(rec + F_NEXT, base);
    view.setF64(rec + F_MAPPED, base);
    view.setF64(rec + F_END, base + size);
    view.setF64(rec + F_PREPARED, base);
    view.setU32(rec + F_MAP_MEMORY, mapMemory ? 1 : 0);
    view.setU32(rec + F_MAGIC, MAGIC);
    return new LinearAlloc(sys, rec, view);
  }

  /** A handle on the record initialised at `rec` (in this or another worker). */
  static attach(sys: SysMemory, rec: number): LinearAlloc {
    return new LinearAlloc(sys, rec, attachView(sys, "linearAlloc", rec, LinearAlloc.recordBytes, F_MAGIC, MAGIC));
  }

  /** Next free byte. */
  get next(): number {
    return this.view.getF64(this.rec + F_NEXT);
  }
  /** One past the last byte made Ready (or accounted as mapped without mapMemory). */
  get mapped(): number {
    return this.view.getF64(this.rec + F_MAPPED);
  }
  /** One past the last Prepared byte (≥ mapped). */
  get prepared(): number {
    return this.view.getF64(this.rec + F_PREPARED);
  }
  /** End of the region. */
  get end(): number {
    return this.view.getF64(this.rec + F_END);
  }
  /** Whether pages are moved to Ready as they are handed out. */
  get mapMemory(): boolean {
    return this.view.getU32(this.rec + F_MAP_MEMORY) !== 0;
  }

  /**
   * Hands out `size` bytes aligned to `align` (a power of two), mapping the
   * pages that holds and charging them to `stat` (Go's linearAlloc.alloc).
   * Returns 0 when the region is exhausted or the backend refuses to map.
   */
  alloc(size: number, align: number, stat: SysStat): number {
    if (!Number.isSafeInteger(size) || size <= 0) {
      throw new BadAllocSizeError("linearAlloc.alloc", size, "size must be a positive integer");
    }
    if (!isPowerOfTwo(align)) throw new BadAllocAlignError("linearAlloc.alloc", align, "align is not a power of 2");
    const rec = this.rec;
    const v = this.view;
    const p = alignUp(v.getF64(rec + F_NEXT), align);
    if (p + size > v.getF64(rec + F_END)) return 0;
    const next = p + size;
    // Go computes alignUp(next-1, physPageSize), which leaves the page holding
    // byte next-1 unmapped when next-1 falls exactly on a page boundary; map
    // through the end of that page instead.
    const pEnd = alignUp(next, this.sys.physPageSize);
    const mapped = v.getF64(rec + F_MAPPED);
    if (pEnd > mapped) {
      if (v.getU32(rec + F_MAP_MEMORY) !== 0) {
        const prepared = v.getF64(rec + F_PREPARED);
        if (pEnd > prepared) {
          if (!this.sys.sysMap(prepared, pEnd - prepared, stat)) return 0;
          v.setF64(rec + F_PREPARED, pEnd);
        }
        if (!this.sys.sysUsed(mapped, pEnd - mapped, pEnd - mapped)) return 0;
      } else {
        v.setF64(rec + F_PREPARED, pEnd);
      }
      v.setF64(rec + F_MAPPED, pEnd);
    }
    v.setF64(rec + F_NEXT, next);
    return p;
  }

  /** Checks LIN1–LIN3; throws an Error naming the first one broken. */
  check(base: number): void {
    const { next, mapped, prepared, end } = this;
    if (!(base <= next && next <= end && mapped <= prepared)) {
      throw new Error(`LIN1: base ${base} next ${next} end ${end} mapped ${mapped} prepared ${prepared}`);
    }
    const pps = this.sys.physPageSize;
    const want = next === base ? base : alignUp(next, pps);
    if (mapped !== want) throw new Error(`LIN2: mapped ${mapped}, expected ${want}`);
    if (this.mapMemory) {
      for (let a = base; a < prepared; a += pps) {
        const s = this.sys.pageState(a);
        const expect = a < mapped ? 3 : 2;
        if (s !== expect) throw new Error(`LIN3: page ${a} is in state ${s}, expected ${expect}`);
      }
    }
  }
}
