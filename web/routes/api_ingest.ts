/**
 * `POST /api/ingest`: samples pushed by other processes as JSON lines
 * (`{"ts":…,"host":…,"metric":…,"labels":{…},"value":…}` per line). The whole body is validated
 * first; one bad line rejects the request with its line number and nothing is written, and so do
 * a sample outside the time window, a reserved label and a body past the line or partition limit
 * (see `IngestLimits` in the lake; the writer holds the limits, the clock comes from here). Accepted
 * bodies are in the ingest spool when the answer goes out and reach Parquet with the next batch
 * flush; samples of the Live page's metrics also go to the live stream.
 *
 * Backpressure: when the writer is behind (its row buffer or spool budget is full, or a flush
 * lags) the answer is `503 Service Unavailable` with `Retry-After` (seconds) and nothing of the
 * request is stored; `507 Insufficient Storage` when the disk itself is full. Clients wait that
 * long and send the same body again. {@linkcode ingestAdmission} gives that answer before the
 * body is read, so refused uploads cost no memory.
 *
 * @module
 */
import { type Context, Hono, type MiddlewareHandler } from "hono";
import type { IngestBatch } from "../../lake/mod.ts";
import type { WebDeps } from "../deps.ts";
import type { IngestSeriesVerdict } from "../ingest_series_limit.ts";
import { BadRequestError } from "../errors.ts";
import { guardedBody, guardedChunks } from "../middleware/body_guard.ts";
import { knownParams } from "../middleware/known_params.ts";
import { asBadRequest } from "../parse_ingest.ts";
import { escapeControls } from "../../format/mod.ts";

/** {@linkcode asBadRequest} for a promise. */
async function asBadRequestAsync<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof RangeError) throw new BadRequestError(error.message, { cause: error });
    throw error;
  }
}

let lastLog = -Infinity;
/** One stderr line a minute about refused series (an attack must not flood the log). */
function logRefusal(message: string): void {
  const t = Date.now();
  if (t - lastLog < 60_000) return;
  lastLog = t;
  // it names hosts, which ingest checked; escaped all the same, as every line quoting a client
  console.error(`perfscope serve: /api/ingest: ${escapeControls(message)}`);
}

/** What the writer's `IngestBusy` carries (checked by name: the lake's class). */
interface Busy extends Error {
  retryAfterSeconds: number;
  reason?: string;
}

function isBusy(error: unknown): error is Busy {
  return error instanceof Error && error.name === "IngestBusy" &&
    typeof (error as Partial<Busy>).retryAfterSeconds === "number";
}

/** The answer to a refused request: 503 (507 for a full disk) with `Retry-After`. */
function busyResponse(c: Context, error: Busy): Response {
  const seconds = Math.max(1, Math.ceil(error.retryAfterSeconds));
  c.header("Retry-After", String(seconds));
  return c.json(
    { error: error.message, retryAfterSeconds: seconds },
    error.reason === "disk" ? 507 : 503,
  );
}

/**
 * Refuses an ingest request with 503 and `Retry-After` before its body is read when the writer
 * is already behind (mount it in front of the body guard, as `app.ts` does).
 *
 * @param deps The ingest writer (its optional `check()`).
 * @returns The middleware.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Hono } from "hono";
 * import { IngestBusy } from "../../lake/mod.ts";
 * import { ingestAdmission } from "./api_ingest.ts";
 * const busy = new IngestBusy("Ingest is behind", { retryAfterSeconds: 2, reason: "buffer" });
 * const ingest = { write: () => { throw busy; }, writeBatch: () => { throw busy; }, check: () => { throw busy; } };
 * const app = new Hono().post("/", ingestAdmission({ ingest }), (c) => c.text("read"));
 * const res = await app.request("/", { method: "POST", body: "x" });
 * assert.equal(res.status, 503);
 * assert.equal(res.headers.get("Retry-After"), "2");
 * ```
 */
export function ingestAdmission(deps: Pick<WebDeps, "ingest">): MiddlewareHandler {
  return async function ingestAdmission(c, next) {
    try {
      deps.ingest.check?.();
    } catch (error) {
      if (isBusy(error)) return busyResponse(c, error);
      throw error;
    }
    await next();
  };
}

/**
 * Creates the ingest route (mount the content-type check, `ingestAdmission` and the body guard
 * in front of it, as `app.ts` does).
 *
 * @param deps The ingest writer, the hub and the clock.
 * @returns A Hono app to mount at the root.
 */
export function ingestRoutes(deps: WebDeps): Hono {
  const now = deps.now ?? Date.now;
  const limit = deps.ingestLimit;
  return new Hono().post("/api/ingest", knownParams([]), async function ingest(c) {
    let batch;
    // the series limit picks what is stored once the body is valid (a bad body is refused whole)
    let verdict: IngestSeriesVerdict | undefined;
    const admit = limit &&
      ((b: IngestBatch) => (verdict = limit.filter(b)).batch);
    const options = { now: now(), ...(admit && { admit }) };
    try {
      if (deps.ingest.writeAsync) {
        // the body guard's chunks as they arrived (joined, if at all, off the event loop when
        // the writer parses on its thread), else the body read here; the event loop serves other
        // requests while it is parsed, and the answer goes out only after the spool append
        const body = guardedChunks(c.req.raw) ?? new Uint8Array(await c.req.arrayBuffer());
        batch = await asBadRequestAsync(() => deps.ingest.writeAsync!(body, options));
      } else {
        const body = guardedBody(c.req.raw) ?? new Uint8Array(await c.req.arrayBuffer());
        batch = asBadRequest(() => deps.ingest.write(body, options));
      }
    } catch (error) {
      if (isBusy(error)) return busyResponse(c, error);
      throw error;
    }
    if (batch.ts.length > 0) deps.hub.publishBatch(batch);
    const v = verdict as IngestSeriesVerdict | undefined;
    if (v === undefined || v.refusedSamples === 0) return c.json({ accepted: batch.ts.length });
    logRefusal(v.message);
    // the series already flowing are stored; only new series past the limit are refused: 200
    // with what was refused when something was stored, 429 when nothing was (with the time
    // until the limit's hour ends: sending the same body then may succeed)
    if (batch.ts.length === 0) {
      c.header("Retry-After", String(Math.max(1, Math.ceil(limit!.resetInMs() / 1000))));
    }
    return c.json(
      { accepted: batch.ts.length, refused: v.refusedSamples, error: v.message },
      batch.ts.length > 0 ? 200 : 429,
    );
  });
}
