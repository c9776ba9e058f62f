/**
 * Compaction: merge each partition's small files into one sorted file, build the 1-minute and
 * 1-hour rollups, and delete date partitions past retention. DuckDB does the work.
 *
 * Safe to interrupt anywhere: for a partition whose visible files have the largest id C, the
 * rollups `compact-C` are written first, then the merged raw `compact-C`, each to a `.tmp` name,
 * fsynced and renamed. A reader (see `_paths.ts`) switches from the inputs to the merged file at
 * that rename, so no sample is seen twice or missed; inputs left behind by a crash are ignored by
 * readers and deleted by the next run.
 *
 * @module
 */

import type { DuckDBInstance } from "@duckdb/node-api";
import { quote } from "./_views.ts";
import {
  dataFileName,
  fileNames,
  listPartitions,
  parseDataFile,
  splitVisible,
  TIERS,
  utcDate,
} from "./_paths.ts";
import { LakeError } from "./errors.ts";
import { errorText, syncDir } from "./write_file_atomic.ts";

/** A point in the compaction of one partition (for progress and for crash tests). */
export type CompactStep = "retention" | "rollup_1m" | "rollup_1h" | "merged" | "cleaned";

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
  /** Called after each step; throwing from it stops compaction there (as a crash would). */
  onStep?: (step: CompactStep, partition: string) => void;
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
}

const DAY = 86_400_000;
const parquetOptions = "FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 9, PARQUET_VERSION v2";

/**
 * Compacts the lake at `root`. Values are stored as written (already rounded by
 * `quantizeValue`); rows are sorted by metric, labels, ts, which with dictionary-encoded
 * strings, delta-encoded timestamps, byte-stream-split doubles and ZSTD gives well under one
 * byte per sample (see bench/lake_bench.ts).
 *
 * @param options See {@linkcode CompactOptions}.
 * @returns What was done.
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
  const { root, retentionMs = 30 * DAY, onStep } = options;
  if (!(retentionMs > 0)) throw new RangeError(`Invalid retentionMs: ${retentionMs}`);
  const now = (options.now ?? Date.now)();
  const summary: CompactSummary = {
    partitions: 0,
    filesMerged: 0,
    rows: 0,
    bytesBefore: 0,
    bytesAfter: 0,
    partitionsExpired: 0,
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
  async function copy(select: string, path: string): Promise<number> {
    const tmp = `${path}.${Deno.pid}.tmp`;
    try {
      Deno.mkdirSync(path.slice(0, path.lastIndexOf("/")), { recursive: true });
      const result = await db.run(`COPY (${select}) TO ${quote(tmp)} (${parquetOptions})`);
      const file = Deno.openSync(tmp, { read: true, write: true });
      file.syncDataSync();
      file.close();
      Deno.renameSync(tmp, path);
      syncDir(path.slice(0, path.lastIndexOf("/")));
      return Number(result.rowsChanged);
    } catch (error) {
      try {
        Deno.removeSync(tmp);
      } catch {
        // never created
      }
      throw new LakeError(`Compaction failed for ${path}: ${errorText(error)}`, { cause: error });
    }
  }
  try {
    for (const p of partitions) {
      const names = fileNames(p.dir);
      removeLeftovers(p.dir, names, now);
      const visible = splitVisible(names).visible;
      if (visible.length === 0) continue;
      const id = Math.max(...visible.map((n) => parseDataFile(n)!.id));
      const target = dataFileName("compact", id);
      const inputs = `read_parquet([${visible.map((n) => quote(`${p.dir}/${n}`)).join(", ")}])`;
      for (const [tier, width] of [["rollup_1m", "1 minute"], ["rollup_1h", "1 hour"]] as const) {
        const dir = `${root}/${tier}/host=${p.host}/date=${p.date}`;
        if (!fileNames(dir).includes(target)) {
          await copy(
            `SELECT time_bucket(INTERVAL '${width}', ts)::TIMESTAMP_MS AS ts, metric, labels, ` +
              "min(value) AS min, avg(value) AS avg, max(value) AS max, arg_max(value, ts) AS last, " +
              `count(*)::BIGINT AS count FROM ${inputs} GROUP BY ALL ORDER BY metric, labels, ts`,
            `${dir}/${target}`,
          );
        }
        onStep?.(tier, p.dir);
      }
      if (visible.length > 1 || visible[0] !== target) {
        const before = visible.reduce((s, n) => s + Deno.statSync(`${p.dir}/${n}`).size, 0);
        const rows = await copy(
          `SELECT ts::TIMESTAMP_MS AS ts, metric, labels, value FROM ${inputs} ORDER BY metric, labels, ts`,
          `${p.dir}/${target}`,
        );
        summary.partitions++;
        summary.filesMerged += visible.length;
        summary.rows += rows;
        summary.bytesBefore += before;
        summary.bytesAfter += Deno.statSync(`${p.dir}/${target}`).size;
        onStep?.("merged", p.dir);
      }
      for (const tier of TIERS) {
        const dir = `${root}/${tier}/host=${p.host}/date=${p.date}`;
        for (const name of splitVisible(fileNames(dir)).superseded) {
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

/** Deletes superseded files and temporary files older than ten minutes (from a crashed writer). */
function removeLeftovers(dir: string, names: string[], now: number): void {
  for (const name of splitVisible(names).superseded) Deno.removeSync(`${dir}/${name}`);
  for (const name of names) {
    if (!name.endsWith(".tmp")) continue;
    const mtime = Deno.statSync(`${dir}/${name}`).mtime?.getTime() ?? now;
    if (now - mtime > 600_000) Deno.removeSync(`${dir}/${name}`);
  }
}
