/**
 * DuckDB (in memory) over the Parquet lake: views `samples`, `rollup_1m`, `rollup_1h`, plain
 * query results and typed series.
 *
 * @module
 */

import type { DuckDBConnection, DuckDBInstance, DuckDBValue } from "@duckdb/node-api";
import { formatLabels, type Labels } from "../collectors/sample.ts";
import { type Converters, converters, type DuckDBApi } from "./_convert.ts";
import { viewFiles, viewSql } from "./_views.ts";
import { LakeError } from "./errors.ts";
import { pickTier, type SeriesTier } from "./pick_tier.ts";
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

/** One series present in the lake. */
export interface MetricEntry {
  host: string;
  metric: string;
  /** Canonical label string. */
  labels: string;
}

const tierMs = { "1m": 60_000, "1h": 3_600_000 } as const;

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
    const params: Record<string, DuckDBValue> = {
      metric,
      labels,
      from: BigInt(Math.floor(from)),
      to: BigInt(Math.ceil(to)),
    };
    let where =
      "metric = $metric AND labels = $labels AND ts >= epoch_ms(CAST($from AS BIGINT)) AND ts < epoch_ms(CAST($to AS BIGINT))";
    if (options.host !== undefined) {
      where += " AND host = $host";
      params.host = options.host;
    }
    let sql: string;
    if (tier === "raw") {
      const bucket = options.step === undefined
        ? "epoch_ms(ts)"
        : `epoch_ms(ts) // ${Math.round(options.step)} * ${Math.round(options.step)}`;
      const value = {
        avg: "avg(value)",
        min: "min(value)",
        max: "max(value)",
        last: "arg_max(value, ts)",
      }[agg];
      sql =
        `SELECT CAST(${bucket} AS DOUBLE) AS t, ${value} AS v FROM samples WHERE ${where} GROUP BY 1 ORDER BY 1`;
    } else {
      const width = tierMs[tier];
      const step = Math.max(width, Math.round(options.step ?? width));
      const value = {
        avg: "sum(avg * count) / sum(count)",
        min: "min(min)",
        max: "max(max)",
        last: "arg_max(last, k)",
      }[agg];
      sql = `WITH u AS (
        SELECT epoch_ms(ts) AS e, min, avg, max, last, count, epoch_ms(ts) + ${width - 1} AS k
          FROM rollup_${tier} WHERE ${where}
        UNION ALL
        SELECT epoch_ms(ts), value, value, value, value, 1, epoch_ms(ts) FROM _fresh_${tier} WHERE ${where})
        SELECT CAST(e // ${step} * ${step} AS DOUBLE) AS t, ${value} AS v FROM u GROUP BY 1 ORDER BY 1`;
    }
    const reader = await this.#run(sql, params);
    const [t = [], v = []] = reader.getColumns() as number[][];
    return { tier, ts: Float64Array.from(t), values: Float64Array.from(v, (x) => x ?? NaN) };
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

  async #run(sql: string, params: QueryParams | Record<string, DuckDBValue> | undefined) {
    await this.refresh();
    const values = params as DuckDBValue[] | Record<string, DuckDBValue> | undefined;
    try {
      return await this.connection.runAndReadAll(sql, values);
    } catch (error) {
      // A file listed in a view may have been replaced by compaction in another process.
      if (/No files found|No such file|Cannot open file/i.test(errorText(error))) {
        this.#files = "";
        await this.refresh();
        try {
          return await this.connection.runAndReadAll(sql, values);
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
