/**
 * Where the benches find `../shared/data`: `$PERFSCOPE_SHARED_DATA` when set (a git worktree
 * sits deeper than the main checkout), else `../shared/data` beside the repository.
 *
 * @module
 */

/**
 * The path of a folder or file under the shared data folder.
 *
 * @param sub Path below `shared/data`, e.g. `nab` or `m4/Hourly-train.csv`.
 * @returns An absolute path.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sharedData } from "./_shared_data.ts";
 * assert.ok(sharedData("nab").endsWith("/nab"));
 * ```
 */
export function sharedData(sub: string): string {
  const root = Deno.env.get("PERFSCOPE_SHARED_DATA") ??
    new URL("../../shared/data", import.meta.url).pathname;
  return `${root.replace(/\/$/, "")}/${sub}`;
}
