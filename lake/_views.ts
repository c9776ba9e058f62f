/**
 * Private: the SQL that defines the lake's DuckDB views from the files readers may see.
 *
 * @module
 */

import { checkedSplit } from "./_checked_split.ts";
import { listPartitions, parseDataFile } from "./_paths.ts";

const rawColumns = "ts, host, metric, labels, value, date";
const rollupColumns = "ts, host, metric, labels, min, avg, max, last, count, date";
const emptyRaw = "SELECT NULL::TIMESTAMP AS ts, NULL::VARCHAR AS host, NULL::VARCHAR AS metric, " +
  "NULL::VARCHAR AS labels, NULL::DOUBLE AS value, NULL::VARCHAR AS date WHERE false";
const emptyRollup =
  "SELECT NULL::TIMESTAMP AS ts, NULL::VARCHAR AS host, NULL::VARCHAR AS metric, " +
  "NULL::VARCHAR AS labels, NULL::DOUBLE AS min, NULL::DOUBLE AS avg, NULL::DOUBLE AS max, " +
  "NULL::DOUBLE AS last, NULL::BIGINT AS count, NULL::VARCHAR AS date WHERE false";

/** File lists behind each view. */
export interface ViewFiles {
  samples: string[];
  rollup_1m: string[];
  rollup_1h: string[];
  /** Raw part files not yet in the 1-minute rollups. */
  _fresh_1m: string[];
  /** Raw part files not yet in the 1-hour rollups. */
  _fresh_1h: string[];
}

/** Lists the files behind every view (see `_paths.ts` for the visibility rule). */
export function viewFiles(root: string): ViewFiles {
  const out: ViewFiles = {
    samples: [],
    rollup_1m: [],
    rollup_1h: [],
    _fresh_1m: [],
    _fresh_1h: [],
  };
  const covered = { rollup_1m: new Map<string, number>(), rollup_1h: new Map<string, number>() };
  for (const tier of ["rollup_1m", "rollup_1h"] as const) {
    for (const p of listPartitions(root, tier)) {
      for (const name of checkedSplit(p.dir, tier).visible) {
        out[tier].push(`${p.dir}/${name}`);
        covered[tier].set(`${p.host}/${p.date}`, parseDataFile(name)!.id);
      }
    }
  }
  for (const p of listPartitions(root, "metrics")) {
    for (const name of checkedSplit(p.dir, "metrics").visible) {
      const path = `${p.dir}/${name}`;
      out.samples.push(path);
      const f = parseDataFile(name)!;
      if (f.kind !== "part") continue;
      const key = `${p.host}/${p.date}`;
      if (f.id > (covered.rollup_1m.get(key) ?? -1)) out._fresh_1m.push(path);
      if (f.id > (covered.rollup_1h.get(key) ?? -1)) out._fresh_1h.push(path);
    }
  }
  return out;
}

/** A file under a host directory with a capital, written before host names were folded. */
const MIXED_CASE_HOST = /\/host=[^/]*[A-Z][^/]*\/date=[^/]+\/[^/]+$/;

/**
 * One `CREATE OR REPLACE VIEW` per view; views over no files are empty but typed (see
 * {@linkcode viewBody}).
 */
export function viewSql(files: ViewFiles): string[] {
  return (Object.keys(files) as (keyof ViewFiles)[]).map((name) =>
    `CREATE OR REPLACE VIEW ${name} AS ${viewBody(name, files[name])}`
  );
}

/**
 * The SELECT behind one view over `list`. Files under a mixed-case host directory (`host=Web1`,
 * from before host names were stored in lower case) are read apart, their host folded to lower
 * case, so they join the host's newer data; the other files keep DuckDB's pruning by the host
 * directory.
 */
export function viewBody(name: keyof ViewFiles, list: readonly string[]): string {
  const rollup = name.startsWith("rollup");
  const columns = rollup ? rollupColumns : rawColumns;
  const folded = list.filter((f) => MIXED_CASE_HOST.test(f));
  const plain = folded.length === 0 ? list : list.filter((f) => !MIXED_CASE_HOST.test(f));
  const read = (paths: readonly string[]) =>
    `FROM read_parquet([${paths.map(quote).join(", ")}], ` +
    "hive_partitioning = true, hive_types_autocast = false)";
  const parts = [
    ...(plain.length ? [`SELECT ${columns} ${read(plain)}`] : []),
    ...(folded.length
      ? [`SELECT ${columns.replace("host", "lower(host) AS host")} ${read(folded)}`]
      : []),
  ];
  return parts.length === 0 ? (rollup ? emptyRollup : emptyRaw) : parts.join(" UNION ALL ");
}

/** A SQL string literal. */
export function quote(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** The error of a file that a listing named and that is gone (compaction replaced it). */
export const VANISHED: RegExp = /No files found|No such file|Cannot open file/i;

/**
 * Creates the views over the files `list()` gives, listing again when a file vanished between
 * the listing and the view (DuckDB checks the files as it binds a view, and a compaction in
 * another process may remove a part at any moment). Up to 8 listings.
 *
 * @param run Runs one statement.
 * @param list Lists the files (`viewFiles(root)`).
 * @returns The files the views were made over.
 * @throws The last error, if it is not a vanished file or the 8th listing still meets one.
 */
export async function createViews(
  run: (sql: string) => Promise<unknown>,
  list: () => ViewFiles,
): Promise<ViewFiles> {
  for (let attempt = 1;; attempt++) {
    const files = list();
    try {
      for (const sql of viewSql(files)) await run(sql);
      return files;
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      if (attempt >= 8 || !VANISHED.test(text)) throw error;
    }
  }
}
