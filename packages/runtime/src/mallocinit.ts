/**
 * mallocinit's checks (Go's malloc.go `mallocinit`, before `mheap_.init`):
 * the tiny size class, the heap bitmap geometry, the physical page size
 * (present, within Go's bounds, a power of two), the huge page size (a power
 * of two; one larger than a chunk is silently treated as 0), and the arena
 * page divisibility rules — each failure with Go's printed line and throw
 * text. Also which profiles the heap can run at all, and the profile a
 * backend runs by default. See docs/design.md, "The heap".
 */
import { type GoVersion, getProfile, type Profile } from "@gomalloc/arch";
import type { SysMemory } from "@gomalloc/os-mem";
import type { SizeClasses } from "@gomalloc/sizeclass";
import { MallocInitError, UnsupportedProfileError } from "./errors.js";

/** What mallocinit checks. */
export interface MallocInitInputs {
  profile: Profile;
  sizeClasses: SizeClasses;
  /** Go's physPageSize (0 = the OS did not tell). */
  physPageSize: number;
  /** Go's physHugePageSize (0 = none). */
  physHugePageSize: number;
}

const pow2 = (x: number) => x > 0 && Number.isInteger(Math.log2(x));

/**
 * Runs mallocinit's checks in Go's order and returns the huge page size the
 * heap uses (0 when Go would drop it). Throws MallocInitError with Go's text.
 */
export function mallocinitChecks(inp: MallocInitInputs): { physHugePageSize: number } {
  const { profile: p, sizeClasses: sc, physPageSize } = inp;
  let huge = inp.physHugePageSize;
  if (sc.class_to_size[p.tinySizeClass] !== p.maxTinySize) throw new MallocInitError("bad TinySizeClass", "");
  if (p.goVersion === "1.19") {
    if (!pow2(p.heapArenaBitmapBytes)) throw new MallocInitError("heapArenaBitmapBytes not a power of 2", "");
  } else if (!pow2(p.heapArenaBitmapWords)) {
    throw new MallocInitError("heapArenaBitmapWords not a power of 2", "");
  }
  if (physPageSize === 0) throw new MallocInitError("failed to get system page size", "");
  if (physPageSize > p.maxPhysPageSize) {
    throw new MallocInitError(
      "bad system page size",
      `system page size (${physPageSize}) is larger than maximum page size (${p.maxPhysPageSize})\n`,
    );
  }
  if (physPageSize < p.minPhysPageSize) {
    throw new MallocInitError(
      "bad system page size",
      `system page size (${physPageSize}) is smaller than minimum page size (${p.minPhysPageSize})\n`,
    );
  }
  if (!pow2(physPageSize)) {
    throw new MallocInitError("bad system page size", `system page size (${physPageSize}) must be a power of 2\n`);
  }
  if (huge !== 0 && !pow2(huge)) {
    throw new MallocInitError("bad system huge page size", `system huge page size (${huge}) must be a power of 2\n`);
  }
  if (huge > p.maxPhysHugePageSize) huge = 0;
  const pagesPerSpanRoot = p.goVersion === "1.19" ? 512 : Math.min(512, p.pagesPerArena);
  if (p.pagesPerArena % pagesPerSpanRoot !== 0) {
    throw new MallocInitError(
      "bad pagesPerSpanRoot",
      `pagesPerArena (${p.pagesPerArena}) is not divisible by pagesPerSpanRoot (${pagesPerSpanRoot})\n`,
    );
  }
  if (p.pagesPerArena % p.pagesPerReclaimerChunk !== 0) {
    throw new MallocInitError(
      "bad pagesPerReclaimerChunk",
      `pagesPerArena (${p.pagesPerArena}) is not divisible by pagesPerReclaimerChunk (${p.pagesPerReclaimerChunk})\n`,
    );
  }
  if (p.goVersion === "1.26") {
    let isClass = false;
    let onePage = true;
    for (let i = 0; i < sc.numSizeClasses; i++) {
      if (sc.class_to_allocnpages[i]! > 1) onePage = false;
      if (p.minSizeForMallocHeader === sc.class_to_size[i]) {
        isClass = true;
        break;
      }
    }
    if (!isClass) throw new MallocInitError("min size of malloc header is not a size class boundary", "");
    if (!onePage) {
      throw new MallocInitError(
        "expected all size classes up to min size for malloc header to fit in one-page spans",
        "",
      );
    }
    if (p.minSizeForMallocHeader / p.PtrSize > 8 * p.PtrSize) {
      throw new MallocInitError("max pointer/scan bitmap size for headerless objects is too large", "");
    }
  }
  return { physHugePageSize: huge };
}

/**
 * Throws UnsupportedProfileError for a profile the heap cannot run on `sys`:
 * heap addresses must be plain numbers (aix/ppc64's start at 0x0a00…, past
 * 2^53), and the flat backends (one linear buffer, sbrk placement) run Go's
 * wasm shape only.
 */
export function checkProfileRunnable(p: Profile, sys: SysMemory): void {
  if (p.arenaBaseOffsetAdd > 2 ** 53 || p.goos === "aix") {
    throw new UnsupportedProfileError(p.pair, "its heap addresses (arenaBaseOffset 0x0a00000000000000) exceed 2^53");
  }
  if (p.heapAddrBits > 52) throw new UnsupportedProfileError(p.pair, `heapAddrBits ${p.heapAddrBits} > 52`);
  if (sys.caps.backend !== "simulated" && p.goarch !== "wasm") {
    throw new UnsupportedProfileError(p.pair, `a ${sys.caps.backend} backend runs the js/wasm shape only`);
  }
  if (sys.caps.addressSpaceEnd > 2 ** p.heapAddrBits + p.arenaBaseOffsetAdd && sys.caps.backend !== "simulated") {
    throw new UnsupportedProfileError(p.pair, "the backend's address space exceeds the profile's");
  }
}

/** The profile a backend runs when none is given: js/wasm on flat and sbrk backends, else linux/amd64. */
export function defaultProfile(sys: SysMemory, goVersion: GoVersion): Profile {
  if (sys.caps.backend !== "simulated" || sys.caps.sbrk) return getProfile(goVersion, "js", "wasm");
  return getProfile(goVersion, "linux", "amd64");
}
