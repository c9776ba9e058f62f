/**
 * A cap on the length of the request target (path and query string): every route parses its
 * query string, and none needs more than a few hundred characters.
 *
 * @module
 */
import type { Context, MiddlewareHandler, Next } from "hono";
import { UriTooLongError } from "../errors.ts";

/** Options for {@linkcode urlLimit}. */
export interface UrlLimitOptions {
  /** Longest path plus query string, in characters; default 8192. */
  maxLength?: number;
}

/**
 * Creates the URL length check.
 *
 * @param options The limit.
 * @returns The middleware; it throws `UriTooLongError` (414) for a longer path and query.
 * @throws {RangeError} If the limit is not a positive number.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Hono } from "hono";
 * import { urlLimit } from "./url_limit.ts";
 * const app = new Hono().use(urlLimit({ maxLength: 20 })).get("/", (c) => c.text("hi"));
 * app.onError((e, c) => c.text(e.message, 414));
 * assert.equal((await app.request("/?a=1")).status, 200);
 * assert.equal((await app.request(`/?a=${"x".repeat(20)}`)).status, 414);
 * ```
 */
export function urlLimit(options: UrlLimitOptions = {}): MiddlewareHandler {
  const maxLength = options.maxLength ?? 8192;
  if (!(maxLength > 0)) throw new RangeError(`Invalid maxLength: ${maxLength}`);
  return async function urlLimit(c: Context, next: Next) {
    // measured on the raw string: parsing it would fail on a malformed Host before the Host
    // check can name the problem
    const url = c.req.url;
    const target = url.indexOf("/", url.indexOf("//") + 2);
    if (target >= 0 && url.length - target > maxLength) throw new UriTooLongError(maxLength);
    await next();
  };
}
