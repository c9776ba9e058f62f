/**
 * Whether a path is a directory, for the families that look for cgroup and `/proc` entries
 * which may vanish between listing and looking.
 *
 * @module
 */

/**
 * Whether `path` is a directory now (following links).
 *
 * @param path The path.
 * @returns `true` for a directory; `false` for anything else, or if it is gone or unreadable.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isDirectory } from "./_is_directory.ts";
 * const dir = Deno.makeTempDirSync();
 * assert.equal(isDirectory(dir), true);
 * assert.equal(isDirectory(`${dir}/gone`), false);
 * Deno.removeSync(dir);
 * ```
 */
export function isDirectory(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}
