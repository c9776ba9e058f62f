/**
 * Private: is a file under a data file's name really one of the lake's Parquet files? Readers
 * and compaction ask before trusting a name, so that a foreign or corrupt file (a forged
 * `compact-999999999999999.parquet` holding CSV) neither breaks every query nor, being the
 * "newest compact file", hides the real data (see `_paths.ts`).
 *
 * @module
 */

import { parquetMetadata } from "hyparquet";
import { readAt } from "./read_at.ts";

/** The three trees of the lake. */
export type Tier = "metrics" | "rollup_1m" | "rollup_1h";

/** Columns (name, Parquet physical type) of a raw file, in order. */
const RAW = [["ts", "INT64"], ["metric", "BYTE_ARRAY"], ["labels", "BYTE_ARRAY"], [
  "value",
  "DOUBLE",
]];
/** Columns of a rollup file, in order. */
const ROLLUP = [
  ...RAW.slice(0, 3),
  ...["min", "avg", "max", "last"].map((n) => [n, "DOUBLE"]),
  ["count", "INT64"],
];
/** Larger footers are refused unread (a real one is a few KiB per row group). */
const MAX_FOOTER = 16 * 1024 * 1024;

interface Checked {
  size: number;
  mtime: number;
  problem: string | undefined;
}

/** Verdicts by path; a file is checked again only if its size or mtime changed. */
const cache = new Map<string, Checked>();

/**
 * Why the file at `path` is not a readable data file of `tier`, or `undefined` if it is:
 * the Parquet magic at both ends, a footer that parses, and exactly the tier's columns.
 * A file once found good is trusted by name after that (files appear whole under their final
 * names and are never rewritten in place, and a reader that meets a deleted one lists again), so
 * a reader's refresh costs no system call per file; pass `fresh` to check again (compaction
 * does, before it trusts a file with deleting others). Otherwise: one `stat`, and for a file not
 * seen before or changed since, two small reads.
 *
 * @param path The file.
 * @param tier Its tree (raw or rollup columns).
 * @param warn Called once per bad file with a one-line message. Default `console.warn`.
 * @param fresh Check again even if the file was found good before. Default `false`.
 * @returns The problem, or `undefined`.
 */
export function dataFileProblem(
  path: string,
  tier: Tier,
  warn: (line: string) => void = console.warn,
  fresh = false,
): string | undefined {
  const known = cache.get(path);
  if (!fresh && known && known.problem === undefined) return undefined;
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch {
    return "gone"; // deleted meanwhile (compaction in another process): not a corrupt file
  }
  const mtime = info.mtime?.getTime() ?? 0;
  if (known && known.size === info.size && known.mtime === mtime) return known.problem;
  const problem = inspect(path, info, tier);
  if (cache.size > 100_000) cache.clear();
  cache.set(path, { size: info.size, mtime, problem });
  if (problem !== undefined && problem !== "gone") {
    warn(`perfscope lake: ignoring ${path}: ${problem}`);
  }
  return problem;
}

function inspect(path: string, info: Deno.FileInfo, tier: Tier): string | undefined {
  if (!info.isFile) return "not a regular file";
  if (info.size < 12) return `not Parquet (${info.size} bytes)`;
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(path, { read: true });
  } catch {
    return "gone";
  }
  try {
    const head = readWhole(file, 0, 4);
    const tail = readWhole(file, info.size - 8, 8);
    const magic = (b: Uint8Array) => String.fromCharCode(...b.subarray(b.length - 4));
    if (magic(head) !== "PAR1" || magic(tail) !== "PAR1") return "not Parquet (no PAR1 magic)";
    const footer = new DataView(tail.buffer, tail.byteOffset).getUint32(0, true);
    if (footer > MAX_FOOTER || footer > info.size - 12) return "not Parquet (bad footer length)";
    const bytes = readWhole(file, info.size - 8 - footer, footer + 8);
    const meta = parquetMetadata(bytes.buffer as ArrayBuffer);
    const columns = meta.schema.slice(1).map((s) => [s.name, s.type ?? "group"]);
    const want = tier === "metrics" ? RAW : ROLLUP;
    if (JSON.stringify(columns) !== JSON.stringify(want)) {
      return `wrong columns (${columns.map((c) => c.join(" ")).join(", ")})`;
    }
    return undefined;
  } catch (error) {
    return `not Parquet (${error instanceof Error ? error.message.split("\n")[0] : error})`;
  } finally {
    file.close();
  }
}

/** Reads exactly `length` bytes at `offset`; a file that ends first is not Parquet. */
function readWhole(file: Deno.FsFile, offset: number, length: number): Uint8Array {
  const out = readAt(file, offset, length);
  if (out.length < length) throw new Error("Unexpected end of file");
  return out;
}
