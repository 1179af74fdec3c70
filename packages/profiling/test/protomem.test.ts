import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  buildHeapProfile,
  encodeHeapProfile,
  gzip,
  HeapProfiler,
  heapSampleTypes,
  InvalidMemProfileRate,
  InvalidProfileOption,
  type MemProfileRecord,
  type StackFrame,
  scaleHeapSample,
  Wyrand,
  writeHeapProfile,
  writeHeapProto,
} from "@gomalloc/profiling";
import { Profile } from "pprof-format";
import { afterAll, describe, expect, test } from "vitest";
import { vectors } from "./govectors.js";

const f = (functionName: string, fileName = "/app/a.js", line = 1, column = 1): StackFrame => ({
  functionName,
  fileName,
  line,
  column,
});

function rec(stack: StackFrame[], size: number, allocs: number, frees: number): MemProfileRecord {
  return {
    AllocBytes: allocs * size,
    FreeBytes: frees * size,
    AllocObjects: allocs,
    FreeObjects: frees,
    InUseBytes: (allocs - frees) * size,
    InUseObjects: allocs - frees,
    size,
    stack,
    label: false,
  };
}

async function gunzip(data: Uint8Array): Promise<Uint8Array> {
  const ds = new DecompressionStream("gzip");
  const w = ds.writable.getWriter();
  const done = w.write(new Uint8Array(data)).then(() => w.close());
  const [out] = await Promise.all([new Response(ds.readable).arrayBuffer(), done]);
  return new Uint8Array(out);
}

describe("scaleHeapSample", () => {
  for (const { name, v } of vectors) {
    test(`matches runtime/pprof's scaleHeapSample on ${v.scaleHeapSample.length} records (${name})`, () => {
      const bad = v.scaleHeapSample.filter((c) => {
        const [o, b] = scaleHeapSample(c.count, c.size, c.rate);
        return o !== c.objects || b !== c.bytes;
      });
      expect(bad).toEqual([]);
    });
  }

  test("equals count / (1 - exp(-avg/rate)) truncated", () => {
    const s = 1 / (1 - Math.exp(-(48 * 10) / 10 / 524288));
    expect(scaleHeapSample(10, 480, 524288)).toEqual([Math.trunc(10 * s), Math.trunc(480 * s)]);
    expect(scaleHeapSample(3, 96, 1)).toEqual([3, 96]);
    expect(scaleHeapSample(0, 96, 512)).toEqual([0, 0]);
  });

  test("rejects counts and sizes that are not int64s ≥ 0, and rates that are not integers (it returned NaN or negatives)", () => {
    for (const x of [-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      expect(() => scaleHeapSample(x, 100, 524288)).toThrow(InvalidProfileOption);
      expect(() => scaleHeapSample(1, x, 524288)).toThrow(InvalidProfileOption);
    }
    for (const r of [0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(() => scaleHeapSample(1, 100, r)).toThrow(InvalidMemProfileRate);
    }
    expect(scaleHeapSample(1, 100, -1)).toEqual([1, 100]); // Go: a rate ≤ 1 leaves the figures
  });
});

describe("writeHeapProto (structure)", () => {
  const lib = (fr: StackFrame): boolean => fr.functionName.startsWith("gomalloc.");
  const records = [
    rec([f("gomalloc.malloc", "/lib/m.js"), f("parse", "/app/p.js", 10, 3), f("main", "/app/m.js", 2, 1)], 48, 10, 4),
    rec([f("gomalloc.malloc", "/lib/m.js"), f("parse", "/app/p.js", 12, 3), f("main", "/app/m.js", 2, 1)], 4096, 3, 3),
    rec([f("(anonymous)", "/app/x.js", 1, 1)], 16, 1, 0),
    rec([f("(anonymous)", "/app/y.js", 1, 1)], 16, 1, 0),
    rec([f("gomalloc.only", "/lib/o.js")], 8, 1, 0),
    rec([], 8, 2, 0),
  ];
  const p = Profile.decode(encodeHeapProfile(records, 524288, { isLibraryFrame: lib, timeNanos: 123n }));
  const s = (i: unknown): string => p.stringTable.strings[Number(i)]!;
  const names = (sample: (typeof p.sample)[number]): string[] =>
    sample.locationId.map((id) => {
      const loc = p.location.find((l) => Number(l.id) === Number(id))!;
      const fn = p.function.find((x) => Number(x.id) === Number(loc.line[0]!.functionId))!;
      return s(fn.name);
    });

  test("period type space/bytes, period = rate, Go's four sample types in order", () => {
    expect(s(p.stringTable.strings.indexOf(""))).toBe("");
    expect([s(p.periodType!.type), s(p.periodType!.unit), Number(p.period)]).toEqual(["space", "bytes", 524288]);
    expect(p.sampleType.map((t) => `${s(t.type)}/${s(t.unit)}`)).toEqual([
      "alloc_objects/count",
      "alloc_space/bytes",
      "inuse_objects/count",
      "inuse_space/bytes",
    ]);
    expect(Number(p.defaultSampleType)).toBe(0);
    expect(BigInt(p.timeNanos)).toBe(123n);
  });

  test("values are scaled per record and labelled bytes = object size", () => {
    expect(p.sample.length).toBe(records.length);
    for (const [i, r] of records.entries()) {
      const want = [
        ...scaleHeapSample(r.AllocObjects, r.AllocBytes, 524288),
        ...scaleHeapSample(r.InUseObjects, r.InUseBytes, 524288),
      ];
      expect(p.sample[i]!.value.map(Number)).toEqual(want);
      expect(p.sample[i]!.label.map((l) => [s(l.key), Number(l.num)])).toEqual([["bytes", r.size]]);
    }
  });

  test("allocator frames are hidden at the top; an all-allocator stack is kept; an empty one stays empty", () => {
    expect(names(p.sample[0]!)).toEqual(["parse", "main"]);
    expect(names(p.sample[4]!)).toEqual(["gomalloc.only"]);
    expect(p.sample[5]!.locationId).toEqual([]);
  });

  test("one fake mapping as Go writes it; locations per line and column; functions per name and file", () => {
    expect(p.mapping.length).toBe(1);
    const m = p.mapping[0]!;
    expect([Number(m.id), Number(m.memoryStart), Number(m.memoryLimit), s(m.filename), m.hasFunctions]).toEqual([
      1,
      0,
      0,
      "",
      true,
    ]);
    expect(p.location.every((l) => Number(l.mappingId) === 1 && l.line.length === 1)).toBe(true);
    const parse = p.function.filter((x) => s(x.name) === "parse");
    expect(parse.length).toBe(1);
    expect(p.location.filter((l) => Number(l.line[0]!.functionId) === Number(parse[0]!.id)).length).toBe(2);
    expect(p.function.filter((x) => s(x.name) === "(anonymous)").map((x) => s(x.filename))).toEqual([
      "/app/x.js",
      "/app/y.js",
    ]);
    for (const x of p.function) expect(x.systemName).toBe(x.name);
    const ids = new Set(p.location.map((l) => Number(l.id)));
    for (const smp of p.sample) for (const id of smp.locationId) expect(ids.has(Number(id))).toBe(true);
  });

  test("defaultSampleType is set when asked", () => {
    const q = Profile.decode(encodeHeapProfile(records, 512, { defaultSampleType: "alloc_space" }));
    expect(q.stringTable.strings[Number(q.defaultSampleType)]).toBe("alloc_space");
    expect(heapSampleTypes).toEqual(["alloc_objects", "alloc_space", "inuse_objects", "inuse_space"]);
  });

  test("bad rates and options throw typed errors", () => {
    for (const r of [-1, 1.5, Number.NaN]) expect(() => buildHeapProfile(records, r)).toThrow(InvalidMemProfileRate);
    expect(() => buildHeapProfile(records, 512, { defaultSampleType: "cpu" as never })).toThrow(InvalidProfileOption);
    expect(() => buildHeapProfile(records, 512, { timeNanos: 5 as never })).toThrow(InvalidProfileOption);
  });
});

describe("gzip / writeHeapProfile", () => {
  test("writes a gzip stream that inflates to the encoded profile", async () => {
    const records = [rec([f("a")], 32, 4, 1)];
    const raw = encodeHeapProfile(records, 4096, { timeNanos: 1n });
    const gz = await writeHeapProto(records, 4096, { timeNanos: 1n });
    expect([gz[0], gz[1]]).toEqual([0x1f, 0x8b]);
    expect(await gunzip(gz)).toEqual(raw);
    expect(await gunzip(await gzip(new Uint8Array(0)))).toEqual(new Uint8Array(0));
  });

  test("WriteHeapProfile lists fully freed buckets and uses the profiler's current rate", async () => {
    const p = new HeapProfiler({ MemProfileRate: 1 });
    p.mProf_Malloc(0x100, 64, "gone");
    p.recordFree(0x100);
    p.mProf_Malloc(0x200, 32, "kept");
    p.publish();
    const prof = Profile.decode(await gunzip(await writeHeapProfile(p, { timeNanos: 1n })));
    expect(Number(prof.period)).toBe(1);
    expect(prof.sample.map((x) => x.value.map(Number))).toEqual([
      [1, 32, 1, 32],
      [1, 64, 0, 0],
    ]);
  });
});

// ---- go tool pprof on a profile we wrote -------------------------------------

interface Go {
  bin: string;
  version: string;
}

function goToolchains(): Go[] {
  const env = { ...process.env, GOTOOLCHAIN: "local" };
  const found = new Map<string, Go>();
  for (const bin of [process.env.GO, "/usr/local/go/bin/go", "/usr/lib/go-1.19/bin/go", "go"]) {
    if (bin === undefined || bin === "") continue;
    const r = spawnSync(bin, ["env", "GOROOT", "GOVERSION"], { env, encoding: "utf8", timeout: 30_000 });
    if (r.status !== 0 || typeof r.stdout !== "string") continue;
    const [root, version] = r.stdout.trim().split("\n");
    if (root !== undefined && version !== undefined && !found.has(root)) found.set(root, { bin, version });
  }
  return [...found.values()];
}

// The "runtime": Go's fast-path check, then profilealloc. Its frame is hidden.
const st = { nextSample: 0, memProfRate: -1, addr: 0x100000 };
function fakeMalloc(p: HeapProfiler, size: number): number {
  const addr = st.addr;
  st.addr += size;
  st.nextSample -= size;
  if (st.nextSample < 0 || st.memProfRate !== p.MemProfileRate) {
    st.memProfRate = p.MemProfileRate;
    st.nextSample = p.profilealloc(addr, size);
  }
  return addr;
}
function allocTextures(p: HeapProfiler): void {
  for (let i = 0; i < 200; i++) fakeMalloc(p, 65536);
}
function allocMeshes(p: HeapProfiler): void {
  for (let i = 0; i < 600; i++) fakeMalloc(p, 8192);
}
function allocStrings(p: HeapProfiler): number[] {
  const out: number[] = [];
  for (let i = 0; i < 100_000; i++) out.push(fakeMalloc(p, 48));
  return out;
}

describe("go tool pprof", () => {
  const gos = goToolchains();
  const dir = mkdtempSync(join(tmpdir(), "gomalloc-pprof-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  if (gos.length === 0) {
    if (process.env.CI === "true") {
      test("a Go toolchain is installed (required when CI=true)", () => {
        expect.fail("no Go toolchain found (looked at $GO, /usr/local/go/bin/go, /usr/lib/go-1.19/bin/go, go on PATH)");
      });
    } else {
      test.skip("no Go toolchain found; set GO=/path/to/go to run the pprof checks", () => {});
    }
  }

  for (const go of gos) {
    test(`-top and -raw read our names and scaled in-use figures (${go.version})`, async () => {
      const rate = 524288;
      const p = new HeapProfiler({
        rand: new Wyrand(2026),
        stackDepth: 8,
        isLibraryFrame: (fr) => fr.functionName === "fakeMalloc",
      });
      st.nextSample = 0;
      st.memProfRate = -1;
      allocTextures(p);
      allocMeshes(p);
      for (const a of allocStrings(p)) p.recordFree(a); // all strings freed: alloc_* only
      p.publish();

      // Expected figures, computed here from the published records with Go's formula.
      const bySite = new Map<string, { inuse: number; alloc: number }>();
      for (const r of p.memProfile(true)) {
        const site = r.stack.find((fr) => fr.functionName !== "fakeMalloc")!.functionName;
        const scale = 1 / (1 - Math.exp(-r.size / rate));
        const e = bySite.get(site) ?? { inuse: 0, alloc: 0 };
        e.inuse += Math.trunc(r.InUseBytes * scale);
        e.alloc += Math.trunc(r.AllocBytes * scale);
        bySite.set(site, e);
      }
      expect([...bySite.keys()].sort()).toEqual(["allocMeshes", "allocStrings", "allocTextures"]);
      expect(bySite.get("allocStrings")!.inuse).toBe(0);

      const file = join(dir, `heap-${go.version}.pb.gz`);
      writeFileSync(file, await writeHeapProfile(p));
      const run = (...args: string[]): string =>
        execFileSync(go.bin, ["tool", "pprof", ...args, file], {
          encoding: "utf8",
          env: { ...process.env, GOTOOLCHAIN: "local", PPROF_TMPDIR: dir },
          timeout: 60_000,
        });

      const flat = (out: string): [string, number][] =>
        out
          .split("\n")
          .map((l) => /^\s*(\d+)B?\s+[\d.]+%\s+[\d.]+%\s+\S+\s+[\d.]+%\s+(.+)$/.exec(l))
          .filter((m): m is RegExpExecArray => m !== null && m[1] !== "0")
          .map((m) => [m[2]!.trim(), Number(m[1])]);

      const inuse = run("-top", "-unit=B", "-sample_index=inuse_space");
      expect(inuse).toContain("Type: inuse_space");
      const wantInuse = [...bySite.entries()]
        .filter(([, e]) => e.inuse > 0)
        .sort((a, b) => b[1].inuse - a[1].inuse)
        .map(([k, e]) => [k, e.inuse]);
      expect(flat(inuse)).toEqual(wantInuse);
      expect(wantInuse[0]![0]).toBe("allocTextures");

      const alloc = run("-top", "-unit=B", "-sample_index=alloc_space");
      expect(alloc).toContain("Type: alloc_space");
      const wantAlloc = [...bySite.entries()].sort((a, b) => b[1].alloc - a[1].alloc).map(([k, e]) => [k, e.alloc]);
      expect(flat(alloc)).toEqual(wantAlloc);

      const raw = run("-raw");
      expect(raw).toContain("PeriodType: space bytes");
      expect(raw).toContain(`Period: ${rate}`);
      expect(raw).toMatch(/alloc_objects\/count alloc_space\/bytes inuse_objects\/count inuse_space\/bytes/);
      for (const size of [65536, 8192, 48]) expect(raw).toContain(`bytes:[${size}]`);
      expect(raw).not.toContain("fakeMalloc");
    });
  }
});
