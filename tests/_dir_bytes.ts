/**
 * Test helper: how many bytes a directory's files hold.
 *
 * @module
 */

/**
 * The bytes of every file in a directory (what `du --apparent-size` adds up), not descending
 * into subdirectories.
 *
 * @param dir The directory.
 * @returns The sum of its files' sizes.
 */
export function dirBytes(dir: string): number {
  let total = 0;
  for (const e of Deno.readDirSync(dir)) {
    if (e.isFile) total += Deno.statSync(`${dir}/${e.name}`).size;
  }
  return total;
}
