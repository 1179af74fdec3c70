/**
 * Deterministic fault injection for testing the layers above os-mem: refuse
 * the Nth reservation, map or commit, make the Nth hinted reservation land
 * elsewhere (a lost race), or cap mapped/committed bytes to force
 * out-of-memory. Every backend carries one `FaultInjector`; its counters are
 * per instance (per worker for shared backends). A refusal makes the call
 * return Go's failure value (0, false) and changes nothing. See docs/design.md,
 * "Errors".
 */

import { BadArgumentError } from "./errors.js";

/** Call counters and refusal plan of one backend instance. Call numbers start at 1. */
export class FaultInjector {
  /** Reservations attempted so far (`sysReserve`, `sysAlloc`, each reservation inside `sysReserveAligned`). */
  reserveCalls = 0;
  /** `sysMap` calls so far. */
  mapCalls = 0;
  /** `sysUsed` calls so far. */
  usedCalls = 0;
  /** Reservation call numbers to refuse (return 0). */
  readonly refuseReserveAt = new Set<number>();
  /** Reservation call numbers whose hint is ignored, as if another thread took that range first. */
  readonly ignoreHintAt = new Set<number>();
  /** `sysMap` call numbers to refuse (return false). */
  readonly refuseMapAt = new Set<number>();
  /** `sysUsed` call numbers to refuse (return false). */
  readonly refuseUsedAt = new Set<number>();
  /** Refuse any transition that would make mapped (Prepared + Ready) bytes exceed this. */
  mappedLimit = Number.POSITIVE_INFINITY;
  /** Refuse any transition that would make Ready (committed) bytes exceed this. */
  commitLimit = Number.POSITIVE_INFINITY;

  /** Refuses the next `k` reservations. Throws BadArgumentError unless k is an integer in [0, 2^20]. */
  refuseNextReserve(k = 1): void {
    checkCount("refuseNextReserve", k);
    for (let i = 1; i <= k; i++) this.refuseReserveAt.add(this.reserveCalls + i);
  }

  /** Refuses the next `k` sysMap calls. Throws BadArgumentError unless k is an integer in [0, 2^20]. */
  refuseNextMap(k = 1): void {
    checkCount("refuseNextMap", k);
    for (let i = 1; i <= k; i++) this.refuseMapAt.add(this.mapCalls + i);
  }

  /** Refuses the next `k` sysUsed calls. Throws BadArgumentError unless k is an integer in [0, 2^20]. */
  refuseNextUsed(k = 1): void {
    checkCount("refuseNextUsed", k);
    for (let i = 1; i <= k; i++) this.refuseUsedAt.add(this.usedCalls + i);
  }

  /** Makes the next `k` reservations ignore their hint. Throws BadArgumentError unless k is an integer in [0, 2^20]. */
  ignoreNextHints(k = 1): void {
    checkCount("ignoreNextHints", k);
    for (let i = 1; i <= k; i++) this.ignoreHintAt.add(this.reserveCalls + i);
  }

  /** Clears the plan (not the counters). */
  clear(): void {
    this.refuseReserveAt.clear();
    this.ignoreHintAt.clear();
    this.refuseMapAt.clear();
    this.refuseUsedAt.clear();
    this.mappedLimit = Number.POSITIVE_INFINITY;
    this.commitLimit = Number.POSITIVE_INFINITY;
  }

  /** Counts a reservation; true if it must be refused. */
  nextReserve(): boolean {
    return this.refuseReserveAt.has(++this.reserveCalls);
  }

  /** True if the reservation counted last must ignore its hint. */
  hintIgnored(): boolean {
    return this.ignoreHintAt.has(this.reserveCalls);
  }

  /** Counts a sysMap; true if it must be refused. */
  nextMap(): boolean {
    return this.refuseMapAt.has(++this.mapCalls);
  }

  /** Counts a sysUsed; true if it must be refused. */
  nextUsed(): boolean {
    return this.refuseUsedAt.has(++this.usedCalls);
  }
}

/** The most calls one plan step may name (each is a Set entry). */
const maxPlannedCalls = 2 ** 20;

function checkCount(op: string, k: number): void {
  if (!(Number.isInteger(k) && k >= 0 && k <= maxPlannedCalls)) {
    throw new BadArgumentError(op, `k = ${k} is not an integer in [0, 2^20]`);
  }
}
