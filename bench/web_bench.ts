/**
 * Web benchmarks, loopback only, bounded loops; prints an aligned table with the goals beside
 * and returns the figures (never asserts):
 *
 * - live latency: a 250-sample batch published by the hub (5 per second) → read by each of 50
 *   SSE clients (clients run in a Worker, on their own thread, over real loopback HTTP through
 *   `Deno.serve`; each reads the frame and its timestamp, not the whole JSON);
 * - ingest: `POST /api/ingest` of 200 000 samples (24 MB of JSON lines, sent as bytes with their
 *   Content-Length) through `app.request()` and over loopback HTTP (`Deno.serve`, `fetch` from
 *   the same process): body read, lines scanned as bytes and validated by the hand-written
 *   check, the body appended to the ingest spool (page-cache durability, as the collector's),
 *   rows queued for the batch flush; then the batch flush to Parquet, and parse + validate alone
 *   beside a zod schema per line;
 * - range query: a lake of 308 series × 24 h at 1 s built by `simulateHost` and compacted (so
 *   the rollups exist): one series over 24 h through `GET /api/series` (lake.series picks the
 *   1-minute rollup); all series in one `lake.seriesMany` call (one DuckDB query, typed arrays
 *   from the result's columns, at most 1 500 points per series: the 1-minute step, 1 440 points);
 *   every `cpu_ratio` series through `GET /api/series` as JSON; and, for comparison, one
 *   `lake.series` per series and one SQL through `lake.query` (row objects);
 * - capacity: the first `GET /api/capacity` of a new app (the analysis the Capacity page waits
 *   for) over a month of 3 simulated hosts as serve leaves it (29 days at 1 min and a day at 1 s,
 *   compacted, then the last hour at 1 s in one-minute files), with the histories read in
 *   batches (`seriesBatch`) and, interleaved, one series at a time as before; the two answers
 *   compared byte for byte.
 *
 * `deno run -A bench/web_bench.ts [--quick]`
 *
 * @module
 */
import { quantileSorted } from "d3";
import { z } from "zod";
import { compactLake, IngestWriter, type Lake, openLake, simulateHost } from "../lake/mod.ts";
import { lakeSource, type SeriesSource } from "../analytics/mod.ts";
import { createApp, type IngestSink, LiveHub, openSqlSandbox, parseIngest } from "../web/mod.ts";

const NO_INGEST: IngestSink = {
  write() {
    throw new RangeError("Invalid body: ingest is off in this benchmark");
  },
  writeBatch() {
    throw new RangeError("Invalid batch: ingest is off in this benchmark");
  },
};
import type { Sample } from "../collectors/mod.ts";
import { benchMain } from "./_flags.ts";
import { parseFlags } from "../cli/_args.ts";

/** Options: `quick` for shorter runs. */
export interface WebBenchOptions {
  /** Fewer rounds, a 2-hour lake instead of 24 h; default false. */
  quick?: boolean;
  /** Only the capacity rows (`--capacity`); default false. */
  capacityOnly?: boolean;
}

/** The figures measured. */
export interface WebBenchFigures {
  liveP50Ms: number;
  liveP99Ms: number;
  liveClients: number;
  liveFrames: number;
  ingestSamplesPerSecond: number;
  ingestHttpSamplesPerSecond: number;
  ingestFlushRowsPerSecond: number;
  ingestFsyncFlushRowsPerSecond: number;
  parseValidateSamplesPerSecond: number;
  zodParseSamplesPerSecond: number;
  rangeQueryMs: number;
  rangeQueryPoints: number;
  rangeLakeRows: number;
  rangeTier: string;
  rangeAllSeriesMs: number;
  rangeAllSeries: number;
  rangeAllOneQueryMs: number;
  rangeManyMs: number;
  rangeManyPoints: number;
  rangeHttpMetricMs: number;
  rangeHttpMetricSeries: number;
  /** First `GET /api/capacity` of a new app, median ms: histories read in batches (now). */
  capacityMs: number;
  /** The same reading one series at a time (before `seriesBatch`), median ms. */
  capacityOneByOneMs: number;
  /** Whether both answers were the same bytes. */
  capacitySameJson: boolean;
}

/** d3's quantile of sorted values (R-7: linear between the two nearest ranks); `NaN` for none. */
function quantile(sorted: number[], q: number): number {
  return quantileSorted(sorted, q) ?? NaN;
}

const WORKER = `
self.onmessage = async (e) => {
  const { url, clients, frames } = e.data;
  const latencies = [];
  const decoder = new TextDecoder();
  let ready = 0;
  async function client() {
    const res = await fetch(url);
    const reader = res.body.getReader();
    let text = "", seen = 0;
    ready++;
    if (ready === clients) self.postMessage({ ready: true });
    while (seen < frames) {
      const { value, done } = await reader.read();
      if (done) break;
      const now = performance.timeOrigin + performance.now();
      text += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = text.indexOf("\\n\\n")) >= 0) {
        const frame = text.slice(0, cut);
        text = text.slice(cut + 2);
        if (!frame.startsWith("event: samples")) continue;
        // the first row's ts only: 50 real browsers parse in parallel, one worker cannot
        const at = frame.indexOf("data: [[") + 8;
        const sent = Number(frame.slice(at, frame.indexOf(",", at)));
        latencies.push([sent, now - sent]);
        seen++;
      }
    }
    await reader.cancel();
  }
  await Promise.all(Array.from({ length: clients }, client));
  self.postMessage({ latencies });
};`;

async function liveLatency(clients: number, frames: number) {
  const hub = new LiveHub({ queueSize: 64 });
  const root = await Deno.makeTempDir({ prefix: "perfscope-bench-web-" });
  const lake = await openLake({ root });
  const sandbox = await openSqlSandbox({ root });
  const app = createApp({ lake, hub, sandbox, ingest: NO_INGEST });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
  const url = `http://127.0.0.1:${server.addr.port}/api/live`;
  const worker = new Worker(URL.createObjectURL(new Blob([WORKER], { type: "text/javascript" })), {
    type: "module",
  });
  const result = new Promise<[number, number][]>((resolve) => {
    worker.onmessage = (e) => {
      if (e.data.ready) start();
      else resolve(e.data.latencies);
    };
  });
  worker.postMessage({ url, clients, frames });
  // a collector-sized snapshot: ~250 samples
  const template: Sample[] = Array.from({ length: 250 }, (_, i) => ({
    ts: 0,
    host: "bench",
    metric: i < 24 ? "cpu_ratio" : "network_receive_bytes_per_second",
    labels: { cpu: String(i % 3), mode: "user", interface: `eth${i}` },
    value: i * 1.5,
  }));
  let sent = 0;
  // main-loop stalls during the run: how late a 5 ms timer fires
  let lagMax = 0, expected = performance.now() + 5;
  const lagTimer = setInterval(() => {
    const now = performance.now();
    lagMax = Math.max(lagMax, now - expected);
    expected = now + 5;
  }, 5);
  function start() {
    const timer = setInterval(() => {
      const ts = performance.timeOrigin + performance.now();
      hub.publish(template.map((s) => ({ ...s, ts })));
      if (++sent >= frames + 2) clearInterval(timer);
    }, 200);
  }
  const pairs = await result;
  clearInterval(lagTimer);
  const latencies = pairs.map((p) => p[1]).sort((a, b) => a - b);
  // is the tail a few slow frames (a stall) or spread over many?
  const worst = new Map<number, number>();
  for (const [ts, ms] of pairs) worst.set(ts, Math.max(worst.get(ts) ?? 0, ms));
  const slowFrames = [...worst.values()].filter((ms) => ms > 50).length;
  worker.terminate();
  hub.close();
  await server.shutdown();
  sandbox.close();
  lake.close();
  await Deno.remove(root, { recursive: true });
  return {
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    n: latencies.length,
    frames: worst.size,
    slowFrames,
    lagMax,
  };
}

function ingestBody(n: number): string {
  const t0 = Date.now() - 3_600_000;
  const lines: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    lines[i] = JSON.stringify({
      ts: t0 + Math.floor(i / 100) * 1000,
      host: "pusher",
      metric: "requests_per_second",
      labels: { route: `/r${i % 100}`, code: "200" },
      value: (i % 977) * 0.5,
    });
  }
  return lines.join("\n");
}

/** The per-line zod schema the hand-written check replaced, kept here to measure it. */
const zodLine = z.object({
  ts: z.number(),
  host: z.string().regex(/^[A-Za-z0-9_.:-]{1,253}$/),
  metric: z.string().regex(/^[a-z_][a-z0-9_]{0,199}$/),
  labels: z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/), z.string().max(1024))
    .optional(),
  value: z.number().nullable(),
});

function zodParse(text: string): number {
  let n = 0;
  for (const line of text.split("\n")) {
    if (line === "") continue;
    if (!zodLine.safeParse(JSON.parse(line)).success) throw new Error("bad line");
    n++;
  }
  return n;
}

async function ingestThroughput(n: number, rounds: number, sync: boolean) {
  const root = await Deno.makeTempDir({ prefix: "perfscope-bench-ingest-" });
  const hub = new LiveHub();
  const lake = await openLake({ root });
  const sandbox = await openSqlSandbox({ root });
  const ingest = new IngestWriter({ root, sync, flushRows: Infinity, flushEveryMs: 3_600_000 });
  const app = createApp({ lake, hub, sandbox, ingest });
  const body = ingestBody(n);
  // the bytes a server receives, with their length (as HTTP clients send it)
  const bytes = new TextEncoder().encode(body);
  const headers = {
    "content-type": "application/x-ndjson",
    "content-length": String(bytes.length),
  };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
  const url = `http://127.0.0.1:${server.addr.port}/api/ingest`;
  let best = 0, flushBest = 0, httpBest = 0;
  for (let r = 0; r < rounds; r++) {
    let started = performance.now();
    const res = await app.request("/api/ingest", { method: "POST", headers, body: bytes });
    await res.body?.cancel();
    const rate = n / ((performance.now() - started) / 1000);
    if (res.status === 200) best = Math.max(best, rate);
    let flushStarted = performance.now();
    let rows = ingest.flush();
    flushBest = Math.max(flushBest, rows / ((performance.now() - flushStarted) / 1000));
    started = performance.now();
    const http = await fetch(url, { method: "POST", headers, body: bytes });
    await http.body?.cancel();
    if (http.status === 200) {
      httpBest = Math.max(httpBest, n / ((performance.now() - started) / 1000));
    }
    flushStarted = performance.now();
    rows = ingest.flush();
    flushBest = Math.max(flushBest, rows / ((performance.now() - flushStarted) / 1000));
  }
  await server.shutdown();
  let parseBest = 0, zodBest = 0;
  for (let r = 0; r < rounds; r++) {
    let started = performance.now();
    parseIngest(bytes);
    parseBest = Math.max(parseBest, n / ((performance.now() - started) / 1000));
    started = performance.now();
    zodParse(body);
    zodBest = Math.max(zodBest, n / ((performance.now() - started) / 1000));
  }
  ingest.close();
  sandbox.close();
  lake.close();
  await Deno.remove(root, { recursive: true });
  return { full: best, http: httpBest, flush: flushBest, parse: parseBest, zod: zodBest };
}

async function rangeQuery(hours: number) {
  const root = await Deno.makeTempDir({ prefix: "perfscope-bench-range-" });
  const start = Date.UTC(2024, 0, 1);
  const durationMs = hours * 3_600_000;
  const sim = simulateHost({ root, host: "sim", start, durationMs });
  // compaction builds the rollups lake.series picks for long ranges
  const compactStarted = performance.now();
  await compactLake({ root, now: () => start + durationMs });
  const compactMs = performance.now() - compactStarted;
  const hub = new LiveHub();
  const lake = await openLake({ root });
  const sandbox = await openSqlSandbox({ root });
  const app = createApp({ lake, hub, sandbox, ingest: NO_INGEST });
  const to = start + durationMs;
  const path =
    `/api/series?metric=cpu_ratio&labels=cpu%3D0%2Cmode%3Duser&host=sim&from=${start}&to=${to}`;
  const one: number[] = [];
  let points = 0;
  let tier = "";
  for (let i = 0; i < 6; i++) {
    const started = performance.now();
    const body = await (await app.request(path)).json();
    if (i > 0) one.push(performance.now() - started); // the first run also lists the files
    points = body.ts.length;
    tier = body.tier;
  }
  const many: number[] = [];
  let manyPoints = 0, manySeries = 0;
  for (let i = 0; i < 6; i++) {
    const started = performance.now();
    const r = await lake.seriesMany({ host: "sim", from: start, to });
    many.push(performance.now() - started);
    manySeries = r.series.length;
    manyPoints = r.series.reduce((sum, s) => sum + s.ts.length, 0);
  }
  const http: number[] = [];
  let httpSeries = 0;
  for (let i = 0; i < 6; i++) {
    const started = performance.now();
    const body = await (await app.request(
      `/api/series?metric=cpu_ratio&host=sim&from=${start}&to=${to}`,
    )).json();
    http.push(performance.now() - started);
    httpSeries = body.series.length;
  }
  // before seriesMany: one call per series, and one SQL read as row objects (one run each)
  const series = (await lake.metrics()).filter((m) => m.host === "sim");
  let started = performance.now();
  let allPoints = 0;
  for (const s of series) {
    const r = await lake.series({
      metric: s.metric,
      labels: s.labels,
      host: s.host,
      from: start,
      to,
    });
    allPoints += r.ts.length;
  }
  const allMs = performance.now() - started;
  started = performance.now();
  const rows = await lake.query(
    `SELECT metric, labels, ts, avg FROM rollup_1m WHERE host = 'sim' AND ts >= epoch_ms(${start}) AND ts < epoch_ms(${to}) ORDER BY metric, labels, ts`,
  );
  const oneQueryMs = performance.now() - started;
  const oneQueryRows = rows.length;
  sandbox.close();
  lake.close();
  await Deno.remove(root, { recursive: true });
  return {
    ms: quantile(one.sort((a, b) => a - b), 0.5),
    points,
    rows: sim.rows,
    tier,
    compactMs,
    allMs,
    allSeries: series.length,
    allPoints,
    oneQueryMs,
    oneQueryRows,
    manyMs: quantile(many.slice(1).sort((a, b) => a - b), 0.5),
    manySeries,
    manyPoints,
    httpMs: quantile(http.slice(1).sort((a, b) => a - b), 0.5),
    httpSeries,
  };
}

/** A month of `hosts` hosts as serve leaves it: `days - 1` days at 1 min and `secondDays` at
 * 1 s, compacted, then the last hour at 1 s in one-minute files (not yet compacted). */
async function capacityLake(root: string, hosts: number, days: number, secondDays: number) {
  const DAY = 86_400_000;
  const start = Date.UTC(2026, 0, 1), mid = start + (days - secondDays) * DAY;
  const end = start + days * DAY;
  for (let h = 0; h < hosts; h++) {
    const base = { root, host: `host-${h}`, cpus: 4, topN: 5 };
    const f0 = 0.4 + 0.05 * h,
      f1 = 0.7 + 0.05 * h,
      fm = f0 + (f1 - f0) * (mid - start) / (end - start);
    simulateHost({
      ...base,
      start,
      durationMs: mid - start,
      stepMs: 60_000,
      seed: h + 1,
      diskFill: { from: f0, to: fm },
    });
    if (secondDays > 0) {
      simulateHost({
        ...base,
        start: mid,
        durationMs: end - mid,
        seed: h + 11,
        diskFill: { from: fm, to: f1 },
      });
    }
  }
  await compactLake({ root, now: () => end });
  for (let h = 0; h < hosts; h++) {
    simulateHost({
      root,
      host: `host-${h}`,
      start: end,
      durationMs: 3_600_000,
      seed: h + 101,
      cpus: 4,
      topN: 5,
      chunkMs: 60_000,
    });
  }
  return end + 3_600_000;
}

/** The lake's source as it was before `seriesBatch`: one `series` read per series. */
function oneByOne(lake: Lake): SeriesSource {
  const { seriesBatch: _, ...rest } = lakeSource(lake);
  return rest;
}

async function capacityLoad(hosts: number, days: number, secondDays: number, rounds: number) {
  const root = await Deno.makeTempDir({ prefix: "perfscope-bench-capacity-" });
  let started = performance.now();
  const now = await capacityLake(root, hosts, days, secondDays);
  const buildMs = performance.now() - started;
  const hub = new LiveHub();
  const sandbox = await openSqlSandbox({ root });
  const times = { batch: [] as number[], one: [] as number[] };
  const bodies = { batch: "", one: "" };
  let same = true, resources = 0;
  // round 0 warms up (the first listing checks every file once per process); then the two
  // paths alternate which goes first
  for (let r = 0; r <= rounds; r++) {
    for (const mode of r % 2 ? ["one", "batch"] as const : ["batch", "one"] as const) {
      const lake = await openLake({ root });
      const app = createApp({
        lake,
        hub,
        sandbox,
        ingest: NO_INGEST,
        now: () => now,
        ...(mode === "one" && { source: { name: "lake", open: () => oneByOne(lake) } }),
      });
      started = performance.now();
      const res = await app.request("/api/capacity");
      const body = await res.text();
      if (r > 0) times[mode].push(performance.now() - started);
      if (res.status !== 200) throw new Error(`GET /api/capacity: ${res.status} ${body}`);
      if (bodies[mode] !== "" && bodies[mode] !== body) same = false;
      bodies[mode] = body;
      resources = JSON.parse(body).resources.length;
      await lake.close();
    }
  }
  hub.close();
  await sandbox.close();
  await Deno.remove(root, { recursive: true });
  const median = (xs: number[]) => quantile(xs.sort((a, b) => a - b), 0.5);
  return {
    batchMs: median(times.batch),
    oneMs: median(times.one),
    same: same && bodies.batch === bodies.one,
    resources,
    buildMs,
    batchAll: times.batch,
    oneAll: times.one,
  };
}

function fmt(n: number, digits = 1): string {
  return Number.isFinite(n) ? n.toLocaleString("en-US", { maximumFractionDigits: digits }) : "n/a";
}

type CapacityFigures = Awaited<ReturnType<typeof capacityLoad>>;

function capacityRows(c: CapacityFigures, hosts: number, days: number): [string, string, string][] {
  return [
    [
      `GET /api/capacity, first load, ${hosts} hosts × ${days} days (${c.resources} resources)`,
      `${fmt(c.batchMs, 0)} ms`,
      `same JSON as before: ${c.same}`,
    ],
    [
      `  before: one series read per resource and chart`,
      `${fmt(c.oneMs, 0)} ms`,
      `now ${fmt(c.oneMs / c.batchMs, 2)}× as fast`,
    ],
  ];
}

function capacityNote(c: CapacityFigures): string {
  return `capacity: median of ${c.batchAll.length} each, interleaved, after one warm-up round ` +
    `(batches ${c.batchAll.map((x) => fmt(x, 0)).join(", ")} ms; one by one ${
      c.oneAll.map((x) => fmt(x, 0)).join(", ")
    } ms), lake built in ${fmt(c.buildMs / 1000, 0)} s`;
}

function printTable(rows: [string, string, string][]): void {
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  console.log(`${"measure".padEnd(w0)}  ${"result".padStart(w1)}  goal`);
  for (const [a, b, c] of rows) console.log(`${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`);
}

/** The capacity figures alone (`--capacity`). */
async function runCapacity(quick: boolean): Promise<Partial<WebBenchFigures>> {
  const hosts = quick ? 1 : 3, days = quick ? 3 : 30;
  const load = () => Deno.loadavg().map((v) => v.toFixed(2)).join(" ");
  const before = load();
  const c = await capacityLoad(hosts, days, quick ? 0 : 1, quick ? 3 : 5);
  printTable(capacityRows(c, hosts, days));
  console.log(
    `(${capacityNote(c)}; load average ${before} before, ${load()} after; ` +
      `${navigator.hardwareConcurrency} cores)`,
  );
  return { capacityMs: c.batchMs, capacityOneByOneMs: c.oneMs, capacitySameJson: c.same };
}

/**
 * Runs the web benchmarks and prints the table.
 *
 * @param options `quick` for shorter runs.
 * @returns The figures.
 */
export async function run(
  options: WebBenchOptions = {},
): Promise<WebBenchFigures | Partial<WebBenchFigures>> {
  const quick = options.quick ?? false;
  if (options.capacityOnly) return await runCapacity(quick);
  const clients = 50;
  const load = () => Deno.loadavg().map((v) => v.toFixed(2)).join(" ");
  const loadBefore = load();
  const live = await liveLatency(clients, quick ? 20 : 60);
  const loadLive = load();
  const n = quick ? 50_000 : 200_000;
  const ingest = await ingestThroughput(n, quick ? 2 : 5, false);
  const ingestSync = await ingestThroughput(n, quick ? 1 : 2, true);
  const hours = quick ? 2 : 24;
  const range = await rangeQuery(hours);
  const capHosts = quick ? 1 : 3, capDays = quick ? 3 : 30;
  const capacity = await capacityLoad(capHosts, capDays, quick ? 0 : 1, quick ? 3 : 5);
  const rows: [string, string, string][] = [
    [`live latency p50, ${clients} SSE clients`, `${fmt(live.p50, 2)} ms`, ""],
    [`live latency p99, ${clients} SSE clients`, `${fmt(live.p99, 2)} ms`, "< 50 ms"],
    [
      `ingest: parse + validate + spool append, app.request() (1 thread)`,
      `${fmt(ingest.full, 0)} samples/s`,
      "≥ 1,000,000/s per core",
    ],
    [
      `  the same over loopback HTTP (client in the same process)`,
      `${fmt(ingest.http, 0)} samples/s`,
      "",
    ],
    [`  of which parse + validate (hand-written check)`, `${fmt(ingest.parse, 0)} samples/s`, ""],
    [
      `  the same with JSON.parse + a zod schema per line (the library it replaced)`,
      `${fmt(ingest.zod, 0)} samples/s`,
      `hand-written ${fmt(ingest.parse / ingest.zod, 1)}× as fast`,
    ],
    [`ingest batch flush to Parquet, no fsync`, `${fmt(ingest.flush, 0)} rows/s`, ""],
    [`ingest batch flush to Parquet, fsync`, `${fmt(ingestSync.flush, 0)} rows/s`, ""],
    [
      `range query, 1 series × ${hours} h (${fmt(range.rows / 1e6, 1)} M rows lake)`,
      `${fmt(range.ms, 1)} ms`,
      "< 200 ms",
    ],
    [
      `range query, all ${range.manySeries} series × ${hours} h, one lake.seriesMany`,
      `${fmt(range.manyMs, 0)} ms`,
      "< 200 ms",
    ],
    [
      `  GET /api/series, all ${range.httpSeries} cpu_ratio series × ${hours} h, JSON`,
      `${fmt(range.httpMs, 0)} ms`,
      "",
    ],
    [`  before: one lake.series per series`, `${fmt(range.allMs, 0)} ms`, ""],
    [`  before: one SQL over rollup_1m, row objects`, `${fmt(range.oneQueryMs, 0)} ms`, ""],
    ...capacityRows(capacity, capHosts, capDays),
  ];
  printTable(rows);
  console.log(
    `(live: ${live.n} frames of 250 samples, ${live.slowFrames} of ${live.frames} published ` +
      `frames reached some client after > 50 ms, main loop stalled at most ${
        fmt(live.lagMax, 1)
      } ms, load average ${loadBefore} before, ${loadLive} after; ` +
      `range: tier ${range.tier}, ${range.points} points, median of 5; seriesMany: ` +
      `${range.manyPoints} points, median of 5; before (one run each): ${range.allPoints} ` +
      `points, ${range.oneQueryRows} rows; compaction ` +
      `${fmt(range.compactMs / 1000, 1)} s; ${
        capacityNote(capacity)
      }; load average now ${load()}; ${navigator.hardwareConcurrency} cores)`,
  );
  return {
    liveP50Ms: live.p50,
    liveP99Ms: live.p99,
    liveClients: clients,
    liveFrames: live.n,
    ingestSamplesPerSecond: ingest.full,
    ingestHttpSamplesPerSecond: ingest.http,
    ingestFlushRowsPerSecond: ingest.flush,
    ingestFsyncFlushRowsPerSecond: ingestSync.flush,
    parseValidateSamplesPerSecond: ingest.parse,
    zodParseSamplesPerSecond: ingest.zod,
    rangeQueryMs: range.ms,
    rangeQueryPoints: range.points,
    rangeLakeRows: range.rows,
    rangeTier: range.tier,
    rangeAllSeriesMs: range.allMs,
    rangeAllSeries: range.allSeries,
    rangeAllOneQueryMs: range.oneQueryMs,
    rangeManyMs: range.manyMs,
    rangeManyPoints: range.manyPoints,
    rangeHttpMetricMs: range.httpMs,
    rangeHttpMetricSeries: range.httpSeries,
    capacityMs: capacity.batchMs,
    capacityOneByOneMs: capacity.oneMs,
    capacitySameJson: capacity.same,
  };
}

const USAGE = `Usage: deno run -A bench/web_bench.ts [--quick] [--capacity]

Web benchmarks on loopback: live latency to SSE clients, /api/ingest, range queries and the
other figures in the table, with the goals beside.

Options:
  --quick      shorter runs (as deno task bench --quick)
  --capacity   only the first GET /api/capacity over a month's lake, batched and one by one
  -h, --help   show this help`;

function webFlags(args: string[]): WebBenchOptions {
  const { values } = parseFlags(args, {
    quick: { type: "boolean", default: false },
    capacity: { type: "boolean", default: false },
  });
  return { quick: values.quick, capacityOnly: values.capacity };
}

if (import.meta.main) await benchMain(USAGE, webFlags, run);
