/**
 * Waiting in the long-running commands' background loops (the collector supervisor, the
 * compaction schedule). Private to the commands.
 *
 * @module
 */

/**
 * Waits `ms`, or less if `signal` aborts first; never rejects.
 *
 * @param ms Milliseconds to wait.
 * @param signal Ends the wait early.
 * @returns A promise that settles when the time is up or the signal aborted.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sleep } from "./_sleep.ts";
 * const stop = new AbortController();
 * stop.abort();
 * const t = performance.now();
 * await sleep(60_000, stop.signal);
 * assert.ok(performance.now() - t < 60_000);
 * ```
 */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
