/**
 * Alerting end to end, through a real `serve` child process:
 *
 * 1. Latency from a sample's `POST /api/ingest` to the webhook's receipt of the alert it fires
 *    (a threshold rule with `for: 0s`, one new label set per crossing so each is its own group,
 *    `group_wait: 0s`), over `--crossings` crossings spread at random moments of the 1 Hz
 *    evaluation tick (goal p99 < 1 s).
 * 2. CPU of collector + rule evaluation at 1 Hz: two `serve`s with their collectors running at
 *    the same time (so both see the same machine load), one with 1,000 rules (`--rules`) on the collector's
 *    metrics (every matching series a pending instance) and one with none; CPU ms per second of the serve process and of its collector child,
 *    from `/proc/PID/stat` (utime + stime) over `--seconds` after a warm-up.
 *
 * With `--baseline DIR` (another checkout, e.g. `git archive <commit> | tar -x -C DIR` with
 * node_modules linked in), a third `serve` runs that checkout with the same 1,000 rules at the
 * same time, for a before/after in the same run; ratios are printed, nothing is asserted.
 *
 * Run: `deno run -A bench/alerts_e2e_bench.ts [--quick] [--crossings 50] [--seconds 60]
 * [--baseline DIR] [--no-latency] [--rules 1000]`.
 *
 * @module
 */
import { parseFlags, parseNumber } from "../cli/_args.ts";
import { benchMain } from "./_flags.ts";
import { postSamples } from "../tests/_post_samples.ts";
import { spawnServe, stopServe as stopServeProcess } from "../tests/_serve_process.ts";
import { serveRulesConfig } from "./_serve_rules.ts";

const ROOT = new URL("..", import.meta.url);
const TICK = 100; // USER_HZ, the unit of utime/stime in /proc/PID/stat on Linux

/** A `serve` child process. */
interface Child {
  process: Deno.ChildProcess;
  url: string;
  dir: string;
}

/** Starts `serve` with a config (JSON is YAML) in a new data directory. */
async function startServe(
  config: Record<string, unknown>,
  collect: boolean,
  cwd: string | URL = ROOT,
): Promise<Child> {
  const dir = await Deno.makeTempDir({ prefix: "perfscope-alerts-e2e-" });
  await Deno.writeTextFile(
    `${dir}/perfscope.yaml`,
    JSON.stringify({ data: `${dir}/lake`, ...config }),
  );
  const { process, url } = await spawnServe(
    ["--config", `${dir}/perfscope.yaml`, ...(collect ? [] : ["--no-collect"])],
    { root: cwd },
  );
  return { process, url, dir };
}

async function stopServe(child: Child): Promise<void> {
  await stopServeProcess(child.process);
  await Deno.remove(child.dir, { recursive: true });
}

/** utime + stime of a process, in clock ticks; 0 once it is gone. */
function cpuTicks(pid: number): number {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // the command name may hold spaces: fields count from after its closing parenthesis
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/** The pids of a process's children (every thread's). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const task of Deno.readDirSync(`/proc/${pid}/task`)) {
    const text = Deno.readTextFileSync(`/proc/${pid}/task/${task.name}/children`).trim();
    if (text) out.push(...text.split(" ").map(Number));
  }
  return out;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Latency figures, ms. */
export interface LatencyFigures {
  crossings: number;
  p50: number;
  p99: number;
  max: number;
}

/** Measures sample POST → webhook receipt over `crossings` threshold crossings. */
export async function measureLatency(crossings: number): Promise<LatencyFigures> {
  const arrived = new Map<string, number>();
  const waiting = new Map<string, () => void>();
  const hook = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const at = performance.now();
    const body = await req.json() as { status: string; alerts: { labels: { n?: string } }[] };
    for (const a of body.alerts) {
      const n = a.labels.n;
      if (body.status !== "firing" || n === undefined || arrived.has(n)) continue;
      arrived.set(n, at);
      waiting.get(n)?.();
    }
    return new Response("ok");
  });
  const serve = await startServe({
    rules: [{ alert: "Hot", metric: "bench_latency_ms", above: 100, clear: 50, for: "0s" }],
    receivers: [{ name: "hook", webhook: `http://127.0.0.1:${hook.addr.port}/` }],
    route: { receiver: "hook", group_by: ["..."], group_wait: "0s" },
  }, false);
  const latencies: number[] = [];
  try {
    for (let i = 0; i < crossings; i++) {
      // a random moment of the evaluation tick, so the wait for it is sampled evenly
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 1000));
      const n = String(i);
      const got = new Promise<void>((resolve) => waiting.set(n, resolve));
      const sent = performance.now();
      const sample = { host: "bench", metric: "bench_latency_ms", labels: { n }, value: 200 };
      const status = await postSamples(serve.url, [sample]);
      if (status !== 200) throw new Error(`Ingest answered ${status}`);
      await Promise.race([
        got,
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error(`No webhook for crossing ${n} in 30 s`)), 30_000)
        ),
      ]);
      latencies.push(arrived.get(n)! - sent);
    }
  } finally {
    await stopServe(serve);
    await hook.shutdown();
  }
  latencies.sort((a, b) => a - b);
  return {
    crossings,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    max: latencies.at(-1)!,
  };
}

/** CPU ms per second of one serve and its collector. */
export interface CpuFigures {
  /** Which checkout: "this" or "baseline". */
  code: string;
  rules: number;
  /** Rule × series instances at the end (all pending). */
  instances: number;
  serveMsPerSecond: number;
  collectorMsPerSecond: number;
}

/** Runs serve + collector with and without 1,000 rules side by side for `seconds` (and the
 * baseline checkout's serve with the rules, when given). */
export async function measureCpu(
  seconds: number,
  warmup: number,
  baseline?: string,
  rules = 1000,
): Promise<CpuFigures[]> {
  const runs = [
    { code: "this", rules: 0 },
    { code: "this", rules },
    ...(baseline === undefined ? [] : [{ code: "baseline", rules }]),
  ];
  const children = await Promise.all(
    runs.map((r) =>
      startServe(
        r.rules === 0 ? {} : { rules: serveRulesConfig(r.rules) },
        true,
        r.code === "baseline" ? baseline : ROOT,
      )
    ),
  );
  try {
    await new Promise((r) => setTimeout(r, warmup * 1000));
    const pids = children.map((c) => {
      const pid = c.process.pid;
      return { pid, collectors: childrenOf(pid) };
    });
    const before = pids.map((p) => ({
      serve: cpuTicks(p.pid),
      collector: p.collectors.reduce((s, c) => s + cpuTicks(c), 0),
    }));
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const elapsed = (performance.now() - t0) / 1000;
    const after = pids.map((p) => ({
      serve: cpuTicks(p.pid),
      collector: p.collectors.reduce((s, c) => s + cpuTicks(c), 0),
    }));
    const instances = await Promise.all(children.map(async (c) => {
      const body = await (await fetch(new URL("api/alerts", c.url))).json();
      return (body.alerts as unknown[]).length;
    }));
    return pids.map((_, i) => ({
      code: runs[i]!.code,
      rules: runs[i]!.rules,
      instances: instances[i]!,
      serveMsPerSecond: (after[i]!.serve - before[i]!.serve) * 1000 / TICK / elapsed,
      collectorMsPerSecond: (after[i]!.collector - before[i]!.collector) * 1000 / TICK / elapsed,
    }));
  } finally {
    await Promise.all(children.map(stopServe));
  }
}

/**
 * Runs both measurements and prints them.
 *
 * @param options `quick` for 20 crossings and 20 s of CPU.
 * @returns The figures.
 */
export async function run(
  options: {
    quick?: boolean;
    crossings?: number;
    seconds?: number;
    baseline?: string;
    latency?: boolean;
    rules?: number;
  } = {},
): Promise<{ latency: LatencyFigures | undefined; cpu: CpuFigures[] }> {
  const crossings = options.crossings ?? (options.quick ? 20 : 50);
  const seconds = options.seconds ?? (options.quick ? 20 : 60);
  let latency: LatencyFigures | undefined;
  if (options.latency ?? true) {
    latency = await measureLatency(crossings);
    console.log(
      `Sample POST → webhook receipt over ${latency.crossings} crossings (goal p99 < 1000 ms): ` +
        `p50 ${latency.p50.toFixed(1)} ms, p99 ${latency.p99.toFixed(1)} ms, max ${
          latency.max.toFixed(1)
        } ms`,
    );
  }
  const load = () => Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
  const loadBefore = load();
  const cpu = await measureCpu(seconds, options.quick ? 10 : 20, options.baseline, options.rules);
  console.log(
    `serve + collector at 1 Hz, CPU ms per second over ${seconds} s (load ${loadBefore} → ${load()})`,
  );
  const none = cpu.find((r) => r.rules === 0)!;
  console.log(
    "code      rules  instances  serve  collector  total  rules' cost (serve − serve without rules)",
  );
  for (const r of cpu) {
    const extra = r.serveMsPerSecond - none.serveMsPerSecond;
    console.log(
      `${r.code.padEnd(8)}  ${String(r.rules).padStart(5)}  ${String(r.instances).padStart(9)}  ${
        r.serveMsPerSecond.toFixed(1).padStart(5)
      }  ${r.collectorMsPerSecond.toFixed(1).padStart(9)}  ${
        (r.serveMsPerSecond + r.collectorMsPerSecond).toFixed(1).padStart(5)
      }  ${r.rules === 0 ? "" : extra.toFixed(2)}`,
    );
  }
  const mine = cpu.find((r) => r.code === "this" && r.rules > 0);
  const base = cpu.find((r) => r.code === "baseline");
  if (mine && base) {
    const a = mine.serveMsPerSecond - none.serveMsPerSecond;
    const b = base.serveMsPerSecond - none.serveMsPerSecond;
    console.log(
      `rules' cost: this ${a.toFixed(2)} ms/s, baseline ${b.toFixed(2)} ms/s (ratio ${
        (b / a).toFixed(1)
      }×, a noisy ratio of differences)`,
    );
  }
  return { latency, cpu };
}

const USAGE = `Usage: deno run -A bench/alerts_e2e_bench.ts [--quick] [--crossings N] [--seconds N]
       [--baseline DIR] [--no-latency] [--rules N]

Alerting end to end through a serve child: latency from a sample's POST /api/ingest to the
webhook's receipt of its alert, and CPU of serve + collector with and without the rules.

Options:
  --quick           20 crossings and 20 s of CPU (as deno task bench --quick)
  --crossings N     threshold crossings timed for latency (default 50)
  --seconds N       seconds of CPU measured (default 60)
  --baseline DIR    another checkout, measured in the same run for a before/after
  --no-latency      skip the latency measurement
  --rules N         rules of the serve measured with rules (default 1000)
  -h, --help        show this help`;

if (import.meta.main) {
  await benchMain(USAGE, (args) => {
    const { values } = parseFlags(args, {
      quick: { type: "boolean", default: false },
      crossings: { type: "string" },
      seconds: { type: "string" },
      baseline: { type: "string" },
      "no-latency": { type: "boolean", default: false },
      rules: { type: "string" },
    });
    const count = (flag: "crossings" | "seconds" | "rules") =>
      values[flag] !== undefined &&
      { [flag]: parseNumber(values[flag], flag, { min: 1, integer: flag !== "seconds" }) };
    return {
      quick: values.quick,
      ...count("crossings"),
      ...count("seconds"),
      ...(values.baseline !== undefined && { baseline: values.baseline }),
      latency: !values["no-latency"],
      ...count("rules"),
    };
  }, run);
}
