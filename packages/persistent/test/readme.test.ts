// The README's usage example, verbatim, with its claims checked.
import { SimSysMemory, SysStat } from "@gomalloc/os-mem";
import { FixAlloc, LinearAlloc, PersistentAlloc } from "@gomalloc/persistent";
import { describe, expect, it } from "vitest";

describe("README usage", () => {
  it("runs as written", () => {
    const sys = new SimSysMemory();
    const meta = sys.sysAlloc(4096, SysStat.other_sys); // room for the records

    const palloc = PersistentAlloc.init(sys, meta);
    const arenaMeta = palloc.alloc(1024, 8, SysStat.gcMiscSys); // zeroed, charged to gcMiscSys

    const tableBytes = 64 << 20;
    const base = sys.sysReserve(0, tableBytes);
    const table = LinearAlloc.init(sys, meta + 64, base, tableBytes, true);
    const spans = FixAlloc.init(sys, meta + 128, 160, table, SysStat.mspan_sys);
    const s0 = spans.alloc(); // === base
    const s1 = spans.alloc(); // === base + 160
    spans.free(s0);
    const again = spans.alloc(); // === s0 again, zeroed

    expect(arenaMeta).toBe(palloc.chunksHead() + 8);
    expect(sys.statLoad(SysStat.gcMiscSys)).toBe(1024);
    expect([s0, s1, again]).toEqual([base, base + 160, s0]);
    expect(FixAlloc.attach(sys, meta + 128).inuse).toBe(320);
  });
});
