/**
 * Recommendations: `recommend` turns resources, pressure windows and capacity rows into ranked,
 * evidence-backed advice; `formatPercent`/`formatQuantity`/`formatSpan` print its quantities.
 *
 * @module
 */

export { recommend, type RecommendOptions } from "./recommend.ts";
export type { Evidence, Recommendation, SeriesRef, Severity } from "./recommend_types.ts";
export { formatPercent, formatQuantity, formatSpan } from "./recommend_format.ts";
