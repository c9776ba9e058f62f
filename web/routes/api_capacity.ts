/**
 * `GET /api/capacity` and `GET /api/recommendations`: the capacity analysis as JSON (the same
 * cached result the Capacity page draws and the report renders). `GET /api/capacity?group=env`
 * adds `groups`: the hosts grouped by that external label (a fleet source's `env`, `dc`, `role`).
 *
 * @module
 */
import { Hono } from "hono";
import { type CapacityAnalysis, groupLabels, hostGroupsBy } from "../../analytics/mod.ts";
import { BadRequestError } from "../errors.ts";
import { knownParams } from "../middleware/known_params.ts";

/**
 * Creates the capacity API routes.
 *
 * @param load The shared, cached capacity loader.
 * @returns A Hono app to mount at the root.
 */
export function capacityRoutes(load: () => Promise<CapacityAnalysis>): Hono {
  return new Hono()
    .get("/api/capacity", knownParams(["group"]), async function capacity(c) {
      const a = await load();
      // ?group=env: the hosts grouped by that external label, each group ranked
      const group = c.req.query("group");
      if (group === undefined || group === "") return c.json(a);
      const labels = groupLabels(a);
      if (!labels.includes(group)) {
        throw new BadRequestError(
          `Invalid group: ${group} (${
            labels.length ? `one of ${labels.join(", ")}` : "no host carries group labels"
          })`,
        );
      }
      return c.json({ ...a, groupBy: group, groups: hostGroupsBy(a, group) });
    })
    .get("/api/recommendations", knownParams([]), async function recommendations(c) {
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
