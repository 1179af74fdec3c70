/**
 * The SharedArrayBuffer backend: a growable SharedArrayBuffer whose header
 * holds the page-state table, the accounting, the root slots and the lock, so
 * that every worker calling `SabSysMemory.attach(sab)` sees one truth and
 * transitions under one Atomics-based lock. Views over it are fixed-length
 * (V8 reads length-tracking ones through a getter on every access) and are
 * rebound when this handle sees the buffer longer than its view, so growth
 * made by any worker is seen by all. The js/wasm
 * shape: 64 KiB physical pages by default. See docs/design.md, "Managed memory".
 */
import { BadOptionError } from "./errors.js";
import { type FlatLayout, FlatSysMemory, flatLayout, readFlatLayout } from "./mem_flat.js";
import { alignUp } from "./memaccess.js";

/** Options of {@link SabSysMemory.create}. */
export interface SabOptions {
  /** An existing growable (or fixed) SharedArrayBuffer to format; omitted = a new one is made. */
  buffer?: SharedArrayBuffer;
  /** maxByteLength of the new buffer (required when `buffer` is omitted). */
  maxByteLength?: number;
  /** Physical page size. @defaultValue 65536 */
  physPageSize?: number;
}

/** A backend over a growable SharedArrayBuffer, shareable between workers. */
export class SabSysMemory extends FlatSysMemory {
  /** The buffer: post it to a worker and call `SabSysMemory.attach` there. */
  readonly sab: SharedArrayBuffer;

  private constructor(sab: SharedArrayBuffer, layout: FlatLayout, init: boolean) {
    super(
      sab,
      layout,
      { backend: "sab", canGrow: sab.growable, canReserveWithoutCommit: sab.growable, sharedBetweenWorkers: true },
      init,
    );
    this.sab = sab;
  }

  /** Formats a SharedArrayBuffer (a new one, or `opts.buffer`) and returns its first handle. */
  static create(opts: SabOptions): SabSysMemory {
    const pps = opts.physPageSize ?? 65536;
    let sab = opts.buffer;
    if (sab === undefined) {
      const max = opts.maxByteLength;
      if (max === undefined || !Number.isSafeInteger(max) || max <= 0) {
        throw new BadOptionError("maxByteLength", `${max} is not a positive safe integer`);
      }
      const layout = flatLayout(0, Math.floor(max / pps) * pps, pps);
      try {
        sab = new SharedArrayBuffer(layout.headerBytes, { maxByteLength: max });
      } catch (e) {
        // The engine's limit on a growable SharedArrayBuffer (V8: 2^32 bytes, or less for lack of memory).
        throw new BadOptionError("maxByteLength", `${max}: the engine refused it (${(e as Error).message})`);
      }
      return new SabSysMemory(sab, layout, true);
    }
    const limit = sab.growable ? sab.maxByteLength : sab.byteLength;
    const layout = flatLayout(0, Math.floor(limit / pps) * pps, pps);
    if (sab.byteLength < layout.headerBytes) {
      if (!sab.growable) throw new BadOptionError("buffer", "too small for the header");
      sab.grow(layout.headerBytes);
    }
    if (sab.byteLength % 8 !== 0) throw new BadOptionError("buffer", "byteLength must be a multiple of 8");
    return new SabSysMemory(sab, layout, true);
  }

  /** A handle on a SharedArrayBuffer already formatted by `create` (in this or another worker). */
  static attach(sab: SharedArrayBuffer): SabSysMemory {
    return new SabSysMemory(sab, readFlatLayout(sab, 0), false);
  }

  protected currentBuffer(): ArrayBufferLike {
    return this.sab;
  }

  protected growTo(bytes: number): boolean {
    const sab = this.sab;
    if (sab.byteLength >= bytes) return true;
    if (!sab.growable) return false;
    const target = Math.min(alignUp(bytes, this.physPageSize), sab.maxByteLength);
    if (target < bytes) return false;
    try {
      sab.grow(target);
      return true;
    } catch {
      return false;
    }
  }
}
