/**
 * The ArrayBuffer backend, for users who already own their buffer: a
 * resizable ArrayBuffer (grown with `resize` as pages become Ready, up to its
 * maxByteLength) or a fixed one (every byte exists from the start, so nothing
 * can be reserved without being committed). One thread only. The header lives
 * at `base`; the caller's own data may lie below it. See docs/design.md,
 * "Managed memory".
 */
import { BadOptionError } from "./errors.js";
import { type FlatLayout, FlatSysMemory, flatLayout, readFlatLayout } from "./mem_flat.js";
import { alignUp } from "./memaccess.js";

/** Options of {@link ArrayBufferSysMemory.create}. */
export interface ArrayBufferOptions {
  /** First byte the backend manages. @defaultValue 0 */
  base?: number;
  /** Physical page size. @defaultValue 65536 */
  physPageSize?: number;
}

/** A backend over a caller's (resizable or fixed) ArrayBuffer. */
export class ArrayBufferSysMemory extends FlatSysMemory {
  readonly arrayBuffer: ArrayBuffer;

  private constructor(buffer: ArrayBuffer, layout: FlatLayout, init: boolean) {
    super(
      buffer,
      layout,
      {
        backend: "arraybuffer",
        canGrow: buffer.resizable,
        canReserveWithoutCommit: buffer.resizable,
        sharedBetweenWorkers: false,
      },
      init,
    );
    this.arrayBuffer = buffer;
  }

  /** Formats `buffer` from `base` on and returns the handle. */
  static create(buffer: ArrayBuffer, opts: ArrayBufferOptions = {}): ArrayBufferSysMemory {
    if (!buffer.resizable && buffer.byteLength % 8 !== 0) {
      throw new BadOptionError("buffer", "a fixed buffer's byteLength must be a multiple of 8");
    }
    const pps = opts.physPageSize ?? 65536;
    const limit = buffer.resizable ? buffer.maxByteLength : buffer.byteLength;
    const layout = flatLayout(opts.base ?? 0, Math.floor(limit / pps) * pps, pps);
    const need = layout.base + layout.headerBytes;
    if (buffer.byteLength < need) buffer.resize(need);
    return new ArrayBufferSysMemory(buffer, layout, true);
  }

  /** A handle on a buffer already formatted by `create` at `base` (e.g. after a structured clone). */
  static attach(buffer: ArrayBuffer, base = 0): ArrayBufferSysMemory {
    return new ArrayBufferSysMemory(buffer, readFlatLayout(buffer, base), false);
  }

  protected currentBuffer(): ArrayBufferLike {
    return this.arrayBuffer;
  }

  protected growTo(bytes: number): boolean {
    const b = this.arrayBuffer;
    if (b.byteLength >= bytes) return true;
    if (!b.resizable) return false;
    const target = Math.min(alignUp(bytes, this.physPageSize), b.maxByteLength);
    if (target < bytes) return false;
    try {
      b.resize(target);
      return true;
    } catch {
      return false;
    }
  }
}
