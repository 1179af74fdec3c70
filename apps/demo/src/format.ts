/** Number formatting for the views: bytes in binary units, counts with thousands separators. */

const units = ["B", "KiB", "MiB", "GiB", "TiB"];

/** `1536` → `"1.5 KiB"`; whole numbers of bytes below 1 KiB stay exact. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? "∞" : String(n);
  let v = Math.abs(n);
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  const s = u === 0 ? String(v) : v >= 100 ? v.toFixed(0) : v.toFixed(1);
  return `${n < 0 ? "−" : ""}${s} ${units[u]}`;
}

const grouped = new Intl.NumberFormat("en-US");

/** `1234567` → `"1,234,567"`. */
export function formatCount(n: number): string {
  return grouped.format(n);
}

/** `0.4567` → `"45.7 %"`. */
export function formatPercent(x: number): string {
  return `${(100 * x).toFixed(1)} %`;
}
