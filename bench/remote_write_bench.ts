/**
 * Remote-write benchmark: CPU ms per second and RSS, at 1 Hz, of
 * (1) the collector alone, (2) the collector remote-writing to a local VictoriaMetrics (batches
 * every 5 s, the default, and every 1 s), (3) the collector beside `deno task remote-write` (the
 * sender in a process of its own, JIT-compiled; both processes added up), and (4) `vmagent` scraping `prometheus-node-exporter`
 * every second and remote-writing to the same VictoriaMetrics (both processes added up), in the
 * same run, one after another (two at once on 2 shared cores disturb each other). CPU is the sum
 * of `/proc/PID/task/TID/schedstat` over the threads (ns) over the measured window, after a
 * warm-up; RSS is VmRSS at the end and VmHWM. Samples per second come from the receiver (series
 * count × rate). Prints figures and ratios, never asserts.
 *
 * Run: `deno run -A bench/remote_write_bench.ts [--seconds 60] [--quick]`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { COLLECT_V8_FLAGS } from "./collector_bench.ts";
import { freePort, startVictoriaMetrics } from "../tests/export/_engines.ts";

/** Options of {@linkcode run}. */
export interface RemoteWriteBenchOptions {
  /** 20 s windows instead of 60. Default false. */
  quick?: boolean;
  /** Measured seconds per configuration. Default 60. */
  seconds?: number;
}

/** One configuration's figures. */
export interface RemoteWriteFigures {
  name: string;
  /** CPU ms per wall second (all processes of the configuration). */
  cpuMsPerS: number;
  /** RSS at the end, MB (summed). */
  rssMb: number;
  /** Peak RSS, MB (summed). */
  hwmMb: number;
  /** Series the receiver holds from this configuration (NaN where none are sent). */
  series: number;
}

const repo = new URL("..", import.meta.url).pathname;

function cpuNs(pid: number): number {
  let total = 0;
  for (const t of Deno.readDirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(Deno.readTextFileSync(`/proc/${pid}/task/${t.name}/schedstat`).split(" ")[0]);
    } catch {
      // the thread ended
    }
  }
  return total;
}

function memKb(pid: number, field: "VmRSS" | "VmHWM"): number {
  const m = Deno.readTextFileSync(`/proc/${pid}/status`).match(
    new RegExp(`^${field}:\\s+(\\d+) kB`, "m"),
  );
  return m ? Number(m[1]) : NaN;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function measure(
  name: string,
  spawn: () => Deno.ChildProcess[],
  warmMs: number,
  seconds: number,
  count: () => Promise<number>,
): Promise<RemoteWriteFigures> {
  const children = spawn();
  try {
    await sleep(warmMs);
    const pids = children.map((c) => c.pid);
    const before = pids.reduce((a, p) => a + cpuNs(p), 0);
    const t0 = performance.now();
    await sleep(seconds * 1000);
    const cpu = pids.reduce((a, p) => a + cpuNs(p), 0) - before;
    const wall = (performance.now() - t0) / 1000;
    const rss = pids.reduce((a, p) => a + memKb(p, "VmRSS"), 0) / 1024;
    const hwm = pids.reduce((a, p) => a + memKb(p, "VmHWM"), 0) / 1024;
    return { name, cpuMsPerS: cpu / 1e6 / wall, rssMb: rss, hwmMb: hwm, series: await count() };
  } finally {
    for (const c of children) {
      try {
        c.kill("SIGTERM");
      } catch {
        // gone
      }
      await c.status;
    }
  }
}

function collector(data: string, extra: string[] = []): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      `--v8-flags=${COLLECT_V8_FLAGS}`,
      "-A",
      `${repo}cli/collect.ts`,
      "--data",
      data,
      // the remote-write runs name their settings file; the others read none
      ...(extra.length ? extra : ["--no-config"]),
    ],
    cwd: repo,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}

/**
 * Runs the benchmark and prints a table.
 *
 * @param options Window length.
 * @returns The figures.
 */
export async function run(options: RemoteWriteBenchOptions = {}): Promise<RemoteWriteFigures[]> {
  const seconds = options.seconds ?? (options.quick ? 20 : 60);
  const warmMs = options.quick ? 8000 : 15_000;
  const vm = await startVictoriaMetrics();
  const count = (match: string) => async () => {
    const r = await fetch(`${vm.base}/api/v1/series?match[]=${encodeURIComponent(match)}`);
    return ((await r.json()).data as unknown[]).length;
  };
  const figures: RemoteWriteFigures[] = [];
  try {
    const tmp = () => Deno.makeTempDirSync({ prefix: "perfscope-rwbench-" });
    figures.push(
      await measure(
        "collector alone",
        () => [collector(tmp())],
        warmMs,
        seconds,
        () => Promise.resolve(NaN),
      ),
    );
    const cfg = (interval: string) => {
      const dir = tmp();
      Deno.writeTextFileSync(
        `${dir}/p.yaml`,
        `collect:\n  host: rw-${interval}\nremote_write:\n  - url: ${vm.writeUrl}\n    interval: ${interval}\n`,
      );
      return ["--config", `${dir}/p.yaml`, "--data", `${dir}/data`];
    };
    figures.push(
      await measure(
        "collector + remote write (5 s batches)",
        () => [collector(tmp(), cfg("5s"))],
        warmMs,
        seconds,
        count(`{host="rw-5s"}`),
      ),
    );
    figures.push(
      await measure(
        "collector + remote write (1 s batches)",
        () => [collector(tmp(), cfg("1s"))],
        warmMs,
        seconds,
        count(`{host="rw-1s"}`),
      ),
    );
    {
      const data = tmp();
      figures.push(
        await measure(
          "collector + `deno task remote-write` process",
          () => [
            new Deno.Command(Deno.execPath(), {
              args: [
                "run",
                "-A",
                `${repo}cli/remote_write.ts`,
                "--no-config",
                "--data",
                data,
                "--remote-write",
                vm.writeUrl,
              ],
              cwd: repo,
              stdin: "null",
              stdout: "null",
              stderr: "null",
            }).spawn(),
            collector(data, ["--no-config", "--host", "rw-proc"]),
          ],
          warmMs,
          seconds,
          count(`{host="rw-proc"}`),
        ),
      );
    }
    if (which("vmagent") && which("prometheus-node-exporter")) {
      const nodePort = freePort();
      const dir = tmp();
      Deno.writeTextFileSync(
        `${dir}/scrape.yml`,
        `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: node\n    static_configs:\n      - targets: ["127.0.0.1:${nodePort}"]\n        labels: { host: vmagent }\n`,
      );
      figures.push(
        await measure(
          "vmagent + node_exporter at 1 s",
          () => [
            new Deno.Command("prometheus-node-exporter", {
              args: [`--web.listen-address=127.0.0.1:${nodePort}`, "--log.level=error"],
              stdout: "null",
              stderr: "null",
            }).spawn(),
            new Deno.Command("vmagent", {
              args: [
                `-promscrape.config=${dir}/scrape.yml`,
                `-remoteWrite.url=${vm.writeUrl}`,
                `-remoteWrite.tmpDataPath=${dir}/vmagent`,
                `-httpListenAddr=127.0.0.1:${freePort()}`,
                "-loggerLevel=ERROR",
              ],
              stdout: "null",
              stderr: "null",
            }).spawn(),
          ],
          warmMs,
          seconds,
          count(`{host="vmagent"}`),
        ),
      );
    }
  } finally {
    await vm.stop();
  }
  const base = figures[0]!;
  console.log(
    `${"configuration".padEnd(42)} ${"CPU ms/s".padStart(9)} ${"× alone".padStart(8)} ${
      "RSS MB".padStart(7)
    } ${"peak MB".padStart(8)} ${"series".padStart(7)}`,
  );
  for (const f of figures) {
    console.log(
      `${f.name.padEnd(42)} ${f.cpuMsPerS.toFixed(2).padStart(9)} ${
        (f.cpuMsPerS / base.cpuMsPerS).toFixed(2).padStart(8)
      } ${f.rssMb.toFixed(1).padStart(7)} ${f.hwmMb.toFixed(1).padStart(8)} ${
        Number.isNaN(f.series) ? "-".padStart(7) : String(f.series).padStart(7)
      }`,
    );
  }
  for (const f of figures.slice(1)) {
    if (f.series > 0) {
      console.log(`${f.name}: ${(f.cpuMsPerS / f.series * 1000).toFixed(1)} µs CPU per sample`);
    }
  }
  console.log(`load average at the end: ${Deno.readTextFileSync("/proc/loadavg").split(" ")[0]}`);
  return figures;
}

function which(name: string): boolean {
  return (Deno.env.get("PATH") ?? "").split(":").some((d) => {
    try {
      return Deno.statSync(`${d}/${name}`).isFile;
    } catch {
      return false;
    }
  });
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { seconds: { type: "string" }, quick: { type: "boolean", default: false } },
  });
  await run({
    quick: values.quick,
    ...(values.seconds && { seconds: Number(values.seconds) }),
  });
}
