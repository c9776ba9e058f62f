/**
 * Content-type gate for JSON routes. Besides telling a client which format to send, it closes
 * the other half of cross-site request forgery: a browser page can only send `text/plain`,
 * `application/x-www-form-urlencoded` or `multipart/form-data` to another origin without a
 * CORS preflight, and none of those is accepted here.
 *
 * @module
 */
import type { Context, MiddlewareHandler, Next } from "hono";
import { echo, UnsupportedMediaTypeError } from "../errors.ts";
import { SAFE_METHODS } from "./origin_check.ts";

/** Options for {@linkcode requireContentType}. */
export interface RequireContentTypeOptions {
  /** Accepted media types, lower case, without parameters; the first one is suggested. */
  accept: readonly string[];
  /** Appended to the 415 message, e.g. how to send it with curl. Default none. */
  hint?: string;
  /** Accepted `Content-Encoding`s, lower case; default `["identity"]` (no header, or
   * `identity`): a route that does not decode gzip would read its bytes as JSON and answer with
   * a 400 quoting them. */
  encodings?: readonly string[];
}

/**
 * Creates the content-type gate: a request with a body-carrying method (not GET, HEAD or
 * OPTIONS) must have a `Content-Type` whose media type (parameters such as `charset` ignored)
 * is one of `accept`, and a `Content-Encoding` among `encodings`, or it gets 415 before its body
 * is read.
 *
 * @param options Accepted media types and a hint for the message.
 * @returns The middleware; it throws `UnsupportedMediaTypeError` (415).
 * @throws {RangeError} If `accept` is empty.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Hono } from "hono";
 * import { requireContentType } from "./require_content_type.ts";
 * const app = new Hono()
 *   .use(requireContentType({ accept: ["application/json"] }))
 *   .post("/", (c) => c.text("ok"));
 * app.onError((e, c) => c.text(e.message, 415));
 * const post = (type: string) =>
 *   app.request("/", { method: "POST", headers: { "content-type": type }, body: "{}" });
 * assert.equal((await post("application/json; charset=utf-8")).status, 200);
 * assert.equal((await post("text/plain")).status, 415);
 * assert.equal((await post("application/json; charset=latin1")).status, 415);
 * ```
 */
export function requireContentType(options: RequireContentTypeOptions): MiddlewareHandler {
  const [suggested] = options.accept;
  if (suggested === undefined) throw new RangeError("Invalid accept: empty");
  const accepted = new Set(options.accept.map((t) => t.toLowerCase()));
  const hint = options.hint ? `, ${options.hint}` : "";
  const encodings = new Set(options.encodings ?? ["identity"]);
  return async function requireContentType(c: Context, next: Next) {
    if (SAFE_METHODS.has(c.req.method)) return await next();
    const type = c.req.header("content-type") ?? "";
    const media = type.split(";", 1)[0]!.trim().toLowerCase();
    if (!accepted.has(media)) {
      throw new UnsupportedMediaTypeError(
        `Unsupported content type: ${
          echo(type) || "none"
        } (send Content-Type: ${suggested}${hint})`,
      );
    }
    // every body is read as UTF-8: a declared latin1 or UTF-16 body was decoded as UTF-8 anyway
    // (refused as not UTF-8 at best, its text replaced by U+FFFD at worst)
    const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(type)?.[1]?.toLowerCase();
    if (
      charset !== undefined && charset !== "utf-8" && charset !== "utf8" && charset !== "us-ascii"
    ) {
      throw new UnsupportedMediaTypeError(`Unsupported charset: ${echo(charset)} (send UTF-8)`);
    }
    const coding = (c.req.header("content-encoding") ?? "identity").trim().toLowerCase();
    if (!encodings.has(coding)) {
      const others = [...encodings].filter((e) => e !== "identity");
      throw new UnsupportedMediaTypeError(
        `Unsupported content encoding: ${coding} (send the body ${
          others.length ? `as ${others.join(" or ")} or ` : ""
        }uncompressed)`,
      );
    }
    await next();
  };
}
