/**
 * Remote-write benchmark: CPU ms per second and RSS, at 1 Hz, of
 * (1) the collector alone, (2) the collector remote-writing to a local VictoriaMetrics (batches
 * every 5 s, the default, and every 1 s), (3) the collector beside `deno task remote-write` (the
 * sender in a process of its own, JIT-compiled; both processes added up), and (4) `vmagent` scraping `prometheus-node-exporter`
 * every second and remote-writing to the same VictoriaMetrics (both processes added up), in the
 * same run, one after another (two at once on 2 shared cores disturb each other). CPU is the sum
 * of `/proc/PID/task/TID/schedstat` over the threads (ns) over the measured window, after a
 * warm-up, polled so that threads ending in the window count; RSS is VmRSS at the end and VmHWM. Samples per second come from the receiver (series
 * count × rate). Prints figures and ratios, never asserts.
 *
 * Run: `deno run -A bench/remote_write_bench.ts [--seconds 60] [--quick] [--only rw5,vmagent]
 * [--rounds 3] [--baseline DIR]`.
 *
 * @module
 */

import { parseFlags, parseNumber, UsageError } from "../cli/_args.ts";
import { benchMain } from "./_flags.ts";
import { COLLECT_V8_FLAGS } from "./collector_bench.ts";
import { startVictoriaMetrics } from "../tests/export/_engines.ts";
import { freePort } from "../tests/_ports.ts";
import type { encodeBatch } from "./_encode_batch.ts";
import { ThreadCpu } from "./_thread_cpu.ts";

/** Options of {@linkcode run}. */
export interface RemoteWriteBenchOptions {
  /** 20 s windows instead of 60. Default false. */
  quick?: boolean;
  /** Measured seconds per configuration. Default 60. */
  seconds?: number;
  /** Configurations to run, by key (`alone`, `rw5`, `rw1`, `process`, `vmagent`); the collector
   * alone always runs first (the ratios' base). Default all. */
  only?: readonly string[];
  /** Rounds, each running every configuration once; medians are printed. Default 1. */
  rounds?: number;
  /** Directory of another checkout: adds its collector + remote write (5 s batches) as a
   * configuration, for a before/after in the same run. Default none. */
  baseline?: string;
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
    const threads = new ThreadCpu(pids);
    const t0 = performance.now();
    await sleep(seconds * 1000);
    const cpu = threads.stop();
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

function collector(data: string, extra: string[] = [], from = repo): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      `--v8-flags=${COLLECT_V8_FLAGS}`,
      "-A",
      `${from}cli/collect.ts`,
      "--data",
      data,
      // the remote-write runs name their settings file; the others read none
      ...(extra.length ? extra : ["--no-config"]),
    ],
    cwd: from,
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
  const rounds = options.rounds ?? 1;
  const encode = await encodeRow();
  const vm = await startVictoriaMetrics();
  const count = (match: string) => async () => {
    const r = await fetch(`${vm.base}/api/v1/series?match[]=${encodeURIComponent(match)}`);
    return ((await r.json()).data as unknown[]).length;
  };
  const want = (key: string) => !options.only || options.only.includes(key);
  const tmp = () => Deno.makeTempDirSync({ prefix: "perfscope-rwbench-" });
  const cfg = (interval: string, host = `rw-${interval}`) => {
    const dir = tmp();
    Deno.writeTextFileSync(
      `${dir}/p.yaml`,
      `collect:\n  host: ${host}\nremote_write:\n  - url: ${vm.writeUrl}\n    interval: ${interval}\n`,
    );
    return ["--config", `${dir}/p.yaml`, "--data", `${dir}/data`];
  };
  const configs: {
    name: string;
    spawn: () => Deno.ChildProcess[];
    count: () => Promise<number>;
  }[] = [{
    name: "collector alone",
    spawn: () => [collector(tmp())],
    count: () => Promise.resolve(NaN),
  }];
  if (want("rw5")) {
    configs.push({
      name: "collector + remote write (5 s batches)",
      spawn: () => [collector(tmp(), cfg("5s"))],
      count: count(`{host="rw-5s"}`),
    });
  }
  if (options.baseline) {
    // another checkout's collector and sender (e.g. `git archive <commit> | tar -x -C DIR` with
    // node_modules linked in), for a before/after in the same run
    const from = options.baseline.endsWith("/") ? options.baseline : `${options.baseline}/`;
    configs.push({
      name: "baseline: collector + remote write (5 s)",
      spawn: () => [collector(tmp(), cfg("5s", "rw-base"), from)],
      count: count(`{host="rw-base"}`),
    });
  }
  if (want("rw1")) {
    configs.push({
      name: "collector + remote write (1 s batches)",
      spawn: () => [collector(tmp(), cfg("1s"))],
      count: count(`{host="rw-1s"}`),
    });
  }
  if (want("process")) {
    configs.push({
      name: "collector + `deno task remote-write` process",
      spawn: () => {
        const data = tmp();
        return [
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
        ];
      },
      count: count(`{host="rw-proc"}`),
    });
  }
  if (want("vmagent") && which("vmagent") && which("prometheus-node-exporter")) {
    configs.push({
      name: "vmagent + node_exporter at 1 s",
      spawn: () => {
        const nodePort = freePort();
        const dir = tmp();
        Deno.writeTextFileSync(
          `${dir}/scrape.yml`,
          `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: node\n    static_configs:\n      - targets: ["127.0.0.1:${nodePort}"]\n        labels: { host: vmagent }\n`,
        );
        return [
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
        ];
      },
      count: count(`{host="vmagent"}`),
    });
  }
  /** Per configuration, one figure per round (rounds interleave the configurations). */
  const runs: RemoteWriteFigures[][] = configs.map(() => []);
  try {
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < configs.length; i++) {
        const c = configs[i]!;
        runs[i]!.push(await measure(c.name, c.spawn, warmMs, seconds, c.count));
      }
      if (rounds > 1) {
        console.log(
          `round ${r + 1}: ${runs.map((f) => f.at(-1)!.cpuMsPerS.toFixed(2)).join(" / ")} ms/s`,
        );
      }
    }
  } finally {
    await vm.stop();
  }
  // medians over the rounds; the ratio is the median of each round's own ratio
  const figures = runs.map((list) => ({
    ...list[0]!,
    cpuMsPerS: median(list.map((f) => f.cpuMsPerS)),
    rssMb: median(list.map((f) => f.rssMb)),
    hwmMb: median(list.map((f) => f.hwmMb)),
    series: median(list.map((f) => f.series)),
  }));
  const ratios = runs.map((list) =>
    median(list.map((f, r) => f.cpuMsPerS / runs[0]![r]!.cpuMsPerS))
  );
  console.log(
    `${"configuration".padEnd(42)} ${"CPU ms/s".padStart(9)} ${"× alone".padStart(8)} ${
      "RSS MB".padStart(7)
    } ${"peak MB".padStart(8)} ${"series".padStart(7)}`,
  );
  figures.forEach((f, i) => {
    console.log(
      `${f.name.padEnd(42)} ${f.cpuMsPerS.toFixed(2).padStart(9)} ${
        ratios[i]!.toFixed(2).padStart(8)
      } ${f.rssMb.toFixed(1).padStart(7)} ${f.hwmMb.toFixed(1).padStart(8)} ${
        Number.isNaN(f.series) ? "-".padStart(7) : String(f.series).padStart(7)
      }`,
    );
  });
  if (rounds > 1) console.log(`(medians of ${rounds} rounds of ${seconds} s)`);
  for (const f of figures.slice(1)) {
    if (f.series > 0) {
      console.log(`${f.name}: ${(f.cpuMsPerS / f.series * 1000).toFixed(1)} µs CPU per sample`);
    }
  }
  console.log(
    `encoding one 5 s batch of this host (${encode.series} series, ${encode.samples} samples), ` +
      `interpreted as in the collector: pbf + snappyjs ${
        encode.library.cpuMs.toFixed(2)
      } ms CPU, ` +
      `${encode.library.bytes} B; WriteRequestEncoder ${encode.ours.cpuMs.toFixed(2)} ms, ` +
      `${encode.ours.bytes} B`,
  );
  console.log(`load average at the end: ${Deno.readTextFileSync("/proc/loadavg").split(" ")[0]}`);
  return figures;
}

function median(xs: number[]): number {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** The encoders side by side, in a process with the collector's V8 flags. */
async function encodeRow(): Promise<Awaited<ReturnType<typeof encodeBatch>>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", `--v8-flags=${COLLECT_V8_FLAGS}`, "-A", `${repo}bench/_encode_batch.ts`],
    cwd: repo,
    stdin: "null",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error("Encoding benchmark failed");
  return JSON.parse(new TextDecoder().decode(out.stdout));
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

/** The configurations `--only` picks from (the collector alone always runs first). */
const CONFIGURATIONS = ["alone", "rw5", "rw1", "process", "vmagent"];

const USAGE = `Usage: deno run -A bench/remote_write_bench.ts [--seconds N] [--quick] [--only NAMES]
       [--rounds N] [--baseline DIR]

CPU ms per second and RSS of the collector alone, remote-writing to a local VictoriaMetrics,
beside deno task remote-write, and vmagent scraping node_exporter.

Options:
  --seconds N      measured seconds per configuration (default 60, 20 with --quick)
  --quick          20 s windows (as deno task bench --quick)
  --only NAMES     configurations, comma-separated: ${CONFIGURATIONS.join(", ")}
  --rounds N       rounds, each running every configuration once; medians printed (default 1)
  --baseline DIR   another checkout's collector + remote write, for a before/after
  -h, --help       show this help`;

if (import.meta.main) {
  await benchMain(USAGE, (args) => {
    const { values } = parseFlags(args, {
      seconds: { type: "string" },
      quick: { type: "boolean", default: false },
      only: { type: "string" },
      rounds: { type: "string" },
      baseline: { type: "string" },
    });
    const only = values.only?.split(",");
    const unknown = only?.filter((name) => !CONFIGURATIONS.includes(name)) ?? [];
    if (unknown.length > 0) {
      throw new UsageError(
        `Unknown configuration: ${unknown.join(", ")} (known: ${CONFIGURATIONS.join(", ")})`,
      );
    }
    return {
      quick: values.quick,
      ...(only && { only }),
      ...(values.rounds && {
        rounds: parseNumber(values.rounds, "rounds", { min: 1, integer: true }),
      }),
      ...(values.baseline && { baseline: values.baseline }),
      ...(values.seconds && { seconds: parseNumber(values.seconds, "seconds", { min: 1 }) }),
    };
  }, run);
}
