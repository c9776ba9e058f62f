/**
 * The write-ahead spool: one JSON line per snapshot in `DATA/spool/<id>.jsonl`, so a killed
 * collector loses at most the snapshot being written. A segment holds the snapshots since the
 * last Parquet flush; after the flush writes `part-<id>.parquet` the segment is deleted.
 *
 * Durability: each snapshot is one `write(2)` to the OS page cache, which survives `kill -9` of
 * the collector. There is no fsync per line (an fdatasync costs ~0.5–5 ms and wakes the disk
 * every second); a machine crash can lose what the kernel had not written back (≤ 30 s with
 * Linux defaults). Parquet files are fsynced before their rename.
 *
 * Line format: `{"t":ts,"h":host,"s":[[metric,labels,value],…]}`; `value` is `null` for `NaN`;
 * a sample whose ts or host differs from the line's carries them as 4th and 5th items.
 *
 * @module
 */

import { LakeError } from "./errors.ts";
import { errorText } from "./write_file_atomic.ts";
import { type LakeRow, writeSamples } from "./write_samples.ts";

/** One segment file of the spool. */
export interface SpoolSegment {
  /** Start of the segment (ms), also the id of the Parquet files it becomes. */
  id: number;
  path: string;
}

const segmentName = /^(\d+)\.jsonl$/;

/** The spool directory of a lake root. */
export function spoolDir(root: string): string {
  return `${root}/spool`;
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
  const out: SpoolSegment[] = [];
  try {
    for (const e of Deno.readDirSync(spoolDir(root))) {
      const m = e.isFile ? e.name.match(segmentName) : null;
      if (m) out.push({ id: Number(m[1]), path: `${spoolDir(root)}/${e.name}` });
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return out.sort((a, b) => a.id - b.id);
}

/**
 * Encodes one snapshot as a spool line (with the trailing newline).
 *
 * @param rows The snapshot's rows (labels as canonical strings).
 * @returns The line.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeSnapshot, encodeSnapshot } from "./spool.ts";
 * const rows = [{ ts: 1000, host: "h", metric: "m", labels: "", value: NaN }];
 * const line = encodeSnapshot(rows);
 * assert.equal(line, '{"t":1000,"h":"h","s":[["m","",null]]}\n');
 * assert.deepEqual(decodeSnapshot(line), rows);
 * ```
 */
export function encodeSnapshot(rows: readonly LakeRow[]): string {
  const t = rows[0]?.ts ?? 0;
  const h = rows[0]?.host ?? "";
  // Built by hand (the same text JSON.stringify gives): no array per sample, and the quoted
  // metric and labels of a series are cached, since a collector repeats them every snapshot.
  let out = `{"t":${t},"h":${JSON.stringify(h)},"s":[`;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const v = Number.isFinite(r.value) ? r.value : null;
    out += `${i ? ",[" : "["}${quoted(r.metric, r.labels)}${v}`;
    if (r.host !== h) out += `,${r.ts},${JSON.stringify(r.host)}]`;
    else if (r.ts !== t) out += `,${r.ts}]`;
    else out += "]";
  }
  return out + "]}\n";
}

/** `"metric","labels",` by metric, then labels (bounded: cleared past `quotedMax` series). */
const quotedCache = new Map<string, Map<string, string>>();
let quotedCount = 0;
const quotedMax = 100_000;

function quoted(metric: string, labels: string): string {
  let byLabels = quotedCache.get(metric);
  if (!byLabels) {
    if (quotedCount >= quotedMax) {
      quotedCache.clear();
      quotedCount = 0;
    }
    quotedCache.set(metric, byLabels = new Map());
  }
  let q = byLabels.get(labels);
  if (q === undefined) {
    byLabels.set(labels, q = `${JSON.stringify(metric)},${JSON.stringify(labels)},`);
    quotedCount++;
  }
  return q;
}

/**
 * Decodes a spool line.
 *
 * @param line One line (with or without newline).
 * @returns The rows; `null` values become `NaN`.
 * @throws {SyntaxError} If the line is torn or not a snapshot.
 */
export function decodeSnapshot(line: string): LakeRow[] {
  const o = JSON.parse(line) as {
    t: number;
    h: string;
    s: [string, string, number | null, number?, string?][];
  };
  if (typeof o.t !== "number" || !Array.isArray(o.s)) throw new SyntaxError("Not a spool snapshot");
  return o.s.map((x) => ({
    ts: x[3] ?? o.t,
    host: x[4] ?? o.h,
    metric: x[0],
    labels: x[1],
    value: x[2] ?? NaN,
  }));
}

/**
 * Reads every complete snapshot of a segment; a torn last line (the collector was killed while
 * writing it) and undecodable lines are skipped.
 *
 * @param path Segment path.
 * @returns The rows of all complete snapshots.
 */
export function readSegment(path: string): LakeRow[] {
  const text = Deno.readTextFileSync(path);
  const rows: LakeRow[] = [];
  for (const line of text.split("\n")) {
    if (!line) continue;
    try {
      for (const r of decodeSnapshot(line)) rows.push(r);
    } catch {
      // a torn line from a killed writer: the snapshot was not complete, skip it
    }
  }
  return rows;
}

/** Appends snapshots to one segment file. */
export class SpoolWriter {
  /** The segment being written. */
  readonly segment: SpoolSegment;
  #file: Deno.FsFile;

  /**
   * Creates (or appends to) the segment `<root>/spool/<id>.jsonl`.
   *
   * @param root Lake root.
   * @param id Segment id (its start in ms).
   * @throws {LakeError} If the spool directory cannot be created or written.
   */
  constructor(root: string, id: number) {
    const path = `${spoolDir(root)}/${String(id).padStart(15, "0")}.jsonl`;
    try {
      Deno.mkdirSync(spoolDir(root), { recursive: true });
      this.#file = Deno.openSync(path, { append: true, create: true });
    } catch (error) {
      throw new LakeError(`Cannot write spool: ${spoolDir(root)} (${errorText(error)})`, {
        cause: error,
      });
    }
    this.segment = { id, path };
  }

  /**
   * Appends one snapshot as one line in one write to the OS.
   *
   * @param rows The snapshot.
   * @throws {LakeError} If the write fails (disk full).
   */
  append(rows: readonly LakeRow[]): void {
    if (rows.length === 0) return;
    const bytes = encoder.encode(encodeSnapshot(rows));
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
}

const encoder = new TextEncoder();

/**
 * Writes every leftover spool segment into Parquet (idempotently: partitions that already hold a
 * segment's id are skipped) and deletes it. Run at collector start before a new segment opens.
 *
 * @param root Lake root.
 * @returns The number of rows replayed.
 * @throws {LakeError} If a Parquet file cannot be written.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listSegments, replaySpool, SpoolWriter } from "./spool.ts";
 * const root = Deno.makeTempDirSync();
 * const w = new SpoolWriter(root, 1000);
 * w.append([{ ts: 1000, host: "h", metric: "m", labels: "", value: 1 }]);
 * w.close();
 * assert.equal(replaySpool(root), 1);
 * assert.deepEqual(listSegments(root), []);
 * ```
 */
export function replaySpool(root: string): number {
  let rows = 0;
  for (const segment of listSegments(root)) {
    const data = readSegment(segment.path);
    for (const f of writeSamples(data, { root, id: segment.id, skipExisting: true })) {
      rows += f.rows;
    }
    Deno.removeSync(segment.path);
  }
  return rows;
}
