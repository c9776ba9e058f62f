/**
 * What a config error adds when a duration was written as a bare number (`flush: 60`), the
 * likeliest slip: the unit is what is missing, which `invalid duration 60` left the reader to
 * guess. Private to the config schemas.
 *
 * @module
 */

/**
 * The hint for a value given where a duration goes: `: a number needs a unit here, 60s or 60ms?`
 * for a finite number, else nothing.
 *
 * @param value The value the file holds.
 * @returns The text to put after `invalid duration VALUE`, or `""`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { numberNeedsUnit } from "./_number_needs_unit.ts";
 * assert.equal(numberNeedsUnit(60), ": a number needs a unit here, 60s or 60ms?");
 * assert.equal(numberNeedsUnit("5 minutes"), "");
 * ```
 */
export function numberNeedsUnit(value: unknown): string {
  return typeof value === "number" && Number.isFinite(value)
    ? `: a number needs a unit here, ${value}s or ${value}ms?`
    : "";
}
