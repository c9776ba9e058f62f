/**
 * Dashboards from the config: `GET /dashboards` (index), `GET /dashboards/:name` (the page) and
 * `GET /api/dashboards/:name` (every panel's data; SQL panels run in the SQL sandbox).
 *
 * @module
 */
import { Hono } from "hono";
import { panelData, type PanelSpec } from "../../analytics/mod.ts";
import type { WebDeps } from "../deps.ts";
import { echo, NotFoundError } from "../errors.ts";
import { knownParams } from "../middleware/known_params.ts";
import { dashboardPage, dashboardsIndexPage } from "../pages/dashboard_page.ts";

/** A configured dashboard (see `config/schema_dashboards.ts`). */
export interface DashboardSpec {
  name: string;
  title?: string | undefined;
  panels: readonly PanelSpec[];
}

/**
 * Creates the dashboard routes.
 *
 * @param deps The lake, the sandbox and the clock.
 * @param dashboards The configured dashboards.
 * @returns A Hono app to mount at the root.
 */
export function dashboardRoutes(deps: WebDeps, dashboards: readonly DashboardSpec[]): Hono {
  const now = deps.now ?? Date.now;
  const find = (name: string) => {
    const d = dashboards.find((x) => x.name === name);
    if (!d) throw new NotFoundError(`Unknown dashboard: ${echo(name)}`);
    return d;
  };
  return new Hono()
    .get("/dashboards", async function index(c) {
      return c.html(await dashboardsIndexPage(dashboards));
    })
    .get("/dashboards/:name", async function page(c) {
      return c.html(await dashboardPage(find(c.req.param("name"))));
    })
    .get("/api/dashboards", knownParams([]), function list(c) {
      return c.json(dashboards.map((d) => ({ name: d.name, title: d.title ?? d.name })));
    })
    .get("/api/dashboards/:name", knownParams([]), async function data(c) {
      const d = find(c.req.param("name"));
      const t = now();
      const panels = [];
      for (const p of d.panels) {
        panels.push(
          await panelData(deps.lake, p, { now: t, runSql: (sql) => deps.sandbox.query(sql) }),
        );
      }
      return c.json({ name: d.name, title: d.title ?? d.name, now: t, panels });
    });
}
