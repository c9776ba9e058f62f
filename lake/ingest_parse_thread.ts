/**
 * The event loop's side of the parse thread (`ingest_parse_worker.ts`): it hands a body's chunks
 * over (transferred: the caller's bytes are detached afterwards), keeps the mirror of the
 * thread's series table, and turns each answer back into an {@linkcode IngestBatch} whose strings
 * are the table's (no copy per row). One thread, answers in order.
 *
 * @module
 */
import type { IngestBatch, IngestLimits } from "./ingest_lines.ts";
import type { IngestParseJob, IngestParseResult } from "./ingest_parse_worker.ts";
import { LakeError } from "./errors.ts";

interface Waiting {
  resolve: (batch: IngestBatch) => void;
  reject: (error: Error) => void;
}

/** Transferable when the view is its whole, own (not shared) buffer; otherwise it is copied. */
function transferable(chunk: Uint8Array): boolean {
  return chunk.buffer instanceof ArrayBuffer && chunk.byteOffset === 0 &&
    chunk.byteLength === chunk.buffer.byteLength;
}

/**
 * A Worker that parses ingest bodies off the event loop.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IngestParseThread } from "./ingest_parse_thread.ts";
 * const parser = new IngestParseThread();
 * const ts = Date.UTC(2024, 0, 1);
 * const line = `{"ts":${ts},"host":"h","metric":"m","labels":{"a":"1"},"value":2}\n`;
 * const batch = await parser.parse([new TextEncoder().encode(line)], { now: ts });
 * assert.deepEqual(batch.labels, ["a=1"]);
 * await assert.rejects(parser.parse([new TextEncoder().encode("{}")], { now: ts }), RangeError);
 * parser.close();
 * ```
 */
export class IngestParseThread {
  #worker: Worker | undefined;
  #waiting = new Map<number, Waiting>();
  #jobs = 0;
  #hosts: string[] = [];
  #metrics: string[] = [];
  #labels: string[] = [];
  #closed = false;

  /** Starts the thread now (it loads the parser), not at the first body: a server then pays
   * for it before it listens. */
  constructor() {
    this.#worker = this.#start();
  }

  /** Bodies handed over and not answered yet. */
  get pending(): number {
    return this.#waiting.size;
  }

  #start(): Worker {
    const worker = new Worker(new URL("./ingest_parse_worker.ts", import.meta.url), {
      type: "module",
    });
    worker.onmessage = (e: MessageEvent<IngestParseResult>) => this.#answer(e.data);
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      this.#fail(new LakeError(`Ingest parse thread failed: ${e.message}`));
    };
    // a fresh thread has an empty table
    this.#hosts = [], this.#metrics = [], this.#labels = [];
    return worker;
  }

  /** The thread died: every body in it fails (nothing of them was stored), the next starts a
   * new thread. */
  #fail(error: Error): void {
    this.#worker?.terminate();
    this.#worker = undefined;
    const waiting = [...this.#waiting.values()];
    this.#waiting.clear();
    for (const w of waiting) w.reject(error);
  }

  #answer(r: IngestParseResult): void {
    const w = this.#waiting.get(r.job);
    if (w === undefined) return;
    this.#waiting.delete(r.job);
    if (r.invalid !== undefined) return w.reject(new RangeError(r.invalid));
    if (r.error !== undefined) {
      return w.reject(new LakeError(`Cannot parse ingest body: ${r.error}`));
    }
    // the table first (answers come in order, so the mirror follows the thread's table)
    if (r.reset) this.#hosts = [], this.#metrics = [], this.#labels = [];
    for (let i = 0; i < r.hosts!.length; i++) {
      this.#hosts.push(r.hosts![i]!);
      this.#metrics.push(r.metrics![i]!);
      this.#labels.push(r.labels![i]!);
    }
    const series = r.series!, n = series.length;
    const host = new Array<string>(n), metric = new Array<string>(n), labels = new Array<string>(n);
    for (let i = 0; i < n; i++) {
      const k = series[i]!;
      host[i] = this.#hosts[k]!, metric[i] = this.#metrics[k]!, labels[i] = this.#labels[k]!;
    }
    w.resolve({ ts: r.ts!, host, metric, labels, value: r.value! });
  }

  /**
   * Parses a body on the thread.
   *
   * @param chunks The body's bytes in order; their buffers are transferred (detached here)
   * when they are whole buffers of their own, copied otherwise.
   * @param options Limits and clock, as `parseIngestLines` takes them.
   * @returns The samples as columns.
   * @throws {RangeError} As `parseIngestLines` (a bad line, past a limit).
   * @throws {LakeError} If the thread failed or was closed.
   */
  parse(
    chunks: readonly Uint8Array[],
    options: IngestLimits & { now: number },
  ): Promise<IngestBatch> {
    if (this.#closed) return Promise.reject(new LakeError("Ingest parse thread is closed"));
    this.#worker ??= this.#start();
    const job = ++this.#jobs;
    const message: IngestParseJob = { job, chunks: [...chunks], options };
    const moved = chunks.filter(transferable).map((c) => c.buffer as ArrayBuffer);
    return new Promise<IngestBatch>((resolve, reject) => {
      this.#waiting.set(job, { resolve, reject });
      this.#worker!.postMessage(message, [...new Set(moved)]);
    });
  }

  /** Stops the thread; bodies not answered yet fail. */
  close(): void {
    this.#closed = true;
    this.#fail(new LakeError("Ingest parse thread is closed"));
  }
}
