/**
 * `POST /v1/metrics`: the OTLP/HTTP metrics endpoint (protobuf `application/x-protobuf` or JSON
 * `application/json`, optionally gzip-compressed). Answers as the OTLP specification asks: 200
 * with an `ExportMetricsServiceResponse` (a partial success names the points dropped by the
 * cardinality limit or the lake's rules), 400 with a `google.rpc.Status` in the request's
 * encoding for a body that is not a valid request, 415 for
 * another content type (checked in `app.ts` before the body is read), 503 with `Retry-After`
 * when the lake writer is busy. Samples go through `IngestWriter.writeBatch`, then to the live
 * stream.
 *
 * @module
 */
import { type Context, Hono } from "hono";
import { encodeOtlpStatus, type OtlpExport } from "../../receivers/mod.ts";
import type { WebDeps } from "../deps.ts";
import { batchRows } from "../ingest_series_limit.ts";
import {
  BadRequestError,
  HttpError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
} from "../errors.ts";

/** What the route needs of the OTLP receiver (`receivers/`' `OtlpReceiver`). */
export interface OtlpSink {
  receive(body: Uint8Array, encoding: "protobuf" | "json"): OtlpExport;
  response(encoding: "protobuf" | "json", result: OtlpExport): Uint8Array<ArrayBuffer>;
}

/** gRPC status codes used in the `Status` bodies of failed exports. */
const INVALID_ARGUMENT = 3, UNAVAILABLE = 14;

/** Options for {@linkcode otlpRoutes}. */
export interface OtlpRoutesOptions {
  /** Largest body after decompression, bytes; default 16 MiB. */
  maxBytes?: number;
}

/** Compressed bytes handed to the decompressor at a time. Deflate expands at most ~1,032×, so a
 * slice yields at most ~4 MiB: the decompressor inflates each input chunk whole, and a 4.7 MB
 * body given in one chunk allocated its 1 GiB of zeros before the size check could stop it. */
const GZIP_SLICE = 4096;

/** The body as a stream of small slices, one read at a time (no read-ahead past the consumer). */
function slices(body: Uint8Array<ArrayBuffer>): ReadableStream<Uint8Array<ArrayBuffer>> {
  let at = 0;
  return new ReadableStream<Uint8Array<ArrayBuffer>>({
    pull(controller) {
      if (at >= body.length) return controller.close();
      controller.enqueue(body.subarray(at, at + GZIP_SLICE));
      at += GZIP_SLICE;
    },
  }, { highWaterMark: 0 });
}

async function gunzip(body: Uint8Array<ArrayBuffer>, max: number): Promise<Uint8Array> {
  const stream = slices(body).pipeThrough(new DecompressionStream("gzip"));
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      size += chunk.length;
      if (size > max) throw new PayloadTooLargeError(max);
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw new BadRequestError(`Invalid gzip body: ${(error as Error).message}`);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) out.set(c, at), (at += c.length);
  return out;
}

/**
 * Creates the OTLP route (mount the content-type check and the body guard in front of it, as
 * `app.ts` does). Without `deps.otlp` it answers 404 (`otlp.enabled: false`).
 *
 * @param deps The OTLP receiver, the ingest writer, the hub and the clock.
 * @param options Body limit.
 * @returns A Hono app to mount at the root.
 */
export function otlpRoutes(deps: WebDeps, options: OtlpRoutesOptions = {}): Hono {
  const now = deps.now ?? Date.now;
  const max = options.maxBytes ?? 16 * 1024 * 1024;
  return new Hono().post("/v1/metrics", async function otlpMetrics(c) {
    const otlp = deps.otlp;
    if (!otlp) return c.json({ error: "Not found: OTLP is disabled (otlp.enabled: false)" }, 404);
    const media = (c.req.header("content-type") ?? "").split(";", 1)[0]!.trim().toLowerCase();
    const encoding = media === "application/x-protobuf" ? "protobuf" : "json";
    let body: Uint8Array = new Uint8Array(await c.req.arrayBuffer());
    const coding = (c.req.header("content-encoding") ?? "identity").trim().toLowerCase();
    if (coding === "gzip") body = await gunzip(body as Uint8Array<ArrayBuffer>, max);
    else if (coding !== "identity") {
      throw new UnsupportedMediaTypeError(
        `Unsupported content encoding: ${coding} (send gzip or none)`,
      );
    }
    const type = encoding === "protobuf" ? "application/x-protobuf" : "application/json";
    // failures answer with a google.rpc.Status in the request's encoding, as OTLP asks
    const fail = (status: 400 | 503, code: number, message: string, headers = {}) =>
      c.body(encodeOtlpStatus(encoding, code, message), status, {
        "Content-Type": type,
        ...headers,
      });
    let result: OtlpExport;
    try {
      result = otlp.receive(body, encoding);
    } catch (error) {
      if (error instanceof RangeError) return fail(400, INVALID_ARGUMENT, error.message);
      throw error;
    }
    // points outside the time window (an exporter's clock ahead, a point from a long outage) are
    // dropped alone: a 400 for the export made the exporter drop all of its points
    if (deps.ingest.window) result = dropOutsideWindow(result, deps.ingest.window(now()));
    if (result.batch.ts.length > 0) {
      try {
        // the samples as stored (host in lower case) are what the live view gets
        result = { ...result, batch: deps.ingest.writeBatch(result.batch, { now: now() }) };
      } catch (error) {
        const e = error as Error & { retryAfterSeconds?: number };
        if (e?.name === "IngestBusy") {
          const retry = Math.max(1, Math.ceil(e.retryAfterSeconds ?? 1));
          return fail(503, UNAVAILABLE, `The lake writer is busy: retry in ${retry} s`, {
            "Retry-After": String(retry),
          });
        }
        if (error instanceof RangeError) {
          // the lake's message counts the export's samples ("Invalid sample N: …")
          return fail(400, INVALID_ARGUMENT, error.message);
        }
        throw error;
      }
      deps.hub.publishBatch(result.batch);
    }
    return c.body(otlp.response(encoding, result), 200, {
      "Content-Type": encoding === "protobuf" ? "application/x-protobuf" : "application/json",
    });
  });
}

/** gRPC codes for the statuses the app's checks answer before the route (or the route's gzip). */
const GRPC_CODES: Partial<Record<HttpError["status"], number>> = {
  401: 16, // UNAUTHENTICATED
  403: 7, // PERMISSION_DENIED
  404: 5, // NOT_FOUND
  408: 4, // DEADLINE_EXCEEDED
  413: 8, // RESOURCE_EXHAUSTED
  503: UNAVAILABLE,
};

/**
 * The answer to a `/v1/metrics` request that failed outside the route's own checks (body limit
 * or timeout, content type or encoding, a gzip body that does not inflate, the token): a
 * `google.rpc.Status` in the request's encoding, as OTLP asks of every 4xx and 5xx, where it
 * was the app's JSON `{"error"}`, which a protobuf exporter cannot read.
 *
 * @param c The request's context (headers set before, such as `Retry-After`, are kept).
 * @param error The failure.
 * @returns The response.
 */
export function otlpFailure(c: Context, error: HttpError): Response {
  const media = (c.req.header("content-type") ?? "").split(";", 1)[0]!.trim().toLowerCase();
  const encoding = media === "application/x-protobuf" ? "protobuf" : "json";
  const code = GRPC_CODES[error.status] ?? INVALID_ARGUMENT;
  return c.body(encodeOtlpStatus(encoding, code, error.message), error.status, {
    "Content-Type": encoding === "protobuf" ? "application/x-protobuf" : "application/json",
  });
}

/** The export without its samples outside `window`, counted in `rejected` and named in `message`. */
function dropOutsideWindow(result: OtlpExport, window: { from: number; to: number }): OtlpExport {
  const { batch } = result;
  const keep: number[] = [];
  for (let i = 0; i < batch.ts.length; i++) {
    const ts = batch.ts[i]!;
    if (ts >= window.from && ts <= window.to) keep.push(i);
  }
  const dropped = batch.ts.length - keep.length;
  if (dropped === 0) return result;
  const iso = (ms: number) => new Date(ms).toISOString();
  const why = `${dropped} samples outside the accepted time window, from ${iso(window.from)} ` +
    `to ${iso(window.to)} (ingest.max_age, ingest.max_ahead)`;
  return {
    ...result,
    batch: batchRows(batch, keep),
    rejected: result.rejected + dropped,
    message: result.message ? `${result.message}; ${why}` : why,
  };
}
