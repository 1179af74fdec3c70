// The heap: arenas, hints, grow, allocSpan/freeSpan, spanOf and zeroing, on
// the simulated linux/amd64 and linux/386 spaces and a flat (js/wasm) backend.
import { getProfile, type Profile } from "@gomalloc/arch";
import { ArrayBufferSysMemory, PageState, SimSysMemory, type SysMemory, SysStat } from "@gomalloc/os-mem";
import { class_to_allocnpages, class_to_size } from "@gomalloc/sizeclass";
import { mSpanInUse } from "@gomalloc/span";
import { describe, expect, it } from "vitest";
import { arenaHintAddrs, arenaHintList, checkMHeap, l2Limit, MHeap, PageCache } from "../src/index.js";

const amd64 = getProfile("1.26", "linux", "amd64");
const i386 = getProfile("1.26", "linux", "386");
const wasm = getProfile("1.26", "js", "wasm");

function simFor(p: Profile): SysMemory {
  return new SimSysMemory({
    physPageSize: p.DefaultPhysPageSize,
    heapAddrBits: p.heapAddrBits,
    addressSpaceEnd: p.heapAddrBits === 48 ? 2 ** 47 : undefined,
    goos: p.goos,
  });
}
const flat = () => ArrayBufferSysMemory.create(new ArrayBuffer(0, { maxByteLength: 64 << 20 }));
const spc = (c: number) => (c << 1) | 1;

describe("mheap.init and mallocinit's arena hints", () => {
  it("linux/amd64: 64 hints from 0x00c000000000 up, the first arena at the first hint", () => {
    const h = MHeap.create(simFor(amd64), { profile: amd64 });
    const hints = arenaHintList(h);
    expect(hints.length).toBe(64);
    expect(hints[0]).toEqual([0xc000000000, false]);
    expect(hints[1]![0]).toBe(0x1c000000000);
    expect(hints.map((x) => x[0])).toEqual(arenaHintAddrs(amd64));
    const s = h.allocSpan(1, spc(5), null, true);
    expect(h.spans.base(s)).toBe(0xc000000000);
    expect(arenaHintList(h)[0]).toEqual([0xc000000000 + 64 * 2 ** 20, false]);
    expect(h.allArenas()).toEqual([h.geom.arenaIndex(0xc000000000)]);
    checkMHeap(h);
  });
  it("linux/386: a 512 MiB up-front reservation, then a hint above it", () => {
    const sys = simFor(i386);
    const h = MHeap.create(sys, { profile: i386 });
    const lin = h.arenaLinear()!;
    // Go's sysReserveAligned keeps the whole (size + align) reservation when it came back aligned.
    expect([512 << 20, (512 + 4) << 20]).toContain(lin.end - lin.next);
    const start = lin.next;
    expect(start % i386.heapArenaBytes).toBe(0);
    expect(arenaHintList(h)).toEqual([[lin.end, false]]);
    const s = h.allocSpan(1, spc(3), null, true);
    expect(h.spans.base(s)).toBe(start);
    checkMHeap(h);
  });
  it("js/wasm 1.26 (sbrk): no hints; arenas are placed aligned above the break", () => {
    const sys = flat();
    const h = MHeap.create(sys, { profile: wasm });
    expect(arenaHintList(h)).toEqual([]);
    const s = h.allocSpan(1, spc(3), null, true);
    const base = h.spans.base(s);
    expect(base % wasm.heapArenaBytes).toBe(0);
    // Go adds hints around a region found without one (even on sbrk platforms).
    expect(arenaHintList(h).map((x) => x[1])).toEqual([false, true]);
    checkMHeap(h);
  });
  it("a flat heap's L2 arena map stops at the buffer's maximum length", () => {
    const sys = ArrayBufferSysMemory.create(new ArrayBuffer(0, { maxByteLength: 16 << 20 }));
    const h = MHeap.create(sys, { profile: wasm });
    expect(l2Limit(h)).toBe((16 << 20) / wasm.heapArenaBytes);
    const s = h.allocSpan(1, spc(3), null, true);
    expect(h.spanOf(h.spans.base(s))).toBe(s);
    expect(h.spanOf((16 << 20) + 8192)).toBe(0);
    checkMHeap(h);
    expect(l2Limit(MHeap.create(new SimSysMemory({ addressSpaceEnd: 2 ** 47 }), { profile: amd64 }))).toBe(2 ** 22);
  });
  it("js/wasm 1.19: the 64-bit hints are placed and all dropped (outside the 32-bit arena map)", () => {
    const p = getProfile("1.19", "js", "wasm");
    const h = MHeap.create(flat(), { profile: p });
    expect(arenaHintList(h).length).toBe(128);
    expect(h.allocSpan(1, spc(3), null, true)).toBeGreaterThan(0);
    expect(arenaHintList(h).length).toBe(2);
    checkMHeap(h);
  });
});

describe("mallocinit's hint placement per port and sysAlloc's walk", () => {
  it("arm64, ios/arm64 and aix (which skips i = 0) hints; Go 1.19 places 128", () => {
    expect(arenaHintAddrs(getProfile("1.26", "linux", "arm64"))[0]).toBe(0x40 * 2 ** 32);
    expect(arenaHintAddrs(getProfile("1.26", "darwin", "arm64"))[1]).toBe(2 ** 40 + 0x40 * 2 ** 32);
    expect(arenaHintAddrs(getProfile("1.26", "ios", "arm64"))[0]).toBe(0x0013 * 2 ** 28);
    const aix = arenaHintAddrs(getProfile("1.26", "aix", "ppc64"));
    expect(aix.length).toBe(63);
    expect(aix[0]).toBe(2 ** 40 + 0xa0 * 2 ** 52);
    expect(arenaHintAddrs(getProfile("1.19", "linux", "amd64")).length).toBe(128);
    expect(arenaHintAddrs(getProfile("1.26", "linux", "386"))).toEqual([]);
    expect(arenaHintAddrs(getProfile("1.26", "js", "wasm"))).toEqual([]);
  });
  it("32-bit: 512 MiB does not fit, 256 MiB does", () => {
    const sys = new SimSysMemory({ heapAddrBits: 32, addressSpaceEnd: 400 << 20 });
    const h = MHeap.create(sys, { profile: i386, spanTable: { reserveBytes: 1 << 20 } });
    const lin = h.arenaLinear()!;
    expect([256 << 20, (256 + 4) << 20]).toContain(lin.end - lin.next);
  });
  it("a hint whose reservation lands elsewhere is dropped and the next one tried", () => {
    const sys = simFor(amd64);
    const h = MHeap.create(sys, { profile: amd64 });
    sys.faults.ignoreNextHints(1);
    const s = h.allocSpan(1, spc(3), null, true);
    expect(h.spans.base(s)).toBe(0x1c000000000);
    expect(arenaHintList(h).length).toBe(63);
    checkMHeap(h);
  });
  it("all hints failing falls back to any aligned region and adds hints around it", () => {
    const sys = simFor(amd64);
    const h = MHeap.create(sys, { profile: amd64 });
    sys.faults.ignoreNextHints(64);
    const s = h.allocSpan(1, spc(3), null, true);
    const base = h.spans.base(s);
    expect(base % amd64.heapArenaBytes).toBe(0);
    const hints = arenaHintList(h);
    expect(hints.length).toBe(2);
    expect(hints[1]).toEqual([base, true]);
    checkMHeap(h);
  });
  it("a region the arena map cannot describe throws Go's text", () => {
    // A 48-bit space to its top: the fallback lands above 2^47, outside amd64's arena map.
    const sys = new SimSysMemory({ addressSpaceEnd: 2 ** 48 });
    const h = MHeap.create(sys, { profile: amd64 });
    sys.faults.ignoreNextHints(64);
    let err: unknown;
    try {
      h.allocSpan(1, spc(3), null, true);
    } catch (e) {
      err = e;
    }
    expect((err as { goText: string }).goText).toBe("memory reservation exceeds address space limit");
    expect((err as Error).message).toMatch(
      /^runtime: memory allocated by OS \[0x[0-9a-f]+, 0x[0-9a-f]+\) not in usable address space: base outside usable address space/,
    );
  });
});

describe("allocSpan / freeSpan / spanOf", () => {
  it.each([
    ["simulated linux/amd64", amd64, () => simFor(amd64)],
    ["simulated linux/386", i386, () => simFor(i386)],
    ["arraybuffer js/wasm", wasm, flat],
  ] as const)(
    "on %s: spans map their pages, stats and pages agree, freed pages are reused and need zeroing",
    (_, p, make) => {
      const sys = make();
      const h = MHeap.create(sys, { profile: p });
      const t = h.spans;
      const a = h.allocSpan(class_to_allocnpages[10]!, spc(10), null, true);
      const b = h.allocSpan(3, 0, null, true);
      expect(t.state(a)).toBe(mSpanInUse);
      expect(t.elemsize(a)).toBe(class_to_size[10]);
      expect(t.needzero(a)).toBe(false); // fresh memory
      const ba = t.base(a);
      const bb = t.base(b);
      for (let q = ba; q < ba + t.npages(a) * p.pageSize; q += 1000) {
        expect(h.spanOf(q)).toBe(a);
        expect(h.spanOfHeap(q)).toBe(a);
      }
      expect(h.spanOf(bb + 3 * p.pageSize - 1)).toBe(b);
      expect(h.spanOfHeap(bb + 3 * p.pageSize)).toBe(0);
      expect(h.spanOf(0)).toBe(0);
      expect(h.pagesInUse).toBe(t.npages(a) + 3);
      expect(sys.statLoad(SysStat.heapInUse)).toBe((t.npages(a) + 3) * p.pageSize);
      // Allocated memory is Ready.
      expect(sys.pageState(ba)).toBe(PageState.Ready);
      expect(sys.pageState(bb + 3 * p.pageSize - 1)).toBe(PageState.Ready);
      checkMHeap(h);
      t.setU32(b, 104, 0); // a large span's allocCount goes to 0 when its object is freed
      h.freeSpan(b);
      expect(h.spanOfHeap(bb)).toBe(0);
      expect(h.freedSpanBase(bb)).toBe(true);
      checkMHeap(h);
      const c = h.allocSpan(3, 0, null, true);
      expect(t.base(c)).toBe(bb); // first fit
      expect(t.needzero(c)).toBe(true); // below zeroedBase: may be dirty
      expect(h.freedSpanBase(bb)).toBe(false);
      checkMHeap(h);
    },
  );

  it("a span that crosses arenas maps every page (js/wasm: 512 KiB arenas)", () => {
    const h = MHeap.create(flat(), { profile: wasm });
    const s = h.allocSpan(100, 0, null, true);
    const base = h.spans.base(s);
    expect(h.geom.arenaIndex(base + 100 * 8192 - 1)).toBeGreaterThan(h.geom.arenaIndex(base));
    for (let i = 0; i < 100; i++) expect(h.spanOf(base + i * 8192)).toBe(s);
    checkMHeap(h);
  });

  it("a span over the pages of freed spans clears each of their freed-base bits, and no bit outside it", () => {
    // js/wasm: 64-page arenas, so the spans below straddle arenas and bitmap bytes at odd offsets.
    const h = MHeap.create(flat(), { profile: wasm });
    const t = h.spans;
    const sizes = [3, 1, 7, 9, 2, 13, 5, 30, 1, 64, 11, 4, 2];
    const spans = sizes.map((n) => h.allocSpan(n, 0, null, true));
    const bases = spans.map((s) => t.base(s));
    for (let i = 1; i < bases.length; i++) expect(bases[i]).toBe(bases[i - 1]! + sizes[i - 1]! * 8192);
    const free = (k: number) => {
      t.setU32(spans[k]!, 104, 0);
      h.freeSpan(spans[k]!);
    };
    // The first and last spans stay; the one before the last is freed, then the middle ones.
    const n = sizes.length;
    free(n - 2);
    for (let k = 1; k < n - 2; k++) free(k);
    for (let k = 1; k < n - 1; k++) expect(h.freedSpanBase(bases[k]!)).toBe(true);
    const npages = sizes.slice(1, n - 2).reduce((a, b) => a + b, 0);
    const c = h.allocSpan(npages, 0, null, true);
    expect(t.base(c)).toBe(bases[1]); // first fit: the hole after the first span
    for (let k = 1; k < n - 2; k++) expect(h.freedSpanBase(bases[k]!)).toBe(false);
    expect(h.freedSpanBase(bases[n - 2]!)).toBe(true); // right after c's last page
    checkMHeap(h);
  });

  it("a P's page cache serves small spans without the page allocator's search", () => {
    const h = MHeap.create(simFor(amd64), { profile: amd64 });
    const rec = h.spanAlloc.allocMeta(24, 8, SysStat.other_sys);
    const pc = new PageCache(h.v, rec, 8192);
    const s1 = h.allocSpan(1, spc(2), pc, true);
    const s2 = h.allocSpan(2, spc(20), pc, true);
    expect(h.spans.base(s2)).toBe(h.spans.base(s1) + 8192);
    expect(pc.empty()).toBe(false);
    checkMHeap(h, [pc]);
    h.flushPageCache(pc);
    checkMHeap(h);
  });

  it("growth refused by the backend returns 0 and changes nothing; the next call works", () => {
    const sys = simFor(amd64);
    const h = MHeap.create(sys, { profile: amd64 });
    const before = sys.stats();
    sys.faults.refuseNextReserve(200);
    expect(h.allocSpan(1, spc(1), null, true)).toBe(0);
    expect(h.lastGrowFailure).toMatch(/^runtime: out of memory: cannot allocate 4194304-byte block/);
    expect(sys.stats().mapped).toBe(before.mapped);
    checkMHeap(h);
    sys.faults.clear();
    sys.faults.refuseNextMap(1);
    expect(h.allocSpan(1, spc(1), null, true)).toBe(0);
    checkMHeap(h);
    sys.faults.clear();
    sys.faults.refuseNextUsed(1);
    expect(h.allocSpan(1, spc(1), null, true)).toBe(0);
    checkMHeap(h);
    expect(h.allocSpan(1, spc(1), null, true)).toBeGreaterThan(0);
    checkMHeap(h);
  });
});
