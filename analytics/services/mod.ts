/**
 * Services: application-level indicators read from the lake (requests per second, errors,
 * latency percentiles, Apdex, availability, SLO burn rates, cache and database figures), and
 * concurrency capacity by Gunther's Universal Scalability Law.
 *
 * @module
 */

export { fitUsl, type UslFit, type UslFitOptions, uslThroughput } from "./usl_fit.ts";
export {
  type Apdex,
  type Bucket,
  bucketApdex,
  bucketQuantile,
  parseBound,
  rateAtOrBelow,
} from "./bucket_quantile.ts";
export { BURN_WINDOWS, type BurnRate, burnRates, type BurnWindow } from "./burn_rate.ts";
export {
  belongs,
  CACHE_DEFAULT,
  DB_HISTOGRAMS,
  findServices,
  IN_FLIGHT,
  isErrorStatus,
  REQUEST_COUNTERS,
  REQUEST_HISTOGRAMS,
  REQUEST_TIMERS_MS,
  serviceMetrics,
  type ServiceSetting,
  type ServiceSpec,
  STATUS_LABELS,
  statusOf,
} from "./service_catalog.ts";
export {
  type Percentiles,
  type SeriesValue,
  type ServiceFigures,
  serviceFigures,
} from "./service_figures.ts";
export {
  type ServiceKpis,
  serviceKpis,
  type ServiceKpisOptions,
  serviceWithoutData,
  type WindowFigure,
} from "./service_kpis.ts";
export {
  type LiveBatch,
  type LiveFigures,
  ServiceLive,
  type ServiceLiveOptions,
} from "./service_live.ts";
export {
  serviceHistory,
  type ServiceHistoryOptions,
  type ServicePoint,
} from "./service_history.ts";
export {
  type PanelData,
  panelData,
  type PanelDataOptions,
  type PanelSpec,
  type SqlTable,
} from "./dashboard_data.ts";
export {
  type ServiceCapacity,
  serviceCapacity,
  type ServiceCapacityOptions,
  type ServiceCapacityRow,
} from "./service_capacity.ts";
export {
  PROBE_SUCCESS,
  type ProbeAvailability,
  probeAvailability,
  type ProbeAvailabilityOptions,
} from "./probe_availability.ts";
