/**
 * DuckDB (in memory) over the Parquet lake: views `samples`, `rollup_1m`, `rollup_1h`, plain
 * query results and typed series.
 *
 * @module
 */

import type {
  DuckDBConnection,
  DuckDBDataChunk,
  DuckDBDoubleVector,
  DuckDBInstance,
  DuckDBListVector,
  DuckDBStructVector,
  DuckDBValue,
} from "@duckdb/node-api";
import { formatLabels, type Labels } from "../collectors/sample.ts";
import { type Converters, converters, type DuckDBApi } from "./_convert.ts";
import { viewFiles, viewSql } from "./_views.ts";
import { LakeError } from "./errors.ts";
import { pickStep, pickTier, type SeriesTier, TIER_MS } from "./pick_tier.ts";
import { errorText } from "./write_file_atomic.ts";

/** Options for {@linkcode openLake}. */
export interface OpenLakeOptions {
  /** Lake root, e.g. `data`. A missing or empty lake gives empty views. */
  root: string;
  /** DuckDB memory limit, e.g. `"512MB"`. Default `"256MB"`. */
  memoryLimit?: string;
  /** DuckDB worker threads. Default `1` (the machine is shared with the collector). */
  threads?: number;
}

/** Query parameters: positional (`?`, `$1`) or named (`$name`). */
export type QueryParams =
  | readonly (string | number | bigint | boolean | null)[]
  | Record<string, string | number | bigint | boolean | null>;

/** Options for {@linkcode Lake.series}. */
export interface SeriesOptions {
  /** Metric name, e.g. `cpu_ratio`. */
  metric: string;
  /** Labels as object or canonical string. Default: none (`""`). */
  labels?: Labels | string;
  /** Host. Default: every host (values of the same instant are averaged). */
  host?: string;
  /** Range start, ms (inclusive). */
  from: number;
  /** Range end, ms (exclusive). */
  to: number;
  /** Bucket width in ms (at least the tier's own). Default: raw instants or the rollup bucket. */
  step?: number;
  /** Tier. Default {@linkcode pickTier}`(from, to)`. */
  tier?: SeriesTier;
  /** Which value of a bucket: `avg` (default), `min`, `max` or `last`. */
  agg?: "avg" | "min" | "max" | "last";
}

/** A series read from the lake. */
export interface SeriesResult {
  /** The tier that served it. */
  tier: SeriesTier;
  /** Instants or bucket starts, ms since the epoch, ascending. */
  ts: Float64Array;
  /** Values, same length. */
  values: Float64Array;
}

/** Options for {@linkcode Lake.seriesMany}: which series (every filter optional) and how
 * finely. */
export interface SeriesManyOptions {
  /** One metric. Default: every metric (or `metrics`). */
  metric?: string;
  /** Several metrics (with `metric`, both count). */
  metrics?: readonly string[];
  /** Host. Default: every host, each its own series. */
  host?: string;
  /** Exact labels, as object or canonical string. Default: any. */
  labels?: Labels | string;
  /** SQL `LIKE` pattern on the canonical labels, e.g. `cpu=total,%`. Default: any. */
  labelsLike?: string;
  /** Range start, ms (inclusive). */
  from: number;
  /** Range end, ms (exclusive). */
  to: number;
  /** Bucket width in ms (rounded up to a multiple of the tier's). Default: from `maxPoints`. */
  step?: number;
  /** Most points per series when no `step` is given; default 1 500. */
  maxPoints?: number;
  /** Tier. Default: see {@linkcode pickStep}. */
  tier?: SeriesTier;
  /** Which value of a bucket: `avg` (default), `min`, `max` or `last`. */
  agg?: "avg" | "min" | "max" | "last";
}

/** One series of a {@linkcode Lake.seriesMany} result. */
export interface SeriesEntry {
  host: string;
  metric: string;
  /** Canonical label string. */
  labels: string;
  /** Bucket starts, ms since the epoch, ascending. */
  ts: Float64Array;
  /** Values, same length; `NaN` where a bucket has no value. */
  values: Float64Array;
}

/** What {@linkcode Lake.seriesMany} returns. */
export interface SeriesManyResult {
  /** The tier that served the series. */
  tier: SeriesTier;
  /** Bucket width in ms; `undefined` for raw instants. */
  step: number | undefined;
  /** The series, sorted by host, metric, labels. */
  series: SeriesEntry[];
}

/** One series present in the lake. */
export interface MetricEntry {
  host: string;
  metric: string;
  /** Canonical label string. */
  labels: string;
}

/** A double column of result chunks as one Float64Array, SQL NULL → `NaN`. */
function doubles(chunks: readonly DuckDBDataChunk[], column: number): Float64Array {
  let n = 0;
  for (const c of chunks) n += c.rowCount;
  const out = new Float64Array(n);
  let at = 0;
  for (const c of chunks) {
    const vector = c.getColumnVector(column) as DuckDBDoubleVector;
    copyDoubles(vector, 0, c.rowCount, out, at);
    at += c.rowCount;
  }
  return out;
}

/** What a double vector holds at run time (`items` and `validity` are private in the typings
 * but a pinned, documented layout of @duckdb/node-api 1.5: a view on DuckDB's own buffer). */
interface RawDoubles {
  items?: unknown;
  validity?: { data: unknown; itemValid(i: number): boolean };
}

/** Copies `n` items of a double vector from `from` into `out` at `at`, NULL → `NaN`. */
function copyDoubles(
  vector: DuckDBDoubleVector,
  from: number,
  n: number,
  out: Float64Array,
  at: number,
): void {
  const raw = vector as unknown as RawDoubles;
  if (!(raw.items instanceof Float64Array) || raw.validity === undefined) {
    for (let i = 0; i < n; i++) out[at + i] = vector.getItem(from + i) ?? NaN;
    return;
  }
  out.set(raw.items.subarray(from, from + n), at);
  if (raw.validity.data === null) return;
  for (let i = 0; i < n; i++) if (!raw.validity.itemValid(from + i)) out[at + i] = NaN;
}

/** Puts a series' points in time order (in place when already sorted: the common case). */
function sortByTime(entry: SeriesEntry): SeriesEntry {
  const { ts, values } = entry;
  let sorted = true;
  for (let i = 1; i < ts.length && sorted; i++) sorted = ts[i - 1]! <= ts[i]!;
  if (sorted) return entry;
  const order = Array.from(ts.keys()).sort((a, b) => ts[a]! - ts[b]!);
  return {
    ...entry,
    ts: Float64Array.from(order, (i) => ts[i]!),
    values: Float64Array.from(order, (i) => values[i]!),
  };
}

/** The SQL filter (and its parameters) of a series read. */
function seriesWhere(
  options: Omit<SeriesManyOptions, "labels"> & { labels?: string },
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
    terms.push("labels LIKE $labelsLike");
    params.labelsLike = options.labelsLike;
  }
  if (options.host !== undefined) {
    terms.push("host = $host");
    params.host = options.host;
  }
  return { where: terms.join(" AND "), params };
}

/** SELECT of bucketed values `t`, `v` (plus `keys`) over one tier. */
function bucketSql(
  tier: SeriesTier,
  step: number | undefined,
  agg: "avg" | "min" | "max" | "last",
  where: string,
  keys: string,
): string {
  if (tier === "raw") {
    const bucket = step === undefined ? "epoch_ms(ts)" : `epoch_ms(ts) // ${step} * ${step}`;
    const value = {
      avg: "avg(value)",
      min: "min(value)",
      max: "max(value)",
      last: "arg_max(value, ts)",
    }[agg];
    return `SELECT ${keys}CAST(${bucket} AS DOUBLE) AS t, ${value} AS v FROM samples ` +
      `WHERE ${where} GROUP BY ALL`;
  }
  const width = TIER_MS[tier];
  const value = {
    avg: "sum(avg * count) / sum(count)",
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

/** An open lake: one in-memory DuckDB connection with the lake's views. */
export class Lake {
  /** Lake root. */
  readonly root: string;
  /** The DuckDB connection (views refresh on each call of this class's methods). */
  readonly connection: DuckDBConnection;
  #instance: DuckDBInstance;
  #convert: Converters;
  #files = "";

  /** Use {@linkcode openLake}. */
  constructor(
    root: string,
    instance: DuckDBInstance,
    connection: DuckDBConnection,
    api: DuckDBApi,
  ) {
    this.root = root;
    this.#instance = instance;
    this.#convert = converters(api);
    this.connection = connection;
  }

  /**
   * Re-lists the lake's files and redefines the views if files appeared or went away (a
   * running collector adds a file each minute; compaction replaces files).
   */
  async refresh(): Promise<void> {
    const files = viewFiles(this.root);
    const key = JSON.stringify(files);
    if (key === this.#files) return;
    for (const sql of viewSql(files)) await this.connection.run(sql);
    this.#files = key;
  }

  /**
   * Runs SQL over the views and returns plain rows: integers → number, timestamps → ms since
   * the epoch (number), DATE → `YYYY-MM-DD`, NULL → null.
   *
   * @param sql One statement, e.g. `SELECT metric, count(*) AS n FROM samples GROUP BY 1`.
   * @param params Values for `?`/`$1` or `$name` placeholders.
   * @returns The rows as objects keyed by column name.
   * @throws {LakeError} If the SQL fails (syntax, unknown column, unreadable file).
   */
  async query<T = Record<string, unknown>>(sql: string, params?: QueryParams): Promise<T[]> {
    const reader = await this.#run(sql, params);
    return reader.convertRowObjects(this.#convert.plain) as T[];
  }

  /**
   * Runs SQL like {@linkcode Lake.query} but returns column names and rows of values for
   * display: timestamps as ISO 8601 text, other values as in `query()`.
   *
   * @param sql One statement.
   * @param params Values for placeholders.
   * @returns Column names and rows.
   * @throws {LakeError} If the SQL fails.
   */
  async table(
    sql: string,
    params?: QueryParams,
  ): Promise<{ columns: string[]; rows: unknown[][] }> {
    const reader = await this.#run(sql, params);
    return { columns: reader.columnNames(), rows: reader.convertRows(this.#convert.display) };
  }

  /**
   * Reads one series, choosing the tier from the range. Rollup tiers hold data up to the last
   * compaction; newer raw files are bucketed on the fly, so the live edge is never missing.
   *
   * @param options See {@linkcode SeriesOptions}.
   * @returns Timestamps and values (empty arrays where there is no data).
   * @throws {RangeError} If the range is empty or the step is not positive.
   * @throws {LakeError} If DuckDB fails.
   */
  async series(options: SeriesOptions): Promise<SeriesResult> {
    const { metric, from, to, agg = "avg" } = options;
    const tier = options.tier ?? pickTier(from, to);
    if (options.step !== undefined && !(options.step > 0)) {
      throw new RangeError(`Invalid step: ${options.step}`);
    }
    const labels = typeof options.labels === "string"
      ? options.labels
      : formatLabels(options.labels ?? {});
    const { where, params } = seriesWhere({
      metric,
      labels,
      from,
      to,
      ...(options.host !== undefined ? { host: options.host } : {}),
    });
    const step = tier === "raw"
      ? (options.step === undefined ? undefined : Math.round(options.step))
      : Math.max(TIER_MS[tier], Math.round(options.step ?? TIER_MS[tier]));
    const sql = `${bucketSql(tier, step, agg, where, "")} ORDER BY 1`;
    const chunks = await this.#chunks(sql, params);
    return { tier, ts: doubles(chunks, 0), values: doubles(chunks, 1) };
  }

  /**
   * Reads many series in one query, e.g. every series of a metric over a day for a chart:
   * the tier and bucket width come from the range and a points budget ({@linkcode pickStep}),
   * and the values arrive as typed arrays straight from DuckDB's columns (no object per row).
   * Unlike {@linkcode Lake.series}, each host's series is its own entry.
   *
   * @param options See {@linkcode SeriesManyOptions}.
   * @returns The tier, the step and the series found (sorted by host, metric, labels).
   * @throws {RangeError} If the range is empty, or the step or budget is not positive.
   * @throws {LakeError} If DuckDB fails.
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { openLake, writeSamples } from "./mod.ts";
   * const root = Deno.makeTempDirSync();
   * const ts = Date.UTC(2024, 0, 1);
   * writeSamples([0, 1].map((cpu) => ({ ts, host: "h", metric: "cpu_ratio", labels: { cpu: String(cpu) }, value: cpu })), { root, id: ts });
   * const lake = await openLake({ root });
   * const r = await lake.seriesMany({ metric: "cpu_ratio", from: ts, to: ts + 60_000 });
   * assert.deepEqual(r.series.map((s) => [s.labels, [...s.values]]), [["cpu=0", [0]], ["cpu=1", [1]]]);
   * assert.equal(r.step, 1000);
   * lake.close();
   * ```
   */
  async seriesMany(options: SeriesManyOptions): Promise<SeriesManyResult> {
    const { tier, step } = pickStep(options.from, options.to, options);
    const labels = options.labels === undefined || typeof options.labels === "string"
      ? options.labels
      : formatLabels(options.labels);
    const { where, params } = seriesWhere(
      {
        ...options,
        ...(labels !== undefined ? { labels } : {}),
      } as SeriesManyOptions & { labels?: string },
    );
    const agg = options.agg ?? "avg";
    const keys = "host, metric, labels, ";
    let rows: string;
    if (tier !== "raw" && step === TIER_MS[tier]) {
      // A rollup bucket is unique per series (one compact file per host and date): only the
      // buckets that raw files newer than the last compaction reach are merged with them.
      const cut =
        `(SELECT coalesce(min(epoch_ms(ts)) // ${step} * ${step}, 9e18) FROM _fresh_${tier} WHERE ${where})`;
      rows = `SELECT ${keys}CAST(epoch_ms(ts) AS DOUBLE) AS t, ${agg} AS v FROM rollup_${tier}
        WHERE ${where} AND epoch_ms(ts) < ${cut}
        UNION ALL (${bucketSql(tier, step, agg, `${where} AND epoch_ms(ts) >= ${cut}`, keys)})`;
    } else rows = bucketSql(tier, step, agg, where, keys);
    // one row per series (few result chunks to fetch); order within a list is restored below
    const sql = `SELECT ${keys}list({'t': t, 'v': v}) AS p FROM (${rows})
      GROUP BY ALL ORDER BY host, metric, labels`;
    const series: SeriesEntry[] = [];
    for (const chunk of await this.#chunks(sql, params)) {
      const [host, metric, label] = [0, 1, 2].map((i) => chunk.getColumnVector(i));
      const points = chunk.getColumnVector(3) as DuckDBListVector;
      const pairs = points.childVector as DuckDBStructVector;
      const tItems = pairs.entryVectorAt(0) as DuckDBDoubleVector;
      const vItems = pairs.entryVectorAt(1) as DuckDBDoubleVector;
      for (let row = 0; row < chunk.rowCount; row++) {
        const n = points.getEntryLength(row), at = points.getEntryOffset(row);
        const entry: SeriesEntry = {
          host: host!.getItem(row) as string,
          metric: metric!.getItem(row) as string,
          labels: label!.getItem(row) as string,
          ts: new Float64Array(n),
          values: new Float64Array(n),
        };
        copyDoubles(tItems, at, n, entry.ts, 0);
        copyDoubles(vItems, at, n, entry.values, 0);
        series.push(sortByTime(entry));
      }
    }
    return { tier, step, series };
  }

  /**
   * Lists the series present (host, metric, labels), from the hourly rollups and the raw files
   * not yet compacted, so it stays cheap on a large lake.
   *
   * @returns Entries sorted by host, metric, labels.
   * @throws {LakeError} If DuckDB fails.
   */
  metrics(): Promise<MetricEntry[]> {
    return this.query<MetricEntry>(
      "SELECT DISTINCT host, metric, labels FROM (SELECT host, metric, labels FROM rollup_1h " +
        "UNION ALL SELECT host, metric, labels FROM _fresh_1h) ORDER BY ALL",
    );
  }

  /** Closes the connection and the database. */
  close(): void {
    this.connection.closeSync();
    this.#instance.closeSync();
  }

  #run(sql: string, params: QueryParams | Record<string, DuckDBValue> | undefined) {
    const values = params as DuckDBValue[] | Record<string, DuckDBValue> | undefined;
    return this.#retry(() => this.connection.runAndReadAll(sql, values));
  }

  /** Runs SQL and returns the result's chunks (read columns from them without row objects). */
  #chunks(sql: string, params: Record<string, DuckDBValue>): Promise<DuckDBDataChunk[]> {
    return this.#retry(async () => (await this.connection.run(sql, params)).fetchAllChunks());
  }

  async #retry<T>(run: () => Promise<T>): Promise<T> {
    await this.refresh();
    try {
      return await run();
    } catch (error) {
      // A file listed in a view may have been replaced by compaction in another process.
      if (/No files found|No such file|Cannot open file/i.test(errorText(error))) {
        this.#files = "";
        await this.refresh();
        try {
          return await run();
        } catch (again) {
          throw new LakeError(`Query failed: ${errorText(again)}`, { cause: again });
        }
      }
      throw new LakeError(`Query failed: ${errorText(error)}`, { cause: error });
    }
  }
}

/**
 * Opens the lake at `root` with DuckDB in memory (the Parquet files are the only storage, so
 * several processes can read while the collector writes).
 *
 * @param options See {@linkcode OpenLakeOptions}.
 * @returns The open lake; call `close()` when done.
 * @throws {LakeError} If DuckDB cannot start.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openLake, writeSamples } from "./mod.ts";
 * const root = Deno.makeTempDirSync();
 * const lake = await openLake({ root });
 * assert.deepEqual(await lake.query("SELECT count(*) AS n FROM samples"), [{ n: 0 }]);
 * const ts = Date.UTC(2024, 0, 1);
 * writeSamples([{ ts, host: "h", metric: "load_average", labels: { window: "1m" }, value: 2 }], { root, id: ts });
 * const s = await lake.series({ metric: "load_average", labels: "window=1m", from: ts, to: ts + 1000 });
 * assert.deepEqual([s.tier, [...s.ts], [...s.values]], ["raw", [ts], [2]]);
 * lake.close();
 * ```
 */
export async function openLake(options: OpenLakeOptions): Promise<Lake> {
  const api = await import("@duckdb/node-api");
  let instance: DuckDBInstance;
  try {
    instance = await api.DuckDBInstance.create(":memory:", {
      memory_limit: options.memoryLimit ?? "256MB",
      threads: String(options.threads ?? 1),
    });
  } catch (error) {
    throw new LakeError(`Cannot start DuckDB: ${errorText(error)}`, { cause: error });
  }
  const lake = new Lake(options.root, instance, await instance.connect(), api);
  await lake.refresh();
  return lake;
}
