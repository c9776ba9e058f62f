/**
 * A guard against DNS rebinding for a server without a token: only requests whose `Host` names
 * this machine's loopback (or the address it is bound to) are served, so a web page on another
 * site cannot reach the API by pointing its own name at 127.0.0.1.
 *
 * @module
 */
import type { Context, MiddlewareHandler, Next } from "hono";
import { ForbiddenError } from "../errors.ts";

/** Options for {@linkcode hostCheck}. */
export interface HostCheckOptions {
  /** Extra host names allowed besides `localhost`, `127.0.0.1` and `[::1]` (e.g. the bind address). */
  allowed?: readonly string[];
}

function hostname(host: string): string {
  if (host.startsWith("[")) return host.slice(0, host.indexOf("]") + 1).toLowerCase();
  const colon = host.lastIndexOf(":");
  return (colon >= 0 ? host.slice(0, colon) : host).toLowerCase();
}

/**
 * Creates the Host header check.
 *
 * @param options Extra allowed host names.
 * @returns The middleware; it throws `ForbiddenError` (403) for any other `Host`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Hono } from "hono";
 * import { hostCheck } from "./host_check.ts";
 * const app = new Hono().use(hostCheck()).get("/", (c) => c.text("hi"));
 * app.onError((e, c) => c.text(e.message, 403));
 * assert.equal((await app.request("http://localhost:8000/")).status, 200);
 * assert.equal((await app.request("http://evil.example/")).status, 403);
 * ```
 */
export function hostCheck(options: HostCheckOptions = {}): MiddlewareHandler {
  const allowed = new Set(["localhost", "127.0.0.1", "[::1]"]);
  for (const name of options.allowed ?? []) {
    allowed.add(name.includes(":") && !name.startsWith("[") ? `[${name}]` : name.toLowerCase());
  }
  return async function hostCheck(c: Context, next: Next) {
    const host = c.req.header("host") ?? new URL(c.req.url).host;
    if (!allowed.has(hostname(host))) {
      throw new ForbiddenError(`Forbidden host: ${host} (open the app through ${[...allowed][1]})`);
    }
    await next();
  };
}
