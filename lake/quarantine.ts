/**
 * Quarantine: spooled samples that can never become Parquet (a host name the file system or the
 * name rules refuse, from an older version or a hand-edited spool) are moved aside to
 * `DATA/spool/quarantine/` as JSON lines in the `/api/ingest` format, instead of failing every
 * flush and blocking the data behind them. Nothing is deleted: fix the names and `POST` the file
 * back to `/api/ingest` (or move an ingest record file back into `spool_ingest/`).
 *
 * Only failures that retrying cannot cure are quarantined: a name the rules refuse, and the
 * errors a file system gives for a name it cannot hold (`ENAMETOOLONG`, `EINVAL`, `EILSEQ`). A
 * full or read-only disk is not such a failure: that data stays in the spool for the next try.
 *
 * @module
 */

/** One batch of samples moved to the quarantine. */
export interface Quarantined {
  /** The file now holding them. */
  path: string;
  /** Samples moved. */
  rows: number;
  /** Why they cannot be written, one line. */
  reason: string;
}

const NAME_ERRORS = new Set(["ENAMETOOLONG", "EINVAL", "EILSEQ"]);

/** The quarantine directory of a lake root. */
export function quarantineDir(root: string): string {
  return `${root}/spool/quarantine`;
}

/**
 * Whether a write failed for good: a name the rules refuse (`RangeError`) or a name the file
 * system cannot hold, also when wrapped as the `cause` of a `LakeError`.
 *
 * @param error What the write threw.
 * @returns True where retrying cannot help.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isUnwritable } from "./quarantine.ts";
 * const tooLong = Object.assign(new Error("File name too long (os error 36)"), { code: "ENAMETOOLONG" });
 * assert.equal(isUnwritable(new Error("Cannot write", { cause: tooLong })), true);
 * assert.equal(isUnwritable(Object.assign(new Error("No space left"), { code: "ENOSPC" })), false);
 * ```
 */
export function isUnwritable(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (e instanceof RangeError) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && NAME_ERRORS.has(code)) return true;
  }
  return false;
}

/**
 * Writes samples to a new file in the quarantine, never replacing one (a second file of the same
 * name gets a `-2`, `-3`… suffix).
 *
 * @param root Lake root.
 * @param name File name stem, e.g. `ingest-001704067200000-1` (no host: it may be the problem).
 * @param lines JSON lines, each ending in a newline.
 * @returns The path written.
 * @throws {Error} A file system error (disk full): the caller keeps the data and tries again.
 */
export function writeQuarantine(root: string, name: string, lines: string): string {
  const dir = quarantineDir(root);
  Deno.mkdirSync(dir, { recursive: true });
  const bytes = new TextEncoder().encode(lines);
  for (let n = 1;; n++) {
    const path = `${dir}/${name}${n === 1 ? "" : `-${n}`}.jsonl`;
    let file: Deno.FsFile;
    try {
      file = Deno.openSync(path, { write: true, createNew: true });
    } catch (error) {
      if (error instanceof Deno.errors.AlreadyExists) continue;
      throw error;
    }
    try {
      let done = 0;
      while (done < bytes.length) done += file.writeSync(bytes.subarray(done));
      file.syncDataSync();
    } finally {
      file.close();
    }
    return path;
  }
}

/**
 * Keeps a spool segment that cannot be fully decoded (damaged on disk) in the quarantine, byte
 * for byte, as a hard link (no copy; the caller may then delete the segment), never replacing a
 * file there (a second one of the same name gets a `-2`, `-3`… suffix before the extension;
 * the same segment kept again is not linked twice).
 *
 * @param root Lake root.
 * @param path The segment.
 * @param name File name in the quarantine, e.g. `collect-1704067200000.spool`.
 * @returns The path in the quarantine.
 * @throws {Error} A file system error: the caller keeps the segment and tries again.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { keepInQuarantine, quarantineDir } from "./quarantine.ts";
 * const root = Deno.makeTempDirSync();
 * Deno.writeTextFileSync(`${root}/1.seg`, "#3\n{}\n#9");
 * const kept = keepInQuarantine(root, `${root}/1.seg`, "ingest-1.seg");
 * assert.equal(kept, `${quarantineDir(root)}/ingest-1.seg`);
 * assert.equal(keepInQuarantine(root, `${root}/1.seg`, "ingest-1.seg"), kept); // once only
 * Deno.removeSync(`${root}/1.seg`);
 * assert.equal(Deno.readTextFileSync(kept), "#3\n{}\n#9");
 * ```
 */
export function keepInQuarantine(root: string, path: string, name: string): string {
  const dir = quarantineDir(root);
  Deno.mkdirSync(dir, { recursive: true });
  const dot = name.lastIndexOf(".");
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ""];
  for (let n = 1;; n++) {
    const target = `${dir}/${stem}${n === 1 ? "" : `-${n}`}${ext}`;
    try {
      Deno.linkSync(path, target);
      return target;
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
      // kept by an earlier start that did not get to delete the segment: one file is enough
      if (Deno.statSync(target).ino === Deno.statSync(path).ino) return target;
    }
  }
}

/** Rows of one partition as columns, as {@linkcode rowLines} reads them. */
export interface QuarantineColumns {
  ts: ArrayLike<number>;
  metric: readonly string[];
  labels: readonly string[];
  value: ArrayLike<number>;
}

/**
 * Samples as `/api/ingest` JSON lines (labels as the canonical string, `null` for no value).
 *
 * @param host The host of every row.
 * @param rows The rows.
 * @returns The lines, each ending in a newline.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rowLines } from "./quarantine.ts";
 * const text = rowLines("h", { ts: [1], metric: ["m"], labels: ["a=1"], value: [NaN] });
 * assert.equal(text, '{"ts":1,"host":"h","metric":"m","labels":"a=1","value":null}\n');
 * ```
 */
export function rowLines(host: string, rows: QuarantineColumns): string {
  let out = "";
  for (let i = 0; i < rows.ts.length; i++) {
    const v = rows.value[i]!;
    out += JSON.stringify({
      ts: rows.ts[i],
      host,
      metric: rows.metric[i],
      labels: rows.labels[i],
      value: Number.isFinite(v) ? v : null,
    }) + "\n";
  }
  return out;
}

/** A short stable tag of a host name for file names (FNV-1a, hex). */
export function hostTag(host: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < host.length; i++) h = Math.imul(h ^ host.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, "0");
}

/**
 * The default report of a quarantine: one line on stderr.
 *
 * @param q What was moved.
 */
export function logQuarantine(q: Quarantined): void {
  console.error(`perfscope: quarantined ${q.rows} samples to ${q.path}: ${q.reason}`);
}
