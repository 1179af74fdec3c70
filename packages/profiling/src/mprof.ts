/**
 * The heap-profile bucket table (Go's mprof.go) together with the sampling
 * entry points malloc.go calls (`profilealloc`, `nextSample`). A bucket is one
 * allocation site — a captured JavaScript stack or a caller-supplied label —
 * and one object size, as Go keys buckets by (stack, size). Each bucket holds
 * Go's `memRecord`: a published `active` record and a ring of three `future`
 * records indexed by the heap-profile cycle, so that the published in-use
 * figures are those of one consistent moment. Sampled live addresses map to
 * their bucket (Go's `setprofilebucket` special), so a free needs only the
 * address. Counters live in one Float64Array (16 words per bucket); only
 * sampled allocations reach this file. See docs/design.md and the README.
 *
 * @module
 */
import { InvalidAllocation, InvalidStackDepth, InvariantViolation, maxProfStackDepth, RuntimeThrow } from "./errors.js";
import { captureStack, type FramePredicate, isGomallocFrame, parseStack, type StackFrame } from "./jsstack.js";
import { checkMemProfileRate, defaultMemProfileRate, nextSample } from "./malloc.js";
import { type CheapRand, Wyrand } from "./rand.js";

/**
 * A caller-supplied allocation site: one name, or a list of frame names
 * innermost first (e.g. `["parseRow", "loadTable"]`). Used instead of a stack.
 */
export type AllocSite = string | readonly string[];

/** Go's `len(memRecord{}.future)`: the heap-profile cycle ring has 3 slots. */
export const memRecordFutures = 3;

/** Go's `mProfCycleWrap`: the cycle counter wraps at a multiple of 3, so `cycle % 3` stays continuous. */
export const mProfCycleWrap = memRecordFutures * (2 << 24);

/** Default number of frames recorded per sampled stack: Go 1.19's `maxStack` (Go 1.26's `profstackdepth` defaults to 128). */
export const defaultStackDepth = 32;

/** Options of a {@link HeapProfiler}. */
export interface HeapProfilerOptions {
  /** Bytes between samples on average; 0 = off, 1 = every allocation. @defaultValue 524288 (512 KiB) */
  MemProfileRate?: number;
  /** Random source of the sample distances. @defaultValue `new Wyrand()` (fixed seed: runs replay) */
  rand?: CheapRand;
  /**
   * Frames captured per sampled stack, 0..1024; 0 records no stack. The count starts just
   * below `profilealloc`, so the allocator's own frames use some of it, as runtime frames do in Go.
   * @defaultValue 32
   */
  stackDepth?: number;
  /** Which frames are the allocator's, hidden at the top of stacks in written profiles. @defaultValue {@link isGomallocFrame} */
  isLibraryFrame?: FramePredicate;
}

/**
 * One bucket of a heap profile, Go's `runtime.MemProfileRecord` with the stack
 * already turned into frames.
 */
export interface MemProfileRecord {
  /** Bytes allocated at this site (sampled allocations only, not scaled). */
  readonly AllocBytes: number;
  /** Bytes of those allocations freed. */
  readonly FreeBytes: number;
  /** Sampled allocations at this site. */
  readonly AllocObjects: number;
  /** Of those, how many were freed. */
  readonly FreeObjects: number;
  /** `AllocBytes - FreeBytes`. */
  readonly InUseBytes: number;
  /** `AllocObjects - FreeObjects`. */
  readonly InUseObjects: number;
  /** The object size this bucket counts (Go's `bucket.size`). */
  readonly size: number;
  /** Frames innermost first; for a label site, one frame per label name. */
  readonly stack: readonly StackFrame[];
  /** True when the site was a caller-supplied label, not a captured stack. */
  readonly label: boolean;
}

// Words of one memRecordCycle, and of one bucket (active + 3 futures).
const ALLOCS = 0;
const FREES = 1;
const ALLOC_BYTES = 2;
const FREE_BYTES = 3;
const CYCLE_WORDS = 4;
const BUCKET_WORDS = CYCLE_WORDS * (1 + memRecordFutures);
const ACTIVE = 0;
const future = (i: number): number => CYCLE_WORDS * (1 + i);

function checkAddr(addr: number, size: unknown): void {
  if (typeof addr !== "number" || !Number.isSafeInteger(addr) || addr <= 0) {
    throw new InvalidAllocation(addr, size, "address must be a safe integer > 0 (0 is the failure sentinel)");
  }
}

/**
 * Go's heap profiler state for one heap: `MemProfileRate`, the bucket table
 * (`buckhash`/`mbuckets` with each bucket's `memRecord`), the heap-profile
 * cycle (`mProfCycle`) and the sampled-address specials.
 *
 * A *cycle* here is the interval between two {@link HeapProfiler.publish} calls
 * (Go's mark terminations). Allocations and frees are both explicit and happen
 * in real time, so both are accounted to cycle C+2, as Go accounts explicit
 * frees; `publish()` runs Go's `mProf_NextCycle`, `mProf_Flush` and
 * `mProf_PostSweep`, after which the published profile holds exactly the events
 * before that call. Until the first publish, reading the profile folds in every
 * pending cycle (Go's behaviour when no GC has run yet).
 *
 * Invariants (checked by {@link checkHeapProfiler}):
 * - MP1: `0 <= cycle < mProfCycleWrap`, an integer.
 * - MP2: for every bucket b and each of its four records r: `r.allocs`,
 *   `r.frees` are integers ≥ 0, `r.alloc_bytes = r.allocs * b.size` and
 *   `r.free_bytes = r.frees * b.size`.
 * - MP3: for every bucket b: `Σ_{r ∈ active, future[0..2]} (r.allocs - r.frees)`
 *   = the number of live sampled addresses mapped to b.
 * - MP4: for every bucket b: `active.frees <= active.allocs`.
 * - MP5: the site-key map is a bijection between keys and bucket indexes.
 * - MP6: every live sampled address is a safe integer > 0 mapped to a bucket index < nbuckets.
 * - MP7: `MemProfileRate` is a safe integer ≥ 0 and `stackDepth` an integer in 0..1024.
 */
export class HeapProfiler {
  #rate: number;
  readonly #rand: CheapRand;
  readonly #stackDepth: number;
  /** The predicate the profile writer uses to hide allocator frames. */
  readonly isLibraryFrame: FramePredicate;

  #cycle = 0;
  #flushed = false;
  #rec = new Float64Array(BUCKET_WORDS * 16);
  #nbuckets = 0;
  readonly #size: number[] = [];
  readonly #key: string[] = [];
  readonly #raw: string[] = [];
  readonly #labels: (readonly string[] | undefined)[] = [];
  readonly #frames: (readonly StackFrame[] | undefined)[] = [];
  readonly #bucketByKey = new Map<string, number>();
  readonly #bucketOf = new Map<number, number>();

  /** Creates an empty profiler. Throws {@link InvalidMemProfileRate} or {@link InvalidStackDepth} for bad options. */
  constructor(options: HeapProfilerOptions = {}) {
    const rate = options.MemProfileRate ?? defaultMemProfileRate;
    checkMemProfileRate(rate);
    const depth = options.stackDepth ?? defaultStackDepth;
    if (!Number.isInteger(depth) || depth < 0 || depth > maxProfStackDepth) throw new InvalidStackDepth(depth);
    this.#rate = rate;
    this.#rand = options.rand ?? new Wyrand();
    this.#stackDepth = depth;
    this.isLibraryFrame = options.isLibraryFrame ?? isGomallocFrame;
  }

  /** Go's `runtime.MemProfileRate`: mean bytes between samples (0 off, 1 everything). */
  get MemProfileRate(): number {
    return this.#rate;
  }

  /**
   * Sets the rate. As in Go, an mcache notices the change on its next
   * allocation (it compares its cached rate) and calls {@link HeapProfiler.profilealloc}.
   * Throws {@link InvalidMemProfileRate}; the rate is unchanged then.
   */
  set MemProfileRate(rate: number) {
    checkMemProfileRate(rate);
    this.#rate = rate;
  }

  /** Frames captured per sampled stack. */
  get stackDepth(): number {
    return this.#stackDepth;
  }

  /** The random source the sample distances are drawn from. */
  get rand(): CheapRand {
    return this.#rand;
  }

  /** The heap-profile cycle number (Go's `mProfCycle.read()`). */
  get cycle(): number {
    return this.#cycle;
  }

  /** Number of buckets (distinct site × size pairs) seen so far. */
  get nbuckets(): number {
    return this.#nbuckets;
  }

  /** Number of sampled allocations not yet freed. */
  get nlive(): number {
    return this.#bucketOf.size;
  }

  /**
   * Go's `nextSample()`: bytes to allocate before the next sample at the
   * current rate. An mcache calls this once when it is created.
   */
  nextSample(): number {
    return nextSample(this.#rate, this.#rand);
  }

  /**
   * Go's `profilealloc`: records the allocation at `addr` of `size` bytes as a
   * sample and returns the mcache's new `nextSample`. The runtime calls it when
   * `nextSample - size < 0` or its cached rate differs from
   * {@link HeapProfiler.MemProfileRate}, then stores the result and the rate.
   * The site is `site` if given, else the caller's JavaScript stack (frames
   * below this call). Throws {@link InvalidAllocation} for a bad address or
   * size, {@link RuntimeThrow} if `addr` is already a live sample; nothing
   * changes then.
   */
  profilealloc(addr: number, size: number, site?: AllocSite): number {
    this.#mProf_Malloc(addr, size, site, HeapProfiler.prototype.profilealloc);
    return this.nextSample();
  }

  /**
   * Go's `mProf_Malloc` + `setprofilebucket`: records one sampled allocation
   * without drawing a new distance (for callers that sample by themselves).
   * Throws as {@link HeapProfiler.profilealloc} does.
   */
  mProf_Malloc(addr: number, size: number, site?: AllocSite): void {
    this.#mProf_Malloc(addr, size, site, HeapProfiler.prototype.mProf_Malloc);
  }

  #mProf_Malloc(
    addr: number,
    size: number,
    site: AllocSite | undefined,
    boundary: (...args: never[]) => unknown,
  ): void {
    checkAddr(addr, size);
    if (typeof size !== "number" || !Number.isSafeInteger(size) || size <= 0) {
      throw new InvalidAllocation(addr, size, "size must be a safe integer > 0");
    }
    if (this.#bucketOf.has(addr)) throw new RuntimeThrow("setprofilebucket: profile already set", `addr ${addr}`);
    let key: string;
    let raw: string;
    let labels: readonly string[] | undefined;
    if (site === undefined) {
      raw = this.#stackDepth === 0 ? "" : captureStack(this.#stackDepth, boundary);
      key = `s${size}:${raw}`;
    } else {
      labels = typeof site === "string" ? [site] : site;
      if (!Array.isArray(labels) || labels.some((l) => typeof l !== "string")) {
        throw new InvalidAllocation(addr, size, "a site label must be a string or an array of strings");
      }
      raw = JSON.stringify(labels);
      key = `l${size}:${raw}`;
    }
    const b = this.#stkbucket(key, size, raw, labels);
    const at = b * BUCKET_WORDS + future((this.#cycle + 2) % memRecordFutures);
    this.#rec[at + ALLOCS]! += 1;
    this.#rec[at + ALLOC_BYTES]! += size;
    this.#bucketOf.set(addr, b);
  }

  /** Go's `stkbucket(memProfile, size, stk, true)`: finds or creates the bucket for a key. */
  #stkbucket(key: string, size: number, raw: string, labels: readonly string[] | undefined): number {
    const found = this.#bucketByKey.get(key);
    if (found !== undefined) return found;
    const b = this.#nbuckets;
    if ((b + 1) * BUCKET_WORDS > this.#rec.length) {
      const grown = new Float64Array(this.#rec.length * 2);
      grown.set(this.#rec);
      this.#rec = grown;
    }
    this.#nbuckets = b + 1;
    this.#size.push(size);
    this.#key.push(key);
    this.#raw.push(raw);
    this.#labels.push(labels === undefined ? undefined : Object.freeze([...labels]));
    this.#frames.push(undefined);
    this.#bucketByKey.set(key, b);
    return b;
  }

  /**
   * Records that the object at `addr` was freed: if it was a sampled
   * allocation, its bucket counts one free of its size (Go's `mProf_Free`,
   * found through the address as Go finds the `specialprofile`), accounted to
   * cycle C+2 like an explicit free in Go. Returns whether `addr` was sampled;
   * most frees are not, and cost one Map lookup. Throws
   * {@link InvalidAllocation} for an address that cannot be one.
   */
  recordFree(addr: number): boolean {
    checkAddr(addr, undefined);
    const b = this.#bucketOf.get(addr);
    if (b === undefined) return false;
    this.#bucketOf.delete(addr);
    const at = b * BUCKET_WORDS + future((this.#cycle + 2) % memRecordFutures);
    this.#rec[at + FREES]! += 1;
    this.#rec[at + FREE_BYTES]! += this.#size[b]!;
    return true;
  }

  /**
   * Publishes the profile as of now: Go's `mProf_NextCycle`, `mProf_Flush`
   * and `mProf_PostSweep` in a row (what mark termination and the end of
   * sweeping do in Go). Call it at the points the profile should describe,
   * e.g. before writing one.
   */
  publish(): void {
    this.#mProf_NextCycle();
    this.#mProf_Flush();
    this.#mProf_PostSweep();
  }

  #mProf_NextCycle(): void {
    this.#cycle = (this.#cycle + 1) % mProfCycleWrap;
    this.#flushed = false;
  }

  #mProf_Flush(): void {
    if (this.#flushed) return;
    this.#flushed = true;
    this.#mProf_FlushLocked(this.#cycle % memRecordFutures);
  }

  #mProf_PostSweep(): void {
    this.#mProf_FlushLocked((this.#cycle + 1) % memRecordFutures);
  }

  /** Adds future[index] of every bucket into its active record and clears it. */
  #mProf_FlushLocked(index: number): void {
    const rec = this.#rec;
    for (let b = 0; b < this.#nbuckets; b++) {
      const a = b * BUCKET_WORDS;
      const f = a + future(index);
      for (let w = 0; w < CYCLE_WORDS; w++) {
        rec[a + ACTIVE + w]! += rec[f + w]!;
        rec[f + w] = 0;
      }
    }
  }

  /**
   * Go's `MemProfile(p, inuseZero)`: the published records, newest bucket
   * first. Like Go it first flushes the current cycle if a publish was cut
   * short, and if nothing at all was published yet it folds every pending
   * cycle in (so a program that never publishes still sees its samples).
   * Buckets whose bytes are all freed are included only if `inuseZero`.
   */
  memProfile(inuseZero = false): MemProfileRecord[] {
    this.#mProf_FlushLocked(this.#cycle % memRecordFutures);
    const rec = this.#rec;
    let clear = true;
    for (let b = 0; b < this.#nbuckets && clear; b++) {
      const a = b * BUCKET_WORDS + ACTIVE;
      if (rec[a + ALLOCS] !== 0 || rec[a + FREES] !== 0) clear = false;
    }
    if (clear) {
      for (let i = 0; i < memRecordFutures; i++) this.#mProf_FlushLocked(i);
    }
    const out: MemProfileRecord[] = [];
    for (let b = this.#nbuckets - 1; b >= 0; b--) {
      const a = b * BUCKET_WORDS + ACTIVE;
      const allocBytes = rec[a + ALLOC_BYTES]!;
      const freeBytes = rec[a + FREE_BYTES]!;
      if (!inuseZero && allocBytes === freeBytes) continue;
      const allocs = rec[a + ALLOCS]!;
      const frees = rec[a + FREES]!;
      out.push({
        AllocBytes: allocBytes,
        FreeBytes: freeBytes,
        AllocObjects: allocs,
        FreeObjects: frees,
        InUseBytes: allocBytes - freeBytes,
        InUseObjects: allocs - frees,
        size: this.#size[b]!,
        stack: this.#stackOf(b),
        label: this.#labels[b] !== undefined,
      });
    }
    return out;
  }

  /** Parses (once) and returns bucket b's frames. */
  #stackOf(b: number): readonly StackFrame[] {
    let frames = this.#frames[b];
    if (frames === undefined) {
      const labels = this.#labels[b];
      frames =
        labels === undefined
          ? parseStack(this.#raw[b]!)
          : labels.map((functionName) => ({ functionName, fileName: "", line: 0, column: 0 }));
      frames = Object.freeze(frames);
      this.#frames[b] = frames;
    }
    return frames;
  }

  /** Checks MP1–MP7; throws {@link InvariantViolation} naming the first one broken. */
  checkInvariants(): void {
    const fail = (id: string, msg: string): never => {
      throw new InvariantViolation(id, msg);
    };
    if (!Number.isInteger(this.#cycle) || this.#cycle < 0 || this.#cycle >= mProfCycleWrap) {
      fail("MP1", `cycle ${this.#cycle}`);
    }
    const live = new Array<number>(this.#nbuckets).fill(0);
    for (const [addr, b] of this.#bucketOf) {
      if (!Number.isSafeInteger(addr) || addr <= 0 || !Number.isInteger(b) || b < 0 || b >= this.#nbuckets) {
        fail("MP6", `address ${addr} -> bucket ${b}`);
      }
      live[b]!++;
    }
    const rec = this.#rec;
    for (let b = 0; b < this.#nbuckets; b++) {
      const size = this.#size[b]!;
      let net = 0;
      for (let r = 0; r <= memRecordFutures; r++) {
        const a = b * BUCKET_WORDS + r * CYCLE_WORDS;
        const allocs = rec[a + ALLOCS]!;
        const frees = rec[a + FREES]!;
        if (!Number.isInteger(allocs) || allocs < 0 || !Number.isInteger(frees) || frees < 0) {
          fail("MP2", `bucket ${b} record ${r}: allocs ${allocs} frees ${frees}`);
        }
        if (rec[a + ALLOC_BYTES] !== allocs * size || rec[a + FREE_BYTES] !== frees * size) {
          fail("MP2", `bucket ${b} record ${r}: bytes do not match counts × size ${size}`);
        }
        net += allocs - frees;
      }
      if (net !== live[b]) fail("MP3", `bucket ${b}: net allocations ${net}, live addresses ${live[b]}`);
      if (rec[b * BUCKET_WORDS + ACTIVE + FREES]! > rec[b * BUCKET_WORDS + ACTIVE + ALLOCS]!) {
        fail("MP4", `bucket ${b}: active frees exceed allocs`);
      }
      if (this.#bucketByKey.get(this.#key[b]!) !== b) fail("MP5", `bucket ${b} key does not map back`);
    }
    if (this.#bucketByKey.size !== this.#nbuckets)
      fail("MP5", `${this.#bucketByKey.size} keys, ${this.#nbuckets} buckets`);
    if (!Number.isSafeInteger(this.#rate) || this.#rate < 0) fail("MP7", `MemProfileRate ${this.#rate}`);
    if (!Number.isInteger(this.#stackDepth) || this.#stackDepth < 0 || this.#stackDepth > maxProfStackDepth) {
      fail("MP7", `stackDepth ${this.#stackDepth}`);
    }
  }
}

/** Checks the invariants MP1–MP7 of {@link HeapProfiler}; throws {@link InvariantViolation}. */
export function checkHeapProfiler(p: HeapProfiler): void {
  p.checkInvariants();
}
