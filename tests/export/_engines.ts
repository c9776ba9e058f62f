/**
 * Real time-series engines from Debian for the fleet tests, on loopback ports with temporary
 * storage: VictoriaMetrics single node and Prometheus with its remote-write receiver.
 *
 * @module
 */
import { freePort } from "../_ports.ts";

/** A running engine: its base URL, and how to stop or restart it on the same storage. */
export interface Engine {
  readonly base: string;
  /** Remote-write URL. */
  readonly writeUrl: string;
  readonly dir: string;
  /** Stops the process (SIGTERM, then waits). */
  stop(): Promise<void>;
  /** Starts it again on the same port and storage. */
  start(): Promise<void>;
}

/** What a test may add to an engine's start. */
export interface EngineOptions {
  /** Extra command-line flags (e.g. `-httpAuth.username=u` for VictoriaMetrics). */
  args?: string[];
  /** Text appended to Prometheus' configuration file. */
  config?: string;
  /** VictoriaMetrics keeps its response cache on, as its default is (off in the tests otherwise,
   * so that a query sees samples imported just before). */
  cache?: boolean;
  /** The engine serves HTTPS (its TLS flags in `args`): URLs use https, and the readiness
   * check trusts the CA in this PEM text. */
  tlsCa?: string;
  /** The port to listen on (a test's own range). Default: one the system gave free. */
  port?: number;
}

async function waitReady(
  url: string,
  timeoutMs = 30_000,
  client?: Deno.HttpClient,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(url, client ? { client } : {});
      await r.body?.cancel();
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`Not ready: ${url}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function engine(
  command: string,
  args: (port: number, dir: string, options: EngineOptions) => string[],
  paths: { ready: string; write: string },
): (options?: EngineOptions) => Promise<Engine> {
  return async (options = {}) => {
    const dir = Deno.makeTempDirSync({ prefix: `perfscope-${command}-` });
    const port = options.port ?? freePort();
    const base = `${options.tlsCa ? "https" : "http"}://127.0.0.1:${port}`;
    let child: Deno.ChildProcess | undefined;
    const e: Engine = {
      base,
      writeUrl: `${base}${paths.write}`,
      dir,
      async start() {
        child = new Deno.Command(command, {
          args: [...args(port, dir, options), ...(options.args ?? [])],
          stdout: "null",
          stderr: "null",
          stdin: "null",
        }).spawn();
        const client = options.tlsCa
          ? Deno.createHttpClient({ caCerts: [options.tlsCa] })
          : undefined;
        try {
          await waitReady(`${base}${paths.ready}`, 30_000, client);
        } finally {
          client?.close();
        }
      },
      async stop() {
        if (!child) return;
        try {
          child.kill("SIGTERM");
        } catch {
          // already gone
        }
        await child.status;
        child = undefined;
      },
    };
    await e.start();
    return e;
  };
}

/** Starts VictoriaMetrics single node (newest points visible at once: no latency offset). */
export const startVictoriaMetrics: (options?: EngineOptions) => Promise<Engine> = engine(
  "victoria-metrics",
  (port, dir, options) => [
    `-storageDataPath=${dir}/data`,
    `-httpListenAddr=127.0.0.1:${port}`,
    "-search.latencyOffset=0s",
    "-loggerLevel=ERROR",
    "-retentionPeriod=100y",
    ...(options.cache ? [] : ["-search.disableCache"]),
  ],
  { ready: "/health", write: "/api/v1/write" },
);

/** Starts Prometheus with its remote-write receiver and no scrape targets. */
export const startPrometheus: (options?: EngineOptions) => Promise<Engine> = engine(
  "prometheus",
  (port, dir, options) => {
    Deno.writeTextFileSync(
      `${dir}/prometheus.yml`,
      "global:\n  scrape_interval: 1h\n" + (options.config ?? ""),
    );
    return [
      `--config.file=${dir}/prometheus.yml`,
      `--storage.tsdb.path=${dir}/tsdb`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--web.enable-remote-write-receiver",
      "--log.level=error",
    ];
  },
  { ready: "/-/ready", write: "/api/v1/write" },
);

/** Raw samples of one series selector through an instant range-vector query. */
export async function rawSamples(
  base: string,
  selector: string,
  rangeSeconds: number,
  at = Date.now() / 1000,
): Promise<{ metric: Record<string, string>; ts: number[]; values: number[] }[]> {
  const url = new URL(`${base}/api/v1/query`);
  url.searchParams.set("query", `${selector}[${Math.ceil(rangeSeconds)}s]`);
  url.searchParams.set("time", String(at));
  const body = await (await fetch(url)).json();
  if (body.status !== "success") throw new Error(`Query failed: ${JSON.stringify(body)}`);
  return body.data.result.map((
    r: { metric: Record<string, string>; values: [number, string][] },
  ) => ({
    metric: r.metric,
    ts: r.values.map(([t]) => Math.round(t * 1000)),
    values: r.values.map(([, v]) => Number(v)),
  }));
}

/**
 * Raw samples of the series matching a selector as VictoriaMetrics stores them, through
 * `/api/v1/export` (JSON lines of `metric`, `values`, `timestamps`): unlike a query, which may
 * merge points of one timestamp, it returns every stored sample, so a duplicate written twice
 * shows as two (the engine is run without `-dedup.minScrapeInterval`).
 */
export async function exportedSamples(
  base: string,
  selector: string,
  rangeSeconds: number,
  at = Date.now() / 1000,
): Promise<{ metric: Record<string, string>; ts: number[]; values: number[] }[]> {
  const url = new URL(`${base}/api/v1/export`);
  url.searchParams.set("match[]", selector);
  url.searchParams.set("start", String(Math.floor(at - rangeSeconds)));
  url.searchParams.set("end", String(Math.ceil(at)));
  const response = await fetch(url);
  const text = await response.text();
  if (!response.ok) throw new Error(`Export failed: HTTP ${response.status}: ${text}`);
  // one series may come in several lines (one a storage block): merged, in time order, keeping
  // every point (two of one timestamp stay two)
  const bySeries = new Map<
    string,
    { metric: Record<string, string>; points: [number, number][] }
  >();
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const o = JSON.parse(line) as {
      metric: Record<string, string>;
      values: (number | null)[];
      timestamps: number[];
    };
    const key = JSON.stringify(Object.entries(o.metric).sort());
    let entry = bySeries.get(key);
    if (!entry) bySeries.set(key, entry = { metric: o.metric, points: [] });
    o.timestamps.forEach((t, i) => entry.points.push([t, o.values[i] ?? NaN]));
  }
  return [...bySeries.values()].map(({ metric, points }) => {
    points.sort((a, b) => a[0] - b[0]);
    return { metric, ts: points.map((p) => p[0]), values: points.map((p) => p[1]) };
  });
}
