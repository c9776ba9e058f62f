/**
 * Ingest soak: `serve` (a real child process, with its collector) takes pushes from two clients
 * (Workers, each its own host, 5,000-line bodies over loopback HTTP, honouring `Retry-After`),
 * while the main thread probes `/healthz` every 100 ms. Every 10 s it prints the accepted rate,
 * the server's RSS, the ingest spool's bytes, `/healthz` p50/p99 and the 503s; in the middle
 * it kills the server with SIGKILL and starts it again on the same data (the clients resend
 * what was not acknowledged); at the end it stops the server and counts what the lake holds
 * against what was acknowledged, and the largest gap between the collector's samples. Before
 * the clients start it probes the idle server the same way, for the floor the machine sets.
 *
 * `serve` runs as `deno task serve` would (the task's environment and flags, read from
 * deno.json), so its memory is what users get.
 *
 * `deno run -A bench/ingest_soak.ts [--quick] [--seconds N] [--no-kill] [--config FILE]` (also in
 * `deno task bench`: 5 minutes, `--quick` 40 s).
 *
 * @module
 */
import { parseFlags, parseNumber } from "../cli/_args.ts";
import { benchMain } from "./_flags.ts";
import { openLake, parseIngestLines } from "../lake/mod.ts";
import { IngestSpoolEncoder } from "../lake/ingest_spool_format.ts";
import { spawnServe, stopServe } from "../tests/_serve_process.ts";

/** Options: `quick` for a short soak. */
export interface IngestSoakOptions {
  /** 40 s instead of 5 minutes; default false. */
  quick?: boolean;
  /** Soak length, s (overrides `quick`). */
  seconds?: number;
  /** Kill the server with SIGKILL half way; default true. */
  kill?: boolean;
  /** A config file for `serve` (`--config`), e.g. to try other `ingest:` budgets; default none. */
  config?: string;
}

/** The figures measured. */
export interface IngestSoakFigures {
  seconds: number;
  acceptedPerSecond: number;
  peakWindowPerSecond: number;
  peakRssMb: number;
  finalRssMb: number;
  peakSpoolMb: number;
  spoolBytesPerSample: number;
  healthzP50Ms: number;
  healthzP99Ms: number;
  refused: number;
  acknowledged: number;
  stored: number;
  storedDistinct: number;
  lost: number;
  collectorMaxGapMs: number;
  /** The collector's gap across the kill and restart (it dies with serve). */
  restartGapMs: number;
  loadAverage: number;
  /** `/healthz` p99 of the same server before the clients start (the machine's floor). */
  idleHealthzP99Ms: number;
}

interface Server {
  child: Deno.ChildProcess;
  url: string;
}

const ROOT = new URL("..", import.meta.url);

/** The `serve` task of deno.json as the soak runs it: its environment and `deno run` flags
 * (the V8 and allocator settings that bound its memory), without the shell between. */
function serveTask(): { env: Record<string, string>; flags: string[] } {
  const json = JSON.parse(Deno.readTextFileSync(new URL("deno.json", ROOT)));
  const words = String(json.tasks.serve).split(/\s+/);
  const env: Record<string, string> = {};
  while (/^[A-Z_]+=/.test(words[0] ?? "")) {
    const [k, v] = words.shift()!.split("=") as [string, string];
    env[k] = v;
  }
  const from = words.indexOf("run") + 1, to = words.indexOf("cli/serve.ts");
  return { env, flags: words.slice(from, to) };
}

async function startServer(data: string, config?: string): Promise<Server> {
  const task = serveTask();
  for (let attempt = 0;; attempt++) {
    try {
      const { process, url } = await spawnServe(
        ["--data", data, ...(config === undefined ? [] : ["--config", config])],
        { denoFlags: task.flags, env: task.env, stderr: "piped", stderrChunks: 50 },
      );
      return { child: process, url };
    } catch (error) {
      // the killed server's collector may still hold the lake's collector lock for a moment
      if (attempt >= 20) {
        throw new Error(`serve did not start: ${String(error).slice(-400)}`);
      }
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

function rssMb(pid: number): number {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    return Number(status.match(/VmRSS:\s+(\d+)/)?.[1] ?? NaN) / 1024;
  } catch {
    return NaN;
  }
}

function spoolBytes(data: string): number {
  let n = 0;
  try {
    for (const e of Deno.readDirSync(`${data}/spool_ingest`)) {
      try {
        if (e.isFile) n += Deno.statSync(`${data}/spool_ingest/${e.name}`).size;
      } catch { /* deleted meanwhile */ }
    }
  } catch { /* not there yet */ }
  return n;
}

/** Spool bytes per sample of a body like the clients' (its second record, as in a segment
 * whose series are already defined, and its first, which defines them). */
function spoolCost(ts: number): number {
  const lines: string[] = [];
  for (let j = 0; j < 5_000; j++) {
    const s = j % 1_000;
    lines.push(JSON.stringify({
      ts: ts + Math.floor(j / 1_000),
      host: "soak-a",
      metric: `soak_m${String(s % 50).padStart(2, "0")}`,
      labels: { core: String(Math.floor(s / 50)) },
      value: (j * 7 % 1000) / 4,
    }));
  }
  const batch = parseIngestLines(lines.join("\n"), { now: ts });
  const enc = new IngestSpoolEncoder();
  const first = enc.encode(batch).length;
  enc.commit();
  const next = enc.encode(batch).length;
  console.log(
    `spool record of a 5,000-line body: ${first} bytes with its series, ${next} after ` +
      `(${(next / 5_000).toFixed(2)} bytes per sample; its JSON lines: ${
        (new TextEncoder().encode(lines.join("\n")).length / 5_000).toFixed(0)
      })`,
  );
  return Math.round((next / 5_000) * 100) / 100;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

function pad(values: (string | number)[], widths: number[]): string {
  return values.map((v, i) => String(v).padStart(widths[i]!)).join("  ");
}

/**
 * Runs the soak and prints its curve and totals.
 *
 * @param options Length and whether to kill the server half way.
 * @returns The figures.
 */
export async function run(options: IngestSoakOptions = {}): Promise<IngestSoakFigures> {
  const seconds = options.seconds ?? (options.quick ? 40 : 300);
  const kill = options.kill ?? true;
  const data = await Deno.makeTempDir({ prefix: "perfscope-soak-" });
  const loadBefore = Deno.loadavg()[0]!;
  let server = await startServer(data, options.config);
  // the floor: the same probe against the idle server, so the soak's latency can be told apart
  // from what the shared machine costs any process
  // from the server's first second on (its first answers compile the route)
  const idle: number[] = [];
  const warm = Date.now() + 1_000;
  for (const end = warm + (seconds >= 120 ? 10_000 : 5_000); Date.now() < end;) {
    const t = performance.now();
    const res = await fetch(new URL("/healthz", server.url));
    await res.body?.cancel();
    if (Date.now() >= warm) idle.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 100));
  }
  idle.sort((x, y) => x - y);
  const started = Date.now();
  const ts0 = started - 10 * 60_000;
  const clients = ["soak-a", "soak-b"].map((host) => {
    const worker = new Worker(new URL("./_ingest_soak_client.ts", import.meta.url), {
      type: "module",
    });
    const state = {
      acked: 0,
      refused: 0,
      failed: 0,
      sent: 0,
      done: false,
      error: "",
      lastRefusal: "",
    };
    const finished = new Promise<void>((resolve) => {
      worker.onmessage = (e) => {
        Object.assign(state, e.data);
        if (e.data.done) resolve();
      };
    });
    worker.postMessage({
      start: { url: server.url, host, ts0, series: 1_000 },
    });
    return { worker, state, finished };
  });
  const latencies: number[] = [];
  let window: number[] = [];
  let probing = true;
  const probe = (async () => {
    while (probing) {
      const t = performance.now();
      try {
        const res = await fetch(new URL("/healthz", server.url));
        await res.body?.cancel();
        const ms = performance.now() - t;
        latencies.push(ms), window.push(ms);
      } catch {
        // the server is down (the kill): not a latency
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();

  console.log(
    `two clients × 5,000-line bodies over loopback HTTP for ${seconds} s` +
      (kill ? `, serve killed with SIGKILL at ${Math.round(seconds / 2)} s and restarted` : ""),
  );
  const widths = [5, 12, 9, 9, 10, 10, 6];
  console.log(
    pad(["t s", "accepted/s", "RSS MB", "spool MB", "hz p50 ms", "hz p99 ms", "503s"], widths),
  );
  let lastAcked = 0, lastRefused = 0;
  let peakRss = 0, peakSpool = 0, peakWindow = 0;
  let killed = false;
  let killedAt: number | undefined, restartedAt = NaN;
  const acked = () => clients.reduce((n, c) => n + c.state.acked, 0);
  const refused = () => clients.reduce((n, c) => n + c.state.refused, 0);
  for (let t = 10; t <= seconds; t += 10) {
    const deadline = started + t * 1000;
    // sample RSS and the spool every second, print every 10
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, Math.min(1000, Math.max(0, deadline - Date.now()))));
      peakRss = Math.max(peakRss, rssMb(server.child.pid) || 0);
      peakSpool = Math.max(peakSpool, spoolBytes(data));
      if (kill && !killed && Date.now() - started >= seconds * 500) {
        killed = true;
        killedAt = Date.now();
        server.child.kill("SIGKILL");
        await server.child.status;
        console.log(`(SIGKILL at ${Math.round((Date.now() - started) / 1000)} s; restarting)`);
        server = await startServer(data, options.config);
        restartedAt = Date.now();
        for (const c of clients) c.worker.postMessage({ url: server.url });
      }
    }
    const a = acked(), r = refused();
    const rate = (a - lastAcked) / 10;
    peakWindow = Math.max(peakWindow, rate);
    const sorted = window.sort((x, y) => x - y);
    console.log(pad([
      t,
      Math.round(rate).toLocaleString("en-US"),
      rssMb(server.child.pid).toFixed(0),
      (spoolBytes(data) / 1e6).toFixed(1),
      quantile(sorted, 0.5).toFixed(1),
      quantile(sorted, 0.99).toFixed(1),
      r - lastRefused,
    ], widths));
    lastAcked = a, lastRefused = r, window = [];
  }
  for (const c of clients) c.worker.postMessage({ stop: true });
  await Promise.all(clients.map((c) => c.finished));
  for (const c of clients) c.worker.terminate();
  probing = false;
  await probe;
  const finalRss = rssMb(server.child.pid);
  await stopServe(server.child);
  const elapsed = (Date.now() - started) / 1000;

  const lake = await openLake({ root: data });
  let stored = 0, storedDistinct = 0, gap = NaN, restartGap = NaN;
  try {
    // every body holds 1,000 series × 5 instants no other body has: a (host, instant) with more
    // than 1,000 rows is a body stored twice, and the distinct samples are the rows up to 1,000
    // per (host, instant) (a count of distinct rows over tens of millions would not fit the
    // lake's memory limit)
    const [row] = await lake.query<{ n: bigint; d: bigint }>(
      `SELECT sum(n) AS n, sum(least(n, 1000)) AS d FROM (
         SELECT count(*) AS n FROM samples WHERE host IN ('soak-a', 'soak-b') GROUP BY host, ts)`,
    );
    stored = Number(row!.n ?? 0), storedDistinct = Number(row!.d ?? 0);
    // the collector's instants (one a second): the largest gap, leaving out the one across the
    // kill (the collector is serve's child and dies with it), which is printed on its own
    const instants = await lake.query<{ t: number }>(
      `SELECT DISTINCT epoch_ms(ts) AS t FROM samples
       WHERE host NOT IN ('soak-a', 'soak-b') AND ts >= make_timestamp(${started}::BIGINT * 1000)
       ORDER BY t`,
    );
    gap = 0;
    for (let i = 1; i < instants.length; i++) {
      const a = Number(instants[i - 1]!.t), b = Number(instants[i]!.t);
      // the restart's: from the kill until the new collector's first samples (it starts after
      // serve listens, and the killed one's may outlive serve by a moment)
      if (killedAt !== undefined && b >= killedAt && a <= restartedAt + 10_000) {
        restartGap = Math.max(Number.isNaN(restartGap) ? 0 : restartGap, b - a);
      } else gap = Math.max(gap, b - a);
    }
  } finally {
    lake.close();
  }
  const acknowledged = acked();
  const sorted = latencies.sort((x, y) => x - y);
  const figures: IngestSoakFigures = {
    seconds: Math.round(elapsed),
    acceptedPerSecond: Math.round(acknowledged / seconds),
    peakWindowPerSecond: Math.round(peakWindow),
    peakRssMb: Math.round(peakRss),
    finalRssMb: Math.round(finalRss),
    peakSpoolMb: Math.round(peakSpool / 1e5) / 10,
    spoolBytesPerSample: spoolCost(started),
    healthzP50Ms: Math.round(quantile(sorted, 0.5) * 10) / 10,
    healthzP99Ms: Math.round(quantile(sorted, 0.99) * 10) / 10,
    refused: refused(),
    acknowledged,
    stored,
    storedDistinct,
    lost: Math.max(0, acknowledged - storedDistinct),
    collectorMaxGapMs: gap,
    restartGapMs: restartGap,
    loadAverage: Math.round(Math.max(loadBefore, Deno.loadavg()[0]!) * 100) / 100,
    idleHealthzP99Ms: Math.round(quantile(idle, 0.99) * 10) / 10,
  };
  for (const c of clients) {
    if (c.state.error) console.log(`client error: ${c.state.error}`);
    if (c.state.lastRefusal) console.log(`last refusal: ${c.state.lastRefusal}`);
  }
  const goal = (ok: boolean) => (ok ? "ok" : "MISSED");
  console.log("");
  console.log(
    `accepted: ${figures.acceptedPerSecond.toLocaleString("en-US")} samples/s over the soak, ` +
      `best 10 s ${figures.peakWindowPerSecond.toLocaleString("en-US")}/s ` +
      `(goal ≥ 500,000: ${(figures.peakWindowPerSecond / 500_000).toFixed(2)}× ${
        goal(figures.peakWindowPerSecond >= 500_000)
      })`,
  );
  console.log(
    `server RSS: peak ${figures.peakRssMb} MB, at the end ${figures.finalRssMb} MB ` +
      `(goal ≤ 256: ${(figures.peakRssMb / 256).toFixed(2)}× ${goal(figures.peakRssMb <= 256)})`,
  );
  console.log(`ingest spool: peak ${figures.peakSpoolMb} MB on disk`);
  console.log(
    `/healthz: p50 ${figures.healthzP50Ms} ms, p99 ${figures.healthzP99Ms} ms over ${sorted.length} ` +
      `probes (goal p99 < 100: ${(figures.healthzP99Ms / 100).toFixed(2)}× ${
        goal(figures.healthzP99Ms < 100)
      }); idle before the soak, p99 ${figures.idleHealthzP99Ms} ms over ${idle.length} probes`,
  );
  console.log(
    `collector: largest gap between samples ${figures.collectorMaxGapMs} ms (goal ≤ 2000: ${
      goal(figures.collectorMaxGapMs <= 2000)
    })` + (kill ? `; across the SIGKILL and restart ${figures.restartGapMs} ms` : ""),
  );
  console.log(
    `refused (503/507, retried after Retry-After): ${figures.refused.toLocaleString("en-US")}`,
  );
  console.log(
    `acknowledged ${acknowledged.toLocaleString("en-US")}, stored ${
      stored.toLocaleString("en-US")
    } (${storedDistinct.toLocaleString("en-US")} distinct; ${
      (stored - storedDistinct).toLocaleString("en-US")
    } stored twice: bodies in flight at the kill, spooled, then resent), lost ${figures.lost}`,
  );
  console.log(`load average (1 min) on this shared machine: ${figures.loadAverage}`);
  await Deno.remove(data, { recursive: true }).catch(() => {});
  return figures;
}

const USAGE =
  `Usage: deno run -A bench/ingest_soak.ts [--quick] [--seconds N] [--no-kill] [--config FILE]

Soaks serve with two pushing clients, kills it half way and restarts it, then counts what the
lake holds against what was acknowledged. 5 minutes by default.

Options:
  --quick         40 s instead of 5 minutes (as deno task bench --quick)
  --seconds N     soak length in seconds (overrides --quick)
  --no-kill       do not kill the server half way
  --config FILE   a config file for serve, e.g. to try other ingest: budgets
  -h, --help      show this help`;

if (import.meta.main) {
  await benchMain(USAGE, (args) => {
    const { values } = parseFlags(args, {
      quick: { type: "boolean", default: false },
      seconds: { type: "string" },
      "no-kill": { type: "boolean", default: false },
      config: { type: "string" },
    });
    return {
      quick: values.quick,
      ...(values.seconds ? { seconds: parseNumber(values.seconds, "seconds", { min: 1 }) } : {}),
      kill: !values["no-kill"],
      ...(values.config ? { config: values.config } : {}),
    };
  }, run);
}
