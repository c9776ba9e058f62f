/**
 * Test helper: a CSV file for a command's `--input`.
 *
 * @module
 */

/**
 * Writes `text` to a new temporary `.csv` file.
 *
 * @param text The file's contents.
 * @returns Its path (the caller removes it, or leaves it to the temporary directory).
 */
export async function tempCsv(text: string): Promise<string> {
  const path = await Deno.makeTempFile({ suffix: ".csv" });
  await Deno.writeTextFile(path, text);
  return path;
}
