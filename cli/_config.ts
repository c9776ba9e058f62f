/**
 * The config file as the commands see it: `--config FILE` (which must exist), else
 * `./perfscope.yaml` when present. Flags override what the file says; the file overrides the
 * defaults. Private to the commands.
 *
 * @module
 */
import { loadConfig, type PerfscopeConfig } from "../config/mod.ts";
import { UsageError } from "./_args.ts";

/** The flag definition every command that reads the config adds. */
export const CONFIG_FLAG = { config: { type: "string" } } as const;

/** The help line for `--config`. */
export const CONFIG_HELP =
  "  --config FILE     settings file (default ./perfscope.yaml when present; flags win)";

/**
 * Loads the settings a command runs with.
 *
 * @param path The `--config` value, if given.
 * @returns The validated config (`{}` without a file).
 * @throws {ConfigError} When the named file is missing or any file is invalid.
 */
export async function commandConfig(path: string | undefined): Promise<PerfscopeConfig> {
  return (await loadConfig(path)).config;
}

/**
 * Finds `--config FILE` (or `--config=FILE`) among the arguments before they are parsed, since
 * the file supplies the defaults the parse falls back on.
 *
 * @param args Command-line arguments.
 * @returns The file, if given.
 * @throws {UsageError} When `--config` has no value.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { configFlag } from "./_config.ts";
 * assert.equal(configFlag(["--port", "1", "--config", "p.yaml"]), "p.yaml");
 * assert.equal(configFlag(["--config=q.yaml"]), "q.yaml");
 * assert.equal(configFlag([]), undefined);
 * ```
 */
export function configFlag(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg.startsWith("--config=")) return arg.slice("--config=".length);
    if (arg === "--config") {
      const value = args[i + 1];
      if (value === undefined || value.startsWith("--")) {
        throw new UsageError("Option --config needs a file");
      }
      return value;
    }
  }
  return undefined;
}
