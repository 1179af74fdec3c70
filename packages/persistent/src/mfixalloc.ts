/**
 * FixAlloc: Go's fixalloc (mfixalloc.go) — a free-list allocator of
 * fixed-size records, which Go uses for mspan and mcache records. Records are
 * cut from 16 KiB chunks (Go's; smaller on request), rounded down to a whole number of records; a freed
 * record's first 8 bytes link it into the free list, so the list lives in the
 * managed memory itself. Reused records are zeroed unless `zero` is off.
 *
 * The chunk source is pluggable: a PersistentAlloc, as in Go, or a LinearAlloc
 * over a dedicated reservation, which makes the table contiguous — the i-th
 * record ever cut is at `base + i·size` under one MemView (the span table
 * relies on this). The state is a 64-byte record in managed memory: f64
 * `list`, `chunk`, `inuse`, `source` (record address), u32 `size`, `nchunk`,
 * `nalloc`, `stat`, `zero`, `sourceKind`, magic, `chunkAlign`. Go's `first` callback is a
 * JS function and so stays on the handle. Returns 0 when the source is
 * exhausted. The caller is responsible for locking (as in Go). See
 * docs/design.md, "Records".
 */
import { type MemView, PageState, type SysMemory, type SysStat, sysStatCount } from "@gomalloc/os-mem";
import { BadAllocSizeError, BadInitError, FixAllocMisuseError } from "./errors.js";
import { LinearAlloc } from "./linearalloc.js";
import { PersistentAlloc } from "./persistentalloc.js";
import { attachView, recordView } from "./record.js";

/** Bytes of a fixalloc chunk (Go's _FixAllocChunk). */
export const fixAllocChunk = 16 << 10;
/** Size of the free-list link (Go's mlink: one pointer). */
const MLINK = 8;

const F_LIST = 0;
const F_CHUNK = 8;
const F_INUSE = 16;
const F_SOURCE = 24;
const F_SIZE = 32;
const F_NCHUNK = 36;
const F_NALLOC = 40;
const F_STAT = 44;
const F_ZERO = 48;
const F_KIND = 52;
const F_MAGIC = 56;
const F_ALIGN = 60;
/** Magic word of a FixAlloc record ("FIXA"). */
const MAGIC = 0x41584946;
const KIND_PERSISTENT = 1;
const KIND_LINEAR = 2;

/** Options of {@link FixAlloc.init} and {@link FixAlloc.attach}. */
export interface FixAllocOptions {
  /** Called with each record the first time it is handed out (Go's `first`). */
  first?: (p: number) => void;
  /** Zero records reused from the free list. @defaultValue true */
  zero?: boolean;
  /** Check every free against the free list (double frees), at O(list) cost. @defaultValue false */
  debug?: boolean;
  /**
   * Bytes of each chunk, at least one record and at most Go's 16 KiB (for
   * allocators of few records on a backend whose every mapped byte counts).
   * Only {@link FixAlloc.init} reads it.
   * @defaultValue fixAllocChunk (16 KiB, Go's _FixAllocChunk)
   */
  chunkBytes?: number;
  /**
   * Alignment of each chunk, a power of two from 8 to 8 KiB. With 64 and a
   * record size that is a multiple of 64, every record starts a cache line
   * (the span table uses it so that two spans never share a line). Only
   * {@link FixAlloc.init} reads it.
   * @defaultValue 8 (Go's fixalloc asks persistentalloc for no alignment)
   */
  chunkAlign?: number;
}

/** Records up to this many bytes are zeroed by f64 stores; larger ones by `fill`. */
const zeroLoopMax = 512;

/**
 * Zeroes the reused record at byte offset `off` (a multiple of 8: records are
 * 8-aligned) of `v`, `size` bytes (a multiple of 8). For the small records
 * (mspans, bitmap blocks) a loop of f64 stores is several times cheaper than
 * TypedArray `fill`, a builtin call with a fixed cost of tens of ns.
 */
function zeroRecord(v: MemView, off: number, size: number): void {
  if (size > zeroLoopMax) {
    v.u8.fill(0, off, off + size);
    return;
  }
  const f64 = v.f64;
  const end = (off + size) / 8;
  for (let i = off / 8; i < end; i++) f64[i] = 0;
}

/**
 * A handle on a fixalloc record. Invariants (checked by `check`):
 * - FIX1: size ≥ 8 and a multiple of 8; nalloc = ⌊chunkBytes / size⌋·size ≤ 16 KiB; nchunk ≤ nalloc and nchunk is a multiple of size.
 * - FIX2: the free list is finite, its records are distinct, 8-aligned and Ready.
 * - FIX3: inuse is a multiple of size and ≥ 0.
 */
export class FixAlloc {
  /** Bytes of the record. */
  static readonly recordBytes = 64;
  readonly sys: SysMemory;
  /** Address of the record. */
  readonly rec: number;
  private readonly view: MemView;
  private readonly source: PersistentAlloc | LinearAlloc;
  private readonly first: ((p: number) => void) | undefined;
  private readonly debug: boolean;
  /** Last view used for a record (most records share one). */
  private cache: MemView;

  private constructor(sys: SysMemory, rec: number, view: MemView, opts: FixAllocOptions) {
    this.sys = sys;
    this.rec = rec;
    this.view = view;
    this.cache = view;
    const src = view.getF64(rec + F_SOURCE);
    this.source =
      view.getU32(rec + F_KIND) === KIND_LINEAR ? LinearAlloc.attach(sys, src) : PersistentAlloc.attach(sys, src);
    this.first = opts.first;
    this.debug = opts.debug ?? false;
  }

  /**
   * Writes a fresh record at `rec` for records of `size` bytes (rounded up to a
   * multiple of 8, at least 8) cut from chunks of `source`, charged to `stat`
   * (Go's fixalloc.init). Throws "runtime: fixalloc size too large" above 16 KiB.
   */
  static init(
    sys: SysMemory,
    rec: number,
    size: number,
    source: PersistentAlloc | LinearAlloc,
    stat: SysStat,
    opts: FixAllocOptions = {},
  ): FixAlloc {
    const view = recordView(sys, "fixalloc", rec, FixAlloc.recordBytes);
    if (!Number.isSafeInteger(size) || size <= 0) {
      throw new BadAllocSizeError("fixalloc.init", size, "size must be a positive integer");
    }
    if (size > fixAllocChunk) throw new BadAllocSizeError("fixalloc.init", size, "runtime: fixalloc size too large");
    if (!Number.isInteger(stat) || stat < 0 || stat >= sysStatCount) {
      throw new BadInitError("fixalloc.init", `${stat} is not a SysStat id`);
    }
    if (source.sys !== sys) throw new BadInitError("fixalloc.init", "the source belongs to another SysMemory");
    if (source instanceof LinearAlloc && !source.mapMemory) {
      throw new BadInitError("fixalloc.init", "a LinearAlloc source must map memory");
    }
    size = Math.max(Math.ceil(size / 8) * 8, MLINK);
    const chunk = opts.chunkBytes ?? fixAllocChunk;
    if (!Number.isSafeInteger(chunk) || chunk < size || chunk > fixAllocChunk) {
      throw new BadInitError("fixalloc.init", `chunkBytes ${chunk}: want [${size}, ${fixAllocChunk}]`);
    }
    const align = opts.chunkAlign ?? MLINK;
    if (!Number.isInteger(align) || align < MLINK || align > 8192 || (align & (align - 1)) !== 0) {
      throw new BadInitError("fixalloc.init", `chunkAlign ${align}: want a power of two in [8, 8192]`);
    }
    view.setF64(rec + F_LIST, 0);
    view.setF64(rec + F_CHUNK, 0);
    view.setF64(rec + F_INUSE, 0);
    view.setF64(rec + F_SOURCE, source.rec);
    view.setU32(rec + F_SIZE, size);
    view.setU32(rec + F_NCHUNK, 0);
    view.setU32(rec + F_NALLOC, Math.floor(chunk / size) * size);
    view.setU32(rec + F_STAT, stat);
    view.setU32(rec + F_ZERO, opts.zero === false ? 0 : 1);
    view.setU32(rec + F_KIND, source instanceof LinearAlloc ? KIND_LINEAR : KIND_PERSISTENT);
    view.setU32(rec + F_ALIGN, align);
    view.setU32(rec + F_MAGIC, MAGIC);
    return new FixAlloc(sys, rec, view, opts);
  }

  /** A handle on the record initialised at `rec` (in this or another worker). */
  static attach(sys: SysMemory, rec: number, opts: Omit<FixAllocOptions, "zero"> = {}): FixAlloc {
    const view = attachView(sys, "fixalloc", rec, FixAlloc.recordBytes, F_MAGIC, MAGIC);
    return new FixAlloc(sys, rec, view, opts);
  }

  /** Record size in bytes. */
  get size(): number {
    return this.view.getU32(this.rec + F_SIZE);
  }
  /** Bytes of records handed out and not freed. */
  get inuse(): number {
    return this.view.getF64(this.rec + F_INUSE);
  }
  /** Bytes of each new chunk. */
  get nalloc(): number {
    return this.view.getU32(this.rec + F_NALLOC);
  }
  /** Whether reused records are zeroed. */
  get zero(): boolean {
    return this.view.getU32(this.rec + F_ZERO) !== 0;
  }
  set zero(on: boolean) {
    this.view.setU32(this.rec + F_ZERO, on ? 1 : 0);
  }

  /** The view covering `p`, from the cache when it covers it. */
  private viewAt(p: number): MemView {
    const c = this.cache;
    if (p >= c.base && p + MLINK <= c.base + c.u8.length) return c;
    const v = this.sys.viewOf(p);
    this.cache = v;
    return v;
  }

  /** Hands out one record (Go's fixalloc.alloc); 0 when the chunk source is exhausted. */
  alloc(): number {
    const rec = this.rec;
    const v = this.view;
    const size = v.getU32(rec + F_SIZE);
    const list = v.getF64(rec + F_LIST);
    if (list !== 0) {
      const lv = this.viewAt(list);
      v.setF64(rec + F_LIST, lv.getF64(list));
      v.setF64(rec + F_INUSE, v.getF64(rec + F_INUSE) + size);
      if (v.getU32(rec + F_ZERO) !== 0) zeroRecord(lv, list - lv.base, size);
      return list;
    }
    if (v.getU32(rec + F_NCHUNK) < size) {
      const nalloc = v.getU32(rec + F_NALLOC);
      const stat = v.getU32(rec + F_STAT) as SysStat;
      const src = this.source;
      const align = v.getU32(rec + F_ALIGN);
      const c = src.alloc(nalloc, align, stat);
      if (c === 0) return 0;
      v.setF64(rec + F_CHUNK, c);
      v.setU32(rec + F_NCHUNK, nalloc);
    }
    const p = v.getF64(rec + F_CHUNK);
    this.first?.(p);
    v.setF64(rec + F_CHUNK, p + size);
    v.setU32(rec + F_NCHUNK, v.getU32(rec + F_NCHUNK) - size);
    v.setF64(rec + F_INUSE, v.getF64(rec + F_INUSE) + size);
    return p;
  }

  /** Returns record `p` to the free list (Go's fixalloc.free). */
  free(p: number): void {
    // Math.floor, not `%`: `%` on a double is a C call in V8, and this runs on every free.
    if (!Number.isSafeInteger(p) || p <= 0 || Math.floor(p / 8) * 8 !== p) {
      throw new FixAllocMisuseError(Number.isFinite(p) ? p : 0, "not a positive multiple of 8");
    }
    const rec = this.rec;
    const v = this.view;
    const size = v.getU32(rec + F_SIZE);
    const inuse = v.getF64(rec + F_INUSE);
    if (inuse < size) throw new FixAllocMisuseError(p, "no record of this fixalloc is in use");
    if (this.debug) {
      for (let q = v.getF64(rec + F_LIST); q !== 0; q = this.viewAt(q).getF64(q)) {
        if (q === p) throw new FixAllocMisuseError(p, "double free (already on the free list)");
      }
    }
    // Its last byte's page too, when that is another page (rarely: a record is small).
    const sys = this.sys;
    const last = p + size - 1;
    const pps = sys.physPageSize;
    if (
      sys.pageState(p) !== PageState.Ready ||
      (Math.floor(last / pps) !== Math.floor(p / pps) && sys.pageState(last) !== PageState.Ready)
    ) {
      throw new FixAllocMisuseError(p, "not Ready memory");
    }
    const pv = this.viewAt(p);
    if (!pv.covers(p, size)) throw new FixAllocMisuseError(p, "straddles two reservations");
    pv.setF64(p, v.getF64(rec + F_LIST));
    v.setF64(rec + F_LIST, p);
    v.setF64(rec + F_INUSE, inuse - size);
  }

  /** The free list, most recently freed first. */
  freeList(): number[] {
    const out: number[] = [];
    const limit = this.sys.caps.addressSpaceEnd / this.size;
    for (let q = this.view.getF64(this.rec + F_LIST); q !== 0; q = this.viewAt(q).getF64(q)) {
      if (out.length > limit) throw new Error("FIX2: the free list does not end");
      out.push(q);
    }
    return out;
  }

  /** Checks FIX1–FIX3; throws an Error naming the first one broken. */
  check(): void {
    const v = this.view;
    const rec = this.rec;
    const size = v.getU32(rec + F_SIZE);
    const nalloc = v.getU32(rec + F_NALLOC);
    const nchunk = v.getU32(rec + F_NCHUNK);
    if (size < MLINK || size % 8 !== 0 || nalloc < size || nalloc > fixAllocChunk || nalloc % size !== 0) {
      throw new Error(`FIX1: size ${size}, nalloc ${nalloc}`);
    }
    if (nchunk > nalloc || nchunk % size !== 0) throw new Error(`FIX1: nchunk ${nchunk}`);
    const list = this.freeList();
    if (new Set(list).size !== list.length) throw new Error("FIX2: a record is on the free list twice");
    for (const q of list) {
      if (q % 8 !== 0 || this.sys.pageState(q) !== PageState.Ready)
        throw new Error(`FIX2: free record ${q} is not Ready`);
    }
    const inuse = v.getF64(rec + F_INUSE);
    if (inuse < 0 || inuse % size !== 0) throw new Error(`FIX3: inuse ${inuse}`);
  }
}
