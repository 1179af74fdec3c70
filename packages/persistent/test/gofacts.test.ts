// persistent against facts extracted from Go's own source (fixtures/, made by os-mem's gen/gofacts).
import { readFileSync } from "node:fs";
import { fixAllocChunk, persistentChunkSize, persistentMaxAlign, persistentMaxBlock } from "@gomalloc/persistent";
import { describe, expect, it } from "vitest";

interface GoFacts {
  goVersion: string;
  constants: Record<string, number>;
  throws: string[];
}

const load = (v: string): GoFacts =>
  JSON.parse(readFileSync(new URL(`../fixtures/go${v}.json`, import.meta.url), "utf8"));

describe.each(["1.19", "1.26"])("Go %s persistentalloc/fixalloc facts", (v) => {
  const facts = load(v);
  it("constants equal Go's", () => {
    expect(facts.goVersion.startsWith(`go${v}`)).toBe(true);
    expect(persistentChunkSize).toBe(facts.constants.persistentChunkSize);
    expect(persistentMaxBlock).toBe(facts.constants.maxBlock);
    expect(fixAllocChunk).toBe(facts.constants._FixAllocChunk);
    expect(persistentMaxAlign).toBe(facts.constants.pageSize);
  });
  it("misuse messages are Go's throw texts", () => {
    for (const text of [
      "persistentalloc: size == 0",
      "persistentalloc: align is not a power of 2",
      "persistentalloc: align is too large",
      "runtime: fixalloc size too large",
    ]) {
      expect(facts.throws).toContain(text);
    }
  });
});
