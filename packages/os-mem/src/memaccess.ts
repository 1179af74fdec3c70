/**
 * The page table every backend keeps (one state byte per physical page) and
 * the checked access API built on it: reads and writes that fault, like a
 * PROT_NONE page, when they touch memory that is not Ready.
 *
 * A state byte holds the {@link PageState} in bits 0–1 and three flags: a
 * recorded huge-page hint, a recorded no-huge-page hint, and "resident" (the
 * page was written since it last became Ready). Backends expose their table
 * through `segment(addr, maxPages)`, which points a cursor at the run of state
 * bytes for consecutive pages starting at `addr` (or reports an untracked run
 * of None pages), so range operations loop over runs rather than pages.
 * See docs/design.md, "Managed memory".
 */
import { BadAddressError, BadSizeError, MemoryFault } from "./errors.js";
import type { MemView } from "./memview.js";
import { type CheckedMemory, PageState } from "./types.js";

/** Bits 0–1 of a state byte: the {@link PageState}. */
export const STATE_MASK = 3;
/** State-byte flag: `sysHugePage` was recorded for this page. */
export const FLAG_HUGE = 4;
/** State-byte flag: `sysNoHugePage` was recorded for this page. */
export const FLAG_NOHUGE = 8;
/** State-byte flag: the page was written since it last became Ready. */
export const FLAG_RESIDENT = 16;

/** Accounting word: bytes in Reserved pages. Words 0–2 are indexed by `state - 1`. */
export const ACCT_RESERVED = 0;
/** Accounting word: bytes in Prepared pages. */
export const ACCT_PREPARED = 1;
/** Accounting word: bytes in Ready pages. */
export const ACCT_READY = 2;
/** Accounting word: Go's gcController.mappedReady, quirks included. */
export const ACCT_MAPPED_READY = 3;
/** Accounting word: bytes in resident Ready pages. */
export const ACCT_RESIDENT = 4;
/** Accounting word of SysStat 0; stat `s` is word `ACCT_STAT0 + s`. */
export const ACCT_STAT0 = 5;
/** Number of accounting words. */
export const ACCT_WORDS = 14;

/** Rounds `x` up to a multiple of `a` (a power of two) without bitwise operators (addresses exceed 2^32). */
export function alignUp(x: number, a: number): number {
  return Math.ceil(x / a) * a;
}

/** Rounds `x` down to a multiple of `a` (a power of two). */
export function alignDown(x: number, a: number): number {
  return Math.floor(x / a) * a;
}

/** True when `x` is a power of two (any size up to 2^53). */
export function isPowerOfTwo(x: number): boolean {
  if (!Number.isSafeInteger(x) || x < 1) return false;
  while (x > 1) {
    if (x % 2 !== 0) return false;
    x /= 2;
  }
  return true;
}

/**
 * Index of the first non-zero byte of `u8[off, off+len)` (clipped to the array),
 * or -1. `off` and `len` must be multiples of 4; reads whole words.
 */
export function firstNonZero(u8: Uint8Array, off: number, len: number): number {
  const end = Math.min(off + len, u8.length);
  if (end <= off) return -1;
  const u32 = new Uint32Array(u8.buffer, u8.byteOffset + off, (end - off) >>> 2);
  for (let i = 0; i < u32.length; i++) {
    if (u32[i] !== 0) {
      for (let k = off + 4 * i; ; k++) if (u8[k] !== 0) return k;
    }
  }
  return -1;
}

/**
 * Zeroes `u8[off, off+len)` if any byte there is non-zero. Reading first keeps
 * never-written pages of a lazily committed buffer from being committed by the
 * write. `off` and `len` must be multiples of 4.
 */
export function zeroIfDirty(u8: Uint8Array, off: number, len: number): void {
  if (firstNonZero(u8, off, len) >= 0) u8.fill(0, off, Math.min(off + len, u8.length));
}

const scratch = new DataView(new ArrayBuffer(8));

/** Base of every backend: the page-table cursor and the checked access API. */
export abstract class PageTableBase implements CheckedMemory {
  /** Size of the unit whose state is tracked. */
  readonly physPageSize: number;
  /** Cursor set by `segment`: the state bytes, or null for an untracked run of None pages. */
  protected segStates: Uint8Array | null = null;
  /** Cursor set by `segment`: index in `segStates` of the first page's byte. */
  protected segIndex = 0;
  /** Cursor set by `segment`: number of pages in the run (at least 1). */
  protected segPages = 0;

  constructor(physPageSize: number) {
    this.physPageSize = physPageSize;
  }

  /** Points the cursor at the run of pages starting at the page-aligned `addr`, at most `maxPages` long. */
  protected abstract segment(addr: number, maxPages: number): void;
  /** Accounting words (see `ACCT_*`). */
  protected abstract acctWords(): Float64Array;
  /** Takes the backend's lock (a no-op on single-threaded backends). */
  protected abstract lockOS(): void;
  /** Releases the backend's lock. */
  protected abstract unlockOS(): void;
  /**
   * Takes the backend's lock for work on the accounting words alone (no page
   * states, no managed memory), released with `unlockOS`. A backend may skip
   * here what `lockOS` does for the rest; by default it is `lockOS`.
   */
  protected lockAcct(): void {
    this.lockOS();
  }
  /** The MemView covering `addr`. */
  abstract viewOf(addr: number): MemView;

  /** State of the page containing `addr` (None outside the address space). */
  pageState(addr: number): PageState {
    if (!Number.isSafeInteger(addr) || addr < 0) throw new BadAddressError("pageState", addr, "not a safe integer ≥ 0");
    this.segment(alignDown(addr, this.physPageSize), 1);
    const st = this.segStates;
    return st === null ? PageState.None : ((st[this.segIndex]! & STATE_MASK) as PageState);
  }

  /** Huge-page hint recorded for the page containing `addr`. */
  hugePageHint(addr: number): "none" | "huge" | "nohuge" {
    if (!Number.isSafeInteger(addr) || addr < 0)
      throw new BadAddressError("hugePageHint", addr, "not a safe integer ≥ 0");
    this.segment(alignDown(addr, this.physPageSize), 1);
    const st = this.segStates;
    const b = st === null ? 0 : st[this.segIndex]!;
    return (b & FLAG_HUGE) !== 0 ? "huge" : (b & FLAG_NOHUGE) !== 0 ? "nohuge" : "none";
  }

  /**
   * Throws a MemoryFault unless every page of `[addr, addr+size)` is Ready;
   * for writes, marks the pages resident.
   */
  protected checkAccess(addr: number, size: number, write: boolean): void {
    if (!Number.isSafeInteger(addr) || addr < 0) {
      throw new BadAddressError(write ? "write" : "read", addr, "not a safe integer ≥ 0");
    }
    if (size === 0) return;
    const pps = this.physPageSize;
    const first = alignDown(addr, pps);
    let page = first;
    let remaining = Math.ceil((addr + size - first) / pps);
    let needTouch = false;
    while (remaining > 0) {
      this.segment(page, remaining);
      const st = this.segStates;
      const k = this.segPages;
      if (st === null) throw new MemoryFault(Math.max(addr, page), page, PageState.None, write ? "write" : "read");
      for (let j = 0; j < k; j++) {
        const b = st[this.segIndex + j]!;
        if ((b & STATE_MASK) !== PageState.Ready) {
          const p = page + j * pps;
          throw new MemoryFault(Math.max(addr, p), p, b & STATE_MASK, write ? "write" : "read");
        }
        if ((b & FLAG_RESIDENT) === 0) needTouch = true;
      }
      page += k * pps;
      remaining -= k;
    }
    if (write && needTouch) this.touch(first, addr + size - first);
  }

  /** Marks the Ready pages of `[v, v+n)` resident, for writes made through raw MemViews. Other pages are ignored. */
  touch(v: number, n: number): void {
    if (!Number.isSafeInteger(v) || v < 0) throw new BadAddressError("touch", v, "not a safe integer ≥ 0");
    if (!Number.isSafeInteger(n) || n < 0) throw new BadSizeError("touch", n, "not a safe integer ≥ 0");
    if (n === 0) return;
    const pps = this.physPageSize;
    this.lockOS();
    try {
      const acct = this.acctWords();
      let page = alignDown(v, pps);
      let remaining = Math.ceil((v + n - page) / pps);
      while (remaining > 0) {
        this.segment(page, remaining);
        const st = this.segStates;
        const k = this.segPages;
        if (st !== null) {
          for (let j = this.segIndex; j < this.segIndex + k; j++) {
            const b = st[j]!;
            if ((b & STATE_MASK) === PageState.Ready && (b & FLAG_RESIDENT) === 0) {
              st[j] = b | FLAG_RESIDENT;
              acct[ACCT_RESIDENT]! += pps;
            }
          }
        }
        page += k * pps;
        remaining -= k;
      }
    } finally {
      this.unlockOS();
    }
  }

  /** Reads the byte at `addr`. */
  read8(addr: number): number {
    this.checkAccess(addr, 1, false);
    const v = this.viewOf(addr);
    return v.u8[addr - v.base]!;
  }

  /** Writes the low 8 bits of `value` at `addr`. */
  write8(addr: number, value: number): void {
    this.checkAccess(addr, 1, true);
    const v = this.viewOf(addr);
    v.u8[addr - v.base] = value;
  }

  /** Reads the little-endian u32 at `addr`. */
  read32(addr: number): number {
    this.checkAccess(addr, 4, false);
    const v = this.viewOf(addr);
    const off = addr - v.base;
    if (off + 4 <= v.u8.length) return v.dv.getUint32(off, true);
    this.gather(addr, 4);
    return scratch.getUint32(0, true);
  }

  /** Writes `value` (mod 2^32) as a little-endian u32 at `addr`. */
  write32(addr: number, value: number): void {
    this.checkAccess(addr, 4, true);
    const v = this.viewOf(addr);
    const off = addr - v.base;
    if (off + 4 <= v.u8.length) {
      v.dv.setUint32(off, value >>> 0, true);
      return;
    }
    scratch.setUint32(0, value >>> 0, true);
    this.scatter(addr, 4);
  }

  /** Reads the little-endian f64 at `addr`. */
  readF64(addr: number): number {
    this.checkAccess(addr, 8, false);
    const v = this.viewOf(addr);
    const off = addr - v.base;
    if (off + 8 <= v.u8.length) return v.dv.getFloat64(off, true);
    this.gather(addr, 8);
    return scratch.getFloat64(0, true);
  }

  /** Writes the f64 `value` little-endian at `addr`. */
  writeF64(addr: number, value: number): void {
    this.checkAccess(addr, 8, true);
    const v = this.viewOf(addr);
    const off = addr - v.base;
    if (off + 8 <= v.u8.length) {
      v.dv.setFloat64(off, value, true);
      return;
    }
    scratch.setFloat64(0, value, true);
    this.scatter(addr, 8);
  }

  /** Copies `dst.length` bytes starting at `addr` into `dst`. */
  readBytes(addr: number, dst: Uint8Array): void {
    this.checkAccess(addr, dst.length, false);
    let done = 0;
    while (done < dst.length) {
      const v = this.viewOf(addr + done);
      const off = addr + done - v.base;
      const take = Math.min(dst.length - done, v.u8.length - off);
      dst.set(v.u8.subarray(off, off + take), done);
      done += take;
    }
  }

  /** Copies `src` into memory starting at `addr`. */
  writeBytes(addr: number, src: Uint8Array): void {
    this.checkAccess(addr, src.length, true);
    let done = 0;
    while (done < src.length) {
      const v = this.viewOf(addr + done);
      const off = addr + done - v.base;
      const take = Math.min(src.length - done, v.u8.length - off);
      v.u8.set(src.subarray(done, done + take), off);
      done += take;
    }
  }

  /** Sets `n` bytes starting at `addr` to `value` (Go's memclrNoHeapPointers when 0). */
  fill(addr: number, n: number, value: number): void {
    if (!Number.isSafeInteger(n) || n < 0) throw new BadSizeError("fill", n, "not a safe integer ≥ 0");
    this.checkAccess(addr, n, true);
    let done = 0;
    while (done < n) {
      const v = this.viewOf(addr + done);
      const off = addr + done - v.base;
      const take = Math.min(n - done, v.u8.length - off);
      v.u8.fill(value, off, off + take);
      done += take;
    }
  }

  /** Copies `size` bytes at `addr` into `scratch`, view by view (a value straddling two reservations). */
  private gather(addr: number, size: number): void {
    for (let i = 0; i < size; i++) {
      const v = this.viewOf(addr + i);
      scratch.setUint8(i, v.u8[addr + i - v.base]!);
    }
  }

  /** Copies `size` bytes of `scratch` to `addr`, view by view. */
  private scatter(addr: number, size: number): void {
    for (let i = 0; i < size; i++) {
      const v = this.viewOf(addr + i);
      v.u8[addr + i - v.base] = scratch.getUint8(i);
    }
  }
}
