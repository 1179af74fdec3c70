/**
 * MemView: typed-array windows over a contiguous range of managed memory.
 *
 * Every layer above os-mem keeps its state in managed memory and reaches it
 * through a MemView (design decision 1). A view covers addresses
 * `[base, base + byteLength)`; the byte at address `a` is `u8[a - base]`, the
 * aligned u32 at `a` is `u32[(a - base) >>> 2]`. Addresses are plain numbers
 * (up to 2^48 on simulated 64-bit profiles), so only the small difference
 * `a - base` is ever used with a bitwise operator.
 *
 * A backend owns its views: when its buffer is replaced (a non-shared
 * WebAssembly.Memory detaches its old buffer on `grow`) it rebinds every view
 * it handed out, in place. Callers therefore read `view.u32` again after any
 * call that may grow memory instead of keeping the array in a local across it.
 * The flat backends make fixed-length arrays even over a growable
 * SharedArrayBuffer or a resizable ArrayBuffer (length-tracking ones are read
 * through the buffer's length on every access) and rebind them when they see
 * the buffer grown, in every worker.
 *
 * See docs/design.md, "Managed memory".
 */

import { BadArgumentError } from "./errors.js";

/** True when `buffer` is a SharedArrayBuffer (Atomics must be used for shared words). */
export function isSharedBuffer(buffer: ArrayBufferLike): buffer is SharedArrayBuffer {
  return typeof SharedArrayBuffer !== "undefined" && buffer instanceof SharedArrayBuffer;
}

/** True when `buffer` can change length (growable SharedArrayBuffer or resizable ArrayBuffer). */
export function isGrowableBuffer(buffer: ArrayBufferLike): boolean {
  if (isSharedBuffer(buffer)) return buffer.growable;
  return (buffer as ArrayBuffer).resizable === true;
}

/** Typed-array windows over `[base, base + byteLength)` of managed memory. */
export class MemView {
  /** Address of `u8[0]`. */
  base: number;
  /** The buffer the arrays view. */
  buffer: ArrayBufferLike;
  /** True when the buffer is shared between threads: shared words must use Atomics. */
  shared: boolean;
  u8: Uint8Array;
  u16: Uint16Array;
  u32: Uint32Array;
  i32: Int32Array;
  f64: Float64Array;
  dv: DataView;

  /**
   * @param buffer - backing buffer.
   * @param base - the address of byte `byteOffset` of `buffer`. Must be 8-byte aligned.
   * @param byteOffset - where the view starts in `buffer`. Must be 8-byte aligned.
   * @param byteLength - length in bytes (a multiple of 8); omitted = to the end of the
   *   buffer, length-tracking when the buffer can grow.
   */
  constructor(buffer: ArrayBufferLike, base: number, byteOffset = 0, byteLength?: number) {
    this.base = base;
    // Assigned by rebind; initialised here so the object shape is fixed up front.
    this.buffer = buffer;
    this.shared = false;
    this.u8 = EMPTY_U8;
    this.u16 = EMPTY_U16;
    this.u32 = EMPTY_U32;
    this.i32 = EMPTY_I32;
    this.f64 = EMPTY_F64;
    this.dv = EMPTY_DV;
    this.rebind(buffer, byteOffset, byteLength);
  }

  /** Length of the window in bytes, as of now (length-tracking views follow growth). */
  get byteLength(): number {
    return this.u8.length;
  }

  /** One past the last address covered, as of now. */
  get end(): number {
    return this.base + this.u8.length;
  }

  /** True when `[addr, addr + n)` lies inside the window as of now. */
  covers(addr: number, n: number): boolean {
    return addr >= this.base && n >= 0 && addr + n <= this.base + this.u8.length;
  }

  /** The u32 at `addr` (4-byte aligned, inside the view). */
  getU32(addr: number): number {
    return this.u32[(addr - this.base) >>> 2]!;
  }

  /** Stores `value` as the u32 at `addr` (4-byte aligned, inside the view). */
  setU32(addr: number, value: number): void {
    this.u32[(addr - this.base) >>> 2] = value;
  }

  /** The f64 at `addr` (8-byte aligned, inside the view); also how addresses are stored in records. */
  getF64(addr: number): number {
    return this.f64[(addr - this.base) >>> 3]!;
  }

  /** Stores `value` as the f64 at `addr` (8-byte aligned, inside the view). */
  setF64(addr: number, value: number): void {
    this.f64[(addr - this.base) >>> 3] = value;
  }

  /**
   * Points the arrays at `buffer` (the same addresses, a new buffer object).
   * Backends call this when the old buffer was detached or replaced by a longer one.
   */
  rebind(buffer: ArrayBufferLike, byteOffset = 0, byteLength?: number): void {
    const base = this.base;
    if (!(Number.isSafeInteger(base) && base >= 0 && base % 8 === 0)) {
      throw new BadArgumentError("MemView", `base ${base} is not a multiple of 8 in [0, 2^53)`);
    }
    if (!(Number.isSafeInteger(byteOffset) && byteOffset >= 0 && byteOffset % 8 === 0)) {
      throw new BadArgumentError("MemView", `byteOffset ${byteOffset} is not a multiple of 8 ≥ 0`);
    }
    if (byteLength !== undefined && !(Number.isSafeInteger(byteLength) && byteLength >= 0 && byteLength % 8 === 0)) {
      throw new BadArgumentError("MemView", `byteLength ${byteLength} is not a multiple of 8 ≥ 0`);
    }
    if (byteOffset + (byteLength ?? 0) > buffer.byteLength) {
      throw new BadArgumentError(
        "MemView",
        `[${byteOffset}, ${byteOffset + (byteLength ?? 0)}) is outside the ${buffer.byteLength}-byte buffer`,
      );
    }
    this.buffer = buffer;
    this.shared = isSharedBuffer(buffer);
    if (byteLength === undefined) {
      this.u8 = new Uint8Array(buffer, byteOffset);
      this.u16 = new Uint16Array(buffer, byteOffset);
      this.u32 = new Uint32Array(buffer, byteOffset);
      this.i32 = new Int32Array(buffer, byteOffset);
      this.f64 = new Float64Array(buffer, byteOffset);
      this.dv = new DataView(buffer, byteOffset);
    } else {
      this.u8 = new Uint8Array(buffer, byteOffset, byteLength);
      this.u16 = new Uint16Array(buffer, byteOffset, byteLength >>> 1);
      this.u32 = new Uint32Array(buffer, byteOffset, byteLength >>> 2);
      this.i32 = new Int32Array(buffer, byteOffset, byteLength >>> 2);
      this.f64 = new Float64Array(buffer, byteOffset, byteLength >>> 3);
      this.dv = new DataView(buffer, byteOffset, byteLength);
    }
  }
}

const EMPTY = new ArrayBuffer(0);
const EMPTY_U8 = new Uint8Array(EMPTY);
const EMPTY_U16 = new Uint16Array(EMPTY);
const EMPTY_U32 = new Uint32Array(EMPTY);
const EMPTY_I32 = new Int32Array(EMPTY);
const EMPTY_F64 = new Float64Array(EMPTY);
const EMPTY_DV = new DataView(EMPTY);
