/**
 * Web benchmarks, loopback only, bounded loops; prints an aligned table with the goals beside
 * and returns the figures (never asserts):
 *
 * - live latency: a 250-sample batch published by the hub (5 per second) → read by each of 50
 *   SSE clients (clients run in a Worker, on their own thread, over real loopback HTTP through
 *   `Deno.serve`; each reads the frame and its timestamp, not the whole JSON);
 * - ingest: `POST /api/ingest` through `app.request()` — body read, JSON lines parsed, validated
 *   with zod and the name rules, written as Parquet by the lake's writer (no fsync, as the
 *   collector's page-cache durability; with fsync the figure is shown too), one thread;
 * - range query: `GET /api/series` for one series over 24 h in a lake of 300 series × 24 h at
 *   1 s built once by `simulateHost` into a temporary directory.
 *
 * `deno run -A bench/web_bench.ts [--quick]`
 *
 * @module
 */
import { openLake, simulateHost } from "../lake/mod.ts";
import { createApp, LiveHub, openLakeWriter, openSqlSandbox, parseIngest } from "../web/mod.ts";
import type { Sample } from "../collectors/mod.ts";

/** Options: `quick` for shorter runs. */
export interface WebBenchOptions {
  /** Fewer rounds, a 2-hour lake instead of 24 h; default false. */
  quick?: boolean;
}

/** The figures measured. */
export interface WebBenchFigures {
  liveP50Ms: number;
  liveP99Ms: number;
  liveClients: number;
  liveFrames: number;
  ingestSamplesPerSecond: number;
  ingestFsyncSamplesPerSecond: number;
  parseValidateSamplesPerSecond: number;
  rangeQueryMs: number;
  rangeQueryPoints: number;
  rangeLakeRows: number;
  rangeTier: string;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
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
        latencies.push(now - Number(frame.slice(at, frame.indexOf(",", at))));
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
  const app = createApp({ lake, hub, sandbox, ingest: () => {} });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
  const url = `http://127.0.0.1:${server.addr.port}/api/live`;
  const worker = new Worker(URL.createObjectURL(new Blob([WORKER], { type: "text/javascript" })), {
    type: "module",
  });
  const result = new Promise<number[]>((resolve) => {
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
  function start() {
    const timer = setInterval(() => {
      const ts = performance.timeOrigin + performance.now();
      hub.publish(template.map((s) => ({ ...s, ts })));
      if (++sent >= frames + 2) clearInterval(timer);
    }, 200);
  }
  const latencies = (await result).sort((a, b) => a - b);
  worker.terminate();
  hub.close();
  await server.shutdown();
  sandbox.close();
  lake.close();
  await Deno.remove(root, { recursive: true });
  return { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), n: latencies.length };
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

async function ingestThroughput(n: number, rounds: number, sync: boolean) {
  const root = await Deno.makeTempDir({ prefix: "perfscope-bench-ingest-" });
  const hub = new LiveHub();
  const lake = await openLake({ root });
  const sandbox = await openSqlSandbox({ root });
  const writer = openLakeWriter({ root, sync });
  const app = createApp({ lake, hub, sandbox, ingest: (s) => void writer.write(s) });
  const body = ingestBody(n);
  let best = 0;
  for (let r = 0; r < rounds; r++) {
    const started = performance.now();
    const res = await app.request("/api/ingest", {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body,
    });
    await res.body?.cancel();
    const rate = n / ((performance.now() - started) / 1000);
    if (res.status === 200) best = Math.max(best, rate);
  }
  let parseBest = 0;
  for (let r = 0; r < rounds; r++) {
    const started = performance.now();
    parseIngest(body);
    parseBest = Math.max(parseBest, n / ((performance.now() - started) / 1000));
  }
  sandbox.close();
  lake.close();
  await Deno.remove(root, { recursive: true });
  return { full: best, parse: parseBest };
}

async function rangeQuery(hours: number) {
  const root = await Deno.makeTempDir({ prefix: "perfscope-bench-range-" });
  const start = Date.UTC(2024, 0, 1);
  const durationMs = hours * 3_600_000;
  const sim = simulateHost({ root, host: "sim", start, durationMs });
  const hub = new LiveHub();
  const lake = await openLake({ root });
  const sandbox = await openSqlSandbox({ root });
  const app = createApp({ lake, hub, sandbox, ingest: () => {} });
  const path =
    `/api/series?metric=cpu_ratio&labels=cpu%3D0%2Cmode%3Duser&host=sim&from=${start}&to=${
      start + durationMs
    }`;
  const times: number[] = [];
  let points = 0;
  let tier = "";
  for (let i = 0; i < 6; i++) {
    const started = performance.now();
    const body = await (await app.request(path)).json();
    if (i > 0) times.push(performance.now() - started); // the first run also lists the files
    points = body.ts.length;
    tier = body.tier;
  }
  sandbox.close();
  lake.close();
  await Deno.remove(root, { recursive: true });
  return { ms: quantile(times.sort((a, b) => a - b), 0.5), points, rows: sim.rows, tier };
}

function fmt(n: number, digits = 1): string {
  return Number.isFinite(n) ? n.toLocaleString("en-US", { maximumFractionDigits: digits }) : "n/a";
}

/**
 * Runs the web benchmarks and prints the table.
 *
 * @param options `quick` for shorter runs.
 * @returns The figures.
 */
export async function run(options: WebBenchOptions = {}): Promise<WebBenchFigures> {
  const quick = options.quick ?? false;
  const clients = 50;
  const live = await liveLatency(clients, quick ? 20 : 60);
  const n = quick ? 50_000 : 200_000;
  const ingest = await ingestThroughput(n, quick ? 2 : 4, false);
  const ingestSync = await ingestThroughput(n, quick ? 1 : 2, true);
  const hours = quick ? 2 : 24;
  const range = await rangeQuery(hours);
  const rows: [string, string, string][] = [
    [`live latency p50, ${clients} SSE clients`, `${fmt(live.p50, 2)} ms`, ""],
    [`live latency p99, ${clients} SSE clients`, `${fmt(live.p99, 2)} ms`, "< 50 ms"],
    [
      `ingest, parse+validate+write (1 thread)`,
      `${fmt(ingest.full, 0)} samples/s`,
      "≥ 1,000,000/s per core",
    ],
    [`ingest with fsync per request`, `${fmt(ingestSync.full, 0)} samples/s`, ""],
    [`  of which parse+validate only`, `${fmt(ingest.parse, 0)} samples/s`, "(Netdata ~500,000/s)"],
    [
      `range query, 1 series × ${hours} h (${fmt(range.rows / 1e6, 1)} M rows lake)`,
      `${fmt(range.ms, 1)} ms`,
      "< 200 ms",
    ],
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  console.log(`${"measure".padEnd(w0)}  ${"result".padStart(w1)}  goal`);
  for (const [a, b, c] of rows) console.log(`${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`);
  console.log(
    `(live: ${live.n} frames of 250 samples; range: tier ${range.tier}, ${range.points} points, median of 5)`,
  );
  return {
    liveP50Ms: live.p50,
    liveP99Ms: live.p99,
    liveClients: clients,
    liveFrames: live.n,
    ingestSamplesPerSecond: ingest.full,
    ingestFsyncSamplesPerSecond: ingestSync.full,
    parseValidateSamplesPerSecond: ingest.parse,
    rangeQueryMs: range.ms,
    rangeQueryPoints: range.points,
    rangeLakeRows: range.rows,
    rangeTier: range.tier,
  };
}

if (import.meta.main) await run({ quick: Deno.args.includes("--quick") });
