// A vitest setup file for every package (see vitest.shared.ts): when FC_SEED is
// set, it becomes fast-check's global seed, so every property that does not name
// a seed of its own (test.prop, fc.assert without `seed`) replays with it too,
// not only the ones that read FC_SEED themselves. Unset, fast-check picks a
// random seed and prints it with any failure, as before.
import fc from "fast-check";

const seed = process.env.FC_SEED;
if (seed !== undefined && seed !== "") {
  const n = Number(seed);
  if (!Number.isInteger(n)) throw new Error(`FC_SEED must be an integer, got ${JSON.stringify(seed)}`);
  fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: n | 0 });
}
