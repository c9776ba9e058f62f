/**
 * The web app: a Hono server with the Live, Explore, Capacity and Alerts pages, the JSON/CSV
 * series API, a read-only SQL endpoint, sample ingest, the SSE live tail and a Prometheus
 * `/metrics` exposition. `cli/serve.ts` wires it to the collector and the lake.
 *
 * @module
 */
export { type AppOptions, createApp } from "./app.ts";
export type { AnalysisSource, IngestSink, WebDeps } from "./deps.ts";
export type { AlertsView, BacktestFn, BacktestInterval } from "./deps.ts";
export {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  HttpError,
  NotFoundError,
  PayloadTooLargeError,
  QueryMemoryError,
  QueryTimeoutError,
  RequestTimeoutError,
  UnauthorizedError,
  UnavailableError,
  UnsupportedMediaTypeError,
  UriTooLongError,
} from "./errors.ts";
export { LIVE_METRICS, LiveHub, type LiveHubOptions, type LiveSubscription } from "./live_hub.ts";
export { formatExposition, PROMETHEUS_CONTENT_TYPE } from "./prometheus.ts";
export {
  IngestSeriesLimit,
  type IngestSeriesLimitOptions,
  type IngestSeriesVerdict,
} from "./ingest_series_limit.ts";
export { readOnlyRefusal } from "./read_only_refusal.ts";
export { asBadRequest, parseIngest, type ParseIngestOptions } from "./parse_ingest.ts";
export {
  openSqlSandbox,
  type QueryBody,
  type QueryColumn,
  type QueryResult,
  type SqlSandbox,
  type SqlSandboxOptions,
} from "./sql_sandbox.ts";
export { type WorkflowsDeps } from "./routes/api_workflows.ts";
export { auditSection, type AuditSectionData, loadAuditSection } from "./pages/_audit_section.ts";
