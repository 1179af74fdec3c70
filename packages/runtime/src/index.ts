/**
 * @packageDocumentation
 * Go's malloc/free over managed memory: mcache per P, tiny/small/large paths.
 */
export const packageName = "@gomalloc/runtime";
