/**
 * Memory access on a heap handle: whole-buffer typed arrays on the flat
 * backends (ArrayBuffer, SharedArrayBuffer, WebAssembly.Memory) and checked
 * `view`/`read`/`write`/`fill` on every backend, the simulated one included.
 * `Heap` extends this class; see README.md, "API" (`view`, `read`, `write`, `fill`).
 */
import { type MemView, PageState, type SysMemory } from "@gomalloc/os-mem";
import { MemoryAccessError } from "./errors.js";

/** The memory-access half of a {@link Heap} handle (use the Heap, not this class). */
export class HeapMemory {
  /** The backend. */
  readonly sys: SysMemory;
  private f32cache: Float32Array = new Float32Array(0);

  /** @internal */
  constructor(sys: SysMemory) {
    this.sys = sys;
  }

  private flat(what: string): MemView {
    if (this.sys.caps.backend === "simulated") {
      throw new MemoryAccessError(0, 0, `${what} needs a flat backend; use view(), read() or write()`);
    }
    // Another worker (or handle) may have grown the memory: the whole-buffer arrays then follow it.
    this.sys.syncView();
    return this.sys.viewOf(0);
  }

  /**
   * The whole buffer as bytes (flat backends; address = index). Re-read after anything that may grow
   * memory, here or in another worker: each read covers the buffer as it is then.
   */
  get u8(): Uint8Array {
    return this.flat("u8").u8;
  }
  /** The whole buffer as u16 (flat backends; index = address / 2). */
  get u16(): Uint16Array {
    return this.flat("u16").u16;
  }
  /** The whole buffer as u32 (flat backends; index = address / 4). */
  get u32(): Uint32Array {
    return this.flat("u32").u32;
  }
  /** The whole buffer as i32 (flat backends; index = address / 4). */
  get i32(): Int32Array {
    return this.flat("i32").i32;
  }
  /** The whole buffer as f32 (flat backends; index = address / 4). */
  get f32(): Float32Array {
    const v = this.flat("f32");
    const c = this.f32cache;
    if (c.buffer !== v.buffer || c.length !== v.u8.length >>> 2)
      this.f32cache = new Float32Array(v.buffer, 0, v.u8.length >>> 2);
    return this.f32cache;
  }
  /** The whole buffer as f64 (flat backends; index = address / 8). */
  get f64(): Float64Array {
    return this.flat("f64").f64;
  }
  /** A DataView over the whole buffer (flat backends; offset = address). */
  get dv(): DataView {
    return this.flat("dv").dv;
  }

  /**
   * A Uint8Array over `[p, p+len)` on any backend. The range must be Ready
   * memory under one view (on the simulated backend an object may straddle
   * two arena reservations: use read/write then). Throws MemoryAccessError.
   */
  view(p: number, len: number): Uint8Array {
    if (!Number.isSafeInteger(p) || !Number.isSafeInteger(len) || p <= 0 || len < 0) {
      throw new MemoryAccessError(p, len, "not an address and a length");
    }
    let v: MemView;
    try {
      v = this.sys.viewOf(p);
    } catch {
      throw new MemoryAccessError(p, len, "not managed memory");
    }
    if (!v.covers(p, len)) throw new MemoryAccessError(p, len, "the range crosses a view (use read/write)");
    const pps = this.sys.physPageSize;
    for (let a = p - (p % pps); a < p + Math.max(len, 1); a += pps) {
      if (this.sys.pageState(a) !== PageState.Ready)
        throw new MemoryAccessError(p, len, "the range holds memory that is not Ready");
    }
    return v.u8.subarray(p - v.base, p - v.base + len);
  }

  /** Copies `dst.length` bytes at p into dst (checked: faults on memory that is not Ready, any backend). */
  read(p: number, dst: Uint8Array): void {
    this.sys.readBytes(p, dst);
  }

  /** Copies src to p (checked, any backend). */
  write(p: number, src: Uint8Array): void {
    this.sys.writeBytes(p, src);
  }

  /** Sets `n` bytes at p to `value` (checked, any backend). */
  fill(p: number, n: number, value: number): void {
    this.sys.fill(p, n, value);
  }
}
