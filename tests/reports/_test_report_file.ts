/**
 * The report of the test lake (`_lake.ts`) at its fixed clock, written to a file for the browser
 * tests, with a hook to change what it shows before it is rendered.
 *
 * @module
 */
import { join } from "node:path";
import { openLake } from "../../lake/mod.ts";
import { buildReport, renderReport, type ReportData } from "../../reports/mod.ts";
import { NOW, testLake } from "./_lake.ts";

/** Options for {@linkcode testReportFile}. */
export interface TestReportFileOptions {
  /** How far back the report reads, ms. Default the report's. */
  sinceMs?: number;
  /** How far ahead it forecasts, ms. Default the report's. */
  horizonMs?: number;
  /** Changes the built report before it is rendered (a case the lake does not hold). Default none. */
  edit?: (data: ReportData) => void;
}

/**
 * Builds the test lake's report as of `NOW`, applies `edit` and renders it to a new file.
 *
 * @param options See {@linkcode TestReportFileOptions}.
 * @returns The report file's absolute path (in a new temporary folder).
 */
export async function testReportFile(options: TestReportFileOptions = {}): Promise<string> {
  const { sinceMs, horizonMs, edit } = options;
  const lake = await openLake({ root: await testLake() });
  try {
    const data = await buildReport(lake, {
      now: NOW,
      clock: () => NOW,
      ...(sinceMs === undefined ? {} : { sinceMs }),
      ...(horizonMs === undefined ? {} : { horizonMs }),
    });
    edit?.(data);
    const path = join(await Deno.makeTempDir(), "report.html");
    await Deno.writeTextFile(path, await renderReport(data));
    return path;
  } finally {
    lake.close();
  }
}
