/**
 * Refuses a query parameter the route does not take. Most routes read the parameters they know
 * and ignored the rest, so a typo changed the question unseen: `/api/capacity?hosts=web1`
 * answered for every host, and `/api/series?form=-1d` for the default hour.
 *
 * @module
 */
import type { Context, MiddlewareHandler, Next } from "hono";
import { closestName } from "../../format/mod.ts";
import { BadRequestError, echo } from "../errors.ts";

/** Taken on every route: how a browser or an `EventSource` sends the token in token mode
 * (`tokenAuth` reads it before any route). */
const EVERYWHERE = ["token"];

/**
 * Creates the check for one route.
 *
 * @param names The parameters the route reads (besides `token`, which every route takes).
 * @returns The middleware; it throws `BadRequestError` (400) naming the first parameter not in
 * `names`, and the one likely meant when one is close (`grup`: `group`), else the ones taken.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Hono } from "hono";
 * import { knownParams } from "./known_params.ts";
 * const app = new Hono().get("/", knownParams(["group"]), (c) => c.text("hi"));
 * app.onError((e, c) => c.text(e.message, 400));
 * assert.equal((await app.request("/?group=env&token=t")).status, 200);
 * const res = await app.request("/?grup=env");
 * assert.equal(await res.text(), "Invalid query: grup: unknown parameter (did you mean group?)");
 * ```
 */
export function knownParams(names: readonly string[]): MiddlewareHandler {
  const known = [...names, ...EVERYWHERE];
  const taken = names.length
    ? `this route takes ${names.join(", ")}`
    : "this route takes no parameters";
  return async function knownParams(c: Context, next: Next) {
    const url = c.req.url;
    const at = url.indexOf("?");
    if (at >= 0 && at < url.length - 1) {
      for (const [name] of new URLSearchParams(url.slice(at + 1).split("#", 1)[0])) {
        if (known.includes(name)) continue;
        // `?=1` or `?&=`: a name left out, which no route reads either
        if (name === "") {
          throw new BadRequestError(`Invalid query: a parameter without a name (${taken})`);
        }
        const meant = closestName(name, known);
        throw new BadRequestError(
          `Invalid query: ${echo(name)}: unknown parameter (${
            meant === undefined ? taken : `did you mean ${meant}?`
          })`,
        );
      }
    }
    await next();
  };
}
