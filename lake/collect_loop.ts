/**
 * The collector's loop: sample on a drift-free schedule, spool each snapshot, flush Parquet
 * every minute, replay a leftover spool at start.
 *
 * @module
 */

import {
  createSampler,
  labelText,
  type Sample,
  type SamplerOptions,
  type Snapshot,
  snapshotSamples,
} from "../collectors/mod.ts";
import { RowBuffer } from "./_row_buffer.ts";
import { acquireCollectorLock, type CollectorLockOptions } from "./collector_lock.ts";
import { checkHost } from "./names.ts";
import { LakeError } from "./errors.ts";
import { replaySpoolAsync } from "./replay_spool.ts";
import { listSegments, spoolDir, SpoolWriter } from "./spool.ts";
import { errorText } from "./write_file_atomic.ts";
import type { LakeRow } from "./write_samples.ts";

// for `collect`, which imports this file alone (not lake/mod.ts)
export { ReplayStopped } from "./errors.ts";

/**
 * Anything that returns a snapshot of samples when asked (see `createSampler`). A source with
 * `snapshot` (columns, nothing allocated per sample) is read through it; `sample` serves the
 * rest.
 */
export interface SampleSource {
  sample(): Sample[];
  snapshot?(): Snapshot;
}

/** Options for {@linkcode startCollection}. */
export interface CollectionOptions {
  /** Lake root, e.g. `data`. */
  root: string;
  /** Time between snapshots in ms. Default `1000`. */
  intervalMs?: number;
  /** Time between Parquet flushes in ms. Default `60000`. */
  flushEveryMs?: number;
  /** Host name for the default sampler. Default `Deno.hostname()`. */
  host?: string;
  /** Number of top processes for the default sampler. Default: the sampler's default. */
  topN?: number;
  /** More options of the default sampler (`procRoot`, `sysRoot`, `rootfs`, cgroups…). */
  samplerOptions?: SamplerOptions;
  /** Where snapshots come from. Default `createSampler({ host, topN })` from collectors (closed
   * when the collection stops). */
  sampler?: SampleSource;
  /** Stops the collection (after a final flush); during the replay of a leftover spool at start,
   * stops the replay (`startCollection` then throws `ReplayStopped`). */
  signal?: AbortSignal;
  /** Metrics of the collector's own parts for the default sampler (see `SamplerOptions`
   * `selfMetrics`), e.g. the remote-write sender's. Default: none. */
  selfMetrics?: SamplerOptions["selfMetrics"];
  /**
   * Waits between snapshots without the event loop (see `quietWait` in collectors): the loop then
   * takes its snapshots back to back in one task, and lets the event loop run only when `wait`
   * returns false and after each flush. Only for a process whose event loop has nothing else to
   * do meanwhile (`collect` without remote write): timers, I/O and promises wait while it sleeps.
   * Default: none (a timer per snapshot).
   */
  wait?: (ms: number) => boolean;
  /** Told when a leftover spool is found at start, before its replay: its segments and bytes
   * (for a line saying why the start waits). Default: nothing. */
  onReplay?: (leftover: { segments: number; bytes: number }) => void;
  /** Receives each snapshot after it is spooled (in-process consumers such as the web app). */
  onSamples?: (samples: Sample[]) => void;
  /** Receives errors of single snapshots (the loop goes on). Default: one line on stderr. */
  onError?: (error: unknown) => void;
  /** Clock in ms, used for the schedule and segment ids. Default `Date.now`. */
  now?: () => number;
  /** Who the data directory's `collector.lock` names (see `acquireCollectorLock`). Default:
   * this process, `deno task collect`. The lock is always taken: one writer per spool. */
  lock?: CollectorLockOptions;
  /** Cap on `DATA/spool/outbox/` (segments kept for remote-write senders, and the drop ledger,
   * which keeps to a 16th of the cap), bytes; the oldest segments
   * beyond it are deleted, told in one line, and counted by the senders as dropped. Default
   * `OUTBOX_MAX_BYTES` (1 GiB). */
  outboxMaxBytes?: number;
  /** Where a cut of the outbox that drops segments a reader had not sent is told (one line a
   * cut). Default `console.error`. */
  onSpoolDrop?: (line: string) => void;
}

/** What a collection did. */
export interface CollectionSummary {
  /** Snapshots taken. */
  snapshots: number;
  /** Rows written to Parquet (not counting replayed ones). */
  rows: number;
  /** Parquet files written. */
  files: number;
  /** Rows replayed from a leftover spool at start. */
  replayed: number;
}

/** A running collection. */
export interface Collection {
  /** Resolves after the collection stopped and flushed; rejects if a flush failed. */
  readonly done: Promise<CollectionSummary>;
  /** Writes the buffered snapshots to Parquet now. */
  flush(): void;
  /** Stops, flushes and resolves with the summary. */
  stop(): Promise<CollectionSummary>;
}

/**
 * Starts collecting into the lake at `root`. It first takes the data directory's collector lock
 * (`DATA/collector.lock`), so a second collector fails with a `CollectorBusyError` naming the
 * first. Leftover spool segments (from a killed collector) are then written to Parquet, in steps
 * with turns of the event loop between them (`replaySpoolAsync`), so that `signal` can stop the
 * replay: what it has not written stays in the spool for the next start. Sampling starts after
 * the replay: the collector's first flush must not come before it (its files would take ids
 * above the replayed segments', and a compaction between the two would hide the replayed files),
 * and a replay is one minute of samples but after a long failing flush. Ticks fall on
 * `start + k·intervalMs`, so the schedule does not drift; a tick that is late by more than an
 * interval is skipped rather than bunched.
 *
 * @param options See {@linkcode CollectionOptions}.
 * @returns The running collection.
 * @throws {CollectorBusyError} If another process collects into `root`.
 * @throws {LakeError} If the lake cannot be written (checked before the first snapshot).
 * @throws {ReplayStopped} If `signal` aborts during the replay of a leftover spool (the lock is
 * released; the counts of what stays spooled are on the error).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startCollection } from "./collect_loop.ts";
 * const root = Deno.makeTempDirSync();
 * let n = 0;
 * const sampler = { sample: () => [{ ts: Date.now(), host: "h", metric: "m", labels: {}, value: ++n }] };
 * const collection = await startCollection({ root, sampler, intervalMs: 10 });
 * await new Promise((r) => setTimeout(r, 50));
 * const summary = await collection.stop();
 * assert.equal(summary.rows, summary.snapshots);
 * assert.ok(summary.files >= 1);
 * ```
 */
export async function startCollection(options: CollectionOptions): Promise<Collection> {
  const { root, intervalMs = 1000, flushEveryMs = 60_000, signal, wait } = options;
  if (!(intervalMs > 0)) throw new RangeError(`Invalid intervalMs: ${intervalMs}`);
  if (!(flushEveryMs > 0)) throw new RangeError(`Invalid flushEveryMs: ${flushEveryMs}`);
  const now = options.now ?? Date.now;
  const onError = options.onError ??
    ((e: unknown) => console.error(`collect: ${e instanceof Error ? e.message : e}`));
  const host = checkHost(options.host ?? Deno.hostname());
  const summary: CollectionSummary = { snapshots: 0, rows: 0, files: 0, replayed: 0 };
  const retireOptions = { outboxMaxBytes: options.outboxMaxBytes, onDrop: options.onSpoolDrop };
  try {
    await Deno.mkdir(spoolDir(root), { recursive: true });
  } catch (error) {
    throw new LakeError(`Cannot write lake: ${root} (${errorText(error)})`, { cause: error });
  }
  // Before the replay: a second collector must not write (or delete) the first one's segments.
  const lock = acquireCollectorLock(root, { now, ...options.lock });
  let spool: SpoolWriter;
  try {
    const leftover = listSegments(root);
    if (leftover.length > 0) {
      const bytes = leftover.reduce((n, s) => n + Deno.statSync(s.path).size, 0);
      options.onReplay?.({ segments: leftover.length, bytes });
    }
    summary.replayed = await replaySpoolAsync(root, { ...retireOptions, signal });
    spool = new SpoolWriter(root, now());
  } catch (error) {
    lock.release();
    throw error;
  }
  // The default sampler reports how late this loop's own ticks fire as its event-loop delay
  // (instead of running a probe timer: one wake-up less per interval).
  let lateness = 0;
  const owned = options.sampler ? undefined : createSampler({
    ...options.samplerOptions,
    host,
    loopDelay: () => lateness,
    ...(options.selfMetrics && { selfMetrics: options.selfMetrics }),
    ...(options.topN === undefined ? {} : { topN: options.topN }),
  });
  const sampler: SampleSource = options.sampler ?? owned!;
  const buffer = new RowBuffer();
  const start = now();
  let tick = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let resolveDone!: (s: CollectionSummary) => void;
  let rejectDone!: (e: unknown) => void;
  const done = new Promise<CollectionSummary>((res, rej) => {
    resolveDone = res;
    rejectDone = rej;
  });

  function flush(): void {
    // Parquet first, then rotate: a failed write keeps the segment and the buffer, and the
    // next try rewrites the same file names (idempotent).
    if (buffer.length === 0) return;
    const old = spool;
    for (const f of buffer.write({ root, id: old.segment.id })) {
      summary.files++;
      summary.rows += f.rows;
    }
    buffer.clear();
    spool = new SpoolWriter(root, Math.max(now(), old.segment.id + 1));
    old.retire(root, retireOptions);
  }

  /** One snapshot (and the flush when due); true if it flushed. */
  function snapshot(): boolean {
    lateness = Math.max(0, now() - (start + tick * intervalMs));
    try {
      if (sampler.snapshot) {
        const snap = sampler.snapshot();
        summary.snapshots++;
        spool.appendSnapshot(snap);
        buffer.addSnapshot(snap);
        options.onSamples?.(snapshotSamples(snap));
      } else {
        const samples = sampler.sample();
        summary.snapshots++;
        const rows: LakeRow[] = samples.map((s) => ({
          ts: s.ts,
          host: s.host,
          metric: s.metric,
          labels: labelText(s.labels),
          value: s.value,
        }));
        spool.append(rows);
        buffer.addRows(rows);
        options.onSamples?.(samples);
      }
      if (now() - spool.segment.id >= flushEveryMs) {
        flush();
        return true;
      }
    } catch (error) {
      onError(error);
    }
    return false;
  }

  /**
   * Takes the snapshot that is due, then the next ones: after a timer (`quiet` false: the first
   * snapshot, and after every turn of the event loop) or in a loop with `options.wait` between.
   */
  function step(quiet = true): void {
    timer = undefined;
    for (;;) {
      if (stopped) return;
      const flushed = snapshot();
      const delay = next();
      // the event loop runs after a flush (once a minute) and whenever the wait was cut short
      if (!quiet || wait === undefined || flushed || !wait(delay)) break;
    }
    if (!stopped) timer = setTimeout(step, Math.max(0, start + tick * intervalMs - now()));
  }

  /** Moves `tick` to the next snapshot (skipping those already missed); the delay until it. */
  function next(): number {
    const t = now();
    tick = Math.max(tick + 1, Math.floor((t - start) / intervalMs) + 1);
    return Math.max(0, start + tick * intervalMs - t);
  }

  function stop(): Promise<CollectionSummary> {
    if (!stopped) {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      owned?.close();
      try {
        flush();
        spool.retire(root, retireOptions);
        resolveDone(summary);
      } catch (error) {
        rejectDone(error);
      } finally {
        lock.release();
      }
    }
    return done;
  }

  function onAbort(): void {
    stop().catch(() => {});
  }

  if (signal?.aborted) return { done: stop(), flush, stop };
  signal?.addEventListener("abort", onAbort, { once: true });
  step(false);
  return { done, flush, stop };
}
