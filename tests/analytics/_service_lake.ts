/**
 * Test helper: application metrics in their stored names (CONTRACTS.md), written through the
 * lake's `IngestWriter.writeBatch` (the receivers' path) and read back by a real lake.
 *
 * @module
 */
import { formatLabels } from "../../collectors/mod.ts";
import { type UslFit, uslThroughput } from "../../analytics/mod.ts";
import { type IngestBatch, IngestWriter, type Lake, mulberry32, openLake } from "../../lake/mod.ts";

/** One stored series: name, labels and a value per timestamp. */
export interface StoredSeries {
  metric: string;
  labels: Record<string, string>;
  value: (ts: number, i: number) => number;
  host?: string;
}

/**
 * Writes series at the given timestamps and opens the lake.
 *
 * @param times Sample times, ms.
 * @param series The series.
 * @param before Called with the root before the lake opens (e.g. to simulate a host into it).
 * @returns The open lake and its root; close and remove it when done.
 */
export async function serviceLake(
  times: readonly number[],
  series: readonly StoredSeries[],
  before?: (root: string) => void,
): Promise<{ lake: Lake; root: string; [Symbol.asyncDispose](): Promise<void> }> {
  const root = await Deno.makeTempDir({ prefix: "perfscope-svc-" });
  before?.(root);
  writeServiceSeries(root, times, series);
  const lake = await openLake({ root });
  return {
    lake,
    root,
    async [Symbol.asyncDispose]() {
      lake.close();
      await Deno.remove(root, { recursive: true });
    },
  };
}

/**
 * Writes series at the given timestamps into a lake root through `IngestWriter.writeBatch`,
 * flushed to Parquet.
 *
 * @param root Lake root.
 * @param times Sample times, ms.
 * @param series The series.
 */
export function writeServiceSeries(
  root: string,
  times: readonly number[],
  series: readonly StoredSeries[],
): void {
  const writer = new IngestWriter({ root, sync: false });
  const now = times[times.length - 1]! + 1000;
  // one batch per day: the partition limit per request holds
  const batch: IngestBatch = { ts: [], host: [], metric: [], labels: [], value: [] };
  for (const [i, ts] of times.entries()) {
    for (const s of series) {
      batch.ts.push(ts);
      batch.host.push(s.host ?? "app-1");
      batch.metric.push(s.metric);
      batch.labels.push(formatLabels(s.labels));
      batch.value.push(s.value(ts, i));
    }
    if (batch.ts.length >= 200_000) flush(writer, batch, now);
  }
  flush(writer, batch, now);
  writer.flush();
  writer.close();
}

function flush(writer: IngestWriter, batch: IngestBatch, now: number): void {
  if (batch.ts.length === 0) return;
  writer.writeBatch(
    {
      ts: batch.ts.splice(0),
      host: batch.host.splice(0),
      metric: batch.metric.splice(0),
      labels: batch.labels.splice(0),
      value: batch.value.splice(0),
    },
    { now },
  );
}

/** Cumulative request-duration buckets of the known test service (per second). */
export const BUCKETS: readonly [string, number][] = [
  ["0.1", 50],
  ["0.25", 80],
  ["0.5", 90],
  ["1", 96],
  ["2", 99],
  ["+Inf", 100],
];

/**
 * The series of the known test service `api`: 100 req/s (5 of them 5xx), the buckets above,
 * 20 s of latency per second (mean 0.2 s), a cache at 90 % hits, a DB p95 of 30 ms.
 *
 * @param errors 5xx per second at a time; default 5.
 * @returns The series.
 */
export function knownService(errors: (ts: number) => number = () => 5): StoredSeries[] {
  const h = "http_server_request_duration_seconds";
  const svc = { service: "api" };
  return [
    {
      metric: "http_requests_per_second",
      labels: { ...svc, code: "200" },
      value: (t) => 100 - errors(t),
    },
    {
      metric: "http_requests_per_second",
      labels: { ...svc, code: "500" },
      value: (t) => errors(t),
    },
    ...BUCKETS.map(([le, v]) => ({
      metric: `${h}_bucket_per_second`,
      labels: { ...svc, bucket: le },
      value: () => v,
    })),
    { metric: `${h}_count_per_second`, labels: svc, value: () => 100 },
    { metric: `${h}_sum_per_second`, labels: svc, value: () => 20 },
    { metric: "cache_hits_per_second", labels: svc, value: () => 90 },
    { metric: "cache_misses_per_second", labels: svc, value: () => 10 },
    { metric: "db_query_duration_seconds_p95", labels: svc, value: () => 0.03 },
    { metric: "http_server_active_requests", labels: svc, value: () => 20 },
  ];
}

/**
 * A service's load from `t0`: its users grow 10 % a day on a daily cycle (12 ± 6), and its
 * throughput follows `law` with 0.5 % noise (one draw from `seed` per timestamp, at its first
 * use), so a fit has residuals.
 *
 * @param t0 The first day's start, ms.
 * @param seed The noise's seed.
 * @param law The Universal Scalability Law the throughput follows.
 * @returns Users (requests in flight) and throughput at a time.
 */
export function growingLoad(
  t0: number,
  seed: number,
  law: Pick<UslFit, "sigma" | "kappa" | "lambda">,
): { users: (t: number) => number; throughput: (t: number) => number } {
  const rand = mulberry32(seed);
  const noise = new Map<number, number>();
  const users = (t: number) => {
    const d = (t - t0) / 86_400_000;
    return (12 + 6 * Math.sin(2 * Math.PI * d)) * (1 + 0.1 * d);
  };
  const jitter = (t: number) => {
    if (!noise.has(t)) noise.set(t, 1 + (rand() - 0.5) * 0.01);
    return noise.get(t)!;
  };
  return { users, throughput: (t) => uslThroughput(users(t), law) * jitter(t) };
}
