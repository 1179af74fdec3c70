/**
 * @packageDocumentation
 * Checks gomalloc's constants and tables against fixtures extracted from Go itself.
 */
export const packageName = "@gomalloc/conformance";
