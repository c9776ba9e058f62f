/**
 * A cap on long-lived connections such as the live event stream: each one holds a queue and
 * gets a backfill, and its response outlives the handler, so the count comes from whoever
 * holds the connections (the live hub) rather than from the middleware.
 *
 * @module
 */
import type { Context, MiddlewareHandler, Next } from "hono";
import { UnavailableError } from "../errors.ts";

/** Options for {@linkcode clientLimit}. */
export interface ClientLimitOptions {
  /** How many clients may be connected at once (required). */
  max: number;
  /** How many are connected now, e.g. `() => hub.clients`. */
  current: () => number;
  /** What the clients are, for the message; default `live streams`. */
  what?: string;
}

/**
 * Creates the client limit: a new request while `current()` is at `max` gets 503.
 *
 * @param options The limit and the live count.
 * @returns The middleware; it throws `UnavailableError` (503).
 * @throws {RangeError} If `max` is not a positive integer.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Hono } from "hono";
 * import { clientLimit } from "./client_limit.ts";
 * let open = 0;
 * const app = new Hono()
 *   .use(clientLimit({ max: 1, current: () => open }))
 *   .get("/", (c) => c.text(String(++open)));
 * app.onError((e, c) => c.text(e.message, 503));
 * assert.equal((await app.request("/")).status, 200);
 * assert.equal((await app.request("/")).status, 503);
 * ```
 */
export function clientLimit(options: ClientLimitOptions): MiddlewareHandler {
  const { max, current, what = "live streams" } = options;
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`Invalid max: ${max}`);
  return async function clientLimit(_c: Context, next: Next) {
    if (current() >= max) {
      throw new UnavailableError(`Unavailable: ${max} ${what} are open already; retry later`);
    }
    await next();
  };
}
