/**
 * `POST /api/query` with JSON `{"sql": "…"}`: one read-only statement over the lake's views,
 * run in the SQL sandbox (see `sql_sandbox.ts`). JSON by default; CSV (RFC 4180, a header row)
 * with `?format=csv` or `Accept: text/csv`. The sandbox's process serializes the result within
 * its row and byte limits (`truncated`, or `X-Truncated: true` for CSV); this route forwards it.
 *
 * @module
 */
import { Hono } from "hono";
import { zValidator } from "@hono/zod-validator";
import { z } from "zod";
import type { WebDeps } from "../deps.ts";
import { rejectInvalid } from "../validate.ts";
import { BadRequestError } from "../errors.ts";
import { guardedBody } from "../middleware/body_guard.ts";
import { knownParams } from "../middleware/known_params.ts";

const bodySchema = z.strictObject({ sql: z.string().min(1).max(100_000) });
const querySchema = z.object({ format: z.enum(["json", "csv"]).optional() });

/**
 * Creates the query route (`app.ts` mounts the content-type check and the body guard in front
 * of it).
 *
 * @param deps The sandbox.
 * @returns A Hono app to mount at the root.
 */
export function queryRoutes(deps: WebDeps): Hono {
  return new Hono().post(
    "/api/query",
    knownParams(Object.keys(querySchema.shape)),
    zValidator("query", querySchema, rejectInvalid),
    // the JSON reader would replace invalid bytes with U+FFFD and run a statement the user
    // never wrote; a fatal decoder refuses them instead
    async function utf8Only(c, next) {
      const bytes = guardedBody(c.req.raw) ?? new Uint8Array(await c.req.arrayBuffer());
      try {
        new TextDecoder("utf-8", { fatal: true }).decode(bytes);
      } catch {
        throw new BadRequestError("SQL is not valid UTF-8");
      }
      await next();
    },
    zValidator("json", bodySchema, rejectInvalid),
    async function query(c) {
      const { sql } = c.req.valid("json");
      const format = c.req.valid("query").format ??
        (/\btext\/csv\b/.test(c.req.header("accept") ?? "") ? "csv" : "json");
      const started = performance.now();
      // the query process serialized the rows; here they are only forwarded
      const { body, truncated } = await deps.sandbox.queryBody(sql, format);
      if (format === "csv") {
        return c.body(body, 200, {
          "Content-Type": "text/csv; charset=utf-8",
          "Content-Disposition": 'attachment; filename="query.csv"',
          ...(truncated ? { "X-Truncated": "true" } : {}),
        });
      }
      const tail = new TextEncoder().encode(
        `,"elapsedMs":${Math.round(performance.now() - started)}}`,
      );
      const json = new Uint8Array(body.length - 1 + tail.length);
      json.set(body.subarray(0, body.length - 1)); // drop the closing brace
      json.set(tail, body.length - 1);
      return c.body(json, 200, { "Content-Type": "application/json; charset=utf-8" });
    },
  );
}
