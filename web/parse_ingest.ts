/**
 * Validation of `POST /api/ingest` bodies at the edge: the lake's line parser
 * (`parseIngestLines`, a hand-written scanner with memoized name checks; a zod schema per line
 * measured about four times slower, see `bench/web_bench.ts`) with its errors turned into 400s.
 *
 * @module
 */
import { type IngestBatch, parseIngestLines, type ParseIngestLinesOptions } from "../lake/mod.ts";
import { BadRequestError } from "./errors.ts";

/** Options for {@linkcode parseIngest}: limits (defaults in the lake's `INGEST_LIMITS`) and
 * clock. */
export type ParseIngestOptions = Omit<ParseIngestLinesOptions, "trusted">;

/**
 * Runs a parse and turns its `RangeError` into a {@linkcode BadRequestError}.
 *
 * @param run The parse (or validate-and-spool) step.
 * @returns What it returned.
 * @throws {BadRequestError} On a bad line, an empty body, or too many lines or partitions.
 */
export function asBadRequest<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof RangeError) throw new BadRequestError(error.message, { cause: error });
    throw error;
  }
}

/**
 * Parses a JSON-lines body into columns. Blank lines are skipped.
 *
 * @param text The body, as text or bytes (scanned without decoding).
 * @param options Limits and clock.
 * @returns The samples as columns, labels canonical, `NaN` for `null` values.
 * @throws {BadRequestError} On the first malformed line (its number and what is wrong, a
 * timestamp outside the accepted window or a reserved label included), an empty body, or too
 * many lines or partitions.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseIngest } from "./parse_ingest.ts";
 * const ts = Date.UTC(2024, 0, 1);
 * const body = JSON.stringify({ ts, host: "h1", metric: "queue_depth", labels: { q: "a" }, value: 3 });
 * assert.deepEqual(parseIngest(body + "\n", { now: ts }).labels, ["q=a"]);
 * assert.throws(() => parseIngest('{"ts":1}'), /Invalid line 1/);
 * ```
 */
export function parseIngest(
  text: string | Uint8Array,
  options: ParseIngestOptions = {},
): IngestBatch {
  return asBadRequest(() => parseIngestLines(text, options));
}
