/**
 * Remote-write senders on a thread of their own (a Worker), for `serve`: reading the ingest
 * spool, grouping and encoding tens of thousands of samples a batch (and catching up after an
 * outage) then never holds up the server's event loop, so requests and `/healthz` are answered
 * meanwhile. The senders are made (and registered as spool readers) on the calling thread
 * first, so a bad option throws at once and the ingest writer, opened after, keeps its leftover
 * segments for them.
 *
 * @module
 */
import { type RemoteWriteOptions, RemoteWriteSender } from "./remote_write_sender.ts";

/** What the thread posts every second: per sender, `[metric, kind, value]` entries. */
export interface SenderThreadReport {
  metrics: [string, "gauge" | "counter", number][][];
}

/** One sender as the calling thread sees it: its metric labels and its latest metrics. */
export interface SenderView {
  readonly url: string;
  readonly metricLabels: Readonly<Record<string, string>>;
  metrics(): [string, Readonly<Record<string, string>>, "gauge" | "counter", number][];
}

/**
 * Senders of one lake root running on a Worker.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readPosition, RemoteWriteThread } from "./mod.ts";
 * const root = Deno.makeTempDirSync();
 * const thread = new RemoteWriteThread(root, [
 *   { url: "http://127.0.0.1:9/api/v1/write", name: "vm", queue: "ingest" },
 * ]);
 * // registered at once: the ingest writer keeps what it flushes for this reader
 * assert.deepEqual(readPosition(root, "vm", "ingest"), { segment: 0, offset: 0 });
 * assert.deepEqual(thread.senders[0]!.metricLabels, { queue: "ingest", remote: "127.0.0.1:9" });
 * thread.start();
 * await thread.stop();
 * ```
 */
export class RemoteWriteThread {
  /** The senders, with the metrics the thread last posted. */
  readonly senders: readonly SenderView[];
  #root: string;
  #options: RemoteWriteOptions[];
  #latest: [string, "gauge" | "counter", number][][] = [];
  #worker: Worker | undefined;

  /**
   * @param root Lake root.
   * @param options One per receiver (data only: functions such as `fetch` or `log` cannot go
   * to another thread).
   * @throws {RangeError} On a bad URL or option, as {@linkcode RemoteWriteSender} does.
   */
  constructor(root: string, options: readonly RemoteWriteOptions[]) {
    this.#root = root;
    this.#options = [...options];
    const made = options.map((o) => new RemoteWriteSender(root, o));
    this.senders = made.map((s, i) => ({
      url: s.url,
      metricLabels: s.metricLabels,
      metrics: () => (this.#latest[i] ?? []).map(([m, kind, v]) => [m, s.metricLabels, kind, v]),
    }));
    // registered (their position files exist); the thread makes its own from those positions
    for (const s of made) void s.stop();
  }

  /**
   * Starts the thread.
   *
   * @returns This.
   */
  start(): this {
    if (this.#worker || this.#options.length === 0) return this;
    const worker = new Worker(new URL("./_sender_worker.ts", import.meta.url), {
      type: "module",
    });
    worker.onmessage = (e: MessageEvent<SenderThreadReport | { stopped: true }>) => {
      if ("metrics" in e.data) this.#latest = e.data.metrics;
    };
    worker.postMessage({ start: { root: this.#root, options: this.#options } });
    this.#worker = worker;
    return this;
  }

  /**
   * Stops the senders (each with up to `flushMs` to send what is left; the rest stays queued
   * for the next start) and the thread.
   *
   * @param flushMs Time allowed to finish; default 0.
   * @returns Resolves once the thread is gone.
   */
  async stop(flushMs = 0): Promise<void> {
    const worker = this.#worker;
    if (!worker) return;
    this.#worker = undefined;
    const stopped = new Promise<void>((resolve) => {
      worker.onmessage = (e: MessageEvent<SenderThreadReport | { stopped: true }>) => {
        if ("metrics" in e.data) this.#latest = e.data.metrics;
        else resolve();
      };
      worker.onerror = () => resolve();
    });
    worker.postMessage({ stop: flushMs });
    // a thread that does not answer (stuck in a request past its flush time) is ended anyway
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([stopped, new Promise((r) => timer = setTimeout(r, flushMs + 5000))]);
    clearTimeout(timer);
    worker.terminate();
  }
}
