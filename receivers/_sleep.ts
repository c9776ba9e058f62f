/**
 * Waiting between a scrape target's or a probe's runs. Private to the receivers (the commands
 * have their own in cli/_sleep.ts: the floors share no utility module).
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
 * const t = performance.now();
 * setTimeout(() => stop.abort(), 10);
 * await sleep(60_000, stop.signal);
 * assert.ok(performance.now() - t < 60_000);
 * ```
 */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
