/**
 * A guard against DNS rebinding for a server without a token: only requests whose `Host` names
 * this machine's loopback (or the address it is bound to) are served, so a web page on another
 * site cannot reach the API by pointing its own name at 127.0.0.1.
 *
 * @module
 */
import type { Context, MiddlewareHandler, Next } from "hono";
import { BadRequestError, echo, ForbiddenError } from "../errors.ts";
import { parseHost } from "./parse_host.ts";

/** Options for {@linkcode hostCheck}. */
export interface HostCheckOptions {
  /** Extra host names allowed besides `localhost`, `127.0.0.1` and `[::1]` (e.g. the bind address). */
  allowed?: readonly string[];
}

/**
 * Creates the Host header check. The header is parsed strictly (see `parseHost`) and its host
 * name must equal an allowed name exactly, but for one trailing dot where it names the same
 * host: `localhost.` (RFC 6761 §6.3: `localhost.` and `localhost` are the loopback name) and an
 * IPv4 address such as `127.0.0.1.` (the URL standard reads it as `127.0.0.1`). Any other name
 * keeps its dot and must be allowed as written: `perf-box.` is not `perf-box`, which the
 * resolver may complete with its search domains. `127.0.0.1:evil.com`, `localhost.evil.com`,
 * `localhost.evil.com.`, `a@127.0.0.1` and `localhost..` are all refused.
 *
 * @param options Extra allowed host names.
 * @returns The middleware; it throws `BadRequestError` (400) for a malformed `Host` and
 * `ForbiddenError` (403) for a host name that is not allowed.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Hono } from "hono";
 * import { hostCheck } from "./host_check.ts";
 * const app = new Hono().use(hostCheck()).get("/", (c) => c.text("hi"));
 * app.onError((e, c) => c.text(e.message, 403));
 * assert.equal((await app.request("http://localhost:8000/")).status, 200);
 * assert.equal((await app.request("http://localhost.:8000/")).status, 200);
 * assert.equal((await app.request("http://evil.example/")).status, 403);
 * ```
 */
export function hostCheck(options: HostCheckOptions = {}): MiddlewareHandler {
  const allowed = new Set(["localhost", "127.0.0.1", "[::1]"]);
  for (const name of options.allowed ?? []) {
    const lower = name.toLowerCase();
    allowed.add(lower.includes(":") && !lower.startsWith("[") ? `[${lower}]` : lower);
  }
  return async function hostCheck(c: Context, next: Next) {
    // app.request() in tests sends no Host header: the URL's host stands in for it
    const host = c.req.header("host") ?? new URL(c.req.url).host;
    const parsed = parseHost(host);
    if (!parsed) {
      throw new BadRequestError(
        `Invalid Host header: ${
          JSON.stringify(echo(host))
        } (expected a host name and an optional port)`,
      );
    }
    if (!allowed.has(sameHostName(parsed.hostname))) {
      throw new ForbiddenError(`Forbidden host: ${echo(host)} (open the app through 127.0.0.1)`);
    }
    await next();
  };
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** The name without its trailing dot where both forms name one host (localhost, IPv4). */
function sameHostName(hostname: string): string {
  if (!hostname.endsWith(".")) return hostname;
  const relative = hostname.slice(0, -1);
  return relative === "localhost" || IPV4.test(relative) ? relative : hostname;
}
