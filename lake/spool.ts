/**
 * The write-ahead spool: every snapshot is appended to `DATA/spool/<id>.spool` before anything
 * else happens to it, so a killed collector loses at most the snapshot being written. A segment
 * holds the snapshots since the last Parquet flush; after the flush writes `part-<id>.parquet`
 * the segment is deleted. The record format is in `spool_format.ts`.
 *
 * Durability: each snapshot is one `write(2)` to the OS page cache, which survives `kill -9` of
 * the collector. There is no fsync per snapshot (an fdatasync costs ~0.5–5 ms and wakes the
 * disk every second); a machine crash can lose what the kernel had not written back (≤ 30 s
 * with Linux defaults). Parquet files are fsynced before their rename.
 *
 * Spool readers (the remote-write sender, `export/`) hold segments back: while
 * `DATA/spool/readers/` names one (a `<name>.json` position file), a flushed segment is moved to
 * `DATA/spool/outbox/` instead of being deleted, and the readers delete it once every one of
 * them has sent it ({@linkcode retireSegment}); the outbox is capped (oldest first).
 *
 * Segments named `<id>.jsonl` come from perfscope versions before the binary format (one JSON
 * line per snapshot, `{"t":ts,"h":host,"s":[[metric,labels,value,ts?,host?],…]}`); they are
 * still replayed, so an upgrade loses nothing.
 *
 * @module
 */

import type { Snapshot } from "../collectors/mod.ts";
import { hasReaders, moveToOutbox } from "./_outbox.ts";
import { LakeError } from "./errors.ts";
import { snapshotRows, SPOOL_MAGIC, SpoolDecoder, SpoolEncoder } from "./spool_format.ts";
import { errorText } from "./write_file_atomic.ts";
import type { LakeRow } from "./write_samples.ts";

/** One segment file of the spool. */
export interface SpoolSegment {
  /** Start of the segment (ms), also the id of the Parquet files it becomes. */
  id: number;
  path: string;
  /** `"binary"` (written now) or `"jsonl"` (older versions; replayed only). */
  format: "binary" | "jsonl";
}

const segmentName = /^(\d+)\.(spool|jsonl)$/;

/** The spool directory of a lake root. */
export function spoolDir(root: string): string {
  return `${root}/spool`;
}

/** Where spool readers keep their positions (`<name>.json`), see {@linkcode retireSegment}. */
export function spoolReadersDir(root: string): string {
  return `${root}/spool/readers`;
}

/** Where flushed segments wait for the spool readers that have not sent them yet. */
export function outboxDir(root: string): string {
  return `${root}/spool/outbox`;
}

/** Default cap on the outbox, bytes: 1 GiB, about 2.5 months of one host's spool at 1 Hz. */
export const OUTBOX_MAX_BYTES = 1 << 30;

/**
 * Whether a spool reader (a `<name>.json` position file in {@linkcode spoolReadersDir}) holds
 * flushed segments back.
 *
 * @param root Lake root.
 * @returns True when at least one reader is registered.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hasSpoolReaders } from "./spool.ts";
 * assert.equal(hasSpoolReaders(Deno.makeTempDirSync()), false);
 * ```
 */
export function hasSpoolReaders(root: string): boolean {
  return hasReaders(spoolReadersDir(root));
}

/** Options for {@linkcode retireSegment}. */
export interface RetireSegmentOptions {
  /** Cap on the outbox directory, bytes: its segments and its drop ledger (which keeps to a
   * 16th of the cap, 4 KiB to 1 MiB); the oldest segments beyond it are deleted (their readers
   * count them as dropped). Default {@linkcode OUTBOX_MAX_BYTES}. */
  outboxMaxBytes?: number | undefined;
  /** Where a cut that drops segments some reader had not sent is told (one line). Default
   * `console.error`. */
  onDrop?: ((line: string) => void) | undefined;
}

/**
 * Retires a segment whose rows are in Parquet now: deleted, or, while spool readers are
 * registered, moved to the outbox (same file system: a rename), which is then cut to its cap.
 *
 * @param root Lake root.
 * @param path The segment file (closed).
 * @param options The outbox cap.
 * @returns `"deleted"` or `"kept"`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listOutbox, retireSegment, spoolReadersDir } from "./spool.ts";
 * const root = Deno.makeTempDirSync();
 * Deno.mkdirSync(spoolReadersDir(root), { recursive: true });
 * Deno.writeTextFileSync(`${spoolReadersDir(root)}/rw.json`, "{}");
 * Deno.writeTextFileSync(`${root}/spool/000000000000001.spool`, "x");
 * assert.equal(retireSegment(root, `${root}/spool/000000000000001.spool`), "kept");
 * assert.deepEqual(listOutbox(root).map((s) => s.id), [1]);
 * ```
 */
export function retireSegment(
  root: string,
  path: string,
  options: RetireSegmentOptions = {},
): "deleted" | "kept" {
  if (!hasSpoolReaders(root)) {
    Deno.removeSync(path);
    return "deleted";
  }
  moveToOutbox(
    path,
    outboxDir(root),
    () => listOutbox(root).map((s) => s.path),
    {
      maxBytes: options.outboxMaxBytes ?? OUTBOX_MAX_BYTES,
      readers: spoolReadersDir(root),
      log: options.onDrop,
    },
  );
  return "kept";
}

/**
 * Lists the outbox's segments (flushed, not yet sent by every reader), oldest first.
 *
 * @param root Lake root.
 * @returns The segments.
 */
export function listOutbox(root: string): SpoolSegment[] {
  return listIn(outboxDir(root));
}

/**
 * Lists the spool's segments, oldest first.
 *
 * @param root Lake root.
 * @returns The segments.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listSegments } from "./spool.ts";
 * assert.deepEqual(listSegments(Deno.makeTempDirSync()), []);
 * ```
 */
export function listSegments(root: string): SpoolSegment[] {
  return listIn(spoolDir(root));
}

function listIn(dir: string): SpoolSegment[] {
  const out: SpoolSegment[] = [];
  try {
    for (const e of Deno.readDirSync(dir)) {
      const m = e.isFile ? e.name.match(segmentName) : null;
      if (m) {
        out.push({
          id: Number(m[1]),
          path: `${dir}/${e.name}`,
          format: m[2] === "spool" ? "binary" : "jsonl",
        });
      }
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return out.sort((a, b) => a.id - b.id);
}

/**
 * Reads every complete snapshot of a segment; a torn last record (the collector was killed
 * while writing it) is skipped, and so is everything after bytes that cannot be decoded
 * (`replaySpool` keeps such a segment in the quarantine).
 *
 * @param path Segment path (`.spool`, or `.jsonl` from older versions).
 * @returns The rows of all complete snapshots, `NaN` where a value was missing.
 */
export function readSegment(path: string): LakeRow[] {
  return decodeSegment(path).rows;
}

/** A segment's rows, and how many of its bytes could not be decoded (0 for a sound segment or
 * one whose last record is only torn). */
function decodeSegment(path: string): { rows: LakeRow[]; undecoded: number } {
  if (path.endsWith(".jsonl")) return { rows: readJsonLines(path), undecoded: 0 };
  const decoder = new SpoolDecoder();
  const rows = snapshotRows(decoder.push(Deno.readFileSync(path)));
  return { rows, undecoded: decoder.undecodedBytes };
}

/** Appends snapshots to one segment file. */
export class SpoolWriter {
  /** The segment being written. */
  readonly segment: SpoolSegment;
  #file: Deno.FsFile;
  #encoder = new SpoolEncoder();

  /**
   * Creates the segment `<root>/spool/<id>.spool`.
   *
   * @param root Lake root.
   * @param id Segment id (its start in ms).
   * @throws {LakeError} If the spool directory cannot be created or written, or the segment
   *   already exists.
   */
  constructor(root: string, id: number) {
    const path = `${spoolDir(root)}/${String(id).padStart(15, "0")}.spool`;
    try {
      Deno.mkdirSync(spoolDir(root), { recursive: true });
      this.#file = Deno.openSync(path, { write: true, createNew: true });
    } catch (error) {
      throw new LakeError(`Cannot write spool: ${path} (${errorText(error)})`, { cause: error });
    }
    this.segment = { id, path, format: "binary" };
    this.#write(SPOOL_MAGIC);
  }

  /**
   * Appends one snapshot of a sampler in one write to the OS (the second-by-second path).
   *
   * @param snap The snapshot.
   * @throws {LakeError} If the write fails (disk full).
   */
  appendSnapshot(snap: Snapshot): void {
    if (snap.length > 0) this.#write(this.#encoder.snapshot(snap));
  }

  /**
   * Appends rows (any times and hosts) in one write to the OS.
   *
   * @param rows The rows.
   * @throws {LakeError} If the write fails (disk full).
   */
  append(rows: readonly LakeRow[]): void {
    if (rows.length > 0) this.#write(this.#encoder.rows(rows));
  }

  #write(bytes: Uint8Array): void {
    try {
      let done = 0;
      while (done < bytes.length) done += this.#file.writeSync(bytes.subarray(done));
    } catch (error) {
      throw new LakeError(`Cannot write spool: ${errorText(error)}`, { cause: error });
    }
  }

  /**
   * Closes the file; with `remove` also deletes the segment (after its Parquet flush).
   *
   * @param remove Delete the segment file.
   */
  close(remove = false): void {
    this.#file.close();
    if (remove) Deno.removeSync(this.segment.path);
  }

  /**
   * Closes the file and retires the segment after its Parquet flush: deleted, or kept in the
   * outbox for the spool readers (see {@linkcode retireSegment}).
   *
   * @param root Lake root.
   * @param options The outbox cap.
   */
  retire(root: string, options: RetireSegmentOptions = {}): void {
    this.#file.close();
    retireSegment(root, this.segment.path, options);
  }
}

/** A segment of an older version: one JSON line per snapshot; torn or bad lines are skipped. */
function readJsonLines(path: string): LakeRow[] {
  const rows: LakeRow[] = [];
  for (const line of Deno.readTextFileSync(path).split("\n")) {
    if (!line) continue;
    let o: { t?: unknown; h?: unknown; s?: unknown };
    try {
      o = JSON.parse(line);
    } catch {
      continue; // a torn line from a killed writer
    }
    if (typeof o.t !== "number" || typeof o.h !== "string" || !Array.isArray(o.s)) continue;
    for (const x of o.s as [string, string, number | null, number?, string?][]) {
      rows.push({
        ts: x[3] ?? o.t,
        host: x[4] ?? o.h,
        metric: x[0],
        labels: x[1],
        value: x[2] ?? NaN,
      });
    }
  }
  return rows;
}
