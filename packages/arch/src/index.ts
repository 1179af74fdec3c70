/**
 * @packageDocumentation
 * Go's GOOS/GOARCH allocator constant profiles, computed with Go's formulas.
 */
export const packageName = "@gomalloc/arch";
