/**
 * @packageDocumentation
 * Go's mspan and span bitmaps: allocBits, allocCache, nextFreeFast, sweep.
 */
export {
  leadingZeros32,
  leadingZeros64,
  lowMask64Hi,
  lowMask64Lo,
  mulHi32,
  onesCount32,
  onesCount64,
  shl64Hi,
  shl64Lo,
  shr64Hi,
  shr64Lo,
  trailingZeros32,
  trailingZeros64,
} from "./bits.js";
export {
  DoubleFreeError,
  ForeignPointerError,
  hex,
  InteriorPointerError,
  RuntimeThrow,
  SpanArgumentError,
} from "./errors.js";
