/**
 * Formatting for people: values by their registry unit (IEC bytes, percentages, SI counts, never
 * exponent notation), tooltips, axis margins and UTC times. The implementation is the plain
 * JavaScript module `format.js`, which the web app also serves to the browser as
 * `/assets/format.js`, so pages, reports and notebooks print numbers the same way.
 * The breaking of chart lines and stacked areas at gaps in the data (`line_gaps.js`, served as
 * `/assets/line_gaps.js` and inlined into reports) is here for the same reason. Also the
 * "did you mean" of a mistyped name (`closestName`), for the CLI's flags and the API's query
 * parameters alike, and the escaping of control characters in names (`escape_controls.js`, served
 * as `/assets/escape_controls.js` and inlined into reports, so the CLI, the logs, the pages and
 * the report show them alike).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatValue } from "./mod.ts";
 * assert.equal(formatValue(1.5 * 2 ** 30, "bytes"), "1.5 GiB");
 * ```
 *
 * @module
 */
export {
  axisMargin,
  dayTimeTick,
  formatExact,
  formatGrowth,
  formatTick,
  formatTime,
  formatValue,
  TIME_LABEL,
  TIME_MARGIN_RIGHT,
  TIME_ZONE,
  timeTickFormat,
  unitLabel,
  yTicks,
} from "./format.js";
export { areaGaps, lineGaps, seriesGaps } from "./line_gaps.js";
export { csvLine, type CsvRecords, csvRecords, csvText } from "./csv.ts";
export { closestName } from "./closest_name.ts";
export { escapeControls } from "./escape_controls.js";
