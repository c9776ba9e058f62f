/**
 * Label matchers as Alertmanager writes them: `name="value"`, `name!="value"`, `name=~"regex"`,
 * `name!~"regex"`. Regular expressions are anchored at both ends, as in Prometheus.
 *
 * The label `host` is case-insensitive, as the lake's host names are (stored in lower case:
 * `canonicalHost`): `host="Web1"` is read and stored as `host="web1"` and matches a host of any
 * case, and a regular expression on `host` matches ignoring case (its text is kept as written:
 * lower-casing it would turn `\W` into `\w`).
 *
 * @module
 */
import { regexProblem } from "../../config/mod.ts";
import { canonicalHost } from "../../lake/mod.ts";

/** A matcher's operator. */
export type MatchOp = "=" | "!=" | "=~" | "!~";

/** One label matcher. */
export interface Matcher {
  name: string;
  op: MatchOp;
  value: string;
}

/** A matcher ready to test labels: the regular expression compiled once. */
export interface CompiledMatcher extends Matcher {
  test(labels: Readonly<Record<string, string>>): boolean;
}

const TEXT = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|([^"]*?))\s*$/;
/** Longest value (a regular expression included) a matcher may hold. */
export const MAX_MATCHER_VALUE = 1024;

/**
 * Reads a matcher written as text.
 *
 * @param text E.g. `severity="critical"` or `host=~db.*` (quotes optional).
 * @returns The matcher.
 * @throws {RangeError} If the text is not a matcher.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMatcher } from "./matchers.ts";
 * assert.deepEqual(parseMatcher('host=~"db.*"'), { name: "host", op: "=~", value: "db.*" });
 * ```
 */
export function parseMatcher(text: string): Matcher {
  const m = TEXT.exec(text);
  if (!m) {
    throw new RangeError(`Invalid matcher ${JSON.stringify(text)} (use e.g. severity="critical")`);
  }
  const quoted = m[3];
  const value = quoted === undefined ? m[4]! : quoted.replace(/\\(.)/g, "$1");
  return canonicalMatcher({ name: m[1]!, op: m[2] as MatchOp, value });
}

/**
 * A matcher as it is stored and shown: the value of a `host` equality or inequality in lower
 * case, as the lake stores host names; any other matcher unchanged.
 *
 * @param matcher The matcher.
 * @returns A new matcher (name, op and value only).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { canonicalMatcher } from "./matchers.ts";
 * assert.equal(canonicalMatcher({ name: "host", op: "!=", value: "Web1" }).value, "web1");
 * assert.equal(canonicalMatcher({ name: "host", op: "=~", value: "Web.*" }).value, "Web.*");
 * assert.equal(canonicalMatcher({ name: "env", op: "=", value: "Prod" }).value, "Prod");
 * ```
 */
export function canonicalMatcher(matcher: Matcher): Matcher {
  const { name, op, value } = matcher;
  const folded = name === "host" && (op === "=" || op === "!=") ? canonicalHost(value) : value;
  return { name, op, value: folded };
}

/**
 * Compiles a matcher.
 *
 * @param matcher The matcher.
 * @returns It with a `test(labels)` method; a missing label reads as the empty string; on the
 * label `host` case is ignored (a silence stored before host names were folded still matches).
 * @throws {RangeError} On a bad or unsafe regular expression (nested quantifiers, backreferences,
 * lookarounds: see `regexProblem`) or a value over 1024 characters.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileMatcher } from "./matchers.ts";
 * const m = compileMatcher({ name: "host", op: "=~", value: "db.*" });
 * assert.equal(m.test({ host: "db1" }), true);
 * assert.equal(m.test({ host: "web-db1" }), false);
 * ```
 */
export function compileMatcher(matcher: Matcher): CompiledMatcher {
  const { name, op, value } = matcher;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new RangeError(`Invalid matcher label name ${JSON.stringify(name)}`);
  }
  if (!["=", "!=", "=~", "!~"].includes(op)) {
    throw new RangeError(`Invalid matcher operator ${JSON.stringify(op)}`);
  }
  if (value.length > MAX_MATCHER_VALUE) {
    throw new RangeError(`Matcher value longer than ${MAX_MATCHER_VALUE} characters`);
  }
  const host = name === "host";
  let test: (v: string) => boolean;
  if (op === "=" || op === "!=") {
    const want = host ? canonicalHost(value) : value;
    const seen = host ? canonicalHost : (v: string) => v;
    test = op === "=" ? (v) => seen(v) === want : (v) => seen(v) !== want;
  } else {
    const why = regexProblem(value);
    if (why !== undefined) {
      throw new RangeError(`Invalid regular expression ${JSON.stringify(value)}: ${why}`);
    }
    const re = new RegExp(`^(?:${value})$`, host ? "i" : "");
    test = op === "=~" ? (v) => re.test(v) : (v) => !re.test(v);
  }
  // an own label only: `constructor` or `toString` read from a plain object's prototype was a
  // function, so `toString!=""` silenced every alert and `constructor=""` none
  return {
    ...canonicalMatcher(matcher),
    test: (labels) => test(Object.hasOwn(labels, name) ? labels[name]! : ""),
  };
}

/**
 * Compiles matchers written as text.
 *
 * @param texts The matchers.
 * @returns The compiled matchers.
 * @throws {RangeError} On a bad matcher.
 */
export function compileMatchers(texts: readonly string[] = []): CompiledMatcher[] {
  return texts.map((t) => compileMatcher(parseMatcher(t)));
}

/**
 * Tells whether labels meet every matcher.
 *
 * @param matchers Compiled matchers (none: always true).
 * @param labels The labels.
 * @returns True when all match.
 */
export function matchesAll(
  matchers: readonly CompiledMatcher[],
  labels: Readonly<Record<string, string>>,
): boolean {
  for (const m of matchers) if (!m.test(labels)) return false;
  return true;
}

/**
 * Writes a matcher back as Alertmanager's text (value quoted, `"` and `\` escaped).
 *
 * @param m The matcher.
 * @returns E.g. `severity="critical"`.
 */
export function formatMatcher(m: Matcher): string {
  return `${m.name}${m.op}${JSON.stringify(m.value)}`;
}
