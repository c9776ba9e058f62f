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
import { controlIn, escapeControls } from "../format/escape_controls.js";
import { LABEL_NAME, LABEL_NAME_MAX_BYTES, LABEL_VALUE_MAX_BYTES } from "./label_rules.ts";

/** What is wrong with a label name from the config, if anything, the name quoted (its control
 * characters escaped: it is not a label name, and the line goes to a terminal). */
export function labelNameProblem(name: string): string | undefined {
  const quoted = escapeControls(JSON.stringify(name));
  if (!LABEL_NAME.test(name)) return `label ${quoted} is not a label name ([a-zA-Z_][a-zA-Z0-9_]*)`;
  // ASCII only by now, so its length is its bytes
  if (name.length > LABEL_NAME_MAX_BYTES) {
    return `label ${quoted} is ${name.length} bytes, at most ${LABEL_NAME_MAX_BYTES}`;
  }
  return undefined;
}

/** What is wrong with a label value from the config, if anything: the lake's rules, worded for
 * the person editing the file. */
export function labelValueProblem(value: string): string | undefined {
  // the one list ingest refuses by (format/escape_controls.js)
  const control = controlIn(value);
  if (control !== undefined) {
    return `holds ${control}, which no label value may (ingest would drop its samples)`;
  }
  // YAML's "\ud800" escape gives a lone surrogate, which UTF-8 cannot carry
  if (!value.isWellFormed()) return "not valid Unicode (a lone surrogate)";
  const bytes = new TextEncoder().encode(value).length;
  if (bytes > LABEL_VALUE_MAX_BYTES) {
    return `label value of ${bytes} bytes, at most ${LABEL_VALUE_MAX_BYTES}`;
  }
  return undefined;
}

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
 * @returns The map's schema.
 */
export function labelMap<T extends z.ZodType<string, unknown>>(value: T) {
  return z.record(z.string(), value).superRefine((map, ctx) => {
    for (const [name, text] of Object.entries(map)) {
      const problem = labelNameProblem(name);
      if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
      else checkLabelValue(text as string, ctx, [name]);
    }
  });
}
