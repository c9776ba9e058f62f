/**
 * The OTLP/HTTP metrics receiver behind `POST /v1/metrics`: decodes a request, converts it with
 * the cumulative state of earlier exports and the OTLP source's cardinality limit, and says how
 * many data points it could not take (for the partial-success answer).
 *
 * @module
 */
import { LogLimiter } from "./_log_limiter.ts";
import { BatchBuilder, type IngestBatch } from "./batch_builder.ts";
import { CumulativeState } from "./convert_exposition.ts";
import { convertOtlp } from "./convert_otlp.ts";
import { decodeOtlpMetrics, encodeOtlpResponse } from "./otlp_decode.ts";
import { SeriesLimit } from "./series_limit.ts";

/** Options for {@linkcode OtlpReceiver}. */
export interface OtlpReceiverOptions {
  /** The `host` column. */
  host: string;
  /** Most series per hour from OTLP (those of the hour before keep their places); default 10 000. */
  maxSeries?: number;
  /** Clock (ms); default `Date.now`. */
  now?: () => number;
  /** Where refused points are told (one line a minute); default `console.error`. */
  log?: (line: string) => void;
}

/** What one export gave. */
export interface OtlpExport {
  /** Samples to store. */
  batch: IngestBatch;
  /** Data points read. */
  points: number;
  /** Samples and data points dropped (cardinality limit, names/values the lake refuses, delta
   * non-monotonic sums). */
  rejected: number;
  /** Why, for the partial-success message; empty when nothing was dropped. */
  message: string;
}

/**
 * Takes OTLP exports.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { OtlpReceiver } from "./otlp_receiver.ts";
 * const r = new OtlpReceiver({ host: "h", now: () => 1_700_000_000_000 });
 * const body = JSON.stringify({ resourceMetrics: [{
 *   resource: { attributes: [{ key: "service.name", value: { stringValue: "api" } }] },
 *   scopeMetrics: [{ metrics: [{ name: "queue.depth", gauge: { dataPoints: [{ asInt: "3" }] } }] }],
 * }] });
 * const out = r.receive(new TextEncoder().encode(body), "json");
 * assert.deepEqual([out.batch.metric[0], out.batch.labels[0], out.batch.value[0]], ["queue_depth", "service=api", 3]);
 * ```
 */
export class OtlpReceiver {
  #state = new CumulativeState();
  #limit: SeriesLimit;
  #host: string;
  #now: () => number;
  #calls = 0;
  #logs: LogLimiter;

  /** @param options See {@linkcode OtlpReceiverOptions}. */
  constructor(options: OtlpReceiverOptions) {
    this.#host = options.host;
    this.#now = options.now ?? Date.now;
    this.#limit = new SeriesLimit({ maxSeries: options.maxSeries ?? 10_000, now: this.#now });
    this.#logs = new LogLimiter(options.log ?? ((l) => console.error(l)), 60_000, this.#now);
  }

  /**
   * Applies a new `max_series_per_source` (a config reload) to the series the receiver knows:
   * those flowing keep their places (see `SeriesLimit.resize`).
   *
   * @param maxSeries The new limit.
   * @throws {RangeError} If it is not a positive integer.
   */
  resize(maxSeries: number): void {
    this.#limit.resize(maxSeries);
  }

  /**
   * Decodes and converts one export.
   *
   * @param body The request body (decompressed).
   * @param encoding From the content type.
   * @returns The samples and what was dropped.
   * @throws {RangeError} If the body is not a valid `ExportMetricsServiceRequest`.
   */
  receive(body: Uint8Array, encoding: "protobuf" | "json"): OtlpExport {
    const req = decodeOtlpMetrics(body, encoding);
    const now = this.#now();
    const out = new BatchBuilder({ host: this.#host, ts: now, source: "otlp", limit: this.#limit });
    const { points, refused, refusals } = convertOtlp(req, this.#state, out, { now });
    // cumulative series not seen for 64 exports are forgotten (exporters send every series
    // every time, so only series that ended go)
    if (++this.#calls % 64 === 0) this.#state.sweep();
    const rejected = out.invalid + out.limited + refused;
    const parts: string[] = [];
    if (refused) {
      const why = `${refused} data points refused: ${refusals.join("; ")}`;
      parts.push(why);
      this.#logs.line("delta-non-monotonic", `OTLP: ${why}`);
    }
    if (out.limited) {
      const why = `${out.limited} samples of new series dropped: over the OTLP limit of ` +
        `${this.#limit.maxSeries} series (receivers_limits.max_series_per_source)`;
      parts.push(why);
      // in serve's log too: SDKs seldom show a partial success
      this.#logs.line("series-limit", `OTLP: ${why}`);
    }
    if (out.invalid) parts.push(`${out.invalid} samples dropped: ${out.problems.join("; ")}`);
    return { batch: out.batch(), points, rejected, message: parts.join("; ") };
  }

  /**
   * The answer body for an export.
   *
   * @param encoding As the request.
   * @param result What {@linkcode OtlpReceiver.receive} returned.
   * @returns The encoded `ExportMetricsServiceResponse`.
   */
  response(encoding: "protobuf" | "json", result: OtlpExport): Uint8Array<ArrayBuffer> {
    return encodeOtlpResponse(encoding, result.rejected, result.message);
  }
}
