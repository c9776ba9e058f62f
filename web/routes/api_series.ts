/**
 * `GET /api/series?metric=&labels=&host=&from=&to=&step=&format=`: one series from the lake as
 * JSON, CSV (`format=csv` or `Accept: text/csv`) or Parquet (`format=parquet`).
 *
 * Without `labels` (or with `labels_like=` or `metrics=a,b`) it answers the matching series
 * from one lake query (`Lake.seriesMany`), each host's series apart, bucketed so that no series
 * has more than `max_points` points (default 1 500): `{from, to, tier, step, series: [{host,
 * metric, labels, ts, values}]}`; CSV and Parquet then carry host, metric and labels columns.
 * At most `max_series` series (default 1 000, at most 100 000; the first by host, metric,
 * labels): past it the JSON has `truncated: true` and every format the header `X-Truncated`.
 *
 * With an analysis source (`serve --source`, a fleet's query API) the series are read from it
 * instead (a single series then needs `host`; the local spool is not merged).
 *
 * Every answer includes the samples not yet in Parquet, from the moment they are in the lake's
 * hands: what the collector has spooled but not yet flushed (new series too, a fresh install's
 * first minute) and what `serve` accepted itself (`/api/ingest`, OTLP, StatsD, scrapes, probes).
 * `serve` has the lake read them with its files (`Lake.includeBuffered`: the collector's spool
 * segments and the ingest writer's buffer), in the same SQL, each sample once across its flush.
 *
 * @module
 */
import { Hono } from "hono";
import { zValidator } from "@hono/zod-validator";
import { parquetWriteBuffer } from "hyparquet-writer";
import { z } from "zod";
import { formatLabels, parseLabels } from "../../collectors/mod.ts";
import { csvLine, csvText } from "../../format/mod.ts";
import {
  canonicalHost,
  hostNameProblem,
  metricNameProblem,
  type SeriesEntry,
  type SeriesManyResult,
} from "../../lake/mod.ts";
import type { WebDeps } from "../deps.ts";
import { BadRequestError, echo } from "../errors.ts";
import { knownParams } from "../middleware/known_params.ts";
import { labelNamesIn } from "../../labels/mod.ts";
import { sourceSeriesMany } from "../source_reader.ts";
import { parseDurationMs, parseTimeMs, rejectInvalid } from "../validate.ts";

/** Most series in an answer without `labels` unless `max_series` says otherwise (a metric with
 * 100 000 series answered 8.8 MB in 3.6–5 s before this cap). */
export const DEFAULT_MAX_SERIES = 1_000;
/** Highest `max_series` a request may ask for. */
const MAX_MAX_SERIES = 100_000;

/** Longest range served: 400 days. */
const MAX_RANGE_MS = 400 * 86_400_000;

function isMetric(m: string): boolean {
  return metricNameProblem(m) === undefined;
}

const querySchema = z.object({
  metric: z.string().refine(isMetric, "expected a snake_case metric name").optional(),
  metrics: z.string().max(8192).optional(),
  labels: z.string().max(8192).optional(),
  labels_like: z.string().max(8192).optional(),
  max_points: z.string().regex(/^[1-9]\d{0,6}$/, "expected a whole number from 1").optional(),
  max_series: z.string().regex(/^[1-9]\d{0,5}$/, "expected a whole number from 1").optional(),
  host: z.string().refine((h) => hostNameProblem(h) === undefined, "expected a host name")
    .optional()
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
  return csvText(
    ["time", "ts", "value"],
    body.ts.map((t, i) => [new Date(t).toISOString(), t, body.values[i]]),
  );
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

/** Several series as `/api/series` returns them in JSON. */
export interface SeriesManyBody {
  from: number;
  to: number;
  tier: string;
  step: number | null;
  /** Present (true) when more series matched than `max_series`: only the first are here. */
  truncated?: true;
  series: {
    host: string;
    metric: string;
    labels: string;
    ts: number[];
    values: (number | null)[];
  }[];
}

function manyBody(r: SeriesManyResult, from: number, to: number): SeriesManyBody {
  return {
    from,
    to,
    tier: r.tier,
    step: r.step ?? null,
    ...(r.truncated && { truncated: true as const }),
    series: r.series.map((s) => ({
      host: s.host,
      metric: s.metric,
      labels: s.labels,
      ts: Array.from(s.ts),
      values: Array.from(s.values, (v) => Number.isFinite(v) ? v : null),
    })),
  };
}

function manyCsv(r: SeriesManyResult): string {
  const out = [csvLine(["time", "ts", "host", "metric", "labels", "value"])];
  for (const s of r.series) {
    for (let i = 0; i < s.ts.length; i++) {
      const v = s.values[i]!;
      const t = s.ts[i]!;
      out.push(
        csvLine([
          new Date(t).toISOString(),
          t,
          s.host,
          s.metric,
          s.labels,
          Number.isFinite(v) ? v : null,
        ]),
      );
    }
  }
  return out.join("");
}

function manyParquet(r: SeriesManyResult): Uint8Array<ArrayBuffer> {
  const col = <T>(pick: (s: SeriesEntry, i: number) => T) =>
    r.series.flatMap((s) => Array.from(s.ts, (_, i) => pick(s, i)));
  return new Uint8Array(parquetWriteBuffer({
    columnData: [
      { name: "host", data: col((s) => s.host), type: "STRING", nullable: false },
      { name: "metric", data: col((s) => s.metric), type: "STRING", nullable: false },
      { name: "labels", data: col((s) => s.labels), type: "STRING", nullable: false },
      { name: "ts", data: col((s, i) => s.ts[i]!), type: "TIMESTAMP", nullable: false },
      { name: "value", data: Float64Array.from(col((s, i) => s.values[i]!)), type: "DOUBLE" },
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
    knownParams(Object.keys(querySchema.shape)),
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
        // a series has each name once: a repeat (or an empty name) matches none, and the parser
        // kept the last value alone
        const names = labelNamesIn(q.labels);
        const bad = names.find((n, i) => n === "" || n === "__proto__" || names.indexOf(n) !== i);
        if (bad !== undefined) {
          const why = bad === ""
            ? "a label without a name"
            : bad === "__proto__"
            ? "__proto__ is not a label name"
            : `${echo(bad)} given twice`;
          throw new BadRequestError(`Invalid labels: ${why}`);
        }
      }
      const to = q.to === undefined ? clock : parseTimeMs(q.to, clock);
      if (to === undefined) throw new BadRequestError(`Invalid to: ${echo(q.to)}`);
      const from = q.from === undefined ? to - 3_600_000 : parseTimeMs(q.from, clock);
      if (from === undefined) throw new BadRequestError(`Invalid from: ${echo(q.from)}`);
      if (!(to > from)) {
        throw new BadRequestError(`Invalid range: from ${from} is not before to ${to}`);
      }
      if (to - from > MAX_RANGE_MS) {
        throw new BadRequestError(`Invalid range: longer than ${MAX_RANGE_MS / 86_400_000} days`);
      }
      const step = q.step === undefined ? undefined : parseDurationMs(q.step);
      if (q.step !== undefined && step === undefined) {
        throw new BadRequestError(`Invalid step: ${echo(q.step)} (use e.g. 10s, 1m, 1h or ms)`);
      }
      // in lower case, as the lake and the spool store host names (a source finds it any case)
      const host = q.host ? canonicalHost(q.host) : undefined;
      const format = q.format ??
        (/\btext\/csv\b/.test(c.req.header("accept") ?? "") ? "csv" : "json");
      if (q.labels === undefined || q.labels_like !== undefined || q.metrics !== undefined) {
        const metrics = q.metrics?.split(",").filter((m) => m !== "");
        const wrong = metrics?.find((m) => !isMetric(m));
        if (wrong !== undefined) throw new BadRequestError(`Invalid metrics: ${echo(wrong)}`);
        if (q.metric === undefined && !metrics?.length) {
          throw new BadRequestError("Invalid query: metric: expected a metric name or metrics");
        }
        const options = {
          from,
          to,
          ...(q.metric ? { metric: q.metric } : {}),
          ...(metrics ? { metrics } : {}),
          ...(q.labels !== undefined ? { labels } : {}),
          ...(q.labels_like !== undefined ? { labelsLike: q.labels_like } : {}),
          ...(host ? { host } : {}),
          ...(step ? { step } : {}),
          ...(q.max_points ? { maxPoints: Number(q.max_points) } : {}),
        };
        const maxSeries = q.max_series ? Number(q.max_series) : DEFAULT_MAX_SERIES;
        if (maxSeries > MAX_MAX_SERIES) {
          throw new BadRequestError(`Invalid max_series: at most ${MAX_MAX_SERIES}`);
        }
        const r = deps.source
          ? await sourceSeriesMany(deps.source.open(), options)
          : await deps.lake.seriesMany({ ...options, maxSeries });
        if (r.series.length > maxSeries) {
          r.series.length = maxSeries;
          r.truncated = true;
        }
        if (r.truncated) c.header("X-Truncated", "true");
        const name = `${q.metric ?? metrics!.join("_")}_${from}-${to}`.replace(/[^\w.-]+/g, "_");
        if (format === "csv") {
          c.header("Content-Disposition", `attachment; filename="${name}.csv"`);
          return c.body(manyCsv(r), 200, { "Content-Type": "text/csv; charset=utf-8" });
        }
        if (format === "parquet") {
          c.header("Content-Disposition", `attachment; filename="${name}.parquet"`);
          return c.body(manyParquet(r), 200, { "Content-Type": "application/vnd.apache.parquet" });
        }
        return c.json(manyBody(r, from, to));
      }
      if (q.metric === undefined) {
        throw new BadRequestError("Invalid query: metric: expected a metric name or metrics");
      }
      if (deps.source && !host) {
        throw new BadRequestError(
          `Invalid query: host: required for one series from ${deps.source.name} (serve --source)`,
        );
      }
      const result = deps.source
        ? await deps.source.open().series({
          metric: q.metric,
          labels,
          host: host!,
          from,
          to,
          ...(step ? { step } : {}),
        })
        : await deps.lake.series({
          metric: q.metric,
          labels,
          from,
          to,
          ...(host ? { host } : {}),
          ...(step ? { step } : {}),
        });
      const ts = Array.from(result.ts);
      const values = Array.from(result.values, (v) => Number.isFinite(v) ? v : null);
      const body: SeriesBody = {
        metric: q.metric,
        labels,
        host: host ?? null,
        from,
        to,
        tier: result.tier,
        step: step ?? (result.tier === "raw" ? null : result.tier === "1m" ? 60_000 : 3_600_000),
        ts,
        values,
      };
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
