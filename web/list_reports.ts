/**
 * The generated report files in `<root>/reports/`, for the `/reports` page and routes.
 *
 * @module
 */
import { join } from "node:path";

/** One generated report file. */
export interface ReportFile {
  /** File name, e.g. `capacity-2025-01-02.html`. */
  name: string;
  /** Size in bytes. */
  size: number;
  /** Last modification (ms epoch): when the report was generated, as files are written whole. */
  mtime: number;
}

/** What a report's file name looks like: any name `deno task report --out` takes in the folder
 * (`Q4 review.html`, `März.html`, `r.HTM`), but no path separator and no leading dot (so no
 * traversal, no hidden file); only `[\w.-]` names were listed, and the rest vanished unsaid. */
export const REPORT_NAME: RegExp = /^(?!\.)[^/\\\0]+\.html?$/i;

/**
 * Lists the reports in `<root>/reports/`, newest first.
 *
 * @param root The lake root.
 * @returns The report files; empty when the folder does not exist.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listReports } from "./list_reports.ts";
 * assert.deepEqual(await listReports(await Deno.makeTempDir()), []);
 * ```
 */
export async function listReports(root: string): Promise<ReportFile[]> {
  const dir = join(root, "reports");
  const out: ReportFile[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isFile || !REPORT_NAME.test(entry.name)) continue;
      const info = await Deno.stat(join(dir, entry.name));
      out.push({ name: entry.name, size: info.size, mtime: info.mtime?.getTime() ?? 0 });
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return out.sort((a, b) => b.mtime - a.mtime || b.name.localeCompare(a.name));
}
