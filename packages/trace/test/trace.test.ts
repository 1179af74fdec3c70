import { fc, test as ptest } from "@fast-check/vitest";
import {
  checkTrace,
  InvalidTraceOp,
  InvalidTraceOption,
  InvariantViolation,
  OP_ALLOC,
  OP_FREE,
  OP_REALLOC,
  type Trace,
  TraceBuilder,
} from "@gomalloc/trace";
import { describe, expect, test } from "vitest";
import { buildTrace, plain, traceArb } from "./arb.js";

// Any op on any id, valid or not: the builder must agree with a Map oracle.
const anyOp = fc.record({
  op: fc.constantFrom("alloc", "free", "realloc"),
  id: fc.oneof(fc.integer({ min: 0, max: 12 }), fc.constantFrom(-1, 1.5, 2 ** 32, Number.NaN, (1 << 22) + 3)),
  size: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.constantFrom(-1, 0.5, 2 ** 53, Number.POSITIVE_INFINITY)),
});

describe("TraceBuilder", () => {
  ptest.prop([fc.array(anyOp, { maxLength: 120 })])(
    "accepts exactly the valid ops, refuses the rest with the right reason and no state change",
    (ops) => {
      const b = new TraceBuilder(undefined, 1);
      const state = new Map<number, "live" | "freed">();
      const sizes = new Map<number, number>();
      for (const { op, id, size } of ops) {
        const before = plain(b.finish());
        const badId = !Number.isInteger(id) || id < 0 || id >= 2 ** 32;
        const badSize = op !== "free" && (!Number.isSafeInteger(size) || size < 0);
        const st = state.get(id);
        let want: string | undefined;
        if (badId) want = "bad-id";
        else if (badSize) want = "bad-size";
        else if (op === "alloc") want = st === "live" ? "duplicate-live-id" : undefined;
        else want = st === undefined ? "unknown-id" : st === "freed" ? "already-freed" : undefined;
        const run = () => (op === "alloc" ? b.alloc(id, size) : op === "free" ? b.free(id) : b.realloc(id, size));
        if (want === undefined) {
          run();
          state.set(id, op === "free" ? "freed" : "live");
          if (op !== "free") sizes.set(id, size);
          expect(b.isLive(id)).toBe(op !== "free");
          if (op !== "free") expect(b.sizeOf(id)).toBe(size);
        } else {
          let err: unknown;
          try {
            run();
          } catch (e) {
            err = e;
          }
          expect(err).toBeInstanceOf(InvalidTraceOp);
          expect((err as InvalidTraceOp).reason).toBe(want);
          expect((err as InvalidTraceOp).opIndex).toBe(before.length);
          expect(plain(b.finish())).toEqual(before);
        }
        checkTrace(b.finish());
      }
      const live = [...state.values()].filter((s) => s === "live").length;
      expect(b.slots).toBeGreaterThanOrEqual(live);
    },
  );

  test("reuses freed slots last-in first-out and records the freed size on free ops", () => {
    const b = new TraceBuilder();
    b.alloc(10, 8);
    b.alloc(11, 16);
    b.realloc(10, 24);
    b.free(10);
    b.alloc(12, 32);
    b.free(11);
    b.free(12);
    b.alloc(10, 1);
    const t = b.finish();
    expect([...t.op]).toEqual([OP_ALLOC, OP_ALLOC, OP_REALLOC, OP_FREE, OP_ALLOC, OP_FREE, OP_FREE, OP_ALLOC]);
    expect([...t.slot]).toEqual([0, 1, 0, 0, 0, 1, 0, 0]);
    expect([...t.size]).toEqual([8, 16, 24, 24, 32, 16, 32, 1]);
    expect(t.slots).toBe(2);
    expect(b.length).toBe(8);
    checkTrace(t);
  });

  test("finish copies: the builder goes on without changing a finished trace", () => {
    const b = new TraceBuilder(undefined, 1);
    b.alloc(0, 5);
    const t1 = b.finish();
    b.free(0);
    expect(t1.length).toBe(1);
    expect(b.finish().length).toBe(2);
  });

  test("ids at both ends of [0, 2^32) and sizes up to 2^53 - 1", () => {
    const b = new TraceBuilder();
    b.alloc(0, 0);
    b.alloc(0xffffffff, Number.MAX_SAFE_INTEGER);
    b.free(0xffffffff);
    expect(() => b.free(0xffffffff)).toThrow(InvalidTraceOp);
    expect(() => b.free(0xfffffffe)).toThrow(/never allocated/);
    checkTrace(b.finish());
  });

  test("a bad capacity is refused", () => {
    for (const c of [0, -1, 1.5, Number.NaN]) expect(() => new TraceBuilder(undefined, c)).toThrow(InvalidTraceOption);
  });
});

describe("checkTrace", () => {
  const base = buildTrace([
    { kind: "alloc", pick: 0, size: 8, fresh: true, bigId: 1 },
    { kind: "alloc", pick: 0, size: 16, fresh: true, bigId: 2 },
    { kind: "realloc", pick: 0, size: 9, fresh: true, bigId: 0 },
    { kind: "free", pick: 1, size: 0, fresh: true, bigId: 0 },
    { kind: "free", pick: 0, size: 0, fresh: true, bigId: 0 },
  ]);
  const mutate = (f: (t: { -readonly [K in keyof Trace]: Trace[K] }) => void): Trace => {
    const t = { ...base, op: base.op.slice(), id: base.id.slice(), slot: base.slot.slice(), size: base.size.slice() };
    f(t);
    return t;
  };
  const expectViolation = (t: Trace, id: string) => {
    let err: unknown;
    try {
      checkTrace(t);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvariantViolation);
    expect((err as InvariantViolation).id).toBe(id);
  };

  test("a valid trace passes", () => checkTrace(base));

  type Mutable = { -readonly [K in keyof Trace]: Trace[K] };
  const broken: [string, string, (t: Mutable) => void][] = [
    ["T1", "array length", (t) => (t.length = 4)],
    ["T1", "op code", (t) => (t.op[0] = 7)],
    ["T2", "alloc of a live id", (t) => (t.id[1] = t.id[0]!)],
    ["T2", "free of a dead id", (t) => (t.op[0] = OP_FREE)],
    ["T3", "slot out of range", (t) => (t.slot[0] = 5)],
    ["T3", "slot shared by two live objects", (t) => (t.slot[1] = t.slot[0]!)],
    ["T3", "object moved to another slot", (t) => (t.slot[2] = 1 - t.slot[2]!)],
    ["T4", "negative size", (t) => (t.size[0] = -1)],
    ["T4", "free size differs from the object's", (t) => (t.size[4] = 8)],
    ["T5", "slots is not the peak live count", (t) => (t.slots = 3)],
  ];
  for (const [id, what, f] of broken) test(`${id}: ${what}`, () => expectViolation(mutate(f), id));

  ptest.prop([traceArb()])("every built trace passes", (t) => checkTrace(t));
});
