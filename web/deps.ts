/**
 * What the web app needs from the rest of perfscope, passed in by `cli/serve.ts` (or a test):
 * the lake reader, the live hub, the SQL sandbox and the ingest writer.
 *
 * @module
 */
import type { SeriesSource } from "../analytics/mod.ts";
import type { AlertInstance, AlertTransition, Notifier, SilenceStore } from "../alerts/mod.ts";
import type { IngestBatch, Lake } from "../lake/mod.ts";
import type { OtlpExport } from "../receivers/mod.ts";
import type { IngestSeriesLimit } from "./ingest_series_limit.ts";
import type { LiveHub } from "./live_hub.ts";
import type { SqlSandbox } from "./sql_sandbox.ts";
import type { WorkflowsDeps } from "./routes/api_workflows.ts";

/** Options of {@linkcode IngestSink.write}. */
export interface IngestSinkOptions {
  /** Clock (ms) for the timestamp check. */
  now: number;
  /** Picks the samples to store from the validated body (the series limit); default all. */
  admit?: (batch: IngestBatch) => IngestBatch;
}

/** Where `/api/ingest` bodies go: the lake's `IngestWriter` (validate, spool, batch to Parquet). */
export interface IngestSink {
  /**
   * Validates a JSON-lines body and makes it durable (or throws and writes nothing).
   *
   * @param body The request body.
   * @param options Clock (ms) for the timestamp check.
   * @returns The samples as columns.
   * @throws {RangeError} On a bad line.
   */
  write(body: Uint8Array, options: IngestSinkOptions): IngestBatch;
  /**
   * Validates samples given as columns (the receivers) by the same rules and makes them durable
   * (or throws and writes nothing).
   *
   * @param batch The samples; labels in canonical form.
   * @param options Clock (ms) for the timestamp check.
   * @returns The validated samples.
   * @throws {RangeError} On a bad sample.
   */
  writeBatch(batch: IngestBatch, options: { now: number }): IngestBatch;
  /**
   * `write` with the body parsed in chunks that yield to the event loop (or on a thread of its
   * own); resolves once the samples are durable. Optional: the route uses it when present, so
   * `/healthz` and other requests are answered while a large body is parsed. The body may come
   * as the chunks it was read in; their buffers may be handed to another thread (detached).
   */
  writeAsync?(
    body: Uint8Array | readonly Uint8Array[],
    options: IngestSinkOptions,
  ): Promise<IngestBatch>;
  /**
   * Throws an error named `IngestBusy` (with a numeric `retryAfterSeconds`) when a request
   * would be refused now, so the route answers 503 before reading the body. Optional.
   */
  check?(): void;
  /**
   * The sample times `writeBatch` takes at a clock (ms, both ends included), so a receiver whose
   * points carry their own times (OTLP) drops the points outside alone. Optional.
   */
  window?(now: number): { from: number; to: number };
}

/** The alert engine as the web app sees it: live states and the stored history. */
export interface AlertsView {
  /** Every alert instance and its state now. */
  instances(): AlertInstance[];
  /** State changes between two instants (ms), oldest first. */
  history(opts: { since: number; until: number }): Promise<AlertTransition[]>;
  /**
   * The configured rules (name, metric and the names of the labels the rule adds to its
   * instances), to link an alert to its series. Default none.
   */
  rules?(): readonly { alert: string; metric?: string; extraLabels?: readonly string[] }[];
}

/** One interval during which a backtested rule would have fired. */
export interface BacktestInterval {
  /** The rule's name. */
  alert: string;
  /** The instance's labels. */
  labels: Record<string, string>;
  /** Start, ms epoch. */
  start: number;
  /** End, ms epoch; `null` while still firing at the end of the range. */
  end: number | null;
  /** The most extreme value while firing. */
  peak: number;
}

/**
 * Replays a rule (as written in the config, parsed from JSON) over the lake's history.
 *
 * @throws {RangeError} On a rule the engine refuses (answered 400).
 */
export type BacktestFn = (
  rule: unknown,
  since: number,
  until: number,
) => Promise<BacktestInterval[]>;

/** A series source the analysis reads instead of the lake (`serve --source`: a fleet's
 * Prometheus query API). */
export interface AnalysisSource {
  /** What it is, shown on the pages, e.g. `prometheus http://vm:8428`. */
  readonly name: string;
  /** A fresh source: a source caches its discovery and host extents, so each analysis (and
   * each listing) opens a new one and sees newer data. */
  open(): SeriesSource;
}

/** The app's collaborators. */
export interface WebDeps {
  /** The lake, for `/api/series`, `/api/metrics` and the capacity analysis. */
  lake: Lake;
  /** Where the analysis pages and APIs (Capacity, Explore's `/api/metrics` and `/api/series`,
   * Services, reports, maintenance windows) read series instead of the lake; local collection
   * and ingest still write the lake. Default none (the lake). */
  source?: AnalysisSource;
  /** The live hub, for `/api/live`, `/metrics` and `/healthz`. */
  hub: LiveHub;
  /** The read-only SQL sandbox, for `/api/query`. */
  sandbox: SqlSandbox;
  /** Validates and stores pushed samples (the lake's `IngestWriter`). */
  ingest: IngestSink;
  /** The series limit of `/api/ingest` (new series per host and in all per hour); default
   * none. `serve` always passes one (`receivers_limits`). */
  ingestLimit?: IngestSeriesLimit;
  /** Lake root, for the generated reports under `/reports`; default `data`. */
  root?: string;
  /** Clock in ms; default `Date.now`. */
  now?: () => number;
  /** The alert engine, for the Alerts page and `/api/alerts`; without it the page says so. */
  alerts?: AlertsView;
  /** The notifier, for delivery counters, inhibitions and held notifications on the Alerts page. */
  notifier?: Pick<Notifier, "stats" | "inhibitedBy"> & Partial<Pick<Notifier, "held">>;
  /** Silences, for `/api/silences` and the Alerts page. */
  silences?: SilenceStore;
  /** Rule backtest over the lake, for `POST /api/alerts/backtest` (the alerts engine's replay). */
  backtest?: BacktestFn;
  /** Workflows runner, scheduler and blackouts (`/api/workflows`, `/api/schedule`, …). */
  workflows?: WorkflowsDeps;
  /** The OTLP receiver behind `POST /v1/metrics` (`receivers/`' `OtlpReceiver`); without it the
   * route answers 404. */
  otlp?: {
    receive(body: Uint8Array, encoding: "protobuf" | "json"): OtlpExport;
    response(encoding: "protobuf" | "json", result: OtlpExport): Uint8Array<ArrayBuffer>;
  };
}
