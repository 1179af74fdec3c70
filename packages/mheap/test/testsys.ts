// A minimal SysMemory for tests until os-mem's backends are merged: either one
// flat ArrayBuffer (the js/wasm shape) or one ArrayBuffer per reservation (a
// sparse 64-bit address space). It tracks the state of every physical page
// and rejects transitions Go's mem.go forbids, so metadata mistakes show up.
import type { SysMemory, MemView as View } from "../src/sys.js";

class MemView implements View {
  base: number;
  shared = false;
  u8: Uint8Array;
  u32: Uint32Array;
  i32: Int32Array;
  f64: Float64Array;
  constructor(buf: ArrayBuffer, base: number) {
    this.base = base;
    this.u8 = new Uint8Array(buf);
    this.u32 = new Uint32Array(buf);
    this.i32 = new Int32Array(buf);
    this.f64 = new Float64Array(buf);
  }
}

const NONE = 0;
const RESERVED = 1;
const PREPARED = 2;
const READY = 3;

interface Region {
  base: number;
  size: number;
  view: MemView;
  state: Uint8Array;
}

export class TestSys implements SysMemory {
  readonly physPageSize: number;
  readonly regions: Region[] = [];
  private next: number;
  private flat: MemView | null;
  private flatLimit: number;
  /** Fail the n-th next sysAlloc/sysReserve/sysMap/sysUsed call (1 = the next one). */
  failIn = 0;
  calls = 0;

  constructor(opts: { physPageSize: number; flatBytes?: number; firstAddr?: number }) {
    this.physPageSize = opts.physPageSize;
    if (opts.flatBytes !== undefined) {
      const buf = new ArrayBuffer(opts.flatBytes);
      this.flat = new MemView(buf, 0);
      this.flatLimit = opts.flatBytes;
      this.next = opts.firstAddr ?? this.physPageSize;
      this.regions.push({
        base: 0,
        size: opts.flatBytes,
        view: this.flat,
        state: new Uint8Array(opts.flatBytes / this.physPageSize),
      });
    } else {
      this.flat = null;
      this.flatLimit = 0;
      this.next = opts.firstAddr ?? 2 ** 40;
    }
  }

  private fail(): boolean {
    this.calls++;
    if (this.failIn > 0) {
      this.failIn--;
      if (this.failIn === 0) return true;
    }
    return false;
  }

  private region(v: number): Region {
    for (const r of this.regions) if (v >= r.base && v < r.base + r.size) return r;
    throw new Error(`TestSys: address 0x${v.toString(16)} not reserved`);
  }

  private setState(v: number, n: number, from: number[], to: number): boolean {
    const r = this.region(v);
    const p = this.physPageSize;
    if (v % p !== 0 || n % p !== 0) throw new Error(`TestSys: unaligned [0x${v.toString(16)}, +${n})`);
    const a = (v - r.base) / p;
    for (let i = 0; i < n / p; i++) {
      if (!from.includes(r.state[a + i]!)) {
        throw new Error(`TestSys: page 0x${(v + i * p).toString(16)} in state ${r.state[a + i]} cannot go to ${to}`);
      }
    }
    r.state.fill(to, a, a + n / p);
    return true;
  }

  sysReserve(_v: number, n: number): number {
    if (this.fail()) return 0;
    n = Math.ceil(n / this.physPageSize) * this.physPageSize;
    if (this.flat !== null) {
      const base = this.next;
      if (base + n > this.flatLimit) return 0;
      this.next += n;
      this.setState(base, n, [NONE], RESERVED);
      return base;
    }
    const base = this.next;
    this.next += Math.ceil((n + 2 ** 20) / 2 ** 20) * 2 ** 20;
    const buf = new ArrayBuffer(n);
    this.regions.push({
      base,
      size: n,
      view: new MemView(buf, base),
      state: new Uint8Array(n / this.physPageSize).fill(RESERVED),
    });
    return base;
  }

  sysMap(v: number, n: number, _stat?: unknown): boolean {
    if (this.fail()) return false;
    this.setState(v, n, [RESERVED], PREPARED);
    const r = this.region(v);
    r.view.u8.fill(0, v - r.base, v - r.base + n);
    return true;
  }

  sysUsed(v: number, n: number): boolean {
    if (this.fail()) return false;
    return this.setState(v, n, [PREPARED, READY], READY);
  }

  sysAlloc(n: number, _stat?: unknown): number {
    n = Math.ceil(n / this.physPageSize) * this.physPageSize;
    if (this.fail()) return 0;
    const save = this.failIn;
    this.failIn = 0;
    const v = this.sysReserve(0, n);
    this.calls--;
    this.failIn = save;
    if (v === 0) return 0;
    this.setState(v, n, [RESERVED], READY);
    const r = this.region(v);
    r.view.u8.fill(0, v - r.base, v - r.base + n);
    return v;
  }

  sysFree(v: number, n: number, _stat?: unknown): void {
    n = Math.ceil(n / this.physPageSize) * this.physPageSize;
    this.setState(v, n, [RESERVED, PREPARED, READY], NONE);
  }

  sysFault(v: number, n: number): void {
    this.setState(v, n, [READY, PREPARED], RESERVED);
  }

  /** True when every page of [v, v+n) is Ready. */
  isReady(v: number, n: number): boolean {
    const r = this.region(v);
    const p = this.physPageSize;
    for (let a = Math.floor(v / p) * p; a < v + n; a += p) if (r.state[(a - r.base) / p] !== READY) return false;
    return true;
  }

  viewOf(addr: number): MemView {
    return this.region(addr).view;
  }
}
