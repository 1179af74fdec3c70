/**
 * runtime/mbitmap.go's heap-bitmap constants, which differ entirely between
 * the two versions. Go 1.19 keeps 2 bits per heap word (pointer and scan) in
 * nibble pairs, four words per bitmap byte; Go 1.26 keeps 1 pointer bit per
 * word in uintptr-sized words (`ptrBits` bits each), with malloc headers for
 * larger objects (see malloc.ts and sizeclasses.ts). See docs/design.md,
 * "Layers".
 */
import type { FormulaEnv } from "./env.js";

/** Go 1.19's 2-bit heap bitmap layout. */
export function mbitmap119() {
  const bitPointer = 1 << 0;
  const bitScan = 1 << 4;
  const heapBitsShift = 1;
  const wordsPerBitmapByte = 8 / 2;
  const bitScanAll =
    bitScan | (bitScan << heapBitsShift) | (bitScan << (2 * heapBitsShift)) | (bitScan << (3 * heapBitsShift));
  const bitPointerAll =
    bitPointer |
    (bitPointer << heapBitsShift) |
    (bitPointer << (2 * heapBitsShift)) |
    (bitPointer << (3 * heapBitsShift));
  return { bitPointer, bitScan, heapBitsShift, wordsPerBitmapByte, bitScanAll, bitPointerAll };
}

/** Go 1.26's 1-bit heap bitmap word size. */
export function mbitmap126(env: FormulaEnv) {
  return { ptrBits: 8 * env.g.PtrSize };
}
