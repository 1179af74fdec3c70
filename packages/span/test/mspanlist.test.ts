import { fc, test } from "@fast-check/vitest";
import { RuntimeThrow } from "@gomalloc/os-mem";
import { describe, expect, it } from "vitest";
import { checkSpanList } from "../src/invariants.js";
import { MSpanList } from "../src/mspanlist.js";
import { newTable } from "./backends.js";

function setup(n: number) {
  const t = newTable();
  const heads = t.mem.allocRecord(); // any 16-byte slots in managed memory
  const a = new MSpanList(t, t.v, heads);
  const b = new MSpanList(t, t.v, heads + 16);
  a.init();
  b.init();
  const spans = Array.from({ length: n }, () => t.allocSpan());
  return { t, a, b, spans };
}

describe("mSpanList", () => {
  test.prop([
    fc.array(fc.record({ op: fc.integer({ min: 0, max: 4 }), s: fc.nat({ max: 7 }), list: fc.boolean() }), {
      maxLength: 200,
    }),
  ])("insert/insertBack/remove/takeAll against an array model", (ops) => {
    const { a, b, spans } = setup(8);
    const model = new Map<MSpanList, number[]>([
      [a, []],
      [b, []],
    ]);
    const where = (s: number) => [a, b].find((l) => model.get(l)!.includes(s));
    for (const { op, s: si, list } of ops) {
      const l = list ? a : b;
      const o = list ? b : a;
      const s = spans[si]!;
      const m = model.get(l)!;
      if (op === 0 || op === 1) {
        if (where(s) !== undefined) {
          expect(() => (op === 0 ? l.insert(s) : l.insertBack(s))).toThrow(RuntimeThrow);
        } else if (op === 0) {
          l.insert(s);
          m.unshift(s);
        } else {
          l.insertBack(s);
          m.push(s);
        }
      } else if (op === 2 || op === 3) {
        if (where(s) === l) {
          l.remove(s);
          m.splice(m.indexOf(s), 1);
        } else {
          expect(() => l.remove(s)).toThrow(RuntimeThrow);
        }
      } else {
        l.takeAll(o);
        model.set(l, [...model.get(o)!, ...m]);
        model.set(o, []);
      }
      expect(checkSpanList(a)).toEqual(model.get(a));
      expect(checkSpanList(b)).toEqual(model.get(b));
      expect(a.isEmpty()).toBe(model.get(a)!.length === 0);
    }
  });
  it("an empty list has no first or last", () => {
    const { a } = setup(0);
    expect([a.first, a.last, a.isEmpty()]).toEqual([0, 0, true]);
  });
});
