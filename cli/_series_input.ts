/**
 * Where the analytics commands (forecast, anomaly, capacity) read their series from: a CSV file
 * (`--input`) or a lake series (`--metric` with `--labels`, `--host`, `--data`, `--since`).
 * Parsed once here so the three commands accept the same flags and say the same errors.
 *
 * @module
 */
import { medianStep, readCsvSeries } from "../analytics/mod.ts";
import { formatLabels } from "../collectors/mod.ts";
import { formatDuration } from "../config/mod.ts";
import { type Lake, listLabelSets, matchLabels, sameHost } from "../lake/mod.ts";
import { errorLine, existingLake, parseNumber, parseSpan, UsageError } from "./_args.ts";
import { readBounded } from "./_read_bounded.ts";
import { sourceFromFlag } from "./_source.ts";
import { commandConfig } from "./_config.ts";
import { openLakeWithSpool } from "./_lake_with_spool.ts";
import { checkHosts } from "./_check_hosts.ts";
import { closestName } from "../format/closest_name.ts";

/** `node:util` parseArgs option definitions for the series flags. */
export const seriesInputOptions = {
  input: { type: "string" },
  "time-column": { type: "string" },
  "value-column": { type: "string" },
  metric: { type: "string" },
  labels: { type: "string" },
  host: { type: "string" },
  data: { type: "string" },
  since: { type: "string" },
  "max-input-mb": { type: "string" },
  source: { type: "string" },
  config: { type: "string" },
} as const;

/** Default bound on an `--input` file, in MiB. */
export const MAX_INPUT_MB = 64;

/** The help lines for the series flags. */
export const seriesInputHelp = `Input (one of):
  --input FILE          CSV with a header row
  --metric NAME         a lake series, e.g. filesystem_used_bytes

CSV options:
  --time-column C       time column (default: timestamp, else the first column)
  --value-column V      value column (default: value, else the last numeric column)
  --max-input-mb N      refuse a file larger than this (default: ${MAX_INPUT_MB}); rows must be
                        sorted by time, lines at most 65536 characters, and FIFOs, devices and
                        directories are refused

Lake options:
  --labels k=v[,k=v]    labels the series has (others are free; several matching
                        series is an error that lists them) (default: none)
  --host H              host (default: all hosts averaged)
  --data DIR            lake root (default: data: of the config, else data)
  --since D             history to read, e.g. 14d (default: 14d)
  --source URL|NAME     read --metric from a Prometheus query API instead of the lake
                        (Prometheus, VictoriaMetrics, Mimir, Thanos; --host required), or
                        from the entry of sources: in the config with this name (its
                        headers, credentials and TLS files)
  --config FILE         settings file for data: and sources: names (default
                        ./perfscope.yaml when present)`;

/** A validated series source. */
export type SeriesSource =
  | { kind: "csv"; input: string; maxBytes: number; timeColumn?: string; valueColumn?: string }
  | {
    kind: "lake";
    metric: string;
    labels: string;
    host?: string;
    /** `--data`, else `data:` of the config (`--config`, else `./perfscope.yaml`), else `data`. */
    data?: string;
    config?: string;
    sinceMs: number;
  }
  | {
    kind: "query";
    /** `--source`: a URL or a name from `sources:`. */
    spec: string;
    /** `--config`, else the default file (`./perfscope.yaml` when present). */
    config?: string;
    metric: string;
    labels: string;
    host: string;
    sinceMs: number;
  };

/** A series read from its source. */
export interface SourceSeries {
  ts: Float64Array;
  values: Float64Array;
  /** Median gap between points in ms (`NaN` with fewer than two points). */
  stepMs: number;
  /** Where it came from, for messages: `file.csv:column` or `metric{labels} (tier)`. */
  from: string;
}

/** Flag values as `parseArgs` returns them for {@linkcode seriesInputOptions}. */
export type SeriesFlagValues = { [K in keyof typeof seriesInputOptions]?: string | undefined };

/**
 * Validates the series flags into a source.
 *
 * @param v Parsed flag values.
 * @returns The source.
 * @throws {UsageError} Without exactly one of `--input` and `--metric`, or with bad labels or
 * a bad `--since`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { seriesSource } from "./_series_input.ts";
 * assert.deepEqual(seriesSource({ input: "a.csv" }), {
 *   kind: "csv",
 *   input: "a.csv",
 *   maxBytes: 64 * 1024 * 1024,
 * });
 * const lake = seriesSource({ metric: "cpu_ratio", labels: "mode=idle,cpu=total" });
 * assert.equal(lake.kind === "lake" && lake.labels, "cpu=total,mode=idle");
 * ```
 */
export function seriesSource(v: SeriesFlagValues): SeriesSource {
  if ((v.input === undefined) === (v.metric === undefined)) {
    throw new UsageError("Missing input: give either --input FILE.csv or --metric NAME");
  }
  if (v.input !== undefined) {
    const mb = parseNumber(v["max-input-mb"] ?? String(MAX_INPUT_MB), "max-input-mb", {
      min: 1,
      max: 1024,
    });
    return {
      kind: "csv",
      input: v.input,
      maxBytes: Math.round(mb * 1024 * 1024),
      ...(v["time-column"] !== undefined && { timeColumn: v["time-column"] }),
      ...(v["value-column"] !== undefined && { valueColumn: v["value-column"] }),
    };
  }
  if (v.source !== undefined) {
    if (v.host === undefined) {
      throw new UsageError("Missing --host: a --source series is read for one host");
    }
    return {
      kind: "query",
      spec: v.source,
      ...(v.config !== undefined && { config: v.config }),
      metric: v.metric!,
      labels: canonicalLabels(v.labels ?? ""),
      host: v.host,
      sinceMs: parseSpan(v.since ?? "14d", "since"),
    };
  }
  return {
    kind: "lake",
    metric: v.metric!,
    labels: canonicalLabels(v.labels ?? ""),
    ...(v.host !== undefined && { host: v.host }),
    ...(v.data !== undefined && { data: v.data }),
    ...(v.config !== undefined && { config: v.config }),
    sinceMs: parseSpan(v.since ?? "14d", "since"),
  };
}

/**
 * `k=v,k=v` → the canonical label string (keys sorted, escaped). A backslash takes the next
 * character as is, so `mountpoint=/a\,b` names a value holding a comma, as the lake writes it.
 */
function canonicalLabels(text: string): string {
  if (text.trim() === "") return "";
  const labels: Record<string, string> = {};
  for (const pair of text.split(/(?<!(?:^|[^\\])(?:\\\\)*\\),/)) {
    const i = pair.search(/(?<!(?:^|[^\\])(?:\\\\)*\\)=/);
    if (i <= 0) throw new UsageError(`Invalid --labels: ${text} (use k=v[,k=v])`);
    const unescape = (t: string) => t.trim().replace(/\\(.)/g, "$1");
    labels[unescape(pair.slice(0, i))] = unescape(pair.slice(i + 1));
  }
  try {
    return formatLabels(labels);
  } catch (error) {
    throw new UsageError(`Invalid --labels: ${errorLine(error)}`, { cause: error });
  }
}

/**
 * Reads the series from its source.
 *
 * @param source From {@linkcode seriesSource}.
 * @param now The clock, for the lake range (default `Date.now`).
 * @returns Times, values, step and a description.
 * @throws {UsageError} For a named CSV column that is absent, or a `--host` with no samples in
 * the lake (or the query API) when other hosts have some.
 * @throws {Error} When the file cannot be read (not a regular file, over `maxBytes`) or parsed
 * (a line over 65536 characters, time going backwards), holds no numeric value, or the lake has
 * no such series.
 */
export async function readSeriesSource(
  source: SeriesSource,
  now: () => number = Date.now,
): Promise<SourceSeries> {
  if (source.kind === "csv") {
    const text = await readBounded(source.input, source.maxBytes);
    try {
      const s = readCsvSeries(text, {
        ...(source.timeColumn !== undefined && { timeColumn: source.timeColumn }),
        ...(source.valueColumn !== undefined && { valueColumn: source.valueColumn }),
        ascending: true,
      });
      if (!s.values.some(Number.isFinite)) {
        throw new RangeError(`No numeric values in ${source.input}:${s.valueColumn}`);
      }
      return {
        ts: s.ts,
        values: s.values,
        stepMs: s.stepMs,
        from: `${source.input}:${s.valueColumn}`,
      };
    } catch (error) {
      const message = (error as Error).message;
      if (/--(time|value)-column/.test(message)) throw new UsageError(message, { cause: error });
      throw error;
    }
  }
  if (source.kind === "query") return await readQuerySeries(source, now);
  const data = source.data ?? (await commandConfig(source.config)).data ?? "data";
  const lake = await openLakeWithSpool(existingLake(data));
  try {
    const labels = await pickLabels(lake, { ...source, data });
    const to = now() + 1;
    const s = await lake.series({
      metric: source.metric,
      labels,
      ...(source.host !== undefined && { host: source.host }),
      from: to - source.sinceMs,
      to,
    });
    const name = seriesName(source.metric, labels);
    if (s.ts.length === 0) {
      throw new Error(
        `No data for ${name} in ${data} over the last ${formatDuration(source.sinceMs)}`,
      );
    }
    return { ts: s.ts, values: s.values, stepMs: medianStep(s.ts), from: `${name} (${s.tier})` };
  } finally {
    lake.close();
  }
}

/** A series from a query API: the label set picked as from the lake, then read at the tier the
 * range calls for. */
async function readQuerySeries(
  source: Extract<SeriesSource, { kind: "query" }>,
  now: () => number,
): Promise<SourceSeries> {
  const api = sourceFromFlag(source.spec, await commandConfig(source.config));
  // host names are case-insensitive: --host web1 finds the server's Web1 (read as it spells it;
  // a server holding both spellings is read under the exact one, so a label set counts once)
  const all = await api.metrics();
  checkHosts([source.host], all.map((e) => e.host), { flag: "host", where: api.base });
  const sets = [
    ...new Set(
      all
        .filter((e) => e.metric === source.metric && sameHost(e.host, source.host))
        .map((e) => e.labels),
    ),
  ];
  const asked = seriesName(source.metric, source.labels);
  const found = matchLabels(sets, source.labels);
  if (found.length !== 1) {
    throw new Error(
      found.length === 0
        ? `${asked} matches no series for host ${source.host} in ${api.base}` +
          (sets.length ? `; its label sets: ${listLabelSets([...new Set(sets)])}` : "")
        : `${asked} matches ${found.length} series: ${
          listLabelSets(found)
        }; add labels to pick one`,
    );
  }
  const to = now() + 1;
  const s = await api.series({
    metric: source.metric,
    labels: found[0]!,
    host: source.host,
    from: to - source.sinceMs,
    to,
  });
  const name = seriesName(source.metric, found[0]!);
  if (s.ts.length === 0) {
    throw new Error(
      `No data for ${name} in ${api.base} over the last ${formatDuration(source.sinceMs)}`,
    );
  }
  return { ts: s.ts, values: s.values, stepMs: medianStep(s.ts), from: `${name} (${s.tier})` };
}

/**
 * Refuses a metric none of the lake's series has, at any time (a typo, or `cpu_busy`, which
 * `maintenance` derives and the lake does not hold): it was "No data for cpu_rato … over the
 * last 14 days", as if a longer look-back would find it. An empty lake is left to the caller's
 * "no data". The lake holds some 50 metrics, more than a line lists: a near name is offered,
 * else the query that lists them.
 */
function checkMetric(metric: string, known: readonly string[], where: string): void {
  if (known.length === 0 || known.includes(metric)) return;
  const meant = closestName(metric, [...new Set(known)].sort());
  throw new UsageError(
    `Unknown --metric ${metric}: no samples of it in ${where}; ` +
      (meant === undefined
        ? `the metrics it holds: deno task query --data ${where} "SELECT DISTINCT metric FROM samples"`
        : `did you mean ${meant}?`),
  );
}

/**
 * The one label set of the metric that `--labels` selects: every given `k=v` must match, other
 * labels are free (an exact match wins). None or several matching is an error that lists the
 * label sets present, so the user can copy one.
 */
async function pickLabels(
  lake: Lake,
  source: Extract<SeriesSource, { kind: "lake" }> & { data: string },
): Promise<string> {
  const all = await lake.metrics();
  if (source.host !== undefined) {
    checkHosts([source.host], all.map((e) => e.host), { flag: "host", where: source.data });
  }
  const sets = all
    .filter((e) =>
      e.metric === source.metric && (source.host === undefined || sameHost(e.host, source.host))
    )
    .map((e) => e.labels);
  const asked = seriesName(source.metric, source.labels);
  const where = `in ${source.data}${source.host === undefined ? "" : ` for host ${source.host}`}`;
  checkMetric(source.metric, all.map((e) => e.metric), source.data);
  if (sets.length === 0 && all.length > 0) {
    // the lake holds the metric, of other hosts only: at no time of this one, so "over the
    // last 14 days" would send the user to a longer --since in vain
    throw new Error(`No samples of ${asked} ${where} (other hosts have some)`);
  }
  if (sets.length === 0) {
    throw new Error(
      `No data for ${asked} ${where} over the last ${formatDuration(source.sinceMs)}`,
    );
  }
  const found = matchLabels(sets, source.labels);
  if (found.length === 1) return found[0]!;
  const present = [...new Set(sets)];
  if (found.length === 0) {
    throw new Error(
      `${asked} matches no series ${where}; its label sets: ${listLabelSets(present)}`,
    );
  }
  throw new Error(
    `${asked} matches ${found.length} series: ${listLabelSets(found)}; add labels to pick one`,
  );
}

/** `metric{k=v}`, or the metric alone when it has no labels (`tcp_connections_established`, not
 * `tcp_connections_established{}`). */
function seriesName(metric: string, labels: string): string {
  return labels === "" ? metric : `${metric}{${labels}}`;
}
