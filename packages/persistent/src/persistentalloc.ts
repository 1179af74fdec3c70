/**
 * PersistentAlloc: Go's persistentalloc (malloc.go) — small, never-freed,
 * zeroed blocks carved from 256 KiB chunks, for metadata that lives as long as
 * the heap. Requests of 64 KiB or more go straight to the chunk source. Every
 * chunk starts with a link to the previous one (the `persistentChunks` list),
 * which `inPersistentAlloc` walks. The chunk source is pluggable: `sysAlloc`,
 * as in Go, or a LinearAlloc region (so all metadata can sit in one
 * reservation). Chunks are charged to `other_sys`, then each block's bytes
 * move to the caller's stat, as Go does.
 *
 * The state is a 48-byte record in managed memory: f64 `base` (current
 * chunk), `off`, `chunks` (list head), `list` (address of the record that owns
 * the list head: several allocators — Go's per-P ones — may share one list),
 * `source` (LinearAlloc record or 0), u32 magic, u32 chunk size. Returns 0 when the source is
 * exhausted (where Go throws "runtime: cannot allocate memory"), changing
 * nothing. The caller is responsible for locking. See docs/design.md.
 */
import { alignUp, isPowerOfTwo, type MemView, PageState, type SysMemory, SysStat } from "@gomalloc/os-mem";
import { BadAllocAlignError, BadAllocSizeError, BadInitError } from "./errors.js";
import { LinearAlloc } from "./linearalloc.js";
import { attachView, recordView } from "./record.js";

/** Bytes of a persistentalloc chunk (Go's persistentChunkSize). */
export const persistentChunkSize = 256 << 10;
/** Requests this large or larger bypass the chunks (Go's maxBlock in persistentalloc1). */
export const persistentMaxBlock = 64 << 10;
/** Largest alignment persistentalloc accepts: Go's runtime pageSize (8 KiB). */
export const persistentMaxAlign = 8192;
/** Size of the link word at the start of each chunk (Go's goarch.PtrSize on 64-bit). */
const LINK = 8;

const F_BASE = 0;
const F_OFF = 8;
const F_CHUNKS = 16;
const F_LIST = 24;
const F_SOURCE = 32;
const F_MAGIC = 40;
const F_CHUNK_BYTES = 44; // u32; 0 in records written before it existed = persistentChunkSize
/** Magic word of a PersistentAlloc record ("PERS"). */
const MAGIC = 0x53524550;

/** Options of {@link PersistentAlloc.init}. */
export interface PersistentAllocOptions {
  /** Take chunks from this LinearAlloc (which must map memory) instead of sysAlloc. */
  source?: LinearAlloc;
  /** Share this allocator's chunk list (Go's per-P allocators share `persistentChunks`). */
  shareChunksWith?: PersistentAlloc;
  /**
   * Bytes of each chunk: a power of two from 16 KiB to Go's 256 KiB. A smaller
   * chunk suits a backend whose every mapped byte counts (a flat buffer): an
   * allocator leaves at most one partly used chunk behind. Requests of half a
   * chunk or more (at most Go's 64 KiB) go straight to the source.
   * @defaultValue persistentChunkSize (256 KiB, Go's)
   */
  chunkBytes?: number;
}

/**
 * A handle on a persistentalloc record. Invariants (checked by `check`):
 * - PA1: 0 ≤ off ≤ chunkBytes, and base = 0 or base is a chunk on the list.
 * - PA2: the chunk list is finite, its chunks are disjoint and each is Ready.
 */
export class PersistentAlloc {
  /** Bytes of the record. */
  static readonly recordBytes = 48;
  readonly sys: SysMemory;
  /** Address of the record. */
  readonly rec: number;
  private readonly view: MemView;
  private readonly source: LinearAlloc | null;

  private constructor(sys: SysMemory, rec: number, view: MemView) {
    this.sys = sys;
    this.rec = rec;
    this.view = view;
    const src = view.getF64(rec + F_SOURCE);
    this.source = src === 0 ? null : LinearAlloc.attach(sys, src);
  }

  /** Writes a fresh record at `rec` (8-aligned Ready memory) and returns its handle. */
  static init(sys: SysMemory, rec: number, opts: PersistentAllocOptions = {}): PersistentAlloc {
    const view = recordView(sys, "persistentalloc", rec, PersistentAlloc.recordBytes);
    const src = opts.source;
    if (src !== undefined && (src.sys !== sys || !src.mapMemory)) {
      throw new BadInitError(
        "persistentalloc.init",
        "the source LinearAlloc must belong to this SysMemory and map memory",
      );
    }
    const share = opts.shareChunksWith;
    if (share !== undefined && share.sys !== sys) {
      throw new BadInitError("persistentalloc.init", "shareChunksWith belongs to another SysMemory");
    }
    const chunk = opts.chunkBytes ?? share?.chunkBytes ?? persistentChunkSize;
    if (!isPowerOfTwo(chunk) || chunk < 16 << 10 || chunk > persistentChunkSize) {
      throw new BadInitError("persistentalloc.init", `chunkBytes ${chunk}: want a power of two in [16 KiB, 256 KiB]`);
    }
    if (share !== undefined && share.chunkBytes !== chunk) {
      throw new BadInitError("persistentalloc.init", "allocators sharing a chunk list must share a chunk size");
    }
    view.setF64(rec + F_BASE, 0);
    view.setF64(rec + F_OFF, 0);
    view.setF64(rec + F_CHUNKS, 0);
    view.setF64(rec + F_LIST, share === undefined ? rec : share.listOwner());
    view.setF64(rec + F_SOURCE, src === undefined ? 0 : src.rec);
    view.setU32(rec + F_CHUNK_BYTES, chunk);
    view.setU32(rec + F_MAGIC, MAGIC);
    return new PersistentAlloc(sys, rec, view);
  }

  /** Bytes of each chunk (see {@link PersistentAllocOptions.chunkBytes}). */
  get chunkBytes(): number {
    return this.view.getU32(this.rec + F_CHUNK_BYTES) || persistentChunkSize;
  }

  /** A handle on the record initialised at `rec` (in this or another worker). */
  static attach(sys: SysMemory, rec: number): PersistentAlloc {
    const view = attachView(sys, "persistentalloc", rec, PersistentAlloc.recordBytes, F_MAGIC, MAGIC);
    return new PersistentAlloc(sys, rec, view);
  }

  /** Address of the record holding the chunk-list head. */
  listOwner(): number {
    return this.view.getF64(this.rec + F_LIST);
  }

  /** The chunk-list head (most recent chunk first), 0 when empty. */
  chunksHead(): number {
    const owner = this.listOwner();
    return this.sys.viewOf(owner).getF64(owner + F_CHUNKS);
  }

  /** The chunks on the list, most recent first. */
  chunks(): number[] {
    const out: number[] = [];
    const limit = this.sys.caps.addressSpaceEnd / this.chunkBytes;
    for (let c = this.chunksHead(); c !== 0; c = this.sys.viewOf(c).getF64(c)) {
      if (out.length > limit) throw new Error("PA2: the chunk list does not end");
      out.push(c);
    }
    return out;
  }

  /**
   * Hands out `size` zeroed bytes aligned to `align` (0 = 8; else a power of two
   * up to 8 KiB), charged to `stat` (Go's persistentalloc1). Returns 0 when the
   * chunk source is exhausted.
   */
  alloc(size: number, align: number, stat: SysStat): number {
    if (!Number.isSafeInteger(size) || size <= 0) {
      throw new BadAllocSizeError("persistentalloc", size, "persistentalloc: size == 0");
    }
    if (align !== 0) {
      if (!isPowerOfTwo(align))
        throw new BadAllocAlignError("persistentalloc", align, "persistentalloc: align is not a power of 2");
      if (align > persistentMaxAlign) {
        throw new BadAllocAlignError("persistentalloc", align, "persistentalloc: align is too large");
      }
    } else {
      align = 8;
    }
    const sys = this.sys;
    const chunkBytes = this.chunkBytes;
    if (size >= Math.min(persistentMaxBlock, chunkBytes / 2)) {
      return this.source === null ? sys.sysAlloc(size, stat) : this.source.alloc(size, align, stat);
    }
    const rec = this.rec;
    const v = this.view;
    let base = v.getF64(rec + F_BASE);
    // Align the address itself (Go aligns the offset, relying on chunk alignment).
    let off = base === 0 ? 0 : alignUp(base + v.getF64(rec + F_OFF), align) - base;
    if (off + size > chunkBytes || base === 0) {
      const chunk =
        this.source === null
          ? sys.sysAlloc(chunkBytes, SysStat.other_sys)
          : this.source.alloc(chunkBytes, sys.physPageSize, SysStat.other_sys);
      if (chunk === 0) return 0;
      const owner = this.listOwner();
      const ov = sys.viewOf(owner);
      sys.viewOf(chunk).setF64(chunk, ov.getF64(owner + F_CHUNKS));
      ov.setF64(owner + F_CHUNKS, chunk);
      base = chunk;
      off = alignUp(chunk + LINK, align) - chunk;
      v.setF64(rec + F_BASE, base);
    }
    v.setF64(rec + F_OFF, off + size);
    if (stat !== SysStat.other_sys) {
      sys.statAdd(stat, size);
      sys.statAdd(SysStat.other_sys, -size);
    }
    return base + off;
  }

  /** Whether `p` points into a chunk on this allocator's list (Go's inPersistentAlloc). */
  inPersistentAlloc(p: number): boolean {
    const chunkBytes = this.chunkBytes;
    for (let c = this.chunksHead(); c !== 0; c = this.sys.viewOf(c).getF64(c)) {
      if (p >= c && p < c + chunkBytes) return true;
    }
    return false;
  }

  /** Checks PA1–PA2; throws an Error naming the first one broken. */
  check(): void {
    const base = this.view.getF64(this.rec + F_BASE);
    const off = this.view.getF64(this.rec + F_OFF);
    const chunkBytes = this.chunkBytes;
    if (off < 0 || off > chunkBytes) throw new Error(`PA1: off ${off} outside the chunk`);
    const chunks = this.chunks();
    if (base !== 0 && !chunks.includes(base)) throw new Error(`PA1: current chunk ${base} is not on the list`);
    const sorted = [...chunks].sort((a, b) => a - b);
    for (let i = 0; i < sorted.length; i++) {
      if (i > 0 && sorted[i - 1]! + chunkBytes > sorted[i]!) throw new Error(`PA2: chunks ${sorted[i]} overlap`);
      for (let a = sorted[i]!; a < sorted[i]! + chunkBytes; a += this.sys.physPageSize) {
        if (this.sys.pageState(a) !== PageState.Ready) throw new Error(`PA2: chunk page ${a} is not Ready`);
      }
    }
  }
}
