/**
 * The flat backends' common part: one linear buffer (a SharedArrayBuffer, a
 * WebAssembly.Memory or an ArrayBuffer) whose byte offsets are the addresses,
 * in the js/wasm shape of Go's sbrk memory (mem_sbrk.go): reservations are
 * placed first-fit from the bottom, hints are honoured only where free, and
 * the buffer grows when pages become Ready (`sysUsed`, `sysAlloc`), as far as
 * the highest one — not when they are mapped, since Go maps heap growth in
 * 4 MiB steps and a buffer's length is its footprint. The page-state table, the accounting
 * words, the root slots and the lock live in a header at the start of the
 * managed area, so every worker attached to a shared buffer sees one truth and
 * makes its transitions under one lock. See docs/design.md, "Managed memory".
 *
 * Header (byte offsets from `base`): u32 magic, u32 version, i32 lock, u32
 * physPageSize, u32 headerBytes, u32 npages, u32 rootSlots, u32 base, i32
 * growth count and u32 covered length ÷ 8 (both moved under the lock when a
 * page becomes Ready past the covered length; see {@link FlatSysMemory.back});
 * f64 accounting words at 64; f64 root slots at 192; one state byte per
 * managed page at 256. Managed pages start at `base + headerBytes`.
 */
import { AttachError, BadAddressError, BadOptionError, RuntimeThrow } from "./errors.js";
import { Mutex } from "./lock.js";
import { SysMemoryBase } from "./mem.js";
import { ACCT_WORDS, alignUp, firstNonZero, isPowerOfTwo, STATE_MASK, zeroIfDirty } from "./memaccess.js";
import { MemView } from "./memview.js";
import { PageState } from "./types.js";

/** "GOMM" little-endian: marks an os-mem header. */
export const FLAT_MAGIC = 0x4d4d4f47;
/** Header layout version. */
export const FLAT_VERSION = 1;
const H_MAGIC = 0;
const H_VERSION = 1;
const H_LOCK = 2;
const H_PPS = 3;
const H_HEADER_BYTES = 4;
const H_NPAGES = 5;
const H_ROOTS = 6;
const H_BASE = 7;
const H_GROWS = 8;
const H_COVERED = 9;
const OFF_ACCT = 64;
const OFF_ROOTS = 192;
const OFF_STATES = 256;
const ROOT_SLOTS = 8;

/** Lock rank of the os-mem lock: a leaf, taken while mheap-level locks are held (use lower ranks above). */
export const lockRankSysMem = 1000;

/** Geometry of a flat backend, as stored in its header. */
export interface FlatLayout {
  base: number;
  physPageSize: number;
  headerBytes: number;
  npages: number;
}

/** Computes the header size and page count for a managed area `[base, limit)`. */
export function flatLayout(base: number, limit: number, physPageSize: number): FlatLayout {
  if (!isPowerOfTwo(physPageSize) || physPageSize < 4096 || physPageSize > 2 ** 30) {
    throw new BadOptionError("physPageSize", `${physPageSize} is not a power of two in [4096, 2^30]`);
  }
  if (!Number.isSafeInteger(base) || base < 0 || base % physPageSize !== 0) {
    throw new BadOptionError("base", `${base} is not a multiple of physPageSize ${physPageSize}`);
  }
  const total = Math.floor((limit - base) / physPageSize);
  const headerBytes = alignUp(OFF_STATES + Math.max(total, 0), physPageSize);
  const npages = Math.floor((limit - base - headerBytes) / physPageSize);
  if (npages < 1) {
    throw new BadOptionError("size", `[${base}, ${limit}) leaves no page after a ${headerBytes}-byte header`);
  }
  return { base, physPageSize, headerBytes, npages };
}

/** Reads the layout stored at `base` of `buffer`, or throws AttachError. */
export function readFlatLayout(buffer: ArrayBufferLike, base: number): FlatLayout {
  if (!Number.isSafeInteger(base) || base < 0 || base % 8 !== 0 || base + OFF_STATES > buffer.byteLength) {
    throw new AttachError(`no room for a header at ${base} in a ${buffer.byteLength}-byte buffer`);
  }
  const h = new Uint32Array(buffer, base, OFF_STATES / 4);
  if (h[H_MAGIC] !== FLAT_MAGIC) throw new AttachError(`no os-mem header at ${base} (magic ${h[H_MAGIC]})`);
  if (h[H_VERSION] !== FLAT_VERSION) throw new AttachError(`header version ${h[H_VERSION]}, expected ${FLAT_VERSION}`);
  const layout = { base, physPageSize: h[H_PPS]!, headerBytes: h[H_HEADER_BYTES]!, npages: h[H_NPAGES]! };
  if (h[H_BASE] !== base || h[H_ROOTS] !== ROOT_SLOTS || !isPowerOfTwo(layout.physPageSize)) {
    throw new AttachError("corrupt header");
  }
  if (layout.headerBytes % layout.physPageSize !== 0 || layout.headerBytes < OFF_STATES + layout.npages) {
    throw new AttachError("corrupt header size");
  }
  return layout;
}

/** Capabilities a flat subclass declares about its buffer. */
export interface FlatTraits {
  backend: string;
  canGrow: boolean;
  canReserveWithoutCommit: boolean;
  sharedBetweenWorkers: boolean;
}

/**
 * A backend over one linear buffer. Invariants (checked by `checkInvariants`):
 * - FLAT1: the header holds FLAT_MAGIC, FLAT_VERSION and this instance's layout.
 * - FLAT2: the buffer covers every Ready page (Prepared pages are backed
 *   when they become Ready: `sysUsed` grows the buffer, `sysMap` does not).
 * - FLAT3 (with `contents`): every byte of a non-Ready managed page inside the buffer is 0.
 * - FLAT4: with C = 8 · the header's covered word, every Ready page ends at or below C ≤ the
 *   buffer's length, and a handle whose growsSeen equals the header's growth count has a view
 *   of at least C bytes (so `grownElsewhere` may skip the length while the count stands still).
 */
export abstract class FlatSysMemory extends SysMemoryBase {
  readonly rootSlotCount = ROOT_SLOTS;
  /** The header's lock (rank {@link lockRankSysMem}); upper layers must not hold it across os-mem calls. */
  readonly mutex: Mutex;
  protected buffer: ArrayBufferLike;
  private readonly view: MemView;
  private readonly layout: FlatLayout;
  private hdr32!: Int32Array;
  private acct!: Float64Array;
  private roots!: Float64Array;
  private states!: Uint8Array;
  /** The header's growth count as of this handle's last (re)binding of its view. */
  private growsSeen = 0;

  /**
   * @param buffer - the current buffer.
   * @param layout - the geometry (from `flatLayout` when creating, `readFlatLayout` when attaching).
   * @param traits - what the subclass's buffer can do.
   * @param init - true to write a fresh header (create), false to use the one present (attach).
   */
  protected constructor(buffer: ArrayBufferLike, layout: FlatLayout, traits: FlatTraits, init: boolean) {
    const start = layout.base + layout.headerBytes;
    super({
      backend: traits.backend,
      physPageSize: layout.physPageSize,
      allocGranularity: layout.physPageSize,
      canReserveWithoutCommit: traits.canReserveWithoutCommit,
      canDecommit: false,
      canReleasePart: true,
      canGrow: traits.canGrow,
      sharedBetweenWorkers: traits.sharedBetweenWorkers,
      sbrk: true,
      addressSpaceStart: start,
      addressSpaceEnd: start + layout.npages * layout.physPageSize,
    });
    this.layout = layout;
    this.buffer = buffer;
    this.bindHeader(buffer);
    this.mutex = new Mutex(this.hdr32, H_LOCK, { name: `os-mem ${traits.backend}`, rank: lockRankSysMem });
    // Fixed-length arrays, rebound when the buffer grows: V8 runs length-tracking
    // views over a growable SharedArrayBuffer about 10x slower on hot paths.
    // The count before the length, as in refresh; a fresh header starts it at 0.
    this.growsSeen = init ? 0 : Atomics.load(this.hdr32, H_GROWS);
    this.view = new MemView(buffer, 0, 0, fixedLength(buffer));
    if (init) this.writeHeader();
  }

  /** The buffer as the host holds it now (a WebAssembly.Memory's buffer changes on grow). */
  protected abstract currentBuffer(): ArrayBufferLike;
  /** Grows the buffer to at least `bytes`; false if it cannot. */
  protected abstract growTo(bytes: number): boolean;

  private bindHeader(b: ArrayBufferLike): void {
    const { base, npages } = this.layout;
    this.hdr32 = new Int32Array(b, base, OFF_ACCT / 4);
    this.acct = new Float64Array(b, base + OFF_ACCT, ACCT_WORDS);
    this.roots = new Float64Array(b, base + OFF_ROOTS, ROOT_SLOTS);
    this.states = new Uint8Array(b, base + OFF_STATES, npages);
  }

  private writeHeader(): void {
    const { base, physPageSize, headerBytes, npages } = this.layout;
    new Uint8Array(this.buffer, base, headerBytes).fill(0);
    const h = this.hdr32;
    h[H_VERSION] = FLAT_VERSION;
    h[H_PPS] = physPageSize;
    h[H_HEADER_BYTES] = headerBytes;
    h[H_NPAGES] = npages;
    h[H_ROOTS] = ROOT_SLOTS;
    h[H_BASE] = base;
    h[H_COVERED] = this.view.u8.length / 8; // every handle's view is at least this long
    // Managed memory starts zeroed (only bytes already present need looking at).
    zeroIfDirty(this.view.u8, base + headerBytes, this.view.u8.length - base - headerBytes);
    Atomics.store(h, H_MAGIC, FLAT_MAGIC | 0);
  }

  /**
   * Re-points the views if the host replaced the buffer or it grew (here or in
   * another worker). The main view has a fixed length, so growth in place (a
   * growable SharedArrayBuffer) also needs a rebind.
   */
  protected refresh(): void {
    const b = this.currentBuffer();
    const replaced = b !== this.buffer;
    if (replaced) {
      this.buffer = b;
      this.bindHeader(b);
      this.mutex.i32 = this.hdr32;
    }
    // The count before the length: a growth between the two is looked at again, never missed.
    this.growsSeen = Atomics.load(this.hdr32, H_GROWS);
    const n = fixedLength(b);
    if (replaced || n !== this.view.u8.length) this.view.rebind(b, 0, n);
  }

  protected acctWords(): Float64Array {
    return this.acct;
  }
  protected rootWords(): Float64Array {
    return this.roots;
  }
  protected lockOS(): void {
    this.refresh();
    this.mutex.lock();
  }
  protected unlockOS(): void {
    this.mutex.unlock();
  }
  /**
   * The accounting words sit in the header, which no growth moves: their
   * arrays need re-pointing only when the host replaced the buffer object, so
   * this skips the length check of `refresh` (a call on a growable
   * SharedArrayBuffer), which the heap's page moves would pay on every
   * statistics update.
   */
  protected override lockAcct(): void {
    if (this.currentBuffer() !== this.buffer) this.refresh();
    this.mutex.lock();
  }

  protected segment(addr: number, maxPages: number): void {
    // Another handle over the same non-shared memory may have grown it, detaching our arrays.
    if (this.states.length === 0) this.refresh();
    const pps = this.physPageSize;
    const { addressSpaceStart: start, addressSpaceEnd: end } = this.caps;
    if (addr >= start && addr < end) {
      const i = (addr - start) / pps;
      this.segStates = this.states;
      this.segIndex = i;
      this.segPages = Math.min(maxPages, this.layout.npages - i);
    } else {
      this.segStates = null;
      this.segIndex = 0;
      this.segPages = addr < start ? Math.min(maxPages, (start - addr) / pps) : maxPages;
    }
  }

  /** First-fit run of `pages` None pages among the first `limit` pages; -1 if none. */
  private firstFit(pages: number, limit: number): number {
    const st = this.states;
    let run = 0;
    for (let i = 0; i < limit; i++) {
      if ((st[i]! & STATE_MASK) === PageState.None) {
        if (++run === pages) return i + 1 - pages;
      } else {
        run = 0;
      }
    }
    return -1;
  }

  protected place(hint: number, bytes: number, avoidHint: boolean): number {
    const pps = this.physPageSize;
    const { addressSpaceStart: start, addressSpaceEnd: end } = this.caps;
    const pages = bytes / pps;
    if (hint !== 0) {
      if (avoidHint || hint < start || hint + bytes > end) return 0;
      const i = (hint - start) / pps;
      for (let j = i; j < i + pages; j++) if ((this.states[j]! & STATE_MASK) !== PageState.None) return 0;
      return hint;
    }
    const i = this.firstFit(pages, this.layout.npages);
    return i < 0 ? 0 : start + i * pps;
  }

  protected placeBelowBreak(bytes: number): number {
    const start = this.caps.addressSpaceStart;
    const brk = (this.breakAddr() - start) / this.physPageSize;
    const i = this.firstFit(bytes / this.physPageSize, brk);
    return i < 0 ? 0 : start + i * this.physPageSize;
  }

  protected breakAddr(): number {
    const st = this.states;
    let i = this.layout.npages;
    while (i > 0 && (st[i - 1]! & STATE_MASK) === PageState.None) i--;
    return this.caps.addressSpaceStart + i * this.physPageSize;
  }

  protected claim(v: number, bytes: number, state: PageState): void {
    const i = (v - this.caps.addressSpaceStart) / this.physPageSize;
    this.states.fill(state, i, i + bytes / this.physPageSize);
  }

  protected release(_v: number, _bytes: number): void {
    // setRange already cleared the state bytes; a linear buffer keeps nothing else.
  }

  protected checkRelease(_op: string, _v: number, _bytes: number): void {}

  protected override readonly backsOnMap = false;

  /**
   * Backs [v, v+bytes) as it becomes Ready (caller holds the lock). Pages past the covered
   * length (the header's, which every handle's view reaches as of the current growth count)
   * move it, then the count: every other handle then rebinds (grownElsewhere). The buffer may
   * already be long enough — grown by hand, or by another handle for less than the whole
   * buffer — and the count moves all the same: views bound earlier are shorter.
   */
  protected back(v: number, bytes: number): boolean {
    const end = v + bytes;
    if (this.buffer.byteLength < end) {
      if (!this.growTo(end)) return false;
      this.refresh(); // first: a grow of a non-shared memory detached the header's array
    }
    const h = this.hdr32;
    if (end > (h[H_COVERED]! >>> 0) * 8) {
      if (this.view.u8.length < end) this.refresh();
      h[H_COVERED] = this.view.u8.length / 8;
      this.growsSeen = (Atomics.add(h, H_GROWS, 1) + 1) | 0;
    }
    return this.buffer.byteLength >= end;
  }

  protected zeroPage(addr: number): void {
    zeroIfDirty(this.view.u8, addr, this.physPageSize);
  }

  /**
   * Whether the memory is now longer than this handle's view: a growable
   * SharedArrayBuffer's length moves under a fixed-length view, and a shared
   * WebAssembly.Memory hands out a new, longer buffer object after a grow
   * while the old one keeps its length.
   */
  override grownElsewhere(): boolean {
    // The buffer object first: a detached array's length is not to be trusted (see SysMemory).
    const b = this.currentBuffer();
    if (b !== this.buffer) return true;
    // Then the header's growth count, a plain read: while it is the one this handle bound its
    // view at, no page has become Ready past this view (FLAT4), and the length (a call, not a
    // load, on a growable SharedArrayBuffer) need not be asked. A growth that happened before
    // something that made this thread look (a message, a lock) is seen: its count came first.
    if (this.hdr32[H_GROWS] === this.growsSeen) return false;
    return b.byteLength - this.view.u8.length >= 8;
  }

  override syncView(): boolean {
    if (!this.grownElsewhere()) return false;
    this.refresh();
    return true;
  }

  /** The one view over the whole buffer (base 0), re-pointed first if the buffer grew elsewhere. */
  viewOf(addr: number): MemView {
    const v = this.view;
    if (addr < v.u8.length && addr >= 0) return v;
    if (!Number.isSafeInteger(addr) || addr < 0 || addr >= this.caps.addressSpaceEnd) {
      throw new BadAddressError("viewOf", addr, `outside [0, ${this.caps.addressSpaceEnd})`);
    }
    this.refresh();
    return v;
  }

  protected checkBackend(contents: boolean): void {
    // FLAT4's handle side, before refresh re-binds the view (through a detached header: skipped).
    const c0 = (this.hdr32[H_COVERED]! >>> 0) * 8;
    if (this.hdr32[H_GROWS] === this.growsSeen && this.view.u8.length < c0) {
      throw new RuntimeThrow(`FLAT4: view of ${this.view.u8.length} bytes at the current growth count, covered ${c0}`);
    }
    this.refresh();
    const h = this.hdr32;
    const { base, physPageSize: pps, headerBytes, npages } = this.layout;
    if (
      h[H_MAGIC]! >>> 0 !== FLAT_MAGIC ||
      h[H_VERSION] !== FLAT_VERSION ||
      h[H_PPS] !== pps ||
      h[H_HEADER_BYTES] !== headerBytes ||
      h[H_NPAGES] !== npages ||
      h[H_BASE] !== base
    ) {
      throw new RuntimeThrow("FLAT1: header does not match this instance's layout");
    }
    const start = this.caps.addressSpaceStart;
    const len = this.buffer.byteLength;
    const covered = (h[H_COVERED]! >>> 0) * 8;
    if (covered > len) throw new RuntimeThrow(`FLAT4: covered length ${covered} past the buffer (${len} bytes)`);
    const u8 = this.view.u8;
    for (let i = 0; i < npages; i++) {
      const s = this.states[i]! & STATE_MASK;
      const a = start + i * pps;
      if (s === PageState.Ready && a + pps > len) {
        throw new RuntimeThrow(`FLAT2: Ready page ${a} lies beyond the buffer (${len} bytes)`);
      }
      if (s === PageState.Ready && a + pps > covered) {
        throw new RuntimeThrow(`FLAT4: Ready page ${a} lies past the covered length ${covered}`);
      }
      if (contents && s !== PageState.Ready && a < len) {
        const k = firstNonZero(u8, a, pps);
        if (k >= 0) throw new RuntimeThrow(`FLAT3: byte ${k} of a non-Ready page is not 0`);
      }
    }
  }
}

/** The buffer's current length rounded down to 8 bytes (a MemView's unit). */
function fixedLength(b: ArrayBufferLike): number {
  const n = b.byteLength; // once: on a growable SharedArrayBuffer this getter is a call, not a load
  return n - (n % 8);
}
