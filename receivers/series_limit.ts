/**
 * The cardinality limit: the most distinct series one source (a scrape target, the OTLP
 * endpoint, the StatsD listener, the probes) may create per window. Series past it are dropped
 * and counted, so a label explosion costs a log line, never an unbounded lake.
 *
 * @module
 */

/** Options for {@linkcode SeriesLimit}. */
export interface SeriesLimitOptions {
  /** Most distinct series per window; default 10 000. */
  maxSeries?: number;
  /** The window after which the count starts again, ms; default 3 600 000 (an hour). */
  windowMs?: number;
  /** Clock (ms); default `Date.now`. */
  now?: () => number;
}

/**
 * Admits series until a source has created `maxSeries` distinct ones in the current window.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SeriesLimit } from "./series_limit.ts";
 * const limit = new SeriesLimit({ maxSeries: 2 });
 * assert.deepEqual(["a", "b", "a", "c"].map((k) => limit.admit(k)), [true, true, true, false]);
 * assert.equal(limit.dropped, 1);
 * ```
 */
export class SeriesLimit {
  readonly maxSeries: number;
  #windowMs: number;
  #now: () => number;
  #seen = new Set<string>();
  #start: number;
  /** Samples dropped because their series was past the limit (since this object was made). */
  dropped = 0;
  /** Samples dropped in the current window (reset with it; tells a caller to log once). */
  droppedInWindow = 0;

  /**
   * @param options See {@linkcode SeriesLimitOptions}.
   * @throws {RangeError} If `maxSeries` is not a positive integer.
   */
  constructor(options: SeriesLimitOptions = {}) {
    this.maxSeries = options.maxSeries ?? 10_000;
    if (!(Number.isInteger(this.maxSeries) && this.maxSeries > 0)) {
      throw new RangeError(`Invalid maxSeries: ${this.maxSeries}`);
    }
    this.#windowMs = options.windowMs ?? 3_600_000;
    this.#now = options.now ?? Date.now;
    this.#start = this.#now();
  }

  /** Distinct series admitted in the current window. */
  get size(): number {
    return this.#seen.size;
  }

  /**
   * Tells whether a sample of this series may be stored.
   *
   * @param key The series (metric and canonical labels).
   * @returns False (and counts it) when the series is new and the window is full.
   */
  admit(key: string): boolean {
    if (this.#seen.has(key)) return true;
    const now = this.#now();
    if (now - this.#start >= this.#windowMs) {
      this.#seen.clear();
      this.#start = now;
      this.droppedInWindow = 0;
    }
    if (this.#seen.size >= this.maxSeries) {
      this.dropped++;
      this.droppedInWindow++;
      return false;
    }
    this.#seen.add(key);
    return true;
  }
}
