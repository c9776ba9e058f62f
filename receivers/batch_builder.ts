/**
 * Builds the columns a receiver hands to the lake (the `IngestBatch` shape of
 * `IngestWriter.writeBatch`), dropping and counting what the lake would refuse or what is past
 * the source's cardinality limit, and recording each metric's metadata in the app-metric
 * registry.
 *
 * @module
 */
import { formatLabels } from "../labels/mod.ts";
import { type AppMetricInfo, recordAppMetric } from "./app_metrics.ts";
import {
  LABEL_NAME_MAX_BYTES,
  labelValueProblem,
  MAX_LABELS,
  METRIC_MAX_BYTES,
} from "./_labels.ts";
import type { SeriesLimit } from "./series_limit.ts";

/** Samples as columns, labels in canonical form; `NaN` values stand for no value (`null` in an
 * ingest line). The lake's ingest writer, spool and line parser take this type too: it is
 * defined here because receivers sit below the lake. */
export interface IngestBatch {
  ts: number[];
  host: string[];
  metric: string[];
  labels: string[];
  value: number[];
}

/** Labels checked against the lake's rules and in canonical form. */
export interface PreparedLabels {
  /** The labels. */
  readonly labels: Readonly<Record<string, string>>;
  /** Canonical text (`k=v,…`, keys sorted). */
  readonly text: string;
  /** Why the lake would refuse them (`{k}: …`), if it would. */
  readonly problem?: string;
}

/**
 * Checks labels against the lake's rules (name length, value length and characters, count) and
 * formats them.
 *
 * @param labels The labels (names already acceptable to the lake).
 * @returns The prepared labels.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { prepareLabels } from "./batch_builder.ts";
 * assert.equal(prepareLabels({ b: "2", a: "1" }).text, "a=1,b=2");
 * assert.match(prepareLabels({ a: "x\u0000" }).problem!, /control character/);
 * ```
 */
export function prepareLabels(labels: Readonly<Record<string, string>>): PreparedLabels {
  let n = 0;
  for (const k in labels) {
    // a long name (a StatsD tag, an OTLP attribute key, a scraped label) passes labelName(); the
    // lake refused it, and with it every other sample of the batch
    if (k.length > LABEL_NAME_MAX_BYTES) {
      return {
        labels,
        text: "",
        problem: `{${k.slice(0, 40)}…}: label name longer than ${LABEL_NAME_MAX_BYTES} bytes`,
      };
    }
    const p = labelValueProblem(labels[k]!);
    if (p) return { labels, text: "", problem: `{${k}}: ${p}` };
    n++;
  }
  if (n > MAX_LABELS) return { labels, text: "", problem: `: more than ${MAX_LABELS} labels` };
  return { labels, text: formatLabels(labels) };
}

const seriesKeys = new WeakMap<PreparedLabels, Map<string, string>>();

/**
 * The key of a series (`metric`, NUL, canonical labels), kept with its prepared labels, so a
 * scrape that reuses them (see `CumulativeState`) does not build the string every time.
 *
 * @param metric Stored metric name.
 * @param labels The prepared labels.
 * @returns `${metric}\u0000${labels.text}`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { prepareLabels, seriesKey } from "./batch_builder.ts";
 * assert.equal(seriesKey("up", prepareLabels({ target: "a" })), "up\u0000target=a");
 * ```
 */
export function seriesKey(metric: string, labels: PreparedLabels): string {
  let byMetric = seriesKeys.get(labels);
  if (!byMetric) seriesKeys.set(labels, byMetric = new Map());
  let key = byMetric.get(metric);
  if (key === undefined) {
    key = `${metric}\u0000${labels.text}`;
    // a label set is stored under a handful of names; a caller passing ever new names
    // (none does) would only start the memo again
    if (byMetric.size > 64) byMetric.clear();
    byMetric.set(metric, key);
  }
  return key;
}

/** What a receiver knows about a metric it stores. */
export type MetricMeta = Omit<AppMetricInfo, "name" | "source">;

/** Options for {@linkcode BatchBuilder}. */
export interface BatchBuilderOptions {
  /** The `host` column. */
  host: string;
  /** The samples' time, ms. */
  ts: number;
  /** Where the samples come from (`scrape`, `otlp`, `statsd`, `probe`), for the registry. */
  source: string;
  /** The source's cardinality limit (its window is rolled once per batch); default none. */
  limit?: SeriesLimit;
}

/**
 * Collects samples into columns.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BatchBuilder } from "./batch_builder.ts";
 * const b = new BatchBuilder({ host: "h", ts: 1, source: "scrape" });
 * b.add("up", { target: "app" }, 1);
 * b.add("up", { target: "bad\n" }, 1);
 * assert.deepEqual(b.batch().labels, ["target=app"]);
 * assert.equal(b.invalid, 1);
 * ```
 */
export class BatchBuilder {
  #host: string;
  #ts: number;
  #source: string;
  #limit: SeriesLimit | undefined;
  #out: IngestBatch = { ts: [], host: [], metric: [], labels: [], value: [] };
  #described = new Set<string>();
  /** Samples dropped because the lake would refuse them (a long or odd label value, too many
   * labels, a long name, an infinite value). */
  invalid = 0;
  /** Samples dropped by the cardinality limit. */
  limited = 0;
  /** The first problems met (at most 5), for a log line. */
  problems: string[] = [];

  /** @param options See {@linkcode BatchBuilderOptions}. */
  constructor(options: BatchBuilderOptions) {
    this.#host = options.host;
    this.#ts = options.ts;
    this.#source = options.source;
    this.#limit = options.limit;
    // one batch (a scrape, an export) is judged in one window, the one of its time
    this.#limit?.roll();
  }

  /** Samples collected so far. */
  get size(): number {
    return this.#out.ts.length;
  }

  #problem(text: string): void {
    this.invalid++;
    if (this.problems.length < 5) this.problems.push(text);
  }

  /**
   * Adds one sample (or drops and counts it).
   *
   * @param metric Stored metric name (already in the lake's snake_case).
   * @param labels Labels (names already acceptable to the lake).
   * @param value The value; `NaN` for none (stored as no value).
   * @param meta Unit, kind and help, recorded in the app-metric registry once per batch.
   * @param ts The sample's time (default the builder's).
   * @returns True if the sample was kept.
   */
  add(
    metric: string,
    labels: Readonly<Record<string, string>>,
    value: number,
    meta?: MetricMeta,
    ts?: number,
  ): boolean {
    const prepared = prepareLabels(labels);
    // labels prepared for one sample: their series key is built, not memoised
    return this.#add(metric, prepared, `${metric}\u0000${prepared.text}`, value, meta, ts);
  }

  /**
   * Adds one sample whose labels were checked and formatted once by {@linkcode prepareLabels}
   * (a scrape reuses them for the same series every time).
   *
   * @param metric Stored metric name.
   * @param labels The prepared labels.
   * @param value The value.
   * @param meta Unit, kind and help.
   * @param ts The sample's time (default the builder's).
   * @returns True if the sample was kept.
   */
  addPrepared(
    metric: string,
    labels: PreparedLabels,
    value: number,
    meta?: MetricMeta,
    ts?: number,
  ): boolean {
    return this.#add(metric, labels, undefined, value, meta, ts);
  }

  #add(
    metric: string,
    labels: PreparedLabels,
    key: string | undefined,
    value: number,
    meta: MetricMeta | undefined,
    ts: number | undefined,
  ): boolean {
    if (metric.length > METRIC_MAX_BYTES) {
      this.#problem(`${metric.slice(0, 60)}…: name longer than ${METRIC_MAX_BYTES} bytes`);
      return false;
    }
    if (labels.problem !== undefined) {
      this.#problem(`${metric}${labels.problem}`);
      return false;
    }
    // the lake holds finite numbers (NaN as no value) and refused a batch holding an infinity
    // whole: a scraped `g +Inf` cost the scrape every sample, its health included
    if (value === Infinity || value === -Infinity) {
      this.#problem(`${metric}{${labels.text}}: value ${value > 0 ? "+" : "-"}Inf`);
      return false;
    }
    if (this.#limit && !this.#limit.admit(key ?? seriesKey(metric, labels))) {
      this.limited++;
      return false;
    }
    if (meta && !this.#described.has(metric)) {
      this.#described.add(metric);
      recordAppMetric({ name: metric, source: this.#source, ...meta });
    }
    const o = this.#out;
    o.ts.push(ts ?? this.#ts), o.host.push(this.#host), o.metric.push(metric);
    o.labels.push(labels.text), o.value.push(value);
    return true;
  }

  /** The collected columns. */
  batch(): IngestBatch {
    return this.#out;
  }
}
