/**
 * The whole of generating one report file: analysis, HTML, atomic write. `deno task report` and
 * the web app's "Generate now" (`POST /api/reports`) both call it, so the two give the same file.
 *
 * @module
 */
import { basename, dirname, join } from "node:path";
import type { Lake } from "../lake/mod.ts";
import type { SeriesSource } from "../analytics/mod.ts";
import { buildReport, type BuildReportOptions } from "./build_report.ts";
import { renderReport } from "./render_report.ts";

/** Options of {@linkcode writeReport}: the report's options and where it goes. */
export interface WriteReportOptions extends BuildReportOptions {
  /** Lake root; the default file goes to `<root>/reports/`. Default `data`. */
  root?: string;
  /**
   * Output file. Default `<root>/reports/capacity-YYYY-MM-DD.html`, dated by `now`, else
   * `clock()`, else the wall clock (one file per day: a second run that day replaces it).
   */
  out?: string;
  /**
   * Stops the work: checked at each analysis step and before the write, so an aborted run leaves
   * no file. Default none.
   */
  signal?: AbortSignal;
}

/** What {@linkcode writeReport} wrote. */
export interface WrittenReport {
  /** The file's path. */
  path: string;
  /** The file's name, e.g. `capacity-2025-01-02.html`. */
  name: string;
  /** Its size in bytes. */
  bytes: number;
}

/**
 * The default report file name for an instant.
 *
 * @param at Instant in ms since the epoch.
 * @returns `capacity-YYYY-MM-DD.html` (UTC date).
 * @throws {RangeError} If `at` is not a valid time.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { reportFileName } from "./write_report.ts";
 * assert.equal(reportFileName(Date.UTC(2025, 0, 2, 23)), "capacity-2025-01-02.html");
 * ```
 */
export function reportFileName(at: number): string {
  return `capacity-${new Date(at).toISOString().slice(0, 10)}.html`;
}

/**
 * Builds a report, renders it and writes it atomically (a temporary file in the same folder,
 * then a rename): readers never see a half-written report.
 *
 * @param input An open lake or a series source.
 * @param options The report's options, the output file and an abort signal.
 * @returns The path, name and size written.
 * @throws {RangeError} If a duration or limit is not positive.
 * @throws The signal's reason, if it aborts before the file is in place.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openLake } from "../lake/mod.ts";
 * import { writeReport } from "./write_report.ts";
 * const root = await Deno.makeTempDir();
 * const lake = await openLake({ root });
 * const written = await writeReport(lake, { root, now: Date.UTC(2025, 0, 2) });
 * lake.close();
 * assert.equal(written.name, "capacity-2025-01-02.html");
 * assert.equal((await Deno.stat(written.path)).size, written.bytes);
 * ```
 */
export async function writeReport(
  input: SeriesSource | Lake,
  options: WriteReportOptions = {},
): Promise<WrittenReport> {
  const { root = "data", out, signal, onProgress, ...build } = options;
  const at = build.now ?? build.clock?.() ?? Date.now();
  const path = out ?? join(root, "reports", reportFileName(at));
  signal?.throwIfAborted();
  const data = await buildReport(input, {
    ...build,
    onProgress(done, total, label) {
      // the analysis has no signal of its own: stopping at its next step bounds the wait
      signal?.throwIfAborted();
      onProgress?.(done, total, label);
    },
  });
  const html = await renderReport(data);
  signal?.throwIfAborted();
  await Deno.mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${Deno.pid}.tmp`;
  await Deno.writeTextFile(tmp, html);
  try {
    signal?.throwIfAborted();
    await Deno.rename(tmp, path);
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw error;
  }
  return { path, name: basename(path), bytes: new TextEncoder().encode(html).length };
}
