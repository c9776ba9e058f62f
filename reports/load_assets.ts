/**
 * Finds and reads the browser bundles a report inlines: d3's UMD build, Observable Plot's UMD
 * build, and the report's own client script and stylesheet.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { areaGaps, dayTimeTick, lineGaps, seriesGaps, TIME_MARGIN_RIGHT } from "../format/mod.ts";

/** The text of every script and stylesheet a report embeds. */
export interface ReportAssets {
  /** `d3.min.js` (defines the global `d3`). */
  d3: string;
  /** `plot.umd.min.js` (defines the global `Plot`; needs `d3` first). */
  plot: string;
  /** The report's client script (renders the charts from the inlined data), after the source of
   * `dayTimeTick`, `lineGaps`, `seriesGaps` and `areaGaps` (format/), and of the module
   * `escape_controls.js` (format/), which it uses. */
  client: string;
  /** The report's stylesheet. */
  css: string;
}

let cached: Promise<ReportAssets> | undefined;

/**
 * Reads the bundles once per process. The npm packages are found through the import map
 * (`import.meta.resolve`), walking up from the package entry to its `package.json`, so any
 * `node_modules` layout works.
 *
 * @returns The assets.
 * @throws {Error} If a bundle cannot be found (run `deno install` first).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadAssets } from "./load_assets.ts";
 * const assets = await loadAssets();
 * assert.ok(assets.d3.length > 100_000 && assets.plot.includes("Plot"));
 * ```
 */
export function loadAssets(): Promise<ReportAssets> {
  cached ??= readAll().catch((error) => {
    cached = undefined;
    throw error;
  });
  return cached;
}

async function readAll(): Promise<ReportAssets> {
  const [d3, plot, escapes, client, css] = await Promise.all([
    Deno.readTextFile(await packageFile("d3", "dist/d3.min.js")),
    Deno.readTextFile(await packageFile("@observablehq/plot", "dist/plot.umd.min.js")),
    // the names in the charts show their control characters escaped, as on the pages: the one
    // list's module (no imports) inlined whole, its exports as plain declarations
    Deno.readTextFile(new URL("../format/escape_controls.js", import.meta.url)).then((text) =>
      text.replace(/^export /gm, "")
    ),
    Deno.readTextFile(new URL("./client/report_client.js", import.meta.url)).then((client) =>
      // the time axis formatter and right margin the Capacity page imports, and the gap
      // breaking of the Dashboard page's lines and areas, inlined as source text (the functions
      // need nothing but each other), so the report's charts are the pages'
      [dayTimeTick, lineGaps, seriesGaps, areaGaps].map(String).join("\n") +
      `\nconst TIME_MARGIN_RIGHT = ${TIME_MARGIN_RIGHT};\n${client}`
    ),
    Deno.readTextFile(new URL("./client/report.css", import.meta.url)),
  ]);
  return { d3, plot, client: `${escapes}\n${client}`, css };
}

async function packageFile(name: string, file: string): Promise<string> {
  let dir = dirname(fileURLToPath(import.meta.resolve(name)));
  for (;;) {
    try {
      const pkg = JSON.parse(await Deno.readTextFile(join(dir, "package.json")));
      if (pkg.name === name) return join(dir, file);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`Cannot find the ${name} bundle: ${file}`);
    dir = parent;
  }
}
