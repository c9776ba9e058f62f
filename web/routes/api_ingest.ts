/**
 * `POST /api/ingest`: samples pushed by other processes as JSON lines
 * (`{"ts":…,"host":…,"metric":…,"labels":{…},"value":…}` per line). The whole body is validated
 * first; one bad line rejects the request with its line number and nothing is written, and so do
 * a sample outside the time window, a reserved label and a body past the line or partition limit
 * (see `IngestLimits` in the lake; the writer holds the limits, the clock comes from here). Accepted
 * bodies are in the ingest spool when the answer goes out and reach Parquet with the next batch
 * flush; samples of the Live page's metrics also go to the live stream.
 *
 * @module
 */
import { Hono } from "hono";
import type { WebDeps } from "../deps.ts";
import { asBadRequest } from "../parse_ingest.ts";

/**
 * Creates the ingest route (mount the content-type check and the body guard in front of it, as
 * `app.ts` does).
 *
 * @param deps The ingest writer, the hub and the clock.
 * @returns A Hono app to mount at the root.
 */
export function ingestRoutes(deps: WebDeps): Hono {
  const now = deps.now ?? Date.now;
  return new Hono().post("/api/ingest", async function ingest(c) {
    const body = new Uint8Array(await c.req.arrayBuffer());
    const batch = asBadRequest(() => deps.ingest.write(body, { now: now() }));
    deps.hub.publishBatch(batch);
    return c.json({ accepted: batch.ts.length });
  });
}
