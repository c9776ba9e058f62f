/**
 * Private helpers for the lake's layout: partition directories, file names and the rule that
 * decides which files of a partition a reader sees.
 *
 * Files of a partition are `part-<id>.parquet` (written by the collector or the simulator, `id`
 * = start of the data's spool segment in ms) and `compact-<id>.parquet` (written by compaction;
 * `id` = the largest id it merged). Readers see the newest compact file C and the parts whose id
 * is greater than C: so the rename of a compact file switches readers from its inputs to it in
 * one atomic step, and leftover inputs are ignored until compaction deletes them.
 *
 * @module
 */

import type { Tier } from "./_file_check.ts";

export type { Tier };

/** All trees, raw first. */
export const TIERS: readonly Tier[] = ["metrics", "rollup_1m", "rollup_1h"];

/** One `host=H/date=D` directory of a tree. */
export interface Partition {
  host: string;
  date: string;
  dir: string;
}

const fileName = /^(part|compact)-(\d+)\.parquet$/;

/** Milliseconds to the UTC date `YYYY-MM-DD`. */
export function utcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The directory of one partition. */
export function partitionDir(root: string, tier: Tier, host: string, date: string): string {
  return `${root}/${tier}/host=${host}/date=${date}`;
}

/** The file name for a part or compact file with the given id (zero-padded to sort by name). */
export function dataFileName(kind: "part" | "compact", id: number): string {
  return `${kind}-${String(id).padStart(15, "0")}.parquet`;
}

/** Parses a data file name; undefined for temporary or foreign files. */
export function parseDataFile(name: string): { kind: "part" | "compact"; id: number } | undefined {
  const m = name.match(fileName);
  return m ? { kind: m[1] as "part" | "compact", id: Number(m[2]) } : undefined;
}

/** What {@linkcode splitVisible} found in one partition. */
export interface SplitFiles {
  /** Files readers see, sorted. */
  visible: string[];
  /** Files superseded by the newest compact file (compaction deletes them), sorted. */
  superseded: string[];
  /** Files under a data file's name that are not readable data files, sorted. */
  invalid: string[];
  /** Whether a file went away while it was checked (list the directory again). */
  gone: boolean;
}

/**
 * Splits the file names of one partition into those readers see and those superseded by the
 * newest compact file. With `problem`, a file it finds fault with is neither: the newest
 * compact file is the newest one that passes, and failing part files are left out, so a
 * foreign or corrupt file can neither break readers nor hide the data beneath it.
 *
 * @param names File names of the partition.
 * @param problem Why a file is unreadable (`"gone"` if it vanished), or `undefined` if fine.
 * Default: trust every name.
 * @returns The split.
 */
export function splitVisible(
  names: Iterable<string>,
  problem: (name: string) => string | undefined = () => undefined,
): SplitFiles {
  const files: { name: string; kind: "part" | "compact"; id: number }[] = [];
  for (const name of names) {
    const parsed = parseDataFile(name);
    if (parsed) files.push({ name, ...parsed });
  }
  files.sort((a, b) => b.id - a.id || (a.kind === "compact" ? -1 : 1));
  const out: SplitFiles = { visible: [], superseded: [], invalid: [], gone: false };
  const sort = (f: { name: string }, why: string | undefined) => {
    if (why === undefined) out.visible.push(f.name);
    else if (why === "gone") out.gone = true;
    else out.invalid.push(f.name);
  };
  let newest = -1;
  // The newest compact file that passes: checked newest first, older ones are not opened.
  for (const f of files) {
    if (f.kind !== "compact") continue;
    const why = problem(f.name);
    sort(f, why);
    if (why === undefined) {
      newest = f.id;
      break;
    }
  }
  for (const f of files) {
    if (f.kind === "compact") {
      if (f.id < newest) out.superseded.push(f.name);
    } else if (f.id <= newest) out.superseded.push(f.name);
    else sort(f, problem(f.name));
  }
  out.visible.sort();
  out.superseded.sort();
  out.invalid.sort();
  return out;
}

function readDir(dir: string): Deno.DirEntry[] {
  try {
    return [...Deno.readDirSync(dir)];
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

/** The partitions of one tree, sorted by host then date. */
export function listPartitions(root: string, tier: Tier): Partition[] {
  const out: Partition[] = [];
  for (const h of readDir(`${root}/${tier}`)) {
    if (!h.isDirectory || !h.name.startsWith("host=")) continue;
    for (const d of readDir(`${root}/${tier}/${h.name}`)) {
      if (!d.isDirectory || !d.name.startsWith("date=")) continue;
      out.push({
        host: h.name.slice(5),
        date: d.name.slice(5),
        dir: `${root}/${tier}/${h.name}/${d.name}`,
      });
    }
  }
  return out.sort((a, b) => a.host < b.host ? -1 : a.host > b.host ? 1 : a.date < b.date ? -1 : 1);
}

/**
 * The directories of a partition under its host's other cases (`host=Web1` for `web1`), which
 * a perfscope that kept the case of host names may have written; a host is stored in lower case
 * now (`canonicalHost`), and a replay checks these too for what it wrote before. On a
 * case-insensitive file system the one directory may be listed here too.
 *
 * @param root Lake root.
 * @param tier The tree.
 * @param host The host, in lower case.
 * @param date The partition's date.
 * @returns Paths of existing or possible partition directories, none in the usual case.
 */
export function legacyPartitionDirs(
  root: string,
  tier: Tier,
  host: string,
  date: string,
): string[] {
  const want = `host=${host}`;
  return readDir(`${root}/${tier}`)
    .filter((e) => e.isDirectory && e.name !== want && e.name.toLowerCase() === want)
    .map((e) => `${root}/${tier}/${e.name}/date=${date}`);
}

/** File names in a directory. */
export function fileNames(dir: string): string[] {
  return readDir(dir).filter((e) => e.isFile).map((e) => e.name);
}

/**
 * The largest id of the data files in a directory, as {@linkcode parseDataFile} reads their
 * names; -1 for none or no directory. One pass and no match object per name: the ingest writer
 * asks it of a partition every flush, and a partition gathers hundreds of files between
 * compactions (a flush every 10 s is 360 an hour).
 *
 * @param dir A partition directory.
 * @returns The id, or -1.
 */
export function maxDataFileId(dir: string): number {
  let entries: Iterable<Deno.DirEntry>;
  try {
    entries = Deno.readDirSync(dir);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return -1;
    throw error;
  }
  let max = -1;
  for (const e of entries) {
    if (!e.isFile) continue;
    const id = dataFileId(e.name);
    if (id > max) max = id;
  }
  return max;
}

/** The id of a `(part|compact)-<digits>.parquet` name, or -1 (`fileName` without a regex). */
function dataFileId(name: string): number {
  const from = name.startsWith("part-") ? 5 : name.startsWith("compact-") ? 8 : -1;
  const to = name.length - 8;
  if (from < 0 || to <= from || !name.endsWith(".parquet")) return -1;
  for (let i = from; i < to; i++) {
    const c = name.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
  }
  return Number(name.slice(from, to));
}
