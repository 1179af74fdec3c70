/**
 * The parts of os-mem's MemView the span layer reads: typed arrays over
 * `[base, base + byteLength)` of managed memory, with `shared` set when the
 * buffer is a SharedArrayBuffer (shared words then use Atomics). os-mem's
 * MemView class satisfies it. See docs/design.md, "Managed memory".
 */
export interface MemView {
  base: number;
  shared: boolean;
  u8: Uint8Array;
  u32: Uint32Array;
  i32: Int32Array;
  f64: Float64Array;
}
