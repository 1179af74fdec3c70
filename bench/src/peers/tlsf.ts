/**
 * AssemblyScript's TLSF allocator, compiled from bench/assembly/tlsf.ts into
 * dist/tlsf.wasm at build time and called from JavaScript once per operation
 * (a JS→wasm call each, as a JS program using an AS heap would). Every round
 * gets a fresh instance of the compiled module, so memory starts at the
 * module's initial size. Backing bytes: the linear memory's byteLength, i.e.
 * everything the instance holds (TLSF's control block, block headers, free
 * blocks, static data); wasm memory never shrinks.
 * See bench/README.md.
 */
import { readFileSync } from "node:fs";
import type { AllocatorEntry, BenchAllocator } from "../registry.js";

interface TlsfExports {
  alloc(size: number): number;
  free(ptr: number): void;
  realloc(ptr: number, size: number): number;
  memory: WebAssembly.Memory;
}

let compiled: WebAssembly.Module | undefined;

function module(): WebAssembly.Module {
  if (compiled === undefined) {
    const url = new URL("../tlsf.wasm", import.meta.url);
    let bytes: ArrayBuffer;
    try {
      const b = readFileSync(url);
      bytes = b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
    } catch (err) {
      throw new Error(`${url.pathname} is missing: run \`pnpm --filter @gomalloc/bench build\` (${String(err)})`);
    }
    compiled = new WebAssembly.Module(bytes);
  }
  return compiled;
}

class TlsfAllocator implements BenchAllocator {
  private readonly ex: TlsfExports;
  readonly bytes = (ptr: number, size: number): Uint8Array => new Uint8Array(this.ex.memory.buffer, ptr, size);

  constructor(ex: TlsfExports) {
    this.ex = ex;
  }

  // Wasm returns usize as a signed i32; >>> 0 reads it as the u32 address it is (wasm32 addresses < 2^32).
  // TLSF traps (abort/unreachable) when memory cannot grow: that is its out-of-memory, reported as 0.
  malloc(size: number): number {
    try {
      return this.ex.alloc(size) >>> 0;
    } catch {
      return 0;
    }
  }

  free(ptr: number): void {
    this.ex.free(ptr);
  }

  realloc(ptr: number, size: number): number {
    try {
      return this.ex.realloc(ptr, size) >>> 0;
    } catch {
      return 0;
    }
  }

  backingBytes(): number {
    return this.ex.memory.buffer.byteLength;
  }
}

/** AssemblyScript 0.28.20's TLSF (`--runtime minimal -O3 --noAssert`), called per operation from JS. */
export const tlsf: AllocatorEntry = {
  name: "as-tlsf",
  backing:
    "WebAssembly.Memory buffer.byteLength: the instance's whole linear memory (grows in 64 KiB pages, never shrinks)",
  create() {
    const instance = new WebAssembly.Instance(module(), {
      env: {
        abort(): never {
          throw new Error("AssemblyScript abort");
        },
      },
    });
    return new TlsfAllocator(instance.exports as unknown as TlsfExports);
  },
};
