/**
 * A guard against cross-site request forgery: a page on another origin can make the browser
 * send a POST to the app (a form, or `fetch` with `mode: "no-cors"` and a `text/plain` body)
 * even though it cannot read the answer. Every request whose method may change state (anything
 * but GET, HEAD and OPTIONS) must therefore come from the app's own origin, or from a client
 * that is not a browser page (no `Origin`, as curl and scripts send).
 *
 * @module
 */
import type { Context, MiddlewareHandler, Next } from "hono";
import { ForbiddenError } from "../errors.ts";

/** Options for {@linkcode originCheck}. */
export interface OriginCheckOptions {
  /**
   * Origins allowed besides the request's own, as a browser sends them (`https://perf.example`),
   * e.g. the public origin of a proxy that rewrites `Host` or terminates TLS. Default none.
   */
  allowedOrigins?: readonly string[];
}

/** Methods that must not change state, so they are never checked. */
export const SAFE_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS"]);

// What Sec-Fetch-Site says for a request a browser page on the app's own origin made ("none":
// the user typed or bookmarked it). "same-site" is refused: another port on 127.0.0.1 is the
// same site but not the same origin.
const OWN_SITE = new Set(["same-origin", "none"]);

/**
 * Creates the origin check. For a state-changing method:
 * - `Sec-Fetch-Site`, when present, must be `same-origin` or `none`;
 * - `Origin`, when present, must equal the request's own origin (scheme and `Host`) or one of
 *   `allowedOrigins`; `Origin: null` (sandboxed frames, `file:` pages) is refused;
 * - neither header (curl, scripts, server-side clients) is allowed.
 * Anything else gets 403 before the body is read.
 *
 * @param options Extra allowed origins.
 * @returns The middleware; it throws `ForbiddenError` (403).
 * @throws {TypeError} If an allowed origin is not a URL.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Hono } from "hono";
 * import { originCheck } from "./origin_check.ts";
 * const app = new Hono().use(originCheck()).post("/", (c) => c.text("stored"));
 * app.onError((e, c) => c.text(e.message, 403));
 * const post = (headers: Record<string, string>) =>
 *   app.request("http://127.0.0.1:8000/", { method: "POST", headers });
 * assert.equal((await post({})).status, 200);
 * assert.equal((await post({ origin: "http://127.0.0.1:8000" })).status, 200);
 * assert.equal((await post({ origin: "http://127.0.0.1:9999" })).status, 403);
 * assert.equal((await post({ "sec-fetch-site": "cross-site" })).status, 403);
 * ```
 */
export function originCheck(options: OriginCheckOptions = {}): MiddlewareHandler {
  const extra = new Set((options.allowedOrigins ?? []).map((o) => new URL(o).origin));
  return async function originCheck(c: Context, next: Next) {
    if (SAFE_METHODS.has(c.req.method)) return await next();
    const site = c.req.header("sec-fetch-site");
    if (site !== undefined && !OWN_SITE.has(site.toLowerCase())) {
      throw new ForbiddenError(
        `Forbidden: ${c.req.method} from another site (Sec-Fetch-Site: ${site}); ` +
          "only the app's own pages and non-browser clients may change state",
      );
    }
    const origin = c.req.header("origin");
    if (origin !== undefined) {
      const own = new URL(c.req.url).origin;
      if (origin !== own && !extra.has(origin)) {
        throw new ForbiddenError(
          `Forbidden origin: ${origin} (a ${c.req.method} must come from ${own} ` +
            "or from a client that sends no Origin, such as curl)",
        );
      }
    }
    await next();
  };
}
