/**
 * The in-memory form of an allocation trace: one entry per operation in four
 * parallel typed arrays (`op`, `id`, `slot`, `size`), so a replay reads only
 * small numbers from typed arrays and allocates no JS objects. The
 * {@link TraceBuilder} appends operations one at a time, checks each against
 * the trace's rules (no double free, no free of an unknown id, no second alloc
 * of a live id) and gives every live object a dense slot, reusing the slots of
 * freed objects, so a replay maps ids to pointers with one Float64Array of
 * `slots` entries instead of a Map. The parser and the generators both build
 * through it. See docs/design.md and the package README ("Trace format").
 *
 * @module
 */
import { InvalidTraceOp, InvalidTraceOption, InvariantViolation } from "./errors.js";

/** Operation code of an allocation (`a id size`). */
export const OP_ALLOC = 0;
/** Operation code of a free (`f id`). */
export const OP_FREE = 1;
/** Operation code of a reallocation (`r id size`): the object keeps its id and its first min(old, new) bytes. */
export const OP_REALLOC = 2;

/** One of {@link OP_ALLOC}, {@link OP_FREE}, {@link OP_REALLOC}. */
export type TraceOp = typeof OP_ALLOC | typeof OP_FREE | typeof OP_REALLOC;

/** The trace format version this package reads and writes. */
export const traceFormatVersion = 1;

/** Largest id a trace may use: ids are integers in [0, 2^32). */
export const maxTraceId = 0xffffffff;

/** Largest size a trace may use: sizes are integers in [0, 2^53). */
export const maxTraceSize = Number.MAX_SAFE_INTEGER;

/** The header line's content: format version and the generator's parameters (`key=value`, in order). */
export interface TraceHeader {
  /** Format version, {@link traceFormatVersion}. */
  readonly version: number;
  /** Parameters as written, e.g. `{ kind: "mixed", ops: "1000", seed: "1" }`. */
  readonly params: Readonly<Record<string, string>>;
}

/**
 * An allocation trace in compact form. Entry `i` is operation `op[i]` on the
 * object with trace id `id[i]`, held in replay slot `slot[i]`.
 *
 * Invariants (checked by {@link checkTrace}):
 * - T1: `op.length = id.length = slot.length = size.length = length`, and `op[i] ∈ {OP_ALLOC, OP_FREE, OP_REALLOC}`.
 * - T2: `op[i] = OP_ALLOC` ⇒ `id[i]` is not live before `i`; `op[i] ∈ {OP_FREE, OP_REALLOC}` ⇒ `id[i]` is live before `i`.
 * - T3: `slot[i] < slots`; an object keeps one slot from its alloc to its free, and no two live objects share a slot.
 * - T4: `size[i]` is the requested size for OP_ALLOC and OP_REALLOC, and for OP_FREE the size the object had
 *   (its last alloc or realloc); every size is an integer in [0, 2^53).
 * - T5: `slots` = the largest number of objects live at once (slots are reused lowest-freed-last, a stack).
 */
export interface Trace {
  /** The header line, if the trace had one. */
  readonly header: TraceHeader | undefined;
  /** Number of operations. */
  readonly length: number;
  /** Operation codes. */
  readonly op: Uint8Array;
  /** Trace ids, integers in [0, 2^32). */
  readonly id: Uint32Array;
  /** Dense replay slots, integers in [0, slots). */
  readonly slot: Uint32Array;
  /** Sizes in bytes (see invariant T4). */
  readonly size: Float64Array;
  /** Number of slots a replay needs: the peak count of live objects. */
  readonly slots: number;
}

// Ids below this bound keep their state in a typed array; larger ids go to a Map.
const denseIdLimit = 1 << 22;

/**
 * Appends operations to a trace, enforcing the trace's rules. A refused
 * operation throws {@link InvalidTraceOp} and leaves the builder unchanged.
 */
export class TraceBuilder {
  private opA: Uint8Array;
  private idA: Uint32Array;
  private slotA: Uint32Array;
  private sizeA: Float64Array;
  private n = 0;
  // State of an id: 0 never allocated, -1 freed, k + 1 live in slot k.
  private dense: Int32Array = new Int32Array(1024);
  private sparse: Map<number, number> = new Map();
  // Per slot: the live object's size; the stack of free slots.
  private slotSize: Float64Array = new Float64Array(64);
  private freeSlots: Uint32Array = new Uint32Array(64);
  private nfree = 0;
  private nslots = 0;
  private readonly header: TraceHeader | undefined;

  /**
   * @param header - the header the finished trace carries.
   * @param capacity - initial number of operations to make room for (grows by doubling).
   */
  constructor(header?: TraceHeader, capacity = 1024) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new InvalidTraceOption("capacity", capacity, "want a positive integer");
    }
    this.header = header;
    this.opA = new Uint8Array(capacity);
    this.idA = new Uint32Array(capacity);
    this.slotA = new Uint32Array(capacity);
    this.sizeA = new Float64Array(capacity);
  }

  /** Number of operations appended so far. */
  get length(): number {
    return this.n;
  }

  /** Number of slots used so far (the peak count of live objects). */
  get slots(): number {
    return this.nslots;
  }

  /** True when the object with this id is live. */
  isLive(id: number): boolean {
    return this.state(id) > 0;
  }

  /** Appends `a id size`. Throws {@link InvalidTraceOp} (`bad-id`, `bad-size`, `duplicate-live-id`). */
  alloc(id: number, size: number): void {
    checkId(id, this.n);
    checkSize(size, this.n, id);
    const st = this.state(id);
    if (st > 0) throw new InvalidTraceOp("duplicate-live-id", this.n, id, `id ${id} is already live`);
    let s: number;
    if (this.nfree > 0) s = this.freeSlots[--this.nfree]!;
    else {
      s = this.nslots++;
      if (s >= this.slotSize.length) this.slotSize = grow(this.slotSize, s + 1);
    }
    this.slotSize[s] = size;
    this.setState(id, s + 1);
    this.push(OP_ALLOC, id, s, size);
  }

  /** Appends `f id`. Throws {@link InvalidTraceOp} (`bad-id`, `unknown-id`, `already-freed`). */
  free(id: number): void {
    const s = this.liveSlot(id);
    if (this.nfree >= this.freeSlots.length) this.freeSlots = grow(this.freeSlots, this.nfree + 1);
    this.freeSlots[this.nfree++] = s;
    this.setState(id, -1);
    this.push(OP_FREE, id, s, this.slotSize[s]!);
  }

  /** Appends `r id size`. Throws {@link InvalidTraceOp} (`bad-id`, `bad-size`, `unknown-id`, `already-freed`). */
  realloc(id: number, size: number): void {
    checkId(id, this.n);
    checkSize(size, this.n, id);
    const s = this.liveSlot(id);
    this.slotSize[s] = size;
    this.push(OP_REALLOC, id, s, size);
  }

  /** Size of the live object `id`; throws {@link InvalidTraceOp} when it is not live. */
  sizeOf(id: number): number {
    return this.slotSize[this.liveSlot(id)]!;
  }

  /** Returns the trace built so far (copies: the builder stays usable). */
  finish(): Trace {
    const n = this.n;
    return {
      header: this.header,
      length: n,
      op: this.opA.slice(0, n),
      id: this.idA.slice(0, n),
      slot: this.slotA.slice(0, n),
      size: this.sizeA.slice(0, n),
      slots: this.nslots,
    };
  }

  private liveSlot(id: number): number {
    checkId(id, this.n);
    const st = this.state(id);
    if (st === 0) throw new InvalidTraceOp("unknown-id", this.n, id, `id ${id} was never allocated`);
    if (st < 0) throw new InvalidTraceOp("already-freed", this.n, id, `id ${id} was already freed`);
    return st - 1;
  }

  private state(id: number): number {
    if (id < denseIdLimit) return id < this.dense.length ? this.dense[id]! : 0;
    return this.sparse.get(id) ?? 0;
  }

  private setState(id: number, st: number): void {
    if (id < denseIdLimit) {
      if (id >= this.dense.length) this.dense = grow(this.dense, id + 1);
      this.dense[id] = st;
    } else this.sparse.set(id, st);
  }

  private push(op: number, id: number, slot: number, size: number): void {
    const i = this.n;
    if (i >= this.opA.length) {
      this.opA = grow(this.opA, i + 1);
      this.idA = grow(this.idA, i + 1);
      this.slotA = grow(this.slotA, i + 1);
      this.sizeA = grow(this.sizeA, i + 1);
    }
    this.opA[i] = op;
    this.idA[i] = id;
    this.slotA[i] = slot;
    this.sizeA[i] = size;
    this.n = i + 1;
  }
}

function checkId(id: number, opIndex: number): void {
  if (!Number.isInteger(id) || id < 0 || id > maxTraceId) {
    throw new InvalidTraceOp("bad-id", opIndex, id, `id ${String(id)} is not an integer in [0, 2^32)`);
  }
}

function checkSize(size: number, opIndex: number, id: number): void {
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new InvalidTraceOp("bad-size", opIndex, id, `size ${String(size)} is not an integer in [0, 2^53)`);
  }
}

type Growable = Uint8Array | Uint32Array | Int32Array | Float64Array;

/** Returns a copy of `a` with room for at least `need` entries (doubling). */
function grow<T extends Growable>(a: T, need: number): T {
  let cap = a.length * 2;
  while (cap < need) cap *= 2;
  const b = new (a.constructor as new (n: number) => T)(cap);
  b.set(a as never);
  return b;
}

/**
 * Checks invariants T1–T5 of a {@link Trace} with a slow, Map-based replay of
 * its rules. Throws {@link InvariantViolation} naming the first broken one.
 */
export function checkTrace(t: Trace): void {
  const n = t.length;
  if (t.op.length !== n || t.id.length !== n || t.slot.length !== n || t.size.length !== n) {
    throw new InvariantViolation(
      "T1",
      `array lengths ${t.op.length}/${t.id.length}/${t.slot.length}/${t.size.length} ≠ ${n}`,
    );
  }
  const live = new Map<number, { slot: number; size: number }>();
  const slotOwner = new Map<number, number>();
  let peak = 0;
  for (let i = 0; i < n; i++) {
    const op = t.op[i]!;
    const id = t.id[i]!;
    const slot = t.slot[i]!;
    const size = t.size[i]!;
    if (op > OP_REALLOC) throw new InvariantViolation("T1", `op ${i} has code ${op}`);
    if (!Number.isSafeInteger(size) || size < 0) throw new InvariantViolation("T4", `op ${i} has size ${size}`);
    if (slot >= t.slots) throw new InvariantViolation("T3", `op ${i} uses slot ${slot} ≥ slots ${t.slots}`);
    const obj = live.get(id);
    if (op === OP_ALLOC) {
      if (obj) throw new InvariantViolation("T2", `op ${i} allocates live id ${id}`);
      if (slotOwner.has(slot))
        throw new InvariantViolation("T3", `op ${i} puts id ${id} in slot ${slot} of live id ${slotOwner.get(slot)}`);
      live.set(id, { slot, size });
      slotOwner.set(slot, id);
      if (live.size > peak) peak = live.size;
      continue;
    }
    if (!obj)
      throw new InvariantViolation("T2", `op ${i} ${op === OP_FREE ? "frees" : "reallocates"} id ${id}, not live`);
    if (obj.slot !== slot)
      throw new InvariantViolation("T3", `op ${i}: id ${id} moved from slot ${obj.slot} to ${slot}`);
    if (op === OP_FREE) {
      if (size !== obj.size)
        throw new InvariantViolation("T4", `op ${i} frees id ${id} with size ${size}, object has ${obj.size}`);
      live.delete(id);
      slotOwner.delete(slot);
    } else obj.size = size;
  }
  if (peak !== t.slots) throw new InvariantViolation("T5", `slots ${t.slots} ≠ peak live objects ${peak}`);
}
