/**
 * Label names and values that `perfscope.yaml` gives (a scrape target's labels, a rule's
 * `extra_labels`, `external_labels`, the label sets that select series…), held to the rules the
 * lake and the receivers apply at ingest (lake/names.ts): a value ingest refuses would have its
 * samples dropped with no word to the user, and a name it never stores selects nothing. So the
 * config is refused when loaded, naming the key, before anything runs.
 *
 * @module
 */
import { z } from "zod";
import { labelNameProblem, labelValueProblem, reservedLabelProblem } from "./label_rules.ts";

// (the checks live in label_rules.ts, which the CLI's flags take without YAML and zod)
export { labelNameProblem, labelValueProblem };

/** Adds the issue of a label value (at `path` below the value checked), if there is one. */
export function checkLabelValue(value: string, ctx: z.RefinementCtx, path: PropertyKey[] = []) {
  const problem = labelValueProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: "custom", path, message: problem });
}

/**
 * A map of label names to values, each name and value checked: a bad name is named in the issue
 * of the map (the path would hold it unescaped; zod's own key check said only "Invalid key in
 * record"), a bad value's issue is at its key.
 *
 * @param value The schema of one value (its output is checked as a label value).
 * @param options `reserved`: refuse the names the lake owns too (`host`, `__name__`…: labels
 *   added to series that always carry them, never applied). Default false.
 * @returns The map's schema.
 */
export function labelMap<T extends z.ZodType<string, unknown>>(
  value: T,
  options: { reserved?: boolean } = {},
) {
  return z.record(z.string(), value).superRefine((map, ctx) => {
    for (const [name, text] of Object.entries(map)) {
      const problem = labelNameProblem(name) ??
        (options.reserved ? reservedLabelProblem(name) : undefined);
      if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
      else checkLabelValue(text as string, ctx, [name]);
    }
  });
}
