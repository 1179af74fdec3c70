/**
 * internal/goarch: the per-GOARCH inputs of every formula (pointer size, the
 * default physical page size, PC quantum, minimum frame size, stack alignment
 * from goarch_$GOARCH.go, the 0/1 `Is*` flags from zgoarch_$GOARCH.go) and the
 * constants goarch.go derives from them. Go 1.26 changed riscv64's PC quantum
 * from 4 to 2 (compressed instructions); everything else is shared. See
 * docs/design.md, "Layers".
 */
import { checkGoVersion, type GoVersion } from "./versions.js";

/** The per-architecture inputs of goarch_$GOARCH.go (Go's names). */
export interface GoarchInputs {
  /** `unsafe.Sizeof(uintptr(0))`: what `4 << (^uintptr(0) >> 63)` evaluates to. */
  readonly ptrSize: 4 | 8;
  readonly _DefaultPhysPageSize: number;
  readonly _PCQuantum: number;
  readonly _MinFrameSize: number;
  /** `_StackAlign`; `"PtrSize"` where Go writes `_StackAlign = PtrSize`. */
  readonly _StackAlign: number | "PtrSize";
}

const arch119: Readonly<Record<string, GoarchInputs>> = {
  "386": { ptrSize: 4, _DefaultPhysPageSize: 4096, _PCQuantum: 1, _MinFrameSize: 0, _StackAlign: "PtrSize" },
  amd64: { ptrSize: 8, _DefaultPhysPageSize: 4096, _PCQuantum: 1, _MinFrameSize: 0, _StackAlign: "PtrSize" },
  arm: { ptrSize: 4, _DefaultPhysPageSize: 65536, _PCQuantum: 4, _MinFrameSize: 4, _StackAlign: "PtrSize" },
  arm64: { ptrSize: 8, _DefaultPhysPageSize: 65536, _PCQuantum: 4, _MinFrameSize: 8, _StackAlign: 16 },
  loong64: { ptrSize: 8, _DefaultPhysPageSize: 16384, _PCQuantum: 4, _MinFrameSize: 8, _StackAlign: "PtrSize" },
  mips: { ptrSize: 4, _DefaultPhysPageSize: 65536, _PCQuantum: 4, _MinFrameSize: 4, _StackAlign: "PtrSize" },
  mipsle: { ptrSize: 4, _DefaultPhysPageSize: 65536, _PCQuantum: 4, _MinFrameSize: 4, _StackAlign: "PtrSize" },
  mips64: { ptrSize: 8, _DefaultPhysPageSize: 16384, _PCQuantum: 4, _MinFrameSize: 8, _StackAlign: "PtrSize" },
  mips64le: { ptrSize: 8, _DefaultPhysPageSize: 16384, _PCQuantum: 4, _MinFrameSize: 8, _StackAlign: "PtrSize" },
  ppc64: { ptrSize: 8, _DefaultPhysPageSize: 65536, _PCQuantum: 4, _MinFrameSize: 32, _StackAlign: 16 },
  ppc64le: { ptrSize: 8, _DefaultPhysPageSize: 65536, _PCQuantum: 4, _MinFrameSize: 32, _StackAlign: 16 },
  riscv64: { ptrSize: 8, _DefaultPhysPageSize: 4096, _PCQuantum: 4, _MinFrameSize: 8, _StackAlign: "PtrSize" },
  s390x: { ptrSize: 8, _DefaultPhysPageSize: 4096, _PCQuantum: 2, _MinFrameSize: 8, _StackAlign: "PtrSize" },
  wasm: { ptrSize: 8, _DefaultPhysPageSize: 65536, _PCQuantum: 1, _MinFrameSize: 0, _StackAlign: "PtrSize" },
};

const arch126: Readonly<Record<string, GoarchInputs>> = {
  ...arch119,
  riscv64: { ptrSize: 8, _DefaultPhysPageSize: 4096, _PCQuantum: 2, _MinFrameSize: 8, _StackAlign: "PtrSize" },
};

const archByVersion: Readonly<Record<GoVersion, Readonly<Record<string, GoarchInputs>>>> = {
  "1.19": arch119,
  "1.26": arch126,
};

/** The goarch_$GOARCH.go inputs of `goarch` in a Go version, or undefined for an unknown GOARCH. */
export function goarchInputs(version: GoVersion, goarch: string): GoarchInputs | undefined {
  const byArch = archByVersion[checkGoVersion(version)];
  return Object.hasOwn(byArch, goarch) ? byArch[goarch] : undefined;
}

/** The 0/1 flags of internal/goarch for one GOARCH (Go's names). */
export interface GoarchFlags {
  readonly GOARCH: string;
  readonly Is386: 0 | 1;
  readonly IsAmd64: 0 | 1;
  readonly IsArm: 0 | 1;
  readonly IsArmbe: 0 | 1;
  readonly IsArm64: 0 | 1;
  readonly IsArm64be: 0 | 1;
  readonly IsLoong64: 0 | 1;
  readonly IsMips: 0 | 1;
  readonly IsMipsle: 0 | 1;
  readonly IsMips64: 0 | 1;
  readonly IsMips64le: 0 | 1;
  readonly IsPpc: 0 | 1;
  readonly IsPpc64: 0 | 1;
  readonly IsPpc64le: 0 | 1;
  readonly IsRiscv64: 0 | 1;
  readonly IsS390: 0 | 1;
  readonly IsS390x: 0 | 1;
  readonly IsSparc: 0 | 1;
  readonly IsSparc64: 0 | 1;
  readonly IsWasm: 0 | 1;
}

const flag = (goarch: string, name: string): 0 | 1 => (goarch === name ? 1 : 0);

/** The internal/goarch flags of `goarch`. */
export function goarchFlags(goarch: string): GoarchFlags {
  return {
    GOARCH: goarch,
    Is386: flag(goarch, "386"),
    IsAmd64: flag(goarch, "amd64"),
    IsArm: flag(goarch, "arm"),
    IsArmbe: flag(goarch, "armbe"),
    IsArm64: flag(goarch, "arm64"),
    IsArm64be: flag(goarch, "arm64be"),
    IsLoong64: flag(goarch, "loong64"),
    IsMips: flag(goarch, "mips"),
    IsMipsle: flag(goarch, "mipsle"),
    IsMips64: flag(goarch, "mips64"),
    IsMips64le: flag(goarch, "mips64le"),
    IsPpc: flag(goarch, "ppc"),
    IsPpc64: flag(goarch, "ppc64"),
    IsPpc64le: flag(goarch, "ppc64le"),
    IsRiscv64: flag(goarch, "riscv64"),
    IsS390: flag(goarch, "s390"),
    IsS390x: flag(goarch, "s390x"),
    IsSparc: flag(goarch, "sparc"),
    IsSparc64: flag(goarch, "sparc64"),
    IsWasm: flag(goarch, "wasm"),
  };
}

/** The constants of internal/goarch/goarch.go (Go's names). */
export interface GoarchConstants {
  readonly PtrSize: number;
  readonly BigEndian: boolean;
  readonly DefaultPhysPageSize: number;
  readonly PCQuantum: number;
  readonly Int64Align: number;
  readonly MinFrameSize: number;
  readonly StackAlign: number;
}

/** goarch.go's formulas over the inputs of one architecture. */
export function goarchConstants(a: GoarchInputs, f: GoarchFlags): GoarchConstants {
  const PtrSize = a.ptrSize;
  const bigEndian =
    f.IsArmbe |
    f.IsArm64be |
    f.IsMips |
    f.IsMips64 |
    f.IsPpc |
    f.IsPpc64 |
    f.IsS390 |
    f.IsS390x |
    f.IsSparc |
    f.IsSparc64;
  return {
    PtrSize,
    BigEndian: bigEndian === 1,
    DefaultPhysPageSize: a._DefaultPhysPageSize,
    PCQuantum: a._PCQuantum,
    Int64Align: PtrSize,
    MinFrameSize: a._MinFrameSize,
    StackAlign: a._StackAlign === "PtrSize" ? PtrSize : a._StackAlign,
  };
}
