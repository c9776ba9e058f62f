/**
 * Shared pieces of the command line: parsing durations and sizes, and running a command so that
 * user mistakes print one line and exit non-zero instead of a stack trace.
 *
 * @module
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
// the dependency-free entry of config/: mod.ts would load YAML and zod (~20 MB of RSS) into
// every command, the 1 Hz collector included
import { formatDuration, MAX_DURATION_MS, readDuration } from "../config/duration.ts";
import { escapeControls } from "../format/escape_controls.js";
import { closestName } from "../format/closest_name.ts";

/** A mistake in how a command was called (bad flag, bad value): exit code 2, one line. */
export class UsageError extends Error {
  /**
   * @param message What is wrong, e.g. `Invalid --interval: 0s`.
   * @param options Standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UsageError";
  }
}

/**
 * Parses a duration such as `1s`, `500ms`, `15m`, `7d` or `1h30m` into milliseconds.
 *
 * @param text The duration; a bare number means seconds.
 * @param flag The flag name used in the error message.
 * @returns Milliseconds (> 0, at most 8.64e15).
 * @throws {UsageError} If the text is not a positive duration of at most 8.64e15 ms.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDuration } from "./_args.ts";
 * assert.equal(parseDuration("1h30m"), 5_400_000);
 * assert.equal(parseDuration("250ms"), 250);
 * assert.equal(parseDuration("2"), 2000);
 * ```
 */
export function parseDuration(text: string, flag = "duration"): number {
  const ms = readDuration(text, "s");
  if (ms === undefined) {
    throw new UsageError(`Invalid --${flag}: ${text} (use e.g. 500ms, 1s, 15m, 7d)`);
  }
  return positive(ms, text, flag);
}

/**
 * Parses a look-back or look-ahead (`--since`, `--horizon`, `--within`, a window's `--duration`),
 * which needs a unit: a bare number means seconds to {@linkcode parseDuration}, and
 * `capacity --horizon 90` meant as days asked for 90 seconds, answered with confidence.
 *
 * @param text The duration, e.g. `14d`.
 * @param flag The flag name used in the error message.
 * @returns Milliseconds (> 0).
 * @throws {UsageError} If the text is a bare number, or not a positive duration.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSpan } from "./_args.ts";
 * assert.equal(parseSpan("2h", "since"), 7_200_000);
 * assert.throws(() => parseSpan("90", "horizon"), {
 *   message: "Invalid --horizon: 90 needs a unit (e.g. 90d or 90h)",
 * });
 * ```
 */
export function parseSpan(text: string, flag: string): number {
  if (/^\s*[+-]?[\d.]+(e[+-]?\d+)?\s*$/i.test(text)) {
    throw new UsageError(
      `Invalid --${flag}: ${text} needs a unit (e.g. ${text.trim()}d or ${text.trim()}h)`,
    );
  }
  return parseDuration(text, flag);
}

/** Longest duration accepted: `Date`'s range, about 273 790 years (longer ones used to pass as
 * finite numbers and fail later, in the lake, as a DuckDB conversion error). */

/** The units {@linkcode durationFlag} writes, largest first (weeks read less well as `2w`). */
const FLAG_UNITS: [string, number][] = [
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1000],
];

/**
 * Writes milliseconds the way a duration flag and `perfscope.yaml` take them back, in whole
 * days, hours, minutes and seconds, then milliseconds: `1m`, `1h30m`, `7d`, `1s500ms`, `0s`.
 *
 * @param ms Milliseconds (≥ 0).
 * @returns The duration text.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { durationFlag, parseDuration } from "./_args.ts";
 * assert.equal(durationFlag(2000), "2s");
 * assert.equal(durationFlag(60_000), "1m");
 * assert.equal(durationFlag(5_400_000), "1h30m");
 * assert.equal(parseDuration(durationFlag(1500)), 1500);
 * ```
 */
export function durationFlag(ms: number): string {
  if (ms === 0) return "0s";
  let rest = ms;
  let out = "";
  for (const [unit, size] of FLAG_UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0) (out += `${n}${unit}`, rest -= n * size);
  }
  return rest > 0 ? `${out}${rest}ms` : out;
}

function positive(ms: number, text: string, flag: string): number {
  if (!(ms > 0)) throw new UsageError(`Invalid --${flag}: ${text} (must be greater than zero)`);
  if (!(ms <= MAX_DURATION_MS)) {
    throw new UsageError(
      `Invalid --${flag}: ${text} (longer than ${formatDuration(MAX_DURATION_MS)})`,
    );
  }
  return ms;
}

/**
 * Parses a number flag, optionally bounded.
 *
 * @param text The flag's text.
 * @param flag The flag name used in the error message.
 * @param options `min` and `max` (inclusive), `integer` to require a whole number.
 * @returns The number.
 * @throws {UsageError} If it is not a number in range.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseNumber } from "./_args.ts";
 * assert.equal(parseNumber("8000", "port", { min: 1, max: 65535, integer: true }), 8000);
 * assert.throws(() => parseNumber("x", "port"), /Invalid --port: x/);
 * ```
 */
export function parseNumber(
  text: string,
  flag: string,
  options: { min?: number; max?: number; integer?: boolean } = {},
): number {
  const n = Number(text);
  const bad = text.trim() === "" || !Number.isFinite(n) ||
    (options.integer && !Number.isInteger(n)) ||
    (options.min !== undefined && n < options.min) ||
    (options.max !== undefined && n > options.max);
  if (bad) {
    const range = options.min !== undefined || options.max !== undefined
      ? ` (expected ${options.integer ? "an integer" : "a number"} from ${options.min ?? "-∞"} to ${
        options.max ?? "∞"
      })`
      // `--threshold NaN` said only "Invalid --threshold: NaN", not what would do
      : " (expected a finite number, e.g. 80, 0.9 or 50e9)";
    throw new UsageError(`Invalid --${flag}: ${text}${range}`);
  }
  return n;
}

/**
 * Parses a `--hosts h1,h2` flag: names separated by commas, blanks around them and empty ones
 * dropped.
 *
 * @param text The flag's text.
 * @returns The host names, at least one.
 * @throws {UsageError} If no name is left.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseHosts } from "./_args.ts";
 * assert.deepEqual(parseHosts("web1, web2,"), ["web1", "web2"]);
 * assert.throws(() => parseHosts(","), /Invalid --hosts: ,/);
 * ```
 */
export function parseHosts(text: string): string[] {
  const hosts = text.split(",").map((h) => h.trim()).filter(Boolean);
  if (hosts.length === 0) throw new UsageError(`Invalid --hosts: ${text}`);
  return hosts;
}

/**
 * Runs a command's `main` and exits with its code; errors print one line on stderr (exit 2 for
 * {@linkcode UsageError}, 1 otherwise); a reader that closed stdout early ends it quietly with
 * 141. Set `PERFSCOPE_DEBUG=1` to see stack traces.
 *
 * @param name Command name shown before the message, e.g. `collect`.
 * @param main The command, taking the arguments and resolving to an exit code.
 * @returns Never returns normally: exits the process.
 */
export async function runMain(
  name: string,
  main: (args: string[]) => Promise<number>,
): Promise<never> {
  let code: number;
  try {
    code = await main(Deno.args);
  } catch (error) {
    // `perfscope query … | head` closes the pipe early on purpose: stop quietly with the
    // status a shell gives a writer killed by SIGPIPE (128 + 13), as `yes | head` does
    if (error instanceof Deno.errors.BrokenPipe && !Deno.stdout.isTerminal()) Deno.exit(141);
    code = exitCode(error);
    console.error(`perfscope ${name}: ${errorLine(error)}`);
    if (Deno.env.get("PERFSCOPE_DEBUG")) console.error(error);
  }
  Deno.exit(code);
}

/**
 * The exit code for an error: 2 for {@linkcode UsageError}, 1 otherwise.
 *
 * @param error Anything thrown.
 * @returns The exit code.
 */
export function exitCode(error: unknown): number {
  return error instanceof UsageError ? 2 : 1;
}

/**
 * One line describing an error, without a stack trace, its control characters escaped.
 *
 * @param error Anything thrown.
 * @returns The first line of its message, with control characters as `\u001b`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorLine } from "./_args.ts";
 * assert.equal(errorLine(new Error("Disk full\n  at x")), "Disk full");
 * assert.equal(errorLine(new Error("columns: \x1b[31m")), "columns: \\u001b[31m");
 * ```
 */
export function errorLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // a message quotes files and names: a CSV header's escape sequences reached the terminal (a
  // title set, colours changed) and a carriage return overwrote the line
  return escapeControls(message.split("\n")[0] ?? message, { keepTab: true });
}

/**
 * Checks a `--data` folder before a command uses it: a missing one is fine (it is created, or
 * read as an empty lake), a file is refused in one line instead of an OS error about a path
 * inside it (`Not a directory (os error 20): readdir '/etc/passwd/rollup_1m'`).
 *
 * @param path The lake's folder.
 * @returns The path, unchanged.
 * @throws {UsageError} If the path exists and is not a folder.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dataFolder } from "./_args.ts";
 * assert.equal(dataFolder("/nonexistent/lake"), "/nonexistent/lake");
 * assert.throws(() => dataFolder(Deno.execPath()), { name: "UsageError", message: /is not a folder/ });
 * ```
 */
export function dataFolder(path: string): string {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch {
    return path;
  }
  if (!info.isDirectory) {
    throw new UsageError(`Invalid --data: ${path} is not a folder (give the lake's folder)`);
  }
  return path;
}

/**
 * Checks the `--data` folder of a command that only reads a lake (query, compact, forecast, …):
 * it must exist, so a mistyped path is named in one line instead of being created and read as
 * an empty lake. Commands that create a lake (collect, serve) use {@linkcode dataFolder}.
 *
 * @param path The lake's folder.
 * @returns The path, unchanged.
 * @throws {UsageError} If nothing is at the path, or it is not a folder.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { existingLake } from "./_args.ts";
 * assert.throws(() => existingLake("/nonexistent/lake"), { message: /^No lake at \/nonexistent/ });
 * assert.equal(existingLake(Deno.cwd()), Deno.cwd());
 * ```
 */
export function existingLake(path: string): string {
  try {
    Deno.statSync(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new UsageError(`No lake at ${path} (use --data or run collect/serve first)`);
  }
  return dataFolder(path);
}

/** Option definitions as `node:util` parseArgs takes them. */
export type FlagOptions = NonNullable<ParseArgsConfig["options"]>;

/**
 * Parses flags strictly (unknown flags and missing values are errors) with `node:util`
 * parseArgs, turning its errors into a one-line {@linkcode UsageError}.
 *
 * @param args Command-line arguments.
 * @param options The flag definitions.
 * @param allowPositionals Whether bare arguments are allowed (default false).
 * @returns parseArgs' `values` and `positionals`.
 * @throws {UsageError} On an unknown flag, a missing value or an unexpected argument.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseFlags } from "./_args.ts";
 * const { values } = parseFlags(["--data", "x"], { data: { type: "string" } });
 * assert.equal(values.data, "x");
 * assert.throws(() => parseFlags(["--nope"], {}), { name: "UsageError", message: /Unknown option '--nope'/ });
 * ```
 */
export function parseFlags<T extends FlagOptions>(
  args: string[],
  options: T,
  allowPositionals = false,
): ReturnType<
  typeof parseArgs<{ args: string[]; options: T; strict: true; allowPositionals: boolean }>
> {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals });
  } catch (error) {
    // `--port -1` said only "Option '--port' argument is ambiguous." (how to give it was on the
    // lines errorLine drops)
    const flag = /^Option '(--[^']+)' argument is ambiguous/.exec(errorLine(error))?.[1];
    const value = flag === undefined ? undefined : args[args.indexOf(flag) + 1];
    if (flag !== undefined && value !== undefined) {
      const hint = value.startsWith("--")
        ? `${flag} needs a value before ${value}`
        : `a value starting with "-" is written ${flag}=${value}`;
      throw new UsageError(`Invalid arguments: ${flag} ${value}: ${hint}`, { cause: error });
    }
    // `--formt` was answered with parseArgs' advice on positionals starting with "-" (query
    // takes one), and never with the flag that was meant
    const unknown = /^Unknown option '(-{1,2})([^'=]+)'/.exec(errorLine(error));
    if (unknown !== null) {
      const [, dashes, name] = unknown;
      const meant = dashes === "--" ? closestName(name!, Object.keys(options)) : undefined;
      throw new UsageError(
        `Invalid arguments: Unknown option '${dashes}${name}' (${
          meant === undefined ? "see --help" : `did you mean --${meant}?`
        })`,
        { cause: error },
      );
    }
    throw new UsageError(`Invalid arguments: ${errorLine(error)}`, { cause: error });
  }
}
