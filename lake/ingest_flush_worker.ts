/**
 * The ingest writer's flush thread (a Worker, `IngestWriterOptions.flushInWorker`): it writes
 * one partition's Parquet file at a time, plan first, so that encoding and fsync, tens of ms a
 * file, never hold up the server's event loop (`/healthz`, requests). The writer keeps all the
 * bookkeeping; this side only writes what it is given and answers, by message and through a
 * shared flag the writer can wait on when it must flush synchronously (close).
 *
 * Shared flag (Int32Array over `shared`): [0] state (0 running, 1 done, 2 unwritable, 3 failed),
 * [1] rows written, [2] message bytes, then the UTF-8 message.
 *
 * @module
 */
import { type IngestPlanEntry, writeIngestPlan } from "./ingest_spool.ts";
import { isUnwritable } from "./quarantine.ts";
import { errorText } from "./write_file_atomic.ts";
import { writePartition } from "./write_samples.ts";

/** One file to write. */
export interface IngestFlushJob {
  job: number;
  root: string;
  sync: boolean;
  /** The plan to save before the file (this file's entry last). */
  plan: IngestPlanEntry[];
  id: number;
  host: string;
  date: string;
  /** The partition's rows in blocks (`IngestGroup.held`), `length` rows in all, with rows
   * without a finite value still in (left out here). */
  blocks: { ts: Float64Array; value: Float64Array; series: Uint32Array }[];
  length: number;
  metrics: string[];
  labels: string[];
  shared: SharedArrayBuffer;
}

/** The answer to a job. */
export interface IngestFlushResult {
  job: number;
  rows: number;
  error?: string;
  unwritable?: boolean;
}

/** Flag states. */
export const JOB_RUNNING = 0, JOB_DONE = 1, JOB_UNWRITABLE = 2, JOB_FAILED = 3;

const scope = self as unknown as {
  postMessage(message: unknown): void;
  onmessage: ((e: MessageEvent) => void) | null;
};

// only inside a Worker (a module that imports the types must not take the main thread's messages)
if ("WorkerGlobalScope" in globalThis) {
  scope.onmessage = (e: MessageEvent) => {
    const j = e.data as IngestFlushJob;
    const flag = new Int32Array(j.shared);
    let result: IngestFlushResult;
    try {
      writeIngestPlan(j.root, j.plan, j.sync);
      let n = 0;
      const size = j.blocks[0]?.ts.length ?? 0;
      for (let k = 0, left = j.length; k < j.blocks.length; k++, left -= size) {
        const b = j.blocks[k]!, m = Math.min(left, b.ts.length);
        for (let i = 0; i < m; i++) if (Number.isFinite(b.value[i]!)) n++;
      }
      const ts = new Float64Array(n), value = new Float64Array(n);
      const metric = new Array<string>(n), labels = new Array<string>(n);
      let at = 0;
      for (let k = 0, left = j.length; k < j.blocks.length; k++, left -= size) {
        const b = j.blocks[k]!, m = Math.min(left, b.ts.length);
        for (let i = 0; i < m; i++) {
          const v = b.value[i]!;
          if (!Number.isFinite(v)) continue;
          const s = b.series[i]!;
          ts[at] = b.ts[i]!, value[at] = v, metric[at] = j.metrics[s]!, labels[at] = j.labels[s]!;
          at++;
        }
      }
      const file = writePartition(
        { ts, metric, labels, value },
        { root: j.root, id: j.id, host: j.host, date: j.date, sync: j.sync },
      );
      result = { job: j.job, rows: file?.rows ?? 0 };
      flag[1] = result.rows;
      Atomics.store(flag, 0, JOB_DONE);
    } catch (error) {
      result = { job: j.job, rows: 0, error: errorText(error), unwritable: isUnwritable(error) };
      const text = new TextEncoder().encode(result.error!.slice(0, 1000));
      new Uint8Array(j.shared, 12).set(text.subarray(0, j.shared.byteLength - 12));
      flag[2] = Math.min(text.length, j.shared.byteLength - 12);
      Atomics.store(flag, 0, result.unwritable ? JOB_UNWRITABLE : JOB_FAILED);
    }
    Atomics.notify(flag, 0);
    scope.postMessage(result);
  };
}
