/**
 * The `services:` key of `perfscope.yaml`: named services, each a label set that selects its
 * series, with its Apdex threshold, SLO target and cache counters.
 *
 * @module
 */
import { z } from "zod";
import { parseDuration } from "./duration.ts";
import { numberNeedsUnit } from "./_number_needs_unit.ts";
import { repeatedIndexes } from "./_repeated_indexes.ts";
import { labelMap } from "./_label_map.ts";

function seconds() {
  return z.unknown().transform((value, ctx) => {
    try {
      if (typeof value !== "string") throw new RangeError("");
      return parseDuration(value) / 1000;
    } catch {
      ctx.addIssue({
        code: "custom",
        message: `invalid duration ${JSON.stringify(value)}${
          numberNeedsUnit(value)
        } (use e.g. 300ms, 1s)`,
      });
      return z.NEVER;
    }
  });
}

const labelValue = z.union([z.string(), z.number()]).transform(String);

/** One service. */
export const serviceSchema = z.strictObject({
  /** Name shown on the Services page and in reports. */
  name: z.string().trim().min(1, "must not be empty").max(100),
  /** Labels a series must carry to belong to the service, e.g. `{service: api}` or
   * `{target: api-1}`. Default `{service: NAME}`. */
  labels: labelMap(labelValue).optional(),
  /** Apdex threshold T: satisfied ≤ T, tolerating ≤ 4T. Default 500ms. */
  apdex: seconds().optional(),
  /** SLO target as a ratio of good requests, e.g. 0.999. Default 0.999. */
  slo: z.number().gt(0).lt(1).optional(),
  /** Rate metrics of cache hits and misses. Default `cache_hits_per_second` and
   * `cache_misses_per_second` (from `cache_hits_total`, `cache_misses_total`). */
  cache: z.strictObject({ hits: z.string().min(1), misses: z.string().min(1) }).optional(),
});

/** The `services:` list; names must be unique. */
export const servicesSchema = z.array(serviceSchema).max(1000).superRefine((list, ctx) => {
  for (const i of repeatedIndexes(list.map((s) => s.name))) {
    const message = `duplicate service ${list[i]!.name}`;
    ctx.addIssue({ code: "custom", path: [i, "name"], message });
  }
});

/** A configured service (Apdex threshold in seconds). */
export type ServiceConfig = z.output<typeof serviceSchema>;
