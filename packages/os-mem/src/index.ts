/**
 * @packageDocumentation
 * Go's OS memory state machine (None/Reserved/Prepared/Ready) with simulated, WebAssembly.Memory, SharedArrayBuffer and ArrayBuffer backends.
 */
export const packageName = "@gomalloc/os-mem";
