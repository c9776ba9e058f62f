/**
 * The limits every name and label is held to, in one place: the lake refuses what breaks them,
 * the receivers drop such series before the lake sees them, and the config loader and the CLI's
 * flags refuse them in `perfscope.yaml` and on the command line. Free of YAML and zod (a second
 * entry point of config/, like duration.ts; it takes only format/escape_controls.js), so the
 * collector and the receivers take it without loading them.
 *
 * @module
 */
import { controlIn, escapeControls } from "../format/escape_controls.js";

/** Most bytes in a metric name. */
export const METRIC_MAX_BYTES = 200;
/** Most bytes in a label name. */
export const LABEL_NAME_MAX_BYTES = 128;
/** Most bytes (UTF-8) in a label value. */
export const LABEL_VALUE_MAX_BYTES = 1024;
/** Most labels on one sample. */
export const MAX_LABELS = 32;
/** Label names refused at ingest (besides every name starting with `__`). */
export const RESERVED_LABELS: readonly string[] = ["host", "instance", "job", "le", "quantile"];
/** The label name syntax of the lake and of Prometheus. */
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Most bytes in a host name: `host=` plus the name fits a 255-byte file name. */
export const HOST_MAX_BYTES = 250;
/** The host name syntax of the lake (its partition directory is `host=<name>`). */
const HOST_NAME = /^[A-Za-z0-9:][A-Za-z0-9_.:-]*$/;

/**
 * Why a text is not a host name the lake stores, if it is not (the rule's reasons are in
 * lake/names.ts, which words the refusal of ingest; the config loader words its own).
 *
 * @param host The name.
 * @returns The reason, e.g. `250 bytes, at most 250`, or undefined if it is valid.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hostNameFault } from "./label_rules.ts";
 * assert.equal(hostNameFault("Web-1.example.com"), undefined);
 * assert.match(hostNameFault("a/b")!, /^letters, digits/);
 * assert.equal(hostNameFault("Null"), "DuckDB reads it as NULL");
 * ```
 */
export function hostNameFault(host: string): string | undefined {
  if (!HOST_NAME.test(host)) return "letters, digits, _ . : - only; first a letter, digit or :";
  // ASCII only by now, so its length is its bytes
  if (host.length > HOST_MAX_BYTES) return `${host.length} bytes, at most ${HOST_MAX_BYTES}`;
  if (/^null$/i.test(host)) return "DuckDB reads it as NULL";
  return undefined;
}

/** What is wrong with a label name from the config or a flag, if anything, the name quoted (its
 * control characters escaped: it is not a label name, and the line goes to a terminal). */
export function labelNameProblem(name: string): string | undefined {
  const quoted = escapeControls(JSON.stringify(name));
  if (!LABEL_NAME.test(name)) return `label ${quoted} is not a label name ([a-zA-Z_][a-zA-Z0-9_]*)`;
  // ASCII only by now, so its length is its bytes
  if (name.length > LABEL_NAME_MAX_BYTES) {
    return `label ${quoted} is ${name.length} bytes, at most ${LABEL_NAME_MAX_BYTES}`;
  }
  return undefined;
}

/**
 * Whether a label name that {@linkcode labelNameProblem} passes is one the lake owns (see
 * {@linkcode RESERVED_LABELS}), worded for the config and the flags.
 *
 * @param name A valid label name.
 * @returns The problem, or undefined if it is free.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { reservedLabelProblem } from "./label_rules.ts";
 * assert.equal(reservedLabelProblem("env"), undefined);
 * assert.match(reservedLabelProblem("__name__")!, /^label "__name__" is reserved/);
 * ```
 */
export function reservedLabelProblem(name: string): string | undefined {
  if (!RESERVED_LABELS.includes(name) && !name.startsWith("__")) return undefined;
  return `label ${JSON.stringify(name)} is reserved (${RESERVED_LABELS.join(", ")}, __*)`;
}

/** What is wrong with a label value from the config or a flag, if anything: the lake's rules,
 * worded for the person editing the file or the command line. */
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
