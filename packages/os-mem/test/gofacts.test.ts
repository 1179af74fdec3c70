// os-mem against facts extracted from Go's own source (fixtures/, made by gen/gofacts).
import { readFileSync } from "node:fs";
import { sysReserveAlignedRetries, sysStatNames } from "@gomalloc/os-mem";
import { describe, expect, it } from "vitest";

interface GoFacts {
  goVersion: string;
  sysMemStats: string[];
  reserveAlignedRetries: number;
  throws: string[];
}

const load = (v: string): GoFacts =>
  JSON.parse(readFileSync(new URL(`../fixtures/go${v}.json`, import.meta.url), "utf8"));

/** The Go throw texts os-mem raises as RuntimeThrow, with the first Go version that has each. */
const ourThrows: [string, string][] = [
  ["sysMemStat overflow", "1.19"],
  ["failed to allocate aligned heap memory; too many retries", "1.19"],
  ["unlock of unlocked lock", "1.19"],
  ["unexpected heap arena hint on sbrk platform", "1.26"],
];

describe.each(["1.19", "1.26"])("Go %s mem.go facts", (v) => {
  const facts = load(v);
  it("came from that Go version", () => {
    expect(facts.goVersion.startsWith(`go${v}`)).toBe(true);
  });
  it("SysStat names are Go's sysMemStat counters", () => {
    expect([...sysStatNames].sort()).toEqual(facts.sysMemStats);
  });
  it("sysReserveAligned retries as often as Go", () => {
    expect(sysReserveAlignedRetries).toBe(facts.reserveAlignedRetries);
  });
  it("every RuntimeThrow text is Go's", () => {
    for (const [text, since] of ourThrows) {
      if (Number(v.split(".")[1]) >= Number(since.split(".")[1])) expect(facts.throws).toContain(text);
    }
  });
});
