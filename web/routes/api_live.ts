/**
 * `GET /api/live?host=`: the live tail as Server-Sent Events. A new client first gets a
 * `backfill` event (the last minutes of the live page's metrics, the part before what the hub
 * remembers read from the lake for one host: after a restart), then one `samples` event per
 * snapshot. The stream stops when the client goes away or the hub drops it for falling behind.
 *
 * @module
 */
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { hostNameProblem } from "../../lake/mod.ts";
import type { WebDeps } from "../deps.ts";
import { BadRequestError, echo } from "../errors.ts";
import { lakeBackfill } from "../live_backfill.ts";
import type { LiveRow } from "../live_hub.ts";
import { knownParams } from "../middleware/known_params.ts";

/**
 * Creates the live route.
 *
 * @param deps The hub, the lake and the clock.
 * @returns A Hono app to mount at the root.
 */
export function liveRoutes(deps: WebDeps): Hono {
  const now = deps.now ?? Date.now;
  return new Hono().get("/api/live", knownParams(["host"]), function live(c) {
    const host = c.req.query("host") ?? "";
    if (host !== "" && hostNameProblem(host) !== undefined) {
      throw new BadRequestError(`Invalid host: ${JSON.stringify(echo(host))}`);
    }
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
      const gap = deps.hub.missing(now());
      // the window is drawn without the lake's part rather than not at all
      const earlier: LiveRow[] = gap
        ? await lakeBackfill(deps.lake, gap, host).catch(() => [])
        : [];
      if (stream.aborted) return sub.close();
      await stream.write(deps.hub.backfill(earlier));
      for (;;) {
        const frame = await sub.next();
        if (frame === undefined || stream.aborted) break;
        await stream.write(frame);
      }
      sub.close();
    });
  });
}
