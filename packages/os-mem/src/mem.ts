/**
 * Go's mem.go, once for every backend: the None/Reserved/Prepared/Ready
 * transitions, their accounting, and sysReserveAligned (with the Windows and
 * sbrk variants of Go 1.26). A transition validates the whole range before it
 * changes anything, so a misuse throws a typed error and leaves every page and
 * counter as it was; a backend refusal (no address space, no memory, injected
 * fault) returns Go's failure value, also changing nothing.
 *
 * Accounting (words of `acctWords()`): exact byte counts of Reserved, Prepared,
 * Ready and resident pages, recomputable from the page table; Go's
 * `mappedReady`, updated with exactly Go's deltas (so its quirks — sysFree and
 * sysFault subtract `n` whatever the pages' states — are mirrored, while
 * `ready` stays exact); and one counter per {@link SysStat}, updated as Go's
 * sysMemStat is (`+n` on sysAlloc and sysMap, `-n` on sysFree); mstats.ts
 * reads them and checks their invariants. Backends supply
 * placement (`place`), bookkeeping (`claim`, `release`) and backing storage
 * (`back`, `zeroPage`). See docs/design.md, "Managed memory".
 */
import { BadAddressError, BadAlignError, BadSizeError, IllegalTransitionError, RuntimeThrow } from "./errors.js";
import { FaultInjector } from "./faults.js";
import {
  ACCT_MAPPED_READY,
  ACCT_PREPARED,
  ACCT_READY,
  ACCT_RESERVED,
  ACCT_RESIDENT,
  ACCT_STAT0,
  alignDown,
  alignUp,
  FLAG_HUGE,
  FLAG_NOHUGE,
  FLAG_RESIDENT,
  isPowerOfTwo,
  STATE_MASK,
} from "./memaccess.js";
import { SysAccountingBase } from "./mstats.js";
import { PageState, type SysMemory, type SysStat } from "./types.js";

const M_RESERVED = 1 << PageState.Reserved;
const M_PREPARED = 1 << PageState.Prepared;
const M_READY = 1 << PageState.Ready;
/** How many lost races sysReserveAligned retries before Go's throw (Go's literal 100 in mem.go). */
export const sysReserveAlignedRetries = 100;

/** The shared implementation of {@link SysMemory}; backends extend it. */
export abstract class SysMemoryBase extends SysAccountingBase implements SysMemory {
  /** Deterministic fault injection for this instance. */
  readonly faults = new FaultInjector();

  /** See {@link SysMemory.grownElsewhere}; false unless a backend says otherwise. */
  grownElsewhere(): boolean {
    return false;
  }

  /** See {@link SysMemory.syncView}; nothing to do unless a backend says otherwise. */
  syncView(): boolean {
    return false;
  }

  /**
   * Where a new reservation of `bytes` goes: `hint` if that range is free and
   * `avoidHint` is false; else, on sbrk backends, 0 when a hint was given;
   * else a free range chosen by the backend's policy that does not overlap
   * `[hint, hint+bytes)` when `avoidHint` is set. 0 when nothing fits.
   */
  protected abstract place(hint: number, bytes: number, avoidHint: boolean): number;
  /** First free, `align`-free range of `bytes` below the break (sbrk backends), or 0. */
  protected abstract placeBelowBreak(bytes: number): number;
  /** The sbrk break: one past the highest page that is not None (at least `addressSpaceStart`). */
  protected abstract breakAddr(): number;
  /** Moves the None pages of `[v, v+bytes)` to `state`, creating the backend's bookkeeping. */
  protected abstract claim(v: number, bytes: number, state: PageState): void;
  /** Moves `[v, v+bytes)` to None and drops the backend's bookkeeping (pages already zero). */
  protected abstract release(v: number, bytes: number): void;
  /** Throws PartialReleaseError if `[v, v+bytes)` cannot be released on this backend. */
  protected abstract checkRelease(op: string, v: number, bytes: number): void;
  /** Makes sure backing storage exists for `[v, v+bytes)`; false if the backend refuses. */
  protected abstract back(v: number, bytes: number): boolean;
  /**
   * Whether `sysMap` backs the pages it maps (Reserved→Prepared). When false,
   * `sysUsed` backs them as they become Ready instead, so that storage
   * follows the pages in use (the flat backends, whose buffer is the
   * footprint: Go maps heap growth in 4 MiB steps).
   */
  protected readonly backsOnMap: boolean = true;
  /** Zeroes the page at `addr` (it is leaving the Ready state). */
  protected abstract zeroPage(addr: number): void;
  // ---- argument checks -------------------------------------------------------------------

  /** Validates a page range and returns `n` rounded up to whole pages. */
  protected pageRange(op: string, v: number, n: number): number {
    if (!Number.isSafeInteger(v) || v < 0) throw new BadAddressError(op, v, "not a safe integer ≥ 0");
    if (!Number.isSafeInteger(n) || n <= 0) throw new BadSizeError(op, n, "must be a positive safe integer");
    const pps = this.physPageSize;
    if (v % pps !== 0) throw new BadAddressError(op, v, `not a multiple of physPageSize ${pps}`);
    const bytes = alignUp(n, pps);
    const { addressSpaceStart, addressSpaceEnd } = this.caps;
    if (v < addressSpaceStart || v + bytes > addressSpaceEnd) {
      throw new BadAddressError(op, v, `range of ${bytes} bytes is outside [${addressSpaceStart}, ${addressSpaceEnd})`);
    }
    return bytes;
  }

  /** Throws IllegalTransitionError at the first page of `[v, v+bytes)` whose state is not in `mask`. */
  protected expect(op: string, v: number, bytes: number, mask: number, move: string): void {
    const pps = this.physPageSize;
    let page = v;
    let remaining = bytes / pps;
    while (remaining > 0) {
      this.segment(page, remaining);
      const st = this.segStates;
      const k = this.segPages;
      if (st === null) {
        if ((mask & 1) === 0) throw new IllegalTransitionError(op, page, PageState.None, move);
      } else {
        for (let j = 0; j < k; j++) {
          const s = st[this.segIndex + j]! & STATE_MASK;
          if ((mask & (1 << s)) === 0) throw new IllegalTransitionError(op, page + j * pps, s, move);
        }
      }
      page += k * pps;
      remaining -= k;
    }
  }

  /** Bytes of `[v, v+bytes)` in state `s`. */
  protected countState(v: number, bytes: number, s: PageState): number {
    const pps = this.physPageSize;
    let page = v;
    let remaining = bytes / pps;
    let count = 0;
    while (remaining > 0) {
      this.segment(page, remaining);
      const st = this.segStates;
      const k = this.segPages;
      if (st !== null) {
        for (let j = 0; j < k; j++) if ((st[this.segIndex + j]! & STATE_MASK) === s) count++;
      } else if (s === PageState.None) {
        count += k;
      }
      page += k * pps;
      remaining -= k;
    }
    return count * pps;
  }

  /**
   * Moves every tracked page of `[v, v+bytes)` to `to` (None: releases it),
   * zeroing pages that leave Ready and keeping the exact counters in step.
   */
  protected setRange(v: number, bytes: number, to: PageState): void {
    const pps = this.physPageSize;
    const acct = this.acctWords();
    let page = v;
    let remaining = bytes / pps;
    while (remaining > 0) {
      this.segment(page, remaining);
      const st = this.segStates;
      const k = this.segPages;
      if (st !== null) {
        for (let j = 0; j < k; j++) {
          const i = this.segIndex + j;
          const b = st[i]!;
          const s = b & STATE_MASK;
          if (s === PageState.Ready && to !== PageState.Ready) {
            this.zeroPage(page + j * pps);
            if ((b & FLAG_RESIDENT) !== 0) acct[ACCT_RESIDENT]! -= pps;
          }
          if (s !== PageState.None) acct[s - 1]! -= pps;
          if (to !== PageState.None) acct[to - 1]! += pps;
          const keep = to === PageState.None ? 0 : b & (FLAG_HUGE | FLAG_NOHUGE | (to === s ? FLAG_RESIDENT : 0));
          st[i] = to | keep;
        }
      }
      page += k * pps;
      remaining -= k;
    }
    if (to === PageState.None) this.release(v, bytes);
  }

  // ---- Go's transitions ------------------------------------------------------------------

  /** None→Ready at a place the backend picks, zeroed. Returns 0 on failure. */
  sysAlloc(n: number, stat: SysStat): number {
    this.checkStat("sysAlloc", stat);
    if (!Number.isSafeInteger(n) || n <= 0) throw new BadSizeError("sysAlloc", n, "must be a positive safe integer");
    const bytes = alignUp(n, this.physPageSize);
    this.lockOS();
    try {
      let acct = this.acctWords();
      const f = this.faults;
      if (f.nextReserve()) return 0;
      if (acct[ACCT_READY]! + bytes > f.commitLimit) return 0;
      if (acct[ACCT_PREPARED]! + acct[ACCT_READY]! + bytes > f.mappedLimit) return 0;
      const p = this.place(0, bytes, false);
      if (p === 0 || !this.back(p, bytes)) return 0;
      acct = this.acctWords(); // back() may have replaced the buffer
      this.claim(p, bytes, PageState.Ready);
      acct[ACCT_READY]! += bytes;
      acct[ACCT_STAT0 + stat]! += n;
      acct[ACCT_MAPPED_READY]! += n;
      return p;
    } finally {
      this.unlockOS();
    }
  }

  /** Any→None. `n` is subtracted from `stat` and from mappedReady (Go's quirk, whatever the states were). */
  sysFree(v: number, n: number, stat: SysStat): void {
    this.checkStat("sysFree", stat);
    const bytes = this.pageRange("sysFree", v, n);
    this.lockOS();
    try {
      this.expect("sysFree", v, bytes, M_RESERVED | M_PREPARED | M_READY, "Reserved/Prepared/Ready→None");
      this.checkRelease("sysFree", v, bytes);
      const acct = this.acctWords();
      if (acct[ACCT_STAT0 + stat]! - n < 0) throw new RuntimeThrow("sysMemStat overflow");
      this.setRange(v, bytes, PageState.None);
      acct[ACCT_STAT0 + stat]! -= n;
      acct[ACCT_MAPPED_READY]! -= n;
    } finally {
      this.unlockOS();
    }
  }

  /** Reserved→None, no accounting (Go's sysUnreserve / sysFreeOS on a reservation). */
  sysUnreserve(v: number, n: number): void {
    const bytes = this.pageRange("sysUnreserve", v, n);
    this.lockOS();
    try {
      this.expect("sysUnreserve", v, bytes, M_RESERVED, "Reserved→None");
      this.checkRelease("sysUnreserve", v, bytes);
      this.setRange(v, bytes, PageState.None);
    } finally {
      this.unlockOS();
    }
  }

  /** None→Reserved at `v` if that range is free (`v` = 0: anywhere). Returns 0 on failure. */
  sysReserve(v: number, n: number): number {
    // A hint outside the address space is not an error: like mmap, the backend
    // just cannot honour it.
    const pps = this.physPageSize;
    if (!Number.isSafeInteger(v) || v < 0 || v % pps !== 0) {
      throw new BadAddressError("sysReserve", v, `hint must be 0 or a multiple of physPageSize ${pps}`);
    }
    if (!Number.isSafeInteger(n) || n <= 0) throw new BadSizeError("sysReserve", n, "must be a positive safe integer");
    const bytes = alignUp(n, pps);
    this.lockOS();
    try {
      return this.reserveLocked(v, bytes);
    } finally {
      this.unlockOS();
    }
  }

  /** sysReserve with the lock held and arguments checked. */
  private reserveLocked(v: number, bytes: number): number {
    const f = this.faults;
    if (f.nextReserve()) return 0;
    const p = this.place(v, bytes, v !== 0 && f.hintIgnored());
    if (p === 0) return 0;
    this.claim(p, bytes, PageState.Reserved);
    this.acctWords()[ACCT_RESERVED]! += bytes;
    return p;
  }

  /**
   * None→Reserved with `align` alignment (a power of two, at least physPageSize;
   * `size` a multiple of physPageSize). Returns `[0, 0]` on failure; after 100
   * lost races on a backend that cannot release part of a reservation, throws
   * Go's "failed to allocate aligned heap memory; too many retries".
   */
  sysReserveAligned(v: number, size: number, align: number): [addr: number, size: number] {
    const pps = this.physPageSize;
    if (!isPowerOfTwo(align) || align < pps) {
      throw new BadAlignError("sysReserveAligned", align, `must be a power of two ≥ physPageSize ${pps}`);
    }
    if (!Number.isSafeInteger(size) || size <= 0 || size % pps !== 0) {
      throw new BadSizeError("sysReserveAligned", size, `must be a positive multiple of physPageSize ${pps}`);
    }
    if (!Number.isSafeInteger(v) || v < 0 || v % pps !== 0) {
      throw new BadAddressError("sysReserveAligned", v, `hint must be 0 or a multiple of physPageSize ${pps}`);
    }
    if (this.caps.sbrk) {
      if (v !== 0) throw new RuntimeThrow("unexpected heap arena hint on sbrk platform");
      return this.reserveAlignedSbrk(size, align);
    }
    let retries = 0;
    for (;;) {
      const p = this.sysReserve(v, size + align);
      if (p === 0) return [0, 0];
      if (p % align === 0) return [p, size + align];
      const pAligned = alignUp(p, align);
      if (!this.caps.canReleasePart) {
        // Only whole reservations can go: give it all back and ask for the aligned
        // part by hint. Another thread may take it first; then try again.
        this.sysUnreserve(p, size + align);
        const p2 = this.sysReserve(pAligned, size);
        if (p2 !== pAligned) {
          if (p2 !== 0) this.sysUnreserve(p2, size);
          if (++retries === sysReserveAlignedRetries) {
            throw new RuntimeThrow("failed to allocate aligned heap memory; too many retries");
          }
          continue;
        }
        return [p2, size];
      }
      const end = pAligned + size;
      const endLen = p + size + align - end;
      this.sysUnreserve(p, pAligned - p);
      if (endLen > 0) this.sysUnreserve(end, endLen);
      return [pAligned, size];
    }
  }

  /** Go's sysReserveAlignedSbrk: a free hole below the break, trimmed; else the aligned break. */
  private reserveAlignedSbrk(size: number, align: number): [number, number] {
    this.lockOS();
    try {
      if (this.faults.nextReserve()) return [0, 0];
      const base = this.placeBelowBreak(size + align);
      let p: number;
      if (base !== 0) {
        p = alignUp(base, align);
      } else {
        p = alignUp(this.breakAddr(), align);
        if (p + size > this.caps.addressSpaceEnd) return [0, 0];
      }
      this.claim(p, size, PageState.Reserved);
      this.acctWords()[ACCT_RESERVED]! += size;
      return [p, size];
    } finally {
      this.unlockOS();
    }
  }

  /** Reserved→Prepared, counting `n` in `stat`. False, changing nothing, if the backend refuses. */
  sysMap(v: number, n: number, stat: SysStat): boolean {
    this.checkStat("sysMap", stat);
    const bytes = this.pageRange("sysMap", v, n);
    this.lockOS();
    try {
      this.expect("sysMap", v, bytes, M_RESERVED, "Reserved→Prepared");
      const acct = this.acctWords();
      const f = this.faults;
      if (f.nextMap()) return false;
      if (acct[ACCT_PREPARED]! + acct[ACCT_READY]! + bytes > f.mappedLimit) return false;
      if (this.backsOnMap && !this.back(v, bytes)) return false;
      this.setRange(v, bytes, PageState.Prepared);
      this.acctWords()[ACCT_STAT0 + stat]! += n; // back() may have replaced the buffer
      return true;
    } finally {
      this.unlockOS();
    }
  }

  /**
   * Prepared→Reserved, subtracting `n` from `stat`: the inverse of
   * {@link sysMap}, for a caller that mapped a range and must give it back
   * because a later step failed (Go never needs this: its sysMap cannot fail
   * and what follows it cannot either). mappedReady is untouched, since
   * Prepared pages were never counted there. Contents are zero already.
   */
  sysUnmap(v: number, n: number, stat: SysStat): void {
    this.checkStat("sysUnmap", stat);
    const bytes = this.pageRange("sysUnmap", v, n);
    this.lockOS();
    try {
      this.expect("sysUnmap", v, bytes, M_PREPARED, "Prepared→Reserved");
      const acct = this.acctWords();
      if (acct[ACCT_STAT0 + stat]! - n < 0) throw new RuntimeThrow("sysMemStat overflow");
      this.setRange(v, bytes, PageState.Reserved);
      acct[ACCT_STAT0 + stat]! -= n;
    } finally {
      this.unlockOS();
    }
  }

  /**
   * Prepared→Ready over every page `[v, v+n)` touches (pages already Ready stay
   * so, as Go allows); adds `prepared` to mappedReady. False, changing nothing,
   * if the backend refuses to commit.
   */
  sysUsed(v: number, n: number, prepared: number): boolean {
    if (!Number.isSafeInteger(v) || v < 0) throw new BadAddressError("sysUsed", v, "not a safe integer ≥ 0");
    if (!Number.isSafeInteger(n) || n <= 0) throw new BadSizeError("sysUsed", n, "must be a positive safe integer");
    if (!Number.isSafeInteger(prepared) || prepared < 0 || prepared > n) {
      throw new BadSizeError("sysUsed", prepared, `prepared must be an integer in [0, n=${n}]`);
    }
    const pps = this.physPageSize;
    const lo = alignDown(v, pps);
    const bytes = this.pageRange("sysUsed", lo, alignUp(v + n, pps) - lo);
    this.lockOS();
    try {
      this.expect("sysUsed", lo, bytes, M_PREPARED | M_READY, "Prepared→Ready");
      const acct = this.acctWords();
      const f = this.faults;
      if (f.nextUsed()) return false;
      if (acct[ACCT_READY]! + this.countState(lo, bytes, PageState.Prepared) > f.commitLimit) return false;
      if (!this.backsOnMap && !this.back(lo, bytes)) return false;
      this.setRange(lo, bytes, PageState.Ready);
      this.acctWords()[ACCT_MAPPED_READY]! += prepared; // back() may have replaced the buffer
      return true;
    } finally {
      this.unlockOS();
    }
  }

  /** Ready→Prepared; contents forfeit (zeroed here). Subtracts `n` from mappedReady. */
  sysUnused(v: number, n: number): void {
    const bytes = this.pageRange("sysUnused", v, n);
    this.lockOS();
    try {
      this.expect("sysUnused", v, bytes, M_READY, "Ready→Prepared");
      this.setRange(v, bytes, PageState.Prepared);
      this.acctWords()[ACCT_MAPPED_READY]! -= n;
    } finally {
      this.unlockOS();
    }
  }

  /** Ready/Prepared→Reserved; contents zeroed. Subtracts `n` from mappedReady (Go's quirk for Prepared pages). */
  sysFault(v: number, n: number): void {
    const bytes = this.pageRange("sysFault", v, n);
    this.lockOS();
    try {
      this.expect("sysFault", v, bytes, M_PREPARED | M_READY, "Ready/Prepared→Reserved");
      this.setRange(v, bytes, PageState.Reserved);
      this.acctWords()[ACCT_MAPPED_READY]! -= n;
    } finally {
      this.unlockOS();
    }
  }

  /** Records a huge-page hint on the pages of `[v, v+n)` that are not None (rounded inward to whole pages). */
  sysHugePage(v: number, n: number): void {
    if (!Number.isSafeInteger(v) || v < 0) throw new BadAddressError("sysHugePage", v, "not a safe integer ≥ 0");
    if (!Number.isSafeInteger(n) || n < 0) throw new BadSizeError("sysHugePage", n, "not a safe integer ≥ 0");
    const pps = this.physPageSize;
    const beg = alignUp(v, pps);
    const end = Math.min(alignDown(v + n, pps), this.caps.addressSpaceEnd);
    if (beg < end) this.setHint(beg, end - beg, FLAG_HUGE, FLAG_NOHUGE);
  }

  /** Records a no-huge-page hint on the pages of `[v, v+n)` that are not None (`v` page-aligned, as Linux requires). */
  sysNoHugePage(v: number, n: number): void {
    if (!Number.isSafeInteger(v) || v < 0 || v % this.physPageSize !== 0) {
      throw new BadAddressError("sysNoHugePage", v, `not a multiple of physPageSize ${this.physPageSize}`);
    }
    if (!Number.isSafeInteger(n) || n < 0) throw new BadSizeError("sysNoHugePage", n, "not a safe integer ≥ 0");
    const end = Math.min(alignUp(v + n, this.physPageSize), this.caps.addressSpaceEnd);
    if (v < end) this.setHint(v, end - v, FLAG_NOHUGE, FLAG_HUGE);
  }

  private setHint(v: number, bytes: number, set: number, clear: number): void {
    const pps = this.physPageSize;
    this.lockOS();
    try {
      let page = v;
      let remaining = bytes / pps;
      while (remaining > 0) {
        this.segment(page, remaining);
        const st = this.segStates;
        const k = this.segPages;
        if (st !== null) {
          for (let i = this.segIndex; i < this.segIndex + k; i++) {
            const b = st[i]!;
            if ((b & STATE_MASK) !== PageState.None) st[i] = (b & ~clear) | set;
          }
        }
        page += k * pps;
        remaining -= k;
      }
    } finally {
      this.unlockOS();
    }
  }

  /** False: every backend zeroes pages as they leave Ready, so sysUsed always hands out zeroed memory. */
  needZeroAfterSysUnused(): boolean {
    return false;
  }
}
