/**
 * Several series read in one statement ({@linkcode Lake.seriesBatch}): each key's points are
 * those {@linkcode Lake.series} gives for it, read by the same bucketing SQL grouped by series.
 *
 * @module
 */

import type { DuckDBDataChunk } from "@duckdb/node-api";
import { copyDoubles, type ReadChunks } from "./_columns.ts";
import { bucketSql, seriesWhere } from "./_series_sql.ts";
import { canonicalHost } from "./names.ts";
import type { SeriesTier } from "./pick_tier.ts";
import { type SeriesResult, stepOf } from "./series_one.ts";

/** One series of a batch. */
export interface SeriesBatchKey {
  host: string;
  metric: string;
  /** Canonical label string, `""` for none. */
  labels: string;
}

/** What every series of a batch shares (as in {@linkcode Lake.series}). */
export interface SeriesBatchOptions {
  /** Range start, ms (inclusive). */
  from: number;
  /** Range end, ms (exclusive). */
  to: number;
  /** Bucket width in ms (at least the tier's own). Default: raw instants or the rollup bucket. */
  step?: number;
  /** Which value of a bucket: `avg` (default), `min`, `max` or `last`. */
  agg?: "avg" | "min" | "max" | "last";
}

const SEP = "\u0000";

/**
 * Reads each key's series through `read`, one statement per tier (the tier each host's data
 * picks, as `Lake.series` does).
 *
 * @param read Runs SQL over the lake's views and returns the result chunks.
 * @param keys The series, any order (duplicates allowed).
 * @param options Range, step and value of a bucket; `tierOf` gives a host's tier.
 * @returns One result per key, in the keys' order.
 * @throws {RangeError} If the step is not positive.
 */
export async function seriesBatch(
  read: ReadChunks,
  keys: readonly SeriesBatchKey[],
  options: SeriesBatchOptions & { tierOf: (host: string) => SeriesTier },
): Promise<SeriesResult[]> {
  const { from, to, agg = "avg" } = options;
  if (options.step !== undefined && !(options.step > 0)) {
    throw new RangeError(`Invalid step: ${options.step}`);
  }
  const id = (host: string, metric: string, labels: string) =>
    `${canonicalHost(host)}${SEP}${metric}${SEP}${labels}`;
  const byTier = new Map<SeriesTier, Map<string, SeriesBatchKey>>();
  for (const k of keys) {
    const tier = options.tierOf(k.host);
    const group = byTier.get(tier) ?? new Map<string, SeriesBatchKey>();
    byTier.set(tier, group.set(id(k.host, k.metric, k.labels), k));
  }
  const found = new Map<string, SeriesResult>();
  for (const [tier, group] of byTier) {
    const list = [...group.values()];
    const { where, params } = seriesWhere({
      metrics: [...new Set(list.map((k) => k.metric))],
      from,
      to,
    });
    // the hosts' directories prune the files; the pairs keep the series asked for
    const hosts = [...new Set(list.map((k) => canonicalHost(k.host)))].map((h, i) => {
      params[`h${i}`] = h;
      return `$h${i}`;
    });
    const pairs = list.map((k, i) => {
      params[`k${i}`] = id(k.host, k.metric, k.labels);
      return `$k${i}`;
    });
    const filter = `${where} AND host IN (${hosts.join(", ")}) AND ` +
      `concat_ws(chr(0), host, metric, labels) IN (${pairs.join(", ")})`;
    const step = stepOf(tier, options.step);
    const sql = `${bucketSql({ tier, step, agg, where: filter }, "host, metric, labels, ")} ` +
      "ORDER BY host, metric, labels, t";
    for (const [key, s] of split(await read(sql, params))) found.set(key, { tier, ...s });
  }
  return keys.map((k) =>
    found.get(id(k.host, k.metric, k.labels)) ??
      { tier: options.tierOf(k.host), ts: new Float64Array(0), values: new Float64Array(0) }
  );
}

/** The rows of a batch (host, metric, labels, t, v; ordered by series) split by series. */
function split(
  chunks: readonly DuckDBDataChunk[],
): Map<string, { ts: Float64Array; values: Float64Array }> {
  const runs: { key: string; parts: [DuckDBDataChunk, number, number][]; n: number }[] = [];
  for (const c of chunks) {
    const names = [0, 1, 2].map((i) => c.getColumnVector(i));
    for (let i = 0; i < c.rowCount; i++) {
      const key = names.map((v) => v.getItem(i)).join(SEP);
      let run = runs[runs.length - 1];
      if (run?.key !== key) runs.push(run = { key, parts: [], n: 0 });
      const part = run.parts[run.parts.length - 1];
      if (part && part[0] === c && part[1] + part[2] === i) part[2]++;
      else run.parts.push([c, i, 1]);
      run.n++;
    }
  }
  const out = new Map<string, { ts: Float64Array; values: Float64Array }>();
  for (const { key, parts, n } of runs) {
    const ts = new Float64Array(n), values = new Float64Array(n);
    let at = 0;
    for (const [c, from, count] of parts) {
      copyDoubles(c.getColumnVector(3) as never, from, count, ts, at);
      copyDoubles(c.getColumnVector(4) as never, from, count, values, at);
      at += count;
    }
    out.set(key, { ts, values });
  }
  return out;
}
