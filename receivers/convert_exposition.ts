/**
 * Turns parsed exposition families into the stored application metrics (names as in
 * CONTRACTS.md): gauges as they are; counters as `<name>_per_second` (resets handled: a
 * decrease restarts from the new value; the first scrape gives no rate); histograms as
 * `_count_per_second`, `_sum_per_second`, `_bucket_per_second{bucket}` and `_p50`/`_p95`/`_p99`
 * over the last interval's increase; summaries as `_p<q>` plus count and sum rates. Samples get
 * the scrape's time (a page's own timestamps are not used: rates need one clock).
 *
 * @module
 */
import { perSecond, unitOf } from "./app_metrics.ts";
import {
  type BatchBuilder,
  type MetricMeta,
  type PreparedLabels,
  prepareLabels,
  seriesKey,
} from "./batch_builder.ts";
import { histogramQuantile } from "./histogram_quantile.ts";
import { addLabels, metricName } from "./_labels.ts";
import { cleanLabelNames } from "./_clean_label_names.ts";
import type { ExpositionSample, MetricFamily, ParsedSeries } from "./parse_exposition.ts";

/** What a source remembers between two scrapes or pushes (cumulative values by series). */
export class CumulativeState {
  #prev = new Map<string, { ts: number; v: number[] }>();
  #next = new Map<string, { ts: number; v: number[] }>();

  /**
   * Increases of cumulative values since the series' last call (resets restart from the new
   * values) and the seconds between the calls, or undefined on the series' first call or a
   * non-positive interval.
   *
   * @param key The series.
   * @param ts Time of these values, ms.
   * @param values Cumulative values (one counter, or a histogram's buckets plus count and sum).
   * @param since Start of the counting (OTLP start time), ms; a later start than the last call
   * means a reset. Default unknown.
   */
  increase(
    key: string,
    ts: number,
    values: number[],
    since = NaN,
  ): { increase: number[]; seconds: number } | undefined {
    const old = this.#next.get(key) ?? this.#prev.get(key);
    this.#next.set(key, { ts, v: values });
    if (!old || old.v.length !== values.length || !(ts > old.ts)) return undefined;
    let reset = since > old.ts;
    for (let i = 0; !reset && i < values.length; i++) if (values[i]! < old.v[i]!) reset = true;
    return {
      increase: values.map((v, i) => (reset ? v : v - old.v[i]!)),
      seconds: (ts - old.ts) / 1000,
    };
  }

  /**
   * Whether a series has values from an earlier call (not yet forgotten by
   * {@linkcode CumulativeState.sweep}).
   *
   * @param key The series.
   * @returns True once {@linkcode CumulativeState.increase} has seen it.
   */
  has(key: string): boolean {
    return this.#next.has(key) || this.#prev.has(key);
  }

  /** Forgets the series not seen since the last call (call once per scrape or flush). */
  sweep(): void {
    this.#prev = this.#next;
    this.#next = new Map();
    this.#notesPrev = this.#notesNext;
    this.#notesNext = new Map();
  }

  #notesPrev = new Map<string, unknown>();
  #notesNext = new Map<string, unknown>();

  /**
   * Keeps a small fact about a series between calls (an exponential histogram's stored bucket
   * layout), forgotten with the series by {@linkcode sweep}.
   *
   * @param key The series.
   * @param update The new fact from the previous one (undefined on the series' first call).
   * @returns The new fact.
   */
  note<T>(key: string, update: (previous: T | undefined) => T): T {
    const value = update((this.#notesNext.get(key) ?? this.#notesPrev.get(key)) as T | undefined);
    this.#notesNext.set(key, value);
    return value;
  }

  /** Labels of a page's series as prepared last time (keyed by the raw pairs), so a scrape
   * formats and checks each series' labels once, not every time. */
  readonly labelCache = new Map<string, PreparedLabels>();

  /** The page's series parts parsed last time (`parseExposition`'s `seriesCache`): their label
   * arrays come back the same objects scrape after scrape, so {@linkcode convertExposition}
   * finds their prepared labels by identity, without building a key. */
  readonly seriesCache = new Map<string, ParsedSeries>();

  /** A family's stored name and metadata as worked out last time, by family name (a page
   * declares the same families every scrape). */
  readonly families = new Map<string, FamilyOut>();

  /** Prepared labels by a sample's label array, one map per label left out (`le`,
   * `quantile`, none). */
  readonly preparedByArray = new Map<string, WeakMap<readonly unknown[], PreparedLabels>>();

  /** Series remembered. */
  get size(): number {
    return this.#prev.size + this.#next.size;
  }
}

/** What a counter or gauge family becomes, with what it was worked out from. */
interface FamilyOut {
  readonly type: string;
  readonly unit: string;
  readonly help: string;
  /** The stored name (counters); gauges name each sample. */
  readonly name: string;
  readonly meta: MetricMeta;
}

/** A counter's or gauge's stored name and metadata, from the state when the family is as last
 * time. */
function familyOut(state: CumulativeState, f: MetricFamily, counter: boolean): FamilyOut {
  const known = state.families.get(f.name);
  if (known && known.type === f.type && known.unit === f.unit && known.help === f.help) {
    return known;
  }
  const help = f.help;
  const out: FamilyOut = counter
    ? {
      type: f.type,
      unit: f.unit,
      help,
      name: `${metricName(f.name.replace(/_total$/, ""))}_per_second`,
      meta: { unit: perSecond(unitOf(f.name, f.unit)), kind: "rate", help },
    }
    : {
      type: f.type,
      unit: f.unit,
      help,
      name: "",
      meta: { unit: unitOf(f.name, f.unit), kind: "gauge", help },
    };
  if (state.families.size > 20_000) state.families.clear();
  state.families.set(f.name, out);
  return out;
}

/** Options for {@linkcode convertExposition}. */
export interface ConvertExpositionOptions {
  /** Labels every sample gets (`target` and the config's `labels`); a page's label of the same
   * name is kept as `exported_<name>` (see `addLabels`), as is a histogram's own `bucket`
   * label, the name its bounds are stored under. */
  targetLabels: Readonly<Record<string, string>>;
  /** The scrape's time, ms. */
  ts: number;
}

const QUANTILES = [0.5, 0.95, 0.99] as const;

/**
 * The stored name for a summary quantile: `s_p50`, `s_p90`, `s_p99`, `s_p99_9`.
 *
 * @param base Stored name of the summary.
 * @param q The quantile.
 * @returns The name.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bucketLabel, quantileName } from "./convert_exposition.ts";
 * assert.equal(quantileName("rpc_seconds", 0.999), "rpc_seconds_p99_9");
 * assert.equal(bucketLabel(Infinity), "+Inf");
 * ```
 */
export function quantileName(base: string, q: number): string {
  return `${base}_p${String(+(q * 100).toPrecision(10)).replace(".", "_").replace("-", "m")}`;
}

/**
 * The `le` of a bucket as a label value: `+Inf`, or the number in its shortest form.
 *
 * @param le The upper bound.
 * @returns The label value.
 */
export function bucketLabel(le: number): string {
  return le === Infinity ? "+Inf" : String(le);
}

/**
 * Adds the samples of one scrape to a batch.
 *
 * @param families The parsed page.
 * @param state The target's state from its previous scrapes.
 * @param out Where the samples go (validation and the cardinality limit happen there).
 * @param options Target labels and time.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BatchBuilder, CumulativeState, convertExposition, parseExposition } from "./mod.ts";
 * const state = new CumulativeState();
 * const page = (n: number) => parseExposition(`# TYPE req_total counter\nreq_total ${n}\n`);
 * for (const [ts, n] of [[0, 10], [2000, 30]] as const) {
 *   const out = new BatchBuilder({ host: "h", ts, source: "scrape" });
 *   convertExposition(page(n), state, out, { targetLabels: { target: "app" }, ts });
 *   if (ts > 0) assert.deepEqual(out.batch().value, [10]);
 * }
 * ```
 */
export function convertExposition(
  families: readonly MetricFamily[],
  state: CumulativeState,
  out: BatchBuilder,
  options: ConvertExpositionOptions,
): void {
  const { ts, targetLabels } = options;
  const cache = state.labelCache;
  if (cache.size > 200_000) {
    cache.clear();
    state.preparedByArray.clear();
  }
  function labelsOf(s: ExpositionSample, skip?: string): PreparedLabels {
    let byArray = state.preparedByArray.get(skip ?? "");
    if (!byArray) state.preparedByArray.set(skip ?? "", byArray = new WeakMap());
    const known = byArray.get(s.labels);
    if (known) return known;
    const prepared = labelsByKey(s, skip);
    byArray.set(s.labels, prepared);
    return prepared;
  }
  function labelsByKey(s: ExpositionSample, skip?: string): PreparedLabels {
    let key = skip ?? "";
    for (const [k, v] of s.labels) key += "\u0001" + k + "\u0002" + v;
    const hit = cache.get(key);
    if (hit) return hit;
    const labels: Record<string, string> = { ...targetLabels };
    const own = skip === undefined ? s.labels : s.labels.filter(([k]) => k !== skip);
    // names that clean to one (`a:b`, `a_b`) join their values; a histogram's bound goes in
    // `bucket`: a label of its own of that name moves aside
    addLabels(labels, cleanLabelNames(own), skip === "le" ? "bucket" : undefined);
    const prepared = prepareLabels(labels);
    cache.set(key, prepared);
    return prepared;
  }
  function withBucket(p: PreparedLabels, le: string): PreparedLabels {
    const key = `\u0003${le}\u0003${p.text}`;
    const hit = cache.get(key);
    if (hit) return hit;
    const labels = { ...p.labels };
    addLabels(labels, [["bucket", le]]);
    const prepared = prepareLabels(labels);
    cache.set(key, prepared);
    return prepared;
  }
  for (const f of families) {
    switch (f.type) {
      case "counter": {
        const { name, meta } = familyOut(state, f, true);
        for (const s of f.samples) {
          if (s.name.endsWith("_created")) continue;
          const labels = labelsOf(s);
          const d = state.increase(seriesKey(name, labels), ts, [s.value]);
          if (d) out.addPrepared(name, labels, d.increase[0]! / d.seconds, meta);
        }
        break;
      }
      case "histogram":
        histogram(f, state, out, ts, labelsOf, withBucket);
        break;
      case "summary":
        summary(f, state, out, ts, labelsOf);
        break;
      case "gaugehistogram":
      case "stateset":
      case "info":
      case "gauge":
      case "untyped":
      case "unknown": {
        const { meta } = familyOut(state, f, false);
        for (const s of f.samples) {
          if (f.type === "gaugehistogram" && s.name.endsWith("_bucket")) continue;
          out.addPrepared(metricName(s.name), labelsOf(s), s.value, meta);
        }
      }
    }
  }
  state.sweep();
}

type LabelsOf = (s: ExpositionSample, skip?: string) => PreparedLabels;

interface Group {
  labels: PreparedLabels;
  le: number[];
  counts: number[];
  count: number;
  sum: number;
  quantiles: [number, number][];
}

/** Samples of a histogram or summary grouped by their labels without `le`/`quantile`. */
function groups(f: MetricFamily, skip: string, labelsOf: LabelsOf): Map<string, Group> {
  const out = new Map<string, Group>();
  for (const s of f.samples) {
    const labels = labelsOf(s, skip);
    const key = labels.text;
    let g = out.get(key);
    if (!g) out.set(key, g = { labels, le: [], counts: [], count: NaN, sum: NaN, quantiles: [] });
    const suffix = s.name.slice(f.name.length);
    const tag = s.labels.find(([k]) => k === skip)?.[1];
    if (suffix === "_bucket" && tag !== undefined) {
      g.le.push(tag === "+Inf" ? Infinity : Number(tag));
      g.counts.push(s.value);
    } else if (suffix === "_count") g.count = s.value;
    else if (suffix === "_sum") g.sum = s.value;
    else if (suffix === "" && tag !== undefined) g.quantiles.push([Number(tag), s.value]);
  }
  return out;
}

function histogram(
  f: MetricFamily,
  state: CumulativeState,
  out: BatchBuilder,
  ts: number,
  labelsOf: LabelsOf,
  withBucket: (p: PreparedLabels, le: string) => PreparedLabels,
): void {
  const base = metricName(f.name);
  const unit = unitOf(f.name, f.unit);
  const help = f.help;
  const bucketMeta: MetricMeta = {
    unit: "1/s",
    kind: "rate",
    help: `Observations per second at most the bucket: ${help}`,
  };
  const rate: MetricMeta = { unit: "1/s", kind: "rate", help: `Observations per second: ${help}` };
  const sumMeta: MetricMeta = {
    unit: perSecond(unit),
    kind: "rate",
    help: `Sum per second: ${help}`,
  };
  for (const g of groups(f, "le", labelsOf).values()) {
    const order = g.le.map((_, i) => i).sort((a, b) => g.le[a]! - g.le[b]!);
    const le = order.map((i) => g.le[i]!);
    const counts = order.map((i) => g.counts[i]!);
    const count = Number.isNaN(g.count) ? (counts[counts.length - 1] ?? NaN) : g.count;
    const d = state.increase(seriesKey(base, g.labels), ts, [...counts, count, g.sum]);
    if (!d) continue;
    const inc = d.increase, secs = d.seconds, n = le.length;
    out.addPrepared(`${base}_count_per_second`, g.labels, inc[n]! / secs, rate);
    if (!Number.isNaN(g.sum)) {
      out.addPrepared(`${base}_sum_per_second`, g.labels, inc[n + 1]! / secs, sumMeta);
    }
    for (let i = 0; i < n; i++) {
      const labels = withBucket(g.labels, bucketLabel(le[i]!));
      out.addPrepared(`${base}_bucket_per_second`, labels, inc[i]! / secs, bucketMeta);
    }
    const window = inc.slice(0, n);
    for (const q of QUANTILES) {
      const v = histogramQuantile(q, le, window);
      if (Number.isNaN(v)) continue;
      out.addPrepared(quantileName(base, q), g.labels, v, {
        unit,
        kind: "gauge",
        help: `${q * 100}th percentile over the last interval: ${help}`,
      });
    }
  }
}

function summary(
  f: MetricFamily,
  state: CumulativeState,
  out: BatchBuilder,
  ts: number,
  labelsOf: LabelsOf,
): void {
  const base = metricName(f.name);
  const unit = unitOf(f.name, f.unit);
  const help = f.help;
  for (const g of groups(f, "quantile", labelsOf).values()) {
    for (const [q, v] of g.quantiles) {
      if (!(q >= 0 && q <= 1)) continue;
      out.addPrepared(quantileName(base, q), g.labels, v, {
        unit,
        kind: "gauge",
        help: `${q * 100}th percentile (as the application computes it): ${help}`,
      });
    }
    const d = state.increase(seriesKey(base, g.labels), ts, [g.count, g.sum]);
    if (!d) continue;
    if (!Number.isNaN(g.count)) {
      out.addPrepared(`${base}_count_per_second`, g.labels, d.increase[0]! / d.seconds, {
        unit: "1/s",
        kind: "rate",
        help: `Observations per second: ${help}`,
      });
    }
    if (!Number.isNaN(g.sum)) {
      out.addPrepared(`${base}_sum_per_second`, g.labels, d.increase[1]! / d.seconds, {
        unit: perSecond(unit),
        kind: "rate",
        help: `Sum per second: ${help}`,
      });
    }
  }
}
