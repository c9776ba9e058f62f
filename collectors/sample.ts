/**
 * The one record every stage passes along: a timestamped value of a named metric with labels.
 *
 * @module
 */
// the canonical label text lives in labels/ (a ground floor the receivers share too); re-exported
// here, where every stage has always taken it from
export { formatLabels, parseLabels } from "../labels/mod.ts";

/** Label names to values. Keys are sorted when stored (see `formatLabels`, `labels/`). */
export type Labels = Readonly<Record<string, string>>;

/** One observation of one series. */
export interface Sample {
  /** Milliseconds since the Unix epoch (UTC). */
  ts: number;
  /** Host name the sample belongs to. */
  host: string;
  /** Metric name from the registry, e.g. `cpu_ratio`. */
  metric: string;
  /** Labels that tell series of one metric apart, e.g. `{ cpu: "0", mode: "user" }`. */
  labels: Labels;
  /** The value; `NaN` where a rate could not be computed (first sample, counter reset). */
  value: number;
}
