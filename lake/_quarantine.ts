/**
 * Private: moving files that are not what their names claim out of the lake's trees, to
 * `<root>/quarantine/<same path>.<ms>`, where no reader looks and nothing deletes them.
 *
 * @module
 */

/** Options for {@linkcode quarantineFiles}. */
export interface QuarantineOptions {
  /** Why a file is moved, for the warning. */
  reason: (name: string) => string;
  /** Where the one-line warning per file goes. */
  warn: (line: string) => void;
}

/**
 * Moves files of `dir` (inside `root`) to the quarantine folder, one warning line each; a file
 * already gone is skipped.
 *
 * @param root Lake root.
 * @param dir A partition directory under `root`.
 * @param names File names in `dir`.
 * @param options See {@linkcode QuarantineOptions}.
 * @returns How many files were moved.
 */
export function quarantineFiles(
  root: string,
  dir: string,
  names: string[],
  options: QuarantineOptions,
): number {
  let moved = 0;
  for (const name of names) {
    const from = `${dir}/${name}`;
    const why = options.reason(name);
    const to = `${root}/quarantine/${dir.slice(root.length + 1)}/${name}.${Date.now()}`;
    try {
      Deno.mkdirSync(to.slice(0, to.lastIndexOf("/")), { recursive: true });
      Deno.renameSync(from, to);
      moved++;
      options.warn(`perfscope compact: moved ${from} to ${to}: ${why}`);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  return moved;
}
