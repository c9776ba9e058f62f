/**
 * The config file as the commands see it: `--config FILE` (which must exist), else
 * `./perfscope.yaml` when present. Flags override what the file says; the file overrides the
 * defaults. Private to the commands.
 *
 * @module
 */
import { loadConfig, type PerfscopeConfig } from "../config/mod.ts";

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
