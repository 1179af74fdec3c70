// A SpanMemory for tests until persistent's fixalloc is merged: one buffer
// (ArrayBuffer or SharedArrayBuffer) with a bump pointer and a free list per
// block size, so records and bitmaps are recycled as fixalloc recycles them.
import type { MemView } from "../src/memview.js";
import { mspanBytes, type SpanMemory } from "../src/mspan.js";

export class TestView implements MemView {
  base: number;
  shared: boolean;
  u8: Uint8Array;
  u32: Uint32Array;
  i32: Int32Array;
  f64: Float64Array;
  constructor(buf: ArrayBufferLike, base: number) {
    this.base = base;
    this.shared = typeof SharedArrayBuffer !== "undefined" && buf instanceof SharedArrayBuffer;
    this.u8 = new Uint8Array(buf);
    this.u32 = new Uint32Array(buf);
    this.i32 = new Int32Array(buf);
    this.f64 = new Float64Array(buf);
  }
}

export class TestSpanMemory implements SpanMemory {
  readonly view: TestView;
  private next: number;
  private readonly end: number;
  private readonly free = new Map<number, number[]>();
  records = 0;
  blocks = 0;

  constructor(bytes = 1 << 20, shared = false, base = 0x10000) {
    const buf = shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
    this.view = new TestView(buf, base);
    this.next = base + 8;
    this.end = base + bytes;
  }

  private take(size: number): number {
    const l = this.free.get(size);
    if (l !== undefined && l.length > 0) return l.pop()!;
    if (this.next + size > this.end) return 0;
    const p = this.next;
    this.next += size;
    return p;
  }

  allocRecord(): number {
    const p = this.take(mspanBytes);
    if (p !== 0) this.records++;
    return p;
  }
  freeRecord(rec: number): void {
    this.records--;
    this.put(mspanBytes, rec);
  }
  allocBits(nbytes: number): number {
    const p = this.take(3 * nbytes);
    if (p !== 0) this.blocks++;
    return p;
  }
  freeBits(block: number, nbytes: number): void {
    this.blocks--;
    this.put(3 * nbytes, block);
  }
  private put(size: number, p: number): void {
    let l = this.free.get(size);
    if (l === undefined) {
      l = [];
      this.free.set(size, l);
    }
    // Scribble, as a recycled fixalloc block is not zeroed.
    this.view.u8.fill(0xa5, p - this.view.base, p - this.view.base + size);
    l.push(p);
  }
}
