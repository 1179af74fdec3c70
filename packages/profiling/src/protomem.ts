/**
 * Heap profiles in pprof's format, as runtime/pprof's protomem.go and proto.go
 * write them: period type `space/bytes` with the sampling rate as period,
 * sample types `alloc_objects/count`, `alloc_space/bytes`, `inuse_objects/count`,
 * `inuse_space/bytes`, each sample unsampled with `scaleHeapSample` and labelled
 * `bytes` = object size, allocator frames hidden at the top of each stack, and
 * one fake mapping (Go's fallback when it cannot read /proc/self/maps) since
 * JavaScript frames have no addresses. Encoding is pprof-format's; gzip is the
 * platform's `CompressionStream`. `go tool pprof` reads the result. See
 * docs/design.md and the package README.
 *
 * @module
 */
import { Profile, StringTable } from "pprof-format";
import { InvalidMemProfileRate, InvalidProfileOption } from "./errors.js";
import { type FramePredicate, hideLibraryFrames, isGomallocFrame, type StackFrame } from "./jsstack.js";
import type { HeapProfiler, MemProfileRecord } from "./mprof.js";

/** The four sample types of a Go heap profile, in Go's order. */
export const heapSampleTypes = ["alloc_objects", "alloc_space", "inuse_objects", "inuse_space"] as const;

/** One of {@link heapSampleTypes}. */
export type HeapSampleType = (typeof heapSampleTypes)[number];

/** Options for writing a heap profile. */
export interface HeapProfileOptions {
  /**
   * The sample type pprof shows by default. Go's heap profile leaves it unset
   * (pprof then picks the last, `inuse_space`); Go's allocs profile sets `alloc_space`.
   */
  defaultSampleType?: HeapSampleType;
  /** Profile time in Unix nanoseconds. @defaultValue now */
  timeNanos?: bigint;
  /** Frames hidden at the top of each stack. @defaultValue the profiler's `isLibraryFrame`, else {@link isGomallocFrame} */
  isLibraryFrame?: FramePredicate;
}

/**
 * runtime/pprof's `scaleHeapSample`: estimates the unsampled count and bytes
 * behind sampled ones. An object of average size S is sampled with probability
 * `1 - exp(-S/rate)`, so both figures are divided by it and truncated to
 * integers. A rate ≤ 1 means everything was recorded (or the rate is unknown)
 * and leaves them as they are; a zero count or size gives zeros. Go's
 * arguments are int64s: count and size must be safe integers ≥ 0
 * (InvalidProfileOption) and rate a safe integer (InvalidMemProfileRate).
 */
export function scaleHeapSample(count: number, size: number, rate: number): [objects: number, bytes: number] {
  if (!(Number.isSafeInteger(count) && count >= 0))
    throw new InvalidProfileOption("count", `${count}: want a safe integer >= 0`);
  if (!(Number.isSafeInteger(size) && size >= 0))
    throw new InvalidProfileOption("size", `${size}: want a safe integer >= 0`);
  if (!Number.isSafeInteger(rate)) throw new InvalidMemProfileRate(rate, "want a safe integer");
  if (count === 0 || size === 0) return [0, 0];
  if (rate <= 1) return [count, size];
  const avgSize = size / count;
  const scale = 1 / (1 - Math.exp(-avgSize / rate));
  return [Math.trunc(count * scale), Math.trunc(size * scale)];
}

function checkRate(rate: number): void {
  if (typeof rate !== "number" || !Number.isSafeInteger(rate) || rate < 0) {
    throw new InvalidMemProfileRate(rate, "a profile's rate must be a safe integer >= 0");
  }
}

/**
 * Builds the heap profile of `records` sampled at `rate` as a pprof-format
 * `Profile` (runtime/pprof's `writeHeapProto` before encoding). Functions are
 * keyed by name and file (Go keys by its package-qualified name alone; JS names
 * repeat across files), locations by function, line and column. Throws
 * {@link InvalidMemProfileRate} or {@link InvalidProfileOption} for bad arguments.
 */
export function buildHeapProfile(
  records: readonly MemProfileRecord[],
  rate: number,
  options: HeapProfileOptions = {},
): Profile {
  checkRate(rate);
  const dst = options.defaultSampleType;
  if (dst !== undefined && !heapSampleTypes.includes(dst)) {
    throw new InvalidProfileOption("defaultSampleType", `want one of ${heapSampleTypes.join(", ")}`);
  }
  if (options.timeNanos !== undefined && typeof options.timeNanos !== "bigint") {
    throw new InvalidProfileOption("timeNanos", "want a bigint of Unix nanoseconds");
  }
  const isLibrary = options.isLibraryFrame ?? isGomallocFrame;
  const strings = new StringTable();
  const str = (s: string): number => strings.dedup(s);

  const periodType = { type: str("space"), unit: str("bytes") };
  const sampleType = [
    { type: str("alloc_objects"), unit: str("count") },
    { type: str("alloc_space"), unit: str("bytes") },
    { type: str("inuse_objects"), unit: str("count") },
    { type: str("inuse_space"), unit: str("bytes") },
  ];
  const defaultSampleType = dst === undefined ? 0 : str(dst);

  const functions: { id: number; name: number; systemName: number; filename: number }[] = [];
  const funcIds = new Map<string, number>();
  const locations: {
    id: number;
    mappingId: number;
    address: number;
    line: { functionId: number; line: number; column: number }[];
  }[] = [];
  const locIds = new Map<string, number>();
  const locationOf = (f: StackFrame): number => {
    const fkey = `${f.functionName}\u0000${f.fileName}`;
    const lkey = `${fkey}\u0000${f.line}\u0000${f.column}`;
    let loc = locIds.get(lkey);
    if (loc !== undefined) return loc;
    let fn = funcIds.get(fkey);
    if (fn === undefined) {
      fn = functions.length + 1;
      const name = str(f.functionName);
      functions.push({ id: fn, name, systemName: name, filename: str(f.fileName) });
      funcIds.set(fkey, fn);
    }
    loc = locations.length + 1;
    locations.push({ id: loc, mappingId: 1, address: 0, line: [{ functionId: fn, line: f.line, column: f.column }] });
    locIds.set(lkey, loc);
    return loc;
  };

  const bytesKey = str("bytes");
  const samples = records.map((r) => {
    const locationId = hideLibraryFrames(r.stack, isLibrary).map(locationOf);
    const [ao, ab] = scaleHeapSample(r.AllocObjects, r.AllocBytes, rate);
    const [io, ib] = scaleHeapSample(r.InUseObjects, r.InUseBytes, rate);
    const blockSize = r.AllocObjects > 0 ? Math.trunc(r.AllocBytes / r.AllocObjects) : 0;
    return {
      locationId,
      value: [ao, ab, io, ib],
      label: blockSize !== 0 ? [{ key: bytesKey, num: blockSize }] : [],
    };
  });

  // Go's fake mapping: no addresses, every frame already symbolized.
  const mapping = [
    { id: 1, memoryStart: 0, memoryLimit: 0, fileOffset: 0, filename: str(""), buildId: str(""), hasFunctions: true },
  ];

  return new Profile({
    sampleType,
    sample: samples,
    mapping,
    location: locations,
    function: functions,
    stringTable: strings,
    timeNanos: options.timeNanos ?? BigInt(Date.now()) * 1_000_000n,
    periodType,
    period: rate,
    defaultSampleType,
  });
}

/** {@link buildHeapProfile}, encoded as an uncompressed pprof protobuf. */
export function encodeHeapProfile(
  records: readonly MemProfileRecord[],
  rate: number,
  options: HeapProfileOptions = {},
): Uint8Array {
  return buildHeapProfile(records, rate, options).encode();
}

/** Gzips bytes with the platform's `CompressionStream` (Node ≥ 18, every current browser). */
export async function gzip(data: Uint8Array): Promise<Uint8Array> {
  const cs = new CompressionStream("gzip");
  const writer = cs.writable.getWriter();
  const written = writer.write(new Uint8Array(data)).then(() => writer.close());
  const [out] = await Promise.all([new Response(cs.readable).arrayBuffer(), written]);
  return new Uint8Array(out);
}

/**
 * runtime/pprof's `writeHeapProto`: the gzipped pprof heap profile of
 * `records` sampled at `rate` — what `go tool pprof` opens.
 */
export async function writeHeapProto(
  records: readonly MemProfileRecord[],
  rate: number,
  options: HeapProfileOptions = {},
): Promise<Uint8Array> {
  return gzip(encodeHeapProfile(records, rate, options));
}

/**
 * runtime/pprof's `WriteHeapProfile`: every bucket the profiler has published
 * (including those whose objects were all freed, for the alloc_* figures),
 * scaled at its current `MemProfileRate`, gzipped. Publish first
 * ({@link HeapProfiler.publish}) for a profile as of now.
 */
export async function writeHeapProfile(profiler: HeapProfiler, options: HeapProfileOptions = {}): Promise<Uint8Array> {
  const opts = { ...options, isLibraryFrame: options.isLibraryFrame ?? profiler.isLibraryFrame };
  return writeHeapProto(profiler.memProfile(true), profiler.MemProfileRate, opts);
}
