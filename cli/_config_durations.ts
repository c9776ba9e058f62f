/**
 * A validated config with its durations written back as `perfscope.yaml` takes them (`"1m"`,
 * `"1h30m"`), for `config check`: its milliseconds (`60000`) could not be pasted back into a file
 * that refuses bare numbers.
 *
 * @module
 */
import { parseDocument } from "yaml";
import { configSchema, type PerfscopeConfig, readDuration } from "../config/mod.ts";
import { durationFlag } from "./_args.ts";

/**
 * The config with each duration as text. Which numbers are durations is the schema's to say,
 * and it says so without a list of keys to keep in step with it: the file is validated again
 * with every duration in it made longer (2 × + 1 s, which keeps every order between them and
 * every lower bound), and the numbers that moved are the durations, those filled in from
 * others (a delay's `max`) included. A number the file does not set that did not move is a
 * default the schema filled in (a delay's `up: 0`): left out, as every other default is.
 *
 * @param text The file's text, valid.
 * @param config What it validated to.
 * @returns The config with durations as text, or as it is when the longer file is refused.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseConfig } from "../config/mod.ts";
 * import { withDurationText } from "./_config_durations.ts";
 * const text = "collect:\n  interval: 60s\n  top: 5\n";
 * assert.deepEqual(withDurationText(text, parseConfig(text)), {
 *   collect: { interval: "1m", top: 5 },
 * });
 * ```
 */
export function withDurationText(text: string, config: PerfscopeConfig): unknown {
  const raw = parseDocument(text, { uniqueKeys: true }).toJS({ maxAliasCount: 100 }) ?? {};
  const longer = configSchema.safeParse(lengthen(raw));
  return longer.success ? written(config, longer.data, raw) : config;
}

/** Every string that reads as a duration, made longer. */
function lengthen(value: unknown): unknown {
  if (typeof value === "string") {
    const ms = readDuration(value);
    return ms === undefined ? value : durationFlag(2 * ms + 1000);
  }
  if (Array.isArray(value)) return value.map(lengthen);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, lengthen(v)]));
  }
  return value;
}

/** `value` with the numbers that differ in `longer` (the same path) as duration text, without
 * the numbers neither `raw` (the file) nor a duration gave. */
function written(value: unknown, longer: unknown, raw: unknown): unknown {
  if (typeof value === "number") {
    return typeof longer === "number" && longer !== value ? durationFlag(value) : value;
  }
  const at = (x: unknown, k: string | number) =>
    x !== null && typeof x === "object" ? (x as Record<string, unknown>)[k] : undefined;
  if (Array.isArray(value)) return value.map((v, i) => written(v, at(longer, i), at(raw, i)));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k, v]) =>
          typeof v !== "number" || at(raw, k) !== undefined || v !== at(longer, k)
        )
        .map(([k, v]) => [k, written(v, at(longer, k), at(raw, k))]),
    );
  }
  return value;
}
