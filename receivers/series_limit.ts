/**
 * The cardinality limit: the most series one source (a scrape target, the OTLP endpoint, a host
 * pushing to `/api/ingest`) may have per window. Series past it are dropped and counted, so a
 * label explosion costs a log line, never an unbounded lake.
 *
 * A series is new when it was not seen in this window or the one before: a series that keeps
 * arriving stays admitted across the reset, so new series arriving first in a window can never
 * take the places of the series already flowing. What the limit counts is a choice: the
 * receivers cap the series a source has (`counts: "flowing"`: this window's series plus those of
 * the window before that have not come back yet, whose places are kept for them), so a target
 * that steadily exposes more series than the limit keeps a stable set rather than growing by the
 * limit each hour; `/api/ingest` caps how many new series a host adds per window
 * (`counts: "new"`).
 *
 * @module
 */

/** Options for {@linkcode SeriesLimit}. */
export interface SeriesLimitOptions {
  /** Most series per window (see `counts`); default 10 000. */
  maxSeries?: number;
  /**
   * What `maxSeries` limits: `"flowing"` (default), the series of this window plus the places kept
   * for those of the window before; `"new"`, only the series new in this window.
   */
  counts?: "flowing" | "new";
  /** The window after which the count starts again, ms; default 3 600 000 (an hour). */
  windowMs?: number;
  /** Clock (ms); default `Date.now`. */
  now?: () => number;
}

/**
 * Admits series while a source has fewer than `maxSeries` series in the current window (or, with
 * `counts: "new"`, has created fewer new ones); the series of the window before are not new and
 * are always admitted.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SeriesLimit } from "./series_limit.ts";
 * let t = 0;
 * const limit = new SeriesLimit({ maxSeries: 2, now: () => t });
 * assert.deepEqual(["a", "b", "a", "c"].map((k) => limit.admit(k)), [true, true, true, false]);
 * assert.equal(limit.dropped, 1);
 * t = 3_600_000; // the next hour: a and b keep their places, whatever arrives first
 * assert.deepEqual(["c", "a", "b"].map((k) => limit.admit(k)), [false, true, true]);
 * ```
 */
export class SeriesLimit {
  #maxSeries: number;
  #countsNew: boolean;
  #windowMs: number;
  #now: () => number;
  /** Series seen in this window (new or carried on), and those of the one before not back yet. */
  #current = new Set<string>();
  #previous = new Set<string>();
  #created = 0;
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
    this.#maxSeries = checkedMax(options.maxSeries ?? 10_000);
    this.#countsNew = options.counts === "new";
    this.#windowMs = options.windowMs ?? 3_600_000;
    this.#now = options.now ?? Date.now;
    this.#start = this.#now();
  }

  /** Most series per window (see {@linkcode SeriesLimitOptions.counts}). */
  get maxSeries(): number {
    return this.#maxSeries;
  }

  /**
   * Changes the limit and keeps what the limit knows (a config reload): the series admitted keep
   * their places; a lower limit admits no new series until the source has fewer than it, a
   * higher one admits new series at once.
   *
   * @param maxSeries The new limit.
   * @throws {RangeError} If `maxSeries` is not a positive integer.
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { SeriesLimit } from "./series_limit.ts";
   * const limit = new SeriesLimit({ maxSeries: 1 });
   * assert.deepEqual(["a", "b"].map((k) => limit.admit(k)), [true, false]);
   * limit.resize(2);
   * assert.deepEqual(["b", "a", "c"].map((k) => limit.admit(k)), [true, true, false]);
   * ```
   */
  resize(maxSeries: number): void {
    this.#maxSeries = checkedMax(maxSeries);
  }

  /** Distinct series admitted in the current window (new ones and those carried on). */
  get size(): number {
    return this.#current.size;
  }

  /** When the current window began (ms of the clock); it changes at each reset. */
  get windowStart(): number {
    return this.#start;
  }

  /** Ms until the window ends and the count of new series starts again. */
  resetInMs(): number {
    return Math.max(0, this.#start + this.#windowMs - this.#now());
  }

  /**
   * Starts a new window when the current one has ended. `known` and `admit` do this themselves
   * for a series not in the current window; a caller taking whole batches calls it once per
   * batch, so even the series of the current window are judged in the right one.
   */
  roll(): void {
    const now = this.#now();
    if (now - this.#start < this.#windowMs) return;
    // a window with nothing in it ends the memory of the one before too
    this.#previous = now - this.#start >= 2 * this.#windowMs ? new Set() : this.#current;
    this.#current = new Set();
    this.#created = 0;
    this.droppedInWindow = 0;
    this.#start = now;
  }

  /**
   * Tells whether a series is known: seen in this window or the one before (then it is carried
   * on into this one). A known series is always admitted.
   *
   * @param key The series.
   * @returns True when the series is not new.
   */
  known(key: string): boolean {
    if (this.#current.has(key)) return true;
    this.roll();
    if (!this.#previous.delete(key)) return false;
    this.#current.add(key);
    return true;
  }

  /**
   * Tells whether a sample of this series may be stored.
   *
   * @param key The series (metric and canonical labels).
   * @returns False (and counts it) when the series is new and the window's new series are
   * at the limit.
   */
  admit(key: string): boolean {
    return this.known(key) || this.create(key);
  }

  /**
   * Admits a series that {@linkcode SeriesLimit.known} called new, while the window has room
   * (a caller with limits of its own checks them between the two).
   *
   * @param key The new series.
   * @returns False (and counts it) when the window is at the limit.
   */
  create(key: string): boolean {
    const held = this.#countsNew ? this.#created : this.#current.size + this.#previous.size;
    if (held >= this.#maxSeries) {
      this.dropped++;
      this.droppedInWindow++;
      return false;
    }
    this.#current.add(key);
    this.#created++;
    return true;
  }
}

function checkedMax(maxSeries: number): number {
  if (!(Number.isInteger(maxSeries) && maxSeries > 0)) {
    throw new RangeError(`Invalid maxSeries: ${maxSeries}`);
  }
  return maxSeries;
}
