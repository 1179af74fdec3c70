/**
 * @packageDocumentation
 * Go's size-class generator (mksizeclasses), tables, lookups and emitters.
 */
export const packageName = "@gomalloc/sizeclass";
