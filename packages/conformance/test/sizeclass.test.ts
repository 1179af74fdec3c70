import { goVersions } from "@gomalloc/arch";
import { mksizeclasses, toJSON } from "@gomalloc/sizeclass";
import { describe, expect, test } from "vitest";
import { checkArch, checkSizeClasses, compareSizeClasses, loadFixtures } from "../src/index.js";

describe("mksizeclasses against Go's size-class fixtures", () => {
  for (const v of goVersions) {
    test(`go${v}: every scalar and table entry equals Go's`, () => {
      const r = checkSizeClasses(v);
      expect(r.issues.map((i) => i.message)).toEqual([]);
      // 5 tables of Go's lengths plus the scalars: nothing was skipped.
      const fx = loadFixtures(v).sizeclasses;
      const entries = Object.values(fx.tables).reduce((n, t) => n + t.length, 0);
      expect(r.checked).toBe(entries + Object.keys(fx.constants).length);
      expect(r.ok).toBe(true);
    });

    test(`go${v}: checkArch reports the size classes with the profiles`, () => {
      const r = checkArch(v);
      expect(r.sizeclasses?.ok).toBe(true);
      expect(r.ok).toBe(true);
    });

    test(`go${v}: a changed table entry is named with expected and actual`, () => {
      const ours = toJSON(mksizeclasses({ goVersion: v }));
      const name = Object.keys(ours.tables)[0] as string;
      const table = [...(ours.tables[name] as number[])];
      table[5] = (table[5] as number) + 8;
      const broken = { ...ours, tables: { ...ours.tables, [name]: table } };
      const r = compareSizeClasses(`go${v}`, loadFixtures(v).sizeclasses, broken, true);
      expect(r.issues).toHaveLength(1);
      expect(r.issues[0]?.message).toContain(name);
    });
  }

  test("the arch profiles and the generator agree on the scalars they share", () => {
    for (const v of goVersions) {
      const t = mksizeclasses({ goVersion: v });
      const p = loadFixtures(v).constants["linux/amd64"] as Record<string, unknown>;
      expect(t.numSizeClasses).toBe(p._NumSizeClasses ?? p.NumSizeClasses);
      expect(t.class_to_size[t.tinySizeClass]).toBe(p._TinySize ?? p.TinySize ?? 16);
    }
  });
});
