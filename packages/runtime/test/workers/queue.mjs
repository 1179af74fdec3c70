// A ring queue of (address, id, size) entries in its own SharedArrayBuffer,
// under an os-mem Mutex: how the stress workers hand objects to each other
// for cross-worker frees. Layout: i32 lock, i32 head, i32 count, pad; then
// 16-byte entries (f64 address, u32 id, u32 size). Not a test file.
import { Mutex } from "@gomalloc/os-mem";

export const queueHeaderBytes = 16;
export const queueEntryBytes = 16;

/** Bytes of a queue SharedArrayBuffer with room for `capacity` entries. */
export function queueBytes(capacity) {
  return queueHeaderBytes + capacity * queueEntryBytes;
}

export class RingQueue {
  constructor(sab) {
    this.i32 = new Int32Array(sab, 0, 4);
    this.f64 = new Float64Array(sab, queueHeaderBytes);
    this.u32 = new Uint32Array(sab, queueHeaderBytes);
    this.capacity = (sab.byteLength - queueHeaderBytes) / queueEntryBytes;
    this.mu = new Mutex(this.i32, 0, { name: "stress queue" });
  }

  /** Appends an entry; false when full. */
  push(addr, id, size) {
    this.mu.lock();
    try {
      const n = this.i32[2];
      if (n === this.capacity) return false;
      const k = (this.i32[1] + n) % this.capacity;
      this.f64[2 * k] = addr;
      this.u32[4 * k + 2] = id;
      this.u32[4 * k + 3] = size;
      this.i32[2] = n + 1;
      return true;
    } finally {
      this.mu.unlock();
    }
  }

  /** Removes the oldest entry into out[0..2] (address, id, size); false when empty. */
  pop(out) {
    this.mu.lock();
    try {
      const n = this.i32[2];
      if (n === 0) return false;
      const k = this.i32[1];
      out[0] = this.f64[2 * k];
      out[1] = this.u32[4 * k + 2];
      out[2] = this.u32[4 * k + 3];
      this.i32[1] = (k + 1) % this.capacity;
      this.i32[2] = n - 1;
      return true;
    } finally {
      this.mu.unlock();
    }
  }
}
