/**
 * Routes serving generated reports from `DATA/reports/`: a list, the latest report, and each
 * report by name. Mount with `app.route("/reports", reportRoutes({ root }))`. The reports are
 * files `deno task report` or `POST /api/reports` writes; `reports/` itself knows nothing of HTTP.
 *
 * @module
 */
import { Hono } from "hono";
import { join } from "node:path";
import { listReports, REPORT_NAME } from "../list_reports.ts";
import { reportsPage } from "../pages/reports_page.ts";
import { echo } from "../errors.ts";
import { escapeControls } from "../../format/mod.ts";

export { listReports, type ReportFile } from "../list_reports.ts";

/** Options of {@linkcode reportRoutes}. */
export interface ReportRoutesOptions {
  /** Lake root; reports are read from `<root>/reports/`. Default `data`. */
  root?: string;
}

/**
 * Builds the sub-app: `GET /` lists reports (the Reports page, or JSON with `?format=json`), `GET /latest`
 * serves the newest one, `GET /:name` serves one by file name. Unknown names are 404.
 *
 * @param options Where the lake lives.
 * @returns A Hono app to mount under `/reports`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { reportRoutes } from "./reports.ts";
 * const app = reportRoutes({ root: await Deno.makeTempDir() });
 * const res = await app.request("/?format=json");
 * assert.deepEqual(await res.json(), []);
 * assert.equal((await app.request("/latest")).status, 404);
 * ```
 */
export function reportRoutes(options: ReportRoutesOptions = {}): Hono {
  const root = options.root ?? "data";
  const app = new Hono();
  app.get("/", async (c) => {
    const files = await listReports(root);
    if (c.req.query("format") === "json") return c.json(files);
    const base = c.req.path.endsWith("/") ? c.req.path : `${c.req.path}/`;
    return c.html(await reportsPage(files, { base }));
  });
  app.get("/latest", async (c) => {
    const [latest] = await listReports(root);
    if (!latest) {
      return c.text("No report yet: press Generate now on /reports, or run deno task report", 404);
    }
    return c.html(await Deno.readTextFile(join(root, "reports", latest.name)));
  });
  app.get("/:name", async (c) => {
    const name = c.req.param("name");
    if (!REPORT_NAME.test(name)) return c.text(`Not a report: ${escapeControls(echo(name))}`, 404);
    try {
      return c.html(await Deno.readTextFile(join(root, "reports", name)));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return c.text(`No such report: ${name}`, 404);
      throw error;
    }
  });
  return app;
}
