/**
 * The `Heap` handle, whose `malloc` and `free` fast paths are inlined here:
 * size → span class through a typed-array table, the mcache's span read from
 * managed memory, nextFreeFast, the profiling countdown; and for free, the
 * arena map to the span and the span's freed bitmap. Everything else lives
 * in malloc.ts, free.ts, tiny.ts, mcache.ts and mstats.ts; making heaps in
 * createheap.ts, memory access in memaccess.ts. The handle holds only views
 * and numbers it can re-derive from the memory. See docs/design.md, "The heap".
 */
import type { Profile } from "@gomalloc/arch";
import {
  F_tinySide,
  finishSweep,
  freeCycleTrigger,
  l2Limit,
  type MHeap,
  PageCache,
  startFreeCycle,
} from "@gomalloc/mheap";
import { type MemView, Mutex, type SysMemory } from "@gomalloc/os-mem";
import { FixAlloc } from "@gomalloc/persistent";
import { HeapProfiler, type MemStats, writeHeapProfile } from "@gomalloc/profiling";
import type { SizeClasses } from "@gomalloc/sizeclass";
import {
  F_allocBits,
  F_allocCacheHi,
  F_allocCacheLo,
  F_allocCount,
  F_cachedBy,
  F_classWord,
  F_divMul,
  F_elemsize,
  F_freed,
  F_freeindex,
  F_needzero,
  F_nelems,
  F_startAddr,
  type MSpanTable,
  mSpanInUse,
} from "@gomalloc/span";
import type { AttachHeapOptions, CreateHeapOptions, ScavengeGoal } from "./createheap.js";
import { HeapOptionError, NoProcessorError, OutOfMemoryError, PReclaimError } from "./errors.js";
import { freeSlow, realloc, usableSize } from "./free.js";
import { checkHeap } from "./invariants.js";
import { arrayBytes, type MallocOptions, mallocSlow, memclr, profilealloc } from "./malloc.js";
import {
  acctOf,
  heapAllocApprox,
  MC_FLUSH_GEN,
  MC_NEXT_SAMPLE,
  MC_TINY,
  MC_TINY_ALLOCS,
  MC_TINY_OFFSET,
  MC_TINY_SIDE,
  MCacheLayout,
  releaseAll,
  reuseEntries,
  reusePush,
  reuseStride,
  startCycle,
  tinyReuseStack,
} from "./mcache.js";
import { HeapMemory } from "./memaccess.js";
import { readMemStats } from "./mstats.js";
import {
  claimP,
  markPDead,
  pIdle,
  pInSlowIndex,
  pMCache,
  pPageCache,
  pStatus,
  pToken,
  releaseP,
  stampP,
} from "./proc.js";
import { repairP } from "./procfault.js";
import { maxTinySize, newTinyBlock, tinyAlignMasks, tinyBlockSpanClass, tinyFillShift, tinyHeld } from "./tiny.js";

// The root record (byte offsets; createheap.ts writes it). @internal
export const R_MAGIC = 0;
export const R_LAYOUT = 4;
export const R_GOVERSION = 8;
export const R_NUMPS = 12;
export const R_MHEAP = 16;
export const R_PTABLE = 24;
export const R_EMPTY = 32;
export const R_ZEROBASE = 40; // 8 bytes: Go's zerobase, the address of every 0-byte object
export const R_HUGE = 48;
export const R_PAIR = 56; // 32 bytes of ASCII
export const R_CACHEALLOC = 88; // FixAlloc record
export const R_CENTRAL_LOCK = 152; // i32: the mcentral lock (see lockCentral)
export const ROOT_BYTES = 160;
export const ROOT_MAGIC = 0x50484f47; // "GOHP"
export const ROOT_LAYOUT = 3;
/**
 * Lock rank of the mcentral lock: below a span set's spine lock and the heap
 * lock (Go 1.14's lockRankMcentral sat there too, when mcentral had a lock).
 */
export const lockRankMcentral = 5;
/** The os-mem root slot holding the heap's root record. */
export const heapRootSlot = 0;

const TWO_NEG32 = 2 ** -32;
const REUSE_STRIDE = reuseStride;
const REUSE_ENTRIES = reuseEntries;
const TINY_REUSE = tinyReuseStack;
const TINY_HELD = tinyHeld;
const TINY_FILL_SHIFT = tinyFillShift;
// Imported constants the fast paths use, as this module's own consts: V8 folds a module's
// const into the code, but reads an import through its binding cell (a load and a hole check)
// at every use.
const MAX_TINY = maxTinySize;
const SPAN_IN_USE = mSpanInUse;
const NEEDZERO = F_needzero;
// Span record fields as u32 (W_) and f64 (D_) indexes from the record's word index.
const W_divMul = F_divMul / 4;
const W_freed = F_freed / 4;
const W_cachedBy = F_cachedBy / 4;
const W_allocBits = F_allocBits / 4;
const W_cacheLo = F_allocCacheLo / 4;
const W_cacheHi = F_allocCacheHi / 4;
const W_freeindex = F_freeindex / 4;
const W_nelems = F_nelems / 4;
const W_allocCount = F_allocCount / 4;
const W_class = F_classWord / 4;
const W_tinySide = F_tinySide / 4;
const D_start = F_startAddr / 8;
const D_elemsize = F_elemsize / 8;
// mcache record fields as u32 / f64 indexes from the record's u32 index.
const MW_TINY_OFFSET = MC_TINY_OFFSET / 4;
const MW_TINY_SIDE = MC_TINY_SIDE / 4;
const MD_TINY = MC_TINY / 8;
const MD_TINY_ALLOCS = MC_TINY_ALLOCS / 8;
/**
 * The class word of a span the small free fast path takes: state mSpanInUse
 * (bits 8–15), no specials (16–23) and an odd span class (noscan) in bit 0;
 * the class itself must also be above 1 (not a large object).
 */
const CLASS_MASK = 0x00ffff01;
const CLASS_SMALL = (mSpanInUse << 8) | 1;
/** The class word of an in-use tiny-block span without specials, less the class byte. */
const CLASS_TINY = mSpanInUse << 8;

/**
 * A handle on a gomalloc heap. Allocation and free go through the P the
 * handle holds; statistics and memory access work on any handle.
 * Addresses are plain numbers (0 is never an object; `zerobase` is the
 * address of every 0-byte object).
 */
export class Heap extends HeapMemory {
  /** The platform profile the heap follows. */
  readonly profile: Profile;
  /** The size-class tables. */
  readonly sizeClasses: SizeClasses;
  /** @internal The heap record's handle (`@gomalloc/mheap`). */
  readonly h: MHeap;
  /** @internal The span table. */
  readonly t: MSpanTable;
  /** @internal The view over every hot record. */
  readonly v: MemView;
  /** Address of the root record (os-mem root slot 0). */
  readonly root: number;
  /** Number of Ps. */
  readonly numPs: number;
  /** @internal Address of the P table. */
  readonly ptable: number;
  /** @internal Go's emptymspan: what an mcache holds for a class it has no span of. */
  readonly emptymspan: number;
  /** Go's zerobase: the address every 0-byte allocation returns. */
  readonly zerobase: number;
  /** The largest size malloc accepts (Go's maxAlloc for the profile). */
  readonly maxAlloc: number;
  /** This handle's heap profiler (Go's MemProfileRate and bucket table). */
  readonly profiler: HeapProfiler;
  /** @internal mcache record layout. */
  readonly layout: MCacheLayout;
  /**
   * @internal The span class (noscan) of every small size, by ⌈size / 8⌉:
   * Go's size_to_class8 and size_to_class128 in one table (class sizes are
   * multiples of 8, so a size and its 8-byte round-up share a class).
   */
  readonly spcOfSize: Uint8Array;
  /**
   * @internal The largest size of the inline malloc path: Go's maxSmallSize
   * while the handle holds a P, 0 without one (the path reads the P's mcache).
   */
  fastMax = 0;
  /** @internal Numbers of the inline spanOf (no L1 level: arenas[0] is the whole map). */
  readonly arenaAdd: number;
  readonly invArenaBytes: number;
  readonly arenaBytes: number;
  readonly pageSize: number;
  readonly invPageSize: number;
  /**
   * @internal Whether the inline spanOf may use 32-bit shifts: no arena base
   * offset and every fast-path address below 2^32 (the flat backends), with
   * the shifts and page mask it uses.
   */
  intAddr = false;
  readonly arenaShift: number;
  readonly pageShift: number;
  readonly pagesMask: number;
  /** @internal The view over the L2 arena map and the u32 index of its entry 0 (inline spanOf). */
  readonly l2v: MemView;
  readonly l2w: number;
  /** @internal Span class of tiny blocks (the scan twin of Go's tinySpanClass; see tiny.ts). */
  readonly tinySpc: number;
  /** @internal Go's tinySpanClass: the class of a new tiny block that does not become the held one (see tiny.ts). */
  readonly tinyObjSpc: number;
  /** @internal Go's tiny alignment by size, as masks (see tiny.ts). */
  readonly tinyAlign: Uint8Array;
  /** @internal One view from address 0 covers objects and metadata alike (the flat backends). */
  readonly flatView: boolean;
  /**
   * @internal The inline free path takes addresses in (0, fastEnd): the range
   * the L2 arena map covers while this handle holds a P (0 otherwise, and on
   * profiles with an L1 level).
   */
  fastEnd = 0;
  /**
   * @internal Whether the fast paths must use Atomics on bitmap words: shared
   * memory with more than one P (with one P, only this handle allocates and frees).
   */
  readonly atomic: boolean;
  /** The P this handle holds, or -1. */
  p = -1;
  /** @internal p + 1 while a P is held (the value of the F_cachedBy field of the spans it owns), else -1. */
  pOwn = -1;
  /** This handle's owner token: written into the P it claims (see {@link reclaimP}). */
  readonly token: number;
  /** @internal The mcentral lock (null with one P: only one handle ever allocates then). */
  readonly central: Mutex | null;
  /** @internal Nesting depth of slow paths on this handle (see {@link enterSlow}). */
  slowDepth = 0;
  /** @internal Nesting depth of {@link lockCentral} on this handle. */
  centralDepth = 0;
  /** @internal u32 index of the held P's inSlow word (-1 without a P, or with one P). */
  inSlowW = -1;
  /** @internal The held P's mcache record (0 without a P). */
  mc = 0;
  /** @internal u32 index of the held P's mcache record. */
  mcU = 0;
  /** @internal u32 index of the mcache's `allocW[0]` (span word indexes). */
  mcAllocWU = 0;
  /** @internal f64 index of the mcache's smallFreeCount[0]. */
  mcFreeCountD = 0;
  /** @internal u32 index of the held P's reuse area. */
  reuseU = 0;
  /** @internal f64 index of the mcache's reuseCount[0]. */
  mcReuseD = 0;
  /** @internal f64 index of the mcache's nextSample (its cached MemProfileRate follows). */
  mcSampleD = 0;
  /**
   * @internal Whether allocations count down the mcache's nextSample: false
   * while this handle's MemProfileRate is 0 (Go's nextSample is then out of
   * reach anyway); a rate change turns it on until the next sample.
   */
  sampling = false;

  /** @internal The held P's page cache. */
  pc: PageCache | null = null;
  /** @internal The span the last slow-path allocation came from. */
  lastSpan = 0;
  /** @internal The free cycle after which the scavenger last ran (see {@link scavengeAfterCycle}). */
  scavengedCycle = 0;
  /** @internal Large allocations through this handle (for the free-cycle trigger's pace, mcache.ts). */
  largeAllocs = 0;

  /** Use {@link createHeap} or {@link attachHeap}. */
  constructor(
    sys: SysMemory,
    profile: Profile,
    sc: SizeClasses,
    h: MHeap,
    root: number,
    opts: CreateHeapOptions | AttachHeapOptions,
  ) {
    super(sys);
    this.profile = profile;
    this.sizeClasses = sc;
    this.h = h;
    this.t = h.spans;
    this.v = h.v;
    this.root = root;
    const v = this.v;
    this.numPs = v.getU32(root + R_NUMPS);
    this.ptable = v.getF64(root + R_PTABLE);
    this.emptymspan = v.getF64(root + R_EMPTY);
    this.zerobase = root + R_ZEROBASE;
    this.maxAlloc = profile.maxAlloc;
    this.profiler = new HeapProfiler({
      MemProfileRate: opts.memProfileRate ?? 0,
      rand: opts.profilerRand,
      stackDepth: opts.profilerStackDepth,
    });
    this.layout = new MCacheLayout(sc);
    this.spcOfSize = new Uint8Array(Math.ceil(sc.maxSmallSize / 8) + 1);
    for (let i = 2; i < this.spcOfSize.length; i++) this.spcOfSize[i] = (sc.sizeToClass(8 * i) << 1) | 1;
    const g = h.geom;
    this.arenaAdd = g.arenaBaseOffsetAdd;
    this.invArenaBytes = 1 / g.heapArenaBytes;
    this.arenaBytes = g.heapArenaBytes;
    this.pageSize = g.pageSize;
    this.invPageSize = 1 / g.pageSize;
    this.arenaShift = Math.log2(g.heapArenaBytes);
    this.pageShift = Math.log2(g.pageSize);
    this.pagesMask = g.heapArenaBytes / g.pageSize - 1;
    this.l2v = h.l2v;
    this.l2w = h.l2w;
    this.tinySpc = tinyBlockSpanClass(sc);
    this.tinyObjSpc = sc.tinySpanClass;
    this.tinyAlign = tinyAlignMasks(profile.PtrSize);
    this.flatView = sys.caps.backend !== "simulated" && this.v.base === 0 && sys.viewOf(0) === this.v;
    this.atomic = this.v.shared && this.numPs > 1;
    this.sampling = this.profiler.MemProfileRate !== 0;
    this.token = Math.floor(Math.random() * 0xffffffff) >>> 0 || 1;
    this.central =
      this.numPs > 1
        ? new Mutex(v, (root + R_CENTRAL_LOCK - v.base) / 4, {
            name: "mcentral",
            rank: lockRankMcentral,
            blocking: "blocking" in opts ? opts.blocking : undefined,
          })
        : null;
  }

  /**
   * @internal Re-points this handle's views if another worker grew the
   * memory (a fixed-length view over a growable SharedArrayBuffer does not
   * follow growth by itself). Slow paths call it first.
   */
  syncViews(): void {
    if (this.flatView) this.sys.syncView();
  }

  /**
   * @internal Syncs this handle before a read-only walk of the whole heap
   * (checkInvariants, inspectHeap): its views, and where the page
   * allocator's compact metadata sits now (it moves when another worker
   * grows the heap; slow paths re-read it under the heap lock). The walk
   * assumes no other worker is inside a slow path meanwhile.
   */
  syncForWalk(): void {
    this.syncViews();
    this.h.pages.syncMeta(false);
  }

  /**
   * @internal Marks the held P as inside a slow path (with several Ps; the
   * mark is this handle's token): a worker that dies with this mark may hold
   * a lock, and `reclaimP` refuses its P. Nests; pair with {@link exitSlow}.
   */
  enterSlow(): void {
    if (this.slowDepth++ === 0 && this.inSlowW >= 0) Atomics.store(this.v.i32, this.inSlowW, this.token | 0);
  }

  /** @internal Ends what {@link enterSlow} began (clearing only this handle's own mark). */
  exitSlow(): void {
    if (--this.slowDepth === 0 && this.inSlowW >= 0) {
      Atomics.compareExchange(this.v.i32, this.inSlowW, this.token | 0, 0);
    }
  }

  /**
   * @internal Takes the mcentral lock (with several Ps): refills, large
   * allocations and frees, free cycles, flushes and reclaims run under it,
   * one P at a time, while fast paths run on. Nests on one handle. Views are
   * synced once it is held; throws NoProcessorError (lock released) if this
   * handle's P was reclaimed meanwhile.
   */
  lockCentral(): void {
    const m = this.central;
    if (m === null) return;
    if (this.centralDepth++ > 0) return;
    this.enterSlow();
    try {
      // The lock word is read through this handle's view: a grow of a non-shared memory by
      // another handle detached it (shared memories keep old views valid, just short).
      this.syncViews();
      m.lock();
    } catch (e) {
      this.centralDepth = 0;
      this.exitSlow();
      throw e;
    }
    this.syncViews();
    if (this.p >= 0 && this.inSlowW >= 0 && pToken(this.v, this.ptable, this.p) !== this.token) {
      this.unlockCentral();
      // The P is someone else's now: take back this handle's mark (the inSlow word holds the
      // marking handle's token, so a new holder's mark is never cleared) and let go of it.
      Atomics.compareExchange(this.v.i32, this.inSlowW, this.token | 0, 0);
      this.unbind();
      throw new NoProcessorError("malloc/free (this handle's P was reclaimed)");
    }
  }

  /** @internal Releases what {@link lockCentral} took. */
  unlockCentral(): void {
    const m = this.central;
    if (m === null) return;
    if (--this.centralDepth > 0) return;
    m.unlock();
    this.exitSlow();
  }

  /** @internal Go's `mheap_.cachealloc`: the fixalloc of mcache records. */
  mcacheAlloc(): FixAlloc {
    return FixAlloc.attach(this.sys, this.root + R_CACHEALLOC);
  }

  /** @internal Takes P i (see {@link AttachHeapOptions.p}); false if another handle holds it. */
  claim(i: number, force: boolean): boolean {
    if (this.p >= 0) throw new HeapOptionError("p", `this handle already holds P ${this.p}`);
    if (!claimP(this.v, this.ptable, i, force)) return false;
    stampP(this.v, this.ptable, i, this.token);
    this.bindP(i);
    // An idle P's cache is empty (detach flushed it) but its flushGen may be cycles old: it is
    // flushed as of now. Under the mcentral lock, so that no cycle starts meanwhile.
    this.lockCentral();
    try {
      this.v.setU32(this.mc + MC_FLUSH_GEN, this.h.sweepgen);
    } finally {
      this.unlockCentral();
    }
    return true;
  }

  /** @internal Points this handle's P fields at P i (claimed by it, or being reclaimed through it). */
  bindP(i: number): void {
    this.p = i;
    this.pOwn = i + 1;
    this.inSlowW = this.numPs > 1 && this.v.shared ? pInSlowIndex(this.v, this.ptable, i) : -1;
    this.mc = pMCache(this.v, this.ptable, i);
    const mcv = this.mc - this.v.base;
    // Indexes into the view's arrays, kept as int32 (small offsets, never addresses).
    this.mcU = (mcv / 4) | 0;
    this.mcAllocWU = ((mcv + this.layout.allocW) / 4) | 0;
    this.mcFreeCountD = ((mcv + this.layout.smallFreeCount) / 8) | 0;
    this.reuseU = ((this.v.getF64(this.mc + this.layout.reuse) - this.v.base) / 4) | 0;
    this.mcReuseD = ((mcv + this.layout.reuseCount) / 8) | 0;
    this.mcSampleD = ((mcv + MC_NEXT_SAMPLE) / 8) | 0;
    const g = this.h.geom;
    this.fastEnd = g.arenaL1Bits === 0 && this.l2w >= 0 ? l2Limit(this.h) * g.heapArenaBytes - g.arenaBaseOffsetAdd : 0;
    this.intAddr = g.arenaBaseOffsetAdd === 0 && this.fastEnd <= 2 ** 32;
    this.pc = new PageCache(this.v, pPageCache(this.ptable, i), this.pageSize);
    this.fastMax = this.sizeClasses.maxSmallSize;
  }

  /**
   * Allocates `size` bytes and returns their address (Go's mallocgc).
   * Memory is not zeroed unless `opts.zero` (then only where it may be
   * dirty). Size 0 returns {@link zerobase}. Throws BadSizeError for a size
   * that is negative, not an integer or over maxAlloc, and OutOfMemoryError
   * when the backend cannot provide the memory (see {@link tryMalloc}).
   */
  malloc(size: number, opts?: MallocOptions): number {
    if (opts === undefined && size <= this.fastMax && size > 0 && (size | 0) === size) {
      const v = this.v;
      const u = v.u32;
      let spc: number;
      let rb: number; // the reuse stack to try
      if (size < MAX_TINY) {
        // Go's tiny allocator, inlined: combine into the mcache's current block,
        // else take a new block from the tiny-block span below.
        const mc = this.mcU;
        const m = this.tinyAlign[size]!;
        const fill = u[mc + MW_TINY_OFFSET]!; // = the block's fill mark (word A's bits 16–20)
        const off = (fill + m) & ~m;
        const side = u[mc + MW_TINY_SIDE]!;
        const end = off + size;
        if (end <= MAX_TINY && side > 0) {
          // Word A is the holder's alone (starts and fill mark; see tiny.ts): one plain store,
          // even with several Ps — others only read it. (side is inside this view: the slow
          // path that made the block current synced it.)
          u[side] = (u[side]! & 0xffff) | (1 << off) | (end << TINY_FILL_SHIFT);
          u[mc + MW_TINY_OFFSET] = end;
          const f = v.f64;
          const d = mc >> 1;
          f[d + MD_TINY_ALLOCS] = f[d + MD_TINY_ALLOCS]! + 1;
          return f[d + MD_TINY]! + off;
        }
        if (side > 0 && size >= fill) {
          // A new block would not replace the held one (Go's rule: it leaves no more room), so
          // nothing will ever be packed beside this object: it is a 16-byte object of Go's
          // tinySpanClass, allocated and freed as any small object (tiny.ts).
          spc = this.tinyObjSpc;
          rb = this.reuseU + (spc >>> 1) * REUSE_STRIDE;
        } else {
          // A new held block: first one whose objects were all freed through this P (the
          // tiny-block reuse stack), then the tiny-block span's next free slot.
          spc = this.tinySpc;
          rb = this.reuseU + TINY_REUSE * REUSE_STRIDE;
        }
      } else {
        spc = this.spcOfSize[(size + 7) >>> 3]!;
        rb = this.reuseU + (spc >>> 1) * REUSE_STRIDE;
      }
      {
        let n = u[rb]!;
        // `> 0`, not `!== 0`: through a detached view (another handle grew a non-shared memory)
        // n is undefined, and every test here must fail so that the slow path rebinds.
        while (n > 0) {
          // A recently freed object of the class (Go 1.26's freegc reuse list), taken
          // back by clearing its freed bit — unless a sweep already did.
          n--;
          u[rb] = n;
          const e = rb + 2 + 3 * n;
          const sw = u[e]!;
          const idx = u[e + 1]!;
          const want = (SPAN_IN_USE << 8) | spc;
          const cw = u[sw + W_class]!;
          if ((cw & 0xffff) === want) {
            const lw = u[sw + W_freed]! + 2 * (idx >>> 5); // the object's local freed word
            const fb = u[e + 2]!; // the word its free set: lw, or the remote word lw + 1
            const mask = 1 << (idx & 31);
            let got = false;
            if (fb === lw) {
              // A local bit: plain stores, by the span's owner only (with one P, always this P).
              if (!this.atomic || u[sw + W_cachedBy] === this.pOwn) {
                const old = u[fb]!;
                if ((old & mask) !== 0) {
                  u[fb] = old & ~mask;
                  got = true;
                }
              }
            } else if (fb === lw + 1 && fb < u.length) {
              // A remote bit; the span may be another P's or mcentral's: claim the bit, then check
              // it was still this span's, else put it back (mcache.ts takeBack).
              // u[rb + 1] is 2 while the bit is held unchecked (reclaimP puts it back).
              if ((Atomics.and(v.i32, fb, ~mask) & mask) !== 0) {
                u[rb + 1] = 2;
                got = (u[sw + W_class]! & 0xffff) === want && u[sw + W_freed]! + 2 * (idx >>> 5) + 1 === fb;
                if (!got) Atomics.or(v.i32, fb, mask);
                u[rb + 1] = 0;
              }
            }
            if (got) {
              // A freed object is dirty: its span needs zeroing now (Go's sweep sets needzero when it
              // frees objects; a take-back frees and reallocates at once). Set once per span life.
              if (cw >>> 24 === 0) v.u8[sw * 4 + NEEDZERO] = 1; // (the class word's top byte)
              const f = v.f64;
              const d = sw >> 1;
              const es = f[d + D_elemsize]!;
              const c = this.mcReuseD + (spc >>> 1);
              f[c] = f[c]! + 1;
              const x = f[d + D_start]! + idx * es;
              if (spc === this.tinySpc) return newTinyBlock(this, x, u[sw + W_tinySide]! + 2 * idx, size);
              if (this.sampling) {
                // Go's c.nextSample countdown: malloc.ts's profileAlloc, inlined by hand (a call
                // here measured ~4% slower while sampling); a sample or a rate change leaves the fast path.
                const i = this.mcSampleD;
                const ns = f[i]! - es;
                f[i] = ns;
                if (ns < 0 || f[i + 1] !== this.profiler.MemProfileRate) profilealloc(this, x, es);
              }
              return x;
            }
          }
        }
      }
      // Go's nextFreeFast on the mcache's span for the class, inlined. Branch-free over the
      // allocCache's two words: every arithmetic operation and comparison runs on every call, so
      // that none is left without type feedback for a rare case (the high word, the span's last
      // object) to find. V8 deoptimizes the whole of malloc at the first run of such an
      // operation; with most allocations served by the reuse stack above, that came millions of
      // operations into a run (bench:workers timed 2–3 of them per worker, each re-optimization
      // on a background thread competing with the workers for the cores).
      const w = u[this.mcAllocWU + spc]!;
      const lo = u[w + W_cacheLo]!;
      const hi = u[w + W_cacheHi]!;
      const useHi = lo === 0;
      const word = useHi ? hi : lo;
      const bit = word === 0 ? 64 : (useHi ? 32 : 0) + 31 - Math.clz32(word & -word);
      if (bit < 64) {
        const result = u[w + W_freeindex]! + bit;
        const freeidx = result + 1;
        const nelems = u[w + W_nelems]!;
        const last = freeidx === nelems;
        if (result < nelems && ((freeidx & 63) !== 0 || last)) {
          // allocCache >>= bit + 1, as a shift by 1 and then by bit (0..63) from one word or the other.
          const lo1 = (lo >>> 1) | (hi << 31);
          const hi1 = hi >>> 1;
          const high = bit >= 32;
          const j = bit & 31;
          const a = high ? hi1 : lo1;
          const b = high ? 0 : hi1;
          u[w + W_cacheLo] = (a >>> j) | ((b << 1) << (31 - j));
          u[w + W_cacheHi] = b >>> j;
          u[w + W_freeindex] = freeidx;
          u[w + W_allocCount] = u[w + W_allocCount]! + 1;
          const f = v.f64;
          const d = w >> 1;
          const es = f[d + D_elemsize]!;
          const x = result * es + f[d + D_start]!;
          if (spc === this.tinySpc) return newTinyBlock(this, x, u[w + W_tinySide]! + 2 * result, size);
          if (this.sampling) {
            const i = this.mcSampleD;
            const ns = f[i]! - es;
            f[i] = ns;
            if (ns < 0 || f[i + 1] !== this.profiler.MemProfileRate) profilealloc(this, x, es);
          }
          return x;
        }
      }
    }
    if (opts !== undefined && opts.zero === true && size <= this.fastMax && size > 0 && (size | 0) === size) {
      return this.calloc(1, size); // the fast paths, then a clear
    }
    return mallocSlow(this, size, opts, false);
  }

  /** Like {@link malloc}, but returns 0 instead of throwing OutOfMemoryError. */
  tryMalloc(size: number, opts?: MallocOptions): number {
    if (size <= this.fastMax && size > 0 && (size | 0) === size) {
      // malloc's inlined fast paths (a try costs nothing until something throws; only its
      // slow path can, and for such a size only OutOfMemoryError). A separate fast-path method
      // shared by both measured malloc 2–8 % slower.
      try {
        return this.malloc(size, opts);
      } catch (err) {
        if (err instanceof OutOfMemoryError) return 0;
        throw err;
      }
    }
    return mallocSlow(this, size, opts, true);
  }

  /** `count × size` zeroed bytes (C's calloc): the product is checked like {@link mallocArray}. */
  calloc(count: number, size: number): number {
    const n = count * size;
    if (n <= this.fastMax && count > 0 && size > 0 && (count | 0) === count && (size | 0) === size) {
      // A small or tiny object through malloc's fast paths, then cleared unless its span is known
      // clean (Go's needzero: its pages came zeroed and no object of it was freed and handed out
      // again since — a sweep or a reuse-stack take-back sets it), so fresh memory is never cleared.
      const p = this.malloc(n);
      if (p < this.fastEnd) {
        const sw = this.spanWord(p);
        if (sw !== 0 && this.v.u32[sw + W_class]! >>> 24 === 0) return p;
      }
      if (this.flatView) {
        this.v.u8.fill(0, p, p + n); // (measured faster than a loop of f64 stores, even at 16 B)
      } else {
        memclr(this, p, n);
      }
      return p;
    }
    return mallocSlow(this, arrayBytes("calloc", count, size, this), ZERO, false);
  }

  /**
   * Room for `count` elements of `elemSize` bytes (Go's makeslice size check):
   * throws BadSizeError if the product overflows uintptr or exceeds maxAlloc.
   */
  mallocArray(count: number, elemSize: number, opts?: MallocOptions): number {
    const n = count * elemSize;
    if (n <= this.fastMax && count > 0 && elemSize > 0 && (count | 0) === count && (elemSize | 0) === elemSize) {
      return this.malloc(n, opts); // small: no overflow to check, malloc's fast paths
    }
    return mallocSlow(this, arrayBytes("mallocArray", count, elemSize, this), opts, false);
  }

  /**
   * @internal Go's spanOf for 0 < p < fastEnd, inlined by V8 into free, usableSize and calloc
   * (realloc uses it too): the L2 arena map, then the arena's page→span map. The span record's
   * u32 index in the view, 0 for none.
   */
  spanWord(p: number): number {
    if (this.intAddr) {
      const w = this.l2v.u32[this.l2w + (p >>> this.arenaShift)]!;
      return w === 0 ? 0 : this.v.u32[w + ((p >>> this.pageShift) & this.pagesMask)]!;
    }
    const q = p + this.arenaAdd;
    const ai = (q * this.invArenaBytes) | 0;
    const hw = this.l2v.u32[this.l2w + ai]!;
    return hw === 0 ? 0 : this.v.u32[hw + (((q - ai * this.arenaBytes) * this.invPageSize) | 0)]!;
  }

  /**
   * Frees the object at p (0 and zerobase: no-op). Small objects are marked
   * in their span's freed bitmap and reused from the P's reuse stack or after
   * their span is swept; large objects' pages go back to the heap at once. Throws DoubleFreeError,
   * ForeignPointerError or InteriorPointerError, changing nothing.
   */
  free(p: number): void {
    if (p > 0 && p < this.fastEnd) {
      const v = this.v;
      const u = v.u32;
      const sw = this.spanWord(p);
      const cw = u[sw + W_class]!;
      if (sw !== 0 && (cw & CLASS_MASK) === CLASS_SMALL && (cw & 0xfe) !== 0) {
        // An in-use small span: the span layer's free, inlined.
        const f = v.f64;
        const d = sw >> 1;
        const off = p - f[d + D_start]!;
        const idx = (off * u[sw + W_divMul]! * TWO_NEG32) | 0; // exact: off < 2^21, divMul < 2^32
        const word = idx >>> 5;
        const mask = 1 << (idx & 31);
        if (
          off === idx * f[d + D_elemsize]! &&
          idx >>> 0 < u[sw + W_nelems]! &&
          (idx < u[sw + W_freeindex]! || (u[u[sw + W_allocBits]! + word]! & mask) !== 0)
        ) {
          let fb = u[sw + W_freed]! + 2 * word; // the local freed word; the remote one follows
          let fresh: boolean;
          let reuse = true;
          if (!this.atomic) {
            // One P: only local words are ever set.
            const old = u[fb]!;
            fresh = (old & mask) === 0;
            if (fresh) u[fb] = old | mask;
          } else if (u[sw + W_cachedBy] === this.pOwn) {
            // This P owns the span: no one else writes its local words, so a plain store does;
            // a double free may have gone to the remote word, so that one is checked too.
            const old = u[fb]!;
            fresh = ((old | u[fb + 1]!) & mask) === 0;
            if (fresh) u[fb] = old | mask;
          } else {
            // Another P's span, or mcentral's: an atomic OR on the remote word, after checking
            // the bitmap is inside this handle's view (another worker may have grown the
            // memory; freeSlow syncs) and that the owner has not freed the object already.
            fb++;
            fresh = fb < u.length && (u[fb - 1]! & mask) === 0 && (Atomics.or(v.i32, fb, mask) & mask) === 0;
            // Another P's span (its current or previous one): the object is left to that P's sweep. Taking it back here
            // would keep this P allocating inside the other P's span, both writing its lines.
            reuse = u[sw + W_cachedBy] === 0;
          }
          if (fresh) {
            const c = (cw & 0xff) >>> 1;
            const fc = this.mcFreeCountD + c;
            f[fc] = f[fc]! + 1;
            const rb = this.reuseU + c * REUSE_STRIDE;
            const n = u[rb]!;
            if (reuse && n < REUSE_ENTRIES) {
              const e = rb + 2 + 3 * n;
              u[e] = sw;
              u[e + 1] = idx;
              u[e + 2] = fb;
              u[rb] = n + 1;
            }
            return;
          }
        }
      } else if (sw !== 0 && (cw & 0x00ffffff) === (CLASS_TINY | this.tinySpc)) {
        // A tiny object: set its freed bit in its block's word B (see tiny.ts).
        const off = p - v.f64[sw >> 1]!;
        const blk = off >>> 4;
        const o = off - blk * MAX_TINY;
        if (o === (o | 0) && blk < u[sw + W_nelems]!) {
          const side = u[sw + W_tinySide]! + 2 * blk;
          const bit = 1 << o;
          if (this.atomic) {
            // Other Ps may free objects of this block and its holder release it: one RMW of B
            // decides. A double free (bit already set) is reported by the slow path. Past this
            // view (growth elsewhere): slow path.
            const fb = u[sw + W_freed]! + 2 * (blk >>> 5) + 1; // the block's remote freed word
            if (side + 1 < u.length && fb < u.length && (u[side]! & bit) !== 0) {
              const b = Atomics.or(v.i32, side + 1, bit);
              if ((b & bit) === 0) {
                // Re-read A: this RMW follows any release, so it sees the holder's last starts.
                if ((b & TINY_HELD) === 0 && (u[side]! & 0xffff & ~(b | bit)) === 0) {
                  // The block's last object, and no mcache holds it: free the block itself.
                  Atomics.or(v.i32, fb, 1 << (blk & 31));
                  const fc = this.mcFreeCountD + (this.tinySpc >>> 1);
                  v.f64[fc] = v.f64[fc]! + 1;
                  const cb = u[sw + W_cachedBy]!;
                  if (cb === 0 || cb === this.pOwn) reusePush(this, TINY_REUSE, sw, blk, fb); // as for small objects
                }
                return;
              }
            }
            freeSlow(this, p);
            return;
          }
          const a = u[side]!;
          const b = u[side + 1]!;
          if ((a & ~b & bit) !== 0) {
            const nb = b | bit; // word B: the object that started at o was freed
            u[side + 1] = nb;
            if ((a & 0xffff & ~nb) === 0 && (nb & TINY_HELD) === 0) {
              // The block's last object, and no mcache holds it: free the block itself
              // (allocated and not freed while it has live objects or a holder, HI4).
              const fb = u[sw + W_freed]! + 2 * (blk >>> 5); // the block's local freed word (one P)
              u[fb] = u[fb]! | (1 << (blk & 31));
              const fc = this.mcFreeCountD + (this.tinySpc >>> 1);
              v.f64[fc] = v.f64[fc]! + 1;
              reusePush(this, TINY_REUSE, sw, blk, fb);
            }
            return;
          }
        }
      }
    }
    freeSlow(this, p);
  }

  /**
   * Resizes the object at p to `size` bytes, keeping its first
   * min(old, size) bytes: in place when the size class (or, for large
   * objects, the following pages) allows or when a small object shrinks to
   * at least half its slot (mimalloc's rule), else into a new object grown
   * as Go's growslice grows (so usableSize may exceed `size`). p = 0 acts as
   * malloc; size 0 frees p and returns zerobase.
   */
  realloc(p: number, size: number): number {
    return realloc(this, p, size);
  }

  /**
   * The bytes usable at p: the size class for small objects, whole pages for
   * large ones; for tiny objects, up to the next object in their block (or
   * the block's fill mark). 0 for 0 and zerobase. Throws like free for a
   * pointer that is not a live object's start.
   */
  usableSize(p: number): number {
    if (p > 0 && p < this.fastEnd) {
      // free's object checks, reading only: the start of a live object in an in-use small span
      // answers its slot size; anything else (tiny, large, misuse) takes the slow path.
      const u = this.v.u32;
      const sw = this.spanWord(p);
      const cw = u[sw + W_class]!;
      if (sw !== 0 && (cw & CLASS_MASK) === CLASS_SMALL && (cw & 0xfe) !== 0) {
        const f = this.v.f64;
        const d = sw >> 1;
        const es = f[d + D_elemsize]!;
        const off = p - f[d + D_start]!;
        const idx = (off * u[sw + W_divMul]! * TWO_NEG32) | 0;
        const word = idx >>> 5;
        const mask = 1 << (idx & 31);
        const fb = u[sw + W_freed]! + 2 * word;
        if (
          off === idx * es &&
          idx >>> 0 < u[sw + W_nelems]! &&
          (idx < u[sw + W_freeindex]! || (u[u[sw + W_allocBits]! + word]! & mask) !== 0) &&
          fb + 1 < u.length && // bitmaps past this view (memory grown elsewhere): the slow path syncs
          ((u[fb]! | u[fb + 1]!) & mask) === 0
        ) {
          return es;
        }
      }
    }
    return usableSize(this, p);
  }

  // ---- statistics, cycles, scavenger, profiling ------------------------------------------------

  /** Go's runtime.ReadMemStats: the heap's MemStats, every field a gomalloc heap can fill. */
  readMemStats(): MemStats {
    return readMemStats(this);
  }

  /**
   * Runs a free cycle now and sweeps it to the end (gomalloc's runtime.GC):
   * every recorded free becomes reusable and empty spans go back to the page
   * heap, then the scavenger runs to its goal. Counted in NumForcedGC.
   * With several Ps a new cycle waits until every P has flushed its cache
   * since the last one (its next refill or free does); until then this
   * finishes the last cycle's sweep instead and starts (and counts) none.
   */
  freeCycle(): void {
    if (this.mc === 0) throw new NoProcessorError("freeCycle");
    this.lockCentral();
    try {
      const acct = acctOf(this);
      if (!startCycle(this)) {
        if (this.numPs > 1) {
          // Another P has not flushed since the last cycle: finish that one instead (Go would wait
          // for it). No cycle starts, so none is counted as forced (NumForcedGC ≤ NumGC, MS7).
          finishSweep(this.h, acct);
          this.scavengeToGoal();
          return;
        }
        startFreeCycle(this.h, acct);
      }
      this.h.setField("numForced", this.h.getField("numForced") + 1);
      finishSweep(this.h, acct);
      this.scavengeToGoal();
    } finally {
      this.unlockCentral();
    }
  }

  /** The scavenger's goal: retained bytes, or a fraction over the in-use heap (Infinity turns it off). Throws HeapOptionError. */
  setScavengeGoal(goal: ScavengeGoal): void {
    checkScavengeGoal(goal);
    this.h.setScavengeGoal(goal);
    this.scavengeToGoal();
  }

  /**
   * Releases free heap memory to the backend until at most `retainedBytes`
   * stay retained (0: everything free, Go's debug.FreeOSMemory after a
   * cycle; Infinity: nothing). Returns the bytes released. Throws
   * HeapOptionError for a size that is not ≥ 0.
   */
  scavenge(retainedBytes = 0): number {
    if (!(retainedBytes >= 0)) throw new HeapOptionError("retainedBytes", `${retainedBytes} is not ≥ 0`);
    const h = this.h;
    this.lockCentral();
    h.lock();
    try {
      const over = h.heapRetained() - retainedBytes;
      return over > 0 ? h.scavengeLocked(over, true) : 0;
    } finally {
      h.unlock();
      this.unlockCentral();
    }
  }

  /**
   * @internal What runs after a large free (or a large realloc's shrink):
   * an explicit goal (`retainedBytes`, `fraction`) is enforced at once; Go's
   * own goal (`heapGoalFraction`) is left to the background-scavenger
   * stand-in that runs when a free cycle's sweep is done, as Go's scavenger
   * works between GCs and never on a free — releasing on every free would
   * zero pages the next allocation takes right back.
   */
  afterLargeFree(): void {
    if (this.h.scavengeGoalKind !== 2) this.scavengeToGoal();
  }

  /**
   * @internal Go's background scavenger, run once per free cycle when its
   * sweep is done (Go wakes it after each GC): down to the goal.
   */
  scavengeAfterCycle(): void {
    const n = this.h.getField("numCycles");
    if (n === this.scavengedCycle || !this.h.sweepDone) return;
    this.scavengedCycle = n;
    this.scavengeToGoal();
  }

  /** @internal Runs the scavenger down to the goal now. */
  scavengeToGoal(): number {
    const h = this.h;
    const goal = h.scavengeGoal(h.scavengeGoalKind === 2 ? this.heapGoal() : Number.POSITIVE_INFINITY);
    if (goal === Number.POSITIVE_INFINITY || h.heapRetained() <= goal) return 0;
    return this.scavenge(goal);
  }

  /**
   * The heap goal: live bytes plus the free-cycle trigger, Infinity when
   * cycles are off. Like MemStats.NextGC, but from the per-P counters alone
   * (no walk), so it may lag behind it: frees are counted at once, objects
   * allocated from a cached span when the span is given back.
   */
  heapGoal(): number {
    const gcPercent = this.h.getField("gcPercent");
    if (gcPercent < 0) return Number.POSITIVE_INFINITY;
    // The counters may put frees ahead of the allocations they free: never below an empty heap.
    const live = Math.max(0, heapAllocApprox(this));
    return live + freeCycleTrigger(live, gcPercent);
  }

  /** Go's `runtime.MemProfileRate = n` for this handle's profiler (0 off, 1 every allocation). */
  setMemProfileRate(n: number): void {
    this.profiler.MemProfileRate = n;
    if (this.mc !== 0) this.v.setF64(this.mc + MC_NEXT_SAMPLE, -1); // the next allocation notices the change
    this.sampling = true;
  }

  /** Go's pprof.WriteHeapProfile: publishes the profile as of now and returns it gzipped (pprof format). */
  async writeHeapProfile(): Promise<Uint8Array> {
    this.profiler.publish();
    return writeHeapProfile(this.profiler);
  }

  /** Checks every heap invariant (page allocator, arenas, mcentrals, spans, mcaches, tiny blocks, stats). Throws RuntimeThrow. */
  checkInvariants(): void {
    checkHeap(this);
  }

  /**
   * Detaches this handle from its P (Go's `releaseAll`/`freemcache` when a P
   * goes away): every cached span back to its mcentral, the tiny block
   * released, the page cache handed back, the reuse stacks dropped (their
   * objects stay freed in the span bitmaps), then the P is marked idle for
   * the next `attachHeap`. The P's statistics stay in its record and are
   * still summed by readMemStats. Afterwards the handle can only read
   * statistics and memory. No-op without a P. Same as {@link close}.
   */
  detach(): void {
    if (this.p < 0) return;
    const i = this.p;
    this.lockCentral();
    try {
      this.flushP();
    } finally {
      this.unlockCentral();
    }
    this.unbind();
    releaseP(this.v, this.ptable, i);
  }

  /** Flushes this handle's mcache and page cache and releases its P (see {@link detach}). */
  close(): void {
    this.detach();
  }

  /** @internal releaseAll and the page cache back to the heap; caller holds the mcentral lock. */
  flushP(): void {
    releaseAll(this);
    if (this.pc !== null) this.h.flushPageCache(this.pc);
  }

  /** @internal Forgets the bound P (its record is untouched). */
  unbind(): void {
    this.p = -1;
    this.pOwn = -1;
    this.mc = 0;
    this.pc = null;
    this.fastEnd = 0;
    this.fastMax = 0;
    this.inSlowW = -1;
  }

  /**
   * Recovers P i from a worker that went away without {@link detach} (it
   * exited, threw, or was terminated): from any handle and thread, flushes
   * the P's mcache and page cache exactly as detach would, under the
   * mcentral lock, and marks the P idle. First repairs what a fast path
   * stopped half-way leaves behind (a span's allocCount is recomputed from
   * its bitmaps; see procfault.ts). With `token` (the dead
   * handle's {@link Heap.token | token}), only a P still held under that token is
   * reclaimed, so a P claimed again meanwhile is left alone. Returns whether
   * it reclaimed the P (false: it was idle, or held under another token).
   * Throws PReclaimError if the holder died inside a slow path (it may hold a
   * lock), HeapOptionError for a bad index or this handle's own P.
   *
   * Never call it for a P whose worker is still running: that worker's next
   * slow path fails with NoProcessorError, but its fast paths would write
   * into a flushed cache.
   */
  reclaimP(i: number, token?: number): boolean {
    if (!Number.isInteger(i) || i < 0 || i >= this.numPs) {
      throw new HeapOptionError("p", `${i} is not a P index in [0, ${this.numPs})`);
    }
    if (i === this.p) throw new HeapOptionError("p", `P ${i} is this handle's own: use detach()`);
    this.syncViews();
    const v = this.v;
    if (pStatus(v, this.ptable, i) === pIdle) return false;
    if (this.numPs > 1 && Atomics.load(v.i32, pInSlowIndex(v, this.ptable, i)) !== 0) {
      throw new PReclaimError(i, "its holder died inside a slow path, where it may hold a lock");
    }
    this.lockCentral();
    try {
      if (!markPDead(v, this.ptable, i, token)) return false;
      const tmp = new Heap(this.sys, this.profile, this.sizeClasses, this.h, this.root, {});
      tmp.centralDepth = 1; // runs under this handle's hold of the lock
      tmp.bindP(i);
      tmp.inSlowW = -1;
      repairP(tmp);
      tmp.flushP();
      tmp.unbind();
      releaseP(v, this.ptable, i);
      return true;
    } finally {
      this.unlockCentral();
    }
  }
}

const ZERO: MallocOptions = Object.freeze({ zero: true });

/** Throws HeapOptionError unless `goal` is one of the {@link ScavengeGoal} shapes with a value ≥ 0. */
export function checkScavengeGoal(goal: ScavengeGoal): void {
  const g = goal as Partial<Record<"retainedBytes" | "fraction" | "heapGoalFraction", unknown>>;
  const key = "fraction" in g ? "fraction" : "heapGoalFraction" in g ? "heapGoalFraction" : "retainedBytes";
  const v = g[key];
  if (!(typeof v === "number" && v >= 0)) throw new HeapOptionError(`scavengeGoal.${key}`, `${String(v)} is not ≥ 0`);
}
