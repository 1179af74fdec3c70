/**
 * The simulated backend: an address space of 2^heapAddrBits bytes for any
 * platform profile (48-bit linux/amd64 included), held sparsely as a sorted
 * list of regions. Each reservation gets its own zeroed backing ArrayBuffer,
 * created on first use (and virtual until touched), so `viewOf(addr)` returns
 * a MemView over the reservation containing `addr`; the pieces left when part
 * of a reservation is released keep sharing that buffer. Placement follows
 * mmap (top-down, hints honoured when free, never overlapping) or, for sbrk
 * profiles such as js/wasm, Go's sbrk (first fit from the bottom). A
 * Windows-like mode releases only whole reservations, with a 64 KiB
 * allocation granularity. See docs/design.md, "Managed memory".
 */
import {
  BackingAllocationError,
  BadAddressError,
  BadOptionError,
  PartialReleaseError,
  RuntimeThrow,
} from "./errors.js";
import { SysMemoryBase } from "./mem.js";
import { ACCT_WORDS, alignDown, alignUp, firstNonZero, isPowerOfTwo, STATE_MASK, zeroIfDirty } from "./memaccess.js";
import { MemView } from "./memview.js";
import { PageState, type SysCaps } from "./types.js";

/** Options of {@link SimSysMemory}: the few profile numbers it needs, as plain data. */
export interface SimOptions {
  /** Go's physPageSize. @defaultValue 4096 */
  physPageSize?: number;
  /** Go's heapAddrBits: the address space is `[addressSpaceStart, 2^heapAddrBits)`. @defaultValue 48 */
  heapAddrBits?: number;
  /** Go's GOOS; "windows" selects the Windows-like reservation behaviour. @defaultValue "linux" */
  goos?: string;
  /** Go's isSbrkPlatform (js/wasm, plan9): bottom-up sbrk placement. @defaultValue false */
  sbrk?: boolean;
  /** Releases only whole reservations (Windows). @defaultValue `goos === "windows"` */
  windowsLike?: boolean;
  /** Placement granularity of reservations. @defaultValue 65536 when Windows-like, else physPageSize */
  allocGranularity?: number;
  /** Lowest address handed out (never 0: 0 is the failure value). @defaultValue max(65536, physPageSize) */
  addressSpaceStart?: number;
  /** One past the highest address handed out; e.g. 2^47 for linux/amd64 user space. @defaultValue 2^heapAddrBits */
  addressSpaceEnd?: number;
  /** Largest backing buffer; longer reservations are backed (and viewed) in pieces of this size. @defaultValue 2^32 */
  maxBackingBytes?: number;
  /** Number of root slots. @defaultValue 8 */
  rootSlots?: number;
}

/** Storage of one reservation (or one piece of a long one), created on first use. */
class Backing {
  buffer: ArrayBuffer | null = null;
  u8: Uint8Array | null = null;
  constructor(
    readonly base: number,
    readonly size: number,
  ) {}
}

/** The original extent of a reservation, for the Windows whole-release rule. */
class Reservation {
  constructor(
    readonly base: number,
    readonly size: number,
  ) {}
}

/** A run of pages that are not None, all in one reservation and one backing. */
class Region {
  view: MemView | null = null;
  constructor(
    readonly base: number,
    readonly size: number,
    readonly states: Uint8Array,
    readonly backing: Backing,
    readonly res: Reservation,
  ) {}
  get end(): number {
    return this.base + this.size;
  }
}

/** One mapping as listed by {@link SimSysMemory.mappings} (like a line of /proc/self/maps). */
export interface SimMapping {
  base: number;
  size: number;
  reservationBase: number;
  reservationSize: number;
  /** True once the backing buffer exists. */
  materialized: boolean;
}

/**
 * A simulated, sparse address space. Invariants (checked by `checkInvariants`):
 * - SIM1: regions are sorted, disjoint, non-empty, page-aligned and inside the address space.
 * - SIM2: no page inside a region is None; every page outside all regions is None.
 * - SIM3: each region lies inside its backing and inside its reservation.
 * - SIM4 (with `contents`): every byte of a non-Ready page of a materialised backing is 0.
 */
export class SimSysMemory extends SysMemoryBase {
  readonly rootSlotCount: number;
  private readonly regions: Region[] = [];
  private readonly acct = new Float64Array(ACCT_WORDS);
  private readonly roots: Float64Array;
  private readonly maxBacking: number;
  private last: Region | null = null;

  constructor(opts: SimOptions = {}) {
    super(simCaps(opts));
    const maxBacking = opts.maxBackingBytes ?? 2 ** 32;
    if (!Number.isSafeInteger(maxBacking) || maxBacking < this.physPageSize || maxBacking > 2 ** 32) {
      throw new BadOptionError("maxBackingBytes", `${maxBacking} is not in [physPageSize, 2^32]`);
    }
    this.maxBacking = alignDown(maxBacking, this.caps.allocGranularity);
    const slots = opts.rootSlots ?? 8;
    if (!Number.isInteger(slots) || slots < 1 || slots > 64) throw new BadOptionError("rootSlots", `${slots}`);
    this.rootSlotCount = slots;
    this.roots = new Float64Array(slots);
  }

  /** The current mappings, lowest first. */
  mappings(): SimMapping[] {
    return this.regions.map((r) => ({
      base: r.base,
      size: r.size,
      reservationBase: r.res.base,
      reservationSize: r.res.size,
      materialized: r.backing.buffer !== null,
    }));
  }

  protected acctWords(): Float64Array {
    return this.acct;
  }
  protected rootWords(): Float64Array {
    return this.roots;
  }
  protected lockOS(): void {}
  protected unlockOS(): void {}

  /** Index of the first region whose end is above `addr`. */
  private findIndex(addr: number): number {
    const rs = this.regions;
    let lo = 0;
    let hi = rs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (rs[mid]!.end <= addr) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The region containing `addr`, or null. */
  private regionAt(addr: number): Region | null {
    const l = this.last;
    if (l !== null && addr >= l.base && addr < l.base + l.size) return l;
    const r = this.regions[this.findIndex(addr)];
    if (r === undefined || r.base > addr) return null;
    this.last = r;
    return r;
  }

  protected segment(addr: number, maxPages: number): void {
    const pps = this.physPageSize;
    const l = this.last;
    const r = l !== null && addr >= l.base && addr < l.base + l.size ? l : this.regions[this.findIndex(addr)];
    if (r !== undefined && r.base <= addr) {
      this.last = r;
      this.segStates = r.states;
      this.segIndex = (addr - r.base) / pps;
      this.segPages = Math.min(maxPages, (r.base + r.size - addr) / pps);
    } else {
      this.segStates = null;
      this.segIndex = 0;
      this.segPages = r === undefined ? maxPages : Math.min(maxPages, (r.base - addr) / pps);
    }
  }

  private isFree(v: number, bytes: number): boolean {
    const r = this.regions[this.findIndex(v)];
    return r === undefined || r.base >= v + bytes;
  }

  protected place(hint: number, bytes: number, avoidHint: boolean): number {
    const { allocGranularity: gran, addressSpaceStart: start, addressSpaceEnd: end, sbrk } = this.caps;
    if (
      hint !== 0 &&
      !avoidHint &&
      hint % gran === 0 &&
      hint >= start &&
      hint + bytes <= end &&
      this.isFree(hint, bytes)
    ) {
      return hint;
    }
    if (hint !== 0 && sbrk) return 0;
    const avoidLo = avoidHint ? hint : 0;
    const avoidHi = avoidHint ? hint + bytes : 0;
    const rs = this.regions;
    if (sbrk) {
      for (let i = 0; i <= rs.length; i++) {
        const gs = i === 0 ? start : rs[i - 1]!.end;
        const ge = i === rs.length ? end : rs[i]!.base;
        let c = alignUp(gs, gran);
        while (c + bytes <= ge) {
          if (c < avoidHi && c + bytes > avoidLo) {
            c = alignUp(avoidHi, gran);
            continue;
          }
          return c;
        }
      }
      return 0;
    }
    for (let i = rs.length; i >= 0; i--) {
      const gs = i === 0 ? start : rs[i - 1]!.end;
      const ge = i === rs.length ? end : rs[i]!.base;
      let c = alignDown(ge - bytes, gran);
      while (c >= gs) {
        if (c < avoidHi && c + bytes > avoidLo) {
          c = alignDown(avoidLo - bytes, gran);
          continue;
        }
        return c;
      }
    }
    return 0;
  }

  protected placeBelowBreak(bytes: number): number {
    const rs = this.regions;
    const gran = this.caps.allocGranularity;
    for (let i = 0; i < rs.length; i++) {
      const gs = alignUp(i === 0 ? this.caps.addressSpaceStart : rs[i - 1]!.end, gran);
      if (gs + bytes <= rs[i]!.base) return gs;
    }
    return 0;
  }

  protected breakAddr(): number {
    const rs = this.regions;
    return rs.length === 0 ? this.caps.addressSpaceStart : rs[rs.length - 1]!.end;
  }

  protected claim(v: number, bytes: number, state: PageState): void {
    const pps = this.physPageSize;
    const res = new Reservation(v, bytes);
    let at = this.findIndex(v);
    for (let off = 0; off < bytes; off += this.maxBacking) {
      const size = Math.min(this.maxBacking, bytes - off);
      const states = new Uint8Array(size / pps).fill(state);
      this.regions.splice(at++, 0, new Region(v + off, size, states, new Backing(v + off, size), res));
    }
  }

  protected release(v: number, bytes: number): void {
    const pps = this.physPageSize;
    const end = v + bytes;
    const rs = this.regions;
    let i = this.findIndex(v);
    while (i < rs.length && rs[i]!.base < end) {
      const r = rs[i]!;
      const pieces: Region[] = [];
      if (r.base < v) {
        pieces.push(new Region(r.base, v - r.base, r.states.subarray(0, (v - r.base) / pps), r.backing, r.res));
      }
      if (r.end > end) {
        pieces.push(new Region(end, r.end - end, r.states.subarray((end - r.base) / pps), r.backing, r.res));
      }
      rs.splice(i, 1, ...pieces);
      i += pieces.length;
    }
    this.last = null;
  }

  protected checkRelease(op: string, v: number, bytes: number): void {
    if (this.caps.canReleasePart) return;
    const r = this.regionAt(v)!;
    if (r.res.base !== v || r.res.size !== bytes || !this.wholeReservation(r.res)) {
      throw new PartialReleaseError(op, v, bytes, r.res.base, r.res.size);
    }
  }

  /** True if every page of `res` is still mapped (no part of it was released). */
  private wholeReservation(res: Reservation): boolean {
    let covered = 0;
    for (let i = this.findIndex(res.base); i < this.regions.length && this.regions[i]!.res === res; i++) {
      covered += this.regions[i]!.size;
    }
    return covered === res.size;
  }

  protected back(_v: number, _bytes: number): boolean {
    return true;
  }

  protected zeroPage(addr: number): void {
    const r = this.regionAt(addr);
    const u8 = r?.backing.u8;
    if (r && u8) zeroIfDirty(u8, addr - r.backing.base, this.physPageSize);
  }

  /** The MemView over the reservation (piece) containing `addr`, creating its backing on first use. */
  viewOf(addr: number): MemView {
    const l = this.last;
    if (l !== null && l.view !== null && addr >= l.base && addr < l.base + l.size) return l.view;
    const r = Number.isSafeInteger(addr) ? this.regionAt(addr) : null;
    if (r === null) throw new BadAddressError("viewOf", addr, "not in any reservation (state None)");
    if (r.view === null) {
      const b = r.backing;
      if (b.buffer === null) {
        try {
          b.buffer = new ArrayBuffer(b.size);
        } catch (e) {
          throw new BackingAllocationError(b.base, b.size, String(e));
        }
        b.u8 = new Uint8Array(b.buffer);
      }
      r.view = new MemView(b.buffer, r.base, r.base - b.base, r.size);
    }
    return r.view;
  }

  protected checkBackend(contents: boolean): void {
    const pps = this.physPageSize;
    let prevEnd = this.caps.addressSpaceStart;
    for (const r of this.regions) {
      if (r.size <= 0 || r.base % pps !== 0 || r.size % pps !== 0 || r.base < prevEnd) {
        throw new RuntimeThrow(`SIM1: region [${r.base}, ${r.end}) is empty, unaligned or overlaps its predecessor`);
      }
      if (r.end > this.caps.addressSpaceEnd) throw new RuntimeThrow(`SIM1: region ${r.base} leaves the address space`);
      prevEnd = r.end;
      if (r.states.length !== r.size / pps) throw new RuntimeThrow(`SIM2: region ${r.base} has a short page table`);
      for (let j = 0; j < r.states.length; j++) {
        if ((r.states[j]! & STATE_MASK) === PageState.None)
          throw new RuntimeThrow(`SIM2: None page inside region ${r.base}`);
      }
      const b = r.backing;
      if (r.base < b.base || r.end > b.base + b.size || r.base < r.res.base || r.end > r.res.base + r.res.size) {
        throw new RuntimeThrow(`SIM3: region ${r.base} outside its backing or reservation`);
      }
      if (contents && b.u8 !== null) {
        for (let j = 0; j < r.states.length; j++) {
          if ((r.states[j]! & STATE_MASK) === PageState.Ready) continue;
          const k = firstNonZero(b.u8, r.base - b.base + j * pps, pps);
          if (k >= 0) throw new RuntimeThrow(`SIM4: byte ${b.base + k} of a non-Ready page is not 0`);
        }
      }
    }
  }
}

function simCaps(opts: SimOptions): SysCaps {
  const pps = opts.physPageSize ?? 4096;
  if (!isPowerOfTwo(pps) || pps < 4096 || pps > 2 ** 30) {
    throw new BadOptionError("physPageSize", `${pps} is not a power of two in [4096, 2^30]`);
  }
  const bits = opts.heapAddrBits ?? 48;
  if (!Number.isInteger(bits) || bits < 20 || bits > 52)
    throw new BadOptionError("heapAddrBits", `${bits} is not in [20, 52]`);
  const windowsLike = opts.windowsLike ?? opts.goos === "windows";
  const gran = opts.allocGranularity ?? (windowsLike ? Math.max(65536, pps) : pps);
  if (!isPowerOfTwo(gran) || gran < pps) {
    throw new BadOptionError("allocGranularity", `${gran} is not a power of two ≥ physPageSize`);
  }
  const end = opts.addressSpaceEnd ?? 2 ** bits;
  const start = opts.addressSpaceStart ?? Math.max(65536, gran);
  if (!Number.isSafeInteger(start) || start <= 0 || start % gran !== 0) {
    throw new BadOptionError("addressSpaceStart", `${start} is not a positive multiple of ${gran}`);
  }
  if (!Number.isSafeInteger(end) || end % gran !== 0 || end <= start || end > 2 ** bits) {
    throw new BadOptionError("addressSpaceEnd", `${end} is not a multiple of ${gran} in (start, 2^${bits}]`);
  }
  return {
    backend: "simulated",
    physPageSize: pps,
    allocGranularity: gran,
    canReserveWithoutCommit: true,
    canDecommit: true,
    canReleasePart: !windowsLike,
    canGrow: true,
    sharedBetweenWorkers: false,
    sbrk: opts.sbrk ?? false,
    addressSpaceStart: start,
    addressSpaceEnd: end,
  };
}
