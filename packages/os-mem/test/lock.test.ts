// Mutex (Go's lock_futex.go over an Int32Array word): mutual exclusion across
// worker_threads, never hanging where it cannot sleep, and lock-rank checking.
import { Worker } from "node:worker_threads";
import {
  BadArgumentError,
  canBlock,
  LockRankError,
  LockWouldBlockError,
  lockRankChecking,
  MemView,
  Mutex,
  RuntimeThrow,
  setLockRankChecking,
} from "@gomalloc/os-mem";
import { afterEach, describe, expect, it } from "vitest";
import { osMemForWorkers, workerScript } from "./worker-build.js";

describe("Mutex", () => {
  afterEach(() => setLockRankChecking(false));

  it("locks, unlocks and tries", () => {
    const mu = new Mutex(new Int32Array(new SharedArrayBuffer(8)), 1);
    expect(mu.tryLock()).toBe(true);
    expect(mu.isLocked()).toBe(true);
    expect(mu.tryLock()).toBe(false);
    mu.unlock();
    mu.lock();
    mu.unlock();
    expect(mu.isLocked()).toBe(false);
    expect(() => mu.unlock()).toThrow(RuntimeThrow);
    expect(() => mu.unlock()).toThrow("unlock of unlocked lock");
  });

  it("may block on Node's main thread", () => {
    expect(canBlock()).toBe(true);
  });

  it("throws instead of deadlocking over a buffer no other thread can see", () => {
    const mu = new Mutex(new Int32Array(2), 0, { name: "private" });
    mu.lock();
    expect(() => mu.lock()).toThrow(LockWouldBlockError);
    mu.unlock();
  });

  it("where it may not sleep, spins a bounded number of times and then throws a clear error", () => {
    const i32 = new Int32Array(new SharedArrayBuffer(4));
    const holder = new Mutex(i32, 0);
    const mainThread = new Mutex(i32, 0, { name: "ui", blocking: false, maxSpinsNoWait: 1000 });
    holder.lock();
    expect(() => mainThread.lock()).toThrow(/may not Atomics.wait/);
    holder.unlock();
    mainThread.lock();
    mainThread.unlock();
  });

  it("checks lock ranks and recursion in debug mode", () => {
    const i32 = new Int32Array(new SharedArrayBuffer(16));
    const a = new Mutex(i32, 0, { name: "mheap", rank: 10 });
    const b = new Mutex(i32, 1, { name: "mspanSet", rank: 20 });
    setLockRankChecking(true);
    expect(lockRankChecking()).toBe(true);
    a.lock();
    b.lock();
    b.unlock();
    a.unlock();
    b.lock();
    expect(() => a.lock()).toThrow(LockRankError);
    expect(a.isLocked()).toBe(false);
    expect(() => b.lock()).toThrow("already held");
    b.unlock();
    for (const i of [4, -1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 32]) {
      expect(() => new Mutex(i32, i)).toThrow(BadArgumentError);
    }
  });

  it("excludes other worker_threads: non-atomic increments under the lock add up exactly", async () => {
    const sab = new SharedArrayBuffer(8);
    const iterations = 20_000;
    const workers = [0, 1, 2, 3].map(
      () =>
        new Promise((resolve, reject) => {
          const w = new Worker(workerScript("sab-worker.mjs"), {
            workerData: { osmem: osMemForWorkers(), task: "counter", sab, iterations },
          });
          w.once("message", resolve);
          w.once("error", reject);
        }),
    );
    await Promise.all(workers);
    expect(new Int32Array(sab)[1]).toBe(4 * iterations);
    expect(new Int32Array(sab)[0]).toBe(0);
  });
});

describe("Mutex over a MemView", () => {
  it("follows the view when its buffer is detached and the view rebound (WebAssembly.Memory grow)", () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 4 });
    const view = new MemView(memory.buffer, 0);
    const m = new Mutex(view, 10, { name: "t" });
    m.lock();
    const old = view.i32;
    memory.grow(1); // detaches the old buffer, as a grow of non-shared memory does
    expect(old.length).toBe(0);
    view.rebind(memory.buffer, 0);
    expect(m.isLocked()).toBe(true);
    m.unlock();
    expect(m.isLocked()).toBe(false);
    expect(view.i32[10]).toBe(0);
  });
});
