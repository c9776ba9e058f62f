/**
 * `GET /api/live?host=&window=`: the live tail as Server-Sent Events. A new client first gets a
 * `backfill` event (the last `window` of the live page's metrics, default 5 minutes; the part
 * before what the hub remembers read from the lake for one host: after a restart, or for a window
 * longer than the hub's), then one `samples` event per snapshot. The stream stops when the client
 * goes away or the hub drops it for falling behind.
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
import { parseDurationMs } from "../validate.ts";

/** Longest `window` a client may ask for: the lake read for it stays small (the Live page's
 * longest is 10 minutes). */
const MAX_WINDOW_MS = 3_600_000;

/**
 * Creates the live route.
 *
 * @param deps The hub, the lake and the clock.
 * @returns A Hono app to mount at the root.
 */
export function liveRoutes(deps: WebDeps): Hono {
  const now = deps.now ?? Date.now;
  return new Hono().get("/api/live", knownParams(["host", "window"]), function live(c) {
    const host = c.req.query("host") ?? "";
    if (host !== "" && hostNameProblem(host) !== undefined) {
      throw new BadRequestError(`Invalid host: ${JSON.stringify(echo(host))}`);
    }
    const asked = c.req.query("window");
    const windowMs = asked === undefined ? undefined : parseDurationMs(asked);
    if (asked !== undefined && (windowMs === undefined || windowMs > MAX_WINDOW_MS)) {
      throw new BadRequestError(
        `Invalid window: ${JSON.stringify(echo(asked))} (use e.g. 5m, 10m; at most 1h)`,
      );
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
      const t = now();
      // the window the client shows (the Live page asks for its longest, 10 minutes), which
      // may reach before what the hub remembers even without a restart
      const gap = deps.hub.missing(t, windowMs);
      // the window is drawn without the lake's part rather than not at all
      const earlier: LiveRow[] = gap
        ? await lakeBackfill(deps.lake, gap, host).catch(() => [])
        : [];
      if (stream.aborted) return sub.close();
      await stream.write(
        deps.hub.backfill(earlier, windowMs === undefined ? -Infinity : t - windowMs),
      );
      for (;;) {
        const frame = await sub.next();
        if (frame === undefined || stream.aborted) break;
        await stream.write(frame);
      }
      sub.close();
    });
  });
}
