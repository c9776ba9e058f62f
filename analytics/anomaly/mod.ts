/**
 * Anomaly scores: a streaming detector (`createAnomalyDetector`) and `scoreSeries` over a whole
 * series, combining a sliding range, a moving mean, a moving median and a seasonal-period check.
 *
 * @module
 */

export {
  type AnomalyDetector,
  type AnomalyDetectorOptions,
  createAnomalyDetector,
  scoreSeries,
} from "./anomaly.ts";
