/**
 * The live hub: fans collected samples out to every connected browser. Each batch is encoded
 * once as an SSE frame and shared by all clients; every client has a bounded queue, and a client
 * that falls behind is dropped (its stream closes, the browser reconnects) so a slow or stalled
 * client never blocks collection or the other clients.
 *
 * @module
 */
import type { Sample } from "../collectors/mod.ts";
import { formatLabels, parseLabels } from "../collectors/mod.ts";
import type { IngestBatch } from "../lake/mod.ts";

/** Options for {@linkcode LiveHub}. */
export interface LiveHubOptions {
  /** Frames a client may have waiting before it is dropped; default 32. */
  queueSize?: number;
  /** How much history a new client receives first, in ms; default 300 000 (5 minutes). */
  backfillMs?: number;
  /** Metrics kept for the backfill; default: the ones the live page draws. */
  backfillMetrics?: readonly string[];
  /** Clock (ms) that bounds pushed samples to the live window; default `Date.now`. */
  now?: () => number;
}

/** The metrics the live page draws, kept for the backfill a new client receives. */
export const LIVE_METRICS: readonly string[] = [
  "cpu_ratio",
  "load_average",
  "memory_bytes",
  "swap_bytes",
  "disk_read_bytes_per_second",
  "disk_write_bytes_per_second",
  "network_receive_bytes_per_second",
  "network_transmit_bytes_per_second",
];

/** One client's view of the hub: await frames one by one until the hub or client closes it. */
export interface LiveSubscription {
  /** The next SSE frame, or `undefined` once the subscription is closed. */
  next(): Promise<Uint8Array | undefined>;
  /** Stops the subscription and releases its queue. */
  close(): void;
  /** True once the hub dropped this client for falling behind. */
  readonly dropped: boolean;
}

/** One sample as the live stream sends it: `[ts, host, metric, labels, value]`. */
export type LiveRow = [number, string, string, string, number | null];
type Row = LiveRow;

/** The part of the backfill window the hub does not remember: see {@linkcode LiveHub.missing}. */
export interface LiveBackfillGap {
  /** Start of the window, ms. */
  from: number;
  /** Its end (exclusive): the oldest batch remembered, or `now` when none is. */
  to: number;
  /** The metrics the backfill carries. */
  metrics: string[];
  /** The host of the first CPU sample remembered (the one the Live page shows), if any. */
  host: string | undefined;
}

class Client implements LiveSubscription {
  queue: Uint8Array[] = [];
  waiter: ((frame: Uint8Array | undefined) => void) | undefined;
  closed = false;
  dropped = false;
  constructor(
    readonly hub: LiveHub,
    readonly limit: number,
    readonly onClose: (() => void) | undefined,
  ) {}
  push(frame: Uint8Array): void {
    if (this.closed) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w(frame);
    } else if (this.queue.length >= this.limit) {
      this.dropped = true;
      this.close();
    } else this.queue.push(frame);
  }
  next(): Promise<Uint8Array | undefined> {
    const frame = this.queue.shift();
    if (frame || this.closed) return Promise.resolve(frame);
    return new Promise((resolve) => this.waiter = resolve);
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.hub.forget(this);
    this.waiter?.(undefined);
    this.waiter = undefined;
    this.onClose?.();
  }
}

const encoder = new TextEncoder();

function toRow(s: Sample): Row {
  return [
    s.ts,
    s.host,
    s.metric,
    formatLabels(s.labels),
    Number.isFinite(s.value) ? s.value : null,
  ];
}

/**
 * Fans batches of samples out to subscribers and remembers the latest value of every series
 * (for `/metrics`) and a few minutes of history (for a new client's first paint).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LiveHub } from "./live_hub.ts";
 * const hub = new LiveHub();
 * const sub = hub.subscribe();
 * hub.publish([{ ts: 1, host: "h", metric: "load_average", labels: { window: "1m" }, value: 0.5 }]);
 * const frame = new TextDecoder().decode(await sub.next());
 * assert.match(frame, /^event: samples\ndata: \[\[1,"h","load_average","window=1m",0.5\]\]\n\n$/);
 * assert.equal(hub.latest().length, 1);
 * sub.close();
 * ```
 */
export class LiveHub {
  #clients = new Set<Client>();
  #latest = new Map<string, Sample>();
  #history: { ts: number; rows: Row[] }[] = [];
  #queueSize: number;
  #backfillMs: number;
  #keep: ReadonlySet<string>;
  #lastTs = Number.NaN;
  #dropped = 0;
  #now: () => number;
  #batchObservers = new Set<(batch: IngestBatch) => void>();

  /** @param options Queue size, backfill window and metrics. */
  constructor(options: LiveHubOptions = {}) {
    this.#queueSize = options.queueSize ?? 32;
    this.#backfillMs = options.backfillMs ?? 300_000;
    this.#keep = new Set(options.backfillMetrics ?? LIVE_METRICS);
    this.#now = options.now ?? Date.now;
  }

  /** Number of connected clients. */
  get clients(): number {
    return this.#clients.size;
  }

  /** Clients dropped so far for falling behind. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Timestamp (ms) of the newest sample published, `NaN` before the first. */
  get lastTs(): number {
    return this.#lastTs;
  }

  /**
   * Sends a batch to every client and records the latest values. Never waits on a client.
   *
   * @param samples The batch, typically one collector snapshot.
   */
  publish(samples: readonly Sample[]): void {
    if (samples.length === 0) return;
    const rows: Row[] = new Array(samples.length);
    const kept: Row[] = [];
    let newest = -Infinity;
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i]!;
      const row = toRow(s);
      rows[i] = row;
      if (s.ts > newest) newest = s.ts;
      this.#latest.set(`${s.metric}\u0000${row[3]}\u0000${s.host}`, s);
      if (this.#keep.has(s.metric)) kept.push(row);
    }
    this.#send(rows, kept, newest);
  }

  /**
   * Sends the rows of a pushed batch (`/api/ingest`) whose metric the live page draws and whose
   * time falls in the live window (from the backfill window ago to a minute ahead of the clock);
   * the others would cost the encoding and every client's bandwidth for nothing.
   *
   * @param batch Validated samples as columns (labels canonical).
   * @param limit Most rows sent, the last ones of the batch; default 5 000.
   */
  publishBatch(batch: IngestBatch, limit = 5_000): void {
    // observers (the services' live view) see every row, not only the drawn metrics
    for (const observe of this.#batchObservers) observe(batch);
    const rows: Row[] = [];
    let newest = -Infinity;
    const now = this.#now(), from = now - this.#backfillMs, to = now + 60_000;
    for (let i = batch.ts.length - 1; i >= 0 && rows.length < limit; i--) {
      const metric = batch.metric[i]!, ts = batch.ts[i]!;
      if (!this.#keep.has(metric) || !(ts >= from && ts <= to)) continue;
      const host = batch.host[i]!, labels = batch.labels[i]!;
      const value = batch.value[i]!;
      rows.push([ts, host, metric, labels, Number.isFinite(value) ? value : null]);
      if (ts > newest) newest = ts;
      const key = `${metric}\u0000${labels}\u0000${host}`;
      const seen = this.#latest.get(key);
      if (!seen || seen.ts <= ts) {
        this.#latest.set(key, { ts, host, metric, labels: parseLabels(labels), value });
      }
    }
    if (rows.length === 0) return;
    rows.reverse();
    this.#send(rows, rows, newest);
  }

  #send(rows: Row[], kept: Row[], newest: number): void {
    if (!(newest <= this.#lastTs)) this.#lastTs = newest;
    this.#remember(newest, kept);
    const frame = encoder.encode(`event: samples\ndata: ${JSON.stringify(rows)}\n\n`);
    for (const client of this.#clients) {
      client.push(frame);
      if (client.dropped) this.#dropped++;
    }
  }

  #remember(ts: number, rows: Row[]): void {
    if (rows.length > 0) this.#history.push({ ts, rows });
    const cutoff = this.#lastTs - this.#backfillMs;
    let drop = 0;
    while (drop < this.#history.length && this.#history[drop]!.ts < cutoff) drop++;
    if (drop > 0) this.#history.splice(0, drop);
  }

  /**
   * The backfill frame a new client receives first: the kept metrics over the backfill window.
   *
   * @param earlier Rows older than the history (read from the lake after a restart, or for a
   * window longer than the hub's), sent first.
   * @param from The start of the client's window, ms: older rows of the history are left out;
   * default none.
   * @returns An SSE frame with event `backfill`.
   */
  backfill(earlier: readonly LiveRow[] = [], from = -Infinity): Uint8Array {
    const rows = [...earlier, ...this.#history.flatMap((h) => h.rows.filter((r) => r[0] >= from))];
    return encoder.encode(`event: backfill\ndata: ${JSON.stringify(rows)}\n\n`);
  }

  /**
   * The start of a client's window that the history does not cover: after a restart the hub
   * remembers only what was published since, and never more than its backfill window (the Live
   * page's 10-minute window is twice the default), though the lake holds the minutes before.
   *
   * @param now The clock, ms.
   * @param windowMs The client's window, ms; default the hub's backfill window.
   * @returns The gap, or `undefined` when the history covers the window (to a second).
   */
  missing(now: number, windowMs = this.#backfillMs): LiveBackfillGap | undefined {
    const from = now - windowMs;
    const to = Math.min(this.#history[0]?.ts ?? now, now);
    if (!(to - from > 1000)) return undefined;
    let host: string | undefined;
    for (const h of this.#history) {
      host = h.rows.find((r) => r[2] === "cpu_ratio")?.[1];
      if (host !== undefined) break;
    }
    return { from, to, metrics: [...this.#keep], host };
  }

  /**
   * The latest sample of every series seen, sorted by metric, then labels, then host (so each metric's
   * series are adjacent).
   *
   * @returns The samples.
   */
  latest(): Sample[] {
    return [...this.#latest.entries()]
      .sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)
      .map(([, s]) => s);
  }

  /**
   * Registers a client.
   *
   * @param onClose Called once when the subscription closes, also when the hub drops it (so the
   * caller can abort a write that a stalled client never completes).
   * @returns Its subscription; close it when the client goes away.
   */
  subscribe(onClose?: () => void): LiveSubscription {
    const client = new Client(this, this.#queueSize, onClose);
    this.#clients.add(client);
    return client;
  }

  /** @internal Removes a closed client. */
  forget(client: LiveSubscription): void {
    this.#clients.delete(client as Client);
  }

  /**
   * Calls `observe` with every batch given to {@linkcode LiveHub.publishBatch}, before the hub
   * filters it (it must not throw or keep the batch).
   *
   * @param observe The observer.
   * @returns A function that stops the observation.
   */
  onBatch(observe: (batch: IngestBatch) => void): () => void {
    this.#batchObservers.add(observe);
    return () => void this.#batchObservers.delete(observe);
  }

  /** Closes every subscription (server shutdown). */
  close(): void {
    for (const client of [...this.#clients]) client.close();
  }
}
