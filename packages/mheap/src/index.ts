/**
 * @packageDocumentation
 * Go's heap: arenas, page allocator, mcentral, scavenger.
 */
export const packageName = "@gomalloc/mheap";
