/**
 * DuckDB (in memory) over the Parquet lake: views `samples`, `rollup_1m`, `rollup_1h`, plain
 * query results and typed series.
 *
 * @module
 */

import type {
  DuckDBConnection,
  DuckDBDataChunk,
  DuckDBInstance,
  DuckDBValue,
} from "@duckdb/node-api";
import { type Converters, converters, type DuckDBApi } from "./_convert.ts";
import { createViews, quote, VANISHED, type ViewFiles, viewFiles } from "./_views.ts";
import type { ReadChunks } from "./_columns.ts";
import { formatLabels } from "../collectors/mod.ts";
import type { BufferedFilter, BufferedSource } from "./buffered_rows.ts";
import { BufferedLoader, type BufferedTables, bufferedTables } from "./_buffered_tables.ts";
import { BufferedScan } from "./_buffered_scan.ts";
import { pinFiles, pinnedSql } from "./_pinned_sql.ts";
import { bufferedSnapshot } from "./buffered_snapshot.ts";
import { LakeError } from "./errors.ts";
import { ReadGuard } from "./_read_guard.ts";
import { seriesMany, type SeriesManyOptions, type SeriesManyResult } from "./series_many.ts";
import { seriesOne, type SeriesOptions, type SeriesResult } from "./series_one.ts";
import { seriesBatch, type SeriesBatchKey, type SeriesBatchOptions } from "./series_batch.ts";
import { MINUTE_MAX_MS, pickTierFor, RAW_MAX_MS, type TierLimits } from "./pick_tier.ts";
import { errorText } from "./write_file_atomic.ts";
import { canonicalHost } from "./names.ts";
import { widenExtent } from "./widen_extent.ts";

/** Options for {@linkcode openLake}. */
export interface OpenLakeOptions {
  /** Lake root, e.g. `data`. A missing or empty lake gives empty views. */
  root: string;
  /** DuckDB memory limit, e.g. `"512MB"`. Default `"256MB"`. */
  memoryLimit?: string;
  /** DuckDB worker threads. Default `1` (the machine is shared with the collector). */
  threads?: number;
  /** Where a range hands over from raw to 1-minute to 1-hour data. Default 6 h and 8 days. */
  tiers?: TierLimits;
  /**
   * How buffered rows ({@linkcode Lake.includeBuffered}) reach a statement: `scan`, table
   * functions reading the copy from memory, or `tables`, two tables a second connection fills by
   * appender for each statement (the earlier way, kept to compare: `bench/spool_read_bench.ts`).
   * Default `scan`.
   */
  handover?: "scan" | "tables";
}

/** Query parameters: positional (`?`, `$1`) or named (`$name`). */
export type QueryParams =
  | readonly (string | number | bigint | boolean | null)[]
  | Record<string, string | number | bigint | boolean | null>;

/** Options for {@linkcode Lake.query}. */
export interface QueryOptions {
  /**
   * With buffered rows included ({@linkcode Lake.includeBuffered}), the rows of this filter (a
   * superset of what the SQL keeps: its range bounds which date partitions are read too) join
   * the raw views (`samples` and the fresh raw rows behind the 1-minute and 1-hour buckets) in
   * the same statement, each row once across a flush. Default: the shared views only.
   */
  buffered?: BufferedFilter;
}

/** One series present in the lake. */
export interface MetricEntry {
  /** Host name. */
  host: string;
  /** Metric name. */
  metric: string;
  /** Canonical label string. */
  labels: string;
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
  #list: ViewFiles | undefined;
  /** First and last sample time per host ("" for all hosts); reset when files change. */
  #extents: Promise<Map<string, { first: number; last: number }>> | undefined;
  #tiers: TierLimits = {};
  #api: DuckDBApi;
  #buffered: BufferedSource | undefined;
  /** The connection that loads buffered rows (see `_buffered_tables.ts`), made when first
   * needed. */
  #loader: BufferedLoader | undefined;
  /** The table functions that serve buffered rows (`handover: "scan"`), made when first needed. */
  #scan: BufferedScan | undefined;
  #handover: "scan" | "tables" = "scan";
  /** The reads in flight, ended by {@linkcode Lake.close}. */
  #guard = new ReadGuard();

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
    this.#api = api;
    this.connection = connection;
  }

  /**
   * Makes series reads ({@linkcode Lake.series}, {@linkcode Lake.seriesMany}) and the series
   * listing ({@linkcode Lake.metrics}) include the rows `source` holds that are not in Parquet
   * yet (serve: the collector's spool and the ingest writer, `joinBuffered`, so collected and
   * pushed samples show within a request's time, not after the next flush). Filters, ranges, tiers and series limits apply to them as to stored rows:
   * they join the raw rows inside the same SQL.
   *
   * @param source The holder of the rows; `undefined` stops including them.
   */
  includeBuffered(source: BufferedSource | undefined): void {
    this.#buffered = source;
  }

  /**
   * Sets how buffered rows reach a statement (see {@linkcode OpenLakeOptions.handover}).
   *
   * @param handover `scan` or `tables`.
   */
  useHandover(handover: "scan" | "tables"): void {
    this.#handover = handover;
  }

  /**
   * Sets where ranges hand over between tiers (see {@linkcode OpenLakeOptions.tiers}).
   *
   * @param limits The raw and 1-minute limits in ms.
   * @throws {RangeError} If a limit is not positive or the raw one exceeds the minute one.
   */
  useTiers(limits: TierLimits): void {
    const raw = limits.rawMaxMs ?? RAW_MAX_MS, minute = limits.minuteMaxMs ?? MINUTE_MAX_MS;
    if (!(raw > 0) || !(minute >= raw)) {
      throw new RangeError(`Invalid tiers: raw ${raw} ms, minute ${minute} ms`);
    }
    this.#tiers = { ...limits };
  }

  /**
   * Re-lists the lake's files and redefines the views if files appeared or went away (a
   * running collector adds a file each minute; compaction replaces files).
   */
  refresh(): Promise<void> {
    return this.#guard.run(() => this.#refresh());
  }

  async #refresh(): Promise<void> {
    this.#guard.check();
    const key0 = JSON.stringify(viewFiles(this.root));
    if (key0 === this.#files) return;
    const files = await createViews((sql) => this.connection.run(sql), () => viewFiles(this.root));
    const key = JSON.stringify(files);
    this.#files = key;
    this.#list = files;
    this.#extents = undefined;
  }

  /**
   * Runs SQL over the views and returns plain rows: integers → number, timestamps → ms since
   * the epoch (number), DATE → `YYYY-MM-DD`, NULL → null.
   *
   * @param sql One statement, e.g. `SELECT metric, count(*) AS n FROM samples GROUP BY 1`.
   * @param params Values for `?`/`$1` or `$name` placeholders.
   * @param options See {@linkcode QueryOptions}.
   * @returns The rows as objects keyed by column name.
   * @throws {LakeError} If the SQL fails (syntax, unknown column, unreadable file).
   */
  query<T = Record<string, unknown>>(
    sql: string,
    params?: QueryParams,
    options: QueryOptions = {},
  ): Promise<T[]> {
    return this.#guard.run(() => this.#query<T>(sql, params, options));
  }

  async #query<T>(sql: string, params: QueryParams | undefined, options: QueryOptions) {
    const source = this.#buffered, filter = options.buffered;
    const reader = source === undefined || filter === undefined
      ? await this.#run(sql, params)
      : await this.#pinned(
        source,
        filter,
        sql,
        (text) =>
          this.connection.runAndReadAll(
            text,
            params as DuckDBValue[] | Record<string, DuckDBValue> | undefined,
          ),
      );
    return reader.convertRowObjects(this.#convert.plain) as T[];
  }

  /**
   * Runs SQL like {@linkcode Lake.query} but returns column names and rows of JSON-safe values
   * for display: timestamps as ISO 8601 text, INTERVAL as an ISO 8601 duration, BLOB as `0x` hex,
   * integers beyond 2^53 as exact digit strings, nested types as arrays and objects (no `bigint`
   * or byte buffers, so `JSON.stringify` always works).
   *
   * @param sql One statement.
   * @param params Values for placeholders.
   * @returns Column names and rows.
   * @throws {LakeError} If the SQL fails.
   */
  table(
    sql: string,
    params?: QueryParams,
  ): Promise<{ columns: string[]; rows: unknown[][] }> {
    return this.#guard.run(async () => {
      const reader = await this.#run(sql, params);
      return { columns: reader.columnNames(), rows: reader.convertRows(this.#convert.display) };
    });
  }

  /**
   * Reads one series, choosing the tier from the range the data covers (the range cut to the
   * host's first and last samples: a 14-day look-back on a lake holding minutes reads raw
   * samples, not one hourly row, even hours after those minutes). Rollup tiers hold data up to the last compaction; newer raw files are
   * bucketed on the fly, so the live edge is never missing.
   *
   * @param options See {@linkcode SeriesOptions}.
   * @returns Timestamps and values (empty arrays where there is no data).
   * @throws {RangeError} If the range is empty or the step is not positive.
   * @throws {LakeError} If DuckDB fails.
   */
  series(options: SeriesOptions): Promise<SeriesResult> {
    return this.#guard.run(() => this.#series(options));
  }

  async #series(options: SeriesOptions): Promise<SeriesResult> {
    const read = this.#reader({
      from: options.from,
      to: options.to,
      metrics: new Set([options.metric]),
      labels: typeof options.labels === "string"
        ? options.labels
        : formatLabels(options.labels ?? {}),
      ...(options.host !== undefined && { host: canonicalHost(options.host) }),
    });
    if (options.tier !== undefined) return seriesOne(read, options);
    const ends = await this.#ends();
    const data = ends.get(canonicalHost(options.host ?? ""));
    const tier = pickTierFor(options.from, options.to, data, this.#tiers);
    return seriesOne(read, { ...options, tier });
  }

  /**
   * Reads several series over one range: for each key what {@linkcode Lake.series} gives
   * (the same tier, buckets and values), in one statement per tier instead of one per series
   * (each statement lists and opens the files of the range, the cost of a short read).
   *
   * @param keys Host, metric and canonical labels of each series.
   * @param options Range, step and value of a bucket, shared by all.
   * @returns One result per key, in the keys' order.
   * @throws {RangeError} If the range is empty or the step is not positive.
   * @throws {LakeError} If DuckDB fails.
   */
  seriesBatch(
    keys: readonly SeriesBatchKey[],
    options: SeriesBatchOptions,
  ): Promise<SeriesResult[]> {
    return this.#guard.run(async () => {
      const hosts = new Set(keys.map((k) => canonicalHost(k.host)));
      const read = this.#reader({
        from: options.from,
        to: options.to,
        metrics: new Set(keys.map((k) => k.metric)),
        ...(hosts.size === 1 && { host: [...hosts][0]! }),
      });
      const ends = await this.#ends();
      const tierOf = (host: string) =>
        pickTierFor(options.from, options.to, ends.get(canonicalHost(host)), this.#tiers);
      return seriesBatch(read, keys, { ...options, tierOf });
    });
  }

  /**
   * The first and last sample time of each host, sorted by host. Only the files of each host's
   * earliest and latest date partitions (raw or hourly rollup) are read, so this stays cheap on
   * a large lake. Hourly rollup times are bucket starts.
   *
   * @returns One entry per host with data.
   * @throws {LakeError} If DuckDB fails.
   */
  extent(): Promise<{ host: string; first: number; last: number }[]> {
    return this.#guard.run(async () => {
      const ends = await this.#ends();
      return [...ends.entries()].filter(([host]) => host !== "")
        .map(([host, e]) => ({ host, ...e }))
        .sort((a, b) => (a.host < b.host ? -1 : 1));
    });
  }

  /** The hosts' extents in Parquet, widened by the rows buffered (a host may have no other). */
  async #ends(): Promise<Map<string, { first: number; last: number }>> {
    const buffered = this.#buffered?.bufferedExtent();
    await this.#refresh();
    const stored = await (this.#extents ??= this.#readExtents());
    if (buffered === undefined || buffered.size === 0) return stored;
    const out = new Map([...stored].map(([host, e]) => [host, { ...e }]));
    for (const [host, e] of buffered) widenExtent(out, host, e.first, e.last);
    const all = widest(buffered);
    widenExtent(out, "", all.first, all.last); // "": every host
    return out;
  }

  async #readExtents(): Promise<Map<string, { first: number; last: number }>> {
    type Dates = { lo: string; hi: string; first: string[]; last: string[] };
    const byHost = (paths: readonly string[]) => {
      const dates = new Map<string, Dates>();
      for (const path of paths) {
        const m = /\/host=([^/]+)\/date=([^/]+)\/[^/]+$/.exec(path);
        if (!m) continue;
        const [, sent, date] = m as unknown as [string, string, string];
        const host = canonicalHost(sent); // host=Web1 from before host names were folded is web1
        const d = dates.get(host);
        if (!d) {
          dates.set(host, { lo: date, hi: date, first: [path], last: [path] });
          continue;
        }
        if (date < d.lo) (d.lo = date, d.first = [path]);
        else if (date === d.lo) d.first.push(path);
        if (date > d.hi) (d.hi = date, d.last = [path]);
        else if (date === d.hi) d.last.push(path);
      }
      return dates;
    };
    const list = this.#list;
    const raw = byHost(list?.samples ?? []);
    const hourly = byHost(list?.rollup_1h ?? []);
    // An hourly bucket's time is its start: read from the rollup only the dates raw data no
    // longer covers (past retention). Read together, a lake begun at 03:41 and compacted once
    // began at 03:00, and 19 minutes of data were "60 min of history".
    const dates = new Map(raw);
    for (const [host, h] of hourly) {
      const r = raw.get(host);
      if (!r) dates.set(host, h);
      else {
        dates.set(host, {
          lo: h.lo < r.lo ? h.lo : r.lo,
          hi: h.hi > r.hi ? h.hi : r.hi,
          first: h.lo < r.lo ? h.first : r.first,
          last: h.hi > r.hi ? h.last : h.hi === r.hi ? [...r.last, ...h.last] : r.last,
        });
      }
    }
    const out = new Map<string, { first: number; last: number }>();
    const read = async (files: string[], fn: "min" | "max") => {
      const [row] = await this.#query<{ t: number | null }>(
        `SELECT ${fn}(epoch_ms(ts)) AS t FROM read_parquet([${files.map(quote).join(", ")}])`,
        undefined,
        {},
      );
      return row?.t ?? NaN;
    };
    for (const [host, d] of dates) {
      try {
        const first = Number(await read(d.first, "min"));
        const last = Number(await read(d.last, "max"));
        if (Number.isFinite(first) && Number.isFinite(last)) out.set(host, { first, last });
      } catch {
        // A file replaced by a compaction meanwhile: this host is left out until the next call.
      }
    }
    if (out.size) {
      const all = [...out.values()];
      out.set("", {
        first: Math.min(...all.map((e) => e.first)),
        last: Math.max(...all.map((e) => e.last)),
      });
    }
    return out;
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
  seriesMany(options: SeriesManyOptions): Promise<SeriesManyResult> {
    return this.#guard.run(() => this.#seriesMany(options));
  }

  #seriesMany(options: SeriesManyOptions): Promise<SeriesManyResult> {
    const named = options.metric !== undefined || options.metrics !== undefined;
    const read = this.#reader({
      from: options.from,
      to: options.to,
      ...(named && {
        metrics: new Set([
          ...(options.metric !== undefined ? [options.metric] : []),
          ...(options.metrics ?? []),
        ]),
      }),
      ...(options.labels !== undefined && {
        labels: typeof options.labels === "string" ? options.labels : formatLabels(options.labels),
      }),
      ...(options.host !== undefined && { host: canonicalHost(options.host) }),
    });
    return seriesMany(read, {
      ...options,
      limits: options.limits ?? this.#tiers,
    });
  }

  /**
   * Lists the series present (host, metric, labels), from the hourly rollups and the raw files
   * not yet compacted, so it stays cheap on a large lake.
   *
   * @returns Entries sorted by host, metric, labels.
   * @throws {LakeError} If DuckDB fails.
   */
  metrics(): Promise<MetricEntry[]> {
    return this.#guard.run(() => this.#metrics());
  }

  async #metrics(): Promise<MetricEntry[]> {
    // the buffered series first: a row flushed after this is in the files the query lists
    const buffered = this.#buffered?.bufferedSeries() ?? [];
    const stored = await this.#query<MetricEntry>(
      "SELECT DISTINCT host, metric, labels FROM (SELECT host, metric, labels FROM rollup_1h " +
        "UNION ALL SELECT host, metric, labels FROM _fresh_1h) ORDER BY ALL",
      undefined,
      {},
    );
    const key = (e: MetricEntry) => `${e.host}\u0000${e.metric}\u0000${e.labels}`;
    const seen = new Set(stored.map(key));
    const more = buffered.filter((e) => !seen.has(key(e)) && seen.add(key(e)));
    if (more.length === 0) return stored;
    const order = (a: MetricEntry, b: MetricEntry) =>
      a.host !== b.host
        ? (a.host < b.host ? -1 : 1)
        : a.metric !== b.metric
        ? (a.metric < b.metric ? -1 : 1)
        : a.labels < b.labels
        ? -1
        : a.labels > b.labels
        ? 1
        : 0;
    return [...stored, ...more].sort(order);
  }

  /**
   * Interrupts the statement running on the shared connection, if any: its read fails with a
   * {@linkcode LakeError} ("Query failed: … INTERRUPT …"). For a stopping server, whose
   * requests must end: a read is not cancelled when its HTTP client goes away. (The connection
   * that loads buffered rows runs only short appends, so it is left alone.)
   */
  interrupt(): void {
    this.connection.interrupt();
  }

  /**
   * Closes the lake. Reads running now are cut off: each rejects at once with a
   * {@linkcode LakeClosed} (a read that ended first keeps its answer), their statements are
   * interrupted, and the connection and the database are closed once those have ended (at once
   * when none runs); reads asked for later reject with {@linkcode LakeClosed}. Calling it again
   * returns the first call's promise.
   *
   * @returns Settles once DuckDB is closed (no need to wait for it: nothing more can run).
   */
  close(): Promise<void> {
    return this.#guard.close(() => this.connection.interrupt(), async () => {
      // the loading connection first, once its queue (the tables' drops) has ended
      const loader = this.#loader;
      this.#loader = undefined;
      if (loader !== undefined) await loader.close();
      this.connection.closeSync();
      this.#instance.closeSync();
    });
  }

  /** How series reads run their SQL: over the shared views, or, with buffered rows included,
   * over one listing and the rows buffered at that moment ({@linkcode Lake.includeBuffered}). */
  #reader(filter: BufferedFilter): ReadChunks {
    const source = this.#buffered;
    if (source === undefined) return (sql, params) => this.#chunks(sql, params);
    return (sql, params) =>
      this.#pinned(
        source,
        filter,
        sql,
        async (text) => (await this.connection.run(text, params)).fetchAllChunks(),
      );
  }

  /**
   * Runs a statement over the files listed now and the rows buffered now
   * ({@linkcode bufferedSnapshot}: each row once). The statement reads that listing, bound in
   * the SQL itself (not the shared views, which another read may list again meanwhile), and
   * that copy; a flush that ends while it runs changes neither. A file a compaction removed
   * meanwhile fails the statement, and it is tried again from a new listing and a new copy.
   */
  async #pinned<T>(
    source: BufferedSource,
    filter: BufferedFilter,
    sql: string,
    exec: (text: string) => Promise<T>,
  ): Promise<T> {
    for (let attempt = 1;; attempt++) {
      this.#guard.check();
      const { files, rows } = bufferedSnapshot(this.root, source, filter);
      let tables: BufferedTables | undefined;
      try {
        if (rows.ts.length > 0 && this.#handover === "scan") {
          tables = (this.#scan ??= new BufferedScan(this.connection, this.#api)).add(rows);
        } else if (rows.ts.length > 0) {
          this.#loader ??= new BufferedLoader(() => this.#instance.connect());
          tables = await bufferedTables(this.#loader, this.#api, rows);
        }
        return await exec(pinnedSql(sql, pinFiles(files, filter), tables?.select));
      } catch (error) {
        if (!VANISHED.test(errorText(error)) || attempt >= 8) {
          throw new LakeError(`Query failed: ${errorText(error)}`, { cause: error });
        }
      } finally {
        // not awaited: the answer need not wait for it (the next load queues behind it)
        tables?.drop().catch(() => {});
      }
    }
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
    await this.#refresh();
    for (let attempt = 1;; attempt++) {
      this.#guard.check();
      try {
        return await run();
      } catch (error) {
        // A file listed in a view was replaced by compaction in another process: list again.
        // Compaction goes partition by partition, so a long query may meet several in a row.
        const vanished = VANISHED.test(errorText(error));
        if (!vanished || attempt >= 8) {
          throw new LakeError(`Query failed: ${errorText(error)}`, { cause: error });
        }
        this.#files = "";
        await this.#refresh();
      }
    }
  }
}

/** The first and last of several extents. */
function widest(
  ends: Map<string, { first: number; last: number }>,
): { first: number; last: number } {
  const all = [...ends.values()];
  return { first: Math.min(...all.map((e) => e.first)), last: Math.max(...all.map((e) => e.last)) };
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
  if (options.tiers) lake.useTiers(options.tiers);
  if (options.handover) lake.useHandover(options.handover);
  await lake.refresh();
  return lake;
}
