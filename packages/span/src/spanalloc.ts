/**
 * SpanAlloc: where mspan records, span bitmaps and the heap's other hot
 * metadata live (Go's `mheap_.spanalloc`, gomalloc's bitmap pools, and the
 * persistentalloc the heap draws its never-freed metadata from). Everything is
 * cut from one `PersistentAlloc` whose chunks lie under one MemView, so a
 * span's fields, its bitmaps, the mcaches and the heap-arena page maps are all
 * plain indexes into the same typed arrays (a monomorphic hot path), and the
 * whole table can be attached from another worker. The chunks come from one
 * of two sources:
 *
 * - `"reserve"` (the default): a LinearAlloc over one region reserved up
 *   front, mapping pages as it advances — what a simulated 48-bit address
 *   space needs, where each reservation has its own view (Go's 32-bit
 *   `heapArenaAlloc` plays the same role);
 * - `"sysAlloc"`: sysAlloc'd chunks, for flat backends (one view over the
 *   whole buffer) that place memory sbrk-style: a big reservation below the
 *   heap would make the buffer grow past it.
 *
 * A FixAlloc of mspan records and one FixAlloc per bitmap size (blocks of
 * allocBits + gcmarkBits + freed + remote freed, 4 × 2^k bytes for k = 3..12) take their
 * chunks from the PersistentAlloc, which charges every byte to the right
 * statistic as Go's persistentalloc does. Go allocates gcBits from
 * per-GC-cycle arenas freed in bulk; with explicit free there are no cycles,
 * so each span owns its bitmaps and returns them to the pool of their size
 * when it dies. The state (region, allocator records) is a header in managed
 * memory. See docs/design.md, "Records".
 */

import { type MemView, type SysMemory, SysStat } from "@gomalloc/os-mem";
import { FixAlloc, LinearAlloc, PersistentAlloc, persistentChunkSize } from "@gomalloc/persistent";
import { SpanAllocError } from "./errors.js";
import { mspanBytes, type SpanMemory } from "./mspan.js";

const MAGIC = 0x4e415053; // "SPAN"
const H_MAGIC = 0;
const H_KIND = 4;
const H_BASE = 8;
const H_SIZE = 16;
const H_MIN_BITMAP = 24;
const H_LINEAR = 32;
const H_PERSISTENT = 80;
const H_FIX = 128;
/** Bitmap pools for 2^3 .. 2^12 bytes per bitmap (64 .. 32768 objects). */
const MIN_LOG = 3;
const MAX_LOG = 12;
const NPOOLS = MAX_LOG - MIN_LOG + 1;
const KIND_RESERVE = 1;
const KIND_SYSALLOC = 2;
/** The smallest region accepted: one persistentalloc chunk and a page of slack. */
const regionFloor = persistentChunkSize + (64 << 10);

/** Options of {@link SpanAlloc.create}. */
export interface SpanAllocOptions {
  /**
   * Where the chunks come from: `"reserve"` — one region reserved up front
   * (needed when each reservation has its own view, as on the simulated
   * backend); `"sysAlloc"` — chunks from sysAlloc, which must all fall under
   * the header's view (true on the flat backends, whose one view covers the
   * whole buffer).
   * @defaultValue "reserve"
   */
  source?: "reserve" | "sysAlloc";
  /**
   * Bytes of address space reserved (source `"reserve"`), rounded up to
   * physical pages. Pages are committed only as they are used.
   * @defaultValue a sixteenth of the backend's address space, between 320 KiB and 256 MiB
   */
  reserveBytes?: number;
  /**
   * Bytes of each persistentalloc chunk (see `@gomalloc/persistent`). The
   * heap passes the physical page size on flat backends, where every chunk's
   * bytes are part of the buffer.
   * @defaultValue persistentChunkSize (256 KiB, Go's)
   */
  chunkBytes?: number;
  /**
   * Bytes of the smallest span bitmap (a power of two from 8 to 4096). 64
   * gives each small span's allocBits, gcmarkBits and freed bitmaps cache
   * lines of their own — what a heap shared by several workers wants, since
   * workers freeing into different spans then never write the same line
   * (at 8, the bitmaps of several spans share one). Costs up to 224 more bytes per span.
   * @defaultValue 8 (64 objects per bitmap word pair, the fewest bytes)
   */
  minBitmapBytes?: number;
  /**
   * Statistic the mspan records are charged to.
   * @defaultValue SysStat.mspan_sys
   */
  stat?: SysStat;
  /**
   * Statistic the span bitmaps are charged to (Go's gcBits are GC metadata).
   * @defaultValue SysStat.gcMiscSys
   */
  bitsStat?: SysStat;
}

/** Memory for an MSpanTable and the heap's hot metadata, all under one MemView. */
export class SpanAlloc implements SpanMemory {
  readonly sys: SysMemory;
  /** Address of the header record. */
  readonly header: number;
  /** The view covering every record, bitmap and metadata block. */
  readonly view: MemView;
  /** The persistentalloc every chunk is cut from (for other fixallocs of the heap). */
  readonly palloc: PersistentAlloc;
  /** Bytes of the smallest span bitmap (see {@link SpanAllocOptions.minBitmapBytes}). */
  readonly minBitmapBytes: number;
  private readonly spanalloc: FixAlloc;
  private readonly pools: FixAlloc[];

  private constructor(sys: SysMemory, header: number) {
    this.sys = sys;
    this.header = header;
    const hv = sys.viewOf(header);
    const base = hv.getF64(header + H_BASE);
    this.view = sys.viewOf(base === 0 ? header : base);
    this.minBitmapBytes = hv.getU32(header + H_MIN_BITMAP);
    this.palloc = PersistentAlloc.attach(sys, header + H_PERSISTENT);
    this.spanalloc = FixAlloc.attach(sys, header + H_FIX);
    this.pools = [];
    for (let k = 0; k < NPOOLS; k++) this.pools.push(FixAlloc.attach(sys, header + H_FIX + 64 * (k + 1)));
  }

  /**
   * Writes the header (and reserves the region for source `"reserve"`).
   * Throws SpanAllocError if the backend refuses the header page or the
   * reservation (releasing what it took).
   */
  static create(sys: SysMemory, opts: SpanAllocOptions = {}): SpanAlloc {
    const stat = opts.stat ?? SysStat.mspan_sys;
    const bitsStat = opts.bitsStat ?? SysStat.gcMiscSys;
    const pps = sys.physPageSize;
    const reserve = (opts.source ?? "reserve") === "reserve";
    const minBitmap = opts.minBitmapBytes ?? 1 << MIN_LOG;
    if (
      !Number.isInteger(minBitmap) ||
      minBitmap < 1 << MIN_LOG ||
      minBitmap > 1 << MAX_LOG ||
      (minBitmap & (minBitmap - 1)) !== 0
    ) {
      throw new SpanAllocError(`span table minBitmapBytes ${minBitmap}: want a power of two in [8, 4096]`);
    }
    const hsize = Math.ceil((H_FIX + 64 * (NPOOLS + 1)) / pps) * pps;
    let size = 0;
    if (reserve) {
      const space = sys.caps.addressSpaceEnd - sys.caps.addressSpaceStart;
      const want = opts.reserveBytes ?? Math.max(regionFloor, Math.min(256 << 20, Math.floor(space / 16)));
      if (!Number.isSafeInteger(want) || want < regionFloor) {
        throw new SpanAllocError(`span table reserveBytes ${want}: want at least ${regionFloor}`);
      }
      size = Math.ceil(want / pps) * pps;
    } else if (opts.source !== "sysAlloc") {
      throw new SpanAllocError(`span table source ${String(opts.source)}: want "reserve" or "sysAlloc"`);
    }
    const header = sys.sysAlloc(hsize, stat);
    if (header === 0) throw new SpanAllocError("span table: the backend refused the header page");
    let base = 0;
    if (reserve) {
      base = sys.sysReserve(0, size);
      if (base === 0) {
        sys.sysFree(header, hsize, stat);
        throw new SpanAllocError(`span table: the backend refused to reserve ${size} bytes`);
      }
    }
    const hv = sys.viewOf(header);
    hv.setU32(header + H_KIND, reserve ? KIND_RESERVE : KIND_SYSALLOC);
    hv.setF64(header + H_BASE, base);
    hv.setF64(header + H_SIZE, size);
    hv.setU32(header + H_MIN_BITMAP, minBitmap);
    const lin = reserve ? LinearAlloc.init(sys, header + H_LINEAR, base, size, true) : undefined;
    // Word index 0 of the view means "none" in the records that point into it (span
    // bitmaps, the heap's page→span maps): the region's first bytes hold nothing
    // else. (A flat view starts with the backend's header.)
    if (lin !== undefined && lin.alloc(8, 8, stat) !== base) {
      throw new SpanAllocError("span table: the region's first bytes were refused");
    }
    const pa = PersistentAlloc.init(sys, header + H_PERSISTENT, {
      source: lin,
      chunkBytes: opts.chunkBytes,
    });
    // Chunks aligned to a cache line: with 128-byte records, each span's hot first half is one line.
    FixAlloc.init(sys, header + H_FIX, mspanBytes, pa, stat, { chunkAlign: 64 });
    for (let k = 0; k < NPOOLS; k++) {
      // Bitmap blocks come in ten sizes: 4 KiB chunks (Go's fixalloc takes 16 KiB) keep the
      // sizes a heap barely uses from holding a chunk each.
      const block = 4 * 2 ** (MIN_LOG + k);
      FixAlloc.init(sys, header + H_FIX + 64 * (k + 1), block, pa, bitsStat, {
        chunkBytes: Math.max(block, 4 << 10),
        chunkAlign: 64,
      });
    }
    hv.setU32(header + H_MAGIC, MAGIC);
    return new SpanAlloc(sys, header);
  }

  /** A handle on the span memory created at `header` (in this or another worker). */
  static attach(sys: SysMemory, header: number): SpanAlloc {
    const hv = sys.viewOf(header);
    if (hv.getU32(header + H_MAGIC) !== MAGIC)
      throw new SpanAllocError(`no span table header at 0x${header.toString(16)}`);
    return new SpanAlloc(sys, header);
  }

  /** Whether the chunks come from a reserved region (`"reserve"`) or from sysAlloc. */
  get source(): "reserve" | "sysAlloc" {
    return this.view.getU32(this.header + H_KIND) === KIND_RESERVE ? "reserve" : "sysAlloc";
  }

  /** Bytes of mspan records handed out and not freed (Go's `spanalloc.inuse`). */
  get inuse(): number {
    return this.spanalloc.inuse;
  }

  /** Checks that `[p, p+n)` lies under the view; the sysAlloc source relies on it. */
  private under(p: number, n: number): number {
    if (p !== 0 && !this.view.covers(p, n)) {
      throw new SpanAllocError(`span memory at 0x${p.toString(16)} is outside the table's view`);
    }
    return p;
  }

  /** Go's `spanalloc.alloc`: a zeroed record, or 0 when the region is exhausted. */
  allocRecord(): number {
    return this.under(this.spanalloc.alloc(), mspanBytes);
  }

  /** Go's `spanalloc.free`. */
  freeRecord(rec: number): void {
    this.spanalloc.free(rec);
  }

  /** A zeroed block of 4·nbytes bytes (nbytes a power of two in [8, 4096]), or 0 when exhausted. */
  allocBits(nbytes: number): number {
    // log2 of a power of two by clz32, not Math.log2 (a C call in V8); anything else has no pool.
    const k = 31 - Math.clz32(nbytes) - MIN_LOG;
    const pool = this.pools[k];
    if (pool === undefined || nbytes !== 1 << (k + MIN_LOG))
      throw new SpanAllocError(`no bitmap pool for ${nbytes} bytes`);
    return this.under(pool.alloc(), 4 * nbytes);
  }

  /** Returns a block from {@link allocBits}. */
  freeBits(block: number, nbytes: number): void {
    this.pools[31 - Math.clz32(nbytes) - MIN_LOG]!.free(block);
  }

  /**
   * Go's `persistentalloc` on the table's memory: `size` zeroed bytes aligned
   * to `align` (0 = 8, at most 8 KiB), never freed, charged to `stat`, under
   * the table's view. Returns 0 when the memory is exhausted.
   */
  allocMeta(size: number, align: number, stat: SysStat): number {
    return this.under(this.palloc.alloc(size, align, stat), size);
  }
}
