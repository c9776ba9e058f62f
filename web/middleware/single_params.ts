/**
 * Refuses a query string that gives a parameter more than once. The routes read one value of
 * each (zod saw an array and said `expected string, received array`; routes reading
 * `c.req.query()` took the first and dropped the others unseen), so `?host=a&host=b` answered
 * host a alone, or a 400 that did not say what was wrong.
 *
 * @module
 */
import type { Context, MiddlewareHandler, Next } from "hono";
import { BadRequestError, echo } from "../errors.ts";

/** Options for {@linkcode singleParams}. */
export interface SingleParamsOptions {
  /** What to say about a repeated parameter, by name (e.g. where several values go); default
   * none. */
  hints?: Readonly<Record<string, string>>;
}

/**
 * Creates the check.
 *
 * @param options Hints for some parameters.
 * @returns The middleware; it throws `BadRequestError` (400) naming the first parameter given
 * more than once.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Hono } from "hono";
 * import { singleParams } from "./single_params.ts";
 * const app = new Hono().use(singleParams()).get("/", (c) => c.text("hi"));
 * app.onError((e, c) => c.text(e.message, 400));
 * assert.equal((await app.request("/?a=1&b=1")).status, 200);
 * const res = await app.request("/?a=1&a=2");
 * assert.equal(await res.text(), "Invalid query: a: given 2 times (give each parameter once)");
 * ```
 */
export function singleParams(options: SingleParamsOptions = {}): MiddlewareHandler {
  const hints = options.hints ?? {};
  return async function singleParams(c: Context, next: Next) {
    const url = c.req.url;
    const at = url.indexOf("?");
    // most requests have no query string: nothing to parse
    if (at >= 0 && at < url.length - 1) {
      const seen = new Map<string, number>();
      for (const [name] of new URLSearchParams(url.slice(at + 1).split("#", 1)[0])) {
        seen.set(name, (seen.get(name) ?? 0) + 1);
      }
      for (const [name, count] of seen) {
        if (count < 2) continue;
        const hint = Object.hasOwn(hints, name) ? hints[name] : "give each parameter once";
        throw new BadRequestError(`Invalid query: ${echo(name)}: given ${count} times (${hint})`);
      }
    }
    await next();
  };
}
