// Shared arbitraries and oracles for the trace tests.
import { fc } from "@fast-check/vitest";
import { type Trace, TraceBuilder, type TraceHeader } from "@gomalloc/trace";

/** One step of a random op program; interpreted against the live set so it is always valid. */
export type Step = { kind: "alloc" | "free" | "realloc"; pick: number; size: number; fresh: boolean; bigId: number };

export const stepArb: fc.Arbitrary<Step> = fc.record({
  kind: fc.constantFrom("alloc" as const, "alloc" as const, "free" as const, "realloc" as const),
  pick: fc.nat(),
  size: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 70000 }), fc.constant(0)),
  fresh: fc.boolean(),
  bigId: fc.oneof(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 1 << 22, max: 0xffffffff })),
});

/** Builds a valid trace from steps: frees and reallocs pick a live id; allocs reuse a freed id or take a new one. */
export function buildTrace(steps: readonly Step[], header?: TraceHeader): Trace {
  const b = new TraceBuilder(header, 1);
  const live: number[] = [];
  const freed: number[] = [];
  const used = new Set<number>();
  for (const st of steps) {
    if (st.kind === "alloc" || live.length === 0) {
      let id = st.bigId;
      if (!st.fresh && freed.length > 0) id = freed.splice(st.pick % freed.length, 1)[0]!;
      else if (used.has(id)) continue;
      b.alloc(id, st.size);
      used.add(id);
      live.push(id);
    } else if (st.kind === "free") {
      const id = live.splice(st.pick % live.length, 1)[0]!;
      b.free(id);
      freed.push(id);
    } else b.realloc(live[st.pick % live.length]!, st.size);
  }
  return b.finish();
}

export const traceArb = (maxLength = 200): fc.Arbitrary<Trace> =>
  fc.array(stepArb, { maxLength }).map((steps) => buildTrace(steps));

export const headerArb: fc.Arbitrary<TraceHeader> = fc.record({
  version: fc.constant(1),
  params: fc.dictionary(fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.-]{0,8}$/), fc.stringMatching(/^[!-"$-~]{1,10}$/), {
    maxKeys: 5,
  }),
});

/** Plain arrays of a trace, for toEqual. */
export function plain(t: Trace) {
  return {
    header: t.header,
    length: t.length,
    op: [...t.op],
    id: [...t.id],
    slot: [...t.slot],
    size: [...t.size],
    slots: t.slots,
  };
}
