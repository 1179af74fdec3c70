// The README's usage example, verbatim, with its claims checked.
import { PageState, SabSysMemory, SimSysMemory, SysStat } from "@gomalloc/os-mem";
import { describe, expect, it } from "vitest";

describe("README usage", () => {
  it("runs as written", () => {
    const sim = new SimSysMemory({ physPageSize: 4096, heapAddrBits: 48, addressSpaceEnd: 2 ** 47 });
    const arena = sim.sysReserve(0xc000000000, 64 << 20); // honoured: 0xc000000000
    sim.sysMap(arena, 4 << 20, SysStat.heapReleased); // Reserved → Prepared
    sim.sysUsed(arena, 8192, 8192); // Prepared → Ready
    sim.write32(arena + 16, 42);
    sim.pageState(arena + 8192); // PageState.Prepared

    const sab = SabSysMemory.create({ maxByteLength: 1 << 30 });
    const root = sab.sysAlloc(4096, SysStat.other_sys); // None → Ready, zeroed
    sab.setRoot(0, root); // let other workers find your root record
    const view = sab.viewOf(root); // one MemView over the whole buffer, base 0
    view.setU32(root, 7);

    expect(arena).toBe(0xc000000000);
    expect(sim.pageState(arena + 8192)).toBe(PageState.Prepared);
    expect(() => sim.read32(arena + 8192)).toThrow("unexpected fault address");
    expect(SabSysMemory.attach(sab.sab).getRoot(0)).toBe(root);
    expect(view.base).toBe(0);
    expect(sab.read32(root)).toBe(7);
  });
});
