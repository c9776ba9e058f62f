/**
 * A token bucket per receiver: `count` notifications per `per` ms, refilled continuously, so a
 * flapping rule or a flood of alerts cannot turn into a flood of pages.
 *
 * @module
 */

/** A token bucket. */
export class RateLimit {
  readonly #count: number;
  readonly #perMs: number;
  #tokens: number;
  #at: number;

  /**
   * @param count Notifications allowed per period (the bucket's size).
   * @param perMs The period, ms.
   * @param now The clock at creation, ms.
   * @throws {RangeError} If `count` or `perMs` is not positive.
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { RateLimit } from "./rate_limit.ts";
   * const limit = new RateLimit(2, 60_000, 0);
   * assert.deepEqual([limit.take(0), limit.take(0), limit.take(0)], [true, true, false]);
   * assert.equal(limit.take(30_000), true);
   * ```
   */
  constructor(count: number, perMs: number, now: number) {
    if (!(count > 0) || !(perMs > 0)) {
      throw new RangeError(`Invalid rate limit: ${count} per ${perMs} ms`);
    }
    this.#count = count;
    this.#perMs = perMs;
    this.#tokens = count;
    this.#at = now;
  }

  /**
   * Takes one token if there is one.
   *
   * @param now Clock, ms.
   * @returns True when the notification may go.
   */
  take(now: number): boolean {
    const elapsed = Math.max(0, now - this.#at);
    this.#tokens = Math.min(this.#count, this.#tokens + elapsed * this.#count / this.#perMs);
    this.#at = Math.max(this.#at, now);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
