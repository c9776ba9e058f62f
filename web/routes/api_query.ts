/**
 * `POST /api/query` with JSON `{"sql": "…"}`: one read-only statement over the lake's views,
 * run in the SQL sandbox (see `sql_sandbox.ts`). JSON by default; CSV (RFC 4180, a header row)
 * with `?format=csv` or `Accept: text/csv`.
 *
 * @module
 */
import { Hono } from "hono";
import { zValidator } from "@hono/zod-validator";
import { z } from "zod";
import type { WebDeps } from "../deps.ts";
import type { QueryResult } from "../sql_sandbox.ts";
import { rejectInvalid } from "../validate.ts";

const bodySchema = z.strictObject({ sql: z.string().min(1).max(100_000) });
const querySchema = z.object({ format: z.enum(["json", "csv"]).optional() });

function cell(v: unknown): string {
  if (v === null || v === undefined) return "";
  const text = typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Formats a query result as CSV: a header row, then one line per row (`\r\n` line ends, quoted
 * where a value holds a comma, quote or line break; null is empty).
 *
 * @param result The query result.
 * @returns The CSV text.
 */
export function resultCsv(result: QueryResult): string {
  let out = result.columns.map((c) => cell(c.name)).join(",") + "\r\n";
  for (const row of result.rows) out += row.map(cell).join(",") + "\r\n";
  return out;
}

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
    zValidator("query", querySchema, rejectInvalid),
    zValidator("json", bodySchema, rejectInvalid),
    async function query(c) {
      const { sql } = c.req.valid("json");
      const format = c.req.valid("query").format ??
        (/\btext\/csv\b/.test(c.req.header("accept") ?? "") ? "csv" : "json");
      const started = performance.now();
      const result = await deps.sandbox.query(sql);
      if (format === "csv") {
        return c.body(resultCsv(result), 200, {
          "Content-Type": "text/csv; charset=utf-8",
          "Content-Disposition": 'attachment; filename="query.csv"',
          ...(result.truncated ? { "X-Truncated": "true" } : {}),
        });
      }
      return c.json({ ...result, elapsedMs: Math.round(performance.now() - started) });
    },
  );
}
