/**
 * Series input: reading CSV series (`readCsvSeries`) and the `SeriesSource` every lake-level
 * analysis reads through (`lakeSource` over a lake, `memorySource`/`csvSource` over arrays or CSV).
 *
 * @module
 */

export {
  type CsvSeries,
  type CsvSeriesOptions,
  medianStep,
  parseTimestamp,
  readCsvSeries,
} from "./csv_series.ts";
export {
  csvSource,
  type CsvSourceOptions,
  extentOnce,
  type HostExtent,
  lakeSource,
  listingOnce,
  type MemorySeries,
  memorySource,
  type SeriesKey,
  type SeriesSource,
  type SourceSeries,
  type SourceSeriesOptions,
  toSource,
  type WindowRow,
} from "./series_source.ts";
export { readSeries } from "./read_series.ts";
