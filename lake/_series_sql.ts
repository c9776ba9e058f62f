/**
 * SQL for series reads over the lake's views: the filter, bucketing on one tier, and the
 * one-row-per-series query of `Lake.seriesMany`.
 *
 * @module
 */

import type { DuckDBValue } from "@duckdb/node-api";
import { type SeriesTier, TIER_MS } from "./pick_tier.ts";
import { canonicalHost } from "./names.ts";
import { meanSql } from "./mean_sql.ts";

/** Which value of a bucket. */
export type Agg = "avg" | "min" | "max" | "last";

/** Which rows a series read selects; every filter optional but the range. */
export interface SeriesFilter {
  metric?: string | undefined;
  metrics?: readonly string[] | undefined;
  host?: string | undefined;
  /** Canonical label string. */
  labels?: string | undefined;
  labelsLike?: string | undefined;
  from: number;
  to: number;
}

/** The SQL filter (and its parameters) of a series read. */
export function seriesWhere(
  options: SeriesFilter,
): { where: string; params: Record<string, DuckDBValue> } {
  const params: Record<string, DuckDBValue> = {
    from: BigInt(Math.floor(options.from)),
    to: BigInt(Math.ceil(options.to)),
  };
  const terms = ["ts >= epoch_ms(CAST($from AS BIGINT))", "ts < epoch_ms(CAST($to AS BIGINT))"];
  const metrics = [
    ...(options.metric !== undefined ? [options.metric] : []),
    ...(options.metrics ?? []),
  ];
  if (metrics.length === 1) {
    terms.unshift("metric = $metric");
    params.metric = metrics[0]!;
  } else if (metrics.length > 1 || options.metrics !== undefined) {
    const names = metrics.map((m, i) => {
      params[`m${i}`] = m;
      return `$m${i}`;
    });
    terms.unshift(names.length ? `metric IN (${names.join(", ")})` : "false");
  }
  if (options.labels !== undefined) {
    terms.push("labels = $labels");
    params.labels = options.labels;
  }
  if (options.labelsLike !== undefined) {
    const like = options.labelsLike;
    // DuckDB's LIKE backtracks: `%_` 8 times took 4 s over 1,000 labels of 45 characters, 10
    // times 41 s, holding the lake's connection for every other reader. A prefix, suffix or infix
    // it matches directly; any other pattern becomes an RE2 expression (linear in the label's
    // length) with the same meaning.
    if (/^%?[^%_]*%?$/.test(like)) {
      terms.push("labels LIKE $labelsLike");
      params.labelsLike = like;
    } else {
      terms.push("regexp_full_match(labels, $labelsLike)");
      params.labelsLike = likeRegex(like);
    }
  }
  if (options.host !== undefined) {
    terms.push("host = $host");
    params.host = canonicalHost(options.host); // stored in lower case: Web1 finds web1
  }
  return { where: terms.join(" AND "), params };
}

/** A LIKE pattern (`%` any run, `_` any one character, no escape character) as an RE2
 * expression for `regexp_full_match`; `(?s)` lets `.` match a line break as `_` does. */
function likeRegex(like: string): string {
  let re = "(?s)", any = false;
  for (const ch of like) {
    if (ch === "%") re += any ? "" : ".*";
    else if (ch === "_") re += ".";
    else re += /[\\^$.|?*+()[\]{}]/.test(ch) ? `\\${ch}` : ch;
    any = ch === "%";
  }
  return re;
}

/** What a bucketed read selects and how. */
export interface BucketQuery {
  tier: SeriesTier;
  /** Bucket width in ms; `undefined` for raw instants (raw tier only). */
  step: number | undefined;
  agg: Agg;
  /** SQL filter from {@linkcode seriesWhere}. */
  where: string;
}

/** SELECT of bucketed values `t`, `v` (plus `keys`, e.g. `"host, "`) over one tier. */
export function bucketSql({ tier, step, agg, where }: BucketQuery, keys = ""): string {
  if (tier === "raw") {
    const bucket = step === undefined ? "epoch_ms(ts)" : `epoch_ms(ts) // ${step} * ${step}`;
    const value = {
      avg: meanSql("value"),
      min: "min(value)",
      max: "max(value)",
      last: "arg_max(value, ts)",
    }[agg];
    return `SELECT ${keys}CAST(${bucket} AS DOUBLE) AS t, ${value} AS v FROM samples ` +
      `WHERE ${where} GROUP BY ALL`;
  }
  const width = TIER_MS[tier];
  const value = {
    avg: meanSql("avg", "count"),
    min: "min(min)",
    max: "max(max)",
    last: "arg_max(last, k)",
  }[agg];
  return `WITH u AS (
    SELECT ${keys}epoch_ms(ts) AS e, min, avg, max, last, count, epoch_ms(ts) + ${width - 1} AS k
      FROM rollup_${tier} WHERE ${where}
    UNION ALL
    SELECT ${keys}epoch_ms(ts), value, value, value, value, 1, epoch_ms(ts) FROM _fresh_${tier}
      WHERE ${where})
    SELECT ${keys}CAST(e // ${step} * ${step} AS DOUBLE) AS t, ${value} AS v FROM u GROUP BY ALL`;
}

/** SELECT of one row per series (host, metric, labels) with its points as a list `p` of
 * `{t, v}` structs, in no particular order within the list. */
export function seriesListSql(query: BucketQuery, limit?: number): string {
  const { tier, step, agg, where } = query;
  const keys = "host, metric, labels, ";
  let rows: string;
  if (tier !== "raw" && step === TIER_MS[tier]) {
    // A rollup bucket is unique per series (one compact file per host and date): only the
    // buckets that raw files newer than the last compaction reach are merged with them.
    const cut =
      `(SELECT coalesce(min(epoch_ms(ts)) // ${step} * ${step}, 9e18) FROM _fresh_${tier} WHERE ${where})`;
    rows = `SELECT ${keys}CAST(epoch_ms(ts) AS DOUBLE) AS t, ${agg} AS v FROM rollup_${tier}
        WHERE ${where} AND epoch_ms(ts) < ${cut}
        UNION ALL (${bucketSql({ ...query, where: `${where} AND epoch_ms(ts) >= ${cut}` }, keys)})`;
  } else rows = bucketSql(query, keys);
  // one row per series (few result chunks to fetch)
  return `SELECT ${keys}list({'t': t, 'v': v}) AS p FROM (${rows})
      GROUP BY ALL ORDER BY host, metric, labels${
    limit === undefined ? "" : ` LIMIT ${Math.floor(limit)}`
  }`;
}
