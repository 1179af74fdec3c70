import { fc, test as propTest } from "@fast-check/vitest";
import { describe, expect, test } from "vitest";
import { getProfile } from "../src/index.js";
import { roundPow2 } from "../src/stack.js";

/** Slow, obviously correct: the smallest power of two at or above n. */
function nextPow2Slow(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

describe("fixedStack", () => {
  propTest.prop([fc.integer({ min: 1, max: 2 ** 30 })])("Go's bit smearing rounds up to a power of two", (n) => {
    expect(roundPow2(n)).toBe(nextPow2Slow(n));
  });

  test("every small size", () => {
    for (let n = 1; n <= 70000; n++) expect(roundPow2(n)).toBe(nextPow2Slow(n));
  });

  // The stack cache table in Go's malloc.go (the Windows rows are Go 1.19's; in Go
  // 1.26 windows/386 reserves 4096 system bytes and gets 8 KiB stacks).
  test.each([
    ["1.19", "linux", "amd64", 2048, 4],
    ["1.19", "darwin", "arm64", 2048, 4],
    ["1.19", "windows", "386", 4096, 3],
    ["1.19", "windows", "amd64", 8192, 2],
    ["1.19", "plan9", "386", 4096, 3],
    ["1.19", "ios", "arm64", 4096, 4],
    ["1.26", "linux", "amd64", 2048, 4],
    ["1.26", "windows", "386", 8192, 3],
    ["1.26", "windows", "amd64", 8192, 2],
    ["1.26", "plan9", "amd64", 4096, 3],
  ])("Go %s %s/%s: %i-byte fixed stacks, %i cached orders", (v, goos, goarch, fixed, orders) => {
    const p = getProfile(v, goos, goarch);
    expect(p._FixedStack).toBe(fixed);
    expect(p._NumStackOrders).toBe(orders);
    expect(p._StackCacheSize).toBe(32 << 10);
  });
});
