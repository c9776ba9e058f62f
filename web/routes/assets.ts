/**
 * `GET /assets/:name`: the client scripts and stylesheet, and d3 and Plot straight from the
 * installed npm packages (never a CDN: the app works with no internet).
 *
 * @module
 */
import { Hono } from "hono";
import { echo, NotFoundError } from "../errors.ts";

const ASSETS: Record<string, { url: URL; type: string }> = {
  "d3.min.js": {
    url: new URL("../../node_modules/d3/dist/d3.min.js", import.meta.url),
    type: "text/javascript; charset=utf-8",
  },
  "plot.min.js": {
    url: new URL("../../node_modules/@observablehq/plot/dist/plot.umd.min.js", import.meta.url),
    type: "text/javascript; charset=utf-8",
  },
  "live.js": {
    url: new URL("../client/live.js", import.meta.url),
    type: "text/javascript; charset=utf-8",
  },
  "explore.js": {
    url: new URL("../client/explore.js", import.meta.url),
    type: "text/javascript; charset=utf-8",
  },
  // The one formatter module, shared with the server side (format/mod.ts).
  "format.js": {
    url: new URL("../../format/format.js", import.meta.url),
    type: "text/javascript; charset=utf-8",
  },
  // The gap breaking of lines and stacked areas, shared with the reports (format/mod.ts).
  "line_gaps.js": {
    url: new URL("../../format/line_gaps.js", import.meta.url),
    type: "text/javascript; charset=utf-8",
  },
  // The control characters a name shows escaped, the one list ingest refuses by (format/mod.ts).
  "escape_controls.js": {
    url: new URL("../../format/escape_controls.js", import.meta.url),
    type: "text/javascript; charset=utf-8",
  },
  "bidi.js": {
    url: new URL("../client/bidi.js", import.meta.url),
    type: "text/javascript; charset=utf-8",
  },
  "capacity.js": {
    url: new URL("../client/capacity.js", import.meta.url),
    type: "text/javascript; charset=utf-8",
  },
  "reports.js": {
    url: new URL("../client/reports.js", import.meta.url),
    type: "text/javascript; charset=utf-8",
  },
  "alerts.js": {
    url: new URL("../client/alerts.js", import.meta.url),
    type: "text/javascript; charset=utf-8",
  },
  "schedule.js": {
    url: new URL("../client/schedule.js", import.meta.url),
    type: "text/javascript; charset=utf-8",
  },
  "workflows.js": {
    url: new URL("../client/workflows.js", import.meta.url),
    type: "text/javascript; charset=utf-8",
  },
  "services.js": {
    url: new URL("../client/services.js", import.meta.url),
    type: "text/javascript; charset=utf-8",
  },
  "dashboard.js": {
    url: new URL("../client/dashboard.js", import.meta.url),
    type: "text/javascript; charset=utf-8",
  },
  "style.css": {
    url: new URL("../client/style.css", import.meta.url),
    type: "text/css; charset=utf-8",
  },
};

/**
 * Creates the asset route. Files are read once and kept in memory.
 *
 * @returns A Hono app to mount at the root.
 */
export function assetRoutes(): Hono {
  const cache = new Map<string, Uint8Array<ArrayBuffer>>();
  return new Hono().get("/assets/:name", async function asset(c) {
    const name = c.req.param("name");
    const entry = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    if (!entry) throw new NotFoundError(`Not found: /assets/${echo(name)}`);
    let bytes = cache.get(name);
    if (!bytes) {
      try {
        bytes = await Deno.readFile(entry.url);
      } catch {
        throw new NotFoundError(
          `Not found: /assets/${name} (run deno install to fetch the npm packages)`,
        );
      }
      cache.set(name, bytes);
    }
    return c.body(bytes, 200, { "Content-Type": entry.type, "Cache-Control": "no-cache" });
  });
}
