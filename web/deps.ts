/**
 * What the web app needs from the rest of perfscope, passed in by `cli/serve.ts` (or a test):
 * the lake reader, the live hub, the SQL sandbox and the ingest writer.
 *
 * @module
 */
import type { IngestBatch, Lake } from "../lake/mod.ts";
import type { LiveHub } from "./live_hub.ts";
import type { SqlSandbox } from "./sql_sandbox.ts";

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
  write(body: Uint8Array, options: { now: number }): IngestBatch;
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
   * Throws an error named `IngestBusy` (with a numeric `retryAfterSeconds`) when a request
   * would be refused now, so the route answers 503 before reading the body. Optional.
   */
  check?(): void;
}

/** The app's collaborators. */
export interface WebDeps {
  /** The lake, for `/api/series`, `/api/metrics` and the capacity analysis. */
  lake: Lake;
  /** The live hub, for `/api/live`, `/metrics` and `/healthz`. */
  hub: LiveHub;
  /** The read-only SQL sandbox, for `/api/query`. */
  sandbox: SqlSandbox;
  /** Validates and stores pushed samples (the lake's `IngestWriter`). */
  ingest: IngestSink;
  /** Lake root, for the generated reports under `/reports`; default `data`. */
  root?: string;
  /** Clock in ms; default `Date.now`. */
  now?: () => number;
}
