/**
 * Typed errors of os-mem. Misuse (an illegal transition, an unaligned or
 * out-of-range address, a bad size) throws one of these tagged classes and
 * leaves every page state and counter as it was. `MemoryFault` is the
 * simulated PROT_NONE fault of the checked access API. `RuntimeThrow` carries
 * the text of a Go runtime `throw` for broken invariants and for the few
 * places where Go itself throws. See docs/design.md, "Errors".
 */
import { pageStateNames } from "./types.js";

/** Formats an address as Go prints pointers: `0x` and lowercase hex. */
export function hex(addr: number): string {
  return `0x${addr.toString(16)}`;
}

/** Base class of every os-mem error; `_tag` names the concrete class. */
export abstract class OsMemError extends Error {
  abstract readonly _tag: string;
}

/** A transition was asked of a range holding a page in a state it cannot leave that way. */
export class IllegalTransitionError extends OsMemError {
  readonly _tag = "IllegalTransition" as const;
  /**
   * @param op - the transition (`sysMap`, `sysUsed`...).
   * @param page - address of the first offending page.
   * @param state - that page's state.
   * @param move - the move `op` makes, e.g. "Reserved→Prepared".
   */
  constructor(
    readonly op: string,
    readonly page: number,
    readonly state: number,
    readonly move: string,
  ) {
    super(`${op}: page ${hex(page)} is ${pageStateNames[state] ?? state}; ${op} moves ${move}`);
    this.name = "IllegalTransitionError";
  }
}

/** An address is unaligned, outside the backend's address space, or not a safe integer. */
export class BadAddressError extends OsMemError {
  readonly _tag = "BadAddress" as const;
  constructor(
    readonly op: string,
    readonly addr: number,
    readonly reason: string,
  ) {
    super(`${op}: bad address ${Number.isSafeInteger(addr) ? hex(addr) : String(addr)}: ${reason}`);
    this.name = "BadAddressError";
  }
}

/** A size is not a positive safe integer, or breaks a documented rule. */
export class BadSizeError extends OsMemError {
  readonly _tag = "BadSize" as const;
  constructor(
    readonly op: string,
    readonly size: number,
    readonly reason: string,
  ) {
    super(`${op}: bad size ${size}: ${reason}`);
    this.name = "BadSizeError";
  }
}

/** An alignment is not a power of two, or breaks a documented rule. */
export class BadAlignError extends OsMemError {
  readonly _tag = "BadAlign" as const;
  constructor(
    readonly op: string,
    readonly align: number,
    readonly reason: string,
  ) {
    super(`${op}: bad alignment ${align}: ${reason}`);
    this.name = "BadAlignError";
  }
}

/** A stat id is not one of {@link SysStat}, or a root slot index is out of range. */
export class BadArgumentError extends OsMemError {
  readonly _tag = "BadArgument" as const;
  constructor(
    readonly op: string,
    readonly detail: string,
  ) {
    super(`${op}: ${detail}`);
    this.name = "BadArgumentError";
  }
}

/** A backend option is invalid. */
export class BadOptionError extends OsMemError {
  readonly _tag = "BadOption" as const;
  constructor(
    readonly option: string,
    readonly detail: string,
  ) {
    super(`option ${option}: ${detail}`);
    this.name = "BadOptionError";
  }
}

/** Checked access touched a page that is not Ready (the simulated PROT_NONE fault). */
export class MemoryFault extends OsMemError {
  readonly _tag = "MemoryFault" as const;
  constructor(
    readonly addr: number,
    readonly page: number,
    readonly state: number,
    readonly access: "read" | "write",
  ) {
    super(
      `unexpected fault address ${hex(addr)}: ${access} of page ${hex(page)} in state ${pageStateNames[state] ?? state}`,
    );
    this.name = "MemoryFault";
  }
}

/** A Windows-like backend was asked to release part of a reservation; only whole reservations can go. */
export class PartialReleaseError extends OsMemError {
  readonly _tag = "PartialRelease" as const;
  constructor(
    readonly op: string,
    readonly addr: number,
    readonly size: number,
    readonly reservationBase: number,
    readonly reservationSize: number,
  ) {
    super(
      `${op}: [${hex(addr)}, ${hex(addr + size)}) is not a whole reservation ` +
        `(reservation [${hex(reservationBase)}, ${hex(reservationBase + reservationSize)}))`,
    );
    this.name = "PartialReleaseError";
  }
}

/** A buffer handed to `attach` holds no os-mem header, or one this version cannot read. */
export class AttachError extends OsMemError {
  readonly _tag = "AttachError" as const;
  constructor(readonly reason: string) {
    super(`attach: ${reason}`);
    this.name = "AttachError";
  }
}

/** The host refused to create the backing store of a simulated reservation. */
export class BackingAllocationError extends OsMemError {
  readonly _tag = "BackingAllocation" as const;
  constructor(
    readonly base: number,
    readonly size: number,
    readonly detail: string,
  ) {
    super(`cannot create backing for reservation [${hex(base)}, ${hex(base + size)}): ${detail}`);
    this.name = "BackingAllocationError";
  }
}

/**
 * A lock could not be taken without blocking where blocking is impossible: the
 * thread may not `Atomics.wait` (a browser main thread) and the bounded spin
 * ran out, or the buffer is not shared so no other thread can ever release it.
 */
export class LockWouldBlockError extends OsMemError {
  readonly _tag = "LockWouldBlock" as const;
  constructor(
    readonly lockName: string,
    readonly reason: string,
  ) {
    super(`lock ${lockName}: ${reason}`);
    this.name = "LockWouldBlockError";
  }
}

/** Lock-order checking (debug mode) saw a lock taken out of rank order, or taken twice. */
export class LockRankError extends OsMemError {
  readonly _tag = "LockRank" as const;
  constructor(
    readonly held: string,
    readonly wanted: string,
    readonly detail: string,
  ) {
    super(`lock ordering problem: ${detail} (held ${held}, acquiring ${wanted})`);
    this.name = "LockRankError";
  }
}

/** A Go runtime `throw`: the message is Go's throw text. */
export class RuntimeThrow extends OsMemError {
  readonly _tag = "RuntimeThrow" as const;
  constructor(readonly goText: string) {
    super(goText);
    this.name = "RuntimeThrow";
  }
}
