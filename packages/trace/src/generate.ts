/**
 * Seeded synthetic trace generators. Four kinds: `small-churn` (a steady set
 * of small live objects, freed and replaced at random), `mixed` (Go-shaped
 * sizes from a real Go program's heap profile, geometric lifetimes), `bulk`
 * (allocate a batch, then free all of it) and `large` (churn of objects over
 * 32 KiB). Every trace has exactly `ops` operations and ends by freeing what
 * is live (an odd `ops` leaves one object live, since allocations and frees
 * pair up); its header records every parameter, so
 * `generateTrace(traceOptionsFromHeader(t.header))` rebuilds it. The same
 * options give the same trace on every engine (see rand.ts). See the package
 * README ("Generators") and docs/design.md.
 *
 * @module
 */
import { InvalidTraceOption } from "./errors.js";
import { goSlotSizes } from "./gosizes.generated.js";
import { Geometric, TraceRand } from "./rand.js";
import { type Trace, TraceBuilder, type TraceHeader, traceFormatVersion } from "./trace.js";

/** The generator kinds. */
export const traceKinds = ["small-churn", "mixed", "bulk", "large"] as const;

/** One of {@link traceKinds}. */
export type TraceKind = (typeof traceKinds)[number];

/** Free order of a `bulk` batch. */
export type BulkOrder = "random" | "fifo" | "lifo";

/** Options of {@link generateTrace}. Parameters a kind does not use are refused. */
export interface GenerateOptions {
  /** Which generator. */
  kind: TraceKind;
  /** Exact number of operations, an integer in [0, 2^31). */
  ops: number;
  /** Seed, a safe non-negative integer. */
  seed: number;
  /** small-churn, large: live objects kept in steady state. @defaultValue 1024 (small-churn), 16 (large) */
  live?: number;
  /** small-churn, large: smallest size. @defaultValue 8 (small-churn), 32769 (large) */
  minSize?: number;
  /** All kinds: largest size. @defaultValue 256 (small-churn), 1 MiB (mixed, large), 32 KiB (bulk) */
  maxSize?: number;
  /** small-churn, mixed, large: chance that a step resizes a live object instead. @defaultValue 0 */
  reallocRate?: number;
  /** mixed: mean lifetime in allocations (geometric). @defaultValue 512 */
  meanLifetime?: number;
  /** bulk: objects per batch; 0 = one batch as large as `ops` allows. @defaultValue 0 */
  batch?: number;
  /** bulk: the order a batch is freed in. @defaultValue "random" */
  order?: BulkOrder;
}

/** A generator parameter: an option of {@link GenerateOptions} besides kind, ops and seed. */
export type GeneratorParam = Exclude<keyof GenerateOptions, "kind" | "ops" | "seed">;

/** Each kind's parameters with their defaults, in header order. */
export const generatorDefaults: {
  readonly [K in TraceKind]: Readonly<Partial<Record<GeneratorParam, number | string>>>;
} = {
  "small-churn": { live: 1024, minSize: 8, maxSize: 256, reallocRate: 0 },
  mixed: { maxSize: 1 << 20, meanLifetime: 512, reallocRate: 0 },
  bulk: { batch: 0, order: "random", maxSize: 32768 },
  large: { live: 16, minSize: 32769, maxSize: 1 << 20, reallocRate: 0 },
};

const maxOps = 2 ** 31 - 1;

/** Generates a trace. Throws {@link InvalidTraceOption} for an unknown kind or a parameter out of range. */
export function generateTrace(options: GenerateOptions): Trace {
  const kind = options.kind;
  if (!(traceKinds as readonly string[]).includes(kind)) {
    throw new InvalidTraceOption("kind", kind, `want one of ${traceKinds.join(", ")}`);
  }
  const ops = options.ops;
  if (!Number.isInteger(ops) || ops < 0 || ops > maxOps)
    throw new InvalidTraceOption("ops", ops, "want an integer in [0, 2^31)");
  const rand = new TraceRand(options.seed);
  const defaults = generatorDefaults[kind];
  const p: Record<string, number | string> = {};
  for (const key of Object.keys(options)) {
    if (key === "kind" || key === "ops" || key === "seed" || (options as never)[key] === undefined) continue;
    if (!Object.hasOwn(defaults, key))
      throw new InvalidTraceOption(key, (options as never)[key], `not a parameter of ${kind}`);
  }
  const params: Record<string, string> = { kind, ops: String(ops), seed: String(options.seed) };
  for (const [key, dflt] of Object.entries(defaults)) {
    const v = (options as unknown as Record<string, number | string | undefined>)[key] ?? dflt;
    p[key] = v;
    params[key] = String(v);
  }
  const header: TraceHeader = { version: traceFormatVersion, params };
  const b = new TraceBuilder(header, Math.max(1, ops));
  if (kind === "mixed") mixed(b, rand, ops, p);
  else if (kind === "bulk") bulk(b, rand, ops, p);
  else churn(b, rand, ops, p, kind === "large");
  return b.finish();
}

/**
 * Reads generator options back from a header written by {@link generateTrace}.
 * Throws {@link InvalidTraceOption} when the header lacks `kind`, `ops` or
 * `seed` or holds a number that does not parse.
 */
export function traceOptionsFromHeader(header: TraceHeader): GenerateOptions {
  const { kind, ops, seed, ...rest } = header.params;
  if (kind === undefined || ops === undefined || seed === undefined) {
    throw new InvalidTraceOption(
      "header",
      JSON.stringify(header.params),
      "a generated trace's header has kind, ops and seed",
    );
  }
  const out: Record<string, number | string> = { kind, ops: num("ops", ops), seed: num("seed", seed) };
  for (const [key, value] of Object.entries(rest)) out[key] = key === "order" ? value : num(key, value);
  return out as unknown as GenerateOptions;
}

function num(key: string, value: string): number {
  const v = Number(value);
  if (value.trim() === "" || !Number.isFinite(v)) throw new InvalidTraceOption(key, value, "not a number");
  return v;
}

function intParam(p: Record<string, number | string>, key: string, min: number, max: number): number {
  const v = p[key];
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new InvalidTraceOption(key, v, `want an integer in [${min}, ${max}]`);
  }
  return v;
}

function rateParam(p: Record<string, number | string>, key: string): number {
  const v = p[key];
  if (typeof v !== "number" || !(v >= 0 && v <= 1)) throw new InvalidTraceOption(key, v, "want a number in [0, 1]");
  return v;
}

/** Size draws: uniform, octave-uniform (about log-uniform) or Go's profile, as one monomorphic class. */
export class SizeDist {
  private readonly kind: 0 | 1 | 2;
  private readonly lo: number;
  private readonly hi: number;
  // For octaves: how many power-of-two octaves start at or below hi.
  private readonly octaves: number;
  // For Go's profile: cumulative counts and each row's size range (prev slot, slot].
  private readonly cum: Float64Array = new Float64Array(0);
  private readonly rowLo: Float64Array = new Float64Array(0);
  private readonly rowHi: Float64Array = new Float64Array(0);

  private constructor(kind: 0 | 1 | 2, lo: number, hi: number) {
    // Sizes are integers in [0, 2^53): anything else would draw NaN, fractions or Infinity.
    if (!(Number.isSafeInteger(lo) && lo >= 0)) throw new InvalidTraceOption("lo", lo, "want an integer in [0, 2^53)");
    if (!(Number.isSafeInteger(hi) && hi >= Math.max(lo, kind === 2 ? 1 : 0))) {
      throw new InvalidTraceOption("hi", hi, `want an integer in [${Math.max(lo, kind === 2 ? 1 : 0)}, 2^53)`);
    }
    this.kind = kind;
    this.lo = lo;
    this.hi = hi;
    let octaves = 1;
    while (octaves < 60 && Math.max(1, lo) * 2 ** octaves <= hi) octaves++;
    this.octaves = octaves;
    if (kind !== 2) return;
    const rows = goSlotSizes.filter((_row, i) => (i === 0 ? 1 : goSlotSizes[i - 1]![0] + 1) <= hi);
    this.cum = new Float64Array(rows.length);
    this.rowLo = new Float64Array(rows.length);
    this.rowHi = new Float64Array(rows.length);
    let total = 0;
    rows.forEach(([slot, count], i) => {
      total += count;
      this.cum[i] = total;
      this.rowLo[i] = i === 0 ? 1 : rows[i - 1]![0] + 1;
      this.rowHi[i] = Math.min(slot, hi);
    });
  }

  /** Uniform integers in [lo, hi] (integers, 0 ≤ lo ≤ hi < 2^53, else InvalidTraceOption). */
  static uniform(lo: number, hi: number): SizeDist {
    return new SizeDist(0, lo, hi);
  }

  /**
   * Integers in [lo, hi]: a power-of-two octave above lo picked uniformly, then
   * uniform inside it (integers, 0 ≤ lo ≤ hi < 2^53, else InvalidTraceOption).
   */
  static octaves(lo: number, hi: number): SizeDist {
    return new SizeDist(1, lo, hi);
  }

  /**
   * Go's allocation profile ({@link goSlotSizes}): a slot size drawn with its
   * measured frequency, then a size uniform in (previous slot size, slot size],
   * for slots up to `hi` (the last row is cut at `hi`; an integer in [1, 2^53),
   * else InvalidTraceOption).
   */
  static go(hi: number): SizeDist {
    return new SizeDist(2, 1, hi);
  }

  /** Draws one size. */
  draw(rand: TraceRand): number {
    if (this.kind === 0) return rand.between(this.lo, this.hi);
    if (this.kind === 1) {
      const k = rand.below(this.octaves);
      const base = Math.max(1, this.lo) * 2 ** k;
      const top = Math.min(this.hi, base * 2 - 1);
      // The first octave starts at lo itself (so lo = 0 is drawn, and [0, 0] draws 0).
      return rand.between(k === 0 ? this.lo : base, top);
    }
    const u = rand.below(this.cum[this.cum.length - 1]!);
    let a = 0;
    let b = this.cum.length - 1;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (this.cum[m]! > u) b = m;
      else a = m + 1;
    }
    return rand.between(this.rowLo[a]!, this.rowHi[a]!);
  }
}

/** Dense live set with O(1) insert, remove and uniform pick. */
class LiveSet {
  ids: Uint32Array = new Uint32Array(64);
  n = 0;
  add(id: number): void {
    if (this.n === this.ids.length) {
      const a = new Uint32Array(this.n * 2);
      a.set(this.ids);
      this.ids = a;
    }
    this.ids[this.n++] = id;
  }
  /** Removes and returns the entry at index i (the last entry takes its place). */
  take(i: number): number {
    const id = this.ids[i]!;
    this.ids[i] = this.ids[--this.n]!;
    return id;
  }
}

function finishOdd(b: TraceBuilder, ops: number, id: number, sizes: SizeDist, rand: TraceRand): void {
  if (b.length < ops) b.alloc(id, sizes.draw(rand));
}

function churn(
  b: TraceBuilder,
  rand: TraceRand,
  ops: number,
  p: Record<string, number | string>,
  large: boolean,
): void {
  const live = intParam(p, "live", 1, maxOps);
  const minSize = intParam(p, "minSize", 0, Number.MAX_SAFE_INTEGER);
  const maxSize = intParam(p, "maxSize", minSize, Number.MAX_SAFE_INTEGER);
  const reallocRate = rateParam(p, "reallocRate");
  const sizes = large ? SizeDist.octaves(minSize, maxSize) : SizeDist.uniform(minSize, maxSize);
  const set = new LiveSet();
  let next = 0;
  for (;;) {
    const remaining = ops - b.length;
    if (remaining <= set.n + 1) break;
    if (set.n < live) {
      b.alloc(next, sizes.draw(rand));
      set.add(next++);
    } else if (reallocRate > 0 && rand.float() < reallocRate) {
      b.realloc(set.ids[rand.below(set.n)]!, sizes.draw(rand));
    } else b.free(set.take(rand.below(set.n)));
  }
  while (set.n > 0 && b.length < ops) b.free(set.take(rand.below(set.n)));
  finishOdd(b, ops, next, sizes, rand);
}

/** Min-heap of live objects keyed by death time (in allocations). */
class DeathHeap {
  death: Float64Array = new Float64Array(64);
  ids: Uint32Array = new Uint32Array(64);
  n = 0;
  push(t: number, id: number): void {
    if (this.n === this.ids.length) {
      const d = new Float64Array(this.n * 2);
      d.set(this.death);
      this.death = d;
      const a = new Uint32Array(this.n * 2);
      a.set(this.ids);
      this.ids = a;
    }
    let i = this.n++;
    while (i > 0) {
      const up = (i - 1) >>> 1;
      if (this.death[up]! <= t) break;
      this.death[i] = this.death[up]!;
      this.ids[i] = this.ids[up]!;
      i = up;
    }
    this.death[i] = t;
    this.ids[i] = id;
  }
  /** Removes the earliest death and returns its id. */
  pop(): number {
    const top = this.ids[0]!;
    const n = --this.n;
    const t = this.death[n]!;
    const id = this.ids[n]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.death[c + 1]! < this.death[c]!) c++;
      if (this.death[c]! >= t) break;
      this.death[i] = this.death[c]!;
      this.ids[i] = this.ids[c]!;
      i = c;
    }
    this.death[i] = t;
    this.ids[i] = id;
    return top;
  }
}

function mixed(b: TraceBuilder, rand: TraceRand, ops: number, p: Record<string, number | string>): void {
  const maxSize = intParam(p, "maxSize", 1, Number.MAX_SAFE_INTEGER);
  const life = new Geometric(p.meanLifetime as number);
  const reallocRate = rateParam(p, "reallocRate");
  const sizes = SizeDist.go(maxSize);
  const heap = new DeathHeap();
  let clock = 0;
  for (;;) {
    const remaining = ops - b.length;
    if (heap.n > 0 && heap.death[0]! <= clock && remaining > 0) {
      b.free(heap.pop());
      continue;
    }
    if (remaining <= heap.n + 1) break;
    if (heap.n > 0 && reallocRate > 0 && rand.float() < reallocRate) {
      // Slices grow by doubling (Go's append for small slices); at the cap they shrink by half.
      const id = heap.ids[rand.below(heap.n)]!;
      const old = b.sizeOf(id);
      b.realloc(id, old >= maxSize ? Math.max(1, Math.floor(old / 2)) : Math.min(maxSize, Math.max(old + 1, old * 2)));
      continue;
    }
    b.alloc(clock, sizes.draw(rand));
    heap.push(clock + life.draw(rand), clock);
    clock++;
  }
  while (heap.n > 0 && b.length < ops) b.free(heap.pop());
  finishOdd(b, ops, clock, sizes, rand);
}

function bulk(b: TraceBuilder, rand: TraceRand, ops: number, p: Record<string, number | string>): void {
  const batch = intParam(p, "batch", 0, maxOps);
  const maxSize = intParam(p, "maxSize", 1, Number.MAX_SAFE_INTEGER);
  const order = p.order;
  if (order !== "random" && order !== "fifo" && order !== "lifo") {
    throw new InvalidTraceOption("order", order, "want random, fifo or lifo");
  }
  const sizes = SizeDist.go(maxSize);
  const set = new LiveSet();
  let next = 0;
  while (ops - b.length >= 2) {
    const half = Math.floor((ops - b.length) / 2);
    const k = batch === 0 ? half : Math.min(batch, half);
    const first = next;
    for (let i = 0; i < k; i++) {
      b.alloc(next, sizes.draw(rand));
      set.add(next++);
    }
    if (order === "fifo") for (let id = first; id < next; id++) b.free(id);
    else if (order === "lifo") for (let id = next - 1; id >= first; id--) b.free(id);
    else while (set.n > 0) b.free(set.take(rand.below(set.n)));
    set.n = 0;
  }
  finishOdd(b, ops, next, sizes, rand);
}
