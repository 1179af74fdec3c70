/**
 * Arena hints and heap address-space growth (Go's `arenaHint`, the hint
 * placement in `mallocinit` and `mheap.sysAlloc`, malloc.go). A hint is an
 * address where the heap would like its next arena reservation; the list
 * lives in managed memory, its records from a fixalloc. On 64-bit profiles
 * mallocinit places hints at Go's addresses for the port (0x00c0<<32 upward on
 * most, 0x0040<<32 on arm64, 0x0013<<28 on ios/arm64, 0xa0<<52 on aix); on
 * 32-bit ones it makes a large initial reservation (512, 256 or 128 MiB) and
 * hints right above it; sbrk platforms (Go 1.26's js/wasm, plan9) get none.
 * `sysAllocArena` walks the hints as Go does — growing up or down, skipping
 * hints that overflow or leave the arena map — and falls back to any aligned
 * region, adding hints around it; then it registers the new arenas.
 * See docs/design.md, "Heap arenas and spanOf".
 */
import type { Profile } from "@gomalloc/arch";
import { alignUp, hex, RuntimeThrow, SysStat } from "@gomalloc/os-mem";
import type { MHeap } from "./mheap.js";

/** Bytes of an arenaHint record: f64 addr, f64 next, u32 down. */
export const arenaHintBytes = 24;
const A_ADDR = 0;
const A_NEXT = 8;
const A_DOWN = 16;

/** Go's `isSbrkPlatform` for a profile: Go 1.26 on wasm and plan9 (Go 1.19 had no such case in mallocinit). */
export function isSbrkPlatform(p: Profile): boolean {
  return p.goVersion !== "1.19" && (p.goarch === "wasm" || p.goos === "plan9");
}

/**
 * The hint addresses mallocinit places on a 64-bit profile, head of the list
 * first (Go pushes i = 0x7f … 0 at the head, so i = 0 comes first). Go 1.26
 * gives i > 0x3f to user arenas, which gomalloc does not have; Go 1.19 gives
 * all 128 to the heap. Empty on sbrk platforms and 32-bit profiles (see
 * {@link placeArenaHints}). On riscv64 Go picks the layout from the stack
 * address; this assumes the 48-bit one.
 */
export function arenaHintAddrs(p: Profile): number[] {
  if (isSbrkPlatform(p) || p.PtrSize !== 8) return [];
  const top = p.goVersion === "1.19" ? 0x7f : 0x3f;
  const out: number[] = [];
  for (let i = 0; i <= top; i++) {
    let a: number;
    if (p.goarch === "arm64" && p.goos === "ios") a = i * 2 ** 40 + 0x0013 * 2 ** 28;
    else if (p.goarch === "arm64") a = i * 2 ** 40 + 0x0040 * 2 ** 32;
    else if (p.goos === "aix") {
      if (i === 0) continue;
      a = i * 2 ** 40 + 0xa0 * 2 ** 52;
    } else a = i * 2 ** 40 + 0x00c0 * 2 ** 32;
    out.push(a);
  }
  return out;
}

/** The sizes mallocinit tries, in order, for the 32-bit initial heap reservation. */
export const arenaSizes32 = [512 << 20, 256 << 20, 128 << 20] as const;

/** Reads hint h's fields. */
export function hintAddr(h: MHeap, hint: number): number {
  return h.v.getF64(hint + A_ADDR);
}
export function hintDown(h: MHeap, hint: number): boolean {
  return h.v.getU32(hint + A_DOWN) !== 0;
}
export function hintNext(h: MHeap, hint: number): number {
  return h.v.getF64(hint + A_NEXT);
}

/** The hint list, head first, as `[addr, down]` pairs. */
export function arenaHintList(h: MHeap): Array<[number, boolean]> {
  const out: Array<[number, boolean]> = [];
  for (let x = h.arenaHints; x !== 0; x = hintNext(h, x)) out.push([hintAddr(h, x), hintDown(h, x)]);
  return out;
}

/** Pushes a hint at the head of the list; false if no record is left (the hint is then skipped). */
function pushHint(h: MHeap, addr: number, down: boolean): boolean {
  const x = h.arenaHintAlloc.alloc();
  if (x === 0) return false;
  h.v.setF64(x + A_ADDR, addr);
  h.v.setU32(x + A_DOWN, down ? 1 : 0);
  h.v.setF64(x + A_NEXT, h.arenaHints);
  h.arenaHints = x;
  return true;
}

/**
 * mallocinit's arena-hint placement for the heap's profile. 64-bit: the
 * hints of {@link arenaHintAddrs}. 32-bit: reserve 512, 256 or 128 MiB
 * (the first the backend grants) aligned to heapArenaBytes just above the
 * start of the address space — Go's `mheap_.arena`, used before any hint —
 * and hint right after it. Go also reserves the heapArena records up front
 * there; gomalloc's come from the heap's metadata region, reserved up front
 * on the simulated backend anyway.
 */
export function placeArenaHints(h: MHeap): void {
  const p = h.profile;
  if (isSbrkPlatform(p)) return;
  if (p.PtrSize === 8) {
    const addrs = arenaHintAddrs(p);
    for (let i = addrs.length - 1; i >= 0; i--) pushHint(h, addrs[i]!, false);
    return;
  }
  const sys = h.sys;
  let at = alignUp(sys.caps.addressSpaceStart + (256 << 10), h.geom.heapArenaBytes);
  for (const size of arenaSizes32) {
    const [a, sz] = sys.sysReserveAligned(sys.caps.sbrk ? 0 : at, size, h.geom.heapArenaBytes);
    if (a !== 0) {
      const lin = h.initArenaLinear(a, sz);
      at = lin.end;
      break;
    }
  }
  pushHint(h, at, false);
}

/**
 * Go's `mheap.sysAlloc`: reserves heap address space for at least n bytes
 * (rounded up to arenas), from the 32-bit up-front reservation, else at a
 * hint, else anywhere aligned, and registers the arenas. Returns the region
 * `[v, size]` in the Reserved state, or `[0, 0]` when the backend refuses (the
 * hint list keeps Go's changes: failed hints are dropped). Throws Go's
 * "memory reservation exceeds address space limit" if the backend hands out a
 * region the arena map cannot describe. Caller must hold the mheap lock.
 */
export function sysAllocArena(h: MHeap, n: number): [number, number] {
  const g = h.geom;
  const sys = h.sys;
  n = alignUp(n, g.heapArenaBytes);
  const lin = h.arenaLinear();
  if (lin !== null) {
    const next = lin.next;
    const v = lin.alloc(n, g.heapArenaBytes, SysStat.heapReleased);
    if (v !== 0) {
      if (h.registerArenas(v, n)) return [v, n];
      h.v.setF64(lin.rec, next); // give the bytes back to the reservation
      return [0, 0];
    }
  }
  let v = 0;
  let size = 0;
  let hint = 0;
  let hintOld = 0;
  while (h.arenaHints !== 0) {
    hint = h.arenaHints;
    let p = hintAddr(h, hint);
    const down = hintDown(h, hint);
    if (down) p -= n;
    let got = 0;
    if (p < 0 || p + n > 2 ** 64) {
      got = 0; // Go's p+n < p: it would wrap around
    } else if (g.arenaIndex(p + n - 1) >= g.arenaCount || g.arenaIndex(p) < 0) {
      got = 0; // outside the addressable heap
    } else if (p % sys.physPageSize !== 0) {
      got = 0; // the backend cannot place a reservation there
    } else {
      got = sys.sysReserve(p, n);
    }
    if (got === p && got !== 0) {
      hintOld = hintAddr(h, hint);
      h.v.setF64(hint + A_ADDR, down ? p : p + n);
      v = got;
      size = n;
      break;
    }
    if (got !== 0) sys.sysUnreserve(got, n);
    h.arenaHints = hintNext(h, hint);
    h.arenaHintAlloc.free(hint);
    hint = 0;
  }
  if (size === 0) {
    [v, size] = sys.sysReserveAligned(0, n, g.heapArenaBytes);
    if (v === 0) return [0, 0];
    pushHint(h, v, true);
    pushHint(h, v + size, false);
  }
  let bad = "";
  if (v + size > 2 ** 64) bad = "region exceeds uintptr range";
  else if (g.arenaIndex(v) >= g.arenaCount || g.arenaIndex(v) < 0) bad = "base outside usable address space";
  else if (g.arenaIndex(v + size - 1) >= g.arenaCount) bad = "end outside usable address space";
  if (bad !== "") {
    sys.sysUnreserve(v, size);
    const e = new RuntimeThrow("memory reservation exceeds address space limit");
    e.message = `runtime: memory allocated by OS [${hex(v)}, ${hex(v + size)}) not in usable address space: ${bad}\n${e.message}`;
    throw e;
  }
  if (v % g.heapArenaBytes !== 0) {
    sys.sysUnreserve(v, size);
    throw new RuntimeThrow("misrounded allocation in sysAlloc");
  }
  if (!h.registerArenas(v, size)) {
    sys.sysUnreserve(v, size);
    if (hint !== 0) h.v.setF64(hint + A_ADDR, hintOld);
    return [0, 0];
  }
  return [v, size];
}
