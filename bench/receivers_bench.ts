/**
 * Receivers benchmark: (1) one scrape of a 10 000-series target over loopback (fetch, parse,
 * convert; ms per scrape), and the parse alone beside `parse-prometheus-text-format` on the
 * same page; (2) OTLP ingest in samples/s (protobuf decode + convert, then also through
 * `IngestWriter.writeBatch`); (3) StatsD packets/s over loopback UDP (10 lines a packet), and
 * the aggregation alone of those lines and of lines with two tags that clash (`a.b`, `a_b`) or
 * not; (4) CPU ms/s of perfscope `serve` (its collector child included) scraping a real
 * node_exporter every second, beside Prometheus scraping the same node_exporter every second,
 * both running in the same window (from `/proc/PID/stat`, 10 ms ticks). Prints figures, never
 * asserts.
 *
 * Run: `deno run -A bench/receivers_bench.ts [--quick]`.
 *
 * @module
 */
import dgram from "node:dgram";
import {
  BatchBuilder,
  convertExposition,
  CumulativeState,
  encodeOtlpRequest,
  OtlpReceiver,
  parseExposition,
  scrapeTarget,
  SeriesLimit,
  StatsdAggregator,
  StatsdServer,
} from "../receivers/mod.ts";
import { IngestWriter } from "../lake/mod.ts";
import { freePort } from "../tests/_ports.ts";
import { serveChild } from "../tests/_serve_process.ts";
import { nodeScrapeYaml, startNodeExporter, stopChildren } from "./_node_exporter.ts";
import { childrenOf } from "./_thread_cpu.ts";
import { benchMain, quickFlag } from "./_flags.ts";

/** Options of {@linkcode run}. */
export interface ReceiversBenchOptions {
  /** Shorter runs. Default false. */
  quick?: boolean;
}

/** The figures. */
export interface ReceiversFigures {
  scrape10kMs: number;
  parse10kMs: number;
  parseLibraryMs: number | undefined;
  otlpSamplesPerSecond: number;
  otlpWithWriterSamplesPerSecond: number;
  statsdPacketsPerSecond: number;
  statsdLinesPerSecond: number;
  /** StatsD lines aggregated per second in process: the UDP bench's lines (one tag each). */
  statsdAggregateLinesPerSecond: number;
  /** The same lines with two tags (`a.b`, `c.d`). */
  statsdTwoTagLinesPerSecond: number;
  /** The same lines with two tags that clean to one name (`a.b`, `a_b`), joined. */
  statsdClashLinesPerSecond: number;
  nodeExporter?: {
    perfscopeCpuMsPerS: number;
    prometheusCpuMsPerS: number;
    exporterCpuMsPerS: number;
    seconds: number;
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** A 10 000-series page: 2000 counters, 2000 gauges, 500 histograms of 9 buckets (6000). */
export function page10k(round: number): string {
  const lines: string[] = [
    "# HELP bench_requests_total Requests",
    "# TYPE bench_requests_total counter",
  ];
  for (let i = 0; i < 2000; i++) {
    lines.push(`bench_requests_total{path="/p${i}",code="200"} ${1000 + i + round * 7}`);
  }
  lines.push("# TYPE bench_queue gauge");
  for (let i = 0; i < 2000; i++) lines.push(`bench_queue{q="q${i}"} ${i % 17}`);
  lines.push("# TYPE bench_latency_seconds histogram");
  const les = ["0.005", "0.01", "0.05", "0.1", "0.5", "1", "5", "+Inf"];
  for (let h = 0; h < 500; h++) {
    let acc = 0;
    for (const le of les) {
      acc += 3 + round;
      lines.push(`bench_latency_seconds_bucket{route="/r${h}",le="${le}"} ${acc}`);
    }
    lines.push(`bench_latency_seconds_sum{route="/r${h}"} ${acc * 0.02}`);
    lines.push(`bench_latency_seconds_count{route="/r${h}"} ${acc}`);
  }
  return lines.join("\n") + "\n";
}

async function scrapeBench(quick: boolean) {
  let round = 0;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response(page10k(++round)),
  );
  const state = new CumulativeState();
  const target = { url: `http://127.0.0.1:${server.addr.port}/metrics`, name: "bench" };
  const limit = new SeriesLimit({ maxSeries: 100_000 });
  const times: number[] = [];
  let samples = 0;
  for (let i = 0; i < (quick ? 8 : 30); i++) {
    const t = performance.now();
    const r = await scrapeTarget(target, state, { host: "h", limit });
    times.push(performance.now() - t);
    samples = r.batch.ts.length;
  }
  await server.shutdown();
  const text = page10k(1);
  const parseTimes: number[] = [];
  for (let i = 0; i < (quick ? 8 : 30); i++) {
    const t = performance.now();
    const out = new BatchBuilder({ host: "h", ts: i, source: "scrape" });
    convertExposition(parseExposition(text), new CumulativeState(), out, {
      targetLabels: { target: "b" },
      ts: i,
    });
    parseTimes.push(performance.now() - t);
  }
  // a target's later scrapes: its series cache and prepared labels warm, values changing
  const warmState = new CumulativeState();
  const pages = [page10k(1), page10k(2)];
  const warmTimes: number[] = [];
  for (let i = 0; i < (quick ? 8 : 30) + 1; i++) {
    const t = performance.now();
    const out = new BatchBuilder({ host: "h", ts: i * 1000, source: "scrape" });
    const families = parseExposition(pages[i % 2]!, { seriesCache: warmState.seriesCache });
    convertExposition(families, warmState, out, { targetLabels: { target: "b" }, ts: i * 1000 });
    if (i > 0) warmTimes.push(performance.now() - t);
  }
  let libTimes: number[] | undefined;
  try {
    // in deno.json's imports, so `deno install` fetches it with the rest
    const lib = await import("parse-prometheus-text-format");
    const parse = (lib.default ?? lib) as (t: string) => unknown;
    libTimes = [];
    for (let i = 0; i < (quick ? 8 : 30); i++) {
      const t = performance.now();
      parse(text);
      libTimes.push(performance.now() - t);
    }
  } catch {
    // not installable here: the row says so
  }
  const ours = [];
  for (let i = 0; i < (quick ? 8 : 30); i++) {
    const t = performance.now();
    parseExposition(text);
    ours.push(performance.now() - t);
  }
  return {
    scrape: median(times),
    parseConvert: median(parseTimes),
    parseConvertWarm: median(warmTimes),
    parse: median(ours),
    lib: libTimes && median(libTimes),
    samples,
  };
}

function otlpRequest(round: number) {
  const points = Array.from({ length: 2000 }, (_, i) => ({
    asDouble: i * 1.5 + round,
    timeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
    attributes: [{ key: "shard", value: { stringValue: `s${i}` } }],
  }));
  const hist = Array.from({ length: 200 }, (_, i) => ({
    count: String(100 * (round + 1)),
    sum: 50 * (round + 1),
    bucketCounts: Array(9).fill(String(10 * (round + 1))).concat([String(10 * (round + 1))]),
    explicitBounds: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 50],
    startTimeUnixNano: "1",
    timeUnixNano: String(BigInt(Date.now() + round) * 1_000_000n),
    attributes: [{ key: "route", value: { stringValue: `/r${i}` } }],
  }));
  return encodeOtlpRequest({
    resourceMetrics: [{
      resource: { attributes: [{ key: "service.name", value: { stringValue: "bench" } }] },
      scopeMetrics: [{
        metrics: [
          { name: "bench.level", gauge: { dataPoints: points } },
          {
            name: "bench.latency",
            unit: "s",
            histogram: { dataPoints: hist, aggregationTemporality: 2 },
          },
        ],
      }],
    }],
  });
}

function otlpBench(quick: boolean) {
  const bodies = Array.from({ length: quick ? 10 : 40 }, (_, i) => otlpRequest(i));
  const receiver = new OtlpReceiver({ host: "h", maxSeries: 1_000_000 });
  let samples = 0;
  let t = performance.now();
  for (const b of bodies) samples += receiver.receive(b, "protobuf").batch.ts.length;
  const plain = samples / ((performance.now() - t) / 1000);
  const root = Deno.makeTempDirSync();
  const writer = new IngestWriter({ root, sync: false });
  const again = new OtlpReceiver({ host: "h", maxSeries: 1_000_000 });
  samples = 0;
  t = performance.now();
  for (const b of bodies) {
    const r = again.receive(b, "protobuf");
    writer.writeBatch(r.batch);
    samples += r.batch.ts.length;
  }
  const withWriter = samples / ((performance.now() - t) / 1000);
  writer.close();
  Deno.removeSync(root, { recursive: true });
  return { plain, withWriter };
}

async function statsdBench(quick: boolean) {
  let stored = 0;
  const server = await StatsdServer.listen({
    listen: "127.0.0.1:0",
    host: "h",
    sink: (b) => void (stored += b.ts.length),
    log: () => {},
  });
  const sock = dgram.createSocket("udp4");
  const packet = new TextEncoder().encode(
    Array.from(
      { length: 10 },
      (_, i) => `bench.m${i % 5}:${i}|${["c", "g", "ms", "c", "s"][i % 5]}|#k:v${i % 3}`,
    ).join("\n"),
  );
  const n = quick ? 20_000 : 100_000;
  const t = performance.now();
  // in windows of 200 packets, so the socket buffer is not the bottleneck being measured
  for (let sent = 0; sent < n; sent += 200) {
    await Promise.all(
      Array.from(
        { length: 200 },
        () => new Promise<void>((r) => sock.send(packet, server.port, "127.0.0.1", () => r())),
      ),
    );
    await new Promise((r) => setTimeout(r, 0));
  }
  for (let i = 0; i < 200 && server.status().packets < n; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  const secs = (performance.now() - t) / 1000;
  const s = server.status();
  sock.close();
  await server.close();
  return { packets: s.packets / secs, lines: s.lines / secs, received: s.packets, sent: n, stored };
}

/** Ten StatsD lines of the five types, each with `tags`. */
function statsdPacket(tags: (i: number) => string): string {
  return Array.from(
    { length: 10 },
    (_, i) => `bench.m${i % 5}:${i}|${["c", "g", "ms", "c", "s"][i % 5]}|#${tags(i)}`,
  ).join("\n");
}

/**
 * `StatsdAggregator.packet` alone (no socket), lines/s: the UDP bench's packet (one tag a line),
 * then lines with two tags that do not clash (`a.b`, `c.d`) beside lines with two that clean to
 * one name (`a.b`, `a_b`), so the clash's slow path shows as a ratio. The three alternate round
 * by round (median of 11 rounds each), so load moves them alike.
 */
function statsdAggregateBench(quick: boolean) {
  const packets = [
    statsdPacket((i) => `k:v${i % 3}`),
    statsdPacket((i) => `a.b:v${i % 3},c.d:w`),
    statsdPacket((i) => `a.b:v${i % 3},a_b:w`),
  ];
  const n = quick ? 5_000 : 20_000;
  const time = (packet: string) => {
    let t = 0;
    const agg = new StatsdAggregator({ host: "h", now: () => t });
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      agg.packet(packet);
      if (i % 1000 === 999) {
        t += 1000;
        agg.flush();
      }
    }
    return (n * 10) / ((performance.now() - t0) / 1000);
  };
  const rounds: number[][] = packets.map(() => []);
  for (let r = 0; r < 11; r++) packets.forEach((p, i) => rounds[i]!.push(time(p)));
  const [plain, twoTags, clash] = rounds.map(median) as [number, number, number];
  return { plain, twoTags, clash };
}

function cpuTicks(pid: number): number | undefined {
  try {
    const text = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return Number(f[11]) + Number(f[12]); // utime, stime (fields 14 and 15)
  } catch {
    return undefined;
  }
}

async function nodeExporterBench(quick: boolean) {
  const which = (p: string) => {
    try {
      return Deno.statSync(p).isFile;
    } catch {
      return false;
    }
  };
  if (!which("/usr/bin/prometheus-node-exporter") || !which("/usr/bin/prometheus")) {
    return undefined;
  }
  const dir = Deno.makeTempDirSync();
  const promPort = freePort();
  const { process: ne, target } = startNodeExporter();
  Deno.writeTextFileSync(
    `${dir}/prometheus.yml`,
    `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: node\n    static_configs:\n      - targets: ["${target}"]\n`,
  );
  const prom = new Deno.Command("/usr/bin/prometheus", {
    args: [
      `--config.file=${dir}/prometheus.yml`,
      `--storage.tsdb.path=${dir}/tsdb`,
      `--web.listen-address=127.0.0.1:${promPort}`,
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  Deno.writeTextFileSync(`${dir}/perfscope.yaml`, nodeScrapeYaml(target));
  const serve = serveChild(["--data", `${dir}/data`, "--config", `${dir}/perfscope.yaml`]);
  const warm = quick ? 5 : 10, window = quick ? 15 : 60;
  try {
    await new Promise((r) => setTimeout(r, warm * 1000));
    const pids = () => [serve.pid, ...childrenOf(serve.pid)];
    const sum = (ps: number[]) => ps.reduce((a, p) => a + (cpuTicks(p) ?? 0), 0);
    const ours0 = sum(pids()), prom0 = cpuTicks(prom.pid) ?? 0, ne0 = cpuTicks(ne.pid) ?? 0;
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, window * 1000));
    const secs = (performance.now() - t0) / 1000;
    const perS = (ticks: number) => (ticks * 10) / secs;
    return {
      perfscopeCpuMsPerS: perS(sum(pids()) - ours0),
      prometheusCpuMsPerS: perS((cpuTicks(prom.pid) ?? 0) - prom0),
      exporterCpuMsPerS: perS((cpuTicks(ne.pid) ?? 0) - ne0),
      seconds: secs,
    };
  } finally {
    await stopChildren([serve, prom, ne]);
    Deno.removeSync(dir, { recursive: true });
  }
}

/**
 * Runs the benchmark and prints its table.
 *
 * @param options See {@linkcode ReceiversBenchOptions}.
 * @returns The figures.
 */
export async function run(options: ReceiversBenchOptions = {}): Promise<ReceiversFigures> {
  const quick = options.quick ?? false;
  const s = await scrapeBench(quick);
  const o = otlpBench(quick);
  const d = await statsdBench(quick);
  const agg = statsdAggregateBench(quick);
  const ne = await nodeExporterBench(quick);
  const rows: [string, string][] = [
    [
      "scrape of a 10 000-series target (fetch + parse + convert)",
      `${s.scrape.toFixed(1)} ms/scrape (${s.samples} samples)`,
    ],
    ["  parse + convert alone", `${s.parseConvert.toFixed(1)} ms`],
    [
      "  parse + convert, a target's later scrapes (series cache warm)",
      `${s.parseConvertWarm.toFixed(1)} ms`,
    ],
    ["  parse alone (receivers/parse_exposition.ts)", `${s.parse.toFixed(1)} ms`],
    [
      "  parse alone (npm parse-prometheus-text-format 1.1.1)",
      s.lib === undefined ? "n/a" : `${s.lib.toFixed(1)} ms`,
    ],
    ["OTLP protobuf decode + convert", `${Math.round(o.plain).toLocaleString("en")} samples/s`],
    [
      "OTLP decode + convert + IngestWriter.writeBatch",
      `${Math.round(o.withWriter).toLocaleString("en")} samples/s`,
    ],
    [
      "StatsD over loopback UDP (10 lines a packet)",
      `${Math.round(d.packets).toLocaleString("en")} packets/s (${d.received}/${d.sent} received)`,
    ],
    [
      "StatsD aggregation in process, the same lines (one tag each)",
      `${Math.round(agg.plain).toLocaleString("en")} lines/s`,
    ],
    ["  lines with tags a.b and c.d", `${Math.round(agg.twoTags).toLocaleString("en")} lines/s`],
    [
      "  lines with tags a.b and a_b (joined as a_b)",
      `${Math.round(agg.clash).toLocaleString("en")} lines/s (${
        (agg.clash / agg.twoTags).toFixed(2)
      }× a.b and c.d)`,
    ],
  ];
  if (ne) {
    rows.push(
      [
        `perfscope serve + collector, scraping node_exporter at 1 s (${ne.seconds.toFixed(0)} s)`,
        `${ne.perfscopeCpuMsPerS.toFixed(1)} CPU ms/s`,
      ],
      [
        "Prometheus 2.42 scraping the same node_exporter at 1 s, same window",
        `${ne.prometheusCpuMsPerS.toFixed(1)} CPU ms/s`,
      ],
      ["  node_exporter itself (serving both)", `${ne.exporterCpuMsPerS.toFixed(1)} CPU ms/s`],
    );
  } else {rows.push([
      "node_exporter side by side",
      "skipped (prometheus or prometheus-node-exporter missing)",
    ]);}
  const w = Math.max(...rows.map((r) => r[0].length));
  for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
  return {
    scrape10kMs: s.scrape,
    parse10kMs: s.parse,
    parseLibraryMs: s.lib,
    otlpSamplesPerSecond: o.plain,
    otlpWithWriterSamplesPerSecond: o.withWriter,
    statsdPacketsPerSecond: d.packets,
    statsdLinesPerSecond: d.lines,
    statsdAggregateLinesPerSecond: agg.plain,
    statsdTwoTagLinesPerSecond: agg.twoTags,
    statsdClashLinesPerSecond: agg.clash,
    ...(ne && { nodeExporter: ne }),
  };
}

const USAGE = `Usage: deno run -A bench/receivers_bench.ts [--quick]

Receivers benchmark: a 10 000-series scrape, OTLP and StatsD ingest, and serve's CPU scraping a
node_exporter beside Prometheus.

Options:
  --quick      shorter runs (as deno task bench --quick)
  -h, --help   show this help`;

if (import.meta.main) await benchMain(USAGE, quickFlag, run);
