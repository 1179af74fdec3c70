/**
 * The `gomalloc` command: argument parsing and dispatch to subcommands.
 */
import { Command, CommanderError } from "commander";
import { registerConformance } from "./commands/conformance.js";
import { registerConstants } from "./commands/constants.js";
import { registerDemo } from "./commands/demo.js";
import { registerReplay } from "./commands/replay.js";
import { registerSizeclasses } from "./commands/sizeclasses.js";
import { registerTrace } from "./commands/trace.js";

/** Builds the command tree. Each subcommand lives in its own file under `commands/`. */
export function buildProgram(): Command {
  const program = new Command("gomalloc")
    .description("Go's runtime memory allocator in TypeScript: tables, conformance, heap demo and trace replay.")
    .exitOverride()
    .showHelpAfterError();
  registerDemo(program);
  registerSizeclasses(program);
  registerConstants(program);
  registerConformance(program);
  registerTrace(program);
  registerReplay(program);
  return program;
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: "user" });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : err.exitCode || 2;
    process.stderr.write(`gomalloc: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
