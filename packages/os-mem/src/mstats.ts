/**
 * Go's mstats.go for one backend: the sysMemStat counters (`statAdd`,
 * `statLoad`), a snapshot of every counter (`stats`), the root slots upper
 * layers keep their root record's address in, and the checker of the
 * accounting invariants. The counters are words of `acctWords()` so that a
 * shared backend can keep them in its buffer; every read and write happens
 * under the backend's lock. See docs/design.md, "Managed memory".
 */
import { BadArgumentError, BadSizeError, RuntimeThrow } from "./errors.js";
import {
  ACCT_MAPPED_READY,
  ACCT_PREPARED,
  ACCT_READY,
  ACCT_RESERVED,
  ACCT_RESIDENT,
  ACCT_STAT0,
  FLAG_RESIDENT,
  PageTableBase,
  STATE_MASK,
} from "./memaccess.js";
import { PageState, type SysCaps, type SysMemStats, type SysStat, sysStatCount, sysStatNames } from "./types.js";

/** Counters, root slots and invariant checks shared by every backend; {@link SysMemoryBase} adds the transitions. */
export abstract class SysAccountingBase extends PageTableBase {
  /** What this backend can do. */
  readonly caps: SysCaps;
  /** Number of root slots. */
  abstract readonly rootSlotCount: number;

  constructor(caps: SysCaps) {
    super(caps.physPageSize);
    this.caps = caps;
  }

  /** The root slots (f64 words). */
  protected abstract rootWords(): Float64Array;
  /** Backend-specific invariants (see `checkInvariants`). */
  protected abstract checkBackend(contents: boolean): void;

  /** Validates a stat id. */
  protected checkStat(op: string, stat: number): void {
    if (!Number.isInteger(stat) || stat < 0 || stat >= sysStatCount) {
      throw new BadArgumentError(op, `${stat} is not a SysStat id`);
    }
  }

  /**
   * Adds `deltaA` to `statA` and `deltaB` to `statB` under one lock, so that no
   * reader sees bytes moved out of one and not yet into the other (the heap's
   * page moves: free ↔ in use, released ↔ free). Throws like {@link statAdd},
   * changing neither, if either would fall below 0.
   */
  statAddPair(statA: SysStat, deltaA: number, statB: SysStat, deltaB: number): void {
    this.checkStat("statAddPair", statA);
    this.checkStat("statAddPair", statB);
    if (!Number.isSafeInteger(deltaA)) throw new BadSizeError("statAddPair", deltaA, "not a safe integer");
    if (!Number.isSafeInteger(deltaB)) throw new BadSizeError("statAddPair", deltaB, "not a safe integer");
    this.lockAcct();
    try {
      const acct = this.acctWords();
      const a = acct[ACCT_STAT0 + statA]! + deltaA;
      const b = (statA === statB ? a : acct[ACCT_STAT0 + statB]!) + deltaB;
      if (a < 0 || b < 0) throw new RuntimeThrow("sysMemStat overflow");
      acct[ACCT_STAT0 + statA] = a;
      acct[ACCT_STAT0 + statB] = b;
    } finally {
      this.unlockOS();
    }
  }

  /** Adds `delta` to `stat` (Go's sysMemStat.add); throws RuntimeThrow("sysMemStat overflow") below 0. */
  statAdd(stat: SysStat, delta: number): void {
    this.checkStat("statAdd", stat);
    if (!Number.isSafeInteger(delta)) throw new BadSizeError("statAdd", delta, "not a safe integer");
    this.lockAcct();
    try {
      const acct = this.acctWords();
      if (acct[ACCT_STAT0 + stat]! + delta < 0) throw new RuntimeThrow("sysMemStat overflow");
      acct[ACCT_STAT0 + stat]! += delta;
    } finally {
      this.unlockOS();
    }
  }

  /** Current value of `stat`. */
  statLoad(stat: SysStat): number {
    this.checkStat("statLoad", stat);
    this.lockAcct();
    try {
      return this.acctWords()[ACCT_STAT0 + stat]!;
    } finally {
      this.unlockOS();
    }
  }

  /** A snapshot of every counter. */
  stats(): SysMemStats {
    this.lockOS();
    try {
      const a = this.acctWords();
      const stats = {} as SysMemStats["stats"];
      let sys = 0;
      for (let s = 0; s < sysStatCount; s++) {
        stats[sysStatNames[s]!] = a[ACCT_STAT0 + s]!;
        sys += a[ACCT_STAT0 + s]!;
      }
      return {
        reserved: a[ACCT_RESERVED]!,
        prepared: a[ACCT_PREPARED]!,
        ready: a[ACCT_READY]!,
        mapped: a[ACCT_PREPARED]! + a[ACCT_READY]!,
        released: a[ACCT_PREPARED]!,
        mappedReady: a[ACCT_MAPPED_READY]!,
        resident: a[ACCT_RESIDENT]!,
        sys,
        stats,
      };
    } finally {
      this.unlockOS();
    }
  }

  private checkSlot(op: string, i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.rootSlotCount) {
      throw new BadArgumentError(op, `root slot ${i} is not in [0, ${this.rootSlotCount})`);
    }
  }

  /** Reads root slot `i` (0 if never set). */
  getRoot(i: number): number {
    this.checkSlot("getRoot", i);
    this.lockOS();
    try {
      return this.rootWords()[i]!;
    } finally {
      this.unlockOS();
    }
  }

  /** Writes root slot `i`. */
  setRoot(i: number, value: number): void {
    this.checkSlot("setRoot", i);
    this.lockOS();
    try {
      this.rootWords()[i] = value;
    } finally {
      this.unlockOS();
    }
  }

  /** Sets root slot `i` to `value` if it holds `expected`; returns the value found. */
  casRoot(i: number, expected: number, value: number): number {
    this.checkSlot("casRoot", i);
    this.lockOS();
    try {
      const r = this.rootWords();
      const found = r[i]!;
      if (found === expected) r[i] = value;
      return found;
    } finally {
      this.unlockOS();
    }
  }

  /**
   * Invariants (each throws RuntimeThrow naming its id):
   * - OS1: `reserved`, `prepared`, `ready` = physPageSize × pages in that state;
   *   `resident` = physPageSize × Ready pages flagged resident; no other page is flagged resident.
   * - OS2: every SysStat counter ≥ 0.
   * - OS3 (with `contents`): every byte of a page that is not Ready reads 0 wherever backing exists.
   * - backend invariants (see each backend).
   */
  checkInvariants(opts: { contents?: boolean } = {}): void {
    this.lockOS();
    try {
      const pps = this.physPageSize;
      const counts = [0, 0, 0, 0];
      let resident = 0;
      let page = this.caps.addressSpaceStart;
      let remaining = (this.caps.addressSpaceEnd - page) / pps;
      while (remaining > 0) {
        this.segment(page, remaining);
        const st = this.segStates;
        const k = this.segPages;
        if (st !== null) {
          for (let j = 0; j < k; j++) {
            const b = st[this.segIndex + j]!;
            counts[b & STATE_MASK]!++;
            if ((b & FLAG_RESIDENT) !== 0) {
              if ((b & STATE_MASK) !== PageState.Ready) {
                throw new RuntimeThrow(`OS1: page ${page + j * pps} is resident but not Ready`);
              }
              resident++;
            }
          }
        }
        page += k * pps;
        remaining -= k;
      }
      const a = this.acctWords();
      const want = [counts[1]! * pps, counts[2]! * pps, counts[3]! * pps];
      for (let s = 0; s < 3; s++) {
        if (a[s] !== want[s]) throw new RuntimeThrow(`OS1: counter ${s} is ${a[s]}, page table says ${want[s]}`);
      }
      if (a[ACCT_RESIDENT] !== resident * pps) {
        throw new RuntimeThrow(`OS1: resident is ${a[ACCT_RESIDENT]}, page table says ${resident * pps}`);
      }
      for (let s = 0; s < sysStatCount; s++) {
        if (a[ACCT_STAT0 + s]! < 0) throw new RuntimeThrow(`OS2: stat ${sysStatNames[s]} is negative`);
      }
      this.checkBackend(opts.contents === true);
    } finally {
      this.unlockOS();
    }
  }
}
