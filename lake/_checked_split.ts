/**
 * Listing a partition's files with each candidate checked (footer and columns, read with
 * hyparquet). Apart from `_paths.ts` so that the collector, which only names and writes
 * files, does not load a Parquet reader (about 9 MB of its resident memory). Private to the
 * lake.
 *
 * @module
 */

import { dataFileProblem, type Tier } from "./_file_check.ts";
import { fileNames, listPartitions, type SplitFiles, splitVisible } from "./_paths.ts";

/**
 * Splits the files of one partition directory, checking each candidate with
 * {@linkcode dataFileProblem} and listing again if a file vanished meanwhile (a compaction
 * in another process replaced it), so a reader never drops data that moved.
 *
 * @param dir The partition directory.
 * @param tier Its tree.
 * @param options `fresh`: check files found good before again (see
 * {@linkcode dataFileProblem}), default `false`; `warn`: where the one line per bad file goes,
 * default `console.warn`.
 * @returns The split (`gone` is false unless the directory kept changing).
 */
export function checkedSplit(
  dir: string,
  tier: Tier,
  options: { fresh?: boolean; warn?: (line: string) => void } = {},
): SplitFiles {
  let split = splitVisible([]);
  for (let attempt = 0; attempt < 20; attempt++) {
    split = splitVisible(
      fileNames(dir),
      (name) => dataFileProblem(`${dir}/${name}`, tier, options.warn, options.fresh),
    );
    if (!split.gone) break;
  }
  return split;
}

/** Paths of every file readers see in one tree (unreadable files left out, with a warning). */
export function visibleFiles(root: string, tier: Tier): string[] {
  const out: string[] = [];
  for (const p of listPartitions(root, tier)) {
    for (const name of checkedSplit(p.dir, tier).visible) out.push(`${p.dir}/${name}`);
  }
  return out;
}
