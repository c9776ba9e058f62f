/**
 * Analytics: typed-array kernels and lake-level analyses. Reading series (CSV), decomposition
 * and forecasting, anomaly scores, capacity (time until a limit), bottleneck ranking,
 * recommendations, persisted models and DataFrame helpers for notebooks.
 *
 * Everything here is pure or takes a `SeriesSource` (`lakeSource`, `memorySource`); nothing
 * imports web/ or reports/. `analyzeCapacity` is the one capacity analysis every surface renders. DataFrame
 * helpers load danfojs only when called.
 *
 * Layout, one concept per subfolder, each with its own `mod.ts` re-exported here: `series/`
 * (CSV series, series sources), `forecast/` (decomposition, ETS, forecasting, backtests),
 * `models/` (forecast models and their kernels, persisted fitted models), `anomaly/`,
 * `capacity/` (capacity forecasts, bottlenecks, evidence rules, the capacity analysis and its
 * charts) and `recommend/`; `frames.ts` (DataFrames for notebooks) stays at the top.
 *
 * @module
 */

export * from "./series/mod.ts";
export * from "./forecast/mod.ts";
export * from "./anomaly/mod.ts";
export * from "./capacity/mod.ts";
export * from "./recommend/mod.ts";
export * from "./services/mod.ts";
export * from "./models/mod.ts";
export {
  forecastFrame,
  recommendationsFrame,
  seriesFrame,
  toDataFrame,
  type ToDataFrameOptions,
} from "./frames.ts";
