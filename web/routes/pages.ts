/**
 * The HTML pages: `/` (redirects to `/live`), `/live`, `/explore`, `/capacity`, `/alerts`.
 *
 * @module
 */
import { Hono } from "hono";
import type { WebDeps } from "../deps.ts";
import { alertsPage } from "../pages/alerts_page.ts";
import { loadAuditSection } from "../pages/_audit_section.ts";
import { capacityPage } from "../pages/capacity_page.ts";
import { explorePage } from "../pages/explore_page.ts";
import { livePage } from "../pages/live_page.ts";
import { type CapacityAnalysis, groupLabels } from "../../analytics/mod.ts";
import { BadRequestError, echo } from "../errors.ts";

/**
 * Creates the page routes.
 *
 * @param deps The app's collaborators.
 * @param loadCapacity The shared, cached capacity loader.
 * @returns A Hono app to mount at the root.
 */
export function pageRoutes(deps: WebDeps, loadCapacity: () => Promise<CapacityAnalysis>): Hono {
  return new Hono()
    .get("/", function home(c) {
      return c.redirect("/live");
    })
    .get("/live", async function live(c) {
      return c.html(await livePage());
    })
    .get("/explore", async function explore(c) {
      return c.html(await explorePage(deps.source ? { source: deps.source.name } : {}));
    })
    .get("/capacity", async function capacity(c) {
      const view = await loadCapacity();
      const group = c.req.query("group");
      const labels = groupLabels(view);
      if (group !== undefined && group !== "" && !labels.includes(group)) {
        throw new BadRequestError(
          `Invalid group: ${echo(group)} (${
            labels.length ? `one of ${labels.join(", ")}` : "no host carries group labels"
          })`,
        );
      }
      return c.html(
        await capacityPage(view, {
          ...(group !== undefined && { group }),
          ...(deps.source && { source: deps.source.name }),
          now: (deps.now ?? Date.now)(),
        }),
      );
    })
    .get("/alerts", async function alerts(c) {
      return c.html(await alertsPage(deps, await loadAuditSection(deps)));
    });
}
