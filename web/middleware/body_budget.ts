/**
 * A byte budget shared by every request body being held in memory, so many uploads at once
 * cannot exhaust the server even when each stays under its route's limit.
 *
 * @module
 */

/**
 * Counts the request-body bytes held in memory across all requests. `bodyGuard` takes bytes
 * from it as they arrive and gives them back when the request is answered.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BodyBudget } from "./body_budget.ts";
 * const budget = new BodyBudget(100);
 * assert.equal(budget.take(60), true);
 * assert.equal(budget.take(60), false);
 * budget.give(60);
 * assert.equal(budget.take(60), true);
 * assert.equal(budget.used, 60);
 * ```
 */
export class BodyBudget {
  /** The most bytes that may be held at once. */
  readonly limit: number;
  #used = 0;

  /**
   * @param limit Bytes that may be held at once.
   * @throws {RangeError} If `limit` is not a positive number.
   */
  constructor(limit: number) {
    if (!(limit > 0)) throw new RangeError(`Invalid body budget: ${limit}`);
    this.limit = limit;
  }

  /** Bytes held now. */
  get used(): number {
    return this.#used;
  }

  /**
   * Takes `bytes` from the budget when they fit.
   *
   * @param bytes How many bytes to hold.
   * @returns False (and nothing taken) when they would exceed the limit.
   */
  take(bytes: number): boolean {
    if (this.#used + bytes > this.limit) return false;
    this.#used += bytes;
    return true;
  }

  /**
   * Gives back bytes taken before.
   *
   * @param bytes How many bytes to release.
   */
  give(bytes: number): void {
    this.#used = Math.max(0, this.#used - bytes);
  }
}
