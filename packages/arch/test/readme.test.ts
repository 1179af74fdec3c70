// The README's Go correspondence table of constants is generated from the
// catalogue; this test fails when they drift. Regenerate with
// `UPDATE_README=1 pnpm exec vitest run --project arch test/readme.test.ts`.
import { readFileSync, writeFileSync } from "node:fs";
import { expect, test } from "vitest";
import { constantCatalog, constantInfoOf, go126Aliases, resolveConstantName } from "../src/index.js";

const start = "<!-- constants:start -->";
const end = "<!-- constants:end -->";
const readmePath = new URL("../README.md", import.meta.url);

function files(version: "1.19" | "1.26", name: string): string {
  const info = constantInfoOf(version, name);
  if (info === undefined || resolveConstantName(version, name) !== name) return "—";
  const pkg = info.goPackage === "runtime" ? "" : `${info.goPackage.split("/").at(-1)}.`;
  return `\`${pkg}${name}\` ${info.goFiles.map((f) => `\`${f}\``).join(" / ")}`;
}

function table(): string {
  const names: string[] = [];
  for (const v of ["1.19", "1.26"] as const)
    for (const c of constantCatalog(v)) if (!names.includes(c.name)) names.push(c.name);
  const rows = ["| profile field | Go 1.19 | Go 1.26 |", "| --- | --- | --- |"];
  for (const n of names) rows.push(`| \`${n}\` | ${files("1.19", n)} | ${files("1.26", n)} |`);
  for (const [old, now] of Object.entries(go126Aliases)) {
    const i = rows.findIndex((r) => r.startsWith(`| \`${old}\` |`));
    rows[i] = (rows[i] as string).replace(/\| — \|$/, `| alias of \`${now}\` |`);
  }
  return rows.join("\n");
}

test("the README's constant table matches the catalogue", () => {
  const readme = readFileSync(readmePath, "utf8");
  const want = `${start}\n${table()}\n${end}`;
  const got = readme.slice(readme.indexOf(start), readme.indexOf(end) + end.length);
  if (process.env.UPDATE_README === "1" && got !== want) {
    writeFileSync(readmePath, readme.replace(got, want));
    return;
  }
  expect(got).toBe(want);
});
