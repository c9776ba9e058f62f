/**
 * `GET /api/capacity` and `GET /api/recommendations`: the capacity analysis as JSON (the same
 * cached result the Capacity page draws and the report renders).
 *
 * @module
 */
import { Hono } from "hono";
import type { CapacityAnalysis } from "../../analytics/mod.ts";

/**
 * Creates the capacity API routes.
 *
 * @param load The shared, cached capacity loader.
 * @returns A Hono app to mount at the root.
 */
export function capacityRoutes(load: () => Promise<CapacityAnalysis>): Hono {
  return new Hono()
    .get("/api/capacity", async function capacity(c) {
      return c.json(await load());
    })
    .get("/api/recommendations", async function recommendations(c) {
      const a = await load();
      return c.json({
        status: a.status,
        reason: a.reason,
        now: a.now,
        hosts: a.hosts,
        recommendations: a.recommendations,
      });
    });
}
