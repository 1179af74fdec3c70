// AssemblyScript's TLSF allocator (std/assembly/rt/tlsf.ts, selected by
// `--runtime minimal`) behind three exports the benchmark calls from
// JavaScript once per trace operation. Built by `pnpm --filter @gomalloc/bench
// build` with `asc ... --runtime minimal -O3 --noAssert` into dist/tlsf.wasm.

/** Allocates `size` bytes; TLSF aborts (a trap in JS) when memory cannot grow. */
export function alloc(size: usize): usize {
  return heap.alloc(size);
}

/** Frees a block `alloc` or `realloc` returned. */
export function free(ptr: usize): void {
  heap.free(ptr);
}

/** Resizes a block in place when TLSF can, else moves it; keeps the contents. */
export function realloc(ptr: usize, size: usize): usize {
  return heap.realloc(ptr, size);
}
