/**
 * `GET /api/capacity` and `GET /api/recommendations`: the Capacity page's data as JSON (the
 * same cached analysis the page draws).
 *
 * @module
 */
import { Hono } from "hono";
import type { CapacityView } from "../load_capacity.ts";

/**
 * Creates the capacity API routes.
 *
 * @param load The shared, cached capacity loader.
 * @returns A Hono app to mount at the root.
 */
export function capacityRoutes(load: () => Promise<CapacityView>): Hono {
  return new Hono()
    .get("/api/capacity", async function capacity(c) {
      return c.json(await load());
    })
    .get("/api/recommendations", async function recommendations(c) {
      const view = await load();
      return c.json(
        view.state === "ready"
          ? { state: view.state, from: view.from, recommendations: view.recommendations }
          : { state: view.state, reason: view.reason, recommendations: [] },
      );
    });
}
