/**
 * @packageDocumentation
 * Go's heap sampling, MemStats and pprof heap profiles.
 */
export const packageName = "@gomalloc/profiling";
