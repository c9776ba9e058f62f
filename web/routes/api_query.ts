/**
 * `POST /api/query` with JSON `{"sql": "…"}`: one read-only statement over the lake's views,
 * run in the SQL sandbox (see `sql_sandbox.ts`).
 *
 * @module
 */
import { Hono } from "hono";
import { zValidator } from "@hono/zod-validator";
import { z } from "zod";
import type { WebDeps } from "../deps.ts";
import { UnsupportedMediaTypeError } from "../errors.ts";
import { rejectInvalid } from "../validate.ts";

const bodySchema = z.strictObject({ sql: z.string().min(1).max(100_000) });

/**
 * Creates the query route.
 *
 * @param deps The sandbox.
 * @returns A Hono app to mount at the root.
 */
export function queryRoutes(deps: WebDeps): Hono {
  return new Hono().post(
    "/api/query",
    async function requireJson(c, next) {
      if (!/^application\/json\b/i.test(c.req.header("content-type") ?? "")) {
        throw new UnsupportedMediaTypeError(
          'Unsupported content type: send application/json like {"sql": "SELECT …"}',
        );
      }
      await next();
    },
    zValidator("json", bodySchema, rejectInvalid),
    async function query(c) {
      const { sql } = c.req.valid("json");
      const started = performance.now();
      const result = await deps.sandbox.query(sql);
      return c.json({ ...result, elapsedMs: Math.round(performance.now() - started) });
    },
  );
}
