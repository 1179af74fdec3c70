/**
 * SpanAlloc: where mspan records and span bitmaps live (Go's
 * `mheap_.spanalloc` plus gomalloc's bitmap pools). One region of address
 * space is reserved up front and handed out by a LinearAlloc that maps pages
 * as it advances; a FixAlloc of mspan records and one FixAlloc per bitmap
 * size (blocks of allocBits + gcmarkBits + freed, 3 × 2^k bytes for
 * k = 3..12) all cut their chunks from it, so every record and bitmap is
 * under one MemView and a span's fields are plain typed-array indexes.
 * Go allocates gcBits from per-GC-cycle arenas freed in bulk; with explicit
 * free there are no cycles, so each span owns its bitmaps and returns them to
 * the pool of their size when it dies. The state (the region, the
 * LinearAlloc and FixAlloc records) is a header in managed memory, so other
 * workers can attach. See docs/design.md, "Records".
 */

import { type MemView, type SysMemory, SysStat } from "@gomalloc/os-mem";
import { FixAlloc, LinearAlloc } from "@gomalloc/persistent";
import { SpanAllocError } from "./errors.js";
import { mspanBytes, type SpanMemory } from "./mspan.js";

const MAGIC = 0x4e415053; // "SPAN"
const H_MAGIC = 0;
const H_BASE = 8;
const H_SIZE = 16;
const H_LINEAR = 32;
const H_FIX = 96;
/** Bitmap pools for 2^3 .. 2^12 bytes per bitmap (64 .. 32768 objects). */
const MIN_LOG = 3;
const MAX_LOG = 12;
const NPOOLS = MAX_LOG - MIN_LOG + 1;
/** The smallest region accepted. */
const fixChunkFloor = 64 << 10;

/** Options of {@link SpanAlloc.create}. */
export interface SpanAllocOptions {
  /**
   * Bytes of address space reserved for records and bitmaps (rounded up to
   * physical pages). Pages are committed only as they are used.
   * @defaultValue a sixteenth of the backend's address space, between 64 KiB and 256 MiB
   */
  reserveBytes?: number;
  /**
   * Statistic the memory is charged to.
   * @defaultValue SysStat.mspan_sys
   */
  stat?: SysStat;
}

/** Memory for an MSpanTable: mspan records and bitmap blocks under one MemView. */
export class SpanAlloc implements SpanMemory {
  readonly sys: SysMemory;
  /** Address of the header record. */
  readonly header: number;
  /** The view covering every record and bitmap. */
  readonly view: MemView;
  private readonly spanalloc: FixAlloc;
  private readonly pools: FixAlloc[];

  private constructor(sys: SysMemory, header: number) {
    this.sys = sys;
    this.header = header;
    const hv = sys.viewOf(header);
    this.view = sys.viewOf(hv.getF64(header + H_BASE));
    this.spanalloc = FixAlloc.attach(sys, header + H_FIX);
    this.pools = [];
    for (let k = 0; k < NPOOLS; k++) this.pools.push(FixAlloc.attach(sys, header + H_FIX + 64 * (k + 1)));
  }

  /**
   * Reserves the region and writes the header. Throws SpanAllocError if the
   * backend refuses the header page or the reservation (releasing what it took).
   */
  static create(sys: SysMemory, opts: SpanAllocOptions = {}): SpanAlloc {
    const stat = opts.stat ?? SysStat.mspan_sys;
    const pps = sys.physPageSize;
    const space = sys.caps.addressSpaceEnd - sys.caps.addressSpaceStart;
    const want = opts.reserveBytes ?? Math.max(fixChunkFloor, Math.min(256 << 20, Math.floor(space / 16)));
    if (!Number.isSafeInteger(want) || want < fixChunkFloor) {
      throw new SpanAllocError(`span table reserveBytes ${want}: want at least ${fixChunkFloor}`);
    }
    const size = Math.ceil(want / pps) * pps;
    const hsize = Math.ceil((H_FIX + 64 * (NPOOLS + 1)) / pps) * pps;
    const header = sys.sysAlloc(hsize, stat);
    if (header === 0) throw new SpanAllocError("span table: the backend refused the header page");
    const base = sys.sysReserve(0, size);
    if (base === 0) {
      sys.sysFree(header, hsize, stat);
      throw new SpanAllocError(`span table: the backend refused to reserve ${size} bytes`);
    }
    const hv = sys.viewOf(header);
    hv.setF64(header + H_BASE, base);
    hv.setF64(header + H_SIZE, size);
    const lin = LinearAlloc.init(sys, header + H_LINEAR, base, size, true);
    FixAlloc.init(sys, header + H_FIX, mspanBytes, lin, stat);
    for (let k = 0; k < NPOOLS; k++) {
      FixAlloc.init(sys, header + H_FIX + 64 * (k + 1), 3 * 2 ** (MIN_LOG + k), lin, stat);
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

  /** Go's `spanalloc.alloc`: a zeroed record, or 0 when the region is exhausted. */
  allocRecord(): number {
    return this.spanalloc.alloc();
  }

  /** Go's `spanalloc.free`. */
  freeRecord(rec: number): void {
    this.spanalloc.free(rec);
  }

  /** A zeroed block of 3·nbytes bytes (nbytes a power of two in [8, 4096]), or 0 when exhausted. */
  allocBits(nbytes: number): number {
    const k = Math.log2(nbytes) - MIN_LOG;
    const pool = this.pools[k];
    if (pool === undefined || !Number.isInteger(k)) throw new SpanAllocError(`no bitmap pool for ${nbytes} bytes`);
    return pool.alloc();
  }

  /** Returns a block from {@link allocBits}. */
  freeBits(block: number, nbytes: number): void {
    this.pools[Math.log2(nbytes) - MIN_LOG]!.free(block);
  }
}
