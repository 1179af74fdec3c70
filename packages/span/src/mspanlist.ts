/**
 * Go's `mSpanList` (mheap.go): a doubly linked list of spans threaded through
 * the spans' next/prev fields, with its head — first and last span — in a
 * 16-byte record in managed memory (inside an mcentral or mheap record). Each
 * span also records which list holds it. See docs/design.md, "Managed memory".
 */

import type { MemView } from "@gomalloc/os-mem";
import { RuntimeThrow } from "@gomalloc/os-mem";
import { F_list, F_next, F_prev, type MSpanTable } from "./mspan.js";

/** Bytes of a list head: first f64, last f64. */
export const mSpanListBytes = 16;

/**
 * A handle over one list head. Invariants (checked by `checkSpanList`):
 * - L1: first = 0 ⇔ last = 0; first.prev = 0; last.next = 0.
 * - L2: for consecutive spans a, b: a.next = b ⇔ b.prev = a, and every span
 *   reached from first has list = this head's address.
 *
 * Caller must hold the lock that guards the list.
 */
export class MSpanList {
  readonly t: MSpanTable;
  /** View over the head record. */
  readonly lv: MemView;
  /** Address of the head record (what spans store in their list field). */
  readonly rec: number;

  constructor(t: MSpanTable, lv: MemView, rec: number) {
    this.t = t;
    this.lv = lv;
    this.rec = rec;
  }

  /** First span, 0 when empty. */
  get first(): number {
    return this.lv.f64[(this.rec - this.lv.base) / 8]!;
  }
  set first(s: number) {
    this.lv.f64[(this.rec - this.lv.base) / 8] = s;
  }
  /** Last span, 0 when empty. */
  get last(): number {
    return this.lv.f64[(this.rec - this.lv.base) / 8 + 1]!;
  }
  set last(s: number) {
    this.lv.f64[(this.rec - this.lv.base) / 8 + 1] = s;
  }

  /** Go's `mSpanList.init`: an empty list. */
  init(): void {
    this.first = 0;
    this.last = 0;
  }

  /** Go's `mSpanList.isEmpty`. */
  isEmpty(): boolean {
    return this.first === 0;
  }

  /** Go's `mSpanList.remove`: unlinks s, which must be in this list. */
  remove(s: number): void {
    const t = this.t;
    if (t.getF64(s, F_list) !== this.rec) throw new RuntimeThrow("mSpanList.remove");
    const next = t.getF64(s, F_next);
    const prev = t.getF64(s, F_prev);
    if (this.first === s) this.first = next;
    else t.setF64(prev, F_next, next);
    if (this.last === s) this.last = prev;
    else t.setF64(next, F_prev, prev);
    t.setF64(s, F_next, 0);
    t.setF64(s, F_prev, 0);
    t.setF64(s, F_list, 0);
  }

  /** Go's `mSpanList.insert`: links s, which must be in no list, at the front. */
  insert(s: number): void {
    const t = this.t;
    if (t.getF64(s, F_next) !== 0 || t.getF64(s, F_prev) !== 0 || t.getF64(s, F_list) !== 0) {
      throw new RuntimeThrow("mSpanList.insert");
    }
    const first = this.first;
    t.setF64(s, F_next, first);
    if (first !== 0) t.setF64(first, F_prev, s);
    else this.last = s;
    this.first = s;
    t.setF64(s, F_list, this.rec);
  }

  /** Go's `mSpanList.insertBack`: links s, which must be in no list, at the back. */
  insertBack(s: number): void {
    const t = this.t;
    if (t.getF64(s, F_next) !== 0 || t.getF64(s, F_prev) !== 0 || t.getF64(s, F_list) !== 0) {
      throw new RuntimeThrow("mSpanList.insertBack");
    }
    const last = this.last;
    t.setF64(s, F_prev, last);
    if (last !== 0) t.setF64(last, F_next, s);
    else this.first = s;
    this.last = s;
    t.setF64(s, F_list, this.rec);
  }

  /** Go's `mSpanList.takeAll`: moves every span of `other` to the front of this list. */
  takeAll(other: MSpanList): void {
    if (other.isEmpty()) return;
    const t = this.t;
    for (let s = other.first; s !== 0; s = t.getF64(s, F_next)) t.setF64(s, F_list, this.rec);
    if (this.isEmpty()) {
      this.first = other.first;
      this.last = other.last;
    } else {
      t.setF64(other.last, F_next, this.first);
      t.setF64(this.first, F_prev, other.last);
      this.first = other.first;
    }
    other.init();
  }
}
