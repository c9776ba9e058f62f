/**
 * Following the spool of a collector that runs in another process (the web live view).
 *
 * @module
 */

import { type Labels, parseLabels, type Sample } from "../collectors/mod.ts";
import { listSegments, type SpoolSegment } from "./spool.ts";
import { SpoolDecoder, type SpoolSeries } from "./spool_format.ts";
import { sleep } from "./sleep.ts";

/** Options for {@linkcode tailSpool}. */
export interface TailSpoolOptions {
  /** Stops following; the returned promise then resolves. */
  signal?: AbortSignal;
  /** How often to look for new bytes, in ms. Default `250`. */
  pollMs?: number;
  /** Also deliver the snapshots already in the newest segment. Default `false`. */
  fromStart?: boolean;
}

interface Open {
  segment: SpoolSegment;
  file: Deno.FsFile;
  decoder: SpoolDecoder;
}

/**
 * Calls `onBatch` with each snapshot appended to the spool, in order, until the signal aborts.
 * It looks every `pollMs` (a read, an fstat and an lstat when nothing is new), not with
 * `Deno.watchFs`: a FIFO made in the spool directory after the watch started stopped its events
 * (none of 5 appends came) and the watcher then kept the process from exiting, as it did to the
 * config watcher (`config/watch_config.ts`). It keeps the segment file open, so a segment deleted
 * after a Parquet flush is still read to its end before moving to the next one. A record not yet complete is held until the rest of it
 * arrives. Segments of older versions (`.jsonl`) are not followed.
 *
 * @param root Lake root of the collector to follow.
 * @param onBatch Receives the samples of one snapshot (labels parsed back into objects).
 * @param options See {@linkcode TailSpoolOptions}.
 * @returns Resolves when the signal aborts.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SpoolWriter, tailSpool } from "./mod.ts";
 * const root = Deno.makeTempDirSync();
 * const writer = new SpoolWriter(root, 1);
 * const controller = new AbortController();
 * const seen: number[] = [];
 * const done = tailSpool(root, (samples) => {
 *   seen.push(samples[0]!.value);
 *   controller.abort();
 * }, { signal: controller.signal, pollMs: 10 });
 * writer.append([{ ts: 1, host: "h", metric: "m", labels: "", value: 7 }]);
 * await done;
 * writer.close();
 * assert.deepEqual(seen, [7]);
 * ```
 */
export async function tailSpool(
  root: string,
  onBatch: (samples: Sample[]) => void,
  options: TailSpoolOptions = {},
): Promise<void> {
  const { signal, pollMs = 250 } = options;
  let current: Open | undefined;
  let first = true;
  try {
    while (!signal?.aborted) {
      // Most polls find nothing new: one read and one fstat then, and the directory is listed
      // only when there is no segment yet or the current one was deleted (flushed to Parquet).
      const read = current ? drain(current, onBatch) : 0;
      if (!current || (read === 0 && deleted(current))) {
        const segments = listSegments(root).filter((s) => s.format === "binary");
        if (!current) {
          const newest = segments.at(-1);
          if (newest) {
            current = open(newest);
            if (current && first && !options.fromStart) drain(current, () => {});
          }
          first = false;
        }
        while (current) {
          drain(current, onBatch);
          const next = segments.find((s) => s.id > current!.segment.id);
          if (!next) break;
          current.file.close();
          current = open(next);
        }
      }
      await sleep(pollMs, signal);
    }
  } finally {
    current?.file.close();
  }
}

function open(segment: SpoolSegment): Open | undefined {
  try {
    const file = Deno.openSync(segment.path, { read: true });
    return { segment, file, decoder: new SpoolDecoder() };
  } catch {
    return undefined; // deleted between listing and opening: its rows are in Parquet now
  }
}

const buffer = new Uint8Array(1 << 16);
// Labels parsed back into objects once per series of a segment (the decoder reuses them).
const parsed = new WeakMap<SpoolSeries, Labels>();

/** True once the segment file has no name left in the spool directory (the collector deleted
 * it after its flush, or moved it to the outbox for the spool readers); also true where the OS does not count links, so the directory is listed each time as before. */
function deleted(o: Open): boolean {
  try {
    const links = o.file.statSync().nlink;
    if (links === null || links === 0) return true;
    // moved to the outbox for the spool readers (a rename keeps the link count)
    Deno.lstatSync(o.segment.path);
    return false;
  } catch {
    return true;
  }
}

/** Delivers every complete snapshot appended since the last call; returns the bytes read. */
function drain(o: Open, onBatch: (samples: Sample[]) => void): number {
  let total = 0;
  for (;;) {
    const n = o.file.readSync(buffer);
    if (n === null || n === 0) return total;
    total += n;
    for (const snap of o.decoder.push(buffer.subarray(0, n))) {
      onBatch(Array.from(snap.series, (s, i) => {
        let labels = parsed.get(s);
        if (!labels) parsed.set(s, labels = parseLabels(s.labels));
        return { ts: snap.ts, host: s.host, metric: s.metric, labels, value: snap.values[i]! };
      }));
    }
  }
}
