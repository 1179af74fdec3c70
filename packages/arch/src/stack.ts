/**
 * runtime/stack.go's size constants: the extra bytes an OS needs below the
 * stack guard, the minimum stack, and the smallest stack allocated (the sum
 * rounded up to a power of two by the same bit smearing Go writes out).
 * Go 1.26 renamed them (`_StackSystem` → `stackSystem`, `_StackMin` →
 * `stackMin`, `_FixedStack` → `fixedStack`) and made Windows' extra space a
 * flat 4096 bytes instead of 512 per pointer byte. See docs/design.md, "Layers".
 */
import type { FormulaEnv } from "./env.js";

/** Rounds `n` up to a power of two as stack.go does (`fixedStack0`…`fixedStack6`); n < 2^31. */
export function roundPow2(n: number): number {
  const s1 = n - 1;
  const s2 = s1 | (s1 >> 1);
  const s3 = s2 | (s2 >> 2);
  const s4 = s3 | (s3 >> 4);
  const s5 = s4 | (s4 >> 8);
  const s6 = s5 | (s5 >> 16);
  return s6 + 1;
}

/** Go 1.19's stack.go. */
export function stack119(env: FormulaEnv) {
  const { o, a, g } = env;
  const _StackSystem = o.IsWindows * 512 * g.PtrSize + o.IsPlan9 * 512 + o.IsIos * a.IsArm64 * 1024;
  const _StackMin = 2048;
  return { _StackSystem, _StackMin, _FixedStack: roundPow2(_StackMin + _StackSystem) };
}

/** Go 1.26's stack.go. */
export function stack126(env: FormulaEnv) {
  const { o, a } = env;
  const stackSystem = o.IsWindows * 4096 + o.IsPlan9 * 512 + o.IsIos * a.IsArm64 * 1024;
  const stackMin = 2048;
  return { stackSystem, stackMin, fixedStack: roundPow2(stackMin + stackSystem) };
}
