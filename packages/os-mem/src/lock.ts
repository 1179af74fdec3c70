/**
 * Mutex: Go's runtime `mutex` (lock_futex.go) over one Int32Array word, so the
 * lock can live in managed memory and be shared by every worker attached to a
 * SharedArrayBuffer. The word is 0 (unlocked), 1 (locked) or 2 (locked, maybe
 * with sleepers). `lock` tries a compare-and-swap, spins a little, then sleeps
 * with `Atomics.wait`; `unlock` swaps in 0 and wakes one sleeper if the word
 * was 2. Where a thread may not sleep (a browser main thread) it
 * spins for a bounded number of rounds and then throws a LockWouldBlockError
 * rather than hang. Over a buffer that is not shared no other thread can
 * release a held lock, so contention there throws at once.
 *
 * Debug mode (`setLockRankChecking(true)`) mirrors Go's lockrank.go: a lock
 * with a rank may only be taken while every held ranked lock has a lower rank,
 * and no lock may be taken twice by one thread. See docs/design.md.
 */
import { BadArgumentError, LockRankError, LockWouldBlockError, RuntimeThrow } from "./errors.js";
import { isSharedBuffer } from "./memview.js";

/** Options of a {@link Mutex}. */
export interface MutexOptions {
  /** Name used in errors. @defaultValue "mutex" */
  name?: string;
  /** Lock rank for order checking (0 = unranked). @defaultValue 0 */
  rank?: number;
  /** Compare-and-swap attempts before sleeping. @defaultValue 100 */
  spins?: number;
  /** Attempts before giving up where sleeping is not allowed. @defaultValue 1e7 */
  maxSpinsNoWait?: number;
  /** Whether this thread may `Atomics.wait`. @defaultValue detected with {@link canBlock} */
  blocking?: boolean;
}

let blockable: boolean | undefined;

/** True when this thread may block in `Atomics.wait` (false on a browser main thread or without SharedArrayBuffer). */
export function canBlock(): boolean {
  if (blockable === undefined) {
    try {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
      blockable = true;
    } catch {
      blockable = false;
    }
  }
  return blockable;
}

let rankChecking = false;
const held: Mutex[] = [];

/** Turns lock-order checking on or off for this thread (debug mode). Turning it on forgets the held list. */
export function setLockRankChecking(on: boolean): void {
  rankChecking = on;
  held.length = 0;
}

/** Whether lock-order checking is on for this thread. */
export function lockRankChecking(): boolean {
  return rankChecking;
}

/**
 * Where a {@link Mutex} finds its lock word: an Int32Array, or an object whose
 * `i32` array is read on every operation — a {@link MemView}, which its
 * backend rebinds when a WebAssembly.Memory grow detaches the old buffer.
 */
export type LockWordSource = Int32Array | { readonly i32: Int32Array };

/** A mutual-exclusion lock over `i32[index]`; see the file header. */
export class Mutex {
  private arr: Int32Array;
  private readonly src: { readonly i32: Int32Array } | null;
  readonly index: number;
  readonly name: string;
  readonly rank: number;
  private readonly spins: number;
  private readonly maxSpinsNoWait: number;
  private readonly blocking: boolean;
  /** Whether the word is in a shared buffer (else plain loads and stores do: no other thread can see it). */
  private readonly shared: boolean;

  constructor(source: LockWordSource, index: number, opts: MutexOptions = {}) {
    const i32 = source instanceof Int32Array ? source : source.i32;
    if (!Number.isInteger(index) || index < 0 || index >= i32.length) {
      throw new BadArgumentError("Mutex", `index ${index} is not an index of the ${i32.length}-word array`);
    }
    this.arr = i32;
    this.src = source instanceof Int32Array ? null : source;
    this.index = index;
    this.name = opts.name ?? "mutex";
    this.rank = opts.rank ?? 0;
    this.spins = opts.spins ?? 100;
    this.maxSpinsNoWait = opts.maxSpinsNoWait ?? 1e7;
    this.blocking = opts.blocking ?? canBlock();
    this.shared = isSharedBuffer(i32.buffer);
  }

  /** The array holding the lock word, as of now (a view source is read again each time). */
  get i32(): Int32Array {
    return this.src === null ? this.arr : this.src.i32;
  }

  /** Re-points a lock made over a bare Int32Array (backends do this after their buffer is replaced). */
  set i32(a: Int32Array) {
    this.arr = a;
  }

  /** True if the lock word is non-zero (some thread holds it). */
  isLocked(): boolean {
    return Atomics.load(this.i32, this.index) !== 0;
  }

  /** Takes the lock if it is free; never waits. */
  tryLock(): boolean {
    if (rankChecking) this.checkOrder();
    if (Atomics.compareExchange(this.i32, this.index, 0, 1) !== 0) return false;
    if (rankChecking) held.push(this);
    return true;
  }

  /** Takes the lock, waiting for it if needed. */
  lock(): void {
    if (rankChecking) this.checkOrder();
    const a = this.i32;
    const i = this.index;
    if (!this.shared) {
      // One thread: a held word means a lock taken twice, which lockSlow reports.
      const c = a[i]!;
      if (c !== 0) this.lockSlow(c);
      a[i] = 1;
      if (rankChecking) held.push(this);
      return;
    }
    const c = Atomics.compareExchange(a, i, 0, 1);
    if (c !== 0) this.lockSlow(c);
    if (rankChecking) held.push(this);
  }

  private lockSlow(c: number): void {
    const a = this.i32;
    const i = this.index;
    if (!isSharedBuffer(a.buffer)) {
      throw new LockWouldBlockError(this.name, "held, and its buffer is not shared, so no other thread can release it");
    }
    for (let s = 0; s < this.spins; s++) {
      c = Atomics.compareExchange(a, i, 0, 1);
      if (c === 0) return;
    }
    if (this.blocking) {
      if (c !== 2) c = Atomics.exchange(a, i, 2);
      while (c !== 0) {
        Atomics.wait(a, i, 2);
        c = Atomics.exchange(a, i, 2);
      }
      return;
    }
    // No sleeping here: take it as "contended" so that sleepers elsewhere still get woken.
    for (let s = 0; s < this.maxSpinsNoWait; s++) {
      if (Atomics.compareExchange(a, i, 0, 2) === 0) return;
    }
    throw new LockWouldBlockError(
      this.name,
      `still held after ${this.maxSpinsNoWait} attempts, and this thread may not Atomics.wait (browser main thread?)`,
    );
  }

  /** Releases the lock; throws Go's "unlock of unlocked lock" if it was not held. */
  unlock(): void {
    const a = this.i32;
    const i = this.index;
    if (!this.shared && !rankChecking) {
      if (a[i] === 0) throw new RuntimeThrow("unlock of unlocked lock");
      a[i] = 0;
      return;
    }
    if (rankChecking) {
      if (Atomics.load(a, i) === 0) throw new RuntimeThrow("unlock of unlocked lock");
      const k = held.lastIndexOf(this);
      if (k < 0) throw new RuntimeThrow("unlock of unlocked lock");
      held.splice(k, 1);
    }
    // Go's unlock: one exchange to 0 (an unlocked word stays 0), a wake-up if it was 2.
    const c = Atomics.exchange(a, i, 0);
    if (c === 0) throw new RuntimeThrow("unlock of unlocked lock");
    if (c !== 1) Atomics.notify(a, i, 1);
  }

  private sameWord(m: Mutex): boolean {
    return (
      m === this ||
      (m.i32.buffer === this.i32.buffer && m.i32.byteOffset + 4 * m.index === this.i32.byteOffset + 4 * this.index)
    );
  }

  private checkOrder(): void {
    for (const h of held) {
      if (this.sameWord(h)) throw new LockRankError(h.name, this.name, "lock already held by this thread");
      if (this.rank !== 0 && h.rank !== 0 && h.rank >= this.rank) {
        throw new LockRankError(
          `${h.name} (rank ${h.rank})`,
          `${this.name} (rank ${this.rank})`,
          "lock taken out of rank order",
        );
      }
    }
  }
}
