/**
 * Constant-by-constant and entry-by-entry comparison of values in the
 * fixture format. Integers compare exactly whatever their encoding (a JSON
 * number or a decimal string), so a dump that writes a 64-bit value as a
 * JSON number is caught when the number lost precision and accepted when it
 * did not. Every difference becomes an issue naming the pair, the constant,
 * the expected and the actual value. See docs/design.md, "Layers".
 */
import type { ConstantsFixture, FixtureValue, PairConstants } from "./fixtures.js";

/** What kind of difference an issue records. */
export type IssueKind =
  /** Present on both sides with different values. */
  | "mismatch"
  /** Go declares it; the checked side lacks it. */
  | "missing"
  /** The checked side has it; Go does not declare it. */
  | "unexpected";

/** One difference between Go's values and the checked ones. */
export interface ConstantIssue {
  readonly kind: IssueKind;
  /** `goos/goarch`. */
  readonly pair: string;
  /** Go identifier; absent when the whole pair is missing or unexpected. */
  readonly constant?: string;
  /** Go's value (absent for `unexpected`). */
  readonly expected?: FixtureValue;
  /** The checked value (absent for `missing`). */
  readonly actual?: FixtureValue;
  /** One line naming version, pair, constant, expected and actual. */
  readonly message: string;
}

/** One difference in a size-class table or scalar. */
export interface TableIssue {
  readonly kind: IssueKind | "length";
  /** Go's name of the table or scalar. */
  readonly name: string;
  /** Entry index for table entries. */
  readonly index?: number;
  readonly expected?: FixtureValue;
  readonly actual?: FixtureValue;
  readonly message: string;
}

const maxSafe = 2n ** 53n;

/** The exact integer a fixture value denotes, or undefined when it is not an exact integer. */
function exactInt(v: FixtureValue): bigint | undefined {
  if (typeof v === "string") return BigInt(v);
  if (typeof v === "number" && Number.isInteger(v)) {
    const b = BigInt(v);
    // A JSON number beyond 2^53 may already have lost precision: not exact.
    return b <= maxSafe && b >= -maxSafe ? b : undefined;
  }
  return undefined;
}

/** True when `actual` denotes exactly Go's value `expected`. */
export function sameValue(expected: FixtureValue, actual: FixtureValue): boolean {
  if (Array.isArray(expected) || Array.isArray(actual)) {
    if (!Array.isArray(expected) || !Array.isArray(actual) || expected.length !== actual.length) return false;
    return expected.every((x, i) => x === actual[i]);
  }
  if (typeof expected === "boolean" || typeof actual === "boolean") return expected === actual;
  const e = exactInt(expected);
  if (e !== undefined) return exactInt(actual) === e;
  return expected === actual;
}

/** A value as it reads in messages: arrays and strings as JSON, bigint strings plainly. */
export function showValue(v: FixtureValue | undefined): string {
  if (v === undefined) return "(absent)";
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}

function hint(expected: FixtureValue, actual: FixtureValue): string {
  if (typeof actual === "number" && Number.isInteger(actual) && Math.abs(actual) > 2 ** 53) {
    return " (a JSON number beyond 2^53 loses precision; write it as a decimal string)";
  }
  if (typeof expected !== typeof actual && !(typeof expected === "number" && typeof actual === "string")) {
    return ` (expected a ${Array.isArray(expected) ? "array" : typeof expected}, got a ${Array.isArray(actual) ? "array" : typeof actual})`;
  }
  return "";
}

/** Compares one pair's constants. With `complete`, constants Go has and `actual` lacks are issues too. */
export function comparePair(
  label: string,
  pair: string,
  expected: PairConstants,
  actual: PairConstants,
  complete: boolean,
): { checked: number; issues: ConstantIssue[] } {
  const issues: ConstantIssue[] = [];
  let checked = 0;
  for (const [name, want] of Object.entries(expected)) {
    if (!Object.hasOwn(actual, name)) {
      if (complete) {
        issues.push({
          kind: "missing",
          pair,
          constant: name,
          expected: want,
          message: `${label} ${pair} ${name}: expected ${showValue(want)}, actual (absent)`,
        });
      }
      continue;
    }
    const got = actual[name] as FixtureValue;
    checked++;
    if (!sameValue(want, got)) {
      issues.push({
        kind: "mismatch",
        pair,
        constant: name,
        expected: want,
        actual: got,
        message: `${label} ${pair} ${name}: expected ${showValue(want)}, actual ${showValue(got)}${hint(want, got)}`,
      });
    }
  }
  for (const [name, got] of Object.entries(actual)) {
    if (!Object.hasOwn(expected, name)) {
      issues.push({
        kind: "unexpected",
        pair,
        constant: name,
        actual: got,
        message: `${label} ${pair} ${name}: Go declares no such constant, actual ${showValue(got)}`,
      });
    }
  }
  return { checked, issues };
}

/** One pair's result. */
export interface PairResult {
  readonly pair: string;
  /** Constants compared (present on both sides). */
  readonly checked: number;
  readonly issues: readonly ConstantIssue[];
  readonly ok: boolean;
}

/**
 * Compares a constants map with Go's, pair by pair, in Go's pair order (then
 * the checked side's unknown pairs). With `complete`, pairs and constants Go
 * has but `actual` lacks are failures; without it they are skipped.
 */
export function compareConstants(
  label: string,
  expected: ConstantsFixture,
  actual: ConstantsFixture,
  complete: boolean,
): PairResult[] {
  const out: PairResult[] = [];
  for (const [pair, want] of Object.entries(expected)) {
    const got = actual[pair];
    if (got === undefined) {
      if (complete) {
        const issue: ConstantIssue = {
          kind: "missing",
          pair,
          message: `${label} ${pair}: expected ${Object.keys(want).length} constants, actual (pair absent)`,
        };
        out.push({ pair, checked: 0, issues: [issue], ok: false });
      }
      continue;
    }
    const { checked, issues } = comparePair(label, pair, want, got, complete);
    out.push({ pair, checked, issues, ok: issues.length === 0 });
  }
  for (const pair of Object.keys(actual)) {
    if (!Object.hasOwn(expected, pair)) {
      const issue: ConstantIssue = {
        kind: "unexpected",
        pair,
        message: `${label} ${pair}: not a pair of \`go tool dist list\``,
      };
      out.push({ pair, checked: 0, issues: [issue], ok: false });
    }
  }
  return out;
}

/**
 * Compares size-class scalars and tables with Go's, entry by entry. Names
 * are Go's for the version (`class_to_size` in 1.19, `SizeClassToSize` in
 * 1.26). With `complete`, scalars and tables Go has and `actual` lacks are issues.
 */
export function compareSizeClasses(
  label: string,
  expected: {
    readonly constants: Readonly<Record<string, FixtureValue>>;
    readonly tables: Readonly<Record<string, readonly number[]>>;
  },
  actual: {
    readonly constants?: Readonly<Record<string, FixtureValue>>;
    readonly tables?: Readonly<Record<string, readonly number[]>>;
  },
  complete: boolean,
): { checked: number; issues: TableIssue[] } {
  const issues: TableIssue[] = [];
  let checked = 0;
  const gotConsts = actual.constants ?? {};
  const gotTables = actual.tables ?? {};
  for (const [name, want] of Object.entries(expected.constants)) {
    if (!Object.hasOwn(gotConsts, name)) {
      if (complete)
        issues.push({
          kind: "missing",
          name,
          expected: want,
          message: `${label} ${name}: expected ${showValue(want)}, actual (absent)`,
        });
      continue;
    }
    const got = gotConsts[name] as FixtureValue;
    checked++;
    if (!sameValue(want, got)) {
      issues.push({
        kind: "mismatch",
        name,
        expected: want,
        actual: got,
        message: `${label} ${name}: expected ${showValue(want)}, actual ${showValue(got)}`,
      });
    }
  }
  for (const [name, want] of Object.entries(expected.tables)) {
    const got = gotTables[name];
    if (got === undefined) {
      if (complete)
        issues.push({
          kind: "missing",
          name,
          message: `${label} ${name}: expected ${want.length} entries, actual (absent)`,
        });
      continue;
    }
    if (got.length !== want.length) {
      issues.push({
        kind: "length",
        name,
        expected: want.length,
        actual: got.length,
        message: `${label} ${name}: expected ${want.length} entries, actual ${got.length}`,
      });
    }
    const n = Math.min(got.length, want.length);
    for (let i = 0; i < n; i++) {
      checked++;
      if (got[i] !== want[i]) {
        issues.push({
          kind: "mismatch",
          name,
          index: i,
          expected: want[i] as number,
          actual: got[i] as number,
          message: `${label} ${name}[${i}]: expected ${want[i]}, actual ${got[i]}`,
        });
      }
    }
  }
  for (const name of [...Object.keys(gotConsts), ...Object.keys(gotTables)]) {
    if (!Object.hasOwn(expected.constants, name) && !Object.hasOwn(expected.tables, name)) {
      issues.push({ kind: "unexpected", name, message: `${label} ${name}: Go's sizeclasses.go declares no such name` });
    }
  }
  return { checked, issues };
}
