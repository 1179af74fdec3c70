#!/usr/bin/env node
// Regenerates src/tables.generated.ts, the package's default size-class tables,
// from the built generator (run `tsc -b` first; the package's `generate` script does).
// Usage: pnpm --filter @gomalloc/sizeclass generate
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderTablesModule } from "../dist/gentables.js";
import { mksizeclasses } from "../dist/mksizeclasses.js";

const out = fileURLToPath(new URL("../src/tables.generated.ts", import.meta.url));
writeFileSync(out, renderTablesModule(mksizeclasses()));
console.log(`wrote ${out}`);
