/**
 * `deno task config check [--config F]`: read and validate `perfscope.yaml` and say what it sets,
 * or print the first problem as `file:line:column: key: what is wrong` and exit 1.
 *
 * @module
 */
import { loadConfig } from "../config/mod.ts";
import { parseFlags, runMain, UsageError } from "./_args.ts";

const USAGE = `Usage: deno task config check [--config FILE]

Reads the config file (FILE, else ./perfscope.yaml when present), validates every key and prints
the settings it holds as JSON (durations in milliseconds). Exits 1 on the first problem, naming
its file, line and column.

Options:
  --config FILE   the file to check (default ./perfscope.yaml)
  -h, --help      show this help`;

/**
 * Runs `config check`.
 *
 * @param args Command-line arguments.
 * @param write Where output goes. Default: stdout.
 * @returns 0 when the file is valid (or absent and not asked for).
 * @throws {UsageError} On bad flags or an unknown subcommand.
 * @throws {ConfigError} When the file is missing (if named) or invalid.
 */
export async function main(
  args: string[],
  write: (text: string) => void = (t) => console.log(t),
): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    config: { type: "string" },
    help: { type: "boolean", short: "h" },
  }, true);
  if (values.help) {
    write(USAGE);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== "check") {
    throw new UsageError(`Expected the subcommand "check", got ${positionals.join(" ") || "none"}`);
  }
  const { config, path } = await loadConfig(values.config);
  if (path === undefined) {
    write("No perfscope.yaml here: every setting takes its default (see examples/perfscope.yaml)");
    return 0;
  }
  write(`${path}: valid\n${JSON.stringify(config, null, 2)}`);
  return 0;
}

if (import.meta.main) runMain("config", main);
