/**
 * Refuses a body that is not UTF-8 text, for the JSON routes (mount it after the body guard, as
 * `app.ts` does): Hono decodes a JSON body with a TextDecoder that replaces bad bytes, so a
 * latin1 `"comment": "café"` was stored as `caf\uFFFD` and answered 201.
 *
 * @module
 */
import type { Context, MiddlewareHandler, Next } from "hono";
import { BadRequestError } from "../errors.ts";
import { guardedBody } from "./body_guard.ts";

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Creates the check.
 *
 * @returns The middleware; it throws `BadRequestError` (400) for a body that is not UTF-8, and
 * lets a request through whose body no guard read.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Hono } from "hono";
 * import { BodyBudget } from "./body_budget.ts";
 * import { bodyGuard } from "./body_guard.ts";
 * import { utf8Body } from "./utf8_body.ts";
 * const guard = bodyGuard({ maxBytes: 1024, budget: new BodyBudget(4096), idleTimeoutMs: 1000, totalTimeoutMs: 1000 });
 * const app = new Hono().post("/", guard, utf8Body(), (c) => c.text("ok"));
 * app.onError((e, c) => c.text(e.message, 400));
 * assert.equal((await app.request("/", { method: "POST", body: "{\"a\": \"café\"}" })).status, 200);
 * const latin1 = Uint8Array.of(0x22, 0x63, 0x61, 0x66, 0xe9, 0x22);
 * const res = await app.request("/", { method: "POST", body: latin1 });
 * assert.equal(await res.text(), "Invalid body: not UTF-8 text (send UTF-8)");
 * ```
 */
export function utf8Body(): MiddlewareHandler {
  return async function utf8Body(c: Context, next: Next) {
    const body = guardedBody(c.req.raw);
    if (body !== undefined) {
      try {
        UTF8.decode(body);
      } catch {
        throw new BadRequestError("Invalid body: not UTF-8 text (send UTF-8)");
      }
    }
    await next();
  };
}
