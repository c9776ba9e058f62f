/**
 * `GET /api/live`: the live tail as Server-Sent Events. A new client first gets a `backfill`
 * event (the last minutes of the live page's metrics), then one `samples` event per snapshot.
 * The stream stops when the client goes away or the hub drops it for falling behind.
 *
 * @module
 */
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { WebDeps } from "../deps.ts";
import { knownParams } from "../middleware/known_params.ts";

/**
 * Creates the live route.
 *
 * @param deps The hub.
 * @returns A Hono app to mount at the root.
 */
export function liveRoutes(deps: WebDeps): Hono {
  return new Hono().get("/api/live", knownParams([]), function live(c) {
    // a HEAD answer's body is dropped without being cancelled, so a stream opened for it would
    // never end: each HEAD would keep a subscription (and a live-stream slot) for good
    if (c.req.method === "HEAD") {
      return c.body(null, 200, {
        "Content-Type": "text/event-stream",
        "Cache-Control": "no-cache",
      });
    }
    return streamSSE(c, async function tail(stream) {
      const sub = deps.hub.subscribe(() => stream.abort());
      stream.onAbort(() => sub.close());
      await stream.write(deps.hub.backfill());
      for (;;) {
        const frame = await sub.next();
        if (frame === undefined || stream.aborted) break;
        await stream.write(frame);
      }
      sub.close();
    });
  });
}
