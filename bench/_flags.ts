/**
 * A bench's own flags when it runs alone (`deno run -A bench/x_bench.ts …`): `--help` prints the
 * usage, a mistake prints one line and exits 2 before anything is measured, as the commands do
 * (cli/_args.ts). A bench that ignored an unknown flag ran for minutes on the defaults.
 *
 * @module
 */
import { errorLine, exitCode, parseFlags, parseNumber, runMain } from "../cli/_args.ts";

/**
 * Parses the flags, or exits: 0 after printing `usage` for `-h`/`--help`, 2 (1 for an error that
 * is not a `UsageError`) after one line `perfscope bench: …` on stderr.
 *
 * @param usage The help text.
 * @param parse Turns the arguments into the bench's options; throws on a mistake.
 * @param args The arguments (default `Deno.args`).
 * @returns What `parse` returned.
 */
export function benchFlags<T>(
  usage: string,
  parse: (args: string[]) => T,
  args: string[] = Deno.args,
): T {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(usage);
    Deno.exit(0);
  }
  try {
    return parse(args);
  } catch (error) {
    console.error(`perfscope bench: ${errorLine(error)}`);
    Deno.exit(exitCode(error));
  }
}

/**
 * Runs a bench alone: its flags as {@linkcode benchFlags} parses them, then `run`; an error
 * while it runs (a missing data file, a port in use) is one line `perfscope bench: …` and exit 1
 * instead of a stack trace.
 *
 * @param usage The help text.
 * @param parse Turns the arguments into the bench's options; throws on a mistake.
 * @param run The bench.
 * @returns Never: the process exits, 0 once `run` has finished.
 */
export async function benchMain<T>(
  usage: string,
  parse: (args: string[]) => T,
  run: (options: T) => unknown,
): Promise<never> {
  const options = benchFlags(usage, parse);
  return await runMain("bench", async () => {
    await run(options);
    return 0;
  });
}

/**
 * The flags of a bench that takes only `--quick` (which `deno task bench --quick` also gives it).
 *
 * @param args The arguments.
 * @returns `{ quick }`.
 * @throws {UsageError} On any other flag or argument.
 */
export function quickFlag(args: string[]): { quick: boolean } {
  const { values } = parseFlags(args, { quick: { type: "boolean", default: false } });
  return { quick: values.quick };
}

/**
 * The flags of a bench that repeats its forms in rounds: `--rounds N` (an integer ≥ 1) and
 * `--quick`; `rounds` is left out when not given, so the bench's own default applies.
 *
 * @param args The bench's arguments.
 * @returns `{ quick, rounds? }`.
 * @throws {UsageError} On any other flag, or a `--rounds` that is not an integer ≥ 1.
 */
export function roundsFlags(args: string[]): { quick: boolean; rounds?: number } {
  const { values } = parseFlags(args, {
    rounds: { type: "string" },
    quick: { type: "boolean", default: false },
  });
  return values.rounds === undefined ? { quick: values.quick } : {
    quick: values.quick,
    rounds: parseNumber(values.rounds, "rounds", { min: 1, integer: true }),
  };
}
