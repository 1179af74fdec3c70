/**
 * A work-around, installed before the page attaches to a worker's heap:
 * browsers' `TextDecoder.decode` refuses a view over a SharedArrayBuffer or a
 * resizable ArrayBuffer (Chromium: "The provided ArrayBufferView value must
 * not be shared" / "…must not be resizable"; Node accepts both), and
 * `attachHeap` decodes the heap's GOOS/GOARCH name straight from managed
 * memory (packages/runtime/src/createheap.ts). This wrapper copies such a view
 * first and leaves every other call as it was. Remove it once attachHeap
 * copies the bytes itself.
 */

let installed = false;

function needsCopy(input: unknown): input is ArrayBufferView {
  if (!ArrayBuffer.isView(input)) return false;
  const b = input.buffer;
  if (typeof SharedArrayBuffer !== "undefined" && b instanceof SharedArrayBuffer) return true;
  return (b as ArrayBuffer).resizable === true;
}

/** Makes `TextDecoder.prototype.decode` accept views over shared or resizable buffers (idempotent). */
export function installDecodeShim(): void {
  if (installed) return;
  installed = true;
  const decode = TextDecoder.prototype.decode;
  TextDecoder.prototype.decode = function (this: TextDecoder, input?: AllowSharedBufferSource, options?) {
    if (!needsCopy(input)) return decode.call(this, input, options);
    const copy = new Uint8Array(input.byteLength);
    copy.set(new Uint8Array(input.buffer, input.byteOffset, input.byteLength));
    return decode.call(this, copy, options);
  };
}
