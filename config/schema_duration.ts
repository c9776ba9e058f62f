/**
 * A duration with units in `perfscope.yaml` (`1s`, `15m`, `30d`), as milliseconds. Private to
 * the config schemas.
 *
 * @module
 */
import { z } from "zod";
import { parseDuration } from "./duration.ts";
import { numberNeedsUnit } from "./_number_needs_unit.ts";

/**
 * The schema of a duration with units: a string `parseDuration` reads, coming out in
 * milliseconds. Anything else is an issue naming the value and a few examples; a string it
 * cannot read is an issue with `parseDuration`'s message.
 *
 * @param examples The examples the message offers, e.g. `500ms, 1s, 15m`.
 * @returns The schema.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { durationSchema } from "./schema_duration.ts";
 * const schema = durationSchema("500ms, 1s");
 * assert.equal(schema.parse("15m"), 900_000);
 * assert.match(schema.safeParse(5).error?.issues[0]?.message ?? "", /use e\.g\. 500ms, 1s/);
 * ```
 */
export function durationSchema(examples: string) {
  return z.unknown().transform((value, ctx) => {
    if (typeof value !== "string") {
      ctx.addIssue({
        code: "custom",
        message: `invalid duration ${JSON.stringify(value)}${
          numberNeedsUnit(value)
        } (use e.g. ${examples})`,
      });
      return z.NEVER;
    }
    try {
      return parseDuration(value);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as RangeError).message });
      return z.NEVER;
    }
  });
}
