/**
 * Following the spool of a collector that runs in another process (the web live view).
 *
 * @module
 */

import { type Labels, parseLabels, type Sample } from "../collectors/mod.ts";
import { listSegments, spoolDir, type SpoolSegment } from "./spool.ts";
import { SpoolDecoder, type SpoolSeries } from "./spool_format.ts";

/** Options for {@linkcode tailSpool}. */
export interface TailSpoolOptions {
  /** Stops following; the returned promise then resolves. */
  signal?: AbortSignal;
  /** How often to look for new lines, in ms, where the spool directory is not watched (not
   * there yet, or `watch` is false). Default `250`. */
  pollMs?: number;
  /** Wake on file-system events of the spool directory (one a snapshot) instead of polling
   * every `pollMs`. Default `true`. */
  watch?: boolean;
  /** While watching, look anyway this often (a missed event delays a snapshot at most this
   * long), in ms. Default `2000`. */
  watchPollMs?: number;
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
 * It wakes when the spool directory changes (a watch; polling where that is not possible), so an
 * idle follower costs about one wake-up per snapshot. It keeps the segment file open, so a segment deleted after a Parquet flush is still read to
 * its end before moving to the next one. A record not yet complete is held until the rest of it
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
  const { signal, pollMs = 250, watchPollMs = 2000 } = options;
  const waker = new Waker(spoolDir(root), options.watch ?? true);
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
      await waker.wait(pollMs, watchPollMs, signal);
    }
  } finally {
    waker.close();
    current?.file.close();
  }
}

/** Waits for a change of a directory (`Deno.watchFs`), or a time-out; polls where it cannot
 * watch. An event that comes while nobody waits makes the next wait return at once. */
class Waker {
  #dir: string;
  #enabled: boolean;
  #watcher: Deno.FsWatcher | undefined;
  #changed = false;
  #wake: (() => void) | undefined;
  #closed = false;
  /** When a failed watch may be tried again (a failure costs an exception: not every poll). */
  #retryAt = 0;

  constructor(dir: string, enabled: boolean) {
    this.#dir = dir;
    this.#enabled = enabled;
  }

  /** Resolves on a change (while watching), after `pollMs` (not watching) or `watchPollMs`
   * (watching), or on abort. */
  wait(pollMs: number, watchPollMs: number, signal: AbortSignal | undefined): Promise<void> {
    if (this.#enabled && !this.#watcher && Date.now() >= this.#retryAt) {
      this.#watch();
      if (!this.#watcher) this.#retryAt = Date.now() + watchPollMs;
    }
    if (this.#changed || signal?.aborted) {
      this.#changed = false;
      return Promise.resolve();
    }
    const ms = this.#watcher ? watchPollMs : pollMs;
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        this.#wake = undefined;
        this.#changed = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener("abort", done, { once: true });
      this.#wake = done;
    });
  }

  close(): void {
    this.#closed = true;
    this.#watcher?.close();
  }

  #watch(): void {
    let watcher: Deno.FsWatcher;
    try {
      watcher = Deno.watchFs(this.#dir, { recursive: false });
    } catch {
      return; // no spool directory yet (or no watch here): poll, and try again next time
    }
    this.#watcher = watcher;
    (async () => {
      try {
        for await (const _ of watcher) {
          this.#changed = true;
          this.#wake?.();
        }
      } catch {
        // the directory went away: back to polling
      }
      if (this.#watcher === watcher) this.#watcher = undefined;
      if (this.#closed) return;
      this.#changed = true;
      this.#wake?.();
    })();
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
