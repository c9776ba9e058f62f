/**
 * The ingest writer: pushed samples go through the same two steps as collected ones, a
 * write-ahead spool (answered once the bytes are in the OS) and Parquet written in batches
 * (every `flushEveryMs`, `flushRows` or `flushSpoolBytes`), so a request costs a parse and one
 * append, not a file.
 *
 * Bounded: the rows waiting for Parquet (`maxBufferedRows`, about 20 bytes each) and the spool
 * on disk (`maxSpoolBytes`) have budgets. A request that would go past one, or that comes while
 * a flush has been behind for `maxFlushLagMs`, is refused whole with {@linkcode IngestBusy}
 * (HTTP 503 and `Retry-After`) and counted; nothing of it is written. That is the backpressure
 * every producer gets, `/api/ingest` and the receivers alike.
 *
 * Generations: a flush takes the rows buffered so far (and the spool segments they came from)
 * as one generation and writes it in turns, while new requests fill the next generation and a
 * new segment; a generation's segments are deleted once all of it is in Parquet.
 *
 * File ids: the lake shows a partition's newest `compact-<C>` and the parts with an id above C,
 * and the collector names its part after its open spool segment S. An ingest part therefore takes
 * the id just above the largest id already in its partition (visible after any compaction that
 * did not include it) and below every open collector segment (so it neither takes the
 * collector's future name nor lifts a later compaction above it). A new partition starts an
 * hour of ids below that bound, so its next files have ids to take; where no id is free (a
 * partition the collector writes, between its parts), that partition waits for the next flush.
 *
 * @module
 */
import {
  fileNames,
  legacyPartitionDirs,
  maxDataFileId,
  parseDataFile,
  partitionDir,
  utcDate,
} from "./_paths.ts";
import {
  type BufferedFilter,
  type BufferedRows,
  type BufferedSource,
  emptyBufferedRows,
  type StoredFile,
} from "./buffered_rows.ts";
import { IngestBusy, type IngestBusyReason } from "./ingest_busy.ts";
import { IngestGroup } from "./ingest_group.ts";
import {
  checkIngestBatch,
  type IngestBatch,
  type IngestLimits,
  ingestWindow,
  parseIngestLines,
  parseIngestLinesAsync,
  type ParseIngestLinesAsyncOptions,
  type ParseIngestLinesOptions,
} from "./ingest_lines.ts";
import { removeStaleTemp } from "./_remove_stale_temp.ts";
import {
  type IngestPlanEntry,
  type IngestSegmentFile,
  ingestSpoolDir,
  IngestSpoolSegment,
  isDiskFull,
  listIngestSegments,
  readIngestPlan,
  readIngestRecords,
  retireIngestSegment,
  writeIngestPlan,
} from "./ingest_spool.ts";
import {
  ingestSegmentRecords,
  ingestSegmentRows,
  IngestSpoolEncoder,
} from "./ingest_spool_format.ts";
import { ReplayPace } from "./_replay_pace.ts";
import {
  type IngestFlushJob,
  type IngestFlushResult,
  JOB_DONE,
  JOB_FAILED,
  JOB_RUNNING,
  JOB_UNWRITABLE,
} from "./ingest_flush_worker.ts";
import { IngestReplayStopped, LakeError } from "./errors.ts";
import { IngestParseThread } from "./ingest_parse_thread.ts";
import {
  hostTag,
  isUnwritable,
  keepInQuarantine,
  logQuarantine,
  type Quarantined,
  rowLines,
  writeQuarantine,
} from "./quarantine.ts";
import { canonicalHost, checkHost } from "./names.ts";
import { listSegments } from "./spool.ts";
import { errorText } from "./write_file_atomic.ts";
import { writePartition } from "./write_samples.ts";

/** Options for {@linkcode IngestWriter}. */
export interface IngestWriterOptions {
  /** Lake root. */
  root: string;
  /** Most time buffered rows wait for Parquet, ms; default 10 000. */
  flushEveryMs?: number;
  /** Buffered rows that start a flush; default 100 000 (a 50 000-row file costs ~15 ms). */
  flushRows?: number;
  /** Bytes of the open spool segment that start a flush; default 16 MiB. */
  flushSpoolBytes?: number;
  /** Most rows waiting for Parquet (~20 bytes each, plus their request while it is parsed);
   * a request that would go past it is refused with {@linkcode IngestBusy}; default 500 000.
   * The request line limit is lowered to it if larger. */
  maxBufferedRows?: number;
  /** Disk budget of the ingest spool (`DATA/spool_ingest/`), bytes; a request that would go
   * past it is refused with {@linkcode IngestBusy}; default 256 MiB. */
  maxSpoolBytes?: number;
  /** A flush still writing one generation after this long refuses new requests until it is
   * done (it is failing, e.g. a full disk, or cannot keep up), ms; default 30 000. */
  maxFlushLagMs?: number;
  /** fsync Parquet files (and the plan) before their rename; default true. */
  sync?: boolean;
  /** Clock (ms); default `Date.now`. */
  now?: () => number;
  /** Receives errors of timed flushes; default one line on stderr. */
  onError?: (error: unknown) => void;
  /** What one request may carry; defaults in `INGEST_LIMITS` (250 000 lines, 64 host × date
   * partitions, samples from 30 days ago to 5 minutes ahead). */
  limits?: IngestLimits;
  /** Most Parquet files a timed flush writes in one turn of the event loop (the rest follow on
   * the next turns, so requests and `/healthz` are answered in between); default 64. */
  flushPartitions?: number;
  /** Time a timed flush may spend in one turn of the event loop, ms (at least one file is
   * written per turn; a file costs ~5–20 ms with fsync); default 50. */
  flushBudgetMs?: number;
  /** Receives each batch of spooled samples moved to `spool/quarantine/` because it can never
   * be written (see `quarantine.ts`); default one line on stderr. */
  onQuarantine?: (q: Quarantined) => void;
  /** Write the timed flushes' Parquet files on a Worker thread (`ingest_flush_worker.ts`), one
   * at a time, so their encoding and fsync never hold up the event loop; `flush()` and `close()`
   * wait for it. Default false (`serve` turns it on). */
  flushInWorker?: boolean;
  /** Cap on `DATA/spool_ingest/outbox/` (its drop ledger included), where segments written to
   * Parquet wait for the remote-write senders registered in `spool_ingest/readers/` (oldest
   * deleted first); default
   * 1 GiB. Without readers segments are deleted once in Parquet. */
  outboxMaxBytes?: number;
  /** Parse the bodies of {@linkcode IngestWriter.writeAsync} on a Worker thread
   * (`ingest_parse_worker.ts`, started at the first body), so their parse and its garbage never
   * hold up the event loop; the body's buffers are handed over (detached). Default false (`serve`
   * turns it on). */
  parseInWorker?: boolean;
  /** Resident memory of the process (bytes) past which requests are refused with
   * {@linkcode IngestBusy} (`reason: "memory"`) until it is back under; default none. Rows and
   * bytes budgets bound what the writer holds; this bounds everything else a burst costs
   * (bodies being read and parsed, garbage not yet collected). */
  maxRssBytes?: number;
  /** Samples waiting for Parquet below which the memory mark refuses nothing; default 50,000.
   * Memory held while ingest keeps up is not ingest's (a query, an analysis, the embedding
   * process): refusing a trickle of pushes would not give it back, only lose the pushes. */
  memoryGateRows?: number;
  /** Reads the resident memory for `maxRssBytes`; default `Deno.memoryUsage().rss`. */
  rss?: () => number;
  /** Called when the memory has stayed past `maxRssBytes` for 2 s of refusals (then at most
   * every 2 s), e.g. V8's `gc` (serve runs with `--expose-gc`): garbage gives its memory back
   * only when the collector runs, and a server that refuses the work that allocates would
   * otherwise wait long for it. Not at the first refusal: the collector usually comes by itself
   * first, and a forced full collection pauses the event loop. Default none. */
  collectGarbage?: () => void;
}

/** Options for {@linkcode IngestWriter.open}. */
export interface IngestOpenOptions extends IngestWriterOptions {
  /** Stops the replay of a leftover spool (between segments, and between the files of the flushes
   * it makes), throwing {@linkcode IngestReplayStopped}; what it has not written stays in the spool
   * for the next open. Default none. */
  signal?: AbortSignal;
}

/** Options of {@linkcode IngestWriter.write}: clock and limits that override the writer's, and
 * the series admission of the caller. */
export interface IngestWriteOptions extends Omit<ParseIngestLinesOptions, "trusted"> {
  /** Picks the samples to store from the validated body (e.g. the series limit of
   * `/api/ingest`); the rest is dropped, the returned batch is what is stored and returned.
   * Default: all of them. */
  admit?: (batch: IngestBatch) => IngestBatch;
}

/** Options of {@linkcode IngestWriter.writeAsync}: as {@linkcode IngestWriteOptions}, with the
 * chunking of a parse on the event loop. */
export type IngestWriteAsyncOptions =
  & Omit<ParseIngestLinesAsyncOptions, "trusted">
  & Pick<IngestWriteOptions, "admit">;

/** The writer's counters and levels, for `/metrics`, the bench and tests. */
export interface IngestStats {
  /** Samples accepted (spooled) since the writer opened. */
  accepted: number;
  /** Requests refused with {@linkcode IngestBusy} since the writer opened. */
  refused: number;
  /** Rows waiting for Parquet. */
  buffered: number;
  /** Most rows that ever waited at once. */
  bufferedPeak: number;
  /** Bytes of the ingest spool on disk. */
  spoolBytes: number;
  /** Rows written to Parquet since the writer opened. */
  written: number;
  /** Samples moved to the quarantine since the writer opened. */
  quarantined: number;
}

export {
  INGEST_LIMITS,
  type IngestBatch,
  type IngestLimits,
  parseIngestLines,
  parseIngestLinesAsync,
  type ParseIngestLinesAsyncOptions,
  type ParseIngestLinesOptions,
} from "./ingest_lines.ts";
import { widenExtent } from "./widen_extent.ts";
export { IngestBusy, type IngestBusyReason } from "./ingest_busy.ts";

const DAY = 86_400_000;

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** A body given in chunks as one array (no copy for one chunk). */
function joinChunks(body: Uint8Array | readonly Uint8Array[]): Uint8Array {
  if (!Array.isArray(body)) return body as Uint8Array;
  const chunks = body as readonly Uint8Array[];
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) out.set(c, at), at += c.length;
  return out;
}
/** Ids a new partition leaves free below the collector's open segment (see the module doc). */
const FRESH_ID_ROOM = 3_600_000;
const MiB = 1024 * 1024;
/** Set while {@linkcode IngestWriter.open} constructs a writer: the constructor leaves the replay
 * (and the start after it) to `open`. */
let replayLater = false;
/** Samples of a request {@linkcode IngestWriter.open}'s replay decodes and buffers in one step
 * (~10 ms of work; a request holds up to 250,000): a stop waits for no more. */
const REPLAY_SLICE = 4096;

/**
 * Validates, spools and batches pushed samples. Opening it replays a leftover ingest spool.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IngestWriter, openLake } from "./mod.ts";
 * const root = Deno.makeTempDirSync();
 * const ts = Date.UTC(2024, 0, 1);
 * const writer = new IngestWriter({ root, sync: false, now: () => ts + 60_000 });
 * const body = new TextEncoder().encode(`{"ts":${ts},"host":"h","metric":"m","value":1}\n`);
 * assert.equal(writer.write(body).ts.length, 1);
 * assert.equal(writer.flush(), 1);
 * writer.close();
 * const lake = await openLake({ root });
 * assert.equal((await lake.query("SELECT count(*) AS n FROM samples"))[0]!.n, 1);
 * lake.close();
 * ```
 */
export class IngestWriter implements BufferedSource {
  #root: string;
  #sync: boolean;
  #now: () => number;
  #flushEveryMs: number;
  #flushRows: number;
  #flushSpoolBytes: number;
  #maxBufferedRows: number;
  #maxSpoolBytes: number;
  #maxFlushLagMs: number;
  #segment: IngestSpoolSegment | undefined;
  #encoder = new IngestSpoolEncoder();
  /** Segments of the generation being flushed (deleted once it is all in Parquet), with their
   * paths and the bytes they count in `#spoolBytes`. */
  #pending: IngestSegmentFile[] = [];
  #plan: IngestPlanEntry[];
  /** The generation requests fill. */
  #groups = new Map<string, IngestGroup>();
  /** The generation being written. */
  #flushing = new Map<string, IngestGroup>();
  #flushingSince = 0;
  #last: IngestGroup | undefined;
  #lastDay = NaN;
  #rows = 0;
  #liveRows = 0;
  #spoolBytes = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  /** The largest id of the segments replayed (the new segment's id is above it). */
  #lastReplayed = 0;
  #soon: ReturnType<typeof setTimeout> | undefined;
  #onError: (error: unknown) => void;
  #lastError = -Infinity;
  #limits: IngestLimits;
  #flushPartitions: number;
  #flushBudgetMs: number;
  /** Files the next timed turn plans: what fit the budget last time (planning costs a directory
   * listing per partition, so a turn does not plan far more than it can write). */
  #turnSize: number;
  /** Writable partitions a bounded flush left for its next turn. */
  #more = false;
  #onQuarantine: (q: Quarantined) => void;
  #quarantined = 0;
  #accepted = 0;
  #refused = 0;
  #writtenRows = 0;
  #peak = 0;
  #closed = false;
  #worker: Worker | undefined;
  /** The file the flush thread is writing. */
  #job:
    | { job: number; key: string; g: IngestGroup; entry: IngestPlanEntry; flag: Int32Array }
    | undefined;
  #jobs = 0;
  /** Called with the flush thread's next answer, for {@linkcode IngestWriter.closeAsync}. */
  #answered: ((failure: unknown) => void) | undefined;
  /** Set by `closeAsync`: the timers start no flush (it writes the rest itself). */
  #draining = false;
  #outboxMaxBytes: number | undefined;
  #parser: IngestParseThread | undefined;
  #maxRssBytes: number | undefined;
  #memoryGateRows: number;
  #rss: () => number;
  #collectGarbage: (() => void) | undefined;
  /** When the memory went past its mark (NaN: under it), and the last forced collection. */
  #overSince = NaN;
  #lastCollect = -Infinity;

  /**
   * @param options See {@linkcode IngestWriterOptions}.
   * @throws {RangeError} If a flush setting or budget is not positive.
   * @throws {LakeError} If the spool cannot be read or written. A replayed record that cannot
   * become Parquet is quarantined; one that fails for now (disk full) stays buffered and goes to
   * `onError`.
   */
  constructor(options: IngestWriterOptions) {
    this.#flushEveryMs = options.flushEveryMs ?? 10_000;
    this.#flushRows = options.flushRows ?? 100_000;
    this.#flushSpoolBytes = options.flushSpoolBytes ?? 16 * MiB;
    this.#maxBufferedRows = options.maxBufferedRows ?? 500_000;
    this.#maxSpoolBytes = options.maxSpoolBytes ?? 256 * MiB;
    this.#maxFlushLagMs = options.maxFlushLagMs ?? 30_000;
    this.#flushPartitions = options.flushPartitions ?? 64;
    this.#flushBudgetMs = options.flushBudgetMs ?? 50;
    this.#maxRssBytes = options.maxRssBytes;
    this.#memoryGateRows = options.memoryGateRows ?? 50_000;
    this.#rss = options.rss ?? (() => Deno.memoryUsage().rss);
    this.#collectGarbage = options.collectGarbage;
    if (this.#maxRssBytes !== undefined && !(this.#maxRssBytes > 0)) {
      throw new RangeError(`Invalid maxRssBytes: ${this.#maxRssBytes}`);
    }
    for (
      const [name, value] of Object.entries({
        flushEveryMs: this.#flushEveryMs,
        flushRows: this.#flushRows,
        flushSpoolBytes: this.#flushSpoolBytes,
        maxBufferedRows: this.#maxBufferedRows,
        maxSpoolBytes: this.#maxSpoolBytes,
        maxFlushLagMs: this.#maxFlushLagMs,
      })
    ) {
      if (!(value > 0)) throw new RangeError(`Invalid ${name}: ${value}`);
    }
    this.#turnSize = this.#flushPartitions;
    this.#outboxMaxBytes = options.outboxMaxBytes;
    if (!(this.#flushBudgetMs >= 0)) {
      throw new RangeError(`Invalid flushBudgetMs: ${this.#flushBudgetMs}`);
    }
    if (!(this.#flushPartitions >= 1)) {
      throw new RangeError(`Invalid flushPartitions: ${this.#flushPartitions}`);
    }
    this.#limits = { ...options.limits };
    // a request larger than the row budget could never be taken: refuse it as too large instead
    this.#limits.maxLines = Math.min(this.#limits.maxLines ?? 250_000, this.#maxBufferedRows);
    this.#onQuarantine = options.onQuarantine ?? logQuarantine;
    this.#root = options.root;
    this.#sync = options.sync ?? true;
    this.#now = options.now ?? Date.now;
    this.#onError = options.onError ??
      ((e) => console.error(`ingest: ${e instanceof Error ? e.message : e}`));
    // a plan write cut by a kill (or a stop's deadline) leaves its temporary file behind
    removeStaleTemp(ingestSpoolDir(this.#root));
    this.#plan = readIngestPlan(this.#root);
    if (replayLater) return;
    for (const seg of listIngestSegments(this.#root)) {
      this.#replay(seg);
      // a long spool is written as it is read, so replaying it costs the row budget at most
      if (this.#rows >= this.#flushRows) this.#flushReplayed();
    }
    this.#start(options);
  }

  /**
   * Opens a writer as the constructor does, replaying a leftover spool request by request (a large
   * request 4096 samples at a time, decoded and buffered as its turn comes) with a turn of the
   * event loop every 20 ms of work, and writing it in turns of at most `flushPartitions` files (and
   * `flushBudgetMs`), so that a signal can stop it: a replay of a large spool takes seconds (a
   * full 500 000-row buffer, more after a raised budget). Stopped, it leaves every segment it
   * has not written whole in the spool (the files it wrote are in the plan, so the next open
   * writes nothing twice) and opens nothing.
   *
   * @param options See {@linkcode IngestOpenOptions}.
   * @returns The writer, open.
   * @throws {IngestReplayStopped} When `signal` aborts during the replay (with what stays
   * spooled).
   * @throws {RangeError} As the constructor.
   * @throws {LakeError} As the constructor.
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { IngestWriter } from "./mod.ts";
   * const root = Deno.makeTempDirSync();
   * const writer = await IngestWriter.open({ root, sync: false, signal: new AbortController().signal });
   * assert.equal(writer.buffered, 0);
   * writer.close();
   * ```
   */
  static async open(options: IngestOpenOptions): Promise<IngestWriter> {
    replayLater = true;
    let writer: IngestWriter;
    try {
      writer = new IngestWriter(options);
    } finally {
      replayLater = false;
    }
    await writer.#replayInTurns(options.signal);
    writer.#start(options);
    return writer;
  }

  /** The replay of {@linkcode IngestWriter.open}: as the constructor's, in steps with turns of the
   * event loop between them (see `ReplayPace`). */
  async #replayInTurns(signal: AbortSignal | undefined): Promise<void> {
    const segments = listIngestSegments(this.#root);
    const pace = new ReplayPace(signal);
    for (const [i, seg] of segments.entries()) {
      // request by request, a large one in slices: one segment may hold a flush's worth of rows,
      // one request 250,000 (a second of work when its hosts change sample after sample)
      const held = this.#rows;
      if (pace.stopped) throw this.#replayStopped(held, segments.slice(i));
      for (const batch of this.#segmentBatches(seg)) {
        const n = batch.ts.length;
        for (let at = 0; at < n; at += REPLAY_SLICE) {
          if (await pace.step()) throw this.#replayStopped(held, segments.slice(i));
          this.#add(batch, seg.id, true, at, Math.min(n, at + REPLAY_SLICE));
        }
      }
      this.#replayed(seg);
      if (this.#rows < this.#flushRows) continue;
      this.#flushing = this.#groups;
      this.#groups = new Map();
      this.#liveRows = 0;
      try {
        for (;;) {
          this.#flush(false, this.#turnSize, this.#flushBudgetMs);
          if (!this.#more) break;
          if (await pace.step(true)) {
            throw this.#replayStopped(this.#rows, segments.slice(i + 1));
          }
        }
      } catch (error) {
        if (error instanceof IngestReplayStopped) throw error;
        this.#lastError = this.#now();
        this.#onError(error); // left for the timed flushes, as the constructor's replay does
      } finally {
        // what waits for a free file id, or failed for now, goes on with the next segments' rows
        for (const [k, g] of this.#flushing) this.#groups.set(k, g);
        this.#flushing = new Map();
      }
    }
  }

  /** What a stopped replay leaves in the spool: `held`, the rows of the segments read whole and
   * not written, and those of the segments not read whole (counted from their record headers). */
  #replayStopped(held: number, unread: IngestSegmentFile[]): IngestReplayStopped {
    let rows = held;
    for (const seg of unread) {
      rows += seg.format === "binary"
        ? ingestSegmentRows(Deno.readFileSync(seg.path))
        : readIngestRecords(seg.path).records
          .reduce((n, text) => n + text.split("\n").filter((l) => l.trim()).length, 0);
    }
    const left = listIngestSegments(this.#root);
    const bytes = left.reduce((n, s) => n + s.bytes, 0);
    return new IngestReplayStopped(
      `Ingest spool replay stopped: ${rows} samples in ${left.length} segments stay spooled`,
      { rows, segments: left.length, bytes },
    );
  }

  /** After the replay: the rest of it becomes the generation being written, the new segment
   * opens, then the threads and the timer start. */
  #start(options: IngestWriterOptions): void {
    const lastId = this.#lastReplayed;
    this.#flushing = this.#groups;
    this.#groups = new Map();
    this.#liveRows = 0;
    this.#flushingSince = this.#now();
    // what is on disk now (a damaged segment went to the quarantine, written ones were deleted)
    this.#spoolBytes = listIngestSegments(this.#root).reduce((n, s) => n + s.bytes, 0);
    this.#segment = this.#open(Math.max(this.#now(), lastId + 1));
    // last, so that a constructor that throws leaves no thread behind
    if (options.flushInWorker) {
      this.#worker = new Worker(new URL("./ingest_flush_worker.ts", import.meta.url), {
        type: "module",
      });
      this.#worker.onmessage = (e: MessageEvent<IngestFlushResult>) => {
        if (this.#job?.job !== e.data.job) return; // applied already by a synchronous wait
        const status = e.data.error === undefined
          ? JOB_DONE
          : e.data.unwritable
          ? JOB_UNWRITABLE
          : JOB_FAILED;
        const answered = this.#answered;
        this.#answered = undefined;
        if (answered === undefined) return this.#apply(status, e.data.rows, e.data.error ?? "");
        // closeAsync waits: it gets the answer, or what taking it in threw (a segment that
        // cannot be retired), instead of waiting for good
        try {
          this.#apply(status, e.data.rows, e.data.error ?? "");
          answered(
            status === JOB_FAILED
              ? new LakeError(`Cannot write ingest Parquet: ${e.data.error}`)
              : undefined,
          );
        } catch (error) {
          answered(error);
        }
      };
    }
    if (options.parseInWorker) this.#parser = new IngestParseThread();
    if (this.#pending.length > 0) this.#tryFlush(true);
    const timer = this.#timer = setInterval(() => this.#tryFlush(true), this.#flushEveryMs);
    Deno.unrefTimer(Number(timer));
  }

  /** Replays one segment left by an earlier process into the buffer. */
  #replay(seg: IngestSegmentFile): void {
    for (const batch of this.#segmentBatches(seg)) this.#add(batch, seg.id, true);
    this.#replayed(seg);
  }

  /** A segment read whole into the buffer: it is retired with the generation. */
  #replayed(seg: IngestSegmentFile): void {
    this.#pending.push(seg);
    this.#lastReplayed = Math.max(this.#lastReplayed, seg.id);
  }

  /** The samples of a segment's requests, in order, decoded when asked for (binary records in
   * slices of {@linkcode REPLAY_SLICE}; damage and records refused kept aside). */
  *#segmentBatches(seg: IngestSegmentFile): Generator<IngestBatch, void> {
    const name = seg.path.slice(seg.path.lastIndexOf("/") + 1);
    if (seg.format === "binary") {
      // a large request a slice at a time: decoding 250,000 samples takes 0.3-0.9 s
      const slices = ingestSegmentRecords(Deno.readFileSync(seg.path), REPLAY_SLICE);
      for (;;) {
        const r = slices.next();
        if (!r.done) {
          yield r.value;
          continue;
        }
        const { undecoded, records } = r.value;
        if (undecoded > 0) this.#keepDamaged(seg.path, name, undecoded, records);
        return;
      }
    }
    const { records, undecoded } = readIngestRecords(seg.path);
    if (undecoded > 0) this.#keepDamaged(seg.path, name, undecoded, records.length);
    for (const [i, text] of records.entries()) {
      let batch: IngestBatch;
      try {
        batch = parseIngestLines(text, { trusted: true });
      } catch (error) {
        // refused by today's rules (an older version or a hand edit spooled it): keep it aside
        if (!(error instanceof RangeError)) throw error;
        const path = writeQuarantine(this.#root, `ingest-${seg.id}-${i + 1}`, text);
        this.#quarantine({ path, rows: text.split("\n").filter((l) => l.trim()).length }, error);
        continue;
      }
      yield batch;
    }
  }

  /** Damaged on disk: the records before the damage replay; the segment is kept whole, since
   * the requests after the damage cannot be told apart from it. */
  #keepDamaged(path: string, name: string, undecoded: number, replayed: number): void {
    const kept = keepInQuarantine(this.#root, path, `ingest-${name}`);
    this.#onQuarantine({
      path: kept,
      rows: 0,
      reason: `damaged ingest spool segment: its last ${undecoded} bytes cannot be decoded ` +
        `(the ${replayed} requests before them were replayed)`,
    });
  }

  /** Writes what the replay buffered so far, and deletes its segments (failures: left for the
   * timed flushes). */
  #flushReplayed(): void {
    this.#flushing = this.#groups;
    this.#groups = new Map();
    this.#liveRows = 0;
    try {
      this.#flush(false, Infinity);
    } catch (error) {
      this.#lastError = this.#now();
      this.#onError(error);
      // keep the rest buffered together: the next turns retry it
      for (const [k, g] of this.#flushing) this.#groups.set(k, g);
      this.#flushing = new Map();
    }
  }

  #open(id: number): IngestSpoolSegment {
    const seg = new IngestSpoolSegment(this.#root, id);
    this.#spoolBytes += seg.size;
    this.#encoder = new IngestSpoolEncoder();
    return seg;
  }

  /** Rows waiting for Parquet. */
  get buffered(): number {
    return this.#rows;
  }

  /** Samples moved to the quarantine since this writer opened. */
  get quarantined(): number {
    return this.#quarantined;
  }

  /** Counters and levels (see {@linkcode IngestStats}). */
  get stats(): IngestStats {
    return {
      accepted: this.#accepted,
      refused: this.#refused,
      buffered: this.#rows,
      bufferedPeak: this.#peak,
      spoolBytes: this.#spoolBytes,
      written: this.#writtenRows,
      quarantined: this.#quarantined,
    };
  }

  /**
   * The rows waiting for Parquet that match `filter` (copies, as Parquet will hold them), for
   * reads that answer the newest data (`Lake.includeBuffered`). Both generations count: the
   * one requests fill and the one being written. Rows leave this buffer only after their file
   * is in the lake under its final name, so a read that lists the files and then calls this in
   * the same synchronous step finds every accepted row in one place or the other; the one case
   * of both is the file the flush thread has just renamed and whose answer this thread has not
   * taken in yet, and `stored` (the read's own listing) tells whether to leave it out.
   *
   * @param filter Range, host, metrics and labels (see {@linkcode BufferedFilter}).
   * @param stored Whether the read's listing holds a partition's file `id`.
   * @returns The rows, their series numbered in the returned table.
   */
  bufferedRows(filter: BufferedFilter, stored: StoredFile): BufferedRows {
    const out = emptyBufferedRows();
    if (!(filter.to > filter.from)) return out;
    const first = utcDate(filter.from), last = utcDate(filter.to - 1);
    const job = this.#job;
    for (const groups of [this.#flushing, this.#groups]) {
      for (const g of groups.values()) {
        if (filter.host !== undefined && g.host !== filter.host) continue;
        if (g.date < first || g.date > last) continue;
        if (job !== undefined && job.g === g && stored(g.host, g.date, job.entry.id)) continue;
        g.collect(filter, out);
      }
    }
    return out;
  }

  /** The series with rows waiting for Parquet that it will hold (a finite value), for series
   * listings; a series may appear once per generation (the caller folds them). */
  bufferedSeries(): { host: string; metric: string; labels: string }[] {
    const out: { host: string; metric: string; labels: string }[] = [];
    for (const groups of [this.#flushing, this.#groups]) {
      for (const g of groups.values()) {
        for (const s of g.storedSeries()) out.push({ host: g.host, ...s });
      }
    }
    return out;
  }

  /** Per host, the first and last time of a row waiting for Parquet that it will hold, ms
   * (for the tier a read picks and the hosts' extents). */
  bufferedExtent(): Map<string, { first: number; last: number }> {
    const out = new Map<string, { first: number; last: number }>();
    for (const groups of [this.#flushing, this.#groups]) {
      for (const g of groups.values()) {
        const { first, last } = g.span;
        if (!(first <= last)) continue;
        widenExtent(out, g.host, first, last);
      }
    }
    return out;
  }

  #quarantine(q: Omit<Quarantined, "reason">, error: unknown): void {
    this.#quarantined += q.rows;
    this.#onQuarantine({ ...q, reason: errorText(error) });
  }

  /** A refusal, counted, with a flush started so the wait is short. */
  #busy(reason: IngestBusyReason, message: string, cause?: unknown): IngestBusy {
    this.#refused++;
    if (this.#soon === undefined && !this.#closed) {
      this.#soon = setTimeout(() => this.#tryFlush(true), 0);
    }
    // failing flushes (a full disk): wait longer than for a flush that only has work to do
    const failing = this.#now() - this.#lastError < 2 * this.#flushEveryMs;
    const retryAfterSeconds = reason === "disk" ? 30 : failing ? 10 : 1;
    return new IngestBusy(message, { reason, retryAfterSeconds, cause });
  }

  /**
   * Throws if a request would be refused now (the writer is over a budget or behind), so a
   * server can answer before reading a body.
   *
   * @throws {IngestBusy} When behind (counted as a refusal).
   */
  check(): void {
    this.#checkBudgets();
    if (this.#maxRssBytes === undefined) return;
    const rss = this.#rss();
    if (!(rss > this.#maxRssBytes) || this.#rows < this.#memoryGateRows) {
      this.#overSince = NaN;
      return;
    }
    const t = performance.now();
    if (Number.isNaN(this.#overSince)) this.#overSince = t;
    if (
      this.#collectGarbage !== undefined && t - this.#overSince >= 2000 &&
      t - this.#lastCollect >= 2000
    ) {
      this.#lastCollect = t;
      this.#collectGarbage();
    }
    throw this.#busy(
      "memory",
      `Ingest is behind: the server holds ${Math.round(rss / MiB)} MiB of memory ` +
        `(limit ${Math.round(this.#maxRssBytes / MiB)} MiB)`,
    );
  }

  /** The row, spool and flush-lag budgets. */
  #checkBudgets(): void {
    if (this.#rows >= this.#maxBufferedRows) {
      throw this.#busy(
        "buffer",
        `Ingest is behind: ${this.#rows} samples wait for Parquet (limit ${this.#maxBufferedRows})`,
      );
    }
    if (this.#spoolBytes >= this.#maxSpoolBytes) throw this.#spoolFull(0);
    const lag = this.#flushing.size > 0 ? this.#now() - this.#flushingSince : 0;
    if (lag > this.#maxFlushLagMs) {
      throw this.#busy(
        "buffer",
        `Ingest is behind: a flush has been writing for ${Math.round(lag / 1000)} s`,
      );
    }
  }

  #spoolFull(more: number): IngestBusy {
    return this.#busy(
      "spool",
      `Ingest spool is full: ${this.#spoolBytes} bytes on disk` +
        (more > 0 ? ` and ${more} more` : "") + ` would pass its budget of ${this.#maxSpoolBytes}`,
    );
  }

  /**
   * Parses and validates a JSON-lines body, appends it to the spool, and buffers its rows.
   * Nothing of a body with a bad line, or of a refused one, is written.
   *
   * @param body The request body.
   * @param options Clock (default: the writer's), and limits that override the writer's.
   * @returns The samples as columns.
   * @throws {RangeError} On the first bad line (see `parseIngestLines`) or past a limit.
   * @throws {IngestBusy} When the writer is behind (see {@linkcode IngestWriter.check}) or the
   * request would pass the row or spool budget; the disk being full is `reason: "disk"`.
   * @throws {LakeError} If the spool cannot be written for another reason.
   */
  write(body: Uint8Array, options: IngestWriteOptions = {}): IngestBatch {
    this.check();
    const { admit, ...parse } = options;
    let batch = parseIngestLines(body, { ...this.#limits, now: this.#now(), ...parse });
    if (admit) batch = admit(batch);
    if (batch.ts.length > 0) this.#accept(batch);
    return batch;
  }

  /**
   * {@linkcode IngestWriter.write} with the body parsed in chunks, yielding to the event loop
   * between them (see `parseIngestLinesAsync`), or on the parse thread (`parseInWorker`), so a
   * server stays responsive while it parses a large body. The spool append stays one synchronous step after the parse: when the promise
   * resolves the samples are in the spool, exactly as after `write`; budgets are checked before
   * the parse and again at the append (other requests may have been taken meanwhile).
   *
   * @param body The request body, or its chunks in order (a server's read chunks: no join on the
   * event loop). With `parseInWorker` their buffers are handed to the thread (detached here).
   * @param options Clock (default: the writer's), limits that override the writer's, and the
   * chunk size and pause of the parse (on the event loop only).
   * @returns The samples as columns.
   * @throws {RangeError} On the first bad line or past a limit; nothing is written.
   * @throws {IngestBusy} As `write` does.
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { IngestWriter } from "./mod.ts";
   * const root = Deno.makeTempDirSync();
   * const ts = Date.UTC(2024, 0, 1);
   * const writer = new IngestWriter({ root, sync: false, now: () => ts });
   * const body = new TextEncoder().encode(`{"ts":${ts},"host":"h","metric":"m","value":1}\n`);
   * assert.equal((await writer.writeAsync(body)).ts.length, 1);
   * writer.close();
   * ```
   */
  async writeAsync(
    body: Uint8Array | readonly Uint8Array[],
    options: IngestWriteAsyncOptions = {},
  ): Promise<IngestBatch> {
    this.check();
    const { admit, ...parse } = options;
    let batch: IngestBatch;
    if (this.#parser !== undefined) {
      const { maxLines, maxPartitions, maxAgeMs, maxAheadMs, now } = {
        ...this.#limits,
        now: this.#now(),
        ...parse,
      };
      batch = await this.#parser.parse(Array.isArray(body) ? body : [body as Uint8Array], {
        ...(maxLines !== undefined && { maxLines }),
        ...(maxPartitions !== undefined && { maxPartitions }),
        ...(maxAgeMs !== undefined && { maxAgeMs }),
        ...(maxAheadMs !== undefined && { maxAheadMs }),
        now,
      });
    } else {
      batch = await parseIngestLinesAsync(joinChunks(body), {
        ...this.#limits,
        now: this.#now(),
        ...parse,
      });
    }
    // budgets again: other requests may have been taken meanwhile (the memory mark is not
    // looked at again: this body's own bytes are in it, and it is parsed already)
    this.#checkBudgets();
    if (admit) batch = admit(batch);
    if (batch.ts.length > 0) this.#accept(batch);
    return batch;
  }

  /**
   * The sample times the writer takes at a clock (its `maxAgeMs` back to `maxAheadMs` ahead), so
   * a receiver can drop the points outside alone rather than have the whole batch refused.
   *
   * @param now The clock, ms.
   * @returns The window, ms since the epoch, both ends included.
   */
  window(now: number): { from: number; to: number } {
    return ingestWindow(this.#limits, now);
  }

  /**
   * Validates and stores samples that arrive as columns (the receivers: scrape, OTLP, StatsD,
   * probes) by the same rules, limits and budgets as {@linkcode IngestWriter.write}, checked on
   * the columns themselves (`checkIngestBatch`: the same name, label and window checks as a body's
   * lines, without encoding them as text first).
   *
   * @param batch The samples; labels in canonical form (`k=v,…`), `NaN` for no value.
   * @param options Clock (default: the writer's), and limits that override the writer's.
   * @returns The samples as validated columns.
   * @throws {RangeError} On the first bad sample or past a limit; nothing is written.
   * @throws {IngestBusy} When the writer is behind; nothing is written.
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { IngestWriter } from "./mod.ts";
   * const root = Deno.makeTempDirSync();
   * const ts = Date.UTC(2024, 0, 1);
   * const writer = new IngestWriter({ root, sync: false, now: () => ts });
   * const batch = { ts: [ts], host: ["h"], metric: ["m"], labels: ["a=1"], value: [2] };
   * assert.equal(writer.writeBatch(batch).labels[0], "a=1");
   * writer.close();
   * ```
   */
  writeBatch(
    batch: IngestBatch,
    options: Omit<ParseIngestLinesOptions, "trusted"> = {},
  ): IngestBatch {
    this.check();
    const parsed = checkIngestBatch(batch, { ...this.#limits, now: this.#now(), ...options });
    this.#accept(parsed);
    return parsed;
  }

  /** Spools a validated batch and buffers its rows, or refuses it whole. */
  #accept(batch: IngestBatch): void {
    const n = batch.ts.length;
    if (this.#rows + n > this.#maxBufferedRows) {
      throw this.#busy(
        "buffer",
        `Ingest is behind: ${this.#rows} samples wait for Parquet and ${n} more would pass ` +
          `the limit of ${this.#maxBufferedRows}`,
      );
    }
    if (this.#segment === undefined) throw new RangeError("Ingest writer is closed");
    const record = this.#encoder.encode(batch);
    if (this.#spoolBytes + record.length > this.#maxSpoolBytes) {
      this.#encoder.rollback();
      throw this.#spoolFull(record.length);
    }
    try {
      this.#segment.append(record);
    } catch (error) {
      this.#encoder.rollback();
      if (isDiskFull(error)) {
        throw this.#busy(
          "disk",
          `Insufficient storage: the disk holding the ingest spool is full (${errorText(error)})`,
          error,
        );
      }
      throw error;
    }
    this.#encoder.commit();
    this.#spoolBytes += record.length;
    this.#accepted += n;
    this.#add(batch, this.#segment.id, false);
    this.#rows += n;
    this.#liveRows += n;
    if (this.#rows > this.#peak) this.#peak = this.#rows;
    if (
      (this.#liveRows >= this.#flushRows || this.#segment.size >= this.#flushSpoolBytes) &&
      this.#soon === undefined
    ) this.#soon = setTimeout(() => this.#tryFlush(true), 0);
  }

  /** Buffers rows `from` to `to` (default all) of a batch, in the partitions of its generation. */
  #add(b: IngestBatch, segment: number, replay: boolean, from = 0, to = b.ts.length): void {
    let g = this.#last;
    for (let i = from; i < to; i++) {
      // a segment spooled before host names were folded may hold Web1: stored as web1
      const ts = b.ts[i]!, host = replay ? canonicalHost(b.host[i]!) : b.host[i]!;
      const day = Math.floor(ts / DAY);
      if (g === undefined || g.host !== host || day !== this.#lastDay) {
        const date = utcDate(day * DAY);
        const key = `${host}\n${date}`;
        g = this.#groups.get(key);
        if (!g) {
          g = new IngestGroup(host, date);
          this.#groups.set(key, g);
        }
        if (replay && this.#written(g, segment)) {
          g = undefined;
          continue;
        }
        this.#lastDay = day;
        g.segments.add(segment);
      }
      g.push(ts, b.metric[i]!, b.labels[i]!, b.value[i]!);
      if (replay) this.#rows++;
    }
    this.#last = replay ? undefined : g;
  }

  /** True when a flush before a crash already wrote this segment's rows of this partition. */
  #written(g: IngestGroup, segment: number): boolean {
    return this.#plan.some((p) => {
      // a plan from before host names were folded names Web1, and may have written host=Web1
      if (canonicalHost(p.host) !== g.host || p.date !== g.date || !p.segments.includes(segment)) {
        return false;
      }
      let names: string[];
      try {
        names = [
          partitionDir(this.#root, "metrics", g.host, g.date),
          ...legacyPartitionDirs(this.#root, "metrics", g.host, g.date),
        ].flatMap((dir) => fileNames(dir));
      } catch (error) {
        if (isUnwritable(error)) return false; // never written: the flush quarantines it
        throw error;
      }
      return names.some((name) => {
        const f = parseDataFile(name);
        return f !== undefined && (f.kind === "part" ? f.id === p.id : p.done && f.id >= p.id);
      });
    });
  }

  /** A timed flush: at most `flushPartitions` files now, the rest on the next turns. */
  #tryFlush(start: boolean): void {
    if (this.#soon !== undefined) clearTimeout(this.#soon);
    this.#soon = undefined;
    if (this.#closed || this.#draining) return;
    if (this.#worker) {
      try {
        this.#dispatch(start);
      } catch (error) {
        this.#lastError = this.#now();
        this.#onError(error);
      }
      return;
    }
    try {
      this.#flush(start, this.#turnSize, this.#flushBudgetMs);
    } catch (error) {
      this.#lastError = this.#now();
      this.#onError(error);
      return;
    }
    const again = this.#more ||
      (this.#flushing.size === 0 &&
        (this.#liveRows >= this.#flushRows ||
          (this.#segment?.size ?? 0) >= this.#flushSpoolBytes));
    if (again) this.#soon = setTimeout(() => this.#tryFlush(!this.#more), 0);
  }

  /** Worker mode: hands the flush thread the next file of the generation being written. */
  #dispatch(start: boolean): void {
    if (this.#job !== undefined || this.#worker === undefined) return;
    this.#more = false;
    if (start && this.#flushing.size === 0 && this.#liveRows > 0) this.#startGeneration();
    if (this.#flushing.size === 0) {
      if (this.#pending.length > 0) this.#finishGeneration();
      return;
    }
    const [next] = this.#choose(1);
    if (next === undefined) {
      if (this.#flushing.size === 0) this.#finishGeneration(); // all of it quarantined
      return; // the rest waits for free ids: the timer comes back
    }
    const [key, g, entry] = next;
    const data = g.held();
    const shared = new SharedArrayBuffer(1024);
    const job = ++this.#jobs;
    this.#job = { job, key, g, entry, flag: new Int32Array(shared) };
    const message: IngestFlushJob = {
      job,
      root: this.#root,
      sync: this.#sync,
      plan: [...this.#plan, entry],
      id: entry.id,
      host: g.host,
      date: g.date,
      ...data,
      shared,
    };
    // shared, not copied or transferred: a failed file keeps its rows for the next try
    this.#worker.postMessage(message);
  }

  /** Takes in the flush thread's answer for the file in flight. */
  #apply(status: number, rows: number, message: string): void {
    const job = this.#job;
    if (job === undefined) return;
    this.#job = undefined;
    const { key, g, entry } = job;
    if (status === JOB_DONE) {
      this.#writtenRows += rows;
      this.#rows -= g.length;
      this.#flushing.delete(key);
      g.release();
      this.#plan.push({ ...entry, done: true });
      if (this.#flushing.size === 0) this.#finishGeneration();
    } else if (status === JOB_UNWRITABLE) {
      this.#quarantineGroup(key, g, new LakeError(message));
      if (this.#flushing.size === 0) this.#finishGeneration();
    } else {
      // for now (a full disk): the timer tries again, the budgets hold the requests back
      this.#lastError = this.#now();
      this.#onError(new LakeError(`Cannot write ingest Parquet: ${message}`));
      return;
    }
    const again = this.#flushing.size > 0 || this.#liveRows >= this.#flushRows ||
      (this.#segment?.size ?? 0) >= this.#flushSpoolBytes;
    if (again && !this.#closed && !this.#draining && this.#soon === undefined) {
      this.#soon = setTimeout(() => this.#tryFlush(true), 0);
    }
  }

  /** Waits for the file in flight on the flush thread, then takes its answer in. */
  #wait(): void {
    const job = this.#job;
    if (job === undefined) return;
    const flag = job.flag;
    Atomics.wait(flag, 0, JOB_RUNNING, 120_000);
    const status = Atomics.load(flag, 0);
    if (status === JOB_RUNNING) {
      throw new LakeError("Ingest flush thread did not finish its file in 120 s");
    }
    const text = new TextDecoder().decode(new Uint8Array(flag.buffer, 12, flag[2]!));
    this.#apply(status, flag[1]!, text);
  }

  /**
   * Writes the buffered rows to Parquet now (one file per host and date) and deletes the spool
   * segments they came from. A partition that can never be written (its host name is refused by
   * the rules or the file system) is moved to the quarantine instead of blocking the others.
   *
   * @param options `maxPartitions`: most files to write in this call (default: all).
   * @returns Rows written (rows without a finite value are not stored).
   * @throws {LakeError} If a file cannot be written for now, e.g. disk full (its rows and those
   * of the partitions after it stay buffered).
   */
  flush(options: { maxPartitions?: number } = {}): number {
    this.#wait();
    const max = options.maxPartitions ?? Infinity;
    let written = this.#flush(true, max);
    // the generation under way is done: the rows that came meanwhile go too
    if (this.#flushing.size === 0 && this.#liveRows > 0 && written < max) {
      written += this.#flush(true, max);
    }
    return written;
  }

  /** Makes the buffered rows the generation being flushed, on a new spool segment. */
  #startGeneration(): void {
    // the new segment first: if it cannot be made (a full disk) nothing has moved yet
    const old = this.#segment;
    if (old !== undefined) this.#segment = this.#open(Math.max(this.#now(), old.id + 1));
    this.#flushing = this.#groups;
    this.#groups = new Map();
    this.#liveRows = 0;
    this.#last = undefined;
    this.#flushingSince = this.#now();
    if (old === undefined) return;
    old.close();
    this.#pending.push({ id: old.id, path: old.path, format: "binary", bytes: old.size });
  }

  /** `start`: begin a new generation if none is being written; then write (part of) the one
   * being written. */
  #flush(start: boolean, maxPartitions: number, budgetMs = Infinity): number {
    const began = performance.now();
    this.#turnSize = Math.min(this.#flushPartitions, this.#turnSize * 2);
    this.#more = false;
    if (start && this.#flushing.size === 0 && this.#liveRows > 0) this.#startGeneration();
    if (this.#flushing.size === 0) {
      if (this.#pending.length > 0) this.#finishGeneration();
      return 0;
    }
    const todo = this.#choose(maxPartitions);
    let written = 0;
    const done: IngestPlanEntry[] = [];
    try {
      if (todo.length > 0) this.#savePlan(todo.map((t) => t[2]));
      let handled = 0;
      for (const [key, g, entry] of todo) {
        if (handled++ > 0 && performance.now() - began > budgetMs) {
          this.#more = true; // the rest on the next turn (their plan entries were only intents)
          this.#turnSize = handled - 1;
          break;
        }
        let file;
        try {
          file = writePartition(
            g.columns(true),
            { root: this.#root, id: entry.id, host: g.host, date: g.date, sync: this.#sync },
          );
        } catch (error) {
          if (!isUnwritable(error)) throw error;
          this.#quarantineGroup(key, g, error);
          continue;
        }
        written += file?.rows ?? 0;
        this.#rows -= g.length;
        this.#flushing.delete(key);
        g.release();
        done.push({ ...entry, done: true });
      }
    } finally {
      this.#plan.push(...done);
      if (todo.length > 0) this.#savePlan([]);
      this.#writtenRows += written;
    }
    if (this.#flushing.size === 0) this.#finishGeneration();
    return written;
  }

  /** The partitions of the generation being written that have an id free now, with their
   * plan entries (at most `maxPartitions`; `#more` tells that writable ones were left). */
  #choose(maxPartitions: number): [string, IngestGroup, IngestPlanEntry][] {
    const open = listSegments(this.#root).map((s) => s.id);
    const hi = open.length ? Math.min(...open) : Infinity;
    const now = this.#now();
    const todo: [string, IngestGroup, IngestPlanEntry][] = [];
    for (const [key, g] of this.#flushing) {
      let lo = -1;
      try {
        checkHost(g.host); // before the host becomes part of a path
        const dir = partitionDir(this.#root, "metrics", g.host, g.date);
        lo = maxDataFileId(dir);
      } catch (error) {
        if (!isUnwritable(error)) throw error;
        this.#quarantineGroup(key, g, error);
        continue;
      }
      // a new partition starts an hour of ids below the bound, not at it: its next files take
      // the ids above, so it need not wait for the collector to rotate its segment
      const id = lo >= 0 ? lo + 1 : Math.max(0, Math.min(now, hi - 1) - FRESH_ID_ROOM);
      if (id >= hi) continue;
      if (todo.length >= maxPartitions) {
        this.#more = true;
        break;
      }
      todo.push([key, g, { host: g.host, date: g.date, id, segments: [...g.segments] }]);
    }
    return todo;
  }

  /** The generation is all in Parquet: its segments and plan go. */
  #finishGeneration(): void {
    // the segments as this writer made or replayed them, not listed again: the ingest spool is
    // the writer's alone (readers only read it and its outbox). One retired at a time, so a
    // failure leaves the rest (and the plan) for the next try.
    while (this.#pending.length > 0) {
      const seg = this.#pending[0]!;
      if (seg.id !== this.#segment?.id) {
        try {
          this.#retire(seg.path);
        } catch (error) {
          // gone already (a failed try that got as far as the delete): retired
          if (!(error instanceof Deno.errors.NotFound) || exists(seg.path)) throw error;
        }
        this.#spoolBytes -= seg.bytes;
      }
      this.#pending.shift();
    }
    this.#plan = [];
    this.#savePlan([]);
  }

  /** Moves a partition that can never be written to the quarantine (throws, keeping it, if the
   * quarantine cannot be written either). */
  #quarantineGroup(key: string, g: IngestGroup, error: unknown): void {
    const name = `ingest-${Math.min(...g.segments)}-${g.date}-${hostTag(g.host)}`;
    const path = writeQuarantine(this.#root, name, rowLines(g.host, g.columns(false)));
    this.#rows -= g.length;
    this.#flushing.delete(key);
    this.#quarantine({ path, rows: g.length }, error);
  }

  #savePlan(extra: IngestPlanEntry[]): void {
    writeIngestPlan(this.#root, [...this.#plan, ...extra], this.#sync);
  }

  /** Flushes everything, stops the timer and closes the spool (deleting it when everything was
   * written). */
  close(): void {
    if (this.#closed) return;
    clearInterval(this.#timer);
    if (this.#soon !== undefined) clearTimeout(this.#soon);
    this.#soon = undefined;
    try {
      this.flush();
    } finally {
      this.#shut();
    }
  }

  /**
   * As {@linkcode close}, without holding the event loop, so that timers still fire while it
   * writes (e.g. a deadline that gives up on a flush that hangs): the flush thread writes the
   * files one at a time while this thread waits for its answers, or without one, at most
   * `flushPartitions` files (and `flushBudgetMs`) a turn. Whatever is not in Parquet when it
   * settles, or when the process ends before, stays in the spool and is written at the next
   * open (`buffered` counts it).
   *
   * @throws {LakeError} As {@linkcode flush}; the writer is closed, the rest kept in the spool.
   */
  async closeAsync(): Promise<void> {
    if (this.#closed || this.#draining) return;
    this.#draining = true;
    clearInterval(this.#timer);
    if (this.#soon !== undefined) clearTimeout(this.#soon);
    this.#soon = undefined;
    try {
      // the generation under way, then at most two more of rows that came meanwhile (as flush)
      for (let started = 0;;) {
        if (this.#job !== undefined) {
          const failure = await new Promise<unknown>((resolve) => this.#answered = resolve);
          if (failure !== undefined) throw failure;
          continue;
        }
        if (this.#flushing.size === 0) {
          if (this.#pending.length > 0) this.#finishGeneration();
          if (this.#liveRows === 0 || ++started > 2) break;
        }
        if (this.#worker) {
          this.#dispatch(true);
          if (this.#job === undefined) break; // no free file id now: left in the spool
          continue;
        }
        this.#flush(true, this.#turnSize, this.#flushBudgetMs);
        if (this.#flushing.size > 0 && !this.#more) break; // no free file id now: as above
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    } finally {
      this.#shut();
    }
  }

  /** Stops the threads and closes the open spool segment (deleting it when nothing waits). */
  #shut(): void {
    this.#closed = true;
    this.#worker?.terminate();
    this.#worker = undefined;
    this.#parser?.close();
    this.#parser = undefined;
    const seg = this.#segment;
    this.#segment = undefined;
    const empty = this.#rows === 0 && this.#flushing.size === 0;
    seg?.close();
    if (empty && seg) {
      this.#retire(seg.path);
      this.#spoolBytes -= seg.size;
    }
  }

  /** Deletes a segment in Parquet, or keeps it in the outbox for the remote-write senders. */
  #retire(path: string): void {
    retireIngestSegment(this.#root, path, {
      ...(this.#outboxMaxBytes !== undefined && { outboxMaxBytes: this.#outboxMaxBytes }),
    });
  }
}
