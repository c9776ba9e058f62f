/**
 * The collector's replay of a leftover spool at its start (segments a killed collector did not
 * flush): each segment's rows become the partition files `part-<segment id>` its flush would have
 * written, then the segment is retired.
 *
 * In steps: a segment is decoded a piece (1 MiB) at a time into the columns of its partitions
 * (host × date), and each partition's file is one step. A file is the smallest step there is:
 * readers and compaction take a segment's rows of a partition to be in Parquet once
 * `part-<segment id>` is there (`spool_buffer.ts`, `write_samples.ts` `skipExisting`), so the
 * file is written whole, as the collector's own flush writes it. `replaySpoolAsync` takes a turn
 * of the event loop between steps (every 20 ms of work), so a stop signal is answered within a
 * step; what it has not retired stays in the spool, and the next replay skips the files already
 * written.
 *
 * @module
 */

import { ReplayStopped } from "./errors.ts";
import { canonicalHost, hostNameProblem } from "./names.ts";
import {
  hostTag,
  isUnwritable,
  keepInQuarantine,
  logQuarantine,
  type Quarantined,
  rowLines,
  writeQuarantine,
} from "./quarantine.ts";
import { ReplayPace } from "./_replay_pace.ts";
import { listSegments, readSegment, retireSegment, type SpoolSegment } from "./spool.ts";
import { SpoolDecoder } from "./spool_format.ts";
import { utcDate } from "./_paths.ts";
import { errorText } from "./write_file_atomic.ts";
import { writePartition } from "./write_samples.ts";

/** Options for {@linkcode replaySpool}. */
export interface ReplaySpoolOptions {
  /** Receives each host's rows moved to `spool/quarantine/` because they can never be written
   * (a host name the rules or the file system refuse); default one line on stderr. */
  onQuarantine?: (q: Quarantined) => void;
  /** The outbox cap the replayed segments are retired under (see `retireSegment`). Default
   * `OUTBOX_MAX_BYTES`. */
  outboxMaxBytes?: number | undefined;
  /** Where a cut of the outbox that drops segments is told (one line). Default `console.error`. */
  onDrop?: ((line: string) => void) | undefined;
}

/** Options for {@linkcode replaySpoolAsync}. */
export interface ReplaySpoolAsyncOptions extends ReplaySpoolOptions {
  /** Stops the replay at the end of the step under way, throwing {@linkcode ReplayStopped}; what
   * it has not retired stays in the spool. Default none. */
  signal?: AbortSignal | undefined;
  /** Work between two turns of the event loop, ms. Default 20. */
  turnMs?: number;
}

/** Bytes of a segment decoded in one step (~90,000 values). */
const PIECE = 1 << 20;
const DAY = 86_400_000;
const MiB = 1024 * 1024;

/** One partition's rows of one segment, as the file will hold them (finite values only). */
interface Partition {
  host: string;
  date: string;
  ts: number[];
  metric: string[];
  labels: string[];
  value: number[];
}

/** Where a replay is: rows written. */
interface Progress {
  rows: number;
}

/**
 * Writes every leftover spool segment into Parquet (idempotently: partitions that already hold a
 * segment's id are skipped) and retires it. Run at collector start before a new segment opens.
 * Rows of a host that can never be written are quarantined, so they do not stop the start; a
 * segment with undecodable bytes (damaged on disk) has what precedes them written and is then
 * moved whole to the quarantine as `collect-<id>.spool` (reported with the undecoded byte count).
 *
 * @param root Lake root.
 * @param options Where quarantines are reported, the outbox cap.
 * @returns The number of rows replayed.
 * @throws {LakeError} If a Parquet file cannot be written for now (disk full); the segment stays.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { replaySpool } from "./replay_spool.ts";
 * import { listSegments, SpoolWriter } from "./spool.ts";
 * const root = Deno.makeTempDirSync();
 * const w = new SpoolWriter(root, 1000);
 * w.append([{ ts: 1000, host: "h", metric: "m", labels: "", value: 1 }]);
 * w.close();
 * assert.equal(replaySpool(root), 1);
 * assert.deepEqual(listSegments(root), []);
 * ```
 */
export function replaySpool(root: string, options: ReplaySpoolOptions = {}): number {
  const progress: Progress = { rows: 0 };
  for (const _ of replaySteps(root, options, progress));
  return progress.rows;
}

/**
 * {@linkcode replaySpool} in steps with turns of the event loop between them, which a signal can
 * stop (see the module doc).
 *
 * @param root Lake root.
 * @param options As {@linkcode replaySpool}, with the stop signal and the turn length.
 * @returns The number of rows replayed.
 * @throws {ReplayStopped} When `signal` aborts before the replay's end (with the segments and
 * bytes that stay spooled: every segment not retired; the files written of the one under way are
 * skipped by the next replay).
 * @throws {LakeError} As {@linkcode replaySpool}.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ReplayStopped } from "./errors.ts";
 * import { replaySpoolAsync } from "./replay_spool.ts";
 * import { listSegments, SpoolWriter } from "./spool.ts";
 * const root = Deno.makeTempDirSync();
 * const w = new SpoolWriter(root, 1000);
 * w.append([{ ts: 1000, host: "h", metric: "m", labels: "", value: 1 }]);
 * w.close();
 * const stopped = await replaySpoolAsync(root, { signal: AbortSignal.abort() }).catch((e) => e);
 * assert.ok(stopped instanceof ReplayStopped && stopped.segments === 1);
 * assert.equal(await replaySpoolAsync(root), 1);
 * assert.deepEqual(listSegments(root), []);
 * ```
 */
export async function replaySpoolAsync(
  root: string,
  options: ReplaySpoolAsyncOptions = {},
): Promise<number> {
  const pace = new ReplayPace(options.signal, options.turnMs);
  const progress: Progress = { rows: 0 };
  if (pace.stopped && listSegments(root).length > 0) throw replayStopped(root);
  for (const _ of replaySteps(root, options, progress)) {
    if (await pace.step()) throw replayStopped(root);
  }
  return progress.rows;
}

/** What a stopped replay leaves spooled: the segments not retired (the files of the one under way
 * already written are skipped by the next replay). */
function replayStopped(root: string): ReplayStopped {
  const left = listSegments(root);
  const bytes = left.reduce((n, s) => n + Deno.statSync(s.path).size, 0);
  return new ReplayStopped(
    `Spool replay stopped: ${left.length} segments (${(bytes / MiB).toFixed(1)} MiB) stay spooled`,
    { segments: left.length, bytes },
  );
}

/** The replay, a step at a time (yielding after each). */
function* replaySteps(
  root: string,
  options: ReplaySpoolOptions,
  progress: Progress,
): Generator<void, void> {
  const report = options.onQuarantine ?? logQuarantine;
  for (const segment of listSegments(root)) {
    const parts = new Map<string, Partition>();
    let decoded = 0, undecoded = 0;
    if (segment.format === "jsonl") {
      const rows = readSegment(segment.path);
      for (const r of rows) add(parts, r.ts, r.host, r.metric, r.labels, r.value);
      decoded = rows.length;
    } else {
      const bytes = Deno.readFileSync(segment.path);
      const decoder = new SpoolDecoder();
      for (let at = 0; at < bytes.length; at += PIECE) {
        for (const { ts, series, values } of decoder.push(bytes.subarray(at, at + PIECE))) {
          for (let i = 0; i < series.length; i++) {
            const s = series[i]!;
            add(parts, ts, s.host, s.metric, s.labels, values[i]!);
          }
          decoded += series.length;
        }
        yield;
      }
      undecoded = decoder.undecodedBytes;
    }
    for (const key of [...parts.keys()].sort()) {
      const p = parts.get(key)!;
      parts.delete(key); // its rows can go once written
      progress.rows += writeOrQuarantine(root, segment.id, p, report);
      yield;
    }
    finish(root, segment, { decoded, undecoded, report, options });
  }
}

/** Adds one spooled value to its partition's columns. */
function add(
  parts: Map<string, Partition>,
  ts: number,
  rawHost: string,
  metric: string,
  labels: string,
  value: number,
): void {
  // one host whatever its case (see canonicalHost): Web1 and web1 share one file
  const host = canonicalHost(rawHost);
  const day = Math.floor(ts / DAY);
  const key = `${host}\n${day}`;
  let p = parts.get(key);
  if (!p) {
    const date = utcDate(day * DAY);
    parts.set(key, p = { host, date, ts: [], metric: [], labels: [], value: [] });
  }
  if (!Number.isFinite(value)) return; // no row for a missing value
  p.ts.push(ts), p.metric.push(metric), p.labels.push(labels), p.value.push(value);
}

/** Writes a partition's file (unless there already), or quarantines rows that can never be
 * written; the rows written. */
function writeOrQuarantine(
  root: string,
  id: number,
  p: Partition,
  report: (q: Quarantined) => void,
): number {
  try {
    const problem = hostNameProblem(p.host);
    if (problem) throw new RangeError(`Invalid host: ${problem}`);
    return writePartition(p, { root, id, host: p.host, date: p.date, skipExisting: true })
      ?.rows ?? 0;
  } catch (error) {
    if (!isUnwritable(error)) throw error;
    const path = writeQuarantine(root, `collect-${id}-${hostTag(p.host)}`, rowLines(p.host, p));
    report({ path, rows: p.ts.length, reason: errorText(error) });
    return 0;
  }
}

/** A segment all in Parquet: retired, or, damaged, kept whole in the quarantine. */
function finish(
  root: string,
  segment: SpoolSegment,
  o: {
    decoded: number;
    undecoded: number;
    report: (q: Quarantined) => void;
    options: ReplaySpoolOptions;
  },
): void {
  if (o.undecoded === 0) {
    retireSegment(root, segment.path, {
      outboxMaxBytes: o.options.outboxMaxBytes,
      onDrop: o.options.onDrop,
    });
    return;
  }
  // damaged bytes (a flipped bit): what came before them is in Parquet now; the segment is kept
  // whole, since the samples after them cannot be told apart from the damage
  const path = keepInQuarantine(root, segment.path, `collect-${segment.id}.spool`);
  o.report({
    path,
    rows: 0,
    reason: `damaged spool segment: its last ${o.undecoded} bytes cannot be decoded (the ` +
      `${o.decoded} samples before them were replayed)`,
  });
  Deno.removeSync(segment.path);
}
