/**
 * `GET /api/series?metric=&labels=&host=&from=&to=&step=&format=`: one series from the lake as
 * JSON, CSV (`format=csv` or `Accept: text/csv`) or Parquet (`format=parquet`).
 *
 * @module
 */
import { Hono } from "hono";
import { zValidator } from "@hono/zod-validator";
import { parquetWriteBuffer } from "hyparquet-writer";
import { z } from "zod";
import { formatLabels, parseLabels } from "../../collectors/mod.ts";
import type { WebDeps } from "../deps.ts";
import { BadRequestError } from "../errors.ts";
import { parseDurationMs, parseTimeMs, rejectInvalid } from "../validate.ts";

/** Longest range served: 400 days. */
const MAX_RANGE_MS = 400 * 86_400_000;

const querySchema = z.object({
  metric: z.string().regex(/^[a-z_][a-z0-9_]{0,199}$/, "expected a snake_case metric name"),
  labels: z.string().max(8192).optional(),
  host: z.string().regex(/^[A-Za-z0-9_.:-]{1,253}$/, "expected a host name").optional()
    .or(z.literal("")),
  from: z.string().optional(),
  to: z.string().optional(),
  step: z.string().optional(),
  format: z.enum(["json", "csv", "parquet"]).optional(),
});

/** A series as `/api/series` returns it in JSON. */
export interface SeriesBody {
  metric: string;
  labels: string;
  host: string | null;
  from: number;
  to: number;
  tier: string;
  step: number | null;
  ts: number[];
  values: (number | null)[];
}

function csv(body: SeriesBody): string {
  let out = "time,ts,value\n";
  for (let i = 0; i < body.ts.length; i++) {
    const v = body.values[i];
    out += `${new Date(body.ts[i]!).toISOString()},${body.ts[i]},${v ?? ""}\n`;
  }
  return out;
}

function parquet(body: SeriesBody): Uint8Array<ArrayBuffer> {
  const values = Float64Array.from(body.values, (v) => v ?? NaN);
  return new Uint8Array(parquetWriteBuffer({
    columnData: [
      { name: "ts", data: body.ts, type: "TIMESTAMP", nullable: false },
      { name: "value", data: values, type: "DOUBLE", nullable: false },
    ],
  }));
}

function fileName(body: SeriesBody, ext: string): string {
  const safe = `${body.metric}_${body.labels}`.replace(/[^A-Za-z0-9_.-]+/g, "_").slice(0, 120);
  return `${safe}_${body.from}-${body.to}.${ext}`;
}

/**
 * Creates the series route.
 *
 * @param deps The lake and the clock.
 * @returns A Hono app to mount at the root.
 */
export function seriesRoutes(deps: WebDeps): Hono {
  const now = deps.now ?? Date.now;
  return new Hono().get(
    "/api/series",
    zValidator("query", querySchema, rejectInvalid),
    async function series(c) {
      const q = c.req.valid("query");
      const clock = now();
      let labels = "";
      if (q.labels) {
        try {
          labels = formatLabels(parseLabels(q.labels));
        } catch (error) {
          throw new BadRequestError(`Invalid labels: ${(error as Error).message}`);
        }
      }
      const to = q.to === undefined ? clock : parseTimeMs(q.to, clock);
      if (to === undefined) throw new BadRequestError(`Invalid to: ${q.to}`);
      const from = q.from === undefined ? to - 3_600_000 : parseTimeMs(q.from, clock);
      if (from === undefined) throw new BadRequestError(`Invalid from: ${q.from}`);
      if (!(to > from)) {
        throw new BadRequestError(`Invalid range: from ${from} is not before to ${to}`);
      }
      if (to - from > MAX_RANGE_MS) {
        throw new BadRequestError(`Invalid range: longer than ${MAX_RANGE_MS / 86_400_000} days`);
      }
      const step = q.step === undefined ? undefined : parseDurationMs(q.step);
      if (q.step !== undefined && step === undefined) {
        throw new BadRequestError(`Invalid step: ${q.step} (use e.g. 10s, 1m, 1h or ms)`);
      }
      const host = q.host ? q.host : undefined;
      const result = await deps.lake.series({
        metric: q.metric,
        labels,
        from,
        to,
        ...(host ? { host } : {}),
        ...(step ? { step } : {}),
      });
      const body: SeriesBody = {
        metric: q.metric,
        labels,
        host: host ?? null,
        from,
        to,
        tier: result.tier,
        step: step ?? (result.tier === "raw" ? null : result.tier === "1m" ? 60_000 : 3_600_000),
        ts: Array.from(result.ts),
        values: Array.from(result.values, (v) => Number.isFinite(v) ? v : null),
      };
      const format = q.format ??
        (/\btext\/csv\b/.test(c.req.header("accept") ?? "") ? "csv" : "json");
      if (format === "csv") {
        c.header("Content-Disposition", `attachment; filename="${fileName(body, "csv")}"`);
        return c.body(csv(body), 200, { "Content-Type": "text/csv; charset=utf-8" });
      }
      if (format === "parquet") {
        c.header("Content-Disposition", `attachment; filename="${fileName(body, "parquet")}"`);
        return c.body(parquet(body), 200, { "Content-Type": "application/vnd.apache.parquet" });
      }
      return c.json(body);
    },
  );
}
