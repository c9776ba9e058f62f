/**
 * A pause that a signal cuts short, for the loops that poll under a lake root (the spool tail,
 * the workflow run lock's wait).
 *
 * @module
 */

/**
 * Resolves after `ms`, or at once when the signal aborts (never rejects).
 *
 * @param ms Milliseconds to wait.
 * @param signal Ends the wait early.
 * @returns A promise that resolves when the wait ends.
 * @example
 * ```ts
 * import { sleep } from "./sleep.ts";
 * const stop = new AbortController();
 * stop.abort();
 * await sleep(60_000, stop.signal); // resolves at once
 * ```
 */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
