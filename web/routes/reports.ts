/**
 * Routes serving generated reports from `DATA/reports/`: a list, the latest report, and each
 * report by name. Mount with `app.route("/reports", reportRoutes({ root }))`. The reports are
 * files `deno task report` writes; `reports/` itself knows nothing of HTTP.
 *
 * @module
 */
import { Hono } from "hono";
import { html } from "hono/html";
import { join } from "node:path";

/** Options of {@linkcode reportRoutes}. */
export interface ReportRoutesOptions {
  /** Lake root; reports are read from `<root>/reports/`. Default `data`. */
  root?: string;
}

/** One generated report file. */
export interface ReportFile {
  /** File name, e.g. `capacity-2025-01-02.html`. */
  name: string;
  /** Size in bytes. */
  size: number;
  /** Last modification (ms epoch). */
  mtime: number;
}

const namePattern = /^[\w.-]+\.html$/;

/**
 * Lists the reports in `<root>/reports/`, newest first.
 *
 * @param root The lake root.
 * @returns The report files; empty when the folder does not exist.
 */
export async function listReports(root: string): Promise<ReportFile[]> {
  const dir = join(root, "reports");
  const out: ReportFile[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isFile || !namePattern.test(entry.name)) continue;
      const info = await Deno.stat(join(dir, entry.name));
      out.push({ name: entry.name, size: info.size, mtime: info.mtime?.getTime() ?? 0 });
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return out.sort((a, b) => b.mtime - a.mtime || b.name.localeCompare(a.name));
}

/**
 * Builds the sub-app: `GET /` lists reports (HTML, or JSON with `?format=json`), `GET /latest`
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
    const items = files.map((f) =>
      html`<li><a href="${base}${encodeURIComponent(f.name)}">${f.name}</a> <small>${
        Math.round(f.size / 1024)
      } KiB, ${new Date(f.mtime).toISOString().slice(0, 16).replace("T", " ")} UTC</small></li>`
    );
    return c.html(
      html`
        <!doctype html>
        <html lang="en">
          <head>
            <meta charset="utf-8">
            <title>Reports</title>
          </head>
          <body><h1>Capacity reports</h1>${items.length
            ? html`<ul>${items}</ul>`
            : html`<p>No report yet: run <code>deno task report</code>.</p>`}</body>
        </html>
      `,
    );
  });
  app.get("/latest", async (c) => {
    const [latest] = await listReports(root);
    if (!latest) return c.text("No report yet: run deno task report", 404);
    return c.html(await Deno.readTextFile(join(root, "reports", latest.name)));
  });
  app.get("/:name", async (c) => {
    const name = c.req.param("name");
    if (!namePattern.test(name)) return c.text(`Not a report: ${name}`, 404);
    try {
      return c.html(await Deno.readTextFile(join(root, "reports", name)));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return c.text(`No such report: ${name}`, 404);
      throw error;
    }
  });
  return app;
}
