/**
 * Parsing and validation of `POST /api/ingest` bodies: JSON lines, one sample per line, checked
 * with zod (shape and types) and memoized name rules. The whole body is validated before anything is written; the first bad line is
 * reported by number.
 *
 * @module
 */
import { z } from "zod";
import type { Sample } from "../collectors/mod.ts";
import { parseLabels } from "../collectors/mod.ts";
import { BadRequestError } from "./errors.ts";

/** Options for {@linkcode parseIngest}. */
export interface ParseIngestOptions {
  /** Most lines accepted in one body; default 1 000 000. */
  maxLines?: number;
  /** Clock for the "not in the future" check, ms epoch; default `Date.now()`. */
  now?: number;
}

/** Earliest accepted timestamp: 2000-01-01T00:00:00Z. */
const MIN_TS = 946_684_800_000;
/** How far ahead of the clock a timestamp may be: one day. */
const MAX_AHEAD_MS = 86_400_000;

const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const hostName = /^[A-Za-z0-9_.:-]{1,253}$/;
const metricName = /^[a-z_][a-z0-9_]{0,199}$/;

/**
 * One ingested line's shape and types. Names are checked afterwards against the rules below
 * (with a memo, since the same few hosts, metrics and label names repeat on every line).
 * `value: null` stands for NaN (no value); unknown fields are ignored.
 */
export const ingestLineSchema = z.object({
  ts: z.number(),
  host: z.string(),
  metric: z.string(),
  labels: z.custom<Record<string, string> | string>(
    isLabels,
    "expected an object of strings or a k=v,k=v string",
  ).optional(),
  value: z.number().nullable(),
});

/** Labels arrive as an object whose values are all strings, or as the canonical string. */
function isLabels(value: unknown): boolean {
  if (typeof value === "string") return true;
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  for (const key in value) {
    if (typeof (value as Record<string, unknown>)[key] !== "string") return false;
  }
  return true;
}

class NameCheck {
  #ok = new Set<string>();
  constructor(readonly pattern: RegExp, readonly rule: string) {}
  /** Undefined when `name` follows the rule, else what is wrong. */
  problem(name: string): string | undefined {
    if (this.#ok.has(name)) return undefined;
    if (!this.pattern.test(name)) return `${JSON.stringify(name.slice(0, 80))} ${this.rule}`;
    if (this.#ok.size < 10_000) this.#ok.add(name);
    return undefined;
  }
}

const hosts = new NameCheck(hostName, "is not a host name (A-Z a-z 0-9 _ . : -, at most 253)");
const metrics = new NameCheck(metricName, "is not a snake_case metric name (at most 200)");
const labelNames = new NameCheck(labelName, "is not a label name ([a-zA-Z_][a-zA-Z0-9_]*)");

function checkNames(
  host: string,
  metric: string,
  labels: Record<string, string>,
): string | undefined {
  const h = hosts.problem(host);
  if (h) return `host: ${h}`;
  const m = metrics.problem(metric);
  if (m) return `metric: ${m}`;
  for (const key in labels) {
    const k = labelNames.problem(key);
    if (k) return `labels: ${k}`;
    if (labels[key]!.length > 1024) return `labels.${key}: longer than 1024 characters`;
  }
  return undefined;
}

function describe(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const path = issue.path.length ? issue.path.join(".") : "line";
  return `${path}: ${issue.message}`;
}

/**
 * Parses a JSON-lines body into samples. Blank lines are skipped.
 *
 * @param text The body.
 * @param options Line limit and clock.
 * @returns The samples, in body order.
 * @throws {BadRequestError} On the first malformed line (its number and what is wrong), an
 * empty body, or too many lines.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseIngest } from "./parse_ingest.ts";
 * const ts = Date.UTC(2024, 0, 1);
 * const body = JSON.stringify({ ts, host: "h1", metric: "queue_depth", labels: { q: "a" }, value: 3 });
 * assert.deepEqual(parseIngest(body + "\n"), [
 *   { ts, host: "h1", metric: "queue_depth", labels: { q: "a" }, value: 3 },
 * ]);
 * assert.throws(() => parseIngest('{"ts":1}'), /Invalid line 1/);
 * ```
 */
export function parseIngest(text: string, options: ParseIngestOptions = {}): Sample[] {
  const maxLines = options.maxLines ?? 1_000_000;
  const maxTs = (options.now ?? Date.now()) + MAX_AHEAD_MS;
  const out: Sample[] = [];
  let start = 0;
  let lineNo = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    lineNo++;
    const line = text.slice(start, end);
    start = end + 1;
    if (line.trim() === "") continue;
    if (out.length >= maxLines) {
      throw new BadRequestError(`Too many lines: the limit is ${maxLines} per request`);
    }
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (error) {
      throw new BadRequestError(`Invalid line ${lineNo}: ${(error as Error).message}`);
    }
    const parsed = ingestLineSchema.safeParse(json);
    if (!parsed.success) {
      throw new BadRequestError(`Invalid line ${lineNo}: ${describe(parsed.error)}`);
    }
    const d = parsed.data;
    if (!(d.ts >= MIN_TS && d.ts <= maxTs)) {
      throw new BadRequestError(
        `Invalid line ${lineNo}: ts: ${d.ts} is not ms since the epoch from year 2000 to tomorrow`,
      );
    }
    let labels: Record<string, string>;
    try {
      labels = typeof d.labels === "string" ? parseLabels(d.labels) : d.labels ?? {};
    } catch (error) {
      throw new BadRequestError(`Invalid line ${lineNo}: labels: ${(error as Error).message}`);
    }
    const problem = checkNames(d.host, d.metric, labels);
    if (problem) throw new BadRequestError(`Invalid line ${lineNo}: ${problem}`);
    out.push({ ts: d.ts, host: d.host, metric: d.metric, labels, value: d.value ?? NaN });
  }
  if (out.length === 0) throw new BadRequestError("Invalid body: no samples (expected JSON lines)");
  return out;
}
