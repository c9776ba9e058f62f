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

/** The three trees of the lake. */
export type Tier = "metrics" | "rollup_1m" | "rollup_1h";

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

/**
 * Splits the file names of one partition into those readers see and those superseded by the
 * newest compact file.
 */
export function splitVisible(names: Iterable<string>): { visible: string[]; superseded: string[] } {
  const files: { name: string; kind: "part" | "compact"; id: number }[] = [];
  let newest = -1;
  for (const name of names) {
    const parsed = parseDataFile(name);
    if (!parsed) continue;
    files.push({ name, ...parsed });
    if (parsed.kind === "compact" && parsed.id > newest) newest = parsed.id;
  }
  const visible: string[] = [];
  const superseded: string[] = [];
  for (const f of files) {
    const seen = f.kind === "compact" ? f.id === newest : f.id > newest;
    (seen ? visible : superseded).push(f.name);
  }
  return { visible: visible.sort(), superseded: superseded.sort() };
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

/** File names in a directory. */
export function fileNames(dir: string): string[] {
  return readDir(dir).filter((e) => e.isFile).map((e) => e.name);
}

/** Paths of every file readers see in one tree. */
export function visibleFiles(root: string, tier: Tier): string[] {
  const out: string[] = [];
  for (const p of listPartitions(root, tier)) {
    for (const name of splitVisible(fileNames(p.dir)).visible) out.push(`${p.dir}/${name}`);
  }
  return out;
}
