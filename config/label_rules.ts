/**
 * The limits every name and label is held to, in one place: the lake refuses what breaks them,
 * the receivers drop such series before the lake sees them, and the config loader refuses them in
 * `perfscope.yaml`. Dependency-free (a second entry point of config/, like duration.ts), so the
 * collector and the receivers take it without loading YAML and zod.
 *
 * @module
 */

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
