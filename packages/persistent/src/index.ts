/**
 * @packageDocumentation
 * Go's off-heap metadata allocators: linearAlloc, persistentalloc, fixalloc.
 */
export const packageName = "@gomalloc/persistent";
