/**
 * @packageDocumentation
 * Go's mspan and span bitmaps: allocBits, allocCache, nextFreeFast, sweep.
 */
export const packageName = "@gomalloc/span";
