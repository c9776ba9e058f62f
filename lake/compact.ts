/**
 * Compaction: merge each partition's small files into one sorted file, build the 1-minute and
 * 1-hour rollups, and delete date partitions past retention. DuckDB does the work.
 *
 * Safe to interrupt anywhere: for a partition whose visible files have the largest id C, the
 * rollups `compact-C` are written first, then the merged raw `compact-C`, each to a `.tmp` name,
 * fsynced, re-read and verified (columns, row count, and for the raw file an order-independent
 * checksum of every (ts, metric, labels, value) equal to its inputs'), and only then renamed. A
 * reader (see `_paths.ts`) switches from the inputs to the merged file at that rename, so no
 * sample is seen twice or missed; inputs left behind by a crash are ignored by readers and
 * deleted by the next run once it has checked that the compact file holds all their rows.
 *
 * Files under a data file's name that are not the lake's Parquet (foreign, truncated, forged)
 * are moved to `<root>/quarantine/` with a one-line warning, never deleted; temporary files of
 * dead writers are removed.
 *
 * One compaction per lake at a time (`compaction_lock.ts`): the lock is taken before anything is
 * touched, so a refused compaction leaves the lake exactly as it found it.
 *
 * @module
 */

import type { DuckDBInstance } from "@duckdb/node-api";
import { quote } from "./_views.ts";
import { checkedSplit } from "./_checked_split.ts";
import { dataFileProblem } from "./_file_check.ts";
import {
  dataFileName,
  fileNames,
  listPartitions,
  parseDataFile,
  type SplitFiles,
  type Tier,
  TIERS,
  utcDate,
} from "./_paths.ts";
import { LakeError } from "./errors.ts";
import { acquireCompactionLock, type CompactionLockOptions } from "./compaction_lock.ts";
import { errorText, syncDir } from "./write_file_atomic.ts";
import { quarantineFiles } from "./_quarantine.ts";
import { removeStaleTemp } from "./_remove_stale_temp.ts";
import { meanSql } from "./mean_sql.ts";

/** A point in the compaction of one partition (for progress and for crash tests). */
export type CompactStep =
  | "retention"
  | "rollup_1m"
  | "rollup_1h"
  | "written"
  | "merged"
  | "cleaned";

/** Options for {@linkcode compactLake}. */
export interface CompactOptions {
  /** Lake root. */
  root: string;
  /** Keep date partitions newer than this many ms before `now`. Default 30 days. */
  retentionMs?: number;
  /** Clock (ms). Default `Date.now`. */
  now?: () => number;
  /** DuckDB memory limit (sorting spills to disk beyond it). Default `"512MB"`. */
  memoryLimit?: string;
  /** DuckDB threads. Default `2`. */
  threads?: number;
  /** Called after each step; throwing from it stops compaction there (as a crash would).
   * `"written"` comes after the merged raw file is written to its temporary name, before it is
   * verified. */
  onStep?: (step: CompactStep, partition: string) => void;
  /** Where one-line warnings go (a file moved to quarantine). Default `console.warn`. */
  warn?: (line: string) => void;
  /** Who the lake's `compact.lock` names while this runs. Default: this process, as
   * `deno task compact`. */
  lock?: CompactionLockOptions;
}

/** What {@linkcode compactLake} did. */
export interface CompactSummary {
  /** Raw partitions merged. */
  partitions: number;
  /** Input files merged away. */
  filesMerged: number;
  /** Rows in the merged files. */
  rows: number;
  /** Bytes of the merged inputs. */
  bytesBefore: number;
  /** Bytes of the merged files. */
  bytesAfter: number;
  /** Date partitions deleted by retention (all trees). */
  partitionsExpired: number;
  /** Unreadable or forged files moved to `<root>/quarantine/` (never deleted). */
  quarantined: number;
}

const DAY = 86_400_000;
const ROLLUPS = [["rollup_1m", "1 minute"], ["rollup_1h", "1 hour"]] as const;
/** Row count and an order-independent checksum of a raw file set (for verification). */
const census = "count(*)::DOUBLE AS n, " +
  "coalesce(sum(hash(ts::TIMESTAMP_MS, metric, labels, value)), 0)::VARCHAR AS h";
const parquetOptions = "FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 9, PARQUET_VERSION v2";

/**
 * Compacts the lake at `root`. Values are stored as written (already rounded by
 * `quantizeValue`); rows are sorted by metric, labels, ts, which with dictionary-encoded
 * strings, delta-encoded timestamps, byte-stream-split doubles and ZSTD gives well under one
 * byte per sample (see bench/lake_bench.ts).
 *
 * @param options See {@linkcode CompactOptions}.
 * @returns What was done.
 * @throws {CompactionBusyError} If another compaction of the lake runs (nothing is done).
 * @throws {LakeError} If DuckDB fails or files cannot be written.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compactLake, openLake, simulateHost } from "./mod.ts";
 * const root = Deno.makeTempDirSync();
 * const start = Date.UTC(2024, 0, 1);
 * simulateHost({ root, start, durationMs: 3_600_000, stepMs: 60_000, chunkMs: 600_000 });
 * const summary = await compactLake({ root, now: () => start + 86_400_000 });
 * assert.equal(summary.filesMerged, 6);
 * const lake = await openLake({ root });
 * const [row] = await lake.query("SELECT count(*) AS n FROM samples");
 * assert.equal(row!.n, summary.rows);
 * lake.close();
 * ```
 */
export async function compactLake(options: CompactOptions): Promise<CompactSummary> {
  const { retentionMs = 30 * DAY } = options;
  if (!(retentionMs > 0)) throw new RangeError(`Invalid retentionMs: ${retentionMs}`);
  // held to the end, retention included: a second compaction would delete the inputs this one
  // still reads (see compaction_lock.ts)
  const lock = acquireCompactionLock(options.root, options.lock);
  try {
    return await compactLocked(options, retentionMs);
  } finally {
    lock.release();
  }
}

async function compactLocked(options: CompactOptions, retentionMs: number) {
  const { root, onStep } = options;
  const now = (options.now ?? Date.now)();
  const summary: CompactSummary = {
    partitions: 0,
    filesMerged: 0,
    rows: 0,
    bytesBefore: 0,
    bytesAfter: 0,
    partitionsExpired: 0,
    quarantined: 0,
  };
  const cutoff = utcDate(now - retentionMs);
  for (const tier of TIERS) {
    for (const p of listPartitions(root, tier)) {
      if (p.date >= cutoff) continue;
      Deno.removeSync(p.dir, { recursive: true });
      summary.partitionsExpired++;
      onStep?.("retention", p.dir);
    }
  }
  const partitions = listPartitions(root, "metrics");
  if (partitions.length === 0) return summary;
  const tmpDir = `${root}/.compact_tmp`;
  const { DuckDBInstance: Instance } = await import("@duckdb/node-api");
  let instance: DuckDBInstance;
  try {
    instance = await Instance.create(":memory:", {
      memory_limit: options.memoryLimit ?? "512MB",
      threads: String(options.threads ?? 2),
      temp_directory: tmpDir,
      preserve_insertion_order: "false",
    });
  } catch (error) {
    throw new LakeError(`Cannot start DuckDB: ${errorText(error)}`, { cause: error });
  }
  const db = await instance.connect();
  const log = options.warn ?? console.warn;
  // compaction checks every file again before trusting it, and says one line per bad file
  // (the quarantine's) rather than the readers' "ignoring" line too
  const checked = { fresh: true, warn: () => {} };
  async function one<T>(sql: string): Promise<T> {
    const reader = await db.runAndReadAll(sql);
    return reader.getRowObjectsJS()[0] as T;
  }
  /** Writes `select` to `path` through a temporary file that must pass `verify` first. */
  async function copy(
    select: string,
    path: string,
    verify: (tmp: string, rows: number) => Promise<string | undefined>,
  ): Promise<number> {
    const tmp = `${path}.${Deno.pid}.tmp`;
    let problem: string | undefined;
    let rows = 0;
    try {
      Deno.mkdirSync(path.slice(0, path.lastIndexOf("/")), { recursive: true });
      const result = await db.run(`COPY (${select}) TO ${quote(tmp)} (${parquetOptions})`);
      rows = Number(result.rowsChanged);
      const file = Deno.openSync(tmp, { read: true, write: true });
      file.syncDataSync();
      file.close();
      if (path.startsWith(`${root}/metrics/`)) {
        onStep?.("written", path.slice(0, path.lastIndexOf("/")));
      }
      problem = await verify(tmp, rows);
      if (problem === undefined) {
        Deno.renameSync(tmp, path);
        syncDir(path.slice(0, path.lastIndexOf("/")));
        return rows;
      }
    } catch (error) {
      problem = errorText(error);
    }
    try {
      Deno.removeSync(tmp);
    } catch {
      // never created
    }
    throw new LakeError(`Compaction failed for ${path}: ${problem}`);
  }
  /** Moves unreadable files out of the lake's trees (kept for a person to look at). */
  function quarantine(dir: string, tier: Tier, names: string[], reason?: string): void {
    summary.quarantined += quarantineFiles(root, dir, names, {
      reason: (name) => reason ?? dataFileProblem(`${dir}/${name}`, tier, () => {}) ?? "unreadable",
      warn: log,
    });
  }
  /** Files of `names` that DuckDB cannot read whole. */
  async function unreadable(dir: string, names: string[]): Promise<string[]> {
    const out: string[] = [];
    for (const name of names) {
      try {
        await one(`SELECT ${census} FROM ${readList(dir, [name])}`);
      } catch {
        out.push(name);
      }
    }
    return out;
  }
  /**
   * Checks that the newest compact file holds every row of the files it supersedes (left by a
   * crash after its rename) before they may be deleted. Returns `"forged"` if a file older than
   * the compact file has rows it lacks (compaction merges every file there is, so the compact
   * file is not ours). Files written after it with rows it lacks (a writer that broke the id
   * rule) and unreadable leftovers are moved aside (`"retry"`): kept, never deleted.
   */
  async function checkLeftovers(
    dir: string,
    split: SplitFiles,
  ): Promise<"ok" | "forged" | "retry"> {
    const compact = split.visible.find((n) => n.startsWith("compact-"));
    if (compact === undefined || split.superseded.length === 0) return "ok";
    let uncovered: string[];
    try {
      const reader = await db.runAndReadAll(
        `SELECT DISTINCT s.filename AS f FROM read_parquet([${
          split.superseded.map((n) => quote(`${dir}/${n}`)).join(", ")
        }], filename = true) s ANTI JOIN ${readList(dir, [compact])} c ` +
          "ON s.ts::TIMESTAMP_MS = c.ts::TIMESTAMP_MS AND s.metric = c.metric " +
          "AND s.labels IS NOT DISTINCT FROM c.labels AND s.value IS NOT DISTINCT FROM c.value",
      );
      uncovered = reader.getRowObjectsJS().map((r) => String(r.f));
    } catch {
      const bad = await unreadable(dir, [...split.superseded, compact]);
      if (bad.length === 0) throw new LakeError(`Cannot read ${dir}`);
      quarantine(dir, "metrics", bad, "unreadable by DuckDB");
      return "retry";
    }
    const mtime = (path: string) => Deno.statSync(path).mtime?.getTime() ?? 0;
    const made = mtime(`${dir}/${compact}`);
    if (uncovered.some((path) => mtime(path) <= made)) return "forged";
    const late = uncovered.map((path) => path.slice(path.lastIndexOf("/") + 1));
    quarantine(dir, "metrics", late, `written after ${compact} with rows it lacks`);
    return late.length === 0 ? "ok" : "retry";
  }
  try {
    for (const p of partitions) {
      const rollupDirs = ROLLUPS.map(([tier]) => `${root}/${tier}/host=${p.host}/date=${p.date}`);
      for (const dir of [p.dir, ...rollupDirs]) removeStaleTemp(dir);
      for (const [i, [tier]] of ROLLUPS.entries()) {
        quarantine(rollupDirs[i]!, tier, checkedSplit(rollupDirs[i]!, tier, checked).invalid);
      }
      let split = checkedSplit(p.dir, "metrics", checked);
      let inputRows: { n: number; h: string } | undefined;
      for (let attempt = 0; attempt < 10 && inputRows === undefined; attempt++) {
        quarantine(p.dir, "metrics", split.invalid);
        split = checkedSplit(p.dir, "metrics", checked);
        if (split.invalid.length > 0) continue;
        const leftovers = await checkLeftovers(p.dir, split);
        if (leftovers !== "ok") {
          if (leftovers === "forged") {
            const compact = split.visible.filter((n) => n.startsWith("compact-"));
            quarantine(p.dir, "metrics", compact, "lacks rows of the files it supersedes");
          }
          split = checkedSplit(p.dir, "metrics", checked);
          continue;
        }
        if (split.visible.length === 0) break;
        try {
          inputRows = await one(`SELECT ${census} FROM ${readList(p.dir, split.visible)}`);
        } catch {
          // a file passed the footer check but cannot be read whole: find it
          const bad = await unreadable(p.dir, split.visible);
          if (bad.length === 0) throw new LakeError(`Cannot read ${p.dir}`);
          quarantine(p.dir, "metrics", bad, "unreadable by DuckDB");
          split = checkedSplit(p.dir, "metrics", checked);
        }
      }
      if (inputRows === undefined) continue;
      const visible = split.visible;
      const id = Math.max(...visible.map((n) => parseDataFile(n)!.id));
      const target = dataFileName("compact", id);
      const inputs = readList(p.dir, visible);
      for (const [i, [tier, width]] of ROLLUPS.entries()) {
        const dir = rollupDirs[i]!;
        if (!fileNames(dir).includes(target)) {
          await copy(
            `SELECT time_bucket(INTERVAL '${width}', ts)::TIMESTAMP_MS AS ts, metric, labels, ` +
              `min(value) AS min, ${meanSql("value")} AS avg, max(value) AS max, ` +
              "arg_max(value, ts) AS last, " +
              `count(*)::BIGINT AS count FROM ${inputs} GROUP BY ALL ORDER BY metric, labels, ts`,
            `${dir}/${target}`,
            async (tmp, rows) => {
              const bad = dataFileProblem(tmp, tier, () => {}, true);
              if (bad !== undefined) return bad;
              const got = await one<{ n: number; c: number }>(
                `SELECT count(*)::DOUBLE AS n, coalesce(sum(count), 0)::DOUBLE AS c ` +
                  `FROM read_parquet(${quote(tmp)})`,
              );
              return got.n === rows && got.c === inputRows.n ? undefined : (
                `wrote ${got.n} buckets of ${got.c} samples, expected ${rows} of ${inputRows.n}`
              );
            },
          );
        }
        onStep?.(tier, p.dir);
      }
      if (visible.length > 1 || visible[0] !== target) {
        const before = visible.reduce((s, n) => s + Deno.statSync(`${p.dir}/${n}`).size, 0);
        const rows = await copy(
          `SELECT ts::TIMESTAMP_MS AS ts, metric, labels, value FROM ${inputs} ORDER BY metric, labels, ts`,
          `${p.dir}/${target}`,
          async (tmp) => {
            const bad = dataFileProblem(tmp, "metrics", () => {}, true);
            if (bad !== undefined) return bad;
            const got = await one<{ n: number; h: string }>(
              `SELECT ${census} FROM read_parquet(${quote(tmp)})`,
            );
            return got.n === inputRows.n && got.h === inputRows.h ? undefined : (
              `the merged file holds ${got.n} rows (checksum ${got.h}), ` +
              `its inputs ${inputRows.n} (checksum ${inputRows.h})`
            );
          },
        );
        summary.partitions++;
        summary.filesMerged += visible.length;
        summary.rows += rows;
        summary.bytesBefore += before;
        summary.bytesAfter += Deno.statSync(`${p.dir}/${target}`).size;
        onStep?.("merged", p.dir);
      }
      // Only now, with the merged file verified and renamed into place, do inputs go
      for (
        const [dir, tier] of [[p.dir, "metrics"], ...rollupDirs.map((d, i) => [d, ROLLUPS[i]![0]])]
      ) {
        for (const name of checkedSplit(dir!, tier as Tier, checked).superseded) {
          Deno.removeSync(`${dir}/${name}`);
        }
      }
      onStep?.("cleaned", p.dir);
    }
  } finally {
    db.closeSync();
    instance.closeSync();
    try {
      Deno.removeSync(tmpDir, { recursive: true });
    } catch {
      // DuckDB did not need to spill
    }
  }
  return summary;
}

/** `read_parquet([...])` over some files of a directory. */
function readList(dir: string, names: string[]): string {
  return `read_parquet([${names.map((n) => quote(`${dir}/${n}`)).join(", ")}])`;
}
