/**
 * Edge validation shared by the routes: a zod-validator hook that turns a failed parse into a
 * {@linkcode BadRequestError}, and parsers for times and durations in query strings.
 *
 * @module
 */
import { MAX_DURATION_MS, readDuration } from "../config/mod.ts";
import type { core } from "zod";
import { BadRequestError } from "./errors.ts";

/**
 * Describes the first zod issue as `field: message`; a required field that is absent from
 * `input` reads `field: missing` (zod's own words were "Invalid input: expected string, received
 * undefined", which tells a user of the API nothing about what to send).
 *
 * @param error The zod error.
 * @param input The value that was parsed (the query, the body), to tell an absent field from a
 *   wrong one; without it every message is zod's.
 * @returns One line.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeZodError } from "./validate.ts";
 * const issue = {
 *   code: "invalid_type" as const,
 *   expected: "string" as const,
 *   path: ["service"],
 *   message: "Invalid input: expected string, received undefined",
 *   input: undefined,
 * };
 * assert.equal(describeZodError({ issues: [issue] }, {}), "service: missing");
 * ```
 */
export function describeZodError(
  error: { issues: readonly core.$ZodIssue[] },
  input?: unknown,
): string {
  const issue = error.issues[0];
  if (!issue) return "invalid input";
  // zod reports an unknown key at its parent ("value: Unrecognized key: \"x\""): name the key
  if (issue.code === "unrecognized_keys") {
    const at = issue.path.length ? ` in ${issue.path.join(".")}` : "";
    const keys = issue.keys.map((k) => JSON.stringify(k)).join(", ");
    return `unknown ${issue.keys.length === 1 ? "key" : "keys"}${at}: ${keys}`;
  }
  const field = issue.path.length ? issue.path.join(".") : "value";
  // a type or a union of types (a time as ms or text) refused for want of any value; a custom
  // issue on an absent field keeps its own words ("expected a metric name or metrics")
  const typed = issue.code === "invalid_type" || issue.code === "invalid_union";
  if (typed && input !== undefined && absent(input, issue.path)) {
    return `${field}: missing`;
  }
  return `${field}: ${issue.message}`;
}

// whether the value at `path` inside `input` is absent (undefined), the input itself included;
// own keys only: a query without `constructor` or `toString` found Object.prototype's, so a
// required field of that name read "expected string, received function", not "missing"
function absent(input: unknown, path: readonly PropertyKey[]): boolean {
  let at = input;
  for (const key of path) {
    if (at === null || typeof at !== "object" || !Object.hasOwn(at, key)) return true;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at === undefined;
}

/**
 * The hook passed to `zValidator`: throws a 400 naming the field and the problem.
 *
 * @param result The validator's result.
 * @throws {BadRequestError} When validation failed.
 */
export function rejectInvalid(
  result: { success: true } | {
    success: false;
    error: { issues: readonly core.$ZodIssue[] };
    target: string;
    data?: unknown;
  },
): void {
  if (!result.success) {
    throw new BadRequestError(
      `Invalid ${result.target}: ${describeZodError(result.error, result.data)}`,
    );
  }
}

/** Longest duration and farthest time read, in ms: `Date`'s range (about 273 790 years), which
 * the lake's timestamps (DuckDB, µs in 64 bits) also hold; a run of digits too long for a double
 * reads as `Infinity`, and either used to reach DuckDB and answer 500. */
const MAX_MS = MAX_DURATION_MS;

/**
 * Parses a duration: `500ms`, `15m`, `1h30m`, `7d`, or a bare number of milliseconds.
 *
 * @param text The duration.
 * @returns Milliseconds, or `undefined` if it is not a positive duration of at most
 * 8.64e15 ms (`Date`'s range).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDurationMs } from "./validate.ts";
 * assert.equal(parseDurationMs("1h30m"), 5_400_000);
 * assert.equal(parseDurationMs("250"), 250);
 * assert.equal(parseDurationMs("soon"), undefined);
 * ```
 */
export function parseDurationMs(text: string): number | undefined {
  const ms = readDuration(text, "ms");
  return ms !== undefined && ms > 0 && ms <= MAX_MS ? ms : undefined;
}

/**
 * Parses a point in time: ms since the epoch, an ISO 8601 date, `now`, or `now-15m` / `-15m`.
 *
 * @param text The time.
 * @param now The clock (ms) for relative times.
 * @returns Milliseconds since the epoch, or `undefined` if it cannot be read or lies beyond
 * `Date`'s range (±8.64e15 ms).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseTimeMs } from "./validate.ts";
 * assert.equal(parseTimeMs("now-15m", 1_000_000), 100_000);
 * assert.equal(parseTimeMs("2024-01-01T00:00:00Z", 0), Date.UTC(2024, 0, 1));
 * assert.equal(parseTimeMs("1704067200000", 0), 1704067200000);
 * assert.equal(parseTimeMs("yesterday", 0), undefined);
 * ```
 */
export function parseTimeMs(text: string, now: number): number | undefined {
  const ms = readTime(text.trim(), now);
  return ms !== undefined && Math.abs(ms) <= MAX_MS ? ms : undefined;
}

function readTime(t: string, now: number): number | undefined {
  if (t === "now") return now;
  const rel = t.match(/^(?:now)?-(.+)$/);
  if (rel) {
    const d = parseDurationMs(rel[1]!);
    return d === undefined || /^\d/.test(t) ? undefined : now - d;
  }
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  if (!/^\d{4}-\d{2}-\d{2}/.test(t)) return undefined;
  const ms = Date.parse(t);
  return Number.isFinite(ms) ? ms : undefined;
}
