/**
 * Token authentication: every request must carry the token as `Authorization: Bearer T`, as
 * `?token=T` (what a browser's `EventSource` or a first visit can send), or as the cookie set
 * after either of those succeeded.
 *
 * @module
 */
import type { Context, MiddlewareHandler, Next } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { createHash, timingSafeEqual } from "node:crypto";
import { UnauthorizedError } from "../errors.ts";

/** Options for {@linkcode tokenAuth}. */
export interface TokenAuthOptions {
  /** The token every request must carry (non-empty). */
  token: string;
  /** Cookie that remembers the token in a browser; default `perfscope_token`. */
  cookieName?: string;
}

function digest(text: string): Uint8Array {
  return createHash("sha256").update(text).digest();
}

function bearer(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1];
}

/**
 * Creates the token middleware. Tokens are compared in constant time (over SHA-256 digests, so
 * the length does not leak either). A valid `?token=` also sets an HttpOnly, SameSite=Strict
 * cookie so the pages, scripts and streams that follow need no token in their URLs; a browser
 * navigation that carried it is redirected (303) to the same URL without it.
 *
 * @param options The token and cookie name.
 * @returns The middleware.
 * @throws {RangeError} If the token is empty.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Hono } from "hono";
 * import { tokenAuth } from "./token_auth.ts";
 * const app = new Hono().use(tokenAuth({ token: "s3cret" })).get("/", (c) => c.text("hi"));
 * app.onError((e, c) => c.text(e.message, 401));
 * assert.equal((await app.request("/")).status, 401);
 * const ok = await app.request("/", { headers: { authorization: "Bearer s3cret" } });
 * assert.equal(ok.status, 200);
 * ```
 */
export function tokenAuth(options: TokenAuthOptions): MiddlewareHandler {
  if (!options.token) throw new RangeError("Invalid token: empty");
  const expected = digest(options.token);
  const cookieName = options.cookieName ?? "perfscope_token";
  return async function tokenAuth(c: Context, next: Next) {
    const fromQuery = c.req.query("token");
    const given = bearer(c.req.header("authorization")) ?? fromQuery ?? getCookie(c, cookieName);
    if (given === undefined) {
      throw new UnauthorizedError(
        "Unauthorized: send the token as Authorization: Bearer <token> or ?token=<token>",
      );
    }
    if (!timingSafeEqual(digest(given), expected)) {
      throw new UnauthorizedError("Unauthorized: wrong token");
    }
    if (fromQuery !== undefined) {
      setCookie(c, cookieName, options.token, { httpOnly: true, sameSite: "Strict", path: "/" });
      // a browser opening the printed link: send it on without the token, so the token stays
      // out of the address bar, history and bookmarks (the cookie carries it from now on)
      if (c.req.method === "GET" && c.req.header("sec-fetch-mode") === "navigate") {
        const url = new URL(c.req.url);
        url.searchParams.delete("token");
        return c.redirect(url.pathname + url.search, 303);
      }
    }
    await next();
  };
}
