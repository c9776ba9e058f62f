/**
 * SQL for a mean that does not overflow: DuckDB's `avg` of doubles sums them first, so two
 * samples of 1.7e308 in one minute gave a rollup `avg` of Infinity (the samples were fine).
 *
 * @module
 */

/** 2^-64 and 2^64 as DuckDB DOUBLE literals: a power of two scales a double exactly (short of
 * the subnormals, far below what a sum that overflowed can notice), and 2^64 terms of at most
 * 2^1024 · 2^-64 cannot overflow. */
const DOWN = "5.421010862427522e-20";
const UP = "1.8446744073709552e+19";

/**
 * A mean of `value` over a group, `sum(value · weight) / sum(weight)`: the plain expression
 * (DuckDB's `avg`, bit for bit) unless it is not finite while every value is, then the mean of
 * the values scaled by 2^-64, scaled back and held within their min and max (rounding cannot
 * take it past them, nor past the largest double). NaN or infinite values keep their plain mean.
 *
 * @param value A DOUBLE column or expression.
 * @param weight A count column (each value standing for `weight` samples), or none.
 * @returns An aggregate SQL expression.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { meanSql } from "./mean_sql.ts";
 * assert.match(meanSql("value"), /ELSE avg\(value\) END$/);
 * assert.match(meanSql("avg", "count"), /ELSE sum\(avg \* count\) \/ sum\(count\) END$/);
 * ```
 */
export function meanSql(value: string, weight?: string): string {
  const plain = weight === undefined
    ? `avg(${value})`
    : `sum(${value} * ${weight}) / sum(${weight})`;
  const scaled = weight === undefined
    ? `avg(${value} * ${DOWN}) * ${UP}`
    : `sum(${value} * ${DOWN} * ${weight}) / sum(${weight}) * ${UP}`;
  return `CASE WHEN NOT isfinite(${plain}) AND isfinite(max(abs(${value}))) ` +
    `THEN least(greatest(${scaled}, min(${value})), max(${value})) ELSE ${plain} END`;
}
