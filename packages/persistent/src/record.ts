/**
 * Records: the persistent allocators keep their state in managed memory, as a
 * few f64/u32 fields at an address, read through the MemView that covers it,
 * so that another worker attached to the same memory can use the same
 * allocator. A record carries a magic word so that attaching to an address
 * that holds none fails with a typed error. See docs/design.md, "Records".
 */
import { type MemView, PageState, type SysMemory } from "@gomalloc/os-mem";
import { BadRecordError } from "./errors.js";

/** Checks that `[rec, rec+bytes)` is 8-aligned Ready memory under one view, and returns that view. */
export function recordView(sys: SysMemory, kind: string, rec: number, bytes: number): MemView {
  if (!Number.isSafeInteger(rec) || rec <= 0 || rec % 8 !== 0) {
    throw new BadRecordError(kind, Number.isFinite(rec) ? rec : 0, "not a positive multiple of 8");
  }
  if (sys.pageState(rec) !== PageState.Ready || sys.pageState(rec + bytes - 1) !== PageState.Ready) {
    throw new BadRecordError(kind, rec, "not Ready memory");
  }
  const view = sys.viewOf(rec);
  if (!view.covers(rec, bytes)) throw new BadRecordError(kind, rec, "straddles two reservations");
  return view;
}

/** Like {@link recordView}, and also checks the magic word at `rec + magicOff`. */
export function attachView(sys: SysMemory, kind: string, rec: number, bytes: number, magicOff: number, magic: number) {
  const view = recordView(sys, kind, rec, bytes);
  if (view.getU32(rec + magicOff) !== magic) throw new BadRecordError(kind, rec, "holds no record (bad magic)");
  return view;
}
