/**
 * Reads `perfscope.yaml`: YAML through `npm:yaml` (which keeps every node's position), checked by
 * the zod schema, every problem reported as `file:line:column: key.path: what is wrong`.
 *
 * @module
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, Parser } from "yaml";
import type { Node, Pair } from "yaml";
import type { z } from "zod";
import { ConfigError } from "./errors.ts";
import { configSchema, type PerfscopeConfig } from "./schema.ts";
import { tooDeepAt } from "./_nesting_depth.ts";

/** The default file name, looked up in the working directory. */
export const DEFAULT_CONFIG = "perfscope.yaml";
/** Largest config file read, in bytes: a config is a page of text, not a data file. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/**
 * Most levels of nested maps and sequences in a config file. The schema's deepest key is a few
 * levels down; `yaml` composes a document by recursion and ran out of stack near 800 levels.
 */
export const MAX_CONFIG_DEPTH = 100;

/** A config and the file it came from. */
export interface LoadedConfig {
  /** The validated settings (`{}` when no file was found and none was asked for). */
  config: PerfscopeConfig;
  /** The file read, or `undefined` when the default file does not exist. */
  path: string | undefined;
}

type Key = string | number;

function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out;
}

function nodeAt(doc: ReturnType<typeof parseDocument>, path: readonly Key[]): Node | undefined {
  const node = path.length === 0 ? doc.contents : doc.getIn(path, true);
  return node && typeof node === "object" && "range" in node ? node as Node : undefined;
}

function keyNode(map: Node | undefined, key: string): Node | undefined {
  if (!isMap(map)) return undefined;
  const pair = map.items.find((p: Pair) => isPair(p) && isScalar(p.key) && p.key.value === key);
  return pair && isScalar(pair.key) ? pair.key : undefined;
}

/**
 * Parses and validates the text of a config file.
 *
 * @param text The YAML text.
 * @param file The name used in messages. Default `perfscope.yaml`.
 * @returns The validated config; an empty file gives `{}`.
 * @throws {ConfigError} On YAML syntax errors, nesting deeper than {@linkcode MAX_CONFIG_DEPTH}
 * levels, duplicate keys, unknown keys or bad values; the message names the file, line, column
 * and key.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseConfig } from "./load_config.ts";
 * assert.equal(parseConfig("collect:\n  interval: 5s\n").collect?.interval, 5000);
 * assert.throws(
 *   () => parseConfig("collect:\n  interval: 5 minutes\n"),
 *   /^ConfigError: perfscope.yaml:2:13: collect.interval: invalid duration "5 minutes"/,
 * );
 * ```
 */
export function parseConfig(text: string, file = DEFAULT_CONFIG): PerfscopeConfig {
  const lines = new LineCounter();
  const where = (offset: number) => {
    const { line, col } = lines.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  // the depth is read off the CST (built without recursion) before the document is composed
  // (with recursion); a config is a page of text, so parsing it twice costs nothing that shows
  const deep = tooDeepAt(new Parser(lines.addNewLine).parse(text), MAX_CONFIG_DEPTH);
  if (deep !== undefined) {
    throw new ConfigError(`${where(deep)}: nesting deeper than ${MAX_CONFIG_DEPTH} levels`);
  }
  // (the CST's pass has counted the lines)
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const [syntax] = doc.errors;
  if (syntax) {
    const detail = syntax.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
    throw new ConfigError(`${where(syntax.pos[0])}: ${detail}`, { cause: syntax });
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (error) {
    throw new ConfigError(`${file}: ${(error as Error).message}`, { cause: error });
  }
  const result = configSchema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.filter((k): k is Key => typeof k !== "symbol");
  throw new ConfigError(describe(issue, path, doc, where));
}

function describe(
  issue: z.core.$ZodIssue,
  path: Key[],
  doc: ReturnType<typeof parseDocument>,
  where: (offset: number) => string,
): string {
  const node = nodeAt(doc, path);
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0]!;
    const at = keyNode(node, key)?.range?.[0] ?? node?.range?.[0] ?? 0;
    const inside = path.length === 0 ? "" : ` in ${formatPath(path)}`;
    return `${where(at)}: unknown key "${key}"${inside}`;
  }
  const label = path.length === 0 ? "(top level)" : formatPath(path);
  let message = issue.message;
  // a missing key has no node: point at the nearest enclosing one and say what is missing
  let parent = node;
  for (let up = path.length - 1; parent === undefined && up >= 0; up--) {
    parent = nodeAt(doc, path.slice(0, up));
    // (a refinement's own message, e.g. "required for an absence rule", says more: kept)
    if (isMap(parent) && up === path.length - 1 && issue.code !== "custom") {
      message = `missing key "${path[up]}"`;
    }
  }
  const at = parent?.range?.[0] ?? 0;
  if (issue.code === "too_big" && issue.origin === "number") {
    // an exclusive bound (`.lt(1)`) is "below", not "at most": "at most 1, got 1" misleads
    message = `must be ${issue.inclusive === false ? "below" : "at most"} ${issue.maximum}, got ${
      node && isScalar(node) ? node.value : "more"
    }`;
  } else if (issue.code === "too_small" && issue.origin === "number") {
    message = `must be ${issue.inclusive === false ? "above" : "at least"} ${issue.minimum}, got ${
      node && isScalar(node) ? node.value : "less"
    }`;
  } else if (issue.code === "invalid_type" && node !== undefined) {
    const value = node && isScalar(node) ? node.value : undefined;
    // 1e400 and .inf read as Infinity, .nan as NaN: JSON.stringify said "got null" for them
    // a list or mapping where a scalar goes (or the reverse) is named by its shape: "got this
    // value" did not say what was wrong with it
    const shown = typeof value === "number" && !Number.isFinite(value)
      ? `${value} (a finite number is needed)`
      : node && isScalar(node)
      ? JSON.stringify(value)
      : isSeq(node)
      ? "a list"
      : isMap(node)
      ? "a mapping"
      : "this value";
    // zod names a whole number "int": the message is read by people, not by TypeScript
    const expected = issue.expected === "int" ? "a whole number" : issue.expected;
    message = `expected ${expected}, got ${shown}`;
  }
  return `${where(at)}: ${label}: ${message}`;
}

/**
 * Where a key is in a config file's text, as `file:line:column` (the value's start; the file
 * alone when the key is not there), for a problem found after validation.
 *
 * @param text The YAML text.
 * @param path The key's path, e.g. `["probes", 0, "ca_file"]`.
 * @param file The name used in messages.
 * @returns The position.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { configPosition } from "./load_config.ts";
 * assert.equal(configPosition("probes:\n  - {name: a, ca_file: x}\n", ["probes", 0, "ca_file"], "p.yaml"), "p.yaml:2:24");
 * ```
 */
export function configPosition(text: string, path: readonly Key[], file: string): string {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const at = nodeAt(doc, path)?.range?.[0];
  if (at === undefined) return file;
  const { line, col } = lines.linePos(at);
  return `${file}:${line}:${col}`;
}

/**
 * Loads the config: the given file, else `./perfscope.yaml` when it exists, else nothing.
 *
 * @param path The file from `--config`; when given it must exist.
 * @returns The config and where it came from.
 * @throws {ConfigError} When the named file is missing, not a regular file, too large, or
 * invalid.
 */
export async function loadConfig(path?: string): Promise<LoadedConfig> {
  const file = path ?? DEFAULT_CONFIG;
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(file);
  } catch (error) {
    if (path === undefined && error instanceof Deno.errors.NotFound) {
      return { config: {}, path: undefined };
    }
    // Deno's NotFound message ends in the syscall (`…(os error 2): stat 'x.yaml'`): say it plainly
    const reason = error instanceof Deno.errors.NotFound
      ? "no such file"
      : (error as Error).message;
    throw new ConfigError(`${file}: cannot read: ${reason}`, { cause: error });
  }
  if (!info.isFile) throw new ConfigError(`${file}: not a regular file`);
  if (info.size > MAX_CONFIG_BYTES) {
    throw new ConfigError(`${file}: ${info.size} bytes, more than ${MAX_CONFIG_BYTES} allowed`);
  }
  const text = await Deno.readTextFile(file);
  return { config: parseConfig(text, file), path: file };
}
