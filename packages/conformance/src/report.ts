/**
 * Plain-text rendering of a {@link ConformanceReport}: one row per pair with
 * the number of constants compared and pass/FAIL, each difference on its own
 * indented line under its pair, then a summary line. Used by
 * `gomalloc conformance`. See docs/design.md, "Layers".
 */
import type { ConformanceReport } from "./check.js";

/** Renders a report as a per-pair pass/fail table followed by a summary line. */
export function formatReport(r: ConformanceReport, title = "constants"): string {
  const lines: string[] = [`Go ${r.goVersion} ${title} vs ${r.source}`];
  const width = Math.max(4, r.sizeclasses === undefined ? 0 : 12, ...r.pairs.map((p) => p.pair.length));
  lines.push(`  ${"pair".padEnd(width)}  ${"checked".padStart(7)}  result`);
  for (const p of r.pairs) {
    const result = p.ok ? "pass" : `FAIL (${p.issues.length})`;
    lines.push(`  ${p.pair.padEnd(width)}  ${String(p.checked).padStart(7)}  ${result}`);
    for (const i of p.issues) lines.push(`      ${i.message}`);
  }
  if (r.sizeclasses !== undefined) {
    const s = r.sizeclasses;
    lines.push(
      `  ${"size classes".padEnd(width)}  ${String(s.checked).padStart(7)}  ${s.ok ? "pass" : `FAIL (${s.issues.length})`}`,
    );
    for (const i of s.issues) lines.push(`      ${i.message}`);
  }
  const passed = r.pairs.filter((p) => p.ok).length;
  lines.push(
    `  ${r.pairs.length} pairs: ${passed} passed, ${r.pairs.length - passed} failed; ${r.checked} values compared, ${r.failed} differ`,
  );
  return `${lines.join("\n")}\n`;
}
