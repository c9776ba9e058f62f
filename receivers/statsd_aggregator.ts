/**
 * Aggregates StatsD measurements between flushes (every second in serve) into stored samples
 * (names as in CONTRACTS.md): counter `c` → `c_per_second` (scaled by the sample rate), gauge
 * `g` → `g` (kept between flushes; `+`/`-` adjust it), timer/histogram `t` →
 * `t_count_per_second`, `t_p50`, `t_p95`, `t_p99`, `t_max` (in the timer's ms), set `s` →
 * `s_unique`. Distinct series are capped (the source's limit): a new one past it is dropped and
 * counted, so memory stays bounded whatever arrives.
 *
 * @module
 */
import { BatchBuilder, type IngestBatch } from "./batch_builder.ts";
import { formatLabels } from "../labels/mod.ts";
import { addLabels, metricName } from "./_labels.ts";
import { cleanLabelNames } from "./_clean_label_names.ts";
import { parseStatsdLine, type StatsdLine } from "./parse_statsd.ts";

/** Options for {@linkcode StatsdAggregator}. */
export interface StatsdAggregatorOptions {
  /** The `host` column. */
  host: string;
  /** Most distinct series (name and tags); default 10 000. */
  maxSeries?: number;
  /** Most timer values kept per series between flushes (the count stays exact); default 10 000. */
  maxTimerValues?: number;
  /** Clock (ms); default `Date.now`. */
  now?: () => number;
}

interface Series {
  name: string;
  labels: Record<string, string>;
  type: StatsdLine["type"];
  count: number;
  gauge: number;
  values: number[];
  max: number;
  members: Set<string>;
  touched: boolean;
}

/** R-7 quantile of sorted values (linear between closest ranks, as d3.quantile). */
function quantile(sorted: number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  return sorted[lo]! + (sorted[Math.min(lo + 1, sorted.length - 1)]! - sorted[lo]!) * (h - lo);
}

/**
 * Takes StatsD packets and gives a batch per flush.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { StatsdAggregator } from "./statsd_aggregator.ts";
 * let t = 0;
 * const agg = new StatsdAggregator({ host: "h", now: () => t });
 * agg.packet("hits:2|c\nhits:1|c|@0.5\nqueue:5|g\nqueue:-2|g");
 * t = 1000;
 * const b = agg.flush();
 * assert.deepEqual(b.metric, ["hits_per_second", "queue"]);
 * assert.deepEqual(b.value, [4, 3]);
 * ```
 */
export class StatsdAggregator {
  #series = new Map<string, Series>();
  #maxSeries: number;
  #host: string;
  #now: () => number;
  #maxValues: number;
  #last: number;
  /** Lines that could not be parsed, since start. */
  malformed = 0;
  /** Lines of series past the limit, since start. */
  limited = 0;
  /** Lines taken, since start. */
  lines = 0;
  /** The last malformed line's problem. */
  lastProblem = "";
  /** Samples dropped at a flush because the lake would refuse them (a long name or tag value,
   * an infinite value), since start. */
  invalid = 0;
  /** The first such problems of the last flush that had any. */
  lastInvalid = "";

  /** @param options See {@linkcode StatsdAggregatorOptions}. */
  constructor(options: StatsdAggregatorOptions) {
    this.#host = options.host;
    this.#now = options.now ?? Date.now;
    this.#maxSeries = options.maxSeries ?? 10_000;
    this.#maxValues = options.maxTimerValues ?? 10_000;
    this.#last = this.#now();
  }

  /**
   * Changes the most distinct series held and keeps the series held (a config reload): a lower
   * limit takes no new series until fewer are held.
   *
   * @param maxSeries The new limit.
   * @throws {RangeError} If it is not a positive integer.
   */
  resize(maxSeries: number): void {
    if (!(Number.isInteger(maxSeries) && maxSeries > 0)) {
      throw new RangeError(`Invalid maxSeries: ${maxSeries}`);
    }
    this.#maxSeries = maxSeries;
  }

  /** Distinct series held. */
  get size(): number {
    return this.#series.size;
  }

  /**
   * Takes one packet (lines separated by `\n`).
   *
   * @param text The packet.
   * @returns Lines that were malformed.
   */
  packet(text: string): number {
    let bad = 0;
    for (const raw of text.split("\n")) {
      const line = raw.trim();
      if (line === "") continue;
      let m: StatsdLine;
      try {
        m = parseStatsdLine(line);
      } catch (error) {
        bad++;
        this.lastProblem = `${(error as Error).message}: ${JSON.stringify(line.slice(0, 80))}`;
        continue;
      }
      this.lines++;
      this.#take(m);
    }
    this.malformed += bad;
    return bad;
  }

  #take(m: StatsdLine): void {
    // tags that clean to one name (`a.b`, `a_b`) join their values, whatever their order
    const labels: Record<string, string> = {};
    addLabels(labels, cleanLabelNames(m.tags));
    const name = metricName(m.name);
    const key = `${m.type}\u0000${name}\u0000${formatLabels(labels)}`;
    let s = this.#series.get(key);
    if (!s) {
      if (this.#series.size >= this.#maxSeries) {
        this.limited++;
        return;
      }
      s = {
        name,
        labels,
        type: m.type,
        count: 0,
        gauge: 0,
        values: [],
        max: -Infinity,
        members: new Set(),
        touched: false,
      };
      this.#series.set(key, s);
    }
    s.touched = true;
    switch (m.type) {
      case "c":
        for (const v of m.values) s.count += v / m.rate;
        break;
      case "g":
        for (const v of m.values) s.gauge = m.delta ? s.gauge + v : v;
        break;
      case "ms":
        for (const v of m.values) {
          s.count += 1 / m.rate;
          if (v > s.max) s.max = v;
          if (s.values.length < this.#maxValues) s.values.push(v);
        }
        break;
      case "s":
        for (const v of m.members) if (s.members.size < 100_000) s.members.add(v);
    }
  }

  /**
   * The samples since the last flush: counters and timers touched in the interval (a counter
   * also once more, as 0, the interval after its last update), every gauge, sets touched.
   *
   * @returns The batch (timestamped now).
   */
  flush(): IngestBatch {
    const now = this.#now();
    const seconds = Math.max(0.001, (now - this.#last) / 1000);
    this.#last = now;
    const out = new BatchBuilder({ host: this.#host, ts: now, source: "statsd" });
    for (const [key, s] of this.#series) {
      switch (s.type) {
        case "c":
          out.add(`${s.name}_per_second`, s.labels, s.count / seconds, {
            unit: "1/s",
            kind: "rate",
            help: "StatsD counter per second",
          });
          if (!s.touched) this.#series.delete(key);
          s.count = 0;
          break;
        case "g":
          out.add(s.name, s.labels, s.gauge, { unit: "", kind: "gauge", help: "StatsD gauge" });
          break;
        case "ms": {
          if (s.touched) {
            const ms = { unit: "ms", kind: "gauge", help: "StatsD timer" } as const;
            out.add(`${s.name}_count_per_second`, s.labels, s.count / seconds, {
              unit: "1/s",
              kind: "rate",
              help: "StatsD timer events per second",
            });
            const sorted = s.values.sort((a, b) => a - b);
            if (sorted.length > 0) {
              out.add(`${s.name}_p50`, s.labels, quantile(sorted, 0.5), ms);
              out.add(`${s.name}_p95`, s.labels, quantile(sorted, 0.95), ms);
              out.add(`${s.name}_p99`, s.labels, quantile(sorted, 0.99), ms);
              out.add(`${s.name}_max`, s.labels, s.max, ms);
            }
          } else this.#series.delete(key);
          s.values = [], s.count = 0, s.max = -Infinity;
          break;
        }
        case "s":
          if (s.touched) {
            out.add(`${s.name}_unique`, s.labels, s.members.size, {
              unit: "",
              kind: "gauge",
              help: "StatsD set: distinct values in the interval",
            });
          } else this.#series.delete(key);
          s.members = new Set();
      }
      s.touched = false;
    }
    if (out.invalid > 0) {
      this.invalid += out.invalid;
      this.lastInvalid = out.problems.join("; ");
    }
    return out.batch();
  }
}
