/**
 * A Prometheus remote write 1.0 client that takes its queue from a spool: the collector's (its
 * snapshots) or the ingest spool (the application metrics `serve` accepts: `/api/ingest`, OTLP,
 * StatsD, scrape targets, probes; one record per accepted request). It reads what comes after
 * its saved position, sends it in one request, and saves the position after it only once the
 * receiver answered 2xx. A receiver outage or a restart (kill -9
 * included) thus loses nothing spooled, and only the unacknowledged batch is sent again.
 *
 * Answers, and what the sender does:
 * - 2xx: acknowledged; the position moves on.
 * - 5xx, 429, 408, a time-out, a refused or reset connection: the same batch again after a
 *   backoff (doubling from `minBackoffMs` to `maxBackoffMs`, full jitter; a 429's `Retry-After`
 *   is honoured up to `maxBackoffMs`). There is no retry limit: the spool is the queue and the
 *   outbox cap bounds it (the oldest segments go first, counted in
 *   `perfscope_remote_write_dropped_segments_per_second` and `…_dropped_bytes_per_second`).
 * - 413 with more than one snapshot: the batch is split in halves, each sent on its own.
 * - any other 4xx (400, 401, 403, 404, a 413 of one snapshot): the batch can never succeed as
 *   it is; it is logged, counted as dropped and skipped.
 *
 * @module
 */

import { parseLabels } from "../collectors/mod.ts";
import {
  canonicalHost,
  describeHolder,
  type HeldLock,
  type IngestBatch,
  ingestReadersDir,
  LakeError,
  readBusyHolder,
  ReaderClaim,
  spoolReadersDir,
  type SpoolSeries,
  type SpoolSnapshot,
  tryProcessLock,
} from "../lake/mod.ts";
import { encodeWriteRequest, type WriteSeries } from "./encode_write_request.ts";
import { IngestSpoolCursor } from "./ingest_spool_cursor.ts";
import {
  type WriteColumns,
  type WriteLabels,
  WriteRequestEncoder,
} from "./write_request_encoder.ts";
import {
  pruneOutbox,
  readPosition,
  savePosition,
  SpoolCursor,
  type SpoolPosition,
  type SpoolQueue,
} from "./spool_cursor.ts";

/** TLS settings of a remote-write endpoint. */
export interface RemoteWriteTls {
  /** PEM file of a CA that signs the receiver's certificate (besides the system's). */
  caFile?: string;
  /** PEM files of a client certificate and its key, for receivers that ask for one. */
  certFile?: string;
  keyFile?: string;
}

/** Options of {@linkcode RemoteWriteSender}. */
export interface RemoteWriteOptions {
  /** Receiver URL, e.g. `http://127.0.0.1:8428/api/v1/write`. */
  url: string;
  /** Name of this reader's position file (`DATA/spool/readers/<name>.json`, or
   * `DATA/spool_ingest/readers/<name>.json`). Default `rw-<hash of url>`. */
  name?: string;
  /** The spool sent: `"collector"` (`DATA/spool/`, default) or `"ingest"`
   * (`DATA/spool_ingest/`, the application metrics `serve` accepts). */
  queue?: SpoolQueue;
  /** Who runs this sender, as its lock (`<name>.lock` beside the position file) names it to a
   * second sender of the same name and spool, which is refused. Default this process,
   * `deno task remote-write`. */
  holder?: { pid?: number; command?: string };
  /** Extra request headers (e.g. `X-Scope-OrgID` for Mimir). */
  headers?: Record<string, string>;
  /** Sent as `Authorization: Bearer <token>`. */
  bearerToken?: string;
  /** Sent as `Authorization: Basic …`. */
  basicAuth?: { username: string; password: string };
  /** TLS settings. */
  tls?: RemoteWriteTls;
  /** Labels added to every series that lacks them (e.g. `env`, `dc`, `role`). */
  externalLabels?: Record<string, string>;
  /** Time between sends while keeping up, ms (the batch deadline). Default `5000`, as
   * Prometheus' `batch_send_deadline`. */
  intervalMs?: number;
  /** Spool bytes per request at most (about 12 bytes a sample in the collector's spool, 6 to
   * 13 in the ingest spool). Default `1 MiB`; `256 KiB` for the ingest spool, whose compact
   * records hold more samples a byte. */
  maxBatchBytes?: number;
  /** Time-out of one request, ms. Default `30000`. */
  timeoutMs?: number;
  /** First retry delay, ms. Default `250`. */
  minBackoffMs?: number;
  /** Longest retry delay, ms. Default `5000`. */
  maxBackoffMs?: number;
  /** The fetch to use (tests). Default `fetch`. */
  fetch?: typeof fetch;
  /** Clock, ms. Default `Date.now`. */
  now?: () => number;
  /** Where problems are told (one line each). Default `console.error`. */
  log?: (line: string) => void;
  /** Random numbers in [0, 1) for the jitter. Default `Math.random`. */
  random?: () => number;
}

/** Counters of a sender (totals since it started). */
export interface RemoteWriteStats {
  samples: number;
  bytes: number;
  requests: number;
  retries: number;
  /** Samples dropped because the receiver refused them for good (a 4xx). */
  droppedSamples: number;
  /** Spool segments the outbox cap deleted before this sender sent them (the samples in them
   * are not known: only their spool bytes, {@linkcode RemoteWriteStats.droppedBytes}). */
  droppedSegments: number;
  /** Spool bytes of those segments (about 12 bytes a sample in the collector's spool, 6 to 13
   * in the ingest spool). */
  droppedBytes: number;
  /** Collector spool: time of the newest acknowledged snapshot. Ingest spool (whose samples
   * carry their clients' times, maybe old): when the sender was last caught up, everything
   * read acknowledged (its start until then). ms; NaN before the first. */
  ackedTs: number;
}

type Outcome = "ok" | "retry" | "drop" | "split";

/** A unit of the queue, sent whole or not at all: a collector snapshot or an ingest record. */
type Unit = SpoolSnapshot | IngestBatch;

/** The two spools' cursors, as the sender uses them (`R`: what a read gives). */
interface Cursor<R = { units: Unit[]; end: SpoolPosition; full: boolean }> {
  read(maxBytes: number): R;
  readonly position: SpoolPosition;
  /** The segment whose file is open, if any. */
  readonly openSegment: number | undefined;
  readonly droppedSegments: number;
  readonly droppedBytes: number;
  countDrops(): void;
  close(): void;
}

/** Another sender of the same name (by default: the same receiver) already sends this spool:
 * the two would overwrite each other's position, sending samples twice or skipping some. */
export class SenderBusyError extends LakeError {
  /**
   * @param root Lake root.
   * @param url The receiver, as shown.
   * @param holder What the lock file says, if it could be read.
   */
  constructor(root: string, url: string, holder: ReturnType<typeof readBusyHolder>) {
    super(
      `Remote write of ${root.replace(/\/+$/, "")}/ to ${url} is already running in ${
        describeHolder(holder)
      }: one sender per receiver and data directory`,
    );
    this.name = "SenderBusyError";
  }
}

/** Streams the spool of a lake root to one remote-write receiver. */
export class RemoteWriteSender {
  /** Where requests go (a password in it is sent as Basic auth by `fetch`). */
  readonly url: string;
  /** The URL as logs and status lines show it: a password replaced by `***`. */
  readonly displayUrl: string;
  readonly name: string;
  readonly stats: RemoteWriteStats = {
    samples: 0,
    bytes: 0,
    requests: 0,
    retries: 0,
    droppedSamples: 0,
    droppedSegments: 0,
    droppedBytes: 0,
    ackedTs: NaN,
  };
  #root: string;
  #o: Required<
    Pick<
      RemoteWriteOptions,
      "intervalMs" | "maxBatchBytes" | "timeoutMs" | "minBackoffMs" | "maxBackoffMs"
    >
  >;
  #options: RemoteWriteOptions;
  #headers: Headers;
  #client: Deno.HttpClient | undefined;
  #cursor: Cursor;
  /** What the cursor has read, for the outbox cap's log (a segment read or open is not lost). */
  #claim: ReaderClaim;
  /** This sender's hold on its name: one sender per position file. */
  #lock: HeldLock;
  #queue: SpoolQueue;
  #slots = new WeakMap<SpoolSeries, Slot>();
  #slotsByKey = new Map<string, Slot>();
  #mark = 0;
  #encoder = new WriteRequestEncoder();
  /** Ends the loop's waits between batches (stop was asked). */
  #wake = new AbortController();
  /** Gives up what is in flight: a request, a retry wait (stop's flush time is over). */
  #hard = new AbortController();
  #running: Promise<void> | undefined;
  #idleUntil = 0;
  #now: () => number;
  #saved: SpoolPosition | undefined;
  /** The segment of the position at the last outbox pruning. */
  #pruned = NaN;
  #log: (line: string) => void;
  /** The labels of this sender's own metrics (frozen: the sampler interns series by them). */
  readonly metricLabels: Readonly<Record<string, string>>;

  /**
   * @param root Lake root whose spool is sent.
   * @param options Receiver and behaviour.
   * @throws {RangeError} If the URL is not http(s), a number option is not positive, or only one
   *   of `tls.certFile` and `tls.keyFile` is given.
   */
  constructor(root: string, options: RemoteWriteOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new RangeError(`Invalid remote-write URL: ${options.url}`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new RangeError(`Invalid remote-write URL: ${options.url} (http or https only)`);
    }
    this.url = url.href;
    if (url.password) url.password = "***";
    this.displayUrl = url.href;
    this.name = options.name ?? `rw-${hash(this.url)}`;
    if (!/^[A-Za-z0-9_.-]+$/.test(this.name)) {
      throw new RangeError(`Invalid remote-write name: ${this.name}`);
    }
    this.#root = root;
    this.#options = options;
    this.#o = {
      intervalMs: positive(options.intervalMs ?? 5000, "intervalMs"),
      maxBatchBytes: positive(
        options.maxBatchBytes ?? (options.queue === "ingest" ? 1 << 18 : 1 << 20),
        "maxBatchBytes",
      ),
      timeoutMs: positive(options.timeoutMs ?? 30_000, "timeoutMs"),
      minBackoffMs: positive(options.minBackoffMs ?? 250, "minBackoffMs"),
      maxBackoffMs: positive(options.maxBackoffMs ?? 5000, "maxBackoffMs"),
    };
    this.#now = options.now ?? Date.now;
    this.#log = options.log ?? ((line) => console.error(line));
    this.#headers = new Headers(options.headers);
    this.#headers.set("Content-Type", "application/x-protobuf");
    this.#headers.set("Content-Encoding", "snappy");
    this.#headers.set("X-Prometheus-Remote-Write-Version", "0.1.0");
    this.#headers.set("User-Agent", "perfscope");
    if (options.bearerToken !== undefined) {
      this.#headers.set("Authorization", `Bearer ${options.bearerToken}`);
    } else if (options.basicAuth) {
      const { username, password } = options.basicAuth;
      const token = btoa(
        String.fromCharCode(...new TextEncoder().encode(`${username}:${password}`)),
      );
      this.#headers.set("Authorization", `Basic ${token}`);
    }
    this.#queue = options.queue ?? "collector";
    if (this.#queue !== "collector" && this.#queue !== "ingest") {
      throw new RangeError(`Invalid remote-write queue: ${this.#queue}`);
    }
    const tls = options.tls ?? {};
    // one without the other would send no client certificate, and the receiver's refusal
    // would not say why
    if (!tls.certFile !== !tls.keyFile) {
      throw new RangeError("Invalid remote-write TLS options: certFile and keyFile go together");
    }
    if (tls.caFile || tls.certFile || tls.keyFile) {
      const read = (path: string) => {
        try {
          return Deno.readTextFileSync(path);
        } catch (error) {
          throw new RangeError(`Cannot read TLS file: ${path} (${(error as Error).message})`);
        }
      };
      const caCerts = tls.caFile ? [read(tls.caFile)] : undefined;
      const pair = tls.certFile && tls.keyFile
        ? { cert: read(tls.certFile), key: read(tls.keyFile) }
        : undefined;
      this.#client = Deno.createHttpClient({ ...(caCerts && { caCerts }), ...pair });
    }
    this.metricLabels = Object.freeze(
      this.#queue === "ingest" ? { queue: "ingest", remote: url.host } : { remote: url.host },
    );
    // pushed samples carry their clients' times: the lag is counted from the last time the
    // sender was caught up, and from its start until then (a lower bound, never NaN)
    if (this.#queue === "ingest") this.stats.ackedTs = this.#now();
    // the client is made last but for the cursor and the registration, which touch the disk
    // and may fail: a sender that is never returned cannot be stopped to close it
    const readers = this.#queue === "ingest" ? ingestReadersDir(root) : spoolReadersDir(root);
    // Taken before the position is read: two senders of one name would each send from the
    // position the other saved last, so samples went twice or were skipped.
    const lockPath = `${readers}/${this.name}.lock`;
    try {
      Deno.mkdirSync(readers, { recursive: true });
    } catch {
      // the lock names what is wrong
    }
    let lock: HeldLock | undefined;
    try {
      lock = tryProcessLock(root, lockPath, {
        pid: options.holder?.pid ?? Deno.pid,
        command: options.holder?.command ?? "deno task remote-write",
        hostname: Deno.hostname(),
        started: Date.now(),
        url: this.displayUrl,
      });
      if (!lock) throw new SenderBusyError(root, this.displayUrl, readBusyHolder(lockPath));
    } catch (error) {
      this.#client?.close();
      throw error;
    }
    let cursor: Cursor | undefined;
    try {
      const saved = readPosition(root, this.name, this.#queue);
      cursor = this.#queue === "ingest"
        ? asCursor(new IngestSpoolCursor(root, saved), (r) => r.batches)
        : asCursor(new SpoolCursor(root, saved), (r) => r.snapshots);
      // register at once, so segments flushed from now on wait for this reader
      if (!saved) this.#save(cursor.position);
    } catch (error) {
      cursor?.close();
      this.#client?.close();
      lock.release();
      throw error;
    }
    this.#cursor = cursor;
    this.#lock = lock;
    // after everything that may throw: it holds a file open
    this.#claim = new ReaderClaim(readers, this.name);
  }

  /**
   * Starts sending in the background until {@linkcode RemoteWriteSender.stop}.
   *
   * @returns This sender.
   */
  start(): this {
    this.#running ??= this.#loop();
    return this;
  }

  /**
   * Until when (ms since the epoch, by `Date.now`) the sender sleeps between batches with nothing
   * to do: 0 while it reads, sends or waits to retry (it needs the event loop), `Infinity` once
   * its loop has ended. A caller that keeps the event loop waiting (collect's quiet wait between
   * snapshots) lets it run by then.
   */
  get idleUntil(): number {
    return this.#idleUntil;
  }

  /**
   * Stops. With `flushMs`, a request in flight may finish and what is still unsent is sent
   * (retries included) for at most that long; without, both are given up at once. What was not
   * acknowledged stays in the spool for the next start.
   *
   * @param options `flushMs`: time allowed to finish; default 0.
   * @returns Resolves once the loop ended.
   */
  async stop(options: { flushMs?: number } = {}): Promise<void> {
    // A request in flight is let finish (aborting it could make the receiver store a batch
    // that is then sent again), within the flush time; then what is left is sent once more.
    this.#wake.abort();
    // Without flush time, given up now, not by a 0-ms timer: a retry wait whose timer was due
    // first would otherwise end unaborted and start a request after stop was asked, which the
    // abort then cuts when it may already be on its way (the receiver can still store it, and
    // the records then arrive twice once the next sender sends them again).
    const flushMs = options.flushMs ?? 0;
    if (flushMs <= 0) this.#hard.abort();
    const timer = setTimeout(() => this.#hard.abort(), flushMs);
    try {
      await this.#running;
      if (options.flushMs && !this.#hard.signal.aborted) await this.drain();
    } finally {
      clearTimeout(timer);
      this.#hard.abort();
      try {
        pruneOutbox(this.#root, this.#queue);
      } catch {
        // the next start prunes
      }
      this.#cursor.close();
      this.#claim.close();
      this.#client?.close();
      this.#lock.release();
    }
  }

  /**
   * Sends everything spooled now, once (no waiting between batches); retries as usual.
   *
   * @returns Resolves once the spool has been sent up to where it ended when called.
   */
  async drain(): Promise<void> {
    for (;;) {
      const read = this.#read();
      if (read.units.length > 0) {
        if (!(await this.#send(read.units))) return;
      }
      this.#ack(read.end, read.units, read.full);
      if (!read.full) return;
    }
  }

  /**
   * This sender's metrics for the sampler (`selfMetrics`): lag gauge and counters.
   *
   * @returns `[metric, labels, kind, value]` entries.
   */
  metrics(): [string, Readonly<Record<string, string>>, "gauge" | "counter", number][] {
    const l = this.metricLabels;
    const s = this.stats;
    // The outbox cap's drops as they happen while a batch is being retried (a receiver down is
    // when the outbox fills). Between batches, reading the next batch counts them: asking every
    // second then would cost a failed stat of the missing ledger and a thrown error each time
    // (~0.2 ms/s of the collector's CPU).
    if (this.#idleUntil === 0) this.#countDrops();
    return [
      ["perfscope_remote_write_lag_seconds", l, "gauge", (this.#now() - s.ackedTs) / 1000],
      ["perfscope_remote_write_samples_per_second", l, "counter", s.samples],
      ["perfscope_remote_write_bytes_per_second", l, "counter", s.bytes],
      ["perfscope_remote_write_retries_per_second", l, "counter", s.retries],
      ["perfscope_remote_write_dropped_samples_per_second", l, "counter", s.droppedSamples],
      // the outbox cap's drops: whole segments, whose sample count is not kept
      ["perfscope_remote_write_dropped_segments_per_second", l, "counter", s.droppedSegments],
      ["perfscope_remote_write_dropped_bytes_per_second", l, "counter", s.droppedBytes],
    ];
  }

  async #loop(): Promise<void> {
    const signal = this.#wake.signal;
    while (!signal.aborted) {
      let full = false;
      try {
        const read = this.#read();
        full = read.full;
        if (read.units.length > 0 && !(await this.#send(read.units))) break;
        this.#ack(read.end, read.units, read.full);
      } catch (error) {
        this.#log(
          `remote write ${this.displayUrl}: ${error instanceof Error ? error.message : error}`,
        );
      }
      if (!full) {
        this.#idleUntil = Date.now() + this.#o.intervalMs;
        await sleep(this.#o.intervalMs, signal);
        this.#idleUntil = 0;
      }
    }
    this.#idleUntil = Infinity;
  }

  /** Reads the next batch and claims it at once (before its send, which may take long): the
   * cap's cuts of segments read, or of the one open, are then not told as drops. */
  #read(): { units: Unit[]; end: SpoolPosition; full: boolean } {
    const read = this.#cursor.read(this.#o.maxBatchBytes);
    this.#claim.update(read.end.segment, this.#cursor.openSegment === read.end.segment);
    return read;
  }

  #ack(end: SpoolPosition, units: readonly Unit[], full: boolean): void {
    if (this.#queue === "ingest") {
      if (!full) this.stats.ackedTs = this.#now();
    } else {
      const last = units.at(-1) as SpoolSnapshot | undefined;
      if (last) this.stats.ackedTs = last.ts;
    }
    this.#countDrops();
    this.#save(end);
    // outbox segments go only once every reader is past them: nothing to do within a segment
    if (end.segment !== this.#pruned) {
      this.#pruned = end.segment;
      pruneOutbox(this.#root, this.#queue);
    }
  }

  #countDrops(): void {
    try {
      this.#cursor.countDrops();
    } catch {
      // the ledger unreadable for now: counted at the next call
    }
    this.stats.droppedSegments = this.#cursor.droppedSegments;
    this.stats.droppedBytes = this.#cursor.droppedBytes;
  }

  #save(position: SpoolPosition): void {
    const saved = this.#saved;
    if (saved && saved.segment === position.segment && saved.offset === position.offset) return;
    this.#saved = position;
    savePosition(this.#root, this.name, position, { url: this.url }, this.#queue);
  }

  /** Sends snapshots (or ingest records) until acknowledged or dropped; false if stopped
   * first. */
  async #send(snapshots: readonly Unit[]): Promise<boolean> {
    // ingest records are few series with many samples each, in any time order: the library
    // encoder; collector snapshots share their series second after second: the cached one
    const { body, samples } = this.#queue === "ingest"
      ? encodeSeries(this.#batchSeries(snapshots as readonly IngestBatch[]))
      : this.#encoder.encodeColumns(this.#columns(snapshots as readonly SpoolSnapshot[]));
    if (samples === 0) return true;
    let delay = this.#o.minBackoffMs;
    for (;;) {
      const { outcome, retryAfterMs, detail } = await this.#post(body);
      if (outcome === "ok") {
        this.stats.samples += samples;
        this.stats.bytes += body.length;
        return true;
      }
      if (outcome === "split" && snapshots.length > 1) {
        const half = snapshots.length >> 1;
        return (await this.#send(snapshots.slice(0, half))) &&
          (await this.#send(snapshots.slice(half)));
      }
      if (outcome !== "retry") {
        this.stats.droppedSamples += samples;
        this.#log(`remote write ${this.displayUrl}: ${detail}; dropped ${samples} samples`);
        return true;
      }
      if (this.#hard.signal.aborted) return false;
      // one line per failing batch (not per try): an outage logs once, not every backoff
      if (delay === this.#o.minBackoffMs) {
        this.#log(`remote write ${this.displayUrl}: ${detail}; retrying`);
      }
      this.stats.retries++;
      const random = this.#options.random ?? Math.random;
      const wait = Math.min(this.#o.maxBackoffMs, retryAfterMs ?? delay * random());
      await sleep(wait, this.#hard.signal);
      if (this.#hard.signal.aborted) return false;
      delay = Math.min(this.#o.maxBackoffMs, delay * 2);
    }
  }

  async #post(
    body: Uint8Array,
  ): Promise<{ outcome: Outcome; retryAfterMs?: number; detail: string }> {
    const doFetch = this.#options.fetch ?? fetch;
    // one controller and a timer, not AbortSignal.any(AbortSignal.timeout(…), …): that pair
    // costs more than the rest of a request when V8 runs interpreted, as in the collector
    const abort = new AbortController();
    const timer = setTimeout(
      () => abort.abort(new DOMException("Signal timed out.", "TimeoutError")),
      this.#o.timeoutMs,
    );
    const hard = this.#hard.signal;
    const stop = () => abort.abort(hard.reason);
    if (hard.aborted) stop();
    else hard.addEventListener("abort", stop, { once: true });
    let response: Response;
    let text: string;
    try {
      try {
        response = await doFetch(this.url, {
          method: "POST",
          headers: this.#headers,
          body: body as Uint8Array<ArrayBuffer>,
          signal: abort.signal,
          ...(this.#client && { client: this.#client }),
        });
        this.stats.requests++;
      } catch (error) {
        return { outcome: "retry", detail: errorDetail(error) };
      }
      text = await response.text().catch(() => "");
    } finally {
      clearTimeout(timer);
      hard.removeEventListener("abort", stop);
    }
    const status = response.status;
    const detail = `HTTP ${status}${text ? `: ${text.slice(0, 200).trim()}` : ""}`;
    if (status >= 200 && status < 300) return { outcome: "ok", detail };
    if (status === 429 || status === 408 || status >= 500) {
      const after = Number(response.headers.get("Retry-After"));
      return {
        outcome: "retry",
        detail,
        ...(status === 429 && after > 0 && { retryAfterMs: after * 1000 }),
      };
    }
    // 413: too big. 400: Prometheus refuses a whole batch for one duplicate or out-of-order
    // sample, which happens when a batch it stored is sent again (its 2xx was lost to a crash or
    // a dropped connection): halves isolate the snapshots it already holds, so the new ones in
    // the same batch are not dropped with them.
    return { outcome: status === 413 || status === 400 ? "split" : "drop", detail };
  }

  /**
   * The snapshots as columns: one label array per series, one value array per snapshot. Each
   * spool series object maps to a slot (by name and labels, so the series objects of a new
   * segment find the slot and label array of the old one: the encoder's cache stays warm).
   */
  #columns(snapshots: readonly SpoolSnapshot[]): WriteColumns {
    const mark = ++this.#mark;
    const labels: WriteLabels[] = [];
    const where: Int32Array[] = [];
    for (const snap of snapshots) {
      const series = snap.series;
      const at = new Int32Array(series.length);
      for (let i = 0; i < series.length; i++) {
        const slot = this.#slotOf(series[i]!);
        if (slot.mark !== mark) {
          slot.mark = mark;
          slot.j = labels.length;
          labels.push(slot.labels);
        }
        at[i] = slot.j;
      }
      where.push(at);
    }
    const values = snapshots.map((snap, k) => {
      const column = new Float64Array(labels.length).fill(NaN);
      const at = where[k]!;
      const v = snap.values;
      for (let i = 0; i < at.length; i++) column[at[i]!] = v[i]!;
      return column;
    });
    return { labels, ts: snapshots.map((snap) => snap.ts), values };
  }

  #slotOf(s: SpoolSeries): Slot {
    let slot = this.#slots.get(s);
    if (slot) return slot;
    const key = `${s.host}\n${s.metric}\n${s.labels}`;
    slot = this.#slotsByKey.get(key);
    if (!slot) {
      // series come and go (processes): start the table again rather than grow without end
      if (this.#slotsByKey.size >= 100_000) this.#slotsByKey.clear();
      slot = { labels: this.#labelsOf(s), mark: 0, j: 0 };
      this.#slotsByKey.set(key, slot);
    }
    this.#slots.set(s, slot);
    return slot;
  }

  #labelsOf(s: SpoolSeries): [string, string][] {
    return this.#pairs(s.host, s.metric, s.labels);
  }

  /** A series' remote-write labels: its own, `__name__`, `host`, then the external labels it
   * lacks, sorted by name. */
  #pairs(host: string, metric: string, text: string): [string, string][] {
    const map = new Map<string, string>(Object.entries(parseLabels(text)));
    map.set("__name__", metric);
    // a backlog spooled before host names were lower-cased still holds `Web1`: the receiver
    // must see the one host the lake stores (`web1`), not a second series
    map.set("host", canonicalHost(host));
    for (const [k, v] of Object.entries(this.#options.externalLabels ?? {})) {
      if (!map.has(k)) map.set(k, v);
    }
    return [...map].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  /** Ingest records as remote-write series: one per (host, metric, labels), samples in time
   * order (records may come from clients in any order). */
  #batchSeries(batches: readonly IngestBatch[]): WriteSeries[] {
    type Entry = { labels: [string, string][]; ts: number[]; values: number[]; sorted: boolean };
    const byHost = new Map<string, Map<string, Map<string, Entry>>>();
    const out: Entry[] = [];
    for (const b of batches) {
      let prev: Entry | undefined;
      let prevHost = "", prevMetric = "", prevLabels = "";
      for (let i = 0; i < b.ts.length; i++) {
        const v = b.value[i]!;
        if (v !== v) continue; // NaN: no value
        const host = b.host[i]!, metric = b.metric[i]!, labels = b.labels[i]!;
        let e = prev;
        if (
          e === undefined || host !== prevHost || metric !== prevMetric || labels !== prevLabels
        ) {
          // `Web1` of an old backlog and `web1` are one series (see #pairs)
          const canonical = canonicalHost(host);
          let byMetric = byHost.get(canonical);
          if (!byMetric) byHost.set(canonical, byMetric = new Map());
          let byLabels = byMetric.get(metric);
          if (!byLabels) byMetric.set(metric, byLabels = new Map());
          e = byLabels.get(labels);
          if (!e) {
            e = { labels: this.#pairs(host, metric, labels), ts: [], values: [], sorted: true };
            byLabels.set(labels, e);
            out.push(e);
          }
          prev = e, prevHost = host, prevMetric = metric, prevLabels = labels;
        }
        const ts = b.ts[i]!;
        if (e.ts.length > 0 && ts < e.ts[e.ts.length - 1]!) e.sorted = false;
        e.ts.push(ts);
        e.values.push(v);
      }
    }
    for (const e of out) {
      if (e.sorted) continue;
      const order = e.ts.map((_, i) => i).sort((a, b) => e.ts[a]! - e.ts[b]!);
      e.ts = order.map((i) => e.ts[i]!);
      e.values = order.map((i) => e.values[i]!);
    }
    return out.map(({ labels, ts, values }) => ({ labels, ts, values }));
  }
}

/** Either spool's cursor as the sender's {@linkcode Cursor}; `units` picks what a read holds. */
function asCursor<R extends { end: SpoolPosition; full: boolean }>(
  c: Cursor<R>,
  units: (read: R) => Unit[],
): Cursor {
  return {
    read(maxBytes) {
      const r = c.read(maxBytes);
      return { units: units(r), end: r.end, full: r.full };
    },
    get position() {
      return c.position;
    },
    get openSegment() {
      return c.openSegment;
    },
    get droppedSegments() {
      return c.droppedSegments;
    },
    get droppedBytes() {
      return c.droppedBytes;
    },
    countDrops: () => c.countDrops(),
    close: () => c.close(),
  };
}

/** A series' place in the batches: its label array, and its column in the current batch. */
interface Slot {
  labels: WriteLabels;
  /** The batch that gave it `j` (the sender's `#mark` then). */
  mark: number;
  j: number;
}

/** The library encoder's request and its sample count. */
function encodeSeries(series: readonly WriteSeries[]): { body: Uint8Array; samples: number } {
  return { body: encodeWriteRequest(series), samples: series.reduce((a, s) => a + s.ts.length, 0) };
}

/** An error's message with its causes (fetch says only "fetch failed"; the cause says why). */
function errorDetail(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e !== undefined && parts.length < 4; e = (e as Error).cause) {
    parts.push(e instanceof Error ? e.message : String(e));
    if (!(e instanceof Error)) break;
  }
  return parts.join(": ");
}

function positive(n: number, name: string): number {
  if (!(n > 0) || !Number.isFinite(n)) throw new RangeError(`Invalid ${name}: ${n}`);
  return n;
}

/** FNV-1a of a string, 8 hex digits (a stable reader name per URL). */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
