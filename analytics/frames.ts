/**
 * danfo.js DataFrames from perfscope's results, for notebook users. danfojs is imported inside
 * each function (it takes about a second to load), never at module load, so importing
 * analytics stays cheap for the collector and the server.
 *
 * @module
 */
// deno-lint-ignore no-import-prefix -- kept out of deno.json so serve and collect never fetch it
import type { DataFrame } from "npm:danfojs@1.1.2";
import type { Recommendation } from "./recommend/recommend_types.ts";

/** Options of {@linkcode toDataFrame}. */
export interface ToDataFrameOptions {
  /** Columns holding ms since the epoch to turn into `Date`s; default `ts`, `eta`, `etaLow`,
   * `etaHigh`, `now`, `from`, `to`, `fittedAt` where present. */
  timeColumns?: readonly string[];
}

const TIME_COLUMNS = ["ts", "eta", "etaLow", "etaHigh", "now", "from", "to", "fittedAt"];

type Columns = Record<string, ArrayLike<unknown>>;

const DANFO: string = "npm:danfojs@1.1.2";

/**
 * Builds a DataFrame from rows (e.g. `capacityReport` rows, `lake.query` results) or from
 * columns (name → array or typed array). Time columns become `Date`s (null stays missing);
 * nested objects become JSON text.
 *
 * @param data Rows, or columns of equal length.
 * @param options Which columns are times.
 * @returns The DataFrame.
 * @throws {RangeError} If columns differ in length.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toDataFrame } from "./frames.ts";
 * const df = await toDataFrame({ ts: Float64Array.of(0, 60_000), value: Float64Array.of(1, 2) });
 * assert.deepEqual(df.shape, [2, 2]);
 * assert.equal(df.dtypes[0], "datetime");
 * ```
 */
export async function toDataFrame(
  data: readonly Record<string, unknown>[] | Columns,
  options: ToDataFrameOptions = {},
): Promise<DataFrame> {
  const columns = Array.isArray(data) ? rowsToColumns(data) : data as Columns;
  const times = new Set(options.timeColumns ?? TIME_COLUMNS);
  const out: Record<string, unknown[]> = {};
  let length: number | undefined;
  for (const [name, col] of Object.entries(columns)) {
    if (length !== undefined && col.length !== length) {
      throw new RangeError(`Invalid columns: ${name} has ${col.length} values, expected ${length}`);
    }
    length = col.length;
    out[name] = Array.from(col, (v) => cell(v, times.has(name)));
  }
  // a specifier in a variable keeps danfo.js (and the ~500 MB of TensorFlow it pulls) out of the
  // module graph of every command that imports analytics: it is fetched on first use only
  const dfd = await import(DANFO) as typeof import("npm:danfojs@1.1.2");
  return new dfd.DataFrame(out) as unknown as DataFrame;
}

/**
 * A series as a DataFrame with columns `ts` (Date) and `value` (or `name`).
 *
 * @param series Timestamps (ms) and values, e.g. from `lake.series()` or `readCsvSeries()`.
 * @param options Column `name` for the values; default `value`.
 * @returns The DataFrame.
 */
export function seriesFrame(
  series: { ts: ArrayLike<number>; values: ArrayLike<number> },
  options: { name?: string } = {},
): Promise<DataFrame> {
  return toDataFrame({ ts: series.ts, [options.name ?? "value"]: series.values });
}

/**
 * A forecast as a DataFrame: `ts`, `mean`, `lo80`, `hi80`, `lo95`, `hi95`.
 *
 * @param result A `forecast()` result (or anything with those arrays).
 * @param options Time of the first forecast step (`start`, ms) and the step (`stepMs`).
 * @returns The DataFrame.
 */
export function forecastFrame(
  result: Record<"mean" | "lo80" | "hi80" | "lo95" | "hi95", ArrayLike<number>>,
  options: { start: number; stepMs: number },
): Promise<DataFrame> {
  const ts = Float64Array.from(result.mean, (_, i) => options.start + i * options.stepMs);
  const { mean, lo80, hi80, lo95, hi95 } = result;
  return toDataFrame({ ts, mean, lo80, hi80, lo95, hi95 });
}

/**
 * Recommendations as a DataFrame: one row each with `id`, `rule`, `severity`, `host`, `title`,
 * `effect` and one column per evidence figure.
 *
 * @param recs Recommendations from `recommend()`.
 * @returns The DataFrame.
 */
export function recommendationsFrame(recs: readonly Recommendation[]): Promise<DataFrame> {
  return toDataFrame(recs.map((r) => ({
    id: r.id,
    rule: r.rule,
    severity: r.severity,
    host: r.host,
    title: r.title,
    effect: r.effect,
    ...r.evidence.values,
  })));
}

function rowsToColumns(rows: readonly Record<string, unknown>[]): Columns {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    for (const k of Object.keys(row)) if (!seen.has(k)) (seen.add(k), names.push(k));
  }
  return Object.fromEntries(names.map((k) => [k, rows.map((r) => r[k] ?? null)]));
}

function cell(v: unknown, time: boolean): unknown {
  if (v === undefined || v === null) return null;
  if (typeof v === "number") return time ? (Number.isFinite(v) ? new Date(v) : null) : v;
  if (typeof v === "bigint") return Number(v);
  if (v instanceof Date || typeof v !== "object") return v;
  return JSON.stringify(v, (_, x) => (ArrayBuffer.isView(x) ? Array.from(x as Float64Array) : x));
}
